"""Backend errors -> domain errors, with what an API answer needs (kind, id, name, retry_after)."""

from __future__ import annotations

from domain.errors import ConcurrencyConflict, Conflict, DomainError, LimitExceeded, NameTaken, NotFound, Unavailable
from domain.storage.backend import (
    Backend,
    BackendError,
    BackendUnavailable,
    BatchOp,
    EtagMismatch,
    Refused,
    RowExists,
    RowMissing,
)
from domain.storage.keys import NAME, SEP
from domain.storage.limits import check_batch


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


def submit_change(
    backend: Backend, tenant: str, ops: list[BatchOp], kind: str, ident: str, name: str | None
) -> list[str]:
    """One entity's change as one transaction (its row first, then its name, audit and other rows): the new ETags,
    or the domain error of the row that failed (NameTaken for its name row, the row itself for an extra operation)."""
    check_batch(len(ops), 0)
    try:
        return backend.submit(tenant, ops)
    except BackendError as exc:
        failed = ops[exc.index].row["RowKey"] if exc.index is not None and exc.index < len(ops) else None
        if failed is not None and exc.index != 0 and not failed.startswith(NAME + SEP):
            raise row_error(exc, "row", failed, failed) from exc  # one of the extra operations
        raise row_error(exc, kind, ident, failed, name) from exc
