"""Downloading a batch job's CSV (`services/batch_output.py`): a read-only URL of that one blob, the job's own CSV,
valid 15 minutes and named `batch-{id}.csv`; refused while the job has not Completed (409), for an unknown job or
another tenant's (404), and when the CSV is gone from Blob Storage (404)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from domain.entities.batch import BatchJobStatus, BatchScoreRequest
from domain.entities.tenancy import TenantCreate
from domain.errors import Conflict, NotFound
from domain.services import batch, batch_output, tenants
from tests.unit.services.kit import ADMIN, CONTAINER, OWNER, World, world
from tests.unit.services.test_deployments import trained


@pytest.fixture
def w() -> World:
    return world()


def submitted(w: World) -> str:
    job = batch.submit(w.store, OWNER, w.tenant, trained(w), BatchScoreRequest(dataset_id=w.dataset_id))
    assert batch.start(w.store, w.backend, CONTAINER, w.tenant, job.id) == "Running"
    return job.id


def end(w: World, job_id: str, status: BatchJobStatus, *, csv: bytes | None = b"a,prediction\n1,x\n") -> str:
    """The backend reports the job ended (with its CSV written when `csv`); the CSV's blob name."""
    name = f"{w.tenant}/batch/{job_id}/predictions.csv"
    if csv is not None:
        w.blobs.put(CONTAINER, name, csv, content_type="text/csv")
    w.backend.set_batch(batch.job_name(job_id), status=status, rows_done=6, output=f"{CONTAINER}/{name}")
    assert batch.poll(w.store, w.backend, w.blobs, CONTAINER, w.tenant, job_id) == status.value
    return name


def test_a_completed_jobs_link_reads_its_own_csv_for_15_minutes(w: World) -> None:
    job_id = submitted(w)
    name = end(w, job_id, BatchJobStatus.COMPLETED)
    before = datetime.now(UTC).replace(microsecond=0)
    link = batch_output.output_link(w.store, w.blobs, w.tenant, job_id)
    after = datetime.now(UTC)
    url = urlsplit(link.url)
    assert url.path == f"/{CONTAINER}/{name}"  # the job's CSV: the fake's URL is /<container>/<blob>
    query = parse_qs(url.query)
    assert query["sp"] == ["r"] and query["rscd"] == [f"batch-{job_id}.csv"]
    assert before + timedelta(minutes=15) <= link.expires_on <= after + timedelta(minutes=15)
    assert link.expires_on.tzinfo is not None and link.expires_on.utcoffset() == timedelta(0)
    assert query["se"] == [link.expires_on.isoformat()]  # the URL expires when the answer says
    assert link.wire() == {"url": link.url, "expiresOn": link.expires_on.isoformat().replace("+00:00", "Z")}


@pytest.mark.parametrize("status", [BatchJobStatus.FAILED, BatchJobStatus.CANCELED])
def test_an_ended_job_without_success_has_no_link(w: World, status: BatchJobStatus) -> None:
    job_id = submitted(w)
    end(w, job_id, status)
    with pytest.raises(Conflict) as refused:
        batch_output.output_link(w.store, w.blobs, w.tenant, job_id)
    assert status.value in str(refused.value) and refused.value.target == "status"


def test_a_job_not_yet_completed_has_no_link(w: World) -> None:
    job = batch.submit(w.store, OWNER, w.tenant, trained(w), BatchScoreRequest(dataset_id=w.dataset_id))
    with pytest.raises(Conflict, match="NotStarted"):
        batch_output.output_link(w.store, w.blobs, w.tenant, job.id)
    assert batch.start(w.store, w.backend, CONTAINER, w.tenant, job.id) == "Running"
    with pytest.raises(Conflict, match="Running"):
        batch_output.output_link(w.store, w.blobs, w.tenant, job.id)


def test_an_unknown_job_or_another_tenants_is_not_found(w: World) -> None:
    job_id = submitted(w)
    end(w, job_id, BatchJobStatus.COMPLETED)
    body = TenantCreate.model_validate({"name": "other", "ownerUserId": OWNER.user_id})
    other = tenants.create_tenant(w.store, ADMIN, body).id
    with pytest.raises(NotFound):
        batch_output.output_link(w.store, w.blobs, other, job_id)
    with pytest.raises(NotFound):
        batch_output.output_link(w.store, w.blobs, w.tenant, "nosuchjob")


def test_a_completed_job_whose_csv_is_gone_is_not_found(w: World) -> None:
    job_id = submitted(w)
    end(w, job_id, BatchJobStatus.COMPLETED, csv=None)
    with pytest.raises(NotFound, match="no longer in Blob Storage"):
        batch_output.output_link(w.store, w.blobs, w.tenant, job_id)
