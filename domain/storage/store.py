"""EntityStore: tenant-partitioned entities in one table, each change one entity group transaction (1 request)
holding the entity, its unique-name row and its audit row. See docs/adr/0002-table-storage-core.md.

    store = EntityStore(table_service, schemas=registry, clock=SystemClock())     # or EntityStore(MemoryBackend(), ...)
    rec = store.create(tenant, "experiment", ident, {...}, actor=user, name="Churn")    # NameTaken if taken
    rec = store.get(tenant, "experiment", ident)                                       # NotFound
    rec = store.update(tenant, "experiment", ident, {"goal": "auc"}, actor=user, etag=if_match, current=rec)
    store.delete(tenant, "experiment", ident, actor=user, etag=if_match, current=rec)
    page = store.list(tenant, "run", parent_id=exp_id, where={"status": "Running"}, top=50, continuation=token)

`update`/`delete` take the `current` Record when the caller has read it (1 request); otherwise they read it first
(2 requests). `etag` is the caller's If-Match: a mismatch with `current.etag` is a ConcurrencyConflict at once,
and the write itself is conditional on the ETag, so a concurrent change is never lost (412 -> ConcurrencyConflict).
Writes store the current schema version with every property (Replace mode); reads upgrade older versions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from azure.data.tables import TableServiceClient

from domain.errors import NotFound, ValidationFailed
from domain.ports import Clock
from domain.storage import codec, keys
from domain.storage.backend import Backend, BackendError, BatchOp, RowMissing
from domain.storage.batches import Batches
from domain.storage.errmap import changed, row_error
from domain.storage.limits import check_batch
from domain.storage.queries import Queries
from domain.storage.records import Child, Op, Record
from domain.storage.rows import audit_row, check_name, entity_row, name_row, to_record
from domain.storage.rows import diff as diff_of
from domain.storage.schemas import SchemaRegistry
from domain.storage.table_backend import TableBackend
from domain.storage.transact import batch_op, delete_ops

_Etags = list[str]
_Batch = list[BatchOp]


class EntityStore(Queries, Batches):
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

    # ---- single entities -------------------------------------------------------------------------------------
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

    def create(
        self,
        tenant: str,
        kind: str,
        id: str,
        data: Mapping[str, Any],
        *,
        actor: str,
        name: str | None = None,
        parent_id: str | None = None,
        extra_ops: Sequence[Op] = (),
        children: Sequence[Child] = (),
    ) -> Record:
        """Create the entity (NameTaken / Conflict when taken), its name row, `extra_ops` raw rows and `children`
        entities, and the audit row: one transaction."""
        row_key = self._key(tenant, kind, id, parent_id)
        what = f"{kind} '{id}'"
        now = self.clock.now()
        version = self.schemas.current(kind)
        row = entity_row(
            tenant,
            row_key,
            kind,
            version,
            data,
            created_at=now,
            updated_at=now,
            created_by=actor,
            name=name,
            state=codec.ACTIVE,
            what=what,
        )
        ops = [BatchOp("create", row)]
        if name is not None:
            check_name(name, what)
            ops.append(BatchOp("create", name_row(tenant, kind, name, id, parent_id)))
        ops += [batch_op(tenant, op) for op in extra_ops]
        ops += self.child_ops(tenant, children, actor, now)
        clean = {k: v for k, v in data.items() if v is not None}
        ops.append(BatchOp("create", audit_row(tenant, now, actor, "create", kind, id, diff_of({}, clean))))
        etag = self._submit(tenant, ops, kind, id, name)[0]
        return Record(kind, id, tenant, clean, etag, now, now, actor, parent_id, name, version)

    def get(
        self,
        tenant: str,
        kind: str,
        id: str,
        *,
        parent_id: str | None = None,
        include_deleted: bool = False,
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
        changes: Mapping[str, Any],
        *,
        actor: str,
        etag: str | None,
        rename_to: str | None = None,
        parent_id: str | None = None,
        current: Record | None = None,
        extra_ops: Sequence[Op] = (),
        children: Sequence[Child] = (),
    ) -> Record:
        """Apply `changes` (None removes a field); `etag` None = read-modify-write with the current ETag.
        `extra_ops` and `children` go in the same transaction."""
        cur = self._current(tenant, kind, id, parent_id, etag, current)
        extra = [batch_op(tenant, op) for op in extra_ops] + self.child_ops(tenant, children, actor, self.clock.now())
        return self._write(
            cur, changes, actor=actor, rename_to=rename_to, state=codec.ACTIVE, action="update", extra=extra
        )

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
        return self._write(cur, {}, actor=actor, rename_to=None, state=codec.DELETING, action="tombstone")

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
        """Delete the entity and release its name, in one transaction with the audit row (tombstoned ones too)
        and `extra_ops` (e.g. its reference rows)."""
        cur = self._current(tenant, kind, id, parent_id, etag, current, include_deleted=True)
        row_key = keys.entity_key(kind, cur.id, cur.parent_id)
        ops = [BatchOp("delete", {"PartitionKey": tenant, "RowKey": row_key}, cur.etag)]
        if cur.name is not None:
            ops.append(BatchOp("delete", {"PartitionKey": tenant, "RowKey": keys.name_key(kind, cur.name)}))
        ops += [batch_op(tenant, op) for op in extra_ops]
        diff = diff_of(cur.data, {})
        ops.append(BatchOp("create", audit_row(tenant, self.clock.now(), actor, "delete", kind, cur.id, diff)))
        self._submit(tenant, ops, kind, cur.id, cur.name)

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

    def _write(
        self,
        cur: Record,
        changes: Mapping[str, Any],
        *,
        actor: str,
        rename_to: str | None,
        state: str,
        action: str,
        extra: Sequence[BatchOp] = (),
    ) -> Record:
        kind, ident, tenant = cur.kind, cur.id, cur.tenant
        what = f"{kind} '{ident}'"
        version = self.schemas.current(kind)
        if cur.version > version:
            raise ValidationFailed(f"{what} was written by a newer schema version ({cur.version}).", target=kind)
        data = {**cur.data, **changes}
        for key in [k for k, v in changes.items() if v is None]:
            data.pop(key, None)
        now = self.clock.now()
        name = cur.name if rename_to is None else rename_to
        row_key = keys.entity_key(kind, ident, cur.parent_id)
        row = entity_row(
            tenant,
            row_key,
            kind,
            version,
            data,
            created_at=cur.created_at,
            updated_at=now,
            created_by=cur.created_by,
            name=name,
            state=state,
            what=what,
        )
        ops = [BatchOp("replace", row, cur.etag)]
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
        etag = self._submit(tenant, ops, kind, ident, rename_to)[0]
        return Record(
            kind,
            ident,
            tenant,
            data,
            etag,
            cur.created_at,
            now,
            cur.created_by,
            cur.parent_id,
            name,
            version,
            state == codec.DELETING,
        )

    def _submit(self, tenant: str, ops: _Batch, kind: str, ident: str, name: str | None) -> _Etags:
        check_batch(len(ops), 0)
        try:
            return self.backend.submit(tenant, ops)
        except BackendError as exc:
            failed = ops[exc.index].row["RowKey"] if exc.index is not None and exc.index < len(ops) else None
            if failed is not None and exc.index != 0 and not failed.startswith(keys.NAME + keys.SEP):
                raise row_error(exc, "row", failed, failed) from exc  # one of the extra operations
            raise row_error(exc, kind, ident, failed, name) from exc


__all__ = ["EntityStore", "delete_ops"]
