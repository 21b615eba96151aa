"""The batch side of EntityStore: generic raw-row transactions, child entities written with their parent, and
bulk upserts of child entities (a run's trials) in transactions of at most 99 rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from domain.ports import Clock
from domain.storage import codec, keys
from domain.storage.backend import Backend, BatchOp
from domain.storage.records import Child, Op
from domain.storage.rows import entity_row
from domain.storage.schemas import SchemaRegistry
from domain.storage.transact import MAX_OPS, batch_op, run_transaction

_Etags = list[str]


class Batches:
    backend: Backend
    schemas: SchemaRegistry
    clock: Clock

    def child_ops(
        self, tenant: str, children: Sequence[Child], actor: str, now: datetime, action: str = "create"
    ) -> list[BatchOp]:
        """Entity rows (with `_t`/`_v`, timestamps, creator) for child entities of the same partition."""
        out = []
        for child in children:
            keys.check_id(child.id)
            keys.check_id(child.parent_id, "parent_id")
            if self.schemas.get(child.kind).parent_kind is None:
                raise ValueError(f"{child.kind} is not a child kind")
            row = entity_row(
                tenant,
                keys.entity_key(child.kind, child.id, child.parent_id),
                child.kind,
                self.schemas.current(child.kind),
                child.data,
                created_at=now,
                updated_at=now,
                created_by=actor,
                name=None,
                state=codec.ACTIVE,
                what=f"{child.kind} '{child.id}'",
            )
            out.append(BatchOp("upsert" if action == "upsert" else "create", row))
        return out

    def transact(
        self, tenant: str, ops: Sequence[Op], *, actor: str, action: str = "transact", audit: bool = True
    ) -> _Etags:
        """Up to 99 raw-row operations plus one audit row (none with audit=False), atomically (1 request); the new
        ETags, one per op ('' for deletes). `Op.delete(..., if_exists=True)` rows already gone are skipped."""
        keys.check_id(tenant, "tenant")
        batch = [batch_op(tenant, op) for op in ops]
        return run_transaction(self.backend, tenant, batch, ops, actor, action, self.clock, audit=audit)

    def upsert_entities(self, tenant: str, children: Sequence[Child], *, actor: str) -> int:
        """Create or replace child entities in transactions of at most 99 (no audit rows: machine-written data such
        as trials); returns the number of requests sent."""
        keys.check_id(tenant, "tenant")
        rows = self.child_ops(tenant, children, actor, self.clock.now(), action="upsert")
        requests = 0
        for i in range(0, len(rows), MAX_OPS):
            self.backend.submit(tenant, rows[i : i + MAX_OPS])
            requests += 1
        return requests
