"""EntityStore: tenant-partitioned entities in one table, each change one entity group transaction (1 request)
holding the entity, its unique-name row and its audit row. See docs/adr/0002-table-storage-core.md.

    store = EntityStore(table_service, schemas=registry, clock=SystemClock())     # or EntityStore(MemoryBackend(), ...)
    rec = store.create(tenant, "experiment", ident, {...}, actor=user, name="Churn")    # NameTaken if taken
    rec = store.get(tenant, "experiment", ident)                                       # NotFound
    rec = store.update(tenant, "experiment", ident, {"goal": "auc"}, actor=user, etag=if_match, current=rec)
    page = store.list(tenant, "run", where={"status": "Running"}, top=50, continuation=token, newest_first=True)

`update`/`delete` take the `current` Record when the caller has read it (1 request); otherwise they read it first
(2 requests). `etag` is the caller's If-Match: a mismatch with `current.etag` is a ConcurrencyConflict at once,
and the write itself is conditional on the ETag, so a concurrent change is never lost (412 -> ConcurrencyConflict).
Writes store the current schema version with every property (Replace mode); reads upgrade older versions.
The `Store` port of domain/ports.py; rows of a change: `changes.py`; raw-row transactions: `transact.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from azure.data.tables import TableServiceClient

from domain.errors import NotFound, ValidationFailed
from domain.ports import Clock
from domain.storage import codec, keys, scan
from domain.storage.backend import Backend, BackendError, BatchOp, Query, Row, RowMissing
from domain.storage.changes import child_rows, created, removed, rewritten
from domain.storage.codec import ACTIVE, DELETING
from domain.storage.errmap import changed, row_error, submit_change
from domain.storage.odata import entity_filters, page_size
from domain.storage.records import Child, Op, Page, RawRow, Record, Value
from domain.storage.rows import audit_record, check_name, to_record
from domain.storage.schemas import SchemaRegistry
from domain.storage.table_backend import TableBackend
from domain.storage.transact import MAX_OPS, batch_op, delete_ops, run_transaction

# `list` is a method below: the class body names these aliases instead of the builtin
_Rows = list[tuple[Row, str]]
_RawRows = list[RawRow]
_Batch = list[BatchOp]
_Etags = list[str]


class EntityStore:
    def __init__(
        self,
        service: TableServiceClient | Backend,
        *,
        table: str = "entities",
        schemas: SchemaRegistry,
        clock: Clock,
    ) -> None:
        self.backend: Backend = TableBackend(service, table) if isinstance(service, TableServiceClient) else service
        self.schemas = schemas
        self.clock = clock

    def ensure_tables(self) -> None:
        try:
            self.backend.ensure_table()
        except BackendError as exc:
            raise row_error(exc, "table", "entities", None) from exc

    # ---- entities ------------------------------------------------------------------------------------------------
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
        """Create the entity (NameTaken / Conflict when taken), its name row, `extra_ops` raw rows and `children`
        entities, and the audit row: one transaction."""
        self._key(tenant, kind, id, parent_id)
        now = self.clock.now()
        extra = self._extra(tenant, extra_ops, children, actor, now)
        change = created(
            self.schemas, tenant, kind, id, data, actor=actor, now=now, name=name, parent_id=parent_id, extra=extra
        )
        return change.sent(submit_change(self.backend, tenant, change.ops, kind, id, name)[0])

    def get(
        self, tenant: str, kind: str, id: str, *, parent_id: str | None = None, include_deleted: bool = False
    ) -> Record:
        row_key = self._key(tenant, kind, id, parent_id)
        try:
            row, etag = self.backend.get(tenant, row_key)
        except BackendError as exc:
            raise row_error(exc, kind, id, row_key) from exc
        if row.get(codec.TYPE) != kind or (not include_deleted and row.get(codec.STATE) == codec.DELETING):
            raise NotFound(kind, id)
        return to_record(self.schemas, tenant, kind, row, etag)

    def get_by_name(self, tenant: str, kind: str, name: str) -> Record:
        """The entity holding `name` (case-insensitive): the name row, then the entity (2 point reads)."""
        keys.check_id(tenant, "tenant")
        check_name(name, kind)
        try:
            row, _ = self.backend.get(tenant, keys.name_key(kind, name))
        except RowMissing:
            raise NotFound(kind, name, message=f"No {kind} is named '{name}'.") from None
        except BackendError as exc:
            raise row_error(exc, kind, name, None) from exc
        return self.get(tenant, kind, row["entity_id"], parent_id=row.get("parent_id"))

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
        """Apply `changes` (None removes a field), `extra_ops` and `children`; `etag` None = the current ETag."""
        cur = self._current(tenant, kind, id, parent_id, etag, current)
        now = self.clock.now()
        extra = self._extra(tenant, extra_ops, children, actor, now)
        change = rewritten(
            self.schemas,
            cur,
            changes,
            actor=actor,
            now=now,
            rename_to=rename_to,
            state=ACTIVE,
            action="update",
            extra=extra,
        )
        return change.sent(submit_change(self.backend, tenant, change.ops, kind, id, rename_to)[0])

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
        """Hide the entity at once (state=deleting) before a cascade removes its children; `delete` ends it."""
        cur = self._current(tenant, kind, id, parent_id, etag, current, include_deleted=True)
        now = self.clock.now()
        change = rewritten(
            self.schemas, cur, {}, actor=actor, now=now, rename_to=None, state=DELETING, action="tombstone"
        )
        return change.sent(submit_change(self.backend, tenant, change.ops, kind, id, None)[0])

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
    ) -> None:
        """Delete it (tombstoned too), its name row, `extra_ops` rows and the audit row: one transaction."""
        cur = self._current(tenant, kind, id, parent_id, etag, current, include_deleted=True)
        ops = removed(cur, actor=actor, now=self.clock.now(), extra=[batch_op(tenant, op) for op in extra_ops])
        submit_change(self.backend, tenant, ops, kind, cur.id, cur.name)

    def upsert_entities(self, tenant: str, children: Sequence[Child], *, actor: str) -> int:
        """Upsert machine-written child entities (trials), unaudited, 99 per transaction; the requests sent."""
        keys.check_id(tenant, "tenant")
        rows = child_rows(self.schemas, tenant, children, actor, self.clock.now(), upsert=True)
        requests = 0
        for i in range(0, len(rows), MAX_OPS):
            self.backend.submit(tenant, rows[i : i + MAX_OPS])
            requests += 1
        return requests

    # ---- listings: one Table query per page, parameterised filters -------------------------------------------------
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
        """One page of `kind` (under `parent_id`): id order (one query), or newest first / by name prefix (`scan`)."""
        keys.check_id(tenant, "tenant")
        self.schemas.get(kind)
        if parent_id is not None:
            keys.check_id(parent_id, "parent_id")
        lo, hi = keys.kind_range(kind, parent_id)
        state = None if include_deleted else (codec.STATE, codec.ACTIVE)
        query = Query(tenant, lo, hi, entity_filters(where, reserved=codec.SYSTEM, state=state), page_size(top))
        try:
            rows, token = scan.page(self.backend, query, continuation, name_prefix, newest_first)
        except BackendError as exc:
            raise row_error(exc, kind, "(list)", None) from exc
        return Page([to_record(self.schemas, tenant, kind, row, etag) for row, etag in rows], token)

    def list_audit(
        self,
        tenant: str,
        *,
        since: datetime | None = None,
        top: int = 50,
        continuation: str | None = None,
        where: Mapping[str, str | int | bool] | None = None,
    ) -> Page:
        """Audit entries of the tenant, newest first (at or after `since` when given; equal to `where`, e.g. of one
        `entity_id` or `actor`); one Table query."""
        keys.check_id(tenant, "tenant")
        lo, hi = keys.audit_range(since)
        filters = entity_filters(where, reserved=frozenset(), state=None)
        rows, token = self._query(Query(tenant, lo, hi, filters or None, page_size(top)), continuation, "audit")
        return Page([audit_record(tenant, row, etag) for row, etag in rows], token)

    # ---- raw rows (reference rows, indexes, metric series): the `RowStore` port ----------------------------------
    def list_rows(
        self, tenant: str, prefix: str, *, top: int = 100, continuation: str | None = None, start: str | None = None
    ) -> tuple[_RawRows, str | None]:
        """Raw rows whose RowKey starts with `prefix` (reference rows such as `ref|model|{m}|`), in key order.
        `start` (>= prefix) skips the keys before it, e.g. log lines after a sequence number."""
        keys.check_id(tenant, "tenant")
        hi = prefix[:-1] + keys.END if prefix.endswith(keys.SEP) else prefix + "\uffff"
        lo = max(prefix, start) if start else prefix
        rows, token = self._query(Query(tenant, lo, hi, None, page_size(top)), continuation, "row")
        return [RawRow(r["RowKey"], codec.decode_data(r), e) for r, e in rows], token

    def transact(
        self, tenant: str, ops: Sequence[Op], *, actor: str, action: str = "transact", audit: bool = True
    ) -> _Etags:
        """Up to 99 raw-row operations plus one audit row (none with audit=False), atomically (1 request); the new
        ETags, one per op ('' for deletes). `Op.delete(..., if_exists=True)` rows already gone are skipped."""
        keys.check_id(tenant, "tenant")
        batch = [batch_op(tenant, op) for op in ops]
        return run_transaction(self.backend, tenant, batch, ops, actor, action, self.clock, audit=audit)

    def _key(self, tenant: str, kind: str, ident: str, parent_id: str | None) -> str:
        keys.check_id(tenant, "tenant")
        keys.check_id(ident)
        schema = self.schemas.get(kind)
        if (schema.parent_kind is None) != (parent_id is None):
            raise ValidationFailed(
                f"{kind} needs a parent_id ({schema.parent_kind})" if schema.parent_kind else f"{kind} has no parent",
                target="parent_id",
            )
        if parent_id is not None:
            keys.check_id(parent_id, "parent_id")
        return keys.entity_key(kind, ident, parent_id)

    def _extra(
        self, tenant: str, extra_ops: Sequence[Op], children: Sequence[Child], actor: str, now: datetime
    ) -> _Batch:
        return [batch_op(tenant, op) for op in extra_ops] + child_rows(self.schemas, tenant, children, actor, now)

    def _current(
        self,
        tenant: str,
        kind: str,
        ident: str,
        parent_id: str | None,
        etag: str | None,
        current: Record | None,
        include_deleted: bool = False,
    ) -> Record:
        if current is None or current.tenant != tenant or current.kind != kind or current.id != ident:
            current = self.get(tenant, kind, ident, parent_id=parent_id, include_deleted=include_deleted)
        if etag is not None and etag != current.etag:
            raise changed(kind, ident)
        return current

    def _query(self, query: Query, token: str | None, kind: str) -> tuple[_Rows, str | None]:
        try:
            return self.backend.query(query, token)
        except BackendError as exc:
            raise row_error(exc, kind, "(list)", None) from exc


__all__ = ["EntityStore", "delete_ops"]
