"""Downloading a batch job's CSV (`GET .../batchJobs/{id}/output` and `.../outputLink`): not through the Functions
host, which would hold the whole file in memory, but straight from Blob Storage with a short-lived read-only SAS for
that one blob (a user delegation SAS in Azure; ADR 0020). The service checks the job's state and the blob; the URL
names the file `batch-{id}.csv` for a browser's save dialog."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.entities.batch import BatchJobStatus, BatchOutputLink
from domain.errors import Conflict, NotFound
from domain.ports import BlobStore, Store
from domain.records.kinds import BATCH_JOBS

LIFETIME = timedelta(minutes=15)  # as a direct upload's URL (services/uploads.py)


def filename(job_id: str) -> str:
    return f"batch-{job_id}.csv"


def output_link(store: Store, blobs: BlobStore, tenant: str, job_id: str) -> BatchOutputLink:
    """A read-only URL of a Completed job's CSV, valid for LIFETIME (404: no such job, or its CSV is gone; 409:
    the job has not Completed)."""
    job = BATCH_JOBS.get(store, tenant, job_id)
    if job.data.status is not BatchJobStatus.COMPLETED or not job.data.output:
        raise Conflict(f"The batch job is {job.data.status.value}; its output exists once Completed.", target="status")
    container, _, name = job.data.output.partition("/")
    if blobs.size(container, name) is None:
        raise NotFound("output", job_id, message=f"The CSV of batch job '{job_id}' is no longer in Blob Storage.")
    expires = datetime.now(UTC).replace(microsecond=0) + LIFETIME
    return BatchOutputLink(url=blobs.download_url(container, name, expires, filename(job_id)), expires_on=expires)
