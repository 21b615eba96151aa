"""The OpenAPI 3.1 document, generated from the routes' declarations (`functions._api.OPS`) and pydantic models.

Everything a generated client needs is declared, so none of it is typed by hand (`make client-check` generates a
TypeScript client with openapi-typescript and type-checks calls against it; `tests/contract/test_openapi_document.py`
validates the document with openapi-spec-validator): path ids with the pattern the server enforces, every query
parameter (the `?name=` of text/csv uploads too), request headers (If-Match, If-None-Match, Idempotency-Key),
every success status a route answers with its headers (ETag, Location, Operation-Location, Retry-After), every error
status (415 wherever a body is read), enums wherever the server enforces a set, and every response field required
(`null` when empty, never left out).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from domain.entities.common import ErrorResponse, PageOf, Resource
from domain.entities.queries import ID_PATTERN
from functions._api import OPS, Op
from functions._io import MERGE_PATCH, SCORED_BY

ERROR_TEXT = {
    400: "Invalid input (details name each field)",
    401: "Missing or invalid token",
    403: "Role too low",
    404: "Not found (or another tenant's)",
    409: "The resource's state refuses it: a name taken, a delete blocked by a reference, a run already ended",
    412: "If-Match named an ETag the resource no longer has",
    413: "Body too large",
    415: "Wrong content type",
    429: "Quota reached",
    502: "Azure ML refused",
    503: "Storage or Azure ML unavailable (Retry-After)",
}
HEADERS = {
    "ETag": "The entity's version: send it back in If-Match (PATCH, DELETE) or If-None-Match (GET).",
    "Location": "The URL of the resource created or worked on.",
    "Cache-Control": "no-store: the answer holds a URL that grants access; no cache keeps it.",
    "Operation-Location": "The URL of the operation to follow: .../operations/{id}.",
    "Retry-After": "Seconds to wait before reading again.",
    SCORED_BY: "The deployment that answered.",
    "x-ms-error-code": "The error's code (as error.code).",
}
REDIRECT = (
    "Where the answer is: a short-lived URL that needs no Authorization header (a client following the redirect to "
    "another origin drops it, as curl -L, httpx and browsers do)."
)
REQUEST_HEADERS = {
    "If-Match": "Only if the entity still has this ETag (412 otherwise). Without it, the server applies the change to "
    "the current version (a PATCH is retried against concurrent writers, never 412).",
    "If-None-Match": "An ETag the caller holds: 304 without a body when it is still current.",
    "Idempotency-Key": "A key of the caller's: sending it again answers the run it started (200) and starts nothing.",
}
# path parameters: the pattern each is checked against (domain/storage/keys.py: check_id; names: common.Name)
PATH_SCHEMAS: dict[str, dict[str, Any]] = {
    "name": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]*$", "minLength": 1, "maxLength": 64},
    "version": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},  # the route's `int` constraint
}
ID_SCHEMA = {"type": "string", "pattern": ID_PATTERN}
_PARAM = re.compile(r"\{(\*?)([A-Za-z_][A-Za-z0-9_]*)(?::[^}?]*)?(\??)\}")
_REF = "#/components/schemas/{model}"

Mode = Literal["validation", "serialization"]
_REFS: dict[tuple[type[BaseModel], Mode], dict[str, str]] = {}
_EXTRA_DEFS: dict[str, Any] = {}  # enums of query parameters (JobStatus ...), as components


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


def _is_entity(op: Op) -> bool:
    item = op.response
    return get_origin(item) is not list and isinstance(item, type) and issubclass(item, Resource)


def _query_schema(prop: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent rather than null: `anyOf [X, null]` becomes X (with its default, description)."""
    options = prop.get("anyOf")
    if isinstance(options, list):
        kept = [o for o in options if o != {"type": "null"}]
        if len(kept) == 1:
            rest = {k: v for k, v in prop.items() if k != "anyOf" and not (k == "default" and v is None)}
            return {**kept[0], **rest} if "$ref" not in kept[0] else {"allOf": [kept[0]], **rest}
    return prop


def _parameters(op: Op) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": PATH_SCHEMAS.get(name, ID_SCHEMA)}
        for _, name, _ in _PARAM.findall(op.route)
    ]
    if op.query is not None:
        schema = op.query.model_json_schema(by_alias=True, ref_template=_REF)
        _EXTRA_DEFS.update(schema.get("$defs", {}))
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            entry: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
            entry["schema"] = _query_schema(prop)
            if "description" in prop:
                entry["description"] = prop["description"]
            params.append(entry)
    for header in _request_headers(op):
        params.append(
            {"name": header, "in": "header", "required": False, "description": REQUEST_HEADERS[header]}
            | {"schema": {"type": "string", "maxLength": 256}}
        )
    return params


def _request_headers(op: Op) -> list[str]:
    out = list(op.headers)
    if op.method in ("PATCH", "DELETE") and 412 in op.errors:
        out.append("If-Match")
    if op.method == "GET" and _is_entity(op):
        out.append("If-None-Match")
    return out


def _body(op: Op) -> dict[str, Any] | None:
    if op.body is None and op.body_media == ("application/json",):
        return None
    content: dict[str, Any] = {}
    for media in op.body_media:
        if media in ("application/json", MERGE_PATCH) and op.body is not None:
            content[media] = {"schema": _REFS[(op.body, "validation")]}
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


def _headers(names: list[str]) -> dict[str, Any]:
    """Response headers the server always sends with that answer (so a generated client types them as present)."""
    return {n: {"description": HEADERS[n], "required": True, "schema": {"type": "string"}} for n in names}


def _success_headers(op: Op, status: int) -> list[str]:
    names = []
    if _is_entity(op) and status in (200, 201, 202):
        names.append("ETag")
    if status == 201 or (op.long_running and op.method != "DELETE" and status in (200, 201, 202)):
        names.append("Location")  # the resource created or worked on (a delete's resource is going away)
    if op.long_running and status in (200, 201, 202):
        names += ["Operation-Location", "Retry-After"]
    return names + list(op.response_headers)


def _responses(op: Op) -> dict[str, Any]:
    out: dict[str, Any] = {}
    item = _item(op.response)
    for status in (op.status, *op.also):
        entry: dict[str, Any]
        if 300 <= status < 400:  # a redirect: no body, the target in Location
            entry = {"description": "See Other: GET the URL in Location", "headers": _headers(["Location"])}
            entry["headers"]["Location"]["description"] = REDIRECT
        elif op.response is None:
            entry = {"description": "Done"}
        elif get_origin(op.response) is list:
            page = {
                "type": "object",
                "required": ["value", "nextLink"],
                "properties": {
                    "value": {"type": "array", "items": _REFS[(item, "serialization")]},
                    "nextLink": {"anyOf": [{"type": "string"}, {"type": "null"}], "description": "null: the last page"},
                },
            }
            entry = {"description": "A page", "content": {"application/json": {"schema": page}}}
        else:
            schema = _REFS[(item, "serialization")]
            entry = {"description": "OK", "content": {"application/json": {"schema": schema}}}
        headers = _success_headers(op, status)
        if headers:
            entry["headers"] = entry.get("headers", {}) | _headers(headers)
        out[str(status)] = entry
    if "If-None-Match" in _request_headers(op):
        out["304"] = {
            "description": "Not modified: If-None-Match named the current ETag",
            "headers": _headers(["ETag"]),
        }
    codes = set(op.errors) | {400, 503}
    if op.permission != "public":
        codes |= {401, 403, 404}
    if "If-Match" in _request_headers(op):
        codes.add(412)
    if op.method == "PATCH":  # the merged resource's state refuses it, or it kept changing under the retries
        codes.add(409)
    if op.body is not None or op.body_media != ("application/json",):
        codes |= {413, 415}
    for code in sorted(codes):
        names = ["x-ms-error-code", *(["Retry-After"] if code in (429, 503) else [])]
        out[str(code)] = {
            "description": ERROR_TEXT.get(code, "Error"),
            "headers": _headers(names),
            "content": {"application/json": {"schema": _REFS[(ErrorResponse, "serialization")]}},
        }
    return out


def openapi_path(route: str) -> str:
    return "/api/" + _PARAM.sub(lambda m: "{" + m.group(2) + "}", route)


@lru_cache(maxsize=1)
def document() -> dict[str, Any]:
    refs, defs = models_json_schema(_models(), by_alias=True, ref_template=_REF)
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
            "schemas": _EXTRA_DEFS | defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


__all__ = ["PageOf", "document", "openapi_path"]
