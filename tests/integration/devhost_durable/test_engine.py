"""The durable engine on Azurite, driven through the SDK's own replay: each orchestration pattern end to end."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from devhost.durable import VirtualClock
from devhost.durable.history import EventType, event_raised
from devhost.durable.model import Message, new_message_id

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


def kinds(history: list[dict]) -> list[int]:
    return [e["EventType"] for e in history]


async def raise_event(host, instance_id: str, name: str, value: object) -> None:
    item = event_raised(host.clock.now(), name, json.dumps(value))
    await host.engine.post(instance_id, Message(new_message_id(), "event", item))


async def test_activity_chain_completes_with_each_result_in_order(make_host, unique):
    host = await make_host()
    await host.engine.start_new("chain", f"c-{unique}", json.dumps("bob"))
    instance = await host.wait_for(f"c-{unique}", "Completed")
    assert instance.output == ["Hello bob1!", "Hello bob2!", "Hello bob3!"]
    scheduled = [e for e in instance.history if e["EventType"] == EventType.TASK_SCHEDULED]
    assert [(e["EventId"], e["Name"], e["Input"]) for e in scheduled] == [
        (0, "hello", '"bob1"'),
        (1, "hello", '"bob2"'),
        (2, "hello", '"bob3"'),
    ]
    persisted = await host.store.read_history(f"c-{unique}")
    assert persisted == instance.history


async def test_retry_runs_in_the_host_with_a_timer_after_each_failure(make_host, unique):
    clock = VirtualClock()
    started = clock.now()
    host = await make_host(clock)
    key = f"{unique}:2"  # fails twice, succeeds on the third attempt
    await host.engine.start_new("with_retry", f"r-{unique}", json.dumps(key))
    await host.run_until_idle(advance_timers=True)
    instance = await host.wait_for(f"r-{unique}", "Completed")
    assert instance.output == "ok after 3"
    ids = [(e["EventType"], e["EventId"]) for e in instance.history if e["EventType"] in (4, 10)]
    assert ids == [(4, 0), (10, 1), (4, 2), (10, 3), (4, 4)]
    timers = [e for e in instance.history if e["EventType"] == EventType.TIMER_CREATED]
    assert len(timers) == 2
    assert clock.now() - started == timedelta(seconds=10)  # two 5 s retry timers, no real waiting


async def test_retry_exhausted_fails_the_instance_after_the_last_timer(make_host, unique):
    host = await make_host()
    await host.engine.start_new("with_retry", f"rf-{unique}", json.dumps(f"{unique}:9"))
    await host.run_until_idle(advance_timers=True)
    instance = await host.wait_for(f"rf-{unique}", "Failed")
    assert "flaky failure 3" in instance.output
    ids = [(e["EventType"], e["EventId"]) for e in instance.history if e["EventType"] in (4, 10)]
    assert ids == [(4, 0), (10, 1), (4, 2), (10, 3), (4, 4), (10, 5)]


async def test_one_hour_timer_fires_on_the_virtual_clock(make_host, unique):
    clock = VirtualClock()
    host = await make_host(clock)
    await host.engine.start_new("sleeper", f"s-{unique}", None)
    await host.run_until_idle()
    assert host.engine.instances[f"s-{unique}"].status == "Running"
    clock.advance(timedelta(minutes=59))
    await host.run_until_idle()
    assert host.engine.instances[f"s-{unique}"].status == "Running"
    clock.advance(timedelta(minutes=1))
    instance = await host.wait_for(f"s-{unique}", "Completed", limit=5)
    assert instance.output == "woke up"


async def test_external_event_wins_the_race_against_the_timeout(make_host, unique):
    host = await make_host()
    await host.engine.start_new("approval", f"a-{unique}", None)
    await host.run_until_idle()
    assert host.engine.instances[f"a-{unique}"].custom_status == "waiting"
    await raise_event(host, f"a-{unique}", "Approval", {"by": "ann"})
    instance = await host.wait_for(f"a-{unique}", "Completed")
    assert instance.output == {"approved": {"by": "ann"}}


async def test_external_event_raised_before_the_wait_is_buffered(make_host, unique):
    host = await make_host()
    await host.engine.start_new("drifting", f"d-{unique}", None)
    await raise_event(host, f"d-{unique}", "Go", "early")  # lands before the orchestrator waits for it
    instance = await host.wait_for(f"d-{unique}", "Completed")
    assert instance.output == ["Hello 1!", "early"]


async def test_timeout_wins_when_no_event_arrives(make_host, unique):
    clock = VirtualClock()
    host = await make_host(clock)
    await host.engine.start_new("approval", f"t-{unique}", None)
    await host.run_until_idle()
    clock.advance(timedelta(hours=1))
    instance = await host.wait_for(f"t-{unique}", "Completed", limit=5)
    assert instance.output == {"approved": None, "timedOut": True}


async def test_fan_out_fan_in(make_host, unique):
    host = await make_host()
    await host.engine.start_new("fan_out", f"f-{unique}", json.dumps(10))
    instance = await host.wait_for(f"f-{unique}", "Completed")
    assert instance.output == sum(2 * i for i in range(10))
    assert sorted(e["EventId"] for e in instance.history if e["EventType"] == EventType.TASK_SCHEDULED) == list(
        range(10)
    )


async def test_sub_orchestrations_complete_into_the_parent(make_host, unique):
    host = await make_host()
    await host.engine.start_new("parent", f"p-{unique}", None)
    instance = await host.wait_for(f"p-{unique}", "Completed")
    assert instance.output == {"chain": ["Hello kid1!", "Hello kid2!", "Hello kid3!"], "fanOut": 6}
    child = host.engine.instances[f"p-{unique}-child"]
    assert child.status == "Completed" and child.parent_instance_id == f"p-{unique}"


async def test_continue_as_new_restarts_with_fresh_history(make_host, unique):
    host = await make_host()
    await host.engine.start_new("counter", f"n-{unique}", json.dumps({"n": 0}))
    instance = await host.wait_for(f"n-{unique}", "Completed")
    assert instance.output == {"n": 3}
    assert instance.custom_status == {"n": 3}
    assert kinds(instance.history)[:2] == [EventType.ORCHESTRATOR_STARTED, EventType.EXECUTION_STARTED]
    assert EventType.TASK_SCHEDULED not in kinds(instance.history)  # the last execution scheduled nothing


async def test_terminate_stops_a_waiting_instance(make_host, unique):
    host = await make_host()
    await host.engine.start_new("approval", f"x-{unique}", None)
    await host.run_until_idle()
    await host.engine.post(f"x-{unique}", Message(new_message_id(), "terminate", reason="no longer needed"))
    instance = await host.wait_for(f"x-{unique}", "Terminated")
    assert instance.output == "no longer needed"


async def test_replay_that_no_longer_matches_history_fails_as_non_deterministic(make_host, sample_app, unique):
    host = await make_host()
    sample_app.NONDETERMINISTIC["variant"] = "a"
    try:
        await host.engine.start_new("drifting", f"nd-{unique}", None)
        await host.run_until_idle()
        assert host.engine.instances[f"nd-{unique}"].status == "Running"
        sample_app.NONDETERMINISTIC["variant"] = "b"  # a code change between episodes
        await raise_event(host, f"nd-{unique}", "Go", 1)
        instance = await host.wait_for(f"nd-{unique}", "Failed")
    finally:
        sample_app.NONDETERMINISTIC["variant"] = "a"
    assert instance.output.startswith("Non-Deterministic workflow detected")
    assert "sequence ID 0 and name 'hello'" in instance.output


async def test_hundred_orchestrations_started_at_once_all_complete(make_host, unique):
    host = await make_host()
    ids = [f"many-{unique}-{i}" for i in range(100)]
    await asyncio.gather(*(host.engine.start_new("chain", i, json.dumps(i[-2:])) for i in ids))
    done = await asyncio.gather(*(host.wait_for(i, "Completed", limit=120) for i in ids))
    assert all(len(d.output) == 3 for d in done)


async def test_restart_rehydrates_and_resumes_a_waiting_instance(make_host, unique):
    first = await make_host()
    await first.engine.start_new("approval", f"re-{unique}", None)
    await first.run_until_idle()
    await first.stop()
    second = await make_host()
    assert second.engine.instances[f"re-{unique}"].status == "Running"
    await raise_event(second, f"re-{unique}", "Approval", "late")
    instance = await second.wait_for(f"re-{unique}", "Completed")
    assert instance.output == {"approved": "late"}


async def test_events_raised_while_an_activity_runs_are_buffered_until_awaited(
    make_host, unique, tmp_path, monkeypatch
):
    monkeypatch.setenv("DURABLE_APP_BLOCK", str(tmp_path / "block"))
    monkeypatch.setenv("DURABLE_APP_SIDE_EFFECTS", str(tmp_path / "effects"))
    step = f"s{unique}"
    (tmp_path / f"block.{step}").touch()
    host = await make_host()
    instance_id = f"buf-{unique}"
    await host.engine.start_new("step_then_wait", instance_id, json.dumps(step))
    for _ in range(200):
        if (tmp_path / "effects").exists() and f"start {step}" in (tmp_path / "effects").read_text():
            break
        await asyncio.sleep(0.02)
    await raise_event(host, instance_id, "Done", "second")  # raised before `Go`, awaited after it
    await raise_event(host, instance_id, "Go", "first")
    for _ in range(200):  # both events are in the history before the activity finishes
        history = host.engine.instances[instance_id].history
        if [e["EventType"] for e in history].count(EventType.EVENT_RAISED) == 2:
            break
        await asyncio.sleep(0.02)
    assert EventType.TASK_COMPLETED not in kinds(host.engine.instances[instance_id].history)
    (tmp_path / f"block.{step}").unlink()
    instance = await host.wait_for(instance_id, "Completed")
    assert instance.output == [f"{step}-done", "first", "second"]
