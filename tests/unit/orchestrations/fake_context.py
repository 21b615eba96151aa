"""Drive an orchestrator generator without a host, as the azure-functions-durable-python samples do
(`samples-v2/.../tests/test_my_orchestrator.py`): get the user's generator function from the blueprint, hand it a
fake context whose calls return recorded tasks, and answer each task it yields (`send`) or fail it (`throw`)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(eq=False)
class Task:
    kind: str  # "activity" | "timer" | "event" | "any"
    name: str | None = None
    input: Any = None
    retry: bool = False
    fire_at: datetime | None = None
    tasks: list[Task] = field(default_factory=list)
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True


class FakeContext:
    """The methods of `DurableOrchestrationContext` the app's orchestrators use, recording what they ask for."""

    def __init__(self, input: Any, now: datetime = T0) -> None:
        self._input = input
        self.current_utc_datetime = now
        self.activities: list[Task] = []
        self.timers: list[Task] = []
        self.waits: list[Task] = []
        self.statuses: list[Any] = []
        self.continued_with: Any = None

    def get_input(self) -> Any:
        return self._input

    def call_activity(self, name: str, input: Any = None) -> Task:
        task = Task("activity", name, input)
        self.activities.append(task)
        return task

    def call_activity_with_retry(self, name: str, retry_options: Any, input: Any = None) -> Task:
        task = Task("activity", name, input, retry=True)
        self.activities.append(task)
        return task

    def create_timer(self, fire_at: datetime) -> Task:
        task = Task("timer", fire_at=fire_at)
        self.timers.append(task)
        return task

    def wait_for_external_event(self, name: str) -> Task:
        task = Task("event", name)
        self.waits.append(task)
        return task

    def task_any(self, tasks: list[Task]) -> Task:
        return Task("any", tasks=list(tasks))

    def set_custom_status(self, status: Any) -> None:
        self.statuses.append(status)

    def continue_as_new(self, input: Any) -> None:
        self.continued_with = input

    def names(self) -> list[str | None]:
        return [t.name for t in self.activities]


Answer = Callable[[Task], Any]


@dataclass
class Failure:
    """Answer a task with this to make the orchestrator's `yield` raise (an activity that failed after its retries)."""

    error: Exception


def drive(orchestrator: Callable[[Any], Generator[Any, Any, Any]], context: FakeContext, answer: Answer) -> Any:
    """Run the generator to its end, answering every yielded task with `answer(task)`; returns its return value."""
    gen = orchestrator(context)
    task = next(gen)
    for _ in range(1000):
        reply = answer(task)
        try:
            task = gen.throw(reply.error) if isinstance(reply, Failure) else gen.send(reply)
        except StopIteration as stop:
            return stop.value
    raise AssertionError("the orchestrator did not end after 1000 tasks")


def user_function(blueprint_function: Any) -> Callable[[Any], Generator[Any, Any, Any]]:
    """The orchestrator's own generator function behind the blueprint's decorators."""
    return blueprint_function.build().get_user_function().orchestrator_function  # type: ignore[no-any-return]
