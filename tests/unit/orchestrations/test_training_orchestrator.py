"""The training orchestrator at generator level: prepare, then the race of the job's event, a Cancel and a timer
(one pending wait per event name, polling with backoff), `continue_as_new` after its waits, finalize at the end."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from functions.orchestrations import names
from functions.orchestrations.training import FIRST_POLL, MAX_POLL, WAITS_PER_EPISODE, training
from tests.unit.orchestrations.fake_context import T0, FakeContext, Task, drive, user_function

ORCHESTRATOR = user_function(training)
JOB = {"tenant": "t1", "runId": "r1"}
RUNNING = {"status": "Running", "terminal": False, "progress": {}, "error": None}
DONE = {"status": "Completed", "terminal": True, "progress": {"percent": 100.0}, "error": None}
CANCELED = {"status": "Canceled", "terminal": True, "progress": {}, "error": None}


class Script:
    """Answers: activity results by name (lists are consumed in order), race winners in order."""

    def __init__(self, winners: list[str], polls: list[dict[str, Any]], prepared: dict[str, Any] = RUNNING) -> None:
        self.winners, self.polls, self.prepared = list(winners), list(polls), prepared
        self.races: list[list[Task]] = []

    def __call__(self, task: Task) -> Any:
        if task.kind == "any":
            self.races.append(task.tasks)
            wanted = self.winners.pop(0)
            return next(t for t in task.tasks if (t.name or t.kind) == wanted)
        if task.name == names.TRAINING_PREPARE:
            return self.prepared
        if task.name in (names.TRAINING_POLL, names.TRAINING_CANCEL):
            return self.polls.pop(0)
        if task.name == names.TRAINING_FINALIZE:
            return {**DONE, "modelId": "m1"}
        raise AssertionError(f"unexpected task {task}")


def test_the_job_event_ends_the_wait_and_the_run_is_finalized() -> None:
    ctx = FakeContext(dict(JOB))
    script = Script([names.JOB_EVENT], [DONE])
    assert drive(ORCHESTRATOR, ctx, script) == {**DONE, "modelId": "m1"}
    assert ctx.names() == [names.TRAINING_PREPARE, names.TRAINING_POLL, names.TRAINING_FINALIZE]
    assert all(t.input == JOB and t.retry for t in ctx.activities)
    assert ctx.timers[0].cancelled and ctx.timers[0].fire_at == T0 + timedelta(seconds=FIRST_POLL)
    assert ctx.statuses == [RUNNING, DONE]


def test_timers_back_off_and_an_event_resets_the_poll() -> None:
    ctx = FakeContext(dict(JOB))
    winners = ["timer", "timer", "timer", names.JOB_EVENT, "timer", names.JOB_EVENT]
    drive(ORCHESTRATOR, ctx, Script(winners, [RUNNING] * 5 + [DONE]))
    delays = [(t.fire_at - T0).total_seconds() for t in ctx.timers]
    assert delays == [2, 4, 8, 16, 2, 4]
    assert [t.cancelled for t in ctx.timers] == [False, False, False, True, False, True]


def test_a_wait_that_lost_a_race_joins_the_next_one() -> None:
    """One pending wait per event name: a fresh wait per loop would leave several pending waits of one name, and an
    arriving event could go to a wait outside the current race and be lost."""
    ctx = FakeContext(dict(JOB))
    script = Script(["timer", "timer", names.JOB_EVENT, "timer", names.CANCEL_EVENT], [RUNNING] * 4 + [CANCELED])
    drive(ORCHESTRATOR, ctx, script)
    events = [r[0] for r in script.races]
    cancels = [r[1] for r in script.races]
    assert events[0] is events[1] is events[2], "the event wait is reused until it wins"
    assert events[3] is not events[2], "then a fresh one replaces it"
    assert all(c is cancels[0] for c in cancels), "the cancel wait never lost its place"
    assert [w.name for w in ctx.waits] == [names.JOB_EVENT, names.CANCEL_EVENT, names.JOB_EVENT]


def test_a_cancel_is_carried_out_and_leaves_the_race() -> None:
    ctx = FakeContext(dict(JOB))
    script = Script([names.CANCEL_EVENT, "timer", names.JOB_EVENT], [RUNNING, RUNNING, CANCELED])
    assert drive(ORCHESTRATOR, ctx, script)["status"] == "Completed"
    assert ctx.names() == [
        names.TRAINING_PREPARE,
        names.TRAINING_CANCEL,
        names.TRAINING_POLL,
        names.TRAINING_POLL,
        names.TRAINING_FINALIZE,
    ]
    assert [len(r) for r in script.races] == [3, 2, 2], "after a cancel only the event and the timer race"
    assert all(t.kind != "event" or t.name != names.CANCEL_EVENT for t in script.races[1])


def test_after_its_waits_the_episode_continues_as_new_with_its_state() -> None:
    ctx = FakeContext({**JOB, "waits": 3})
    assert drive(ORCHESTRATOR, ctx, Script(["timer", "timer", "timer"], [RUNNING] * 3)) is None
    assert ctx.continued_with == {**JOB, "waits": 3, "submitted": True, "poll": 16}
    resumed = FakeContext(ctx.continued_with)  # the next episode does not submit again and keeps the backoff
    drive(ORCHESTRATOR, resumed, Script([names.JOB_EVENT], [DONE]))
    assert resumed.names() == [names.TRAINING_POLL, names.TRAINING_FINALIZE]
    assert (resumed.timers[0].fire_at - T0).total_seconds() == 16


def test_the_default_episode_length_and_the_backoff_cap() -> None:
    ctx = FakeContext(dict(JOB))
    drive(ORCHESTRATOR, ctx, Script(["timer"] * WAITS_PER_EPISODE, [RUNNING] * WAITS_PER_EPISODE))
    assert len(ctx.timers) == WAITS_PER_EPISODE and ctx.continued_with["poll"] == MAX_POLL
    assert max((t.fire_at - T0).total_seconds() for t in ctx.timers) == MAX_POLL


def test_a_job_that_ended_before_the_first_wait_is_finalized_at_once() -> None:
    ctx = FakeContext(dict(JOB))
    drive(ORCHESTRATOR, ctx, Script([], [], prepared=DONE))
    assert ctx.names() == [names.TRAINING_PREPARE, names.TRAINING_FINALIZE] and ctx.waits == []
