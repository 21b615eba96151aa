"""The durable engine: instances, inbox batching, one episode per instance at a time, activities and timers.

Each episode (`episode.run_episode`, a pure function): take the instance's inbox, build the context JSON (history +
OrchestratorStarted + new events), run the orchestrator through the SDK handle, replay its actions with the host shim
to get numbered decisions. The engine then applies it: commit history and status to the store, then carry the
decisions out (activities, timers, sub-orchestrations).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Coroutine
from typing import Any

from devhost.durable import history as h
from devhost.durable.clock import Clock
from devhost.durable.episode import run_episode
from devhost.durable.model import Instance, Message, new_message_id
from devhost.durable.replay import Decision
from devhost.durable.sdk import DurableFunctions, run_activity
from devhost.durable.store import TableStore

log = logging.getLogger("devhost.durable")


class Engine:
    def __init__(self, functions: DurableFunctions, store: TableStore, clock: Clock) -> None:
        self.functions = functions
        self.orchestrators, self.activities = functions.orchestrators, functions.activities
        self.store, self.clock = store, clock
        self.instances: dict[str, Instance] = {}
        self.errors: list[BaseException] = []
        self._busy: set[asyncio.Task[Any]] = set()
        self._timers: set[asyncio.Task[Any]] = set()
        self._active: set[str] = set()
        self._dirty: set[str] = set()
        self._changed = asyncio.Event()

    # -- lifecycle ------------------------------------------------------------------------------------------------
    async def start(self) -> None:
        for instance in await self.store.load():
            self.instances[instance.instance_id] = instance
        for instance in list(self.instances.values()):
            if not instance.is_final:
                self._resume_work(instance)
            if instance.inbox:
                self.kick(instance.instance_id)

    async def stop(self) -> None:
        for task in [*self._timers, *self._busy]:
            task.cancel()
        await asyncio.gather(*self._timers, *self._busy, return_exceptions=True)

    def _resume_work(self, instance: Instance) -> None:
        """Re-dispatch activities without a result (at-least-once), re-arm timers, re-create missing children."""
        scheduled: dict[int, h.Event] = {}
        for item in instance.history:
            kind = item["EventType"]
            if kind in (h.EventType.TASK_SCHEDULED, h.EventType.TIMER_CREATED, h.EventType.SUB_ORCHESTRATION_CREATED):
                scheduled[item["EventId"]] = item
            elif kind in _COMPLETIONS_BY_ID:
                scheduled.pop(item[_COMPLETIONS_BY_ID[kind]], None)
        waiting = {self._completes(m) for m in instance.inbox}
        for event_id, item in scheduled.items():
            if event_id in waiting:
                continue
            if item["EventType"] == h.EventType.TASK_SCHEDULED:
                self.dispatch(instance, Decision("task", event_id, item["Name"], item.get("Input")))
            elif item["EventType"] == h.EventType.TIMER_CREATED:
                self.dispatch(instance, Decision("timer", event_id, fire_at=h.parse_time(item["FireAt"])))
            else:
                child = self.instances.get(item["InstanceId"])
                if child is None:
                    self.dispatch(
                        instance,
                        Decision("sub", event_id, item["Name"], item.get("Input"), instance_id=item["InstanceId"]),
                    )
                elif child.is_final:
                    self.spawn(self.notify_parent(child))

    @staticmethod
    def _completes(message: Message) -> int | None:
        item = message.event or {}
        field = _COMPLETIONS_BY_ID.get(item.get("EventType", -1))
        return item.get(field) if field else None

    # -- public operations ----------------------------------------------------------------------------------------
    async def start_new(
        self, name: str, instance_id: str, input_text: str | None, *, parent: tuple[str, str, int] | None = None
    ) -> Instance:
        now = self.clock.now()
        instance = Instance(instance_id, name, uuid.uuid4().hex, now, now, input=input_text)
        if parent:
            instance.parent_instance_id, instance.parent_execution_id, instance.parent_task_id = parent
        old = self.instances.get(instance_id)
        if old is not None:
            await self.store.purge(instance_id)
        self.instances[instance_id] = instance
        await self.store.save_instance(instance)
        await self._start_execution(instance, input_text)
        return instance

    async def _start_execution(self, instance: Instance, input_text: str | None) -> None:
        parent = None
        if instance.parent_instance_id:
            parent = {
                "Name": None,
                "OrchestrationInstance": {
                    "InstanceId": instance.parent_instance_id,
                    "ExecutionId": instance.parent_execution_id,
                },
            }
        started = h.execution_started(
            self.clock.now(), instance.name, input_text, instance.instance_id, instance.execution_id, parent
        )
        message = Message(new_message_id(), "event", started, execution_id=instance.execution_id)
        await self.post(instance.instance_id, message)

    async def post(self, instance_id: str, message: Message) -> None:
        """Persist a message to the instance's inbox, then schedule an episode."""
        instance = self.instances[instance_id]
        await self.store.put_message(instance_id, message)
        instance.inbox.append(message)
        self.kick(instance_id)

    def kick(self, instance_id: str) -> None:
        if instance_id in self._active:
            self._dirty.add(instance_id)
        else:
            self._active.add(instance_id)
            self.spawn(self._drain(instance_id))

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(self._guard(coro))
        self._busy.add(task)
        task.add_done_callback(self._busy.discard)

    async def _guard(self, coro: Coroutine[Any, Any, Any]) -> None:
        try:
            await coro
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("durable engine task failed")
            self.errors.append(exc)

    async def run_until_idle(self) -> None:
        """Wait until no episode, activity or message delivery is in flight (sleeping timers do not count)."""
        while self._busy:
            await asyncio.gather(*list(self._busy), return_exceptions=True)

    async def wait_for(self, instance_id: str, statuses: set[str], limit: float = 30.0) -> Instance:
        deadline = asyncio.get_running_loop().time() + limit
        while True:
            instance = self.instances.get(instance_id)
            if instance is not None and instance.status in statuses and instance_id not in self._active:
                return instance  # and its episode has committed
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0 or (instance is not None and instance.is_final and instance_id not in self._active):
                status = instance.status if instance else "missing"
                raise TimeoutError(f"instance {instance_id} is {status}, not {sorted(statuses)}")
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(remaining, 0.2))

    async def settle(self, instance_id: str) -> None:
        """Wait until no episode of the instance is in flight (e.g. before purging its rows)."""
        while instance_id in self._active:
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), 0.2)

    # -- episodes -------------------------------------------------------------------------------------------------
    async def _drain(self, instance_id: str) -> None:
        try:
            while True:
                self._dirty.discard(instance_id)
                instance = self.instances.get(instance_id)
                if instance is None:  # purged meanwhile
                    return
                await self._episode(instance)
                if instance_id not in self._dirty:
                    return
        finally:
            self._active.discard(instance_id)
            self._changed.set()

    async def _episode(self, instance: Instance) -> None:
        """Run one episode (a pure function of the instance) and apply what it decided."""
        episode = await run_episode(instance, self.functions, self.clock.now())
        if episode is None:
            return
        if episode.kick:
            self.kick(instance.instance_id)
        if episode.post is not None:
            await self.post(instance.instance_id, episode.post)
        state = episode.state
        instance.execution_id, instance.input, instance.history = state.execution_id, state.input, state.history
        instance.status, instance.output, instance.custom_status = state.status, state.output, state.custom_status
        instance.updated = self.clock.now()
        if episode.save:
            await self.store.commit(instance, episode.start, episode.message_ids, episode.consumed)
        done = set(episode.consumed)
        instance.applied |= set(episode.message_ids.values())
        instance.inbox = [m for m in instance.inbox if m.message_id not in done]
        for decision in episode.decisions:
            self.dispatch(instance, decision)
        if instance.is_final and instance.parent_instance_id:
            self.spawn(self.notify_parent(instance))

    # -- carrying out decisions -----------------------------------------------------------------------------------
    def dispatch(self, instance: Instance, decision: Decision) -> None:
        key = (instance.instance_id, instance.execution_id)
        if decision.kind == "task":
            self.spawn(self._activity(key, decision))
        elif decision.kind == "timer":
            task = asyncio.get_running_loop().create_task(self._guard(self._timer(key, decision)))
            self._timers.add(task)
            task.add_done_callback(self._timers.discard)
        else:
            parent = (instance.instance_id, instance.execution_id, decision.event_id)
            child_id = decision.instance_id or f"{instance.instance_id}:{decision.event_id}"
            if decision.name not in self.orchestrators:
                reason = f"The function '{decision.name}' doesn't exist or is not an orchestrator function."
                failed = h.sub_failed(self.clock.now(), decision.event_id, reason, reason)
                self.spawn(self._deliver(key, failed))
            else:
                self.spawn(self.start_new(decision.name, child_id, decision.input, parent=parent))

    async def _activity(self, key: tuple[str, str], decision: Decision) -> None:
        outcome = await run_activity(self.functions, self.activities.get(decision.name), decision.name, decision.input)
        now = self.clock.now()
        if outcome.ok:
            item = h.task_completed(now, decision.event_id, outcome.result)
        else:
            item = h.task_failed(now, decision.event_id, outcome.reason, outcome.details)
        await self._deliver(key, item)

    async def _timer(self, key: tuple[str, str], decision: Decision) -> None:
        assert decision.fire_at is not None
        await self.clock.sleep_until(decision.fire_at)
        self.spawn(self._deliver(key, h.timer_fired(self.clock.now(), decision.event_id, h.fmt_time(decision.fire_at))))

    async def _deliver(self, key: tuple[str, str], item: h.Event) -> None:
        instance = self.instances.get(key[0])
        if instance is None or instance.execution_id != key[1] or instance.is_final:
            return
        await self.post(key[0], Message(new_message_id(), "event", item, execution_id=key[1]))

    async def notify_parent(self, child: Instance) -> None:
        if not child.parent_instance_id or child.parent_task_id is None or child.parent_execution_id is None:
            return
        now = self.clock.now()
        if child.status == "Completed":
            item = h.sub_completed(now, child.parent_task_id, h.dumps(child.output))
        else:
            reason = str(child.output)
            item = h.sub_failed(now, child.parent_task_id, reason, reason)
        await self._deliver((child.parent_instance_id, child.parent_execution_id), item)


_COMPLETIONS_BY_ID: dict[int, str] = {
    h.EventType.TASK_COMPLETED: "TaskScheduledId",
    h.EventType.TASK_FAILED: "TaskScheduledId",
    h.EventType.SUB_ORCHESTRATION_COMPLETED: "TaskScheduledId",
    h.EventType.SUB_ORCHESTRATION_FAILED: "TaskScheduledId",
    h.EventType.TIMER_FIRED: "TimerId",
}
