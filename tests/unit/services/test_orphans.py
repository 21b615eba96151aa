"""Nothing is left behind (issue 16 item 5) and bad input is refused at the door (item 8), on the memory backend
with the fakes behind the AutoML and blob ports."""

from __future__ import annotations

import io
import uuid

import pytest

from domain.entities.automl import LogLine, ModelRef
from domain.entities.experiments import ExperimentCreate
from domain.entities.operations import OperationStatus
from domain.entities.serving import DeploymentPut, EndpointCreate, EndpointUpdate, ModelCreate
from domain.errors import ConcurrencyConflict, NameTaken, NotFound, PayloadTooLarge, ValidationFailed
from domain.records.kinds import RUNS
from domain.services import (
    cascade,
    collect,
    datasets,
    deployments,
    endpoints,
    experiments,
    indexes,
    models,
    operations,
    quota,
    training,
    uploads,
)
from domain.services.endpoints import backend_endpoint
from domain.storage import keys
from tests.unit.services.kit import ADMIN, CONTAINER, CSV, MODELS, OWNER, World, world


def cascade_to_end(w: World, op_id: str) -> list[str | None]:
    """Run the cascade's steps, then its finish; the progress messages seen on the way."""
    messages = []
    for _ in range(200):
        step = cascade.delete_step(w.store, w.cleanup(), w.tenant, op_id)
        messages.append(operations.get_operation(w.store, w.tenant, op_id).progress.message)
        if not step.deleted and not step.waiting:
            break
    cascade.finish_delete(w.store, w.cleanup(), w.tenant, op_id)
    assert operations.get_operation(w.store, w.tenant, op_id).status is OperationStatus.SUCCEEDED
    return messages


def running_run(w: World, trials: int = 3) -> tuple[str, str]:
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    training.prepare(w.store, w.backend, w.tenant, run.id)
    job = RUNS.get(w.store, w.tenant, run.id).data.job_name
    w.backend.advance(job, trials)
    training.poll(w.store, w.backend, w.tenant, run.id)
    collect.collect_live(w.store, w.series, w.backend, w.tenant, run.id)  # its trials are recorded as they end
    return run.id, job


# ---- item 5: orphans ------------------------------------------------------------------------------------------


def test_an_upload_refused_with_409_leaves_no_blob() -> None:
    w = world()
    before = dict(w.blobs.blobs)
    with pytest.raises(NameTaken):
        datasets.create_from_upload(
            w.store, w.blobs, CONTAINER, OWNER, w.tenant, name="data", description=None, data=CSV, max_bytes=1 << 20
        )
    assert w.blobs.blobs == before


def test_a_new_version_that_lost_a_race_deletes_only_its_own_blob() -> None:
    w = world()
    current = datasets.get_dataset(w.store, w.tenant, w.dataset_id)
    datasets.add_version(w.store, w.blobs, CONTAINER, OWNER, w.tenant, w.dataset_id, CSV, 1 << 20)  # the winner
    stale = datasets.DATASETS.get(w.store, w.tenant, w.dataset_id)
    object.__setattr__(stale.record, "etag", current.etag)  # the loser read the dataset before the winner wrote
    content = datasets._upload(w.blobs, CONTAINER, w.tenant, w.dataset_id, 2, CSV, 1 << 20)
    before = set(w.blobs.blobs)
    with pytest.raises(ConcurrencyConflict):
        datasets._or_delete_blob(
            w.blobs, content, lambda: datasets.commit_version(w.store, OWNER, w.tenant, stale, content)
        )
    assert set(w.blobs.blobs) == before - {tuple(content.blob_path.split("/", 1))}  # type: ignore[union-attr]
    winner = datasets.get_version(w.store, w.tenant, w.dataset_id, 2)
    assert winner.blob_path and tuple(winner.blob_path.split("/", 1)) in w.blobs.blobs


def test_deleting_a_running_run_stops_its_job_first_then_frees_everything() -> None:
    w = world(max_concurrent_runs=1)
    run_id, job = running_run(w)
    w.backend.stop_after_reads = 2  # the job takes a while to stop
    indexes.record_event(w.store, "ev-1", w.tenant, run_id)
    w.series.transact(keys.series_partition(w.tenant, run_id), [], actor="t")
    op = cascade.start_delete(w.store, OWNER, w.tenant, "run", run_id, None)
    messages = cascade_to_end(w, op.id)
    assert messages[0] == f"stopping the training job of run {run_id}"  # the operation shows what it waits for
    assert job in w.backend.cancelled and job not in w.backend.jobs  # stopped, then removed
    assert quota.held(w.store, w.tenant) == {}  # the slot is free: the next run starts
    assert training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)[1]
    for partition, prefix in ((keys.JOBS, keys.job_key(job)), (keys.ACTIVE_RUNS, keys.active_runs_of(w.tenant)),
                              (keys.EVENTS, keys.run_events(w.tenant))):  # fmt: skip
        assert [r.key for r in w.store.list_rows(partition, prefix)[0] if run_id in str(r.data)] == []
    # the run's training orchestration hears that its run is gone and ends without a job
    assert training.poll(w.store, w.backend, w.tenant, run_id)["deleted"] is True


def test_a_run_deleted_before_its_job_was_submitted_gets_no_job() -> None:
    w = world()
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    op = cascade.start_delete(w.store, OWNER, w.tenant, "run", run.id, None)
    assert training.prepare(w.store, w.backend, w.tenant, run.id)["deleted"] is True
    assert w.backend.jobs == {}
    cascade_to_end(w, op.id)


def test_deleting_a_tenant_leaves_no_rows_jobs_endpoints_or_blobs_anywhere() -> None:
    w = world(max_concurrent_runs=3)
    run_id, job = running_run(w)
    indexes.record_event(w.store, "ev-1", w.tenant, run_id)
    model = models.create_model(w.store, OWNER, w.tenant, ModelCreate(name="m1", run_id=run_id))
    ep = endpoints.create_endpoint(w.store, OWNER, w.tenant, EndpointCreate(name="ep"))
    deployments.put_deployment(w.store, OWNER, w.tenant, ep.id, "blue", DeploymentPut(model_id=model.id))
    w.backend.create_or_update_endpoint(w.tenant, backend_endpoint(w.tenant, ep.id))
    w.blobs.put(MODELS, f"{w.tenant}/jobs/{job}/model.pkl", b"m", content_type="x")
    assert any(n.startswith(f"{w.tenant}/") for _, n in w.blobs.blobs)
    op = cascade.start_delete(w.store, ADMIN, w.tenant, "tenant", w.tenant, None)
    cascade_to_end(w, op.id)
    assert w.store.list_rows(w.tenant, "")[0] == []
    assert w.backend.jobs == {} and w.backend.endpoints == {} and w.backend.deployments == {}
    assert [n for _, n in w.blobs.blobs if w.tenant in n] == []
    for partition in (keys.JOBS, keys.ACTIVE_RUNS, keys.EVENTS):
        assert [r.key for r in w.store.list_rows(partition, "")[0] if w.tenant in str(r.data)] == []
    assert w.series.list_rows(keys.series_partition(w.tenant, run_id), "")[0] == []


def test_deleting_an_endpoint_deletes_it_in_the_backend() -> None:
    w = world()
    run_id, _ = running_run(w)
    model = models.create_model(w.store, OWNER, w.tenant, ModelCreate(name="m1", run_id=run_id))
    ep = endpoints.create_endpoint(w.store, OWNER, w.tenant, EndpointCreate(name="ep"))
    name = backend_endpoint(w.tenant, ep.id)
    deployments.put_deployment(w.store, OWNER, w.tenant, ep.id, "blue", DeploymentPut(model_id=model.id))
    w.backend.create_or_update_endpoint(w.tenant, name)
    w.backend.create_or_update_deployment(w.tenant, name, "blue", ModelRef(name="x", version="1", uri="models/x"))
    op = cascade.start_delete(w.store, OWNER, w.tenant, "endpoint", ep.id, None)
    cascade_to_end(w, op.id)
    assert name not in w.backend.endpoints and (name, "blue") not in w.backend.deployments


def test_deleting_a_deployment_takes_it_out_of_the_traffic_map_and_the_backend() -> None:
    w = world()
    run_id, _ = running_run(w)
    model = models.create_model(w.store, OWNER, w.tenant, ModelCreate(name="m1", run_id=run_id))
    ep = endpoints.create_endpoint(w.store, OWNER, w.tenant, EndpointCreate(name="ep"))
    name = backend_endpoint(w.tenant, ep.id)
    w.backend.create_or_update_endpoint(w.tenant, name)
    for d in ("blue", "green"):
        deployments.put_deployment(w.store, OWNER, w.tenant, ep.id, d, DeploymentPut(model_id=model.id))
        deployments.DEPLOYMENTS.update(w.store, w.tenant, d, {"state": "Succeeded"}, actor="t", parent_id=ep.id)
        w.backend.create_or_update_deployment(w.tenant, name, d, ModelRef(name="x", version="1", uri="models/x"))
    endpoints.update_endpoint(
        w.store, w.backend, OWNER, w.tenant, ep.id, EndpointUpdate(traffic={"blue": 100, "green": 0}), None
    )
    deployments.delete_deployment(w.store, w.backend, OWNER, w.tenant, ep.id, "green", None)
    assert endpoints.get_endpoint(w.store, w.tenant, ep.id).traffic == {"blue": 100}
    assert (name, "green") not in w.backend.deployments and (name, "blue") in w.backend.deployments
    with pytest.raises(NotFound):
        deployments.get_deployment(w.store, w.tenant, ep.id, "green")


# ---- item 8: validation at the door -------------------------------------------------------------------------


def test_a_model_from_a_trial_the_run_does_not_have_is_refused() -> None:
    w = world()
    run_id, _ = running_run(w)
    other = world()
    other_run, _ = running_run(other, trials=5)
    for trial in ("no-such-trial", "t4"):  # bogus; another tenant's run's trial id (this run recorded t0-t2)
        with pytest.raises(ValidationFailed) as refused:
            models.create_model(w.store, OWNER, w.tenant, ModelCreate(name=f"m-{trial}", run_id=run_id, trial_id=trial))
        assert refused.value.target == "trialId"
    with pytest.raises(NotFound):  # another tenant's run
        models.create_model(w.store, OWNER, w.tenant, ModelCreate(name="m2", run_id=other_run))


def experiment(w: World, data: bytes, task: str, target: str) -> None:
    ds = datasets.create_from_upload(
        w.store, w.blobs, CONTAINER, OWNER, w.tenant, name=f"d-{uuid.uuid4().hex[:8]}", description=None, data=data,
        max_bytes=1 << 20,
    )  # fmt: skip
    body = {"name": f"e-{uuid.uuid4().hex[:8]}", "task": task, "datasetId": ds.id, "targetColumn": target}
    experiments.create_experiment(w.store, OWNER, w.tenant, ExperimentCreate.model_validate(body))


def test_regression_on_a_text_target_is_refused_naming_the_column_and_its_type() -> None:
    w = world()
    with pytest.raises(ValidationFailed) as refused:
        experiment(w, b"a,city\n1,Paris\n2,Rome\n3,Oslo\n", "regression", "city")
    (detail,) = refused.value.details
    assert detail.target == "targetColumn" and "'city'" in detail.message and "string" in detail.message
    experiment(w, b"a,price\n1,2.5\n2,3.5\n3,1\n", "regression", "price")  # numeric: accepted


def test_classification_on_a_single_valued_target_is_refused() -> None:
    w = world()
    with pytest.raises(ValidationFailed) as refused:
        experiment(w, b"a,label\n1,yes\n2,yes\n3,yes\n", "classification", "label")
    assert refused.value.details[0].code == "SingleClassTarget"
    experiment(w, b"a,label\n1,yes\n2,no\n3,yes\n", "classification", "label")


# ---- item 12: direct uploads --------------------------------------------------------------------------------


def test_a_direct_upload_is_committed_once_as_the_next_version() -> None:
    w = world()
    up = uploads.start_upload(w.store, w.blobs, CONTAINER, OWNER, w.tenant, w.dataset_id, 1 << 20)
    assert "sig=" in up.upload_url and up.headers["x-ms-blob-type"] == "BlockBlob"
    blob = up.upload_url.split("/", 4)[4].split("?")[0]
    with pytest.raises(Exception, match="Nothing was uploaded"):
        uploads.commit_upload(w.store, w.blobs, OWNER, w.tenant, w.dataset_id, up.id, 1 << 20)
    w.blobs.put(CONTAINER, blob, b"a,b,label\n1,2,x\n3,4,y\n", content_type="text/csv")
    version, created = uploads.commit_upload(w.store, w.blobs, OWNER, w.tenant, w.dataset_id, up.id, 1 << 20)
    assert created and version.version == 2 and version.profile and version.profile.row_count == 2
    again, created = uploads.commit_upload(w.store, w.blobs, OWNER, w.tenant, w.dataset_id, up.id, 1 << 20)
    assert not created and again.id == version.id  # a repeated commit finds its version
    assert datasets.get_dataset(w.store, w.tenant, w.dataset_id).latest_version == 2


def test_a_direct_upload_that_is_too_large_or_unreadable_leaves_nothing() -> None:
    w = world()
    for data, error in ((b"a,b\n" + b"1,2\n" * 100, PayloadTooLarge), (b"a,b\n\xff\xfe,1\n", ValidationFailed)):
        up = uploads.start_upload(w.store, w.blobs, CONTAINER, OWNER, w.tenant, w.dataset_id, 64)
        blob = up.upload_url.split("/", 4)[4].split("?")[0]
        w.blobs.put_stream(CONTAINER, blob, io.BytesIO(data), length=len(data), content_type="text/csv")
        with pytest.raises(error):
            uploads.commit_upload(w.store, w.blobs, OWNER, w.tenant, w.dataset_id, up.id, 64)
        assert (CONTAINER, blob) not in w.blobs.blobs
    assert datasets.get_dataset(w.store, w.tenant, w.dataset_id).latest_version == 1


@pytest.mark.parametrize("root", ["run", "experiment", "tenant"])
def test_a_collection_that_read_the_run_before_its_delete_leaves_no_series_behind(root: str) -> None:
    """The collector read the run (alive), then the run's delete ran to its end, then the collector wrote: it sees the
    tombstone, removes what it wrote, and the run is NotFound; nothing of the run is left in the series table."""
    w = world()
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    training.prepare(w.store, w.backend, w.tenant, run.id)
    w.backend.advance(RUNS.get(w.store, w.tenant, run.id).data.job_name, 3)
    real = w.backend.logs_since

    def delete_meanwhile(tenant: str, job_name: str, after_seq: int) -> tuple[list[LogLine], int]:
        answer = real(tenant, job_name, after_seq)
        ident = {"run": run.id, "experiment": w.experiment_id, "tenant": w.tenant}[root]
        cascade_to_end(w, cascade.start_delete(w.store, ADMIN, w.tenant, root, ident, None).id)
        return answer

    w.backend.logs_since = delete_meanwhile  # type: ignore[method-assign]
    with pytest.raises(NotFound):
        collect.collect_run(w.store, w.series, w.backend, w.tenant, run.id)
    assert w.series.list_rows(keys.series_partition(w.tenant, run.id), "")[0] == []


def test_a_delete_without_if_match_is_not_refused_because_the_run_wrote_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The training orchestration writes the run (progress, status) all the time: a delete sent without If-Match
    re-reads and tombstones again instead of answering 412; with If-Match the 412 stands."""
    w = world()
    run_id, _ = running_run(w)
    real = w.store.tombstone
    lost: list[bool] = []

    def after_a_write(*args: object, **kwargs: object) -> object:
        if not lost:
            lost.append(True)
            raise ConcurrencyConflict("run was changed by someone else", kind="run", ident=run_id)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(w.store, "tombstone", after_a_write)
    with pytest.raises(ConcurrencyConflict):
        cascade.start_delete(w.store, OWNER, w.tenant, "run", run_id, RUNS.get(w.store, w.tenant, run_id).etag)
    lost.clear()
    op = cascade.start_delete(w.store, OWNER, w.tenant, "run", run_id, None)
    assert lost == [True] and op.status is OperationStatus.RUNNING
    with pytest.raises(NotFound):  # tombstoned: hidden from reads
        RUNS.get(w.store, w.tenant, run_id)
