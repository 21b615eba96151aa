"""The training orchestration (instance id = run id): prepare and submit, then wait for the job's terminal event
raced against a timer (polling with backoff as the fallback), `continue_as_new` every 20 waits so the history stays
short, then record trials, metrics and the outcome. Cancel is an external event."""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import azure.durable_functions as df

from functions import _wiring
from functions._lazy import lazy
from functions.orchestrations import names
from functions.orchestrations.failures import public_errors
from functions.orchestrations.starters import TrainingInput, run_job

if TYPE_CHECKING:
    from domain.services import training as train
else:
    train = lazy("domain.services.training")

bp = df.Blueprint()
RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=2000, max_number_of_attempts=5)
WAITS_PER_EPISODE = 20
FIRST_POLL, MAX_POLL = 2, 60


@bp.orchestration_trigger(context_name="context")
def training(context: df.DurableOrchestrationContext) -> Generator[Any, Any, Any]:
    state: TrainingInput = context.get_input().copy()  # a copy: the loop changes it
    job = run_job(state["tenant"], state["runId"])
    if not state.get("submitted"):
        summary = yield context.call_activity_with_retry(names.TRAINING_PREPARE, RETRY, job)
        context.set_custom_status(summary)
        state |= {"submitted": True, "poll": FIRST_POLL}
        if summary.get("deleted"):  # the run was deleted: its cascade stops and removes the job
            return summary
        if summary["terminal"]:
            return (yield context.call_activity_with_retry(names.TRAINING_FINALIZE, RETRY, job))
    # One pending wait per event name at a time: a wait that lost a race stays pending and joins the next race.
    # (A fresh wait per loop would leave several pending waits of the same name; the SDK hands an arriving event
    # to one of them, not necessarily the one in the current race, and the event is lost.)
    event = context.wait_for_external_event(names.JOB_EVENT)
    cancel = context.wait_for_external_event(names.CANCEL_EVENT)
    for _ in range(int(state.get("waits", WAITS_PER_EPISODE))):  # input override: tests and tuning
        timer = context.create_timer(context.current_utc_datetime + timedelta(seconds=state["poll"]))
        winner = yield context.task_any([event, cancel, timer] if not state.get("cancelled") else [event, timer])
        if winner is not timer:
            timer.cancel()
        if winner is cancel:
            state["cancelled"] = True
            summary = yield context.call_activity_with_retry(names.TRAINING_CANCEL, RETRY, job)
        else:
            summary = yield context.call_activity_with_retry(names.TRAINING_POLL, RETRY, job)
        context.set_custom_status(summary)
        if summary.get("deleted"):
            return summary
        if summary["terminal"]:
            return (yield context.call_activity_with_retry(names.TRAINING_FINALIZE, RETRY, job))
        state["poll"] = FIRST_POLL if winner is event else min(state["poll"] * 2, MAX_POLL)
        if winner is event:
            event = context.wait_for_external_event(names.JOB_EVENT)
    context.continue_as_new(state)
    return None


@bp.activity_trigger(input_name="job")
@public_errors
def training_prepare(job: names.RunJob) -> dict[str, Any]:
    return train.prepare(_wiring.store(), _wiring.backend(), job["tenant"], job["runId"])


@bp.activity_trigger(input_name="job")
@public_errors
def training_poll(job: names.RunJob) -> dict[str, Any]:
    return train.poll(_wiring.store(), _wiring.backend(), job["tenant"], job["runId"])


@bp.activity_trigger(input_name="job")
@public_errors
def training_cancel(job: names.RunJob) -> dict[str, Any]:
    return train.cancel(_wiring.store(), _wiring.backend(), job["tenant"], job["runId"])


@bp.activity_trigger(input_name="job")
@public_errors
def training_finalize(job: names.RunJob) -> dict[str, Any]:
    return train.finalize(_wiring.store(), _wiring.series(), _wiring.backend(), job["tenant"], job["runId"])
