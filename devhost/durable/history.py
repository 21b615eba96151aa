"""History events in the DTFx JSON shape the Python SDK replays (notes/functions-runtime.md §5.3)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

Event = dict[str, Any]


class EventType(IntEnum):
    EXECUTION_STARTED = 0
    EXECUTION_COMPLETED = 1
    EXECUTION_FAILED = 2
    EXECUTION_TERMINATED = 3
    TASK_SCHEDULED = 4
    TASK_COMPLETED = 5
    TASK_FAILED = 6
    SUB_ORCHESTRATION_CREATED = 7
    SUB_ORCHESTRATION_COMPLETED = 8
    SUB_ORCHESTRATION_FAILED = 9
    TIMER_CREATED = 10
    TIMER_FIRED = 11
    ORCHESTRATOR_STARTED = 12
    ORCHESTRATOR_COMPLETED = 13
    EVENT_SENT = 14
    EVENT_RAISED = 15
    CONTINUE_AS_NEW = 16
    EXECUTION_SUSPENDED = 19
    EXECUTION_RESUMED = 20


def fmt_time(when: datetime) -> str:
    """ISO 8601 with microseconds and a Z, the format the SDK parses."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str) -> datetime:
    text = text.rstrip("Z")
    if "." in text:
        head, frac = text.split(".", 1)
        text = f"{head}.{frac[:6].ljust(6, '0')}"
    else:
        text += ".000000"
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)


def event(kind: EventType, when: datetime, event_id: int = -1, **fields: Any) -> Event:
    return {"EventType": int(kind), "EventId": event_id, "IsPlayed": False, "Timestamp": fmt_time(when), **fields}


def execution_started(
    when: datetime,
    name: str,
    input_: str | None,
    instance_id: str,
    execution_id: str,
    parent: dict[str, Any] | None = None,
) -> Event:
    return event(
        EventType.EXECUTION_STARTED,
        when,
        Name=name,
        Version="",
        Input=input_,
        OrchestrationInstance={"InstanceId": instance_id, "ExecutionId": execution_id},
        ParentInstance=parent,
        Tags=None,
    )


def task_completed(when: datetime, scheduled_id: int, result: str | None) -> Event:
    return event(EventType.TASK_COMPLETED, when, TaskScheduledId=scheduled_id, Result=result)


def task_failed(when: datetime, scheduled_id: int, reason: str, details: str) -> Event:
    return event(EventType.TASK_FAILED, when, TaskScheduledId=scheduled_id, Reason=reason, Details=details)


def sub_completed(when: datetime, scheduled_id: int, result: str | None) -> Event:
    return event(EventType.SUB_ORCHESTRATION_COMPLETED, when, TaskScheduledId=scheduled_id, Result=result)


def sub_failed(when: datetime, scheduled_id: int, reason: str, details: str) -> Event:
    return event(EventType.SUB_ORCHESTRATION_FAILED, when, TaskScheduledId=scheduled_id, Reason=reason, Details=details)


def timer_fired(when: datetime, timer_id: int, fire_at: str) -> Event:
    return event(EventType.TIMER_FIRED, when, TimerId=timer_id, FireAt=fire_at)


def event_raised(when: datetime, name: str, input_: str | None) -> Event:
    return event(EventType.EVENT_RAISED, when, Name=name, Input=input_)


def dumps(value: Any) -> str:
    return json.dumps(value)
