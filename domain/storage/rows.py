"""Building the rows of one change (entity, unique name, audit) and reading a stored row back as a `Record`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.storage import codec
from domain.storage.backend import Row
from domain.storage.keys import AUDIT, SEP, audit_key, name_key, normalize_name
from domain.storage.limits import MAX_STRING_CHARS, check_key
from domain.storage.records import Record
from domain.storage.schemas import SchemaRegistry

MAX_NAME_CHARS = 200


def entity_row(
    tenant: str,
    row_key: str,
    kind: str,
    version: int,
    data: Mapping[str, Any],
    *,
    created_at: datetime,
    updated_at: datetime,
    created_by: str,
    name: str | None,
    state: str,
    what: str,
) -> Row:
    row: Row = {
        "PartitionKey": tenant,
        "RowKey": row_key,
        codec.TYPE: kind,
        codec.VERSION: version,
        codec.STATE: state,
        codec.CREATED_AT: created_at,
        codec.UPDATED_AT: updated_at,
        codec.CREATED_BY: created_by,
    }
    if name is not None:
        row[codec.NAME] = name
    size = codec.encode_data(data, what, row)
    codec.check_row(row, size, what)
    return row


def check_name(name: str, what: str) -> str:
    normalized = normalize_name(name)
    if not normalized or len(name) > MAX_NAME_CHARS:
        from domain.errors import ValidationFailed

        raise ValidationFailed(f"{what}: a name must have 1-{MAX_NAME_CHARS} characters.", target="name")
    check_key(normalized, "name", what)
    return normalized


def name_row(tenant: str, kind: str, name: str, ident: str, parent_id: str | None) -> Row:
    row: Row = {
        "PartitionKey": tenant,
        "RowKey": name_key(kind, name),
        codec.TYPE: "name",
        "kind": kind,
        "entity_id": ident,
        "name": name,
    }
    if parent_id is not None:
        row["parent_id"] = parent_id
    return row


def audit_row(
    tenant: str,
    at: datetime,
    actor: str,
    action: str,
    kind: str,
    ident: str,
    diff: Mapping[str, Any],
    *,
    prefix: str = AUDIT,
) -> Row:
    """The audit row of a change (`prefix` STEPS: an internal step, kept out of the users' audit trail)."""
    text = json.dumps(diff, separators=(",", ":"), ensure_ascii=False, default=str)
    if len(text) > MAX_STRING_CHARS:  # too large to keep the values: keep the names of the changed fields
        text = json.dumps(dict.fromkeys(diff, "(changed)"), separators=(",", ":"))[:MAX_STRING_CHARS]
    return {
        "PartitionKey": tenant,
        "RowKey": audit_key(at, ident, prefix),
        codec.TYPE: "audit",
        "at": at,
        "actor": actor,
        "action": action,
        "kind": kind,
        "entity_id": ident,
        "diff" + codec.JSON_SUFFIX: text,
    }


def split_key(row_key: str) -> tuple[str | None, str]:
    """(parent_id, id) of an entity row key `kind|id` or `kind|parent|id`."""
    parts = row_key.split(SEP)
    return (parts[1], parts[2]) if len(parts) == 3 else (None, parts[-1])


def to_record(schemas: SchemaRegistry, tenant: str, kind: str, row: Row, etag: str) -> Record:
    parent_id, ident = split_key(row["RowKey"])
    version: int = row[codec.VERSION]
    data = codec.decode_data(row)
    if version < schemas.current(kind):
        data = schemas.upgrade(kind, version, data)
    return Record(
        kind=kind,
        id=ident,
        tenant=tenant,
        data=data,
        etag=etag,
        created_at=row[codec.CREATED_AT],
        updated_at=row[codec.UPDATED_AT],
        created_by=row[codec.CREATED_BY],
        parent_id=parent_id,
        name=row.get(codec.NAME),
        version=version,
        deleting=row.get(codec.STATE) == codec.DELETING,
    )


def audit_record(tenant: str, row: Row, etag: str) -> Record:
    at: datetime = row["at"]
    data = codec.decode_data(row)
    return Record(
        kind="audit",
        id=row["RowKey"].split(SEP, 1)[1],
        tenant=tenant,
        data=data,
        etag=etag,
        created_at=at,
        updated_at=at,
        created_by=row["actor"],
    )


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """{field: [old, new]} for each field whose value changed (None = absent)."""
    out: dict[str, Any] = {}
    for key in [*old, *(k for k in new if k not in old)]:
        before, after = old.get(key), new.get(key)
        if before != after:
            out[key] = [before, after]
    return out
