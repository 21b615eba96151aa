"""Ports: the Protocols the domain depends on. Adapters (domain/storage, domain/automl, functions/) implement them;
unit tests use in-memory fakes of them (the store: `EntityStore(MemoryBackend(), ...)`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import IO, Protocol

from domain.entities.principal import Principal
from domain.entities.role import Role
from domain.ports_automl import AutoMLBackend, EngineProcesses
from domain.storage.records import Child, Op, Page, RawRow, Record, Value

__all__ = [
    "Authenticator",
    "AutoMLBackend",
    "BlobStore",
    "Clock",
    "EngineProcesses",
    "HealthProbe",
    "JwksFetcher",
    "MembershipLookup",
    "RowStore",
    "Store",
]  # AutoMLBackend and EngineProcesses live in domain/ports_automl.py


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class HealthProbe(Protocol):
    name: str

    def ping(self) -> None:
        """Return when the dependency answers; raise `domain.errors.Unavailable` otherwise."""
        ...


# --- storage: the service-storage seam (domain/storage implements it, domain/records types it; ADR 0002, 0013) ---


class RowStore(Protocol):
    """Raw rows of one table by RowKey prefix: reference rows, global indexes, metric series. Row keys are built by
    `domain/storage/keys.py`; their data is typed by `domain/records/rows.py`."""

    def list_rows(
        self, tenant: str, prefix: str, *, top: int = 100, continuation: str | None = None, start: str | None = None
    ) -> tuple[list[RawRow], str | None]:
        """One page of the partition's rows whose RowKey starts with `prefix` (from `start` when given), key order."""
        ...

    def transact(
        self, tenant: str, ops: Sequence[Op], *, actor: str, action: str = "transact", audit: bool = True
    ) -> list[str]:
        """Up to 99 row operations (+ an audit row unless audit=False) atomically; the new ETags, one per op."""
        ...


class Store(RowStore, Protocol):
    """Tenant-partitioned entities with unique names, ETags, schema versions and an audit trail (`EntityStore`).

    Errors are domain errors: NotFound, NameTaken, Conflict (exists), ConcurrencyConflict (412: the ETag moved),
    ValidationFailed / LimitExceeded (keys, sizes, Table limits), Unavailable (503 with retry_after). Services use it
    through the typed kinds of `domain/records` (`RUNS.get(store, tenant, run_id).data.status`)."""

    def create(
        self,
        tenant: str,
        kind: str,
        id: str,
        data: Mapping[str, Value],
        *,
        actor: str,
        name: str | None = None,
        parent_id: str | None = None,
        extra_ops: Sequence[Op] = (),
        children: Sequence[Child] = (),
    ) -> Record:
        """The entity, its name row, `extra_ops` rows and `children` entities, and its audit row: one transaction."""
        ...

    def get(
        self, tenant: str, kind: str, id: str, *, parent_id: str | None = None, include_deleted: bool = False
    ) -> Record: ...

    def get_by_name(self, tenant: str, kind: str, name: str) -> Record: ...

    def update(
        self,
        tenant: str,
        kind: str,
        id: str,
        changes: Mapping[str, Value],
        *,
        actor: str,
        etag: str | None,
        rename_to: str | None = None,
        parent_id: str | None = None,
        current: Record | None = None,
        extra_ops: Sequence[Op] = (),
        children: Sequence[Child] = (),
    ) -> Record:
        """Apply `changes` (None removes a field) if the entity still has `etag` (None: the current one)."""
        ...

    def tombstone(
        self,
        tenant: str,
        kind: str,
        id: str,
        *,
        actor: str,
        etag: str | None = None,
        parent_id: str | None = None,
        current: Record | None = None,
    ) -> Record:
        """Hide the entity at once; a cascade removes its children, then `delete` ends it."""
        ...

    def delete(
        self,
        tenant: str,
        kind: str,
        id: str,
        *,
        actor: str,
        etag: str | None,
        parent_id: str | None = None,
        current: Record | None = None,
        extra_ops: Sequence[Op] = (),
    ) -> None: ...

    def upsert_entities(self, tenant: str, children: Sequence[Child], *, actor: str) -> int:
        """Create or replace child entities (machine-written, unaudited) in transactions of <= 99; requests sent."""
        ...

    def list(
        self,
        tenant: str,
        kind: str,
        *,
        parent_id: str | None = None,
        where: Mapping[str, str | int | bool] | None = None,
        top: int = 50,
        continuation: str | None = None,
        include_deleted: bool = False,
        name_prefix: str | None = None,
        newest_first: bool = False,
    ) -> Page:
        """One page of `kind` (children of `parent_id`), filtered by `where` equalities and a case-insensitive
        `name_prefix`, in id order (= creation order) or newest first."""
        ...

    def list_audit(
        self,
        tenant: str,
        *,
        since: datetime | None = None,
        top: int = 50,
        continuation: str | None = None,
        where: Mapping[str, str | int | bool] | None = None,
    ) -> Page: ...


# --- identity and authorization (domain/auth, ADR 0007) ---


class Authenticator(Protocol):
    def authenticate(self, headers: Mapping[str, str]) -> Principal:
        """The caller named by the request headers, or raise `domain.errors.Unauthenticated` (what is wrong, never
        the token). Header names are matched case-insensitively."""
        ...


class MembershipLookup(Protocol):
    def role_of(self, tenant_id: str, user_id: str) -> Role | None:
        """The user's role in the tenant, or None when the user is not a member (or the tenant does not exist)."""
        ...


class JwksFetcher(Protocol):
    def fetch(self, url: str) -> Mapping[str, object]:
        """The JSON Web Key Set document at `url`; raise `domain.errors.Unavailable` when it cannot be fetched."""
        ...


class BlobStore(Protocol):
    """Blob Storage for dataset files and models (Azurite locally)."""

    def put(self, container: str, name: str, data: bytes, *, content_type: str) -> str:
        """Store `data`; returns '<container>/<name>'."""
        ...

    def put_stream(self, container: str, name: str, stream: IO[bytes], *, length: int, content_type: str) -> str:
        """Store `length` bytes read from `stream` in blocks (bounded memory); returns '<container>/<name>'."""
        ...

    def get(self, container: str, name: str) -> bytes: ...

    def open(self, container: str, name: str) -> IO[bytes]:
        """The blob as a stream read in chunks (NotFound when absent); the caller closes it."""
        ...

    def size(self, container: str, name: str) -> int | None:
        """The blob's size in bytes, or None when it does not exist."""
        ...

    def upload_url(self, container: str, name: str, expires_at: datetime) -> str:
        """A URL that lets its holder create (PUT) this one blob until `expires_at`, and nothing else: a user
        delegation SAS in Azure (signed with the app's identity); locally a service SAS signed with the account key."""
        ...

    def download_url(self, container: str, name: str, expires_at: datetime, filename: str) -> str:
        """A URL that lets its holder read (GET) this one blob until `expires_at`, and nothing else, answered as a
        text/csv attachment named `filename`: signed as `upload_url` is."""
        ...

    def list_names(self, container: str, prefix: str = "", older_than: datetime | None = None) -> Iterator[str]:
        """The names of the blobs under `prefix` (the invariant checker's view); with `older_than`, only those last
        written before it (the janitor's sweep)."""
        ...

    def delete(self, container: str, name: str) -> None:
        """Delete the blob if it exists."""
        ...

    def delete_prefix(self, container: str, prefix: str) -> int:
        """Delete every blob whose name starts with `prefix`; returns how many."""
        ...
