"""Golden replays: histories shaped like the SDK's own test suite (tests/test_utils/ContextBuilder.py), run through
the orchestrator in the worker library (the SDK's real replay) and the host shim; the decisions (kind, sequence id,
name) must be what the Durable extension would schedule next."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from devhost.durable import history as h
from devhost.durable.history import EventType
from devhost.durable.replay import NonDeterminismError, Shim
from devhost.durable.sdk import DurableFunctions, OrchestratorResult, run_orchestrator

pytestmark = pytest.mark.asyncio
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class History:
    """A ContextBuilder-like history: each episode starts with OrchestratorStarted one second later."""

    def __init__(self, name: str, input_: Any = None) -> None:
        self.now = T0
        self.events: list[h.Event] = [h.event(EventType.ORCHESTRATOR_STARTED, T0)]
        self.events.append(h.execution_started(T0, name, None if input_ is None else json.dumps(input_), "i1", "e1"))

    def episode(self) -> History:
        self.now += timedelta(seconds=1)
        self.events += [
            h.event(EventType.ORCHESTRATOR_COMPLETED, self.now),
            h.event(EventType.ORCHESTRATOR_STARTED, self.now),
        ]
        return self

    def add(self, kind: EventType, event_id: int = -1, **fields: Any) -> History:
        self.events.append(h.event(kind, self.now, event_id, **fields))
        return self


async def replay(functions: DurableFunctions, name: str, history: History) -> tuple[OrchestratorResult, list[tuple]]:
    context = {
        "history": history.events,
        "input": history.events[1]["Input"],
        "instanceId": "i1",
        "isReplaying": False,
        "parentInstanceId": None,
        "upperSchemaVersion": 2,
        "upperSchemaVersionNew": 3,
    }
    result = await run_orchestrator(functions, functions.orchestrators[name], context)
    decisions = [] if result.done else Shim("i1", result.actions).run(history.events)
    return result, [(d.kind, d.event_id, d.name or d.fire_at) for d in decisions]


async def test_activity_chain_schedules_the_next_activity_with_the_next_id(orchestrators):
    history = History("chain", "bob")
    assert (await replay(orchestrators, "chain", history))[1] == [("task", 0, "hello")]
    history.add(EventType.TASK_SCHEDULED, 0, Name="hello", Input='"bob1"').episode()
    history.add(EventType.TASK_COMPLETED, TaskScheduledId=0, Result='"Hello bob1!"')
    assert (await replay(orchestrators, "chain", history))[1] == [("task", 1, "hello")]


async def test_retry_schedules_a_host_timer_after_a_failure_then_the_next_attempt(orchestrators):
    history = History("with_retry", "k:1")
    assert (await replay(orchestrators, "with_retry", history))[1] == [("task", 0, "flaky")]
    history.add(EventType.TASK_SCHEDULED, 0, Name="flaky").episode()
    history.add(EventType.TASK_FAILED, TaskScheduledId=0, Reason="boom", Details="trace")
    assert (await replay(orchestrators, "with_retry", history))[1] == [("timer", 1, history.now + timedelta(seconds=5))]
    fire_at = h.fmt_time(history.now + timedelta(seconds=5))
    history.add(EventType.TIMER_CREATED, 1, FireAt=fire_at).episode().add(
        EventType.TIMER_FIRED, TimerId=1, FireAt=fire_at
    )
    assert (await replay(orchestrators, "with_retry", history))[1] == [("task", 2, "flaky")]
    history.add(EventType.TASK_SCHEDULED, 2, Name="flaky").episode()
    history.add(EventType.TASK_COMPLETED, TaskScheduledId=2, Result='"ok"')
    result, _ = await replay(orchestrators, "with_retry", history)
    assert result.done and result.output == "ok"


async def test_fan_out_of_retried_activities_numbers_timers_after_the_tasks(orchestrators):
    history = History("retry_fan_out", ["a:1", "b:1", "c:0"])
    assert (await replay(orchestrators, "retry_fan_out", history))[1] == [("task", i, "flaky") for i in range(3)]
    for i in range(3):
        history.add(EventType.TASK_SCHEDULED, i, Name="flaky")
    history.episode()
    history.add(EventType.TASK_FAILED, TaskScheduledId=0, Reason="x", Details="")
    history.add(EventType.TASK_FAILED, TaskScheduledId=1, Reason="x", Details="")
    history.add(EventType.TASK_COMPLETED, TaskScheduledId=2, Result='"c"')
    _, decisions = await replay(orchestrators, "retry_fan_out", history)
    assert [(k, i) for k, i, _ in decisions] == [("timer", 3), ("timer", 4)]
    fire_at = h.fmt_time(history.now + timedelta(seconds=1))
    history.add(EventType.TIMER_CREATED, 3, FireAt=fire_at).add(EventType.TIMER_CREATED, 4, FireAt=fire_at).episode()
    history.add(EventType.TIMER_FIRED, TimerId=3, FireAt=fire_at).add(EventType.TIMER_FIRED, TimerId=4, FireAt=fire_at)
    assert (await replay(orchestrators, "retry_fan_out", history))[1] == [("task", 5, "flaky"), ("task", 6, "flaky")]
    history.add(EventType.TASK_SCHEDULED, 5, Name="flaky").add(EventType.TASK_SCHEDULED, 6, Name="flaky").episode()
    history.add(EventType.TASK_COMPLETED, TaskScheduledId=5, Result='"a"')
    history.add(EventType.TASK_COMPLETED, TaskScheduledId=6, Result='"b"')
    result, _ = await replay(orchestrators, "retry_fan_out", history)
    assert result.done and result.output == ["a", "b", "c"]


async def test_timer_takes_an_id_and_fires_into_completion(orchestrators):
    history = History("sleeper")
    assert (await replay(orchestrators, "sleeper", history))[1] == [("timer", 0, T0 + timedelta(hours=1))]
    fire_at = h.fmt_time(T0 + timedelta(hours=1))
    history.add(EventType.TIMER_CREATED, 0, FireAt=fire_at).episode().add(
        EventType.TIMER_FIRED, TimerId=0, FireAt=fire_at
    )
    result, _ = await replay(orchestrators, "sleeper", history)
    assert result.done and result.output == "woke up"


async def test_external_event_takes_no_id_and_beats_the_timeout(orchestrators):
    history = History("approval")
    assert (await replay(orchestrators, "approval", history))[1] == [("timer", 0, T0 + timedelta(hours=1))]
    history.add(EventType.TIMER_CREATED, 0, FireAt=h.fmt_time(T0 + timedelta(hours=1))).episode()
    history.add(EventType.EVENT_RAISED, Name="Approval", Input='"yes"')
    result, decisions = await replay(orchestrators, "approval", history)
    assert result.done and result.output == {"approved": "yes"} and decisions == []
    canceled = [a for a in result.actions[0]["compoundActions"] if a["actionType"] == 5]
    assert canceled[0]["isCanceled"] is True  # the cancelled timer stays in the action list


async def test_fan_out_schedules_every_activity_at_once(orchestrators):
    history = History("fan_out", 4)
    assert (await replay(orchestrators, "fan_out", history))[1] == [("task", i, "double") for i in range(4)]
    for i in range(4):
        history.add(EventType.TASK_SCHEDULED, i, Name="double")
    history.episode()
    for i in (3, 1, 0, 2):  # completions arrive in any order
        history.add(EventType.TASK_COMPLETED, TaskScheduledId=i, Result=json.dumps(2 * i))
    result, _ = await replay(orchestrators, "fan_out", history)
    assert result.done and result.output == 12


async def test_sub_orchestration_gets_an_id_and_its_instance_id(orchestrators):
    history = History("parent")
    assert (await replay(orchestrators, "parent", history))[1] == [("sub", 0, "chain")]
    history.add(EventType.SUB_ORCHESTRATION_CREATED, 0, Name="chain", InstanceId="i1-child").episode()
    history.add(EventType.SUB_ORCHESTRATION_COMPLETED, TaskScheduledId=0, Result='["a"]')
    assert (await replay(orchestrators, "parent", history))[1] == [("sub", 1, "fan_out")]


async def test_continue_as_new_returns_the_next_input(orchestrators):
    history = History("counter", {"n": 1})
    history.add(EventType.TASK_SCHEDULED, 0, Name="double").episode()
    history.add(EventType.TASK_COMPLETED, TaskScheduledId=0, Result="2")
    result, _ = await replay(orchestrators, "counter", history)
    assert result.continue_as_new is not None
    assert json.loads(result.continue_as_new["input"]) == {"n": 2}


async def test_history_that_no_longer_matches_the_code_is_a_non_determinism_error(orchestrators):
    history = History("chain", "bob")
    history.add(EventType.TASK_SCHEDULED, 0, Name="goodbye").episode()
    history.add(EventType.TASK_COMPLETED, TaskScheduledId=0, Result='"x"')
    with pytest.raises(NonDeterminismError, match="sequence ID 0 and name 'goodbye'"):
        await replay(orchestrators, "chain", history)


async def test_history_with_a_timer_where_the_code_now_calls_an_activity_is_non_deterministic(orchestrators):
    history = History("chain", "bob")
    history.add(EventType.TIMER_CREATED, 0, FireAt=h.fmt_time(T0)).episode()
    with pytest.raises(
        NonDeterminismError,
        match=r"scheduled a timer task with sequence ID 0.*produced a ScheduleTaskOrchestratorAction",
    ):
        await replay(orchestrators, "chain", history)
