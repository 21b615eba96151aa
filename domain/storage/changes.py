"""The rows of one entity change, built before anything is sent: the entity row, its unique-name row(s), the caller's
extra rows, the audit row last, and the `Record` the change leaves. `EntityStore` sends each change as one entity
group transaction; the order matters, since a failing operation is reported by its index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from domain.errors import ValidationFailed
from domain.storage import codec, keys
from domain.storage.backend import BatchOp, Row
from domain.storage.records import Child, Data, Record, Value
from domain.storage.rows import audit_row, check_name, entity_row, name_row
from domain.storage.rows import diff as diff_of
from domain.storage.schemas import SchemaRegistry


@dataclass(frozen=True, slots=True)
class Change:
    """The operations of one transaction and the record they leave (its `etag` is the first operation's result)."""

    ops: list[BatchOp]
    record: Record

    def sent(self, etag: str) -> Record:
        return replace(self.record, etag=etag)


def _row(schemas: SchemaRegistry, record: Record, state: str) -> Row:
    return entity_row(
        record.tenant,
        keys.entity_key(record.kind, record.id, record.parent_id),
        record.kind,
        schemas.current(record.kind),
        record.data,
        created_at=record.created_at,
        updated_at=record.updated_at,
        created_by=record.created_by,
        name=record.name,
        state=state,
        what=f"{record.kind} '{record.id}'",
    )


def created(
    schemas: SchemaRegistry,
    tenant: str,
    kind: str,
    ident: str,
    data: Mapping[str, Value],
    *,
    actor: str,
    now: datetime,
    name: str | None,
    parent_id: str | None,
    extra: Sequence[BatchOp],
) -> Change:
    """A new entity (its name row with it when named), `extra` rows, and the audit row."""
    clean: Data = {k: v for k, v in data.items() if v is not None}
    version = schemas.current(kind)
    record = Record(kind, ident, tenant, clean, "", now, now, actor, parent_id, name, version)
    ops = [BatchOp("create", _row(schemas, record, codec.ACTIVE))]
    if name is not None:
        check_name(name, f"{kind} '{ident}'")
        ops.append(BatchOp("create", name_row(tenant, kind, name, ident, parent_id)))
    ops += extra
    ops.append(BatchOp("create", audit_row(tenant, now, actor, "create", kind, ident, diff_of({}, clean))))
    return Change(ops, record)


def rewritten(
    schemas: SchemaRegistry,
    cur: Record,
    changes: Mapping[str, Value],
    *,
    actor: str,
    now: datetime,
    rename_to: str | None,
    state: str,
    action: str,
    extra: Sequence[BatchOp] = (),
) -> Change:
    """The entity replaced with `changes` applied (None removes a field), conditional on `cur.etag`; a rename moves
    its name row; the audit row records the difference."""
    kind, ident, tenant = cur.kind, cur.id, cur.tenant
    what = f"{kind} '{ident}'"
    version = schemas.current(kind)
    if cur.version > version:
        raise ValidationFailed(f"{what} was written by a newer schema version ({cur.version}).", target=kind)
    data: Data = {**cur.data, **changes}
    for key in [k for k, v in changes.items() if v is None]:
        data.pop(key, None)
    name = cur.name if rename_to is None else rename_to
    record = replace(cur, data=data, updated_at=now, name=name, version=version, deleting=state == codec.DELETING)
    ops = [BatchOp("replace", _row(schemas, record, state), cur.etag)]
    diff = diff_of(cur.data, data)
    if rename_to is not None and rename_to != cur.name:
        check_name(rename_to, what)
        diff["name"] = [cur.name, rename_to]
        new_row = name_row(tenant, kind, rename_to, ident, cur.parent_id)
        if cur.name is not None and keys.normalize_name(cur.name) == keys.normalize_name(rename_to):
            ops.append(BatchOp("replace", new_row))
        else:
            if cur.name is not None:
                ops.append(BatchOp("delete", {"PartitionKey": tenant, "RowKey": keys.name_key(kind, cur.name)}))
            ops.append(BatchOp("create", new_row))
    ops += extra
    old_state = codec.DELETING if cur.deleting else codec.ACTIVE
    if state != old_state:
        diff["state"] = [old_state, state]
    ops.append(BatchOp("create", audit_row(tenant, now, actor, action, kind, ident, diff)))
    return Change(ops, record)


def removed(cur: Record, *, actor: str, now: datetime, extra: Sequence[BatchOp]) -> list[BatchOp]:
    """The entity deleted (if unchanged since `cur.etag`) with its name row, `extra` rows and the audit row."""
    tenant = cur.tenant
    ops = [
        BatchOp(
            "delete", {"PartitionKey": tenant, "RowKey": keys.entity_key(cur.kind, cur.id, cur.parent_id)}, cur.etag
        )
    ]
    if cur.name is not None:
        ops.append(BatchOp("delete", {"PartitionKey": tenant, "RowKey": keys.name_key(cur.kind, cur.name)}))
    ops += extra
    ops.append(BatchOp("create", audit_row(tenant, now, actor, "delete", cur.kind, cur.id, diff_of(cur.data, {}))))
    return ops


def child_rows(
    schemas: SchemaRegistry, tenant: str, children: Sequence[Child], actor: str, now: datetime, *, upsert: bool = False
) -> list[BatchOp]:
    """Entity rows (with `_t`/`_v`, timestamps, creator) for child entities of the same partition."""
    out = []
    for child in children:
        keys.check_id(child.id)
        keys.check_id(child.parent_id, "parent_id")
        if schemas.get(child.kind).parent_kind is None:
            raise ValueError(f"{child.kind} is not a child kind")
        record = Record(child.kind, child.id, tenant, dict(child.data), "", now, now, actor, child.parent_id)
        out.append(BatchOp("upsert" if upsert else "create", _row(schemas, record, codec.ACTIVE)))
    return out
