"""Backend errors -> domain errors, with what an API answer needs (kind, id, name, retry_after)."""

from __future__ import annotations

from domain.errors import ConcurrencyConflict, Conflict, DomainError, LimitExceeded, NameTaken, NotFound, Unavailable
from domain.storage.backend import BackendError, BackendUnavailable, EtagMismatch, Refused, RowExists, RowMissing
from domain.storage.keys import NAME, SEP


def changed(kind: str, ident: str) -> ConcurrencyConflict:
    return ConcurrencyConflict(
        f"{kind} '{ident}' was changed by someone else since it was read; read it again and retry.",
        kind=kind,
        ident=ident,
    )


def row_error(exc: BackendError, kind: str, ident: str, row_key: str | None, name: str | None = None) -> DomainError:
    """Map an error of the operation on `row_key` (an entity `kind`/`ident`, or its name row)."""
    if isinstance(exc, BackendUnavailable):
        return Unavailable(
            str(exc) or "Table Storage is unavailable.", retry_after=exc.retry_after, target="tableStorage"
        )
    if isinstance(exc, Refused):
        return LimitExceeded(f"Table Storage refused the change to {kind} '{ident}': {exc}", target=kind)
    is_name = row_key is not None and row_key.startswith(NAME + SEP)
    if isinstance(exc, RowExists):
        if is_name:
            assert row_key is not None
            return NameTaken(row_key.split(SEP, 2)[1], name or row_key.split(SEP, 2)[2])
        return Conflict(f"{kind} '{ident}' already exists.", target=kind)
    if isinstance(exc, EtagMismatch):
        return changed(kind, ident)
    if isinstance(exc, RowMissing):
        return NotFound(kind, ident)
    return DomainError(f"Unexpected storage error on {kind} '{ident}': {exc}")
