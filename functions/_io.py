"""Request parsing and response rendering for the API: JSON in camelCase, pydantic errors as field details."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

import azure.functions as func

from domain.errors import ErrorDetail, PayloadTooLarge, UnsupportedMediaType, ValidationFailed

if TYPE_CHECKING:  # pydantic and the models are imported by the first request that parses or renders (ADR 0019)
    from pydantic import BaseModel, ValidationError

    from domain.entities.common import ApiModel

M = TypeVar("M", bound="BaseModel")
JSON_LIMIT = 1024 * 1024


JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"  # RFC 7396: what every PATCH of the API is
# pydantic error types and the product's words for them (the rest keep pydantic's plain sentence)
_WORDS = {
    "missing": ("Required", "This field is required."),
    "extra_forbidden": ("UnknownField", "This field is not part of the request."),
    "json_invalid": ("InvalidJson", "The body is not valid JSON."),
    "model_type": ("InvalidValue", "Expected a JSON object."),
    "model_attributes_type": ("InvalidValue", "Expected a JSON object."),
}
_PREFIXES = ("Value error, ", "Assertion failed, ")


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc)


def _detail(error: Mapping[str, Any], where: str) -> ErrorDetail:
    kind = str(error["type"])
    code, message = _WORDS.get(kind, ("InvalidValue", str(error["msg"])))
    for prefix in _PREFIXES:
        message = message.removeprefix(prefix)
    message = message[:1].upper() + message[1:]
    return ErrorDetail(
        code=code, message=message, target=_loc(error["loc"]) or error.get("ctx", {}).get("field") or where
    )


def validation_failed(exc: ValidationError, where: str) -> ValidationFailed:
    """pydantic's errors as the API's field details: `target` is the request field (camelCase, dotted path)."""
    details = [_detail(e, where) for e in exc.errors(include_input=False, include_url=False)]
    message = details[0].message if len(details) == 1 else f"The {where} has {len(details)} problems."
    return ValidationFailed(message, target=where, details=details)


def media_type(req: func.HttpRequest) -> str:
    return (req.headers.get("content-type") or "").split(";")[0].strip().lower()


def parse_json(req: func.HttpRequest, model: type[M], media: tuple[str, ...] = (JSON,)) -> M:
    if media_type(req) not in media:
        raise UnsupportedMediaType(f"Send the body as {' or '.join(media)}.", target="Content-Type")
    from pydantic import ValidationError

    raw = req.get_body()
    if len(raw) > JSON_LIMIT:
        raise PayloadTooLarge(f"A JSON body may not exceed {JSON_LIMIT} bytes.", target="body")
    try:
        return model.model_validate_json(raw or b"null")
    except ValidationError as exc:
        raise validation_failed(exc, "body") from None


def parse_query(req: func.HttpRequest, model: type[M]) -> M:
    from pydantic import ValidationError

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


RETRY_AFTER = "5"  # seconds a client waits before reading an operation again
SCORED_BY = "azureml-model-deployment"  # the deployment that answered a score (Azure ML's own header name)


def created(body: ApiModel, location: str, *, operation: str | None = None) -> Reply:
    """201 with `Location` (the new resource) and, for long work it started, `Operation-Location`."""
    headers = {"Location": location}
    if operation:
        headers |= {"Operation-Location": operation, "Retry-After": RETRY_AFTER}
    return ok(body, status=201, headers=headers)


def accepted(body: ApiModel, operation: str, *, status: int = 202, location: str | None = None) -> Reply:
    """Long work started: 202, `Operation-Location` (.../operations/{id}) and `Retry-After`, on every such route."""
    headers = {"Operation-Location": operation, "Retry-After": RETRY_AFTER}
    if location:
        headers["Location"] = location
    return ok(body, status=status, headers=headers)


def no_content() -> Reply:
    return Reply(status=204)


def page(
    items: Sequence[ApiModel],
    continuation: str | None,
    req: func.HttpRequest,
    *,
    next_query: Mapping[str, str] | None = None,
) -> Reply:
    """`{"value": [...], "nextLink": ...}`: the next link repeats the query with the continuation token (or, for
    lists paged by a value such as `after`, with `next_query`); null on the last page."""
    next_link = None
    if continuation or next_query:
        params = {k: v for k, v in req.params.items() if k != "continuation"}
        params |= dict(next_query) if next_query else {"continuation": str(continuation)}
        next_link = f"{req.url.split('?', 1)[0]}?{urlencode(params)}"
    return Reply(body={"value": [i.wire() for i in items], "nextLink": next_link})


def dumps(body: object) -> str:
    """Strict JSON: NaN and Infinity become null (`finite`), and anything left would raise rather than go out.
    A body without them (nearly every one: `ApiModel.wire()` already replaced them) is encoded in one pass."""
    try:
        return json.dumps(body, allow_nan=False)
    except ValueError:  # a NaN or an Infinity somewhere in a body built by hand
        from domain.entities.common import finite

        return json.dumps(finite(body), allow_nan=False)


def not_modified(req: func.HttpRequest, reply: Reply) -> bool:
    """A GET whose `If-None-Match` names the entity's current ETag (or `*`): answer 304 without the body."""
    header = req.headers.get("if-none-match")
    if req.method.upper() not in ("GET", "HEAD") or not header or not reply.etag or reply.status != 200:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}  # weak comparison (RFC 9110 13.1.2)
    return "*" in tags or reply.etag.removeprefix("W/") in tags


def render(reply: Reply, extra_headers: dict[str, str], req: func.HttpRequest | None = None) -> func.HttpResponse:
    headers = {**reply.headers, **extra_headers}
    if reply.etag:
        headers["ETag"] = reply.etag
    if req is not None and not_modified(req, reply):
        return func.HttpResponse(status_code=304, headers=headers)
    if reply.raw is not None:
        return func.HttpResponse(reply.raw, status_code=reply.status, headers=headers, mimetype=reply.mimetype)
    if reply.body is None:
        return func.HttpResponse(status_code=reply.status, headers=headers)
    body = reply.body if isinstance(reply.body, dict | list) else reply.body.wire()  # an ApiModel
    return func.HttpResponse(dumps(body), status_code=reply.status, headers=headers, mimetype=reply.mimetype)
