"""Touches to the generated OpenAPI document so that it says exactly what the server does."""

from __future__ import annotations

from typing import Any

# Request bodies the server refuses with anything but their own properties (a roster is
# {"rows": [...]} and nothing else; clee.api.rosters).
CLOSED_REQUESTS = ("RosterRowsRequest",)
# Operations whose body is not optional: a roster without one is a 400 (clee.api.rosters),
# which drf-spectacular cannot see in a body given as alternative media types.
REQUIRED_BODIES = (("/api/v1/rosters/", "post"),)


def closed_request_bodies(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: ``additionalProperties: false`` on ``CLOSED_REQUESTS``,
    ``required`` on the bodies of ``REQUIRED_BODIES``."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in CLOSED_REQUESTS:
        if name in schemas:
            schemas[name]["additionalProperties"] = False
    for path, method in REQUIRED_BODIES:
        body = result.get("paths", {}).get(path, {}).get(method, {}).get("requestBody")
        if body is not None:
            body["required"] = True
    return result
