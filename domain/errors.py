"""The domain's error types. Each carries what an API answer needs: a stable code, a message safe to show a
client, and optionally the target (field or resource), details, and how long to wait before retrying.

The HTTP edge (`functions/_errors.py`) maps each class to a status code; the domain never knows about HTTP.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    code: str
    message: str
    target: str | None = None


class DomainError(Exception):
    """Base class. `code` is stable and machine-readable; `message` may be shown to clients."""

    code = "InternalError"

    def __init__(
        self,
        message: str,
        *,
        target: str | None = None,
        details: list[ErrorDetail] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.target = target
        self.details = details or []
        if code:
            self.code = code


class ValidationFailed(DomainError):
    """Bad input (400): the details name each field that is wrong."""

    code = "InvalidInput"


class Unauthenticated(DomainError):
    """No token, or a token that does not verify (401)."""

    code = "Unauthenticated"


class Forbidden(DomainError):
    """Signed in, but the role is too low (403)."""

    code = "Forbidden"


class NotFound(DomainError):
    """Absent, deleted, or belonging to another tenant (404)."""

    code = "NotFound"

    def __init__(self, kind: str, ident: str, *, message: str | None = None) -> None:
        super().__init__(message or f"{kind} '{ident}' was not found.", target=kind)
        self.kind = kind
        self.ident = ident


class NameTaken(DomainError):
    """A name unique per tenant is already used (409)."""

    code = "NameTaken"

    def __init__(self, kind: str, name: str) -> None:
        super().__init__(f"A {kind} named '{name}' already exists in this tenant.", target="name")
        self.kind = kind
        self.name = name


class Conflict(DomainError):
    """The request conflicts with the state of the resource (409), e.g. restricted by references."""

    code = "Conflict"


class ReferencedBy(Conflict):
    """A delete refused because other objects refer to this one (409, ids listed)."""

    code = "ReferencedBy"

    def __init__(self, kind: str, ident: str, referencing: list[tuple[str, str]]) -> None:
        details = [
            ErrorDetail(code="Reference", message=f"{k} '{i}' refers to it.", target=f"{k}/{i}") for k, i in referencing
        ]
        super().__init__(f"{kind} '{ident}' is in use and cannot be deleted.", target=kind, details=details)
        self.referencing = referencing


class ConcurrencyConflict(DomainError):
    """The entity changed since it was read: ETag mismatch (412). `kind`/`ident` name it when known."""

    code = "PreconditionFailed"

    def __init__(self, message: str, *, kind: str | None = None, ident: str | None = None) -> None:
        super().__init__(message, target=kind)
        self.kind = kind
        self.ident = ident


class PayloadTooLarge(DomainError):
    code = "PayloadTooLarge"


class UnsupportedMediaType(DomainError):
    code = "UnsupportedMediaType"


class QuotaExceeded(DomainError):
    """A tenant quota is reached (429); `target` names the quota; `retry_after` (seconds) when waiting helps."""

    code = "QuotaExceeded"

    def __init__(self, message: str, *, target: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message, target=target)
        self.retry_after = retry_after


class MethodNotAllowed(DomainError):
    """The path exists but not with this method (405); `allowed` lists the methods it has."""

    code = "MethodNotAllowed"

    def __init__(self, method: str, allowed: list[str]) -> None:
        super().__init__(f"{method} is not supported here; use {', '.join(allowed)}.", target="method")
        self.allowed = allowed


class LimitExceeded(ValidationFailed):
    """An entity breaks a Table Storage limit (checked before sending, since Azurite does not)."""

    code = "StorageLimitExceeded"


class UpstreamRefused(DomainError):
    """Azure ML (or the AutoML backend) refused the request (502); the message is the backend's."""

    code = "UpstreamRefused"


class Unavailable(DomainError):
    """Storage or the AutoML backend is unavailable after retries (503 with Retry-After)."""

    code = "ServiceUnavailable"

    def __init__(self, message: str, *, retry_after: int = 10, target: str | None = None) -> None:
        super().__init__(message, target=target)
        self.retry_after = retry_after


_TRACE = re.compile(r"Traceback \(most recent call last\):")
_FRAME = re.compile(r'\s*File "[^"]*", line \d+[^\n]*')
_PATH = re.compile(r"(?<![\w:/.])(/[\w.@+-]+){2,}/?")


def readable(what: BaseException | str, limit: int = 1000) -> str:
    """A message fit for an API answer. An exception: its message as a user reads it, without the library's class
    name (`ValueError: ...`) or wrapper (`<urlopen error [Errno 111] Connection refused>` -> `Connection refused`),
    one line. A text: a Python traceback becomes its last line (the exception). File frames and absolute paths are
    dropped from both; the full text belongs in the log."""
    if isinstance(what, BaseException):
        reason = getattr(what, "reason", None)  # urllib's URLError wraps the OSError that says what happened
        cause = reason if isinstance(reason, BaseException | str) else what
        lines = str(getattr(cause, "strerror", None) or cause).strip().splitlines()
        text = lines[0] if lines and lines[0] else "an unexpected error"
        limit = min(limit, 500)
    else:
        text = what
    if _TRACE.search(text):
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        head = _TRACE.split(text, maxsplit=1)[0].strip()
        text = " ".join(part for part in (head, lines[-1] if lines else "") if part)
    text = _FRAME.sub("", text)
    text = _PATH.sub("<path>", text)
    return text.strip()[:limit] or "an unexpected error"


class SettingsError(Exception):
    """The app cannot start: one message lists every missing or invalid setting, by variable name."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"Invalid app settings ({len(problems)} problem(s)):\n{lines}")
