"""The cascading delete: one activity per page of children, `continue_as_new` every 50 pages so the history stays
short, then the root. A step that waits (a training job stopping) is asked again after a durable timer.
Interrupted (host restart), it replays and resumes; each step is idempotent."""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import azure.durable_functions as df

from functions import _wiring
from functions._lazy import lazy
from functions.orchestrations import names
from functions.orchestrations.failures import public_errors, public_failure
from functions.orchestrations.names import CASCADE_FAIL, CASCADE_FINISH, CASCADE_STEP

if TYPE_CHECKING:
    from domain.services import cascade, purge
else:
    cascade = lazy("domain.services.cascade")
    purge = lazy("domain.services.purge")

bp = df.Blueprint()
PAGES_PER_EPISODE = 50
RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=2000, max_number_of_attempts=5)


@bp.orchestration_trigger(context_name="context")
def cascade_delete(context: df.DurableOrchestrationContext) -> Generator[Any, Any, Any]:
    job = context.get_input()
    try:
        for _ in range(PAGES_PER_EPISODE):
            step = yield context.call_activity_with_retry(CASCADE_STEP, RETRY, job)
            if step["done"]:
                result = yield context.call_activity_with_retry(CASCADE_FINISH, RETRY, job)
                return result
            if step.get("waiting"):
                yield context.create_timer(context.current_utc_datetime + timedelta(seconds=purge.STOP_WAIT_SECONDS))
        context.continue_as_new(job)
        return None
    except Exception as exc:  # an activity failed after its retries: record it on the operation
        yield context.call_activity(CASCADE_FAIL, {**job, "error": public_failure(exc, 500)})
        raise


@bp.activity_trigger(input_name="job")
@public_errors
def cascade_step(job: names.OperationJob) -> dict[str, Any]:
    step = cascade.delete_step(_wiring.store(), _wiring.cleanup(), job["tenant"], job["operationId"])
    return {"done": not step.deleted and not step.waiting, "deleted": step.deleted, "waiting": step.waiting}


@bp.activity_trigger(input_name="job")
@public_errors
def cascade_finish(job: names.OperationJob) -> dict[str, Any]:
    return cascade.finish_delete(_wiring.store(), _wiring.cleanup(), job["tenant"], job["operationId"]).wire()


@bp.activity_trigger(input_name="job")
@public_errors
def cascade_fail(job: names.FailedOperationJob) -> None:
    cascade.fail_delete(_wiring.store(), job["tenant"], job["operationId"], job["error"])
