"""Touches to the generated OpenAPI document so that it says exactly what the server does."""

from __future__ import annotations

from typing import Any

# Request bodies the server refuses with anything but their own properties (a roster is
# {"rows": [...]} and nothing else; clee.api.rosters).
CLOSED_REQUESTS = ("RosterRowsRequest",)


def closed_request_bodies(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: ``additionalProperties: false`` on ``CLOSED_REQUESTS``."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in CLOSED_REQUESTS:
        if name in schemas:
            schemas[name]["additionalProperties"] = False
    return result
