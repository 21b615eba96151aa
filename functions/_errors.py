"""DomainError -> HTTP status and the API's error body (`{"error": {...}}` plus `x-ms-error-code`)."""

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


def error_response(exc: errors.DomainError) -> func.HttpResponse:
    status = status_for(exc)
    headers = {"x-ms-error-code": exc.code}
    if isinstance(exc, errors.Unavailable):
        headers["Retry-After"] = str(exc.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return func.HttpResponse(
        json.dumps({"error": exc.to_dict()}), status_code=status, headers=headers, mimetype="application/json"
    )


def internal_error(exc: BaseException, request_id: str = "") -> func.HttpResponse:
    """An unexpected exception: logged with its trace under the request's id, answered without one (the id is in the
    message and in the `x-ms-request-id` header, so a report can be matched with the log)."""
    log.error("unhandled error in request %s", request_id, exc_info=exc)
    message = "An unexpected error occurred."
    if request_id:
        message += f" Quote request id {request_id} when reporting it."
    body = {"error": {"code": "InternalError", "message": message}}
    return func.HttpResponse(
        json.dumps(body), status_code=500, headers={"x-ms-error-code": "InternalError"}, mimetype="application/json"
    )
