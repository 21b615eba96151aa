"""The invariant checker (`domain/services/invariants.py`): clean on what the services write, and each count finds
the break it names (rows planted or removed behind the services' back)."""

from __future__ import annotations

from domain.entities.batch import BatchScoreRequest
from domain.entities.queries import ModelsQuery
from domain.entities.serving import DeploymentPut, EndpointCreate, ModelCreate
from domain.records.kinds import RUNS
from domain.services import batch, datasets, deployments, endpoints, models, training
from domain.services.endpoints import backend_endpoint
from domain.services.invariants import Process, Report, Snapshot, check
from domain.storage import keys
from domain.storage.backend import BatchOp
from domain.storage.records import Op
from domain.storage.rows import name_row
from tests.unit.services.kit import CONTAINER, CSV, MODELS, OWNER, World, world
from tools.invariants import rows_of


def report(w: World, **extra: object) -> Report:
    blobs: dict[str, set[str]] = {}
    for container, name in w.blobs.blobs:
        blobs.setdefault(container, set()).add(name)
    snap = Snapshot(rows=rows_of(w.store.backend), blobs=blobs, datasets_container=CONTAINER, models_container=MODELS)
    snap.series_partitions = set(w.series.backend.partitions())
    for key, value in extra.items():
        setattr(snap, key, value)
    return check(snap)


def served(w: World) -> tuple[str, str, str]:
    """A finished run with its model deployed behind an endpoint: (run id, endpoint id, backend endpoint name)."""
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    training.prepare(w.store, w.backend, w.tenant, run.id)
    job = RUNS.get(w.store, w.tenant, run.id).data.job_name
    w.backend.advance(job, 2)
    w.backend.finish(job)
    training.finalize(w.store, w.series, w.backend, w.tenant, run.id)
    model = models.create_model(w.store, OWNER, w.tenant, ModelCreate(name="m", run_id=run.id))
    ep = endpoints.create_endpoint(w.store, OWNER, w.tenant, EndpointCreate(name="ep"))
    deployments.put_deployment(w.store, OWNER, w.tenant, ep.id, "blue", DeploymentPut(model_id=model.id))
    return run.id, ep.id, backend_endpoint(w.tenant, ep.id)


def test_what_the_services_write_is_clean() -> None:
    w = world()
    _, _, name = served(w)
    # ids repeat under different parents: a second dataset has a version 000001 too, a second endpoint a "blue"
    datasets.create_from_upload(w.store, w.blobs, CONTAINER, OWNER, w.tenant, name="more", description=None,
                                data=CSV, max_bytes=1 << 20)  # fmt: skip
    ep2 = endpoints.create_endpoint(w.store, OWNER, w.tenant, EndpointCreate(name="ep2"))
    model = models.list_models(w.store, w.tenant, ModelsQuery(top=10))[0][0]
    deployments.put_deployment(w.store, OWNER, w.tenant, ep2.id, "blue", DeploymentPut(model_id=model.id))
    live = [Process(w.tenant, endpoint=n, deployment="blue") for n in (name, backend_endpoint(w.tenant, ep2.id))]
    # a batch job of the model, running, with its CSV (written as the engine goes)
    job = batch.submit(w.store, OWNER, w.tenant, model.id, BatchScoreRequest(dataset_id=w.dataset_id))
    batch.start(w.store, w.backend, CONTAINER, w.tenant, job.id)
    w.blobs.put(CONTAINER, f"{w.tenant}/batch/{job.id}/predictions.csv", b"a\n", content_type="text/csv")
    workers = [Process(w.tenant, job=batch.job_name(job.id))]
    assert report(w, scoring=live, batch=workers).as_json()["total"] == 0


def test_each_count_finds_its_break() -> None:
    w = world(max_concurrent_runs=1)
    run_id, _, name = served(w)
    t = w.tenant
    # a name row lost, and a name row left behind
    w.store.transact(t, [Op.delete(keys.name_key("endpoint", "ep"))], actor="t")
    w.store.backend.submit(t, [_name_row(t, "model", "ghost", "gone")])
    # children without parents: a trial of a run that is gone, a slot of no active run, an index row of no run
    w.store.create(t, "trial", "orphan", {"algorithm": "x"}, actor="t", parent_id="no-such-run")
    w.store.transact(t, [Op.create(keys.slot_key(5), {"run_id": "no-such-run"})], actor="t")
    w.store.transact(keys.JOBS, [Op.upsert(keys.job_key("j-gone"), {"tenant": t, "run_id": "gone"})], actor="t")
    # a blob nobody points at, a scorer for no deployment, a worker for no active run
    w.blobs.put(CONTAINER, f"{t}/ds-gone/v000001.abcd.csv", b"a", content_type="text/csv")
    scoring = [Process(t, endpoint=name, deployment="blue"), Process(t, endpoint=name, deployment="green")]
    training_ = [Process(t, job="automl-job-of-nobody")]
    # a batch job of a model that is gone, a batch CSV of no job, a batch worker of a job that has ended
    w.store.create(t, "batchjob", "b-orphan", {**_batch_data("m-gone"), "status": "Completed"}, actor="t")
    w.blobs.put(CONTAINER, f"{t}/batch/b-gone/predictions.csv", b"a", content_type="text/csv")
    batch_ = [Process(t, job=_batch_data("m-gone")["job_name"])]
    # a tenant without an owner, above its run quota
    w.store.delete(t, "member", OWNER.user_id, actor="t", etag=None)
    for i in range(2):
        w.store.create(t, "run", f"extra{i}", {**_run_data(w, run_id), "active": True}, actor="t")
    found = report(w, scoring=scoring, training=training_, batch=batch_)
    assert sorted(found.examples["childrenWithoutParents"]) == sorted(
        [f"{t}/trial|no-such-run|orphan", f"{t}/{keys.slot_key(5)}", f"{keys.JOBS}/{keys.job_key('j-gone')}",
         f"{t}/batchjob|b-orphan",
         f"{keys.PLATFORM}/{keys.user_tenant_key(OWNER.user_id, t)}"]  # the owner's index row outlived the member
    )  # fmt: skip
    assert found.counts == {
        "entitiesWithoutNameRows": 1,
        "nameRowsWithoutEntities": 1,
        "childrenWithoutParents": 5,
        "blobsWithoutRecords": 2,
        "scoringWithoutLiveDeployment": 1,
        "trainingWithoutActiveRun": 1,
        "batchWithoutRunningJob": 1,
        "tenantsWithoutOwner": 1,
        "activeRunsAboveQuota": 1,
    }


def test_a_subtree_being_deleted_is_not_counted() -> None:
    w = world()
    served(w)
    w.store.tombstone(keys.PLATFORM, "tenant", w.tenant, actor="t")
    w.store.delete(w.tenant, "member", OWNER.user_id, actor="t", etag=None)  # the cascade's first pages went
    assert report(w).total == 0


def _name_row(tenant: str, kind: str, name: str, ident: str) -> BatchOp:
    return BatchOp("create", name_row(tenant, kind, name, ident, None))


def _batch_data(model_id: str) -> dict[str, object]:
    return {"model_id": model_id, "model_name": "m", "model_version": 1, "dataset_id": "d", "dataset_version": 1,
            "job_name": "batch-b-orphan"}  # fmt: skip


def _run_data(w: World, run_id: str) -> dict[str, object]:
    return dict(w.store.get(w.tenant, "run", run_id).data)
