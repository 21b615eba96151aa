"""Cascading deletes: tenant -> everything; experiment -> runs -> trials; run -> trials; endpoint -> deployments
(and their model references).

`start_delete` records an operation and hides the root at once (a tombstone, one transaction); the durable
orchestration `cascade_delete` then calls `delete_step` until it reports nothing left, and `finish_delete`.
Each step deletes at most one page (<= 100 rows, one transaction) of the deepest children first, so an interrupted
cascade resumes where it stopped and nothing is orphaned: a child is never deleted before its own children.
"""

from __future__ import annotations

from domain.entities.ids import new_id
from domain.entities.operations import Operation, OperationProgress, OperationStatus
from domain.entities.principal import Principal
from domain.errors import NotFound, ValidationFailed
from domain.ports import Store
from domain.records.kind import KindInfo, Stored
from domain.records.kinds import (
    DEPLOYMENTS,
    ENDPOINTS,
    EXPERIMENTS,
    MEMBERS,
    OPERATIONS,
    RUNS,
    TENANTS,
    TRIALS,
    OperationData,
)
from domain.services._views import actor
from domain.services.operations import OPERATION
from domain.storage import keys
from domain.storage.records import Op

ROOTS: dict[str, KindInfo] = {k.name: k for k in (TENANTS, EXPERIMENTS, RUNS, ENDPOINTS)}  # where a cascade starts
CASCADING = frozenset(ROOTS)
PAGE = 98  # one transaction: <= 100 operations, the audit row included


def start_delete(store: Store, principal: Principal, tenant: str, kind: str, ident: str, etag: str | None) -> Operation:
    """Tombstone the root (NotFound / 412 raised here, before anything else is written), then record the op."""
    store.tombstone(ROOTS[kind].partition(tenant), kind, ident, actor=actor(principal), etag=etag)
    data = OperationData(
        kind="delete",
        status=OperationStatus.RUNNING,
        target=f"{kind}/{ident}",
        target_kind=kind,
        target_id=ident,
        tenant=tenant,
        progress=OperationProgress(done=0),
    )
    return OPERATION.of(OPERATIONS.create(store, tenant, new_id(), data, actor=actor(principal)))


def _target(op: Stored[OperationData]) -> tuple[str, str]:
    if op.data.target_kind not in ROOTS or op.data.target_id is None:
        raise ValidationFailed(f"Operation '{op.id}' is not a delete.", target="operation")
    return op.data.target_kind, op.data.target_id


def _delete_rows(store: Store, partition: str, row_keys: list[str], *, audit: bool = True) -> None:
    if row_keys:
        ops = [Op.delete(k, if_exists=True) for k in row_keys]
        store.transact(partition, ops, actor="system", action="cascade", audit=audit)


def _tenant_page(store: Store, tenant: str) -> int:
    """Wipe one page of the tenant's partition, unaudited (the tenant's own deletion is audited on the platform)."""
    rows, _ = store.list_rows(tenant, "", top=PAGE)
    row_keys = [r.key for r in rows]
    member_rows = keys.kind_range(MEMBERS.name)[0]
    members = [k.removeprefix(member_rows) for k in row_keys if k.startswith(member_rows)]
    _delete_rows(store, keys.PLATFORM, [keys.user_tenant_key(m, tenant) for m in members])
    _delete_rows(store, tenant, row_keys, audit=False)
    return len(row_keys)


def _run_children(store: Store, tenant: str, run_id: str) -> int:
    trials, _ = TRIALS.list(store, tenant, parent_id=run_id, top=PAGE, include_deleted=True)
    _delete_rows(store, tenant, [keys.entity_key(TRIALS.name, t.id, run_id) for t in trials])
    return len(trials)


def _experiment_page(store: Store, tenant: str, experiment_id: str) -> int:
    runs, _ = RUNS.list(store, tenant, where={"experiment_id": experiment_id}, top=10, include_deleted=True)
    done = 0
    for run in runs:
        deleted = _run_children(store, tenant, run.id)
        if deleted == 0:
            _delete_rows(store, tenant, [keys.entity_key(RUNS.name, run.id)])
            deleted = 1
        done += deleted
    return done


def _endpoint_page(store: Store, tenant: str, endpoint_id: str) -> int:
    deployments, _ = DEPLOYMENTS.list(store, tenant, parent_id=endpoint_id, top=PAGE // 2, include_deleted=True)
    row_keys = []
    for d in deployments:
        row_keys += [
            keys.entity_key(DEPLOYMENTS.name, d.id, endpoint_id),
            keys.model_ref_key(d.data.model_id, endpoint_id, d.id),
        ]
    _delete_rows(store, tenant, row_keys)
    return len(deployments)


def delete_step(store: Store, tenant: str, operation_id: str) -> bool:
    """Delete one page of children; True when none are left. Idempotent: re-running a step is harmless."""
    op = OPERATIONS.get(store, tenant, operation_id)
    kind, ident = _target(op)
    if kind == TENANTS.name:
        deleted = _tenant_page(store, ident)
    elif kind == EXPERIMENTS.name:
        deleted = _experiment_page(store, tenant, ident)
    elif kind == RUNS.name:
        deleted = _run_children(store, tenant, ident)
    else:
        deleted = _endpoint_page(store, tenant, ident)
    if deleted:
        progress = op.data.progress.model_copy(update={"done": op.data.progress.done + deleted})
        OPERATIONS.update(store, tenant, operation_id, {"progress": progress}, actor="system", current=op)
    return deleted == 0


def finish_delete(store: Store, tenant: str, operation_id: str) -> Operation:
    """Delete the root itself (with its name row and reference rows) and mark the operation Succeeded."""
    op = OPERATIONS.get(store, tenant, operation_id)
    kind, ident = _target(op)
    partition = ROOTS[kind].partition(tenant)
    try:
        root = store.get(partition, kind, ident, include_deleted=True)
    except NotFound:
        root = None  # a retried finish: the root is already gone
    if root is not None:
        refs = []
        if kind == EXPERIMENTS.name:
            dataset_id = EXPERIMENTS.load(root).data.dataset_id
            refs = [Op.delete(keys.dataset_ref_key(dataset_id, ident), if_exists=True)]
        store.delete(partition, kind, ident, actor=op.created_by, etag=None, current=root, extra_ops=refs)
    done = OPERATIONS.update(store, tenant, operation_id, {"status": OperationStatus.SUCCEEDED}, actor="system")
    return OPERATION.of(done)


def fail_delete(store: Store, tenant: str, operation_id: str, error: str) -> None:
    changes = {"status": OperationStatus.FAILED, "error": error}
    OPERATIONS.update(store, tenant, operation_id, changes, actor="system")
