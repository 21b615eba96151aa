"""Batch scoring on the memory backend with a fake AutoML backend: what a submission checks (and that a refused one
writes nothing), the job's progress and output, and the cascades (a job's own delete, its model's delete)."""

from __future__ import annotations

import pytest

from domain.entities.batch import BatchJobsQuery, BatchJobStatus, BatchScoreRequest
from domain.entities.operations import OperationKind, OperationStatus
from domain.entities.queries import OperationsQuery
from domain.entities.tenancy import Quotas
from domain.errors import Conflict, NotFound, QuotaExceeded, ValidationFailed
from domain.records.kinds import BATCH_JOBS, TENANTS
from domain.services import batch, batch_output, cascade, datasets, operations
from tests.unit.services.kit import CONTAINER, OWNER, World, person, world
from tests.unit.services.test_deployments import trained


@pytest.fixture
def w() -> World:
    return world()


def request(dataset_id: str, version: int | None = None) -> BatchScoreRequest:
    return BatchScoreRequest(dataset_id=dataset_id, dataset_version=version)


def upload(w: World, name: str, data: bytes) -> str:
    ds = datasets.create_from_upload(
        w.store, w.blobs, CONTAINER, OWNER, w.tenant, name=name, description=None, data=data, max_bytes=1 << 20
    )
    return ds.id


def nothing_written(w: World) -> None:
    assert BATCH_JOBS.list(w.store, w.tenant, top=10, include_deleted=True)[0] == []
    ops, _ = operations.list_operations(w.store, w.tenant, OperationsQuery.model_validate({"kind": "batchScore"}))
    assert ops == []


def test_a_job_runs_records_its_progress_and_its_output(w: World) -> None:
    model_id = trained(w)
    job = batch.submit(w.store, OWNER, w.tenant, model_id, request(w.dataset_id))
    assert job.status is BatchJobStatus.NOT_STARTED and job.progress.rows_total == 6 and job.output_url is None
    assert (job.model_id, job.dataset_version, job.model_version) == (model_id, 1, 1)
    op = operations.get_operation(w.store, w.tenant, job.id)
    assert op.kind is OperationKind.BATCH_SCORE and op.target.endswith(f"/batchJobs/{job.id}")

    assert batch.start(w.store, w.backend, CONTAINER, w.tenant, job.id) == "Running"
    name = batch.job_name(job.id)
    assert w.backend.batches[name][1] == f"{CONTAINER}/{w.tenant}/batch/{job.id}/predictions.csv"
    w.backend.set_batch(name, rows_done=3)
    assert batch.poll(w.store, w.backend, w.blobs, CONTAINER, w.tenant, job.id) == "Running"
    running = batch.get_batch_job(w.store, w.tenant, job.id)
    assert (running.progress.rows_done, running.progress.percent) == (3, 50.0) and running.started_at is not None
    with pytest.raises(Conflict):
        batch_output.output_link(w.store, w.blobs, w.tenant, job.id)

    csv = b"a,b,label,prediction\n1,2.5,x,x\n"
    w.blobs.put(CONTAINER, f"{w.tenant}/batch/{job.id}/predictions.csv", csv, content_type="text/csv")
    output = f"{CONTAINER}/{w.tenant}/batch/{job.id}/predictions.csv"
    w.backend.set_batch(name, status=BatchJobStatus.COMPLETED, rows_done=6, output=output, columns=("a", "prediction"))
    assert batch.poll(w.store, w.backend, w.blobs, CONTAINER, w.tenant, job.id) == "Completed"
    done = batch.get_batch_job(w.store, w.tenant, job.id)
    assert done.status is BatchJobStatus.COMPLETED and done.progress.percent == 100.0 and done.ended_at is not None
    assert done.output_url == f"/api/v1/tenants/{w.tenant}/batchJobs/{job.id}/output"
    assert done.output_columns == ["a", "prediction"]
    link = batch_output.output_link(w.store, w.blobs, w.tenant, job.id)
    assert link.url.split("?")[0].endswith(f"/{output}") and w.blobs.get(*output.split("/", 1)) == csv
    assert operations.get_operation(w.store, w.tenant, job.id).status is OperationStatus.SUCCEEDED
    # an ended job never moves again
    w.backend.set_batch(name, status=BatchJobStatus.FAILED)
    assert batch.poll(w.store, w.backend, w.blobs, CONTAINER, w.tenant, job.id) == "Completed"
    listed, _ = batch.list_batch_jobs(w.store, w.tenant, BatchJobsQuery.model_validate({"modelId": model_id}))
    assert [j.id for j in listed] == [job.id]


def test_a_dataset_without_the_models_columns_is_refused_naming_them(w: World) -> None:
    model_id = trained(w)
    other = upload(w, "other", b"a,c\n1,x\n2,y\n")
    with pytest.raises(ValidationFailed) as info:
        batch.submit(w.store, OWNER, w.tenant, model_id, request(other))
    assert "b" in info.value.message and [d.target for d in info.value.details] == ["b"]
    assert info.value.details[0].code == "MissingColumn"
    nothing_written(w)


def test_a_column_of_the_wrong_type_is_refused_naming_it(w: World) -> None:
    model_id = trained(w)
    other = upload(w, "words", b"a,b\none,2.5\ntwo,3.5\n")
    with pytest.raises(ValidationFailed) as info:
        batch.submit(w.store, OWNER, w.tenant, model_id, request(other))
    assert [(d.code, d.target) for d in info.value.details] == [("WrongType", "a")]
    assert "string" in info.value.details[0].message and "integer" in info.value.details[0].message
    nothing_written(w)


def test_an_unknown_dataset_or_version_is_a_bad_input(w: World) -> None:
    model_id = trained(w)
    with pytest.raises(ValidationFailed) as info:
        batch.submit(w.store, OWNER, w.tenant, model_id, request("nope"))
    assert info.value.target == "datasetId"
    with pytest.raises(ValidationFailed) as info:
        batch.submit(w.store, OWNER, w.tenant, model_id, request(w.dataset_id, 9))
    assert info.value.target == "datasetVersion"
    nothing_written(w)


def test_the_rows_per_job_quota_refuses_a_larger_dataset(w: World) -> None:
    model_id = trained(w)
    TENANTS.update(w.store, w.tenant, w.tenant, {"quotas": Quotas(max_batch_rows=5)}, actor="admin")
    with pytest.raises(QuotaExceeded) as info:
        batch.submit(w.store, OWNER, w.tenant, model_id, request(w.dataset_id))
    assert info.value.target == "maxBatchRows" and "6 rows" in info.value.message
    nothing_written(w)


def test_deleting_the_model_removes_its_jobs_and_outputs_and_refuses_new_ones(w: World) -> None:
    model_id = trained(w)
    job = batch.submit(w.store, OWNER, w.tenant, model_id, request(w.dataset_id))
    batch.start(w.store, w.backend, CONTAINER, w.tenant, job.id)
    w.blobs.put(CONTAINER, f"{w.tenant}/batch/{job.id}/predictions.csv", b"x\n", content_type="text/csv")
    assert len(w.backend.models) == 1
    batch.delete_model(w.store, w.backend, w.blobs, CONTAINER, OWNER, w.tenant, model_id, None)
    with pytest.raises(NotFound):
        batch.get_batch_job(w.store, w.tenant, job.id)
    assert w.backend.batches == {} and not any("/batch/" in name for _, name in w.blobs.blobs)
    assert w.backend.models == []  # its artifact too
    with pytest.raises(NotFound):
        batch.submit(w.store, OWNER, w.tenant, model_id, request(w.dataset_id))
    assert operations.get_operation(w.store, w.tenant, job.id).status is OperationStatus.CANCELED
    # the orchestration of the deleted job ends at its next poll
    assert batch.poll(w.store, w.backend, w.blobs, CONTAINER, w.tenant, job.id) == "Deleted"


def test_a_job_deleted_while_it_runs_is_stopped_and_its_output_removed(w: World) -> None:
    model_id = trained(w)
    job = batch.submit(w.store, OWNER, w.tenant, model_id, request(w.dataset_id))
    batch.start(w.store, w.backend, CONTAINER, w.tenant, job.id)
    w.blobs.put(CONTAINER, f"{w.tenant}/batch/{job.id}/predictions.csv", b"x\n", content_type="text/csv")
    batch.delete_batch_job(w.store, w.backend, w.blobs, CONTAINER, OWNER, w.tenant, job.id, None)
    assert w.backend.batches == {} and not any("/batch/" in name for _, name in w.blobs.blobs)
    assert batch.poll(w.store, w.backend, w.blobs, CONTAINER, w.tenant, job.id) == "Deleted"
    with pytest.raises(NotFound):
        batch.delete_batch_job(w.store, w.backend, w.blobs, CONTAINER, OWNER, w.tenant, job.id, None)


def test_a_failed_step_marks_the_job_failed(w: World) -> None:
    model_id = trained(w)
    job = batch.submit(w.store, OWNER, w.tenant, model_id, request(w.dataset_id))
    batch.fail(w.store, w.tenant, job.id, "the worker crashed")
    failed = batch.get_batch_job(w.store, w.tenant, job.id)
    assert failed.status is BatchJobStatus.FAILED and failed.error == "the worker crashed"
    assert operations.get_operation(w.store, w.tenant, job.id).status is OperationStatus.FAILED


def test_a_tenants_delete_stops_its_batch_jobs_and_removes_their_outputs(w: World) -> None:
    model_id = trained(w)
    jobs = [batch.submit(w.store, OWNER, w.tenant, model_id, request(w.dataset_id)) for _ in range(2)]
    for job in jobs:
        batch.start(w.store, w.backend, CONTAINER, w.tenant, job.id)
        w.blobs.put(CONTAINER, f"{w.tenant}/batch/{job.id}/predictions.csv", b"x\n", content_type="text/csv")
    op = cascade.start_delete(w.store, person("admin", admin=True), w.tenant, "tenant", w.tenant, None)
    steps = 0
    while (step := cascade.delete_step(w.store, w.cleanup(), w.tenant, op.id)).deleted or step.waiting:
        steps += 1
        assert steps < 50
    cascade.finish_delete(w.store, w.cleanup(), w.tenant, op.id)
    assert w.backend.batches == {}  # stopped and removed in the backend
    assert not [name for _, name in w.blobs.blobs if name.startswith(f"{w.tenant}/")]
    assert w.store.list_rows(w.tenant, "", top=10)[0] == []


def test_a_job_deleted_before_it_started_is_never_handed_to_the_backend(w: World) -> None:
    model_id = trained(w)
    job = batch.submit(w.store, OWNER, w.tenant, model_id, request(w.dataset_id))
    batch.delete_batch_job(w.store, w.backend, w.blobs, CONTAINER, OWNER, w.tenant, job.id, None)
    assert batch.start(w.store, w.backend, CONTAINER, w.tenant, job.id) == "Deleted"
    assert w.backend.batches == {}
