"""The audit trail of a tenant, newest first (written by the storage core with every mutation)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.entities.operations import AuditEntry


def list_audit(
    store: Any, tenant: str, since: datetime | None, top: int, continuation: str | None
) -> tuple[list[AuditEntry], str | None]:
    page = store.list_audit(tenant, since=since, top=top, continuation=continuation)
    out = [
        AuditEntry.model_validate(
            {
                "id": r.id,
                "at": r.created_at,
                "actor": r.created_by,
                "action": r.data.get("action", ""),
                "kind": r.data.get("kind", ""),
                "target_id": r.data.get("target_id", r.data.get("id", "")),
                "changes": r.data.get("changes", r.data.get("diff", {})),
            }
        )
        for r in page.items
    ]
    return out, page.continuation
