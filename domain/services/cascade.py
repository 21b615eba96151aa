"""Cascading deletes: tenant -> everything; experiment -> runs -> trials; run -> trials; endpoint -> deployments
(and their model references), with what lives outside the tenant's partition (`purge.py`): training jobs (stopped
first), metric and log rows, index rows, quota slots, the backend's endpoints and deployments, the tenant's blobs.

`start_delete` records an operation and hides the root at once (a tombstone, one transaction); the durable
orchestration `cascade_delete` then calls `delete_step` until it reports nothing left (waiting a little while a job
stops: the operation's progress says so), and `finish_delete`. Each step deletes at most one page (<= 100 rows, one
transaction) of the deepest children first, so an interrupted cascade resumes where it stopped and nothing is
orphaned: a child is never deleted before its own children.
"""

from __future__ import annotations

from domain.entities.ids import new_id
from domain.entities.operations import Operation, OperationProgress, OperationStatus
from domain.entities.principal import Principal
from domain.errors import NotFound, ValidationFailed, readable
from domain.ports import Store
from domain.records.kind import KindInfo, Stored
from domain.records.kinds import ENDPOINTS, EXPERIMENTS, MEMBERS, OPERATIONS, RUNS, TENANTS, OperationData
from domain.services import purge
from domain.services._patch import read_modify_write
from domain.services._views import actor
from domain.services.operations import OPERATION
from domain.services.purge import PAGE, Cleanup, Step
from domain.storage import keys
from domain.storage.records import Op

ROOTS: dict[str, KindInfo] = {k.name: k for k in (TENANTS, EXPERIMENTS, RUNS, ENDPOINTS)}  # where a cascade starts
CASCADING = frozenset(ROOTS)


def start_delete(store: Store, principal: Principal, tenant: str, kind: str, ident: str, etag: str | None) -> Operation:
    """Tombstone the root (NotFound / 412 raised here, before anything else is written), then record the op."""
    partition = ROOTS[kind].partition(tenant)
    # without If-Match, a run's own writes (progress, status) may get in between the read and the tombstone: retried
    read_modify_write(lambda: store.tombstone(partition, kind, ident, actor=actor(principal), etag=etag), etag)
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


def _tenant_step(store: Store, env: Cleanup, tenant: str, operation_id: str) -> Step:
    """Runs first (their jobs stopped), then endpoints (in the backend too), then batch jobs (stopped, their CSVs
    deleted), then the tenant's other operations (this
    one stays: it reports the deletion), then one page of whatever is left in the partition, unaudited (the tenant's
    own deletion is audited on the platform), with its members' index rows."""
    step = (
        purge.next_run(store, env, tenant, None)
        or purge.next_endpoint(store, env, tenant)
        or purge.next_batch_jobs(store, env, tenant)
    )
    if step is not None:
        return step
    ops, _ = OPERATIONS.list(store, tenant, top=PAGE + 1, include_deleted=True)
    done = [keys.entity_key(OPERATIONS.name, o.id, tenant) for o in ops if o.id != operation_id]
    if done:
        purge.delete_rows(store, keys.PLATFORM, done)
        return Step(len(done))
    rows, _ = store.list_rows(tenant, "", top=PAGE)
    row_keys = [r.key for r in rows]
    member_rows = keys.kind_range(MEMBERS.name)[0]
    members = [k.removeprefix(member_rows) for k in row_keys if k.startswith(member_rows)]
    purge.delete_rows(store, keys.PLATFORM, [keys.user_tenant_key(m, tenant) for m in members], audit=True)
    purge.delete_rows(store, tenant, row_keys)
    return Step(len(row_keys))


def _run_step(store: Store, env: Cleanup, tenant: str, run_id: str) -> Step:
    try:
        run = RUNS.get(store, tenant, run_id, include_deleted=True)
    except NotFound:
        return Step()
    return purge.run_step(store, env, tenant, run)


def delete_step(store: Store, env: Cleanup, tenant: str, operation_id: str) -> Step:
    """Delete one page of children, or wait for a job to stop; Step() when none are left. Idempotent: re-running a
    step is harmless. The operation's progress counts the rows deleted and says what the cascade waits for."""
    op = OPERATIONS.get(store, tenant, operation_id)
    kind, ident = _target(op)
    if kind == TENANTS.name:
        step = _tenant_step(store, env, ident, operation_id)
    elif kind == EXPERIMENTS.name:
        step = purge.next_run(store, env, tenant, ident) or Step()
    elif kind == RUNS.name:
        step = _run_step(store, env, tenant, ident)
    else:
        step = purge.endpoint_step(store, env, tenant, ident)
    if step.deleted or step.waiting != op.data.progress.message:
        progress = op.data.progress.model_copy(
            update={"done": op.data.progress.done + step.deleted, "message": step.waiting}
        )
        OPERATIONS.update(store, tenant, operation_id, {"progress": progress}, actor="system", current=op)
    return step


def finish_delete(store: Store, env: Cleanup, tenant: str, operation_id: str) -> Operation:
    """Delete the root itself (with its name row, reference rows and quota slot; a tenant's blobs first) and mark the
    operation Succeeded. The user's delete is in the audit trail as the tombstone; this end is the system's."""
    op = OPERATIONS.get(store, tenant, operation_id)
    kind, ident = _target(op)
    partition = ROOTS[kind].partition(tenant)
    try:
        root = store.get(partition, kind, ident, include_deleted=True)
    except NotFound:
        root = None  # a retried finish: the root is already gone
    if root is not None:
        refs: list[Op] = []
        if kind == EXPERIMENTS.name:
            dataset_id = EXPERIMENTS.load(root).data.dataset_id
            refs = [Op.delete(keys.dataset_ref_key(dataset_id, ident), if_exists=True)]
        elif kind == RUNS.name:
            refs = purge.run_row_ops(store, tenant, RUNS.load(root))[1:]
        elif kind == TENANTS.name:
            purge.tenant_blobs(env, ident)
        store.delete(partition, kind, ident, actor="system", etag=None, current=root, extra_ops=refs)
    done = OPERATIONS.update(store, tenant, operation_id, {"status": OperationStatus.SUCCEEDED}, actor="system")
    return OPERATION.of(done)


def fail_delete(store: Store, tenant: str, operation_id: str, error: str) -> None:
    changes = {"status": OperationStatus.FAILED, "error": readable(error, 2000)}
    OPERATIONS.update(store, tenant, operation_id, changes, actor="system")
