"""The deployment and cascade orchestrators at generator level: the order of their activities, the provisioning
wait with backoff, `continue_as_new` every 50 cascade pages, and what a failure records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.services.purge import STOP_WAIT_SECONDS
from functions.orchestrations import names
from functions.orchestrations.cascade import PAGES_PER_EPISODE, cascade_delete
from functions.orchestrations.deployment import MAX_WAITS, deployment
from tests.unit.orchestrations.fake_context import T0, Failure, FakeContext, Task, drive, user_function

DEPLOY = user_function(deployment)
CASCADE = user_function(cascade_delete)
JOB = {"tenant": "t1", "operationId": "op1"}


def deployment_answers(states: list[str], fail: dict[str, Exception] | None = None) -> Any:
    states = list(states)

    def answer(task: Task) -> Any:
        if task.kind == "timer":
            return None
        if fail and task.name in fail:
            return Failure(fail[task.name])
        if task.name == names.DEPLOY_STATE:
            return {"state": states.pop(0), "error": "quota exhausted"}
        return {
            names.DEPLOY_ENDPOINT: {"traffic": {}},
            names.DEPLOY_CREATE: "Creating",
            names.DEPLOY_SMOKE: 5,
            names.DEPLOY_TRAFFIC: {"blue": 100},
            names.DEPLOY_FAIL: None,
        }[task.name]

    return answer


def test_a_deployment_waits_for_provisioning_with_backoff_then_shifts_traffic() -> None:
    ctx = FakeContext(dict(JOB))
    result = drive(DEPLOY, ctx, deployment_answers(["Creating", "Creating", "Creating", "Succeeded"]))
    assert result == {"blue": 100}
    assert ctx.names() == [
        names.DEPLOY_ENDPOINT,
        names.DEPLOY_CREATE,
        *[names.DEPLOY_STATE] * 4,
        names.DEPLOY_SMOKE,
        names.DEPLOY_TRAFFIC,
    ]
    assert [(t.fire_at - T0) for t in ctx.timers] == [timedelta(seconds=s) for s in (1, 2, 4)]
    assert not next(t for t in ctx.activities if t.name == names.DEPLOY_SMOKE).retry, "a smoke test is not retried"


def test_failed_provisioning_is_recorded_and_restores_the_traffic() -> None:
    ctx = FakeContext(dict(JOB))
    result = drive(DEPLOY, ctx, deployment_answers(["Creating", "Failed"]))
    assert result == {"failed": "Provisioning failed: quota exhausted"}
    assert ctx.names()[-1] == names.DEPLOY_FAIL
    assert ctx.activities[-1].input == {**JOB, "error": "Provisioning failed: quota exhausted"}
    assert names.DEPLOY_TRAFFIC not in ctx.names()


def test_a_failed_activity_reaches_the_user_without_the_sdks_wrapping() -> None:
    ctx = FakeContext(dict(JOB))
    boom = Exception("Activity function 'deploy_smoke' failed: 2 predictions for 5 rows")
    result = drive(DEPLOY, ctx, deployment_answers(["Succeeded"], fail={names.DEPLOY_SMOKE: boom}))
    assert result == {"failed": "2 predictions for 5 rows"}
    assert ctx.activities[-1].input["error"] == "2 predictions for 5 rows"


def test_provisioning_that_never_ends_fails_after_its_waits() -> None:
    ctx = FakeContext(dict(JOB))
    result = drive(DEPLOY, ctx, deployment_answers(["Creating"] * MAX_WAITS))
    assert result == {"failed": "Provisioning did not finish in time."}
    assert len(ctx.timers) == MAX_WAITS and max(t.fire_at - T0 for t in ctx.timers) == timedelta(seconds=30)


PAGE = {"done": False, "deleted": 98, "waiting": None}
DONE = {"done": True, "deleted": 0, "waiting": None}


def test_a_cascade_steps_until_done_then_finishes() -> None:
    ctx = FakeContext(dict(JOB))
    steps = [PAGE, PAGE, DONE]
    result = drive(CASCADE, ctx, lambda t: steps.pop(0) if t.name == names.CASCADE_STEP else {"status": "Succeeded"})
    assert result == {"status": "Succeeded"}
    assert ctx.names() == [names.CASCADE_STEP] * 3 + [names.CASCADE_FINISH] and ctx.continued_with is None
    assert ctx.timers == []  # pages follow each other without waiting


def test_a_cascade_waits_on_a_durable_timer_while_a_job_stops() -> None:
    ctx = FakeContext(dict(JOB))
    waiting = {"done": False, "deleted": 0, "waiting": "stopping the training job of run r1"}
    steps = [waiting, waiting, PAGE, DONE]
    drive(CASCADE, ctx, lambda t: steps.pop(0) if t.name == names.CASCADE_STEP else {"status": "Succeeded"})
    assert ctx.names() == [names.CASCADE_STEP] * 4 + [names.CASCADE_FINISH]
    assert len(ctx.timers) == 2 and all(t.fire_at - T0 == timedelta(seconds=STOP_WAIT_SECONDS) for t in ctx.timers)


def test_a_long_cascade_continues_as_new_every_50_pages() -> None:
    ctx = FakeContext(dict(JOB))
    assert drive(CASCADE, ctx, lambda t: PAGE) is None
    assert ctx.names() == [names.CASCADE_STEP] * PAGES_PER_EPISODE and ctx.continued_with == JOB


def test_a_cascade_that_fails_records_it_and_fails() -> None:
    ctx = FakeContext(dict(JOB))

    def answer(task: Task) -> Any:
        return Failure(RuntimeError("Table Storage is unavailable")) if task.name == names.CASCADE_STEP else None

    with pytest.raises(RuntimeError, match="unavailable"):
        drive(CASCADE, ctx, answer)
    assert ctx.names() == [names.CASCADE_STEP, names.CASCADE_FAIL]
    assert ctx.activities[-1].input == {**JOB, "error": "Table Storage is unavailable"}
