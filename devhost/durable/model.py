"""The in-memory picture of one orchestration instance and its Table Storage row."""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from devhost.durable.history import Event, fmt_time, parse_time

_seq = itertools.count()


def new_message_id() -> str:
    """Time-ordered, unique inbox row key (FIFO across restarts)."""
    return f"{time.time_ns():020d}{next(_seq) % 1_000_000:06d}"


RUNNING_STATES = {"Pending", "Running", "ContinuedAsNew", "Suspended"}
FINAL_STATES = {"Completed", "Failed", "Terminated", "Canceled"}


@dataclass
class Message:
    """One inbox message: a new history event for the instance, or a control command (terminate, suspend...)."""

    message_id: str
    kind: str  # "event" | "terminate" | "suspend" | "resume"
    event: Event | None = None
    reason: str | None = None
    execution_id: str | None = None  # set when the message belongs to one execution (results, timers, starts)

    def payload(self) -> str:
        return json.dumps({"kind": self.kind, "event": self.event, "reason": self.reason, "exec": self.execution_id})

    @classmethod
    def from_payload(cls, message_id: str, payload: str) -> Message:
        data = json.loads(payload)
        return cls(message_id, data["kind"], data.get("event"), data.get("reason"), data.get("exec"))


@dataclass
class Instance:
    instance_id: str
    name: str
    execution_id: str
    created: datetime
    updated: datetime
    status: str = "Pending"
    input: str | None = None  # JSON text
    output: Any = None
    custom_status: Any = None
    parent_instance_id: str | None = None
    parent_task_id: int | None = None
    parent_execution_id: str | None = None
    history: list[Event] = field(default_factory=list)
    applied: set[str] = field(default_factory=set)  # inbox message ids already in `history`
    inbox: list[Message] = field(default_factory=list)

    def to_entity(self) -> dict[str, Any]:
        return {
            "PartitionKey": self.instance_id,
            "RowKey": "",
            "Name": self.name,
            "ExecutionId": self.execution_id,
            "CreatedTime": fmt_time(self.created),
            "LastUpdatedTime": fmt_time(self.updated),
            "RuntimeStatus": self.status,
            "Input": self.input,
            "Output": json.dumps(self.output),
            "CustomStatus": json.dumps(self.custom_status),
            "ParentInstanceId": self.parent_instance_id,
            "ParentTaskId": self.parent_task_id,
            "ParentExecutionId": self.parent_execution_id,
            "HistoryCount": len(self.history),
        }

    @classmethod
    def from_entity(cls, row: dict[str, Any]) -> Instance:
        return cls(
            instance_id=row["PartitionKey"],
            name=row["Name"],
            execution_id=row["ExecutionId"],
            created=parse_time(row["CreatedTime"]),
            updated=parse_time(row["LastUpdatedTime"]),
            status=row["RuntimeStatus"],
            input=row.get("Input"),
            output=json.loads(row.get("Output") or "null"),
            custom_status=json.loads(row.get("CustomStatus") or "null"),
            parent_instance_id=row.get("ParentInstanceId"),
            parent_task_id=row.get("ParentTaskId"),
            parent_execution_id=row.get("ParentExecutionId"),
        )

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATES
