"""Cascading deletes (DESIGN.md §3): tenant -> everything; experiment -> runs -> trials; run -> trials;
endpoint -> deployments (and their model references).

`start_delete` records an operation and hides the root at once (a tombstone, one transaction); the durable
orchestration `cascade_delete` then calls `delete_step` until it reports nothing left, and `finish_delete`.
Each step deletes at most one page (<= 100 rows, one transaction) of the deepest children first, so an interrupted
cascade resumes where it stopped and nothing is orphaned: a child is never deleted before its own children.
"""

from __future__ import annotations

from typing import Any

from domain.entities.ids import new_id
from domain.entities.operations import Operation, OperationStatus
from domain.entities.principal import Principal
from domain.errors import NotFound
from domain.services._records import PLATFORM, actor, to_model
from domain.services.experiments import ref_key
from domain.services.serving import model_ref_key
from domain.services.tenants import index_key
from domain.storage.keys import entity_key
from domain.storage.records import Op

CASCADING = frozenset({"tenant", "experiment", "run", "endpoint"})
PAGE = 98  # one transaction: <= 100 operations, the audit row included


def root_partition(tenant: str, kind: str) -> str:
    return PLATFORM if kind == "tenant" else tenant


def start_delete(store: Any, principal: Principal, tenant: str, kind: str, ident: str, etag: str | None) -> Operation:
    """Tombstone the root (NotFound / 412 raised here, before anything else is written), then record the op."""
    store.tombstone(root_partition(tenant, kind), kind, ident, actor=actor(principal), etag=etag)
    data = {
        "kind": "delete",
        "status": OperationStatus.RUNNING.value,
        "target": f"{kind}/{ident}",
        "target_kind": kind,
        "target_id": ident,
        "tenant": tenant,
        "progress": {"done": 0},
    }
    record = store.create(PLATFORM, "operation", new_id(), data, actor=actor(principal), parent_id=tenant)
    return to_model(Operation, record)


def get_operation(store: Any, tenant: str, operation_id: str) -> Operation:
    return to_model(Operation, store.get(PLATFORM, "operation", operation_id, parent_id=tenant))


def _delete_rows(store: Any, partition: str, row_keys: list[str], *, audit: bool = True) -> None:
    if row_keys:
        store.transact(
            partition, [Op.delete(k, if_exists=True) for k in row_keys], actor="system", action="cascade", audit=audit
        )


def _tenant_page(store: Any, tenant: str) -> int:
    """Wipe one page of the tenant's partition, unaudited (the tenant's own deletion is audited on the platform)."""
    rows, _ = store.list_rows(tenant, "", top=PAGE)
    row_keys = [k for k, _, _ in rows]
    members = [k.split("|", 1)[1] for k in row_keys if k.startswith("member|")]
    _delete_rows(store, PLATFORM, [index_key(m, tenant) for m in members])
    _delete_rows(store, tenant, row_keys, audit=False)
    return len(row_keys)


def _run_children(store: Any, tenant: str, run_id: str) -> int:
    trials = store.list(tenant, "trial", parent_id=run_id, top=PAGE, include_deleted=True).items
    _delete_rows(store, tenant, [entity_key("trial", t.id, run_id) for t in trials])
    return len(trials)


def _experiment_page(store: Any, tenant: str, experiment_id: str) -> int:
    runs = store.list(tenant, "run", where={"experiment_id": experiment_id}, top=10, include_deleted=True).items
    done = 0
    for run in runs:
        deleted = _run_children(store, tenant, run.id)
        if deleted == 0:
            _delete_rows(store, tenant, [entity_key("run", run.id)])
            deleted = 1
        done += deleted
    return done


def _endpoint_page(store: Any, tenant: str, endpoint_id: str) -> int:
    deployments = store.list(tenant, "deployment", parent_id=endpoint_id, top=PAGE // 2, include_deleted=True).items
    row_keys = []
    for d in deployments:
        row_keys += [entity_key("deployment", d.id, endpoint_id), model_ref_key(d.data["model_id"], endpoint_id, d.id)]
    _delete_rows(store, tenant, row_keys)
    return len(deployments)


def delete_step(store: Any, tenant: str, operation_id: str) -> bool:
    """Delete one page of children; True when none are left. Idempotent: re-running a step is harmless."""
    op = store.get(PLATFORM, "operation", operation_id, parent_id=tenant)
    kind, ident = op.data["target_kind"], op.data["target_id"]
    if kind == "tenant":
        deleted = _tenant_page(store, ident)
    elif kind == "experiment":
        deleted = _experiment_page(store, tenant, ident)
    elif kind == "run":
        deleted = _run_children(store, tenant, ident)
    else:
        deleted = _endpoint_page(store, tenant, ident)
    if deleted:
        progress = {**op.data.get("progress", {}), "done": int(op.data.get("progress", {}).get("done", 0)) + deleted}
        store.update(
            PLATFORM, "operation", operation_id, {"progress": progress}, actor="system", etag=None, parent_id=tenant
        )
    return deleted == 0


def finish_delete(store: Any, tenant: str, operation_id: str) -> Operation:
    """Delete the root itself (with its name row and reference rows) and mark the operation Succeeded."""
    op = store.get(PLATFORM, "operation", operation_id, parent_id=tenant)
    kind, ident = op.data["target_kind"], op.data["target_id"]
    partition = root_partition(tenant, kind)
    try:
        root = store.get(partition, kind, ident, include_deleted=True)
    except NotFound:
        root = None  # a retried finish: the root is already gone
    if root is not None:
        extra = [ref_key(root.data["dataset_id"], ident)] if kind == "experiment" else []
        store.delete(
            partition,
            kind,
            ident,
            actor=op.created_by,
            etag=None,
            current=root,
            extra_ops=[Op.delete(k, if_exists=True) for k in extra],
        )
    record = store.update(
        PLATFORM,
        "operation",
        operation_id,
        {"status": OperationStatus.SUCCEEDED.value},
        actor="system",
        etag=None,
        parent_id=tenant,
    )
    return to_model(Operation, record)


def fail_delete(store: Any, tenant: str, operation_id: str, error: str) -> None:
    store.update(
        PLATFORM,
        "operation",
        operation_id,
        {"status": OperationStatus.FAILED.value, "error": error},
        actor="system",
        etag=None,
        parent_id=tenant,
    )
