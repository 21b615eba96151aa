"""The OpenAPI 3.1 document, generated from the routes' declarations (`functions._api.OPS`) and pydantic models."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from domain.entities.common import ErrorResponse, PageOf
from functions._api import OPS, Op

ERROR_TEXT = {
    400: "Invalid input",
    401: "Missing or invalid token",
    403: "Role too low",
    404: "Not found (or another tenant's)",
    409: "Name taken or restricted by a reference",
    412: "ETag mismatch",
    413: "Body too large",
    415: "Wrong content type",
    429: "Quota reached",
    502: "Azure ML refused",
    503: "Storage or Azure ML unavailable",
}
_PARAM = re.compile(r"\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]*)?(\??)\}")


Mode = Literal["validation", "serialization"]
_REFS: dict[tuple[type[BaseModel], Mode], dict[str, str]] = {}
_QUERY_DEFS: dict[str, Any] = {}


def _models() -> list[tuple[type[BaseModel], Mode]]:
    found: dict[tuple[type[BaseModel], Mode], None] = {(ErrorResponse, "serialization"): None}
    for op in OPS:
        if op.body is not None:
            found[(op.body, "validation")] = None
        item = _item(op.response)
        if isinstance(item, type) and issubclass(item, BaseModel):
            found[(item, "serialization")] = None
    return list(found)


def _item(response: Any) -> Any:
    """`list[X]` responses are pages of X."""
    return get_args(response)[0] if get_origin(response) is list else response


def _schema_ref(model: type[BaseModel], mode: Mode = "serialization") -> dict[str, str]:
    return _REFS[(model, mode)]


def _parameters(op: Op) -> list[dict[str, Any]]:
    params = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for _, name, _ in _PARAM.findall(op.route)
    ]
    if op.query is not None:
        schema = op.query.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
        _QUERY_DEFS.update(schema.get("$defs", {}))  # enums of query fields (JobStatus) become components too
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
    return params


def _body(op: Op) -> dict[str, Any] | None:
    if op.body is None and op.body_media == ("application/json",):
        return None
    content: dict[str, Any] = {}
    for media in op.body_media:
        if media == "application/json" and op.body is not None:
            content[media] = {"schema": _schema_ref(op.body, "validation")}
        elif media == "multipart/form-data":
            content[media] = {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "contentMediaType": "text/csv"},
                        "name": {"type": "string"},
                        "description": {"type": "string"},
                    },
                }
            }
        else:
            content[media] = {"schema": {"type": "string"}}
    return {"required": True, "content": content}


def _responses(op: Op) -> dict[str, Any]:
    out: dict[str, Any] = {}
    item = _item(op.response)
    if op.response is None:
        out[str(op.status)] = {"description": "Done"}
    elif get_origin(op.response) is list:
        page = {
            "type": "object",
            "required": ["value"],
            "properties": {
                "value": {"type": "array", "items": _schema_ref(item)},
                "nextLink": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            },
        }
        out[str(op.status)] = {"description": "A page", "content": {"application/json": {"schema": page}}}
    else:
        out[str(op.status)] = {"description": "OK", "content": {"application/json": {"schema": _schema_ref(item)}}}
    codes = set(op.errors) | {400} | ({401, 403, 404} if op.permission != "public" else set()) | {503}
    for code in sorted(codes):
        out[str(code)] = {
            "description": ERROR_TEXT.get(code, "Error"),
            "content": {"application/json": {"schema": _schema_ref(ErrorResponse)}},
        }
    return out


def openapi_path(route: str) -> str:
    return "/api/" + _PARAM.sub(lambda m: "{" + m.group(2) + "}", route)


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    refs, defs = models_json_schema(_models(), by_alias=True, ref_template="#/components/schemas/{model}")
    for (model, mode), value in refs.items():
        _REFS[(model, mode)] = {"$ref": value["$ref"]}  # type: ignore[index]
    paths: dict[str, dict[str, Any]] = {}
    for op in OPS:
        entry: dict[str, Any] = {
            "operationId": op.name,
            "summary": op.summary,
            "parameters": _parameters(op),
            "responses": _responses(op),
            "x-permission": str(op.permission),
        }
        if op.tag:
            entry["tags"] = [op.tag]
        if op.permission != "public":
            entry["security"] = [{"bearer": []}]
        body = _body(op)
        if body:
            entry["requestBody"] = body
        paths.setdefault(openapi_path(op.route), {})[op.method.lower()] = entry
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "AutoML Functions API",
            "version": "1.0.0",
            "description": "Drive Azure Machine Learning AutoML for many tenants.",
        },
        "paths": paths,
        "components": {
            "schemas": _QUERY_DEFS | defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


__all__ = ["PageOf", "document", "openapi_path"]
