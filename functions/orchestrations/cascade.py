"""The cascading delete: one activity per page of children, `continue_as_new` every 50 pages so the history stays
short, then the root. Interrupted (host restart), it replays and resumes; each step is idempotent."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import azure.durable_functions as df

from domain.services import cascade
from functions import _wiring
from functions.orchestrations import names
from functions.orchestrations.names import CASCADE_FAIL, CASCADE_FINISH, CASCADE_STEP

bp = df.Blueprint()
PAGES_PER_EPISODE = 50
RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=2000, max_number_of_attempts=5)


@bp.orchestration_trigger(context_name="context")
def cascade_delete(context: df.DurableOrchestrationContext) -> Generator[Any, Any, Any]:
    job = context.get_input()
    try:
        for _ in range(PAGES_PER_EPISODE):
            done = yield context.call_activity_with_retry(CASCADE_STEP, RETRY, job)
            if done:
                result = yield context.call_activity_with_retry(CASCADE_FINISH, RETRY, job)
                return result
        context.continue_as_new(job)
        return None
    except Exception as exc:  # an activity failed after its retries: record it on the operation
        yield context.call_activity(CASCADE_FAIL, {**job, "error": str(exc)[:500]})
        raise


@bp.activity_trigger(input_name="job")
def cascade_step(job: names.OperationJob) -> bool:
    return cascade.delete_step(_wiring.store(), job["tenant"], job["operationId"])


@bp.activity_trigger(input_name="job")
def cascade_finish(job: names.OperationJob) -> dict[str, Any]:
    return cascade.finish_delete(_wiring.store(), job["tenant"], job["operationId"]).wire()


@bp.activity_trigger(input_name="job")
def cascade_fail(job: names.FailedOperationJob) -> None:
    cascade.fail_delete(_wiring.store(), job["tenant"], job["operationId"], job["error"])
