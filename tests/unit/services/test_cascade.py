"""Cascading deletes on the memory backend: the root is hidden at once, children go page by page (deepest first),
an interrupted cascade resumes, reference rows and index rows go with what they point at."""

from __future__ import annotations

import pytest

from domain.auth.memberships import role_of
from domain.entities.operations import Operation, OperationStatus
from domain.entities.serving import DeploymentPut, EndpointCreate, ModelCreate
from domain.errors import ConcurrencyConflict, NotFound
from domain.records.kinds import RUNS
from domain.services import cascade, datasets, deployments, endpoints, experiments, models, operations, purge, training
from domain.storage import keys
from domain.storage.records import Op
from tests.unit.services.kit import CONTAINER, OWNER, World, person, world


def all_keys(w: World, partition: str, prefix: str = "") -> list[str]:
    """Every row key under `prefix` but the audit trail's (which keeps what was deleted)."""
    rows, _ = w.store.list_rows(partition, prefix, top=1000)
    return [r.key for r in rows if not r.key.startswith(("audit|", "steps|"))]


def run_to_end(w: World, op_id: str) -> int:
    steps = 0
    while (step := cascade.delete_step(w.store, w.cleanup(), w.tenant, op_id)).deleted or step.waiting:
        steps += 1
        assert steps < 50
    return steps


def finish(w: World, op_id: str) -> Operation:
    return cascade.finish_delete(w.store, w.cleanup(), w.tenant, op_id)


def plant_trials(w: World, run_id: str, n: int) -> None:
    for i in range(n):
        w.store.create(
            w.tenant, "trial", f"t{i}", {"algorithm": "LightGBM", "score": i / 100}, actor="t", parent_id=run_id
        )


def test_delete_experiment_removes_runs_and_trials_then_frees_the_dataset() -> None:
    w = world(max_concurrent_runs=5)
    run_ids = [training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)[0].id for _ in range(2)]
    plant_trials(w, run_ids[0], 120)  # more than one page
    op = cascade.start_delete(w.store, OWNER, w.tenant, "experiment", w.experiment_id, None)
    assert op.status is OperationStatus.RUNNING
    assert op.target == f"/api/v1/tenants/{w.tenant}/experiments/{w.experiment_id}"  # a resource URL
    with pytest.raises(NotFound):  # hidden at once
        experiments.get_experiment(w.store, w.tenant, w.experiment_id)
    assert run_to_end(w, op.id) >= 2
    done = finish(w, op.id)
    assert done.status is OperationStatus.SUCCEEDED and done.progress.done == 122  # 120 trials + 2 runs
    assert finish(w, op.id).status is OperationStatus.SUCCEEDED  # a retry is harmless
    left = all_keys(w, w.tenant)
    assert [k for k in left if k.startswith(("run|", "trial|", "experiment|", "ref|"))] == []
    datasets.delete_dataset(w.store, w.blobs, CONTAINER, OWNER, w.tenant, w.dataset_id, None)  # no longer referenced
    assert w.blobs.blobs == {}


def test_an_interrupted_step_resumes_without_orphans() -> None:
    w = world()
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    plant_trials(w, run.id, 150)
    op = cascade.start_delete(w.store, OWNER, w.tenant, "run", run.id, None)
    assert cascade.delete_step(w.store, w.cleanup(), w.tenant, op.id).deleted == 98
    stored = RUNS.get(w.store, w.tenant, run.id, include_deleted=True)
    purge.run_step(w.store, w.cleanup(), w.tenant, stored)  # a step whose progress update was lost (host killed)
    run_to_end(w, op.id)
    finish(w, op.id)
    assert [k for k in all_keys(w, w.tenant) if run.id in k] == []


def test_the_root_etag_guards_the_delete() -> None:
    w = world()
    current = experiments.get_experiment(w.store, w.tenant, w.experiment_id)
    with pytest.raises(ConcurrencyConflict):
        cascade.start_delete(w.store, OWNER, w.tenant, "experiment", w.experiment_id, 'W/"stale"')
    op = cascade.start_delete(w.store, OWNER, w.tenant, "experiment", w.experiment_id, current.etag)
    assert operations.get_operation(w.store, w.tenant, op.id).status is OperationStatus.RUNNING


def test_delete_tenant_wipes_its_partition_and_its_members_index_rows() -> None:
    w = world()
    for i in range(3):
        w.store.transact(w.tenant, [Op.upsert(f"filler|{i}|{j:03d}", {"j": j}) for j in range(99)], actor="t")
    op = cascade.start_delete(w.store, person("admin", admin=True), w.tenant, "tenant", w.tenant, None)
    assert role_of(w.store, w.tenant, OWNER.user_id) is None, "members lose the tenant at once"
    run_to_end(w, op.id)
    finish(w, op.id)
    assert all_keys(w, w.tenant) == []
    assert all_keys(w, keys.PLATFORM, keys.user_tenants(OWNER.user_id)) == []
    assert operations.get_operation(w.store, w.tenant, op.id).status is OperationStatus.SUCCEEDED
    other = world()
    with pytest.raises(NotFound):  # an operation is filed under its tenant
        operations.get_operation(other.store, other.tenant, op.id)


def test_delete_endpoint_removes_deployments_and_frees_their_models() -> None:
    w = world()
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    model = models.create_model(w.store, OWNER, w.tenant, ModelCreate(name="m1", run_id=run.id))
    ep = endpoints.create_endpoint(w.store, OWNER, w.tenant, EndpointCreate(name="ep"))
    deployments.put_deployment(w.store, OWNER, w.tenant, ep.id, "blue", DeploymentPut(model_id=model.id))
    op = cascade.start_delete(w.store, OWNER, w.tenant, "endpoint", ep.id, None)
    run_to_end(w, op.id)
    finish(w, op.id)
    assert [k for k in all_keys(w, w.tenant) if ep.id in k] == []
    models.delete_model(w.store, OWNER, w.tenant, model.id, None)  # no deployment uses it any more


def test_a_failed_cascade_is_recorded_on_its_operation() -> None:
    w = world()
    op = cascade.start_delete(w.store, OWNER, w.tenant, "experiment", w.experiment_id, None)
    cascade.fail_delete(w.store, w.tenant, op.id, "Table Storage is unavailable")
    failed = operations.get_operation(w.store, w.tenant, op.id)
    assert failed.status is OperationStatus.FAILED and failed.error == "Table Storage is unavailable"
