"""The audit trail of a tenant, newest first (written by the storage core with every mutation), as the API speaks:
each entry names its target (`targetId`), its changes use the API's field names (camelCase, nested too), and it can
be filtered by target and by actor. Internal steps are not user actions: the raw-row transactions of cascades,
indexes and guards are left out, and the tombstone that hides a resource at once is the user's `delete`."""

from __future__ import annotations

from datetime import datetime

from pydantic import JsonValue
from pydantic.alias_generators import to_camel

from domain.entities.operations import AuditEntry
from domain.ports import Store
from domain.records.kind import StoredModel

INTERNAL_KIND = "rows"  # raw-row transactions (cascade pages, index and guard rows): steps, not user actions
SHOWN_AS = {"tombstone": "delete"}  # the user's delete hides the resource at once; a cascade then removes it


class AuditData(StoredModel):
    """An audit row's data (`domain/storage/rows.py: audit_row`); `diff` is {field: [before, after]}."""

    action: str = ""
    kind: str = ""
    entity_id: str = ""
    diff: dict[str, JsonValue] = {}


def camel(value: JsonValue) -> JsonValue:
    """Stored (snake_case) names as the API's (camelCase), in nested objects too."""
    if isinstance(value, dict):
        return {to_camel(k): camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel(v) for v in value]
    return value


def list_audit(
    store: Store,
    tenant: str,
    since: datetime | None,
    top: int,
    continuation: str | None,
    *,
    target_id: str | None = None,
    actor: str | None = None,
) -> tuple[list[AuditEntry], str | None]:
    """One page, newest first (at or after `since`; of one target, of one actor). Filtering happens in the Table
    query; internal steps are dropped from the page, which may therefore be short: follow the continuation."""
    where: dict[str, str | int | bool] = {}
    if target_id:
        where["entity_id"] = target_id
    if actor:
        where["actor"] = actor
    page = store.list_audit(tenant, since=since, top=top, continuation=continuation, where=where or None)
    out = []
    for r in page.items:
        data = AuditData.model_validate(r.data)
        if data.kind == INTERNAL_KIND:
            continue
        out.append(
            AuditEntry(
                id=r.id,
                at=r.created_at,
                actor=r.created_by,
                action=SHOWN_AS.get(data.action, data.action),
                kind=data.kind,
                target_id=data.entity_id,
                changes={to_camel(k): camel(v) for k, v in data.diff.items() if k != "state"},
            )
        )
    return out, page.continuation
