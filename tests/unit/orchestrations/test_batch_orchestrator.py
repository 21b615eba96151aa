"""The batch scoring orchestrator at generator level: start, then polls with a growing timer until the job ends;
`continue_as_new` after its polls per episode (without starting again); a deleted job ends it; a failure is recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from functions.orchestrations import names
from functions.orchestrations.batch import MAX_POLL, POLLS_PER_EPISODE, batch_score
from tests.unit.orchestrations.fake_context import T0, Failure, FakeContext, Task, drive, user_function

BATCH = user_function(batch_score)
JOB = {"tenant": "t1", "jobId": "b1"}


def answers(statuses: list[str], fail: Exception | None = None) -> Any:
    statuses = list(statuses)

    def answer(task: Task) -> Any:
        if task.kind == "timer":
            return None
        if task.name == names.BATCH_FAIL:
            return None
        if fail is not None and task.name == names.BATCH_POLL:
            return Failure(fail)
        return statuses.pop(0)

    return answer


def test_it_starts_the_job_then_polls_with_backoff_until_it_ends() -> None:
    ctx = FakeContext(dict(JOB))
    assert drive(BATCH, ctx, answers(["Running", "Running", "Running", "Completed"])) == "Completed"
    assert ctx.names() == [names.BATCH_START, names.BATCH_POLL, names.BATCH_POLL, names.BATCH_POLL]
    assert all(t.input == JOB and t.retry for t in ctx.activities)
    assert [(t.fire_at - T0) for t in ctx.timers] == [timedelta(seconds=s) for s in (1, 2, 4)]
    assert ctx.statuses[-1] == "Completed" and ctx.continued_with is None


def test_a_job_that_ended_at_its_start_is_not_polled() -> None:
    ctx = FakeContext(dict(JOB))
    assert drive(BATCH, ctx, answers(["Failed"])) == "Failed"
    assert ctx.names() == [names.BATCH_START] and ctx.timers == []


def test_a_long_job_continues_as_new_without_starting_again() -> None:
    ctx = FakeContext(dict(JOB))
    assert drive(BATCH, ctx, answers(["Running"] * (POLLS_PER_EPISODE + 1))) is None
    assert ctx.continued_with["started"] is True and ctx.continued_with["poll"] == MAX_POLL
    second = FakeContext(dict(ctx.continued_with))
    assert drive(BATCH, second, answers(["Running", "Deleted"])) == "Deleted"
    assert second.names() == [names.BATCH_POLL, names.BATCH_POLL]
    assert [(t.fire_at - T0) for t in second.timers] == [timedelta(seconds=MAX_POLL)]


def test_a_step_failing_after_its_retries_marks_the_job_failed() -> None:
    ctx = FakeContext(dict(JOB))
    error = RuntimeError("Activity function 'batch_poll' failed: NotFound: blob gone")
    assert drive(BATCH, ctx, answers(["Running"], fail=error)) == {"failed": "blob gone"}
    failed = ctx.activities[-1]
    assert failed.name == names.BATCH_FAIL and failed.input == {**JOB, "error": "blob gone"}
