"""Submit, read, cancel and delete AutoML jobs. A submit is idempotent: the job name is deterministic
(`spec.job_name`), so the job is read first and a 409 from a concurrent submit returns the existing job."""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import HttpResponseError

from domain.automl.azureml import naming
from domain.automl.azureml.client import Workspace
from domain.automl.azureml.errors import azure_errors
from domain.automl.azureml.job_builder import build_job
from domain.entities.automl import JobInfo, JobStatus, TrainingSpec, parse_status
from domain.entities.automl_rules import check_spec
from domain.errors import NotFound, UpstreamRefused

KIND = "job"


def owned(job: Any, tenant: str, job_name: str) -> Any:
    """The job if it carries `tenant`'s tag; another tenant's (or a foreign) job is NotFound."""
    if (job.tags or {}).get(naming.TAG_TENANT) != tenant:
        raise NotFound(KIND, job_name)
    return job


def enum_text(value: Any) -> str:
    """The SDK's str-enums (`ClassificationPrimaryMetrics.ACCURACY`) as their wire value (`Accuracy`)."""
    return str(getattr(value, "value", value))


def to_info(job: Any) -> JobInfo:
    raw = job.status or "NotStarted"
    status = parse_status(enum_text(raw))  # the SDK returns its own str-enum
    created = getattr(job.creation_context, "created_at", None) if job.creation_context else None
    studio = job.services.get("Studio") if job.services else None
    return JobInfo(
        job_name=job.name,
        status=status,
        error=f"Azure ML reports the job {status.value}; see its logs in the studio."
        if status is JobStatus.FAILED
        else None,
        created_at=created,
        studio_url=getattr(studio, "endpoint", None),
    )


def fetch(ws: Workspace, tenant: str, job_name: str) -> Any:
    with azure_errors(KIND, job_name):
        job = ws.ml.jobs.get(job_name)
    return owned(job, tenant, job_name)


def child_properties(ws: Workspace, run_id: str) -> dict[str, str]:
    """A child run's properties (an AutoML trial's `run_algorithm`, `iteration`, ...): children carry no tenant tag,
    they are reached only through a parent this tenant owns."""
    with azure_errors(KIND, run_id):
        return {str(k): str(v) for k, v in (ws.ml.jobs.get(run_id).properties or {}).items()}


def submit(ws: Workspace, spec: TrainingSpec) -> JobInfo:
    check_spec(spec)
    name = spec.job_name
    try:
        return to_info(fetch(ws, spec.tenant, name))
    except NotFound:
        pass  # absent (or held by another tenant: the create below then answers 409)
    job = build_job(spec, compute=ws.settings.azureml_compute or None)
    try:
        with azure_errors(KIND, name, creating=True):
            return to_info(ws.ml.jobs.create_or_update(job))
    except UpstreamRefused as refused:
        if not isinstance(refused.__cause__, HttpResponseError) or refused.__cause__.status_code != 409:
            raise
        try:  # a concurrent submit of the same run won the race: that is an idempotent hit
            return to_info(fetch(ws, spec.tenant, name))
        except NotFound:
            raise refused from None


def cancel(ws: Workspace, tenant: str, job_name: str) -> JobInfo:
    job = fetch(ws, tenant, job_name)
    info = to_info(job)
    if info.status.terminal or info.status is JobStatus.CANCEL_REQUESTED:
        return info
    with azure_errors(KIND, job_name):
        ws.ml.jobs.begin_cancel(job_name)  # POST .../cancel (202); the poller is not awaited
    return info.model_copy(update={"status": JobStatus.CANCEL_REQUESTED})


def delete(ws: Workspace, tenant: str, job_name: str) -> None:
    """Cancel if running, then delete the job (202, not awaited). An absent job is already deleted."""
    try:
        cancel(ws, tenant, job_name)
        with azure_errors(KIND, job_name):
            ws.ml.jobs.begin_delete(job_name)
    except NotFound:
        return
