"""Azure errors -> domain errors, in one place.

- 404 on a read -> NotFound; 404 while creating (a missing referenced object) -> UpstreamRefused.
- 400/401/403/409 and other refusals -> UpstreamRefused (502) with Azure's own message.
- 408/429/5xx (after azure-core's retries) and connection failures -> Unavailable with retry_after from
  `Retry-After` (seconds or an HTTP date) or `x-ms-retry-after-ms`.
- azure-ai-ml's client-side validation errors -> ValidationFailed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)

from domain.errors import DomainError, NotFound, Unavailable, UpstreamRefused, ValidationFailed

DEFAULT_RETRY_AFTER = 10
_UNAVAILABLE = {408, 429, 500, 502, 503, 504}


def retry_after_seconds(headers: Any) -> int:
    """Seconds to wait, from the answer's headers; DEFAULT_RETRY_AFTER when absent or unreadable."""
    if not headers:
        return DEFAULT_RETRY_AFTER
    millis = headers.get("x-ms-retry-after-ms") or headers.get("retry-after-ms")
    if millis:
        try:
            return max(1, math.ceil(float(millis) / 1000))
        except ValueError:
            pass
    value = headers.get("Retry-After")
    if not value:
        return DEFAULT_RETRY_AFTER
    try:
        return max(1, math.ceil(float(value)))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return DEFAULT_RETRY_AFTER
    return max(1, math.ceil((when - datetime.now(UTC)).total_seconds()))


def azure_message(exc: BaseException) -> str:
    """Azure's own message: the ARM/MLflow error body's `message` when there is one."""
    error = getattr(exc, "error", None)
    message = getattr(error, "message", None)
    if message:
        return str(message)
    response = getattr(exc, "response", None)
    if response is not None:
        try:
            body = response.json()
        except Exception:  # any unreadable body falls back to str(exc)
            body = None
        if isinstance(body, dict):
            inner = body.get("error")
            if isinstance(inner, dict) and inner.get("message"):
                return str(inner["message"])
            if body.get("message"):
                return str(body["message"])
    text = getattr(exc, "message", None) or str(exc)
    return str(text).splitlines()[0] if text else type(exc).__name__


def to_domain(exc: BaseException, kind: str, ident: str, *, creating: bool = False) -> DomainError | None:
    """The domain error for an exception raised by azure-ai-ml or azure-core while handling `kind`/`ident`;
    None for anything else (a programming error, which must surface as is)."""
    if isinstance(exc, DomainError):
        return exc
    status = getattr(getattr(exc, "response", None), "status_code", None) or getattr(exc, "status_code", None)
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)) and status is None:
        return Unavailable(f"Azure ML is unreachable: {azure_message(exc)}", target=kind)
    if isinstance(exc, HttpResponseError) or status is not None:
        if status in _UNAVAILABLE:
            headers = getattr(getattr(exc, "response", None), "headers", None)
            return Unavailable(
                f"Azure ML is busy or failing ({status}): {azure_message(exc)}",
                retry_after=retry_after_seconds(headers),
                target=kind,
            )
        if (status == 404 or isinstance(exc, ResourceNotFoundError)) and not creating:
            return NotFound(kind, ident)
        return UpstreamRefused(f"Azure ML refused the request ({status}): {azure_message(exc)}", target=kind)
    if _is_sdk_validation(exc):
        return ValidationFailed(f"Azure ML rejected the {kind} settings: {azure_message(exc)}", target=kind)
    if isinstance(exc, AzureError):
        return Unavailable(f"Azure ML call failed: {azure_message(exc)}", target=kind)
    return None


def _is_sdk_validation(exc: BaseException) -> bool:
    module = type(exc).__module__
    return module.startswith("azure.ai.ml") and type(exc).__name__ in {
        "ValidationException",
        "UserErrorException",
        "JobException",
    }


@contextmanager
def azure_errors(kind: str, ident: str, *, creating: bool = False) -> Iterator[None]:
    """Run a block of Azure calls; what they raise leaves as a domain error (the original chained)."""
    try:
        yield
    except DomainError:
        raise
    except Exception as exc:
        mapped = to_domain(exc, kind, ident, creating=creating)
        if mapped is None:
            raise
        raise mapped from exc
