"""The batch scoring orchestration (instance id = batch job id): hand the job to the backend, then poll its progress
with a backoff timer until it ends (`continue_as_new` every 30 polls so the history stays short). A job deleted
meanwhile (its model deleted) ends the flow ('Deleted'); a step failing after its retries marks the job Failed."""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import azure.durable_functions as df

from domain.settings import get_settings
from functions import _wiring
from functions._lazy import lazy
from functions.orchestrations import names
from functions.orchestrations.failures import public_errors, public_failure
from functions.orchestrations.starters import BatchInput, batch_job

if TYPE_CHECKING:
    from domain.services import batch
else:
    batch = lazy("domain.services.batch")

bp = df.Blueprint()
RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=2000, max_number_of_attempts=3)
POLLS_PER_EPISODE = 30
FIRST_POLL, MAX_POLL = 1, 15
ENDED = ("Completed", "Failed", "Canceled", "Deleted")


@bp.orchestration_trigger(context_name="context")
def batch_score(context: df.DurableOrchestrationContext) -> Generator[Any, Any, Any]:
    state: BatchInput = context.get_input().copy()
    job = batch_job(state["tenant"], state["jobId"])
    try:
        if not state.get("started"):
            status = yield context.call_activity_with_retry(names.BATCH_START, RETRY, job)
            state |= {"started": True, "poll": FIRST_POLL}
        else:
            status = yield context.call_activity_with_retry(names.BATCH_POLL, RETRY, job)
        for _ in range(POLLS_PER_EPISODE):
            context.set_custom_status(status)
            if status in ENDED:
                return status
            yield context.create_timer(context.current_utc_datetime + timedelta(seconds=state["poll"]))
            status = yield context.call_activity_with_retry(names.BATCH_POLL, RETRY, job)
            state["poll"] = min(state["poll"] * 2, MAX_POLL)
        context.continue_as_new(state)
        return None
    except Exception as exc:
        error = public_failure(exc)
        yield context.call_activity_with_retry(names.BATCH_FAIL, RETRY, {**job, "error": error})
        return {"failed": error}


@bp.activity_trigger(input_name="job")
@public_errors
def batch_start(job: names.BatchJobRef) -> str:
    container = get_settings().datasets_container
    return batch.start(_wiring.store(), _wiring.backend(), container, job["tenant"], job["jobId"])


@bp.activity_trigger(input_name="job")
@public_errors
def batch_poll(job: names.BatchJobRef) -> str:
    container = get_settings().datasets_container
    return batch.poll(_wiring.store(), _wiring.backend(), _wiring.blobs(), container, job["tenant"], job["jobId"])


@bp.activity_trigger(input_name="job")
@public_errors
def batch_fail(job: names.FailedBatchJob) -> None:
    batch.fail(_wiring.store(), job["tenant"], job["jobId"], job["error"])
