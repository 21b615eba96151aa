"""The deployment orchestration (instance id = operation id): endpoint -> deployment -> wait for provisioning
(timer backoff) -> smoke test -> shift traffic; any failure restores the previous traffic and marks it Failed."""

from __future__ import annotations

from collections.abc import Generator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import azure.durable_functions as df

from functions import _wiring
from functions._lazy import lazy
from functions.orchestrations import names
from functions.orchestrations.failures import public_errors, public_failure

if TYPE_CHECKING:
    from domain.services import deployments as deploy
else:
    deploy = lazy("domain.services.deployments")

bp = df.Blueprint()
RETRY = df.RetryOptions(first_retry_interval_in_milliseconds=2000, max_number_of_attempts=3)
MAX_WAITS = 60


@bp.orchestration_trigger(context_name="context")
def deployment(context: df.DurableOrchestrationContext) -> Generator[Any, Any, Any]:
    job = context.get_input()
    try:
        yield context.call_activity_with_retry(names.DEPLOY_ENDPOINT, RETRY, job)
        yield context.call_activity_with_retry(names.DEPLOY_CREATE, RETRY, job)
        delay = 1
        for _ in range(MAX_WAITS):
            state = yield context.call_activity_with_retry(names.DEPLOY_STATE, RETRY, job)
            if state["state"] == "Succeeded":
                break
            if state["state"] == "Failed":
                raise RuntimeError(f"Provisioning failed: {state.get('error') or 'no reason given'}")
            yield context.create_timer(context.current_utc_datetime + timedelta(seconds=delay))
            delay = min(delay * 2, 30)
        else:
            raise RuntimeError("Provisioning did not finish in time.")
        yield context.call_activity(names.DEPLOY_SMOKE, job)
        return (yield context.call_activity_with_retry(names.DEPLOY_TRAFFIC, RETRY, job))
    except Exception as exc:
        error = public_failure(exc)
        yield context.call_activity_with_retry(names.DEPLOY_FAIL, RETRY, {**job, "error": error})
        return {"failed": error}


@bp.activity_trigger(input_name="job")
@public_errors
def deploy_endpoint(job: names.OperationJob) -> dict[str, Any]:
    return deploy.ensure_endpoint(_wiring.store(), _wiring.backend(), job["tenant"], job["operationId"])


@bp.activity_trigger(input_name="job")
@public_errors
def deploy_create(job: names.OperationJob) -> str:
    return deploy.create_deployment(_wiring.store(), _wiring.backend(), job["tenant"], job["operationId"])


@bp.activity_trigger(input_name="job")
@public_errors
def deploy_state(job: names.OperationJob) -> dict[str, Any]:
    return deploy.provisioning_state(_wiring.store(), _wiring.backend(), job["tenant"], job["operationId"])


@bp.activity_trigger(input_name="job")
@public_errors
def deploy_smoke(job: names.OperationJob) -> int:
    return deploy.smoke_test(_wiring.store(), _wiring.backend(), _wiring.blobs(), job["tenant"], job["operationId"])


@bp.activity_trigger(input_name="job")
@public_errors
def deploy_traffic(job: names.OperationJob) -> dict[str, int]:
    return deploy.shift_traffic(_wiring.store(), _wiring.backend(), job["tenant"], job["operationId"])


@bp.activity_trigger(input_name="job")
@public_errors
def deploy_fail(job: names.FailedOperationJob) -> None:
    deploy.fail(_wiring.store(), _wiring.backend(), job["tenant"], job["operationId"], job["error"])
