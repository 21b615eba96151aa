"""Every error answer of the API is built here: DomainError -> status, and one body shape for all of them,

    {"error": {"code": "...", "message": "...", "target": "<field or resource>" | null,
               "details": [{"code": "...", "message": "...", "target": "<request field>"}]}}

plus the header `x-ms-error-code` (= code). A field problem always names the request field in `details[].target`
(a ValidationFailed raised with a target only gets one detail for it). One status per meaning: 400 the input is
wrong, 404 absent (or another tenant's), 409 the input is fine but the resource's state refuses it (a name taken,
a delete blocked by a reference or by traffic, a run already ended), 412 If-Match failed. Unknown paths and methods
answer here too (JSON 404 / 405), so no answer of the app has an empty error body.
"""

from __future__ import annotations

import json
import logging

import azure.functions as func

from domain import errors

log = logging.getLogger(__name__)

STATUS: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.ValidationFailed, 400),
    (errors.Unauthenticated, 401),
    (errors.Forbidden, 403),
    (errors.NotFound, 404),
    (errors.MethodNotAllowed, 405),
    (errors.NameTaken, 409),
    (errors.Conflict, 409),
    (errors.ConcurrencyConflict, 412),
    (errors.PayloadTooLarge, 413),
    (errors.UnsupportedMediaType, 415),
    (errors.QuotaExceeded, 429),
    (errors.UpstreamRefused, 502),
    (errors.Unavailable, 503),
)


def status_for(exc: errors.DomainError) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 500


def error_body(exc: errors.DomainError) -> dict[str, object]:
    """The `error` object: code, message, target (null when none) and details (a field problem always has one)."""
    details = list(exc.details)
    if not details and isinstance(exc, errors.ValidationFailed) and exc.target:
        details = [errors.ErrorDetail(exc.code, exc.message, exc.target)]
    return {
        "code": exc.code,
        "message": exc.message,
        "target": exc.target,
        "details": [{"code": d.code, "message": d.message, "target": d.target} for d in details],
    }


def _response(status: int, code: str, body: dict[str, object], headers: dict[str, str]) -> func.HttpResponse:
    return func.HttpResponse(
        json.dumps({"error": body}),
        status_code=status,
        headers={"x-ms-error-code": code, **headers},
        mimetype="application/json",
    )


def error_response(exc: errors.DomainError) -> func.HttpResponse:
    status = status_for(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, errors.Unavailable):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, errors.QuotaExceeded) and exc.retry_after:
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, errors.MethodNotAllowed):
        headers["Allow"] = ", ".join(exc.allowed)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return _response(status, exc.code, error_body(exc), headers)


def internal_error(exc: BaseException, request_id: str = "") -> func.HttpResponse:
    """An unexpected exception: logged with its trace under the request's id, answered without one (the id is in the
    message and in the `x-ms-request-id` header, so a report can be matched with the log)."""
    log.error("unhandled error in request %s", request_id, exc_info=exc)
    message = "An unexpected error occurred."
    if request_id:
        message += f" Quote request id {request_id} when reporting it."
    body: dict[str, object] = {"code": "InternalError", "message": message, "target": None, "details": []}
    return _response(500, "InternalError", body, {})
