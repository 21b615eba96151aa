"""One orchestration episode: inbox batch -> SDK handle -> host shim -> commit -> carry out decisions."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from devhost.durable import history as h
from devhost.durable.model import Instance, Message, new_message_id
from devhost.durable.replay import Decision, NonDeterminismError, Shim
from devhost.durable.sdk import OrchestratorResult, run_orchestrator

if TYPE_CHECKING:
    from devhost.durable.engine import Engine

_DONE_BY_ID = {
    h.EventType.TASK_COMPLETED: "TaskScheduledId",
    h.EventType.TASK_FAILED: "TaskScheduledId",
    h.EventType.SUB_ORCHESTRATION_COMPLETED: "TaskScheduledId",
    h.EventType.SUB_ORCHESTRATION_FAILED: "TaskScheduledId",
    h.EventType.TIMER_FIRED: "TimerId",
}


def _done_ids(events: list[h.Event]) -> set[tuple[int, int]]:
    return {(e["EventType"], e[_DONE_BY_ID[e["EventType"]]]) for e in events if e["EventType"] in _DONE_BY_ID}


async def run_episode(engine: Engine, instance: Instance) -> None:
    batch = list(instance.inbox)
    if not batch:
        return
    now = engine.clock.now()
    consumed: list[str] = []
    fresh: list[tuple[h.Event, str]] = []
    terminate: Message | None = None
    held = False
    seen = _done_ids(instance.history)
    for message in batch:
        item = message.event
        if message.kind in ("suspend", "resume", "terminate"):
            consumed.append(message.message_id)
            if instance.is_final:
                continue
            if message.kind == "terminate":
                terminate = message
            else:
                instance.status = "Suspended" if message.kind == "suspend" else "Running"
            continue
        assert item is not None
        if item["EventType"] == h.EventType.EXECUTION_STARTED and message.execution_id != instance.execution_id:
            instance.execution_id, instance.history, instance.input = str(message.execution_id), [], item.get("Input")
            instance.status, instance.output, seen = "Running", None, set()
            fresh = [(e, mid) for e, mid in fresh if e["EventType"] == h.EventType.EVENT_RAISED]
        if instance.status == "Suspended" and item["EventType"] != h.EventType.EXECUTION_STARTED:
            held = True
            continue  # held in the inbox until resumed
        consumed.append(message.message_id)
        stale = message.execution_id not in (None, instance.execution_id) or instance.is_final
        duplicate = item["EventType"] == h.EventType.EXECUTION_STARTED and bool(instance.history)
        key = (item["EventType"], item.get(_DONE_BY_ID.get(item["EventType"], ""), -1))
        if stale or duplicate or key in seen or message.message_id in instance.applied:
            continue
        seen.add(key)
        fresh.append((item, message.message_id))
    if held and instance.status != "Suspended":
        engine.kick(instance.instance_id)  # resumed later in this batch: deliver the held events next
    fresh.sort(key=lambda pair: pair[0]["EventType"] != h.EventType.EXECUTION_STARTED)
    start = len(instance.history)
    if terminate is not None:
        reason = terminate.reason or ""
        instance.history += [
            h.event(h.EventType.ORCHESTRATOR_STARTED, now),
            *(e for e, _ in fresh),  # the batch's other messages are recorded, as DTFx does, but not replayed
            h.event(h.EventType.EXECUTION_TERMINATED, now, Input=reason),
            h.event(h.EventType.EXECUTION_COMPLETED, now, OrchestrationStatus="Terminated", Result=reason),
        ]
        instance.status, instance.output = "Terminated", reason
        message_ids = {start + 1 + i: mid for i, (_, mid) in enumerate(fresh)}
        await _commit(engine, instance, start, message_ids, consumed, [])
        return
    if not fresh or (not instance.history and fresh[0][0]["EventType"] != h.EventType.EXECUTION_STARTED):
        await _commit(engine, instance, start, {}, consumed, [], save=bool(consumed))
        return
    past = [dict(e, IsPlayed=True) for e in instance.history]
    episode = [h.event(h.EventType.ORCHESTRATOR_STARTED, now), *(e for e, _ in fresh)]
    result, decisions = await _decide(engine, instance, past + episode)
    if instance.status == "Pending":
        instance.status = "Running"
    instance.custom_status = result.custom_status
    tail: list[h.Event] = []
    if result.error is not None:
        prefix = (
            "" if result.error.startswith("Non-Deterministic") else f"Orchestrator function '{instance.name}' failed: "
        )
        instance.status, instance.output = "Failed", f"{prefix}{result.error}"
        tail.append(h.event(h.EventType.EXECUTION_COMPLETED, now, OrchestrationStatus="Failed", Result=instance.output))
        decisions = []
    elif result.continue_as_new is not None:
        new_exec = uuid.uuid4().hex
        started = h.execution_started(
            now, instance.name, result.continue_as_new.get("input"), instance.instance_id, new_exec
        )
        await engine.post(instance.instance_id, Message(new_message_id(), "event", started, execution_id=new_exec))
        instance.status, decisions = "ContinuedAsNew", []
        tail.append(
            h.event(
                h.EventType.EXECUTION_COMPLETED,
                now,
                OrchestrationStatus="ContinuedAsNew",
                Result=result.continue_as_new.get("input"),
            )
        )
    elif result.done:
        instance.status, instance.output, decisions = "Completed", result.output, []
        tail.append(
            h.event(
                h.EventType.EXECUTION_COMPLETED, now, OrchestrationStatus="Completed", Result=h.dumps(result.output)
            )
        )
    else:
        tail += [d.to_event(now) for d in decisions]
    tail.append(h.event(h.EventType.ORCHESTRATOR_COMPLETED, now))
    instance.history += episode + tail
    message_ids = {start + 1 + i: mid for i, (_, mid) in enumerate(fresh)}
    await _commit(engine, instance, start, message_ids, consumed, decisions)


async def _decide(
    engine: Engine, instance: Instance, events: list[h.Event]
) -> tuple[OrchestratorResult, list[Decision]]:
    function = engine.orchestrators.get(instance.name)
    if function is None:
        return OrchestratorResult(
            True, error=f"The function '{instance.name}' doesn't exist or is not an orchestrator."
        ), []
    parent = instance.parent_instance_id
    context: dict[str, Any] = {
        "history": events,
        "input": instance.input,
        "instanceId": instance.instance_id,
        "isReplaying": False,
        "parentInstanceId": parent,
        "upperSchemaVersion": 2,
        "upperSchemaVersionNew": 3,
    }
    result = await run_orchestrator(engine.functions, function, context)
    if result.error is not None:
        return result, []
    try:
        return result, Shim(instance.instance_id, result.actions).run(events)
    except (NonDeterminismError, NotImplementedError) as exc:
        result.error = str(exc)
        return result, []


async def _commit(
    engine: Engine,
    instance: Instance,
    start: int,
    message_ids: dict[int, str],
    consumed: list[str],
    decisions: list[Decision],
    *,
    save: bool = True,
) -> None:
    instance.updated = engine.clock.now()
    if save:
        await engine.store.commit(instance, start, message_ids, consumed)
    done = set(consumed)
    instance.applied |= set(message_ids.values())
    instance.inbox = [m for m in instance.inbox if m.message_id not in done]
    for decision in decisions:
        engine.dispatch(instance, decision)
    if instance.is_final and instance.parent_instance_id:
        engine.spawn(engine.notify_parent(instance))
