"""Request parsing and response rendering for the API: JSON in camelCase, pydantic errors as field details."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlencode

import azure.functions as func
from pydantic import BaseModel, ValidationError

from domain.entities.common import ApiModel, finite
from domain.errors import ErrorDetail, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

M = TypeVar("M", bound=BaseModel)
JSON_LIMIT = 1024 * 1024


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "body"


def validation_failed(exc: ValidationError, where: str) -> ValidationFailed:
    details = [
        ErrorDetail(
            code="InvalidValue" if e["type"] != "missing" else "Required", message=e["msg"], target=_loc(e["loc"])
        )
        for e in exc.errors(include_input=False, include_url=False)
    ]
    return ValidationFailed(f"The {where} is not valid.", target=where, details=details)


def parse_json(req: func.HttpRequest, model: type[M]) -> M:
    ctype = (req.headers.get("content-type") or "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.", target="Content-Type")
    raw = req.get_body()
    if len(raw) > JSON_LIMIT:
        raise PayloadTooLarge(f"A JSON body may not exceed {JSON_LIMIT} bytes.")
    try:
        return model.model_validate_json(raw or b"null")
    except ValidationError as exc:
        raise validation_failed(exc, "body") from None


def parse_query(req: func.HttpRequest, model: type[M]) -> M:
    try:
        return model.model_validate(dict(req.params))
    except ValidationError as exc:
        raise validation_failed(exc, "query") from None


@dataclass
class Reply:
    """What a handler returns; rendered by the dispatcher."""

    status: int = 200
    body: ApiModel | dict[str, Any] | list[Any] | None = None
    etag: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None
    mimetype: str = "application/json"


def ok(body: ApiModel, *, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    etag = getattr(body, "etag", None)
    return Reply(status=status, body=body, etag=etag if isinstance(etag, str) else None, headers=headers or {})


def created(body: ApiModel, location: str, *, operation: str | None = None) -> Reply:
    headers = {"Location": location}
    if operation:
        headers["Operation-Location"] = operation
    return ok(body, status=201, headers=headers)


def accepted(body: ApiModel, operation: str) -> Reply:
    return ok(body, status=202, headers={"Operation-Location": operation})


def no_content() -> Reply:
    return Reply(status=204)


def page(items: Sequence[ApiModel], continuation: str | None, req: func.HttpRequest) -> Reply:
    """`{"value": [...], "nextLink": ...}`: the next link repeats the query with the continuation token."""
    next_link = None
    if continuation:
        params = {k: v for k, v in req.params.items() if k != "continuation"}
        params["continuation"] = continuation
        next_link = f"{req.url.split('?', 1)[0]}?{urlencode(params)}"
    return Reply(body={"value": [i.wire() for i in items], "nextLink": next_link})


def dumps(body: object) -> str:
    """Strict JSON: NaN and Infinity become null (`finite`), and anything left would raise rather than go out."""
    return json.dumps(finite(body), allow_nan=False)


def render(reply: Reply, extra_headers: dict[str, str]) -> func.HttpResponse:
    headers = {**reply.headers, **extra_headers}
    if reply.etag:
        headers["ETag"] = reply.etag
    if reply.raw is not None:
        return func.HttpResponse(reply.raw, status_code=reply.status, headers=headers, mimetype=reply.mimetype)
    if reply.body is None:
        return func.HttpResponse(status_code=reply.status, headers=headers)
    body = reply.body.wire() if isinstance(reply.body, ApiModel) else reply.body
    return func.HttpResponse(dumps(body), status_code=reply.status, headers=headers, mimetype=reply.mimetype)
