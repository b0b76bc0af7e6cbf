"""One OpenAPI 3.1 document per service, built from the same context as its code.

The scaffold never imports the code it generates, so the document is written from the
:class:`ServiceContext` the templates render; a test checks that FastAPI, running the
generated application, publishes the same paths, methods and operation ids.
"""

from __future__ import annotations

import json
from typing import Any

from analyzer.scaffold.context import Model, ServiceContext
from analyzer.scaffold.typemap import json_schema

OPENAPI_VERSION = "3.1.0"
_VALIDATION = {
    "HTTPValidationError": {
        "properties": {
            "detail": {"items": {"$ref": "#/components/schemas/ValidationError"}, "title": "Detail", "type": "array"}
        },
        "title": "HTTPValidationError",
        "type": "object",
    },
    "ValidationError": {
        "properties": {
            "loc": {"items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}, "title": "Location",
                    "type": "array"},
            "msg": {"title": "Message", "type": "string"},
            "type": {"title": "Error Type", "type": "string"},
            "input": {"title": "Input"},
            "ctx": {"title": "Context", "type": "object"},
        },
        "required": ["loc", "msg", "type"],
        "title": "ValidationError",
        "type": "object",
    },
}
_NOT_PORTED = {"description": "Not ported yet: the body names the monolith function to port."}
_PARAM_SCHEMA = {"int": {"type": "integer"}, "float": {"type": "number"}, "str": {"type": "string"},
                 "path": {"type": "string"}}


def openapi_document(s: ServiceContext, description: str) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    uses_validation = False

    def add(path: str, method: str, operation: dict[str, Any]) -> None:
        paths.setdefault(path, {})[method] = operation

    add("/livez", "get", {
        "tags": ["health"], "summary": "Livez", "operationId": f"{s.ident}__livez",
        "responses": {"200": _json_response("Successful Response", {"type": "object",
                                                                     "additionalProperties": {"type": "string"}})},
    })
    add("/readyz", "get", {
        "tags": ["health"], "summary": "Readyz", "operationId": f"{s.ident}__readyz",
        "responses": {
            "200": _json_response("Successful Response", {"type": "object", "additionalProperties": True}),
            "503": {"description": "Not ready: a dependency is misconfigured or its circuit breaker is open."},
        },
    })
    for op in s.operations:
        uses_validation = True
        operation: dict[str, Any] = {
            "tags": ["interface"],
            "summary": op.symbol,
            "description": f"Port of `{op.symbol}` ({op.source}). Stub: answers 501 until ported.",
            "operationId": op.operation_id,
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref(op.request.name)}}},
            "responses": {
                "200": _json_response("Successful Response", _ref(op.response.name)),
                "422": _json_response("Validation Error", _ref("HTTPValidationError")),
                "501": dict(_NOT_PORTED),
            },
        }
        if op.idempotent:
            operation["x-idempotent"] = True
        add(op.path, "post", operation)
    for r in s.routes:
        for method, operation_id in zip(r.methods, r.operation_ids, strict=True):
            operation = {
                "tags": ["monolith routes"],
                "description": f"`{' '.join(r.methods)} {r.original}` in the monolith: `{r.handler}` ({r.source}).",
                "operationId": operation_id,
                "responses": {"200": {"description": "Successful Response"}, "501": dict(_NOT_PORTED)},
            }
            if r.params:
                uses_validation = True
                operation["parameters"] = [
                    {"name": p.name, "in": "path", "required": True, "schema": dict(_PARAM_SCHEMA[p.kind])}
                    for p in r.params
                ]
                operation["responses"]["422"] = _json_response("Validation Error", _ref("HTTPValidationError"))
            add(_openapi_path(r.path), method.lower(), operation)
    for c in s.clients:
        add(f"{s.api_prefix}/deps/{c.target}", "get", {
            "tags": ["dependencies"],
            "description": f"Calls the {c.target} service's /livez through the generated client.",
            "operationId": f"{s.ident}__deps_{c.module}",
            "responses": {
                "200": _json_response("Successful Response", {"type": "object", "additionalProperties": True}),
                "503": {"description": f"{c.target} is down or its circuit breaker is open."},
            },
        })

    schemas: dict[str, Any] = {m.name: model_schema(m) for m in s.models}
    if uses_validation:
        schemas.update(_VALIDATION)
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": s.slug, "description": description, "version": "0.1.0"},
        "paths": {p: dict(sorted(paths[p].items())) for p in sorted(paths)},
        "components": {"schemas": dict(sorted(schemas.items()))},
    }


def model_schema(m: Model) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for f in m.fields:
        schema = {**json_schema(f.type), "title": f.wire_name.replace("_", " ").strip().title() or f.wire_name}
        if f.default is not None:
            schema["default"] = f.default.value
        properties[f.wire_name] = schema
        if f.required:
            required.append(f.wire_name)
    out: dict[str, Any] = {"type": "object", "title": m.name, "description": m.doc, "properties": properties}
    if required:
        out["required"] = required
    if m.permissive:
        out["additionalProperties"] = True
    return out


def render_openapi(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _openapi_path(path: str) -> str:
    """FastAPI publishes ``{rest:path}`` as ``{rest}``."""
    return path.replace(":path}", "}")
