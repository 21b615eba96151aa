"""Timer triggers: six-field NCRONTAB schedules, `%SETTING%` schedules, runOnStartup and IsPastDue.

NCRONTAB ANDs day-of-month with day-of-week, so croniter runs with `second_at_beginning=True, day_or=False`.
Each timer runs in its own task and never overlaps itself (the host's timer is a singleton). The schedule status
(last and next occurrence) is kept in `status`, which outlives a stop/start of the host: a timer whose recorded next
occurrence passed while the host was down fires at start with IsPastDue=true (what `useMonitor` does in Azure).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from croniter import croniter

from devhost.clock import Clock
from devhost.config import resolve
from devhost.registry import FunctionInfo
from devhost.worker import typed

log = logging.getLogger("devhost")
PAST_DUE_TOLERANCE = timedelta(seconds=1)


def next_occurrence(schedule: str, after: datetime) -> datetime:
    """The first occurrence strictly after `after` of a six-field NCRONTAB expression (UTC)."""
    if len(schedule.split()) != 6:
        raise ValueError(f"'{schedule}' is not a six-field NCRONTAB expression ({{second}} {{minute}} ... )")
    it = croniter(schedule, after.astimezone(UTC), second_at_beginning=True, day_or=False)
    result: datetime = it.get_next(datetime)
    return result.astimezone(UTC)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


@dataclass
class ScheduleStatus:
    last: datetime | None
    next: datetime
    last_updated: datetime


def timer_request(status: ScheduleStatus | None, past_due: bool) -> Any:
    """The timer trigger's value as the host sends it (TimerInfo as JSON); the worker makes the func.TimerRequest."""
    body = {
        "Schedule": {"AdjustForDST": True},
        "ScheduleStatus": None
        if status is None
        else {"Last": _iso(status.last), "Next": _iso(status.next), "LastUpdated": _iso(status.last_updated)},
        "IsPastDue": past_due,
    }
    return typed.json_text(json.dumps(body))


Invoke = Callable[[FunctionInfo, Any, str], Awaitable[Any]]


class TimerScheduler:
    def __init__(
        self,
        timers: list[FunctionInfo],
        invoke: Invoke,
        clock: Clock,
        environ: Mapping[str, str],
        status: MutableMapping[str, ScheduleStatus] | None = None,
    ) -> None:
        self.clock, self._invoke = clock, invoke
        self.schedules = {t.name: resolve(t.trigger.schedule, environ) for t in timers}
        for schedule in self.schedules.values():
            next_occurrence(schedule, clock.now())  # fail fast on a bad expression
        self.timers = timers
        self.status: MutableMapping[str, ScheduleStatus] = {} if status is None else status
        self._tasks: list[asyncio.Task[None]] = []
        self._busy: set[str] = set()
        self.fired: list[tuple[str, datetime, bool]] = []  # (name, clock time, past_due), for tests and logs

    async def start(self) -> None:
        for timer in self.timers:
            self._tasks.append(asyncio.create_task(self._run(timer), name=f"timer:{timer.name}"))
        await asyncio.sleep(0)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    def idle(self) -> bool:
        """True when no timer function is running."""
        return not self._busy

    async def fire(self, timer: FunctionInfo, *, past_due: bool, reason: str | None = None) -> None:
        now = self.clock.now()
        self._busy.add(timer.name)
        try:
            self.fired.append((timer.name, now, past_due))
            request = timer_request(self.status.get(timer.name), past_due)
            with contextlib.suppress(Exception):  # logged by the invoker; a failed run never stops the timer
                await self._invoke(timer, request, reason or f"Timer fired at {now.isoformat()}")
        finally:
            self._busy.discard(timer.name)

    async def _run(self, timer: FunctionInfo) -> None:
        schedule = self.schedules[timer.name]
        now = self.clock.now()
        known = self.status.get(timer.name)
        if known is not None and known.next < now - PAST_DUE_TOLERANCE:
            log.info("Timer '%s' missed its occurrence at %s while the host was down", timer.name, known.next)
            await self._fire_and_record(timer, schedule, past_due=True)
        elif timer.trigger.run_on_startup:
            await self._fire_and_record(timer, schedule, past_due=False, reason="Timer fired at startup")
        if timer.name not in self.status or self.status[timer.name].next <= self.clock.now() - PAST_DUE_TOLERANCE:
            self.status[timer.name] = ScheduleStatus(
                None, next_occurrence(schedule, self.clock.now()), self.clock.now()
            )
        while True:
            due = self.status[timer.name].next
            await self.clock.sleep_until(due)
            past_due = self.clock.now() - due > PAST_DUE_TOLERANCE
            await self._fire_and_record(timer, schedule, past_due=past_due)

    async def _fire_and_record(
        self, timer: FunctionInfo, schedule: str, *, past_due: bool, reason: str | None = None
    ) -> None:
        await self.fire(timer, past_due=past_due, reason=reason)
        now = self.clock.now()
        previous = self.status.get(timer.name)
        last = previous.next if previous else None
        self.status[timer.name] = ScheduleStatus(last, next_occurrence(schedule, now), now)
