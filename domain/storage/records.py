"""What the store hands out (`Record`, `Page`, `RawRow`) and takes in (`Op`, `Child`): the vocabulary of the
service-storage seam (`domain/ports.py: Store`). Entity data is `Data`: JSON-like values, datetimes and bytes; the
typed view of each kind is `domain/records` (docs/adr/0013-typed-seam-and-records.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple, TypeAlias

# What a property of an entity or raw row holds; dicts and lists are stored as JSON text (domain/storage/codec.py).
Value: TypeAlias = str | int | float | bool | datetime | bytes | Sequence["Value"] | Mapping[str, "Value"] | None
Data: TypeAlias = dict[str, Value]


@dataclass(frozen=True, slots=True)
class Record:
    """One entity, its data upgraded to the current schema version. `etag` goes back in `update`/`delete`."""

    kind: str
    id: str
    tenant: str
    data: Data
    etag: str
    created_at: datetime
    updated_at: datetime
    created_by: str
    parent_id: str | None = None
    name: str | None = None
    version: int = 1  # the schema version the entity is stored at (data is always upgraded to current)
    deleting: bool = False  # tombstoned: hidden from get/list unless asked for


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a listing; `continuation` is opaque and URL-safe, None at the end."""

    items: list[Record]
    continuation: str | None


Action = Literal["create", "replace", "upsert", "delete"]


@dataclass(frozen=True, slots=True)
class Op:
    """One operation of a generic transaction on a raw row of the tenant's partition (reference rows such as
    `ref|model|{m}|ep|{e}`, child deletes). `data` follows the codec's rules; `etag` makes replace/delete
    conditional; `if_exists` lets a delete of a missing row succeed (idempotent cascades)."""

    action: Action
    row_key: str
    data: Mapping[str, Value] = field(default_factory=dict)
    etag: str | None = None
    if_exists: bool = False

    @classmethod
    def create(cls, row_key: str, data: Mapping[str, Value] | None = None) -> Op:
        return cls("create", row_key, data or {})

    @classmethod
    def upsert(cls, row_key: str, data: Mapping[str, Value] | None = None) -> Op:
        return cls("upsert", row_key, data or {})

    @classmethod
    def delete(cls, row_key: str, *, etag: str | None = None, if_exists: bool = False) -> Op:
        return cls("delete", row_key, etag=etag, if_exists=if_exists)


@dataclass(frozen=True, slots=True)
class Child:
    """A child entity written in the same transaction as its parent's create or update (e.g. a dataset version)."""

    kind: str
    id: str
    data: Mapping[str, Value]
    parent_id: str


class RawRow(NamedTuple):
    """A raw row of a partition (reference rows, index rows, metric points): its RowKey, data and ETag."""

    key: str
    data: Data
    etag: str
