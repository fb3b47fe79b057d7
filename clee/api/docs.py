"""The API's documentation page: the OpenAPI document rendered on the server as a page of the
site.

Why not Swagger UI or Redoc: drf-spectacular loads them from a CDN, which this service may not
use; serving the drf-spectacular-sidecar copies would add a package of several megabytes of
JavaScript and a page that needs script and style exceptions. This page is plain HTML in the
site's look, readable without JavaScript, accessible, and always the document /api/schema/
serves (both are generated from the same code).
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


@cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document (generated once per process: the URLconf does not change)."""
    generator = SchemaGenerator()  # type: ignore[no-untyped-call]
    document: dict[str, Any] = generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
    # A plain JSON round trip: the generator's lazy strings and ordered dicts become plain values.
    return dict(json.loads(json.dumps(document, default=str)))


def _schema_name(schema: dict[str, Any] | None) -> str:
    if not schema:
        return ""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_schema_name(schema.get('items'))}"
    if "allOf" in schema:
        return " and ".join(_schema_name(part) for part in schema["allOf"])
    return str(schema.get("format") or schema.get("type") or "object")


def _response_schema(response: dict[str, Any]) -> str:
    contents: list[dict[str, Any]] = list(response.get("content", {}).values())
    return _schema_name(contents[0].get("schema")) if contents else ""


def _fields(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    rows = []
    for name, field in schema.get("properties", {}).items():
        kind = _schema_name(field)
        if field.get("enum"):
            kind += (
                " (" + ", ".join(repr(v) if v == "" else str(v) for v in field["enum"] if v is not None) + ")"
            )
        if field.get("nullable"):
            kind += ", or null"
        rows.append(
            {
                "name": name,
                "type": kind,
                "required": name in required,
                "read_only": field.get("readOnly", False),
                "description": field.get("description", ""),
            }
        )
    return rows


def _operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    operations = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            operations.append(
                {
                    "id": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "tag": (operation.get("tags") or ["other"])[0],
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "type": _schema_name(p.get("schema")),
                            "description": p.get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "bodies": [
                        {"type": kind, "schema": _schema_name(c.get("schema"))} for kind, c in body.items()
                    ],
                    "responses": [
                        {
                            "code": code,
                            "description": r.get("description", ""),
                            "schema": _response_schema(r),
                        }
                        for code, r in operation.get("responses", {}).items()
                    ],
                    "auth": [name for requirement in operation.get("security", []) for name in requirement],
                }
            )
    return operations


@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    document = openapi_document()
    schemas = document.get("components", {}).get("schemas", {})
    context = {
        "info": document.get("info", {}),
        "operations": _operations(document),
        "schemas": [{"name": name, "fields": _fields(schema)} for name, schema in sorted(schemas.items())],
        "schemes": document.get("components", {}).get("securitySchemes", {}),
    }
    return render(request, "api/docs.html", context)
