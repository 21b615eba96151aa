"""The one generic helper between services and the store: a `Kind` reads and writes the entities of one kind as typed
records (`Stored[D]`, D the kind's pydantic data model), over the `Store` port. Services never touch a dict row.

    run = RUNS.get(store, tenant, run_id)              # Stored[RunData]; run.data.status is a JobStatus
    run = RUNS.update(store, tenant, run_id, {"status": JobStatus.RUNNING}, actor="system", current=run)
    runs, token = RUNS.list(store, tenant, where={"active": True}, top=10)

Writes are checked against the data model before anything is sent: an unknown field is a programming error
(ValueError), a value of the wrong type a pydantic ValidationError. Reads ignore fields the model does not know (rows
written by a newer version), so a rolling deploy never breaks a read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict

from domain.errors import NotFound
from domain.ports import Store
from domain.storage.keys import PLATFORM
from domain.storage.records import Child, Data, Op, Record


class StoredModel(BaseModel):
    """The stored form of one kind's data: snake_case fields, frozen; fields it does not know are ignored on read."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)  # built on first use (ADR 0019)

    def stored(self) -> Data:
        """The JSON form the store keeps (enums as values, datetimes as ISO text, nested models as objects)."""
        return self.model_dump(mode="json")


D = TypeVar("D", bound=StoredModel)


@dataclass(frozen=True, slots=True)
class Stored(Generic[D]):
    """One entity as the services see it: its typed `data` and the store's `record` (id, ETag, times, creator)."""

    data: D
    record: Record

    @property
    def id(self) -> str:
        return self.record.id

    @property
    def etag(self) -> str:
        return self.record.etag

    @property
    def name(self) -> str | None:
        return self.record.name

    @property
    def parent_id(self) -> str | None:
        return self.record.parent_id

    @property
    def created_at(self) -> datetime:
        return self.record.created_at

    @property
    def updated_at(self) -> datetime:
        return self.record.updated_at

    @property
    def created_by(self) -> str:
        return self.record.created_by


_Page = tuple[list[Stored[D]], str | None]


class KindInfo(Protocol):
    """A kind whatever its data model: what the schema catalog needs, and where its entities live."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def parent(self) -> str | None: ...

    def partition(self, tenant: str) -> str: ...


@dataclass(frozen=True)
class Kind(Generic[D]):
    """An entity kind: its name in the store, its data model, schema version and parent kind. `platform` kinds live
    in the platform partition (tenants); a platform kind whose parent is "tenant" is filed under the tenant given."""

    name: str
    data: type[D]
    version: int = 1
    parent: str | None = None
    platform: bool = False

    def partition(self, tenant: str) -> str:
        return PLATFORM if self.platform else tenant

    def _parent(self, tenant: str, parent_id: str | None) -> str | None:
        return tenant if self.platform and self.parent == "tenant" else parent_id

    def load(self, record: Record) -> Stored[D]:
        return Stored(self.data.model_validate(record.data), record)

    def get(
        self, store: Store, tenant: str, id: str, *, parent_id: str | None = None, include_deleted: bool = False
    ) -> Stored[D]:
        """The entity (NotFound when absent or tombstoned, unless include_deleted)."""
        record = store.get(
            self.partition(tenant),
            self.name,
            id,
            parent_id=self._parent(tenant, parent_id),
            include_deleted=include_deleted,
        )
        return self.load(record)

    def exists(self, store: Store, tenant: str, id: str, *, parent_id: str | None = None) -> bool:
        """Whether the entity's row exists (tombstoned ones included)."""
        try:
            self.get(store, tenant, id, parent_id=parent_id, include_deleted=True)
        except NotFound:
            return False
        return True

    def list(
        self,
        store: Store,
        tenant: str,
        *,
        parent_id: str | None = None,
        where: Mapping[str, str | int | bool] | None = None,
        top: int = 50,
        continuation: str | None = None,
        include_deleted: bool = False,
        name_prefix: str | None = None,
        newest_first: bool = False,
    ) -> _Page[D]:
        """One page (id order = creation order, or newest first) and the continuation token (None at the end)."""
        self._fields(where or {})
        page = store.list(
            self.partition(tenant),
            self.name,
            parent_id=self._parent(tenant, parent_id),
            where=where,
            top=top,
            continuation=continuation,
            include_deleted=include_deleted,
            name_prefix=name_prefix,
            newest_first=newest_first,
        )
        return [self.load(r) for r in page.items], page.continuation

    def create(
        self,
        store: Store,
        tenant: str,
        id: str,
        data: D,
        *,
        actor: str,
        name: str | None = None,
        parent_id: str | None = None,
        extra_ops: Sequence[Op] = (),
        children: Sequence[Child] = (),
    ) -> Stored[D]:
        """Create it (NameTaken when `name` is taken, Conflict when `id` is) with its extra rows: one transaction."""
        record = store.create(
            self.partition(tenant),
            self.name,
            id,
            data.stored(),
            actor=actor,
            name=name,
            parent_id=self._parent(tenant, parent_id),
            extra_ops=extra_ops,
            children=children,
        )
        return Stored(data, record)

    def update(
        self,
        store: Store,
        tenant: str,
        id: str,
        changes: Mapping[str, object],
        *,
        actor: str,
        etag: str | None = None,
        current: Stored[D] | None = None,
        parent_id: str | None = None,
        extra_ops: Sequence[Op] = (),
        children: Sequence[Child] = (),
    ) -> Stored[D]:
        """Apply `changes` (None clears a field) if the entity still has `etag` (ConcurrencyConflict otherwise; None:
        whatever it has). `current`, when the caller has read it, saves a read."""
        self._fields(changes)
        if current is None or current.id != id:
            current = self.get(store, tenant, id, parent_id=parent_id)
        merged = self.data.model_validate({**current.data.model_dump(), **changes})
        payload = merged.stored()
        record = store.update(
            self.partition(tenant),
            self.name,
            id,
            {k: payload.get(k) for k in changes},
            actor=actor,
            etag=etag,
            current=current.record,
            parent_id=self._parent(tenant, parent_id),
            extra_ops=extra_ops,
            children=children,
        )
        return Stored(merged, record)

    def tombstone(
        self, store: Store, tenant: str, id: str, *, actor: str, etag: str | None = None, parent_id: str | None = None
    ) -> Stored[D]:
        """Hide it at once (a cascade then removes its children); NotFound / ConcurrencyConflict as `get`/`update`."""
        record = store.tombstone(
            self.partition(tenant), self.name, id, actor=actor, etag=etag, parent_id=self._parent(tenant, parent_id)
        )
        return self.load(record)

    def delete(
        self,
        store: Store,
        tenant: str,
        id: str,
        *,
        actor: str,
        etag: str | None = None,
        current: Stored[D] | None = None,
        parent_id: str | None = None,
        extra_ops: Sequence[Op] = (),
    ) -> None:
        """Delete it with its name row and `extra_ops` rows (tombstoned ones too), if it still has `etag`."""
        store.delete(
            self.partition(tenant),
            self.name,
            id,
            actor=actor,
            etag=etag,
            current=current.record if current is not None else None,
            parent_id=self._parent(tenant, parent_id),
            extra_ops=extra_ops,
        )

    def child(self, id: str, data: D, parent_id: str) -> Child:
        """A child entity written in its parent's transaction (`children=` of the parent's create or update)."""
        return Child(self.name, id, data.stored(), parent_id)

    def _fields(self, names: Mapping[str, object]) -> None:
        unknown = sorted(set(names) - set(self.data.model_fields))
        if unknown:
            raise ValueError(f"{self.name} has no field(s) {', '.join(unknown)}")
