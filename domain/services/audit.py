"""The audit trail of a tenant, newest first (written by the storage core with every mutation)."""

from __future__ import annotations

from datetime import datetime

from pydantic import JsonValue

from domain.entities.operations import AuditEntry
from domain.ports import Store
from domain.records.kind import StoredModel


class AuditData(StoredModel):
    """An audit row's data (`domain/storage/rows.py: audit_row`); `diff` is {field: [before, after]}."""

    action: str = ""
    kind: str = ""
    entity_id: str = ""
    diff: dict[str, JsonValue] = {}


def list_audit(
    store: Store, tenant: str, since: datetime | None, top: int, continuation: str | None
) -> tuple[list[AuditEntry], str | None]:
    page = store.list_audit(tenant, since=since, top=top, continuation=continuation)
    out = []
    for r in page.items:
        data = AuditData.model_validate(r.data)
        out.append(
            AuditEntry(
                id=r.id,
                at=r.created_at,
                actor=r.created_by,
                action=data.action,
                kind=data.kind,
                target_id=data.entity_id,
                changes=data.diff,
            )
        )
    return out, page.continuation
