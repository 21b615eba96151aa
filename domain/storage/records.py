"""What the store hands out (`Record`, `Page`) and takes in for generic transactions (`Op`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal


@dataclass(frozen=True, slots=True)
class Record:
    """One entity, its data upgraded to the current schema version. `etag` goes back in `update`/`delete`."""

    kind: str
    id: str
    tenant: str
    data: dict[str, Any]
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
    data: dict[str, Any] = field(default_factory=dict)
    etag: str | None = None
    if_exists: bool = False

    @classmethod
    def create(cls, row_key: str, data: dict[str, Any] | None = None) -> Op:
        return cls("create", row_key, data or {})

    @classmethod
    def upsert(cls, row_key: str, data: dict[str, Any] | None = None) -> Op:
        return cls("upsert", row_key, data or {})

    @classmethod
    def delete(cls, row_key: str, *, etag: str | None = None, if_exists: bool = False) -> Op:
        return cls("delete", row_key, etag=etag, if_exists=if_exists)


@dataclass(frozen=True, slots=True)
class Child:
    """A child entity written in the same transaction as its parent's create or update (e.g. a dataset version)."""

    kind: str
    id: str
    data: dict[str, Any]
    parent_id: str
