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
from domain.services._records import PLATFORM, actor, to_model
from domain.storage.keys import entity_key

CASCADING = frozenset({"tenant", "experiment", "run", "endpoint"})
PAGE = 100


def root_partition(tenant: str, kind: str) -> str:
    return PLATFORM if kind == "tenant" else tenant


def start_delete(store: Any, principal: Principal, tenant: str, kind: str, ident: str, etag: str | None
                 ) -> Operation:
    """Tombstone the root (NotFound / 412 raised here, before anything else is written), then record the op."""
    store.tombstone(root_partition(tenant, kind), kind, ident, actor=actor(principal), etag=etag)
    data = {"kind": "delete", "status": OperationStatus.RUNNING.value, "target": f"{kind}/{ident}",
            "target_kind": kind, "target_id": ident, "tenant": tenant, "progress": {"done": 0}}
    record = store.create(PLATFORM, "operation", new_id(), data, actor=actor(principal), parent_id=tenant)
    return to_model(Operation, record)


def get_operation(store: Any, tenant: str, operation_id: str) -> Operation:
    return to_model(Operation, store.get(PLATFORM, "operation", operation_id, parent_id=tenant))


def _tenant_page(store: Any, tenant: str) -> int:
    keys = store.keys(tenant, "", top=PAGE)
    index = [f"usertenant|{k.split('|', 1)[1]}|{tenant}" for k in keys if k.startswith("member|")]
    if index:
        store.delete_rows(PLATFORM, index)
    store.delete_rows(tenant, keys)
    return len(keys)


def _children_page(store: Any, tenant: str, prefix: str, also: Any = None) -> int:
    keys = store.keys(tenant, prefix, top=PAGE)
    extra: list[str] = []
    if also is not None:
        for row in store.index_rows(tenant, prefix, top=PAGE):
            extra += also(row)
    store.delete_rows(tenant, keys + extra)
    return len(keys)


def _run_children(store: Any, tenant: str, run_id: str) -> int:
    return _children_page(store, tenant, f"trial|{run_id}|")


def _experiment_page(store: Any, tenant: str, experiment_id: str) -> int:
    runs = store.list(tenant, "run", where={"experiment_id": experiment_id}, top=10, include_deleted=True).items
    done = 0
    for run in runs:
        deleted = _run_children(store, tenant, run.id)
        if deleted == 0:
            store.delete_rows(tenant, [entity_key("run", run.id)])
            deleted = 1
        done += deleted
    return done


def _endpoint_page(store: Any, tenant: str, endpoint_id: str) -> int:
    def refs(row: dict[str, Any]) -> list[str]:
        return [f"ref|model|{row['model_id']}|deployment|{endpoint_id}|{row['name']}"]

    return _children_page(store, tenant, f"deployment|{endpoint_id}|", also=refs)


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
        store.update(PLATFORM, "operation", operation_id, {"progress": progress}, actor="system", etag=None,
                     parent_id=tenant)
    return deleted == 0


def finish_delete(store: Any, tenant: str, operation_id: str) -> Operation:
    """Delete the root itself (with its name row and reference rows) and mark the operation Succeeded."""
    op = store.get(PLATFORM, "operation", operation_id, parent_id=tenant)
    kind, ident = op.data["target_kind"], op.data["target_id"]
    partition = root_partition(tenant, kind)
    extra: list[str] = []
    if kind == "experiment":
        root = store.get(partition, kind, ident, include_deleted=True)
        extra.append(f"ref|dataset|{root.data['dataset_id']}|experiment|{ident}")
    store.purge(partition, kind, ident, actor=op.created_by, extra_keys=extra)
    record = store.update(PLATFORM, "operation", operation_id, {"status": OperationStatus.SUCCEEDED.value},
                          actor="system", etag=None, parent_id=tenant)
    return to_model(Operation, record)


def fail_delete(store: Any, tenant: str, operation_id: str, error: str) -> None:
    store.update(PLATFORM, "operation", operation_id, {"status": OperationStatus.FAILED.value, "error": error},
                 actor="system", etag=None, parent_id=tenant)
