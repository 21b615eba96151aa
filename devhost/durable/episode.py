"""One orchestration episode: inbox batch -> SDK handle (the orchestrator invoked in the worker) -> host shim ->
the new picture of the instance, the history to commit and the decisions to carry out. The engine applies the
`Episode` (commit, then decisions): the episode never calls back into the engine, and never changes the instance it
is given; its only effect is the orchestrator's invocation, which is deterministic replay."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from devhost.durable import history as h
from devhost.durable.model import Instance, Message, new_message_id
from devhost.durable.replay import Decision, NonDeterminismError, Shim
from devhost.durable.sdk import DurableFunctions, OrchestratorResult, run_orchestrator

_DONE_BY_ID = {
    h.EventType.TASK_COMPLETED: "TaskScheduledId",
    h.EventType.TASK_FAILED: "TaskScheduledId",
    h.EventType.SUB_ORCHESTRATION_COMPLETED: "TaskScheduledId",
    h.EventType.SUB_ORCHESTRATION_FAILED: "TaskScheduledId",
    h.EventType.TIMER_FIRED: "TimerId",
}


@dataclass
class Episode:
    """What one episode decided. The engine posts `post` first (the next execution's start, persisted before the
    commit), copies `state` onto the instance, commits history[start:] with `message_ids` and `consumed`, then
    carries out `decisions`. `kick`: messages were held back (suspended) and must be delivered next."""

    state: Instance
    start: int
    consumed: list[str]
    message_ids: dict[int, str] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)
    save: bool = True
    kick: bool = False
    post: Message | None = None


def _done_ids(events: list[h.Event]) -> set[tuple[int, int]]:
    return {(e["EventType"], e[_DONE_BY_ID[e["EventType"]]]) for e in events if e["EventType"] in _DONE_BY_ID}


async def run_episode(instance: Instance, functions: DurableFunctions, now: datetime) -> Episode | None:
    """The episode for the instance's inbox (None when the inbox is empty). `instance` is left unchanged."""
    batch = list(instance.inbox)
    if not batch:
        return None
    state = dataclasses.replace(instance, history=list(instance.history))
    consumed: list[str] = []
    fresh: list[tuple[h.Event, str]] = []
    terminate: Message | None = None
    held = False
    seen = _done_ids(state.history)
    for message in batch:
        item = message.event
        if message.kind in ("suspend", "resume", "terminate"):
            consumed.append(message.message_id)
            if state.is_final:
                continue
            if message.kind == "terminate":
                terminate = message
            else:
                state.status = "Suspended" if message.kind == "suspend" else "Running"
            continue
        assert item is not None
        if item["EventType"] == h.EventType.EXECUTION_STARTED and message.execution_id != state.execution_id:
            state.execution_id, state.history, state.input = str(message.execution_id), [], item.get("Input")
            state.status, state.output, seen = "Running", None, set()
            fresh = [(e, mid) for e, mid in fresh if e["EventType"] == h.EventType.EVENT_RAISED]
        if state.status == "Suspended" and item["EventType"] != h.EventType.EXECUTION_STARTED:
            held = True
            continue  # held in the inbox until resumed
        consumed.append(message.message_id)
        stale = message.execution_id not in (None, state.execution_id) or state.is_final
        duplicate = item["EventType"] == h.EventType.EXECUTION_STARTED and bool(state.history)
        key = (item["EventType"], item.get(_DONE_BY_ID.get(item["EventType"], ""), -1))
        if stale or duplicate or key in seen or message.message_id in state.applied:
            continue
        seen.add(key)
        fresh.append((item, message.message_id))
    kick = held and state.status != "Suspended"  # resumed later in this batch: deliver the held events next
    fresh.sort(key=lambda pair: pair[0]["EventType"] != h.EventType.EXECUTION_STARTED)
    start = len(state.history)
    if terminate is not None:
        reason = terminate.reason or ""
        state.history += [
            h.event(h.EventType.ORCHESTRATOR_STARTED, now),
            *(e for e, _ in fresh),  # the batch's other messages are recorded, as DTFx does, but not replayed
            h.event(h.EventType.EXECUTION_TERMINATED, now, Input=reason),
            h.event(h.EventType.EXECUTION_COMPLETED, now, OrchestrationStatus="Terminated", Result=reason),
        ]
        state.status, state.output = "Terminated", reason
        message_ids = {start + 1 + i: mid for i, (_, mid) in enumerate(fresh)}
        return Episode(state, start, consumed, message_ids, kick=kick)
    if not fresh or (not state.history and fresh[0][0]["EventType"] != h.EventType.EXECUTION_STARTED):
        return Episode(state, start, consumed, save=bool(consumed), kick=kick)
    past = [dict(e, IsPlayed=True) for e in state.history]
    episode = [h.event(h.EventType.ORCHESTRATOR_STARTED, now), *(e for e, _ in fresh)]
    result, decisions = await _decide(functions, state, past + episode)
    post = None
    if state.status == "Pending":
        state.status = "Running"
    state.custom_status = result.custom_status
    tail: list[h.Event] = []
    if result.error is not None:
        prefix = (
            "" if result.error.startswith("Non-Deterministic") else f"Orchestrator function '{state.name}' failed: "
        )
        state.status, state.output = "Failed", f"{prefix}{result.error}"
        tail.append(h.event(h.EventType.EXECUTION_COMPLETED, now, OrchestrationStatus="Failed", Result=state.output))
        decisions = []
    elif result.continue_as_new is not None:
        new_exec = uuid.uuid4().hex
        started = h.execution_started(now, state.name, result.continue_as_new.get("input"), state.instance_id, new_exec)
        post = Message(new_message_id(), "event", started, execution_id=new_exec)
        state.status, decisions = "ContinuedAsNew", []
        tail.append(
            h.event(
                h.EventType.EXECUTION_COMPLETED,
                now,
                OrchestrationStatus="ContinuedAsNew",
                Result=result.continue_as_new.get("input"),
            )
        )
    elif result.done:
        state.status, state.output, decisions = "Completed", result.output, []
        tail.append(
            h.event(
                h.EventType.EXECUTION_COMPLETED, now, OrchestrationStatus="Completed", Result=h.dumps(result.output)
            )
        )
    else:
        tail += [d.to_event(now) for d in decisions]
    tail.append(h.event(h.EventType.ORCHESTRATOR_COMPLETED, now))
    state.history += episode + tail
    message_ids = {start + 1 + i: mid for i, (_, mid) in enumerate(fresh)}
    return Episode(state, start, consumed, message_ids, decisions, kick=kick, post=post)


async def _decide(
    functions: DurableFunctions, instance: Instance, events: list[h.Event]
) -> tuple[OrchestratorResult, list[Decision]]:
    function = functions.orchestrators.get(instance.name)
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
    result = await run_orchestrator(functions, function, context)
    if result.error is not None:
        return result, []
    try:
        return result, Shim(instance.instance_id, result.actions).run(events)
    except (NonDeterminismError, NotImplementedError) as exc:
        result.error = str(exc)
        return result, []
