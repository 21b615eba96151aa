"""Host-side replay shim: turns the SDK's action list into numbered decisions, as the Durable extension does.

The extension (`OutOfProcOrchestrationShim`) awaits the SDK's actions one after the other against a DTFx context,
which numbers every ScheduleTask, CreateTimer and CreateSubOrchestration (0, 1, 2, ...), runs retries itself
(`RetryInterceptor`: a timer after every failed attempt) and matches the recorded history against what the code
schedules now. We do the same with plain coroutines driven by a tiny deterministic scheduler: history events are
applied in order and ready continuations run to quiescence after each one (DTFx `RunTillQuiesced`). Whatever is
still unmatched at the end are this episode's new decisions. A mismatch is a `NonDeterminismError`.
"""

from __future__ import annotations

import contextlib
import uuid
from collections import deque
from collections.abc import Callable, Coroutine, Generator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from devhost.durable.history import Event, EventType, event, fmt_time, parse_time


class NonDeterminismError(Exception):
    """The orchestrator code no longer schedules what its recorded history says it scheduled."""


class TaskFailure(Exception):
    def __init__(self, reason: str, details: str) -> None:
        super().__init__(reason)
        self.reason, self.details = reason, details


class _Future:
    def __init__(self) -> None:
        self.done = False
        self.value: Any = None
        self.error: BaseException | None = None
        self._callbacks: list[Callable[[], None]] = []

    def set_result(self, value: Any = None, error: BaseException | None = None) -> None:
        if self.done:
            return
        self.done, self.value, self.error = True, value, error
        for callback in self._callbacks:
            callback()

    def add_done(self, callback: Callable[[], None]) -> None:
        if self.done:
            callback()
        else:
            self._callbacks.append(callback)

    def __await__(self) -> Generator[_Future, None, Any]:
        if not self.done:
            yield self
        if self.error is not None:
            raise self.error
        return self.value


class _Task(_Future):
    """A hot coroutine (like a C# Task): runs synchronously up to its first await when created."""

    def __init__(self, shim: Shim, coro: Coroutine[Any, Any, Any]) -> None:
        super().__init__()
        self._shim, self._coro = shim, coro
        self._step()

    def _step(self) -> None:
        try:
            awaited = self._coro.send(None)
        except StopIteration as stop:
            self.set_result(stop.value)
            return
        except Exception as exc:
            self.set_result(error=exc)
            return
        awaited.add_done(lambda: self._shim.ready.append(self._step))


@dataclass
class Decision:
    """A new action to carry out: an activity, a timer or a sub-orchestration, with its sequence id."""

    kind: str  # "task" | "timer" | "sub"
    event_id: int
    name: str = ""
    input: str | None = None
    fire_at: datetime | None = None
    instance_id: str | None = None

    def to_event(self, when: datetime) -> Event:
        if self.kind == "task":
            return event(EventType.TASK_SCHEDULED, when, self.event_id, Name=self.name, Version="", Input=self.input)
        if self.kind == "timer":
            assert self.fire_at is not None
            return event(EventType.TIMER_CREATED, when, self.event_id, FireAt=fmt_time(self.fire_at))
        return event(
            EventType.SUB_ORCHESTRATION_CREATED,
            when,
            self.event_id,
            Name=self.name,
            InstanceId=self.instance_id,
            Input=self.input,
            Version="",
        )


_SCHEDULED = {
    EventType.TASK_SCHEDULED: ("task", "an activity task"),
    EventType.TIMER_CREATED: ("timer", "a timer task"),
    EventType.SUB_ORCHESTRATION_CREATED: ("sub", "a sub-orchestration"),
}
_COMPLETIONS = {EventType.TASK_COMPLETED, EventType.TASK_FAILED}
_SUB_COMPLETIONS = {EventType.SUB_ORCHESTRATION_COMPLETED, EventType.SUB_ORCHESTRATION_FAILED}


class Shim:
    """Replays one episode: `Shim(instance_id, actions).run(history)` returns the new decisions (by id)."""

    def __init__(self, instance_id: str, actions: list[dict[str, Any]]) -> None:
        self.instance_id, self.actions = instance_id, actions
        self.ready: deque[Callable[[], None]] = deque()
        self.now = datetime.min.replace(tzinfo=UTC)
        self._next_id = 0
        self._pending: dict[int, tuple[Decision, _Future]] = {}
        self._open: dict[int, _Future] = {}
        self._waiters: dict[str, deque[_Future]] = {}
        self._buffered: dict[str, deque[str | None]] = {}

    # -- replay ---------------------------------------------------------------------------------------------------
    def run(self, history: list[Event]) -> list[Decision]:
        for item in history:
            self._apply(item)
            while self.ready:
                self.ready.popleft()()
        return [decision for decision, _ in sorted(self._pending.values(), key=lambda p: p[0].event_id)]

    def _apply(self, item: Event) -> None:
        kind = EventType(item["EventType"]) if item["EventType"] in EventType._value2member_map_ else None
        if kind == EventType.ORCHESTRATOR_STARTED:
            self.now = parse_time(item["Timestamp"])
        elif kind == EventType.EXECUTION_STARTED:
            _Task(self, self._main())
        elif kind in _SCHEDULED:
            self._match(item, *_SCHEDULED[kind])
        elif kind in _COMPLETIONS or kind in _SUB_COMPLETIONS:
            future = self._open.pop(item["TaskScheduledId"], None)
            if future is not None:
                failed = kind in (EventType.TASK_FAILED, EventType.SUB_ORCHESTRATION_FAILED)
                error = TaskFailure(item.get("Reason") or "", item.get("Details") or "") if failed else None
                future.set_result(item.get("Result"), error)
        elif kind == EventType.TIMER_FIRED:
            timer = self._open.pop(item["TimerId"], None)
            if timer is not None:
                timer.set_result(None)
        elif kind == EventType.EVENT_RAISED:
            waiters = self._waiters.get(item["Name"])
            if waiters:
                waiters.popleft().set_result(item.get("Input"))
            else:
                self._buffered.setdefault(item["Name"], deque()).append(item.get("Input"))

    def _match(self, item: Event, kind: str, what: str) -> None:
        event_id, name = item["EventId"], item.get("Name", "")
        pending = self._pending.get(event_id)
        if pending is None:
            raise NonDeterminismError(
                f"Non-Deterministic workflow detected: A previous execution of this orchestration scheduled {what} "
                f"with sequence ID {event_id} and name '{name}' (version ''), but the currently replayed execution "
                "doesn't have a record of scheduling this task."
            )
        if pending[0].kind != kind or (kind != "timer" and pending[0].name != name):
            produced = {"task": "ScheduleTaskOrchestratorAction", "timer": "CreateTimerOrchestratorAction",
                        "sub": "CreateSubOrchestrationAction"}[pending[0].kind]  # fmt: skip
            raise NonDeterminismError(
                f"Non-Deterministic workflow detected: A previous execution of this orchestration scheduled {what} "
                f"with sequence ID {event_id} and name '{name}' (version ''), but the current orchestration replay "
                f"instead produced a {produced} action (name '{pending[0].name}') with this sequence ID."
            )
        decision, future = self._pending.pop(event_id)
        self._open[event_id] = future
        if kind == "timer":
            decision.fire_at = parse_time(item["FireAt"])

    # -- the extension's action interpreter -----------------------------------------------------------------------
    async def _main(self) -> None:
        for action in self.actions:
            with contextlib.suppress(TaskFailure):
                await self._invoke(action)

    def _schedule(self, decision: Decision) -> _Future:
        decision.event_id = self._next_id
        self._next_id += 1
        if decision.kind == "sub" and not decision.instance_id:
            decision.instance_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.instance_id}:{decision.event_id}"))
        future = _Future()
        self._pending[decision.event_id] = (decision, future)
        return future

    async def _invoke(self, action: dict[str, Any]) -> Any:
        kind = action["actionType"]
        if kind == 0:
            return await self._schedule(Decision("task", -1, action["functionName"], action.get("input")))
        if kind == 1:
            return await self._retry(lambda: Decision("task", -1, action["functionName"], action.get("input")), action)
        if kind in (2, 3):

            def make() -> Decision:
                return Decision(
                    "sub", -1, action["functionName"], action.get("input"), instance_id=action.get("instanceId")
                )

            return await (self._schedule(make()) if kind == 2 else self._retry(make, action))
        if kind == 5:
            return await self._schedule(Decision("timer", -1, fire_at=parse_time(action["fireAt"])))
        if kind == 6:
            return await self._wait_event(action["externalEventName"])
        if kind == 12:
            return await self._when_all([_Task(self, self._invoke(child)) for child in action["compoundActions"]])
        if kind == 11:
            return await self._when_any([_Task(self, self._invoke(child)) for child in action["compoundActions"]])
        if kind == 4:
            return None  # continue-as-new is carried out by the engine once the episode is done
        raise NotImplementedError(f"devhost durable: action type {kind} (entities, call_http) is not supported")

    async def _wait_event(self, name: str) -> Any:
        buffered = self._buffered.get(name)
        if buffered:
            return buffered.popleft()
        future = _Future()
        self._waiters.setdefault(name, deque()).append(future)
        return await future

    async def _retry(self, make: Callable[[], Decision], action: dict[str, Any]) -> Any:
        options = action["retryOptions"]
        first_ms = float(options["firstRetryIntervalInMilliseconds"])
        coefficient = float(options.get("backoffCoefficient") or 1.0)
        max_interval = options.get("maxRetryIntervalInMilliseconds")
        timeout = options.get("retryTimeoutInMilliseconds")
        started = self.now
        last: TaskFailure | None = None
        for attempt in range(int(options["maxNumberOfAttempts"])):
            try:
                return await self._schedule(make())
            except TaskFailure as failure:
                last = failure
            delay = first_ms * coefficient**attempt
            if max_interval:
                delay = min(delay, float(max_interval))
            if timeout and (self.now - started) >= timedelta(milliseconds=float(timeout)):
                break
            await self._schedule(Decision("timer", -1, fire_at=self.now + timedelta(milliseconds=delay)))
        assert last is not None
        raise last

    async def _when_all(self, tasks: list[_Task]) -> list[Any]:
        combined = _Future()
        remaining = [len(tasks)]

        def one_done() -> None:
            remaining[0] -= 1
            if remaining[0] == 0:
                errors = [t.error for t in tasks if t.error is not None]
                combined.set_result([t.value for t in tasks], errors[0] if errors else None)

        if not tasks:
            return []
        for task in tasks:
            task.add_done(one_done)
        values: list[Any] = await combined
        return values

    async def _when_any(self, tasks: list[_Task]) -> Any:
        combined = _Future()
        for task in tasks:
            task.add_done(lambda t=task: combined.set_result(t))  # type: ignore[misc]
        return await combined
