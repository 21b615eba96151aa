"""Clocks for the durable engine: the real UTC clock and a virtual clock that tests advance by hand."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """What the engine needs from time: the current UTC instant and a way to sleep until an instant."""

    def now(self) -> datetime: ...

    async def sleep_until(self, when: datetime) -> None: ...


class RealClock:
    """Wall-clock time (UTC)."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep_until(self, when: datetime) -> None:
        delay = (when - self.now()).total_seconds()
        while delay > 0:
            await asyncio.sleep(min(delay, 60.0))
            delay = (when - self.now()).total_seconds()


class VirtualClock:
    """Time that only moves when `advance()` is called: a one-hour durable timer fires in milliseconds.

    Sleepers are woken in fire-time order when time passes their instant.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2024, 1, 1, tzinfo=UTC)
        self._sleepers: list[tuple[datetime, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> datetime:
        return self._now

    def next_deadline(self) -> datetime | None:
        """The earliest instant somebody sleeps until (None when nobody sleeps)."""
        live = [s for s in self._sleepers if not s[2].done()]
        return min(s[0] for s in live) if live else None

    async def sleep_until(self, when: datetime) -> None:
        if when <= self._now:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (when, next(self._seq), future))
        await future

    def advance(self, delta: timedelta) -> None:
        """Move time forward and wake every sleeper whose instant has come."""
        self.set(self._now + delta)

    def set(self, when: datetime) -> None:
        self._now = max(self._now, when)
        while self._sleepers and self._sleepers[0][0] <= self._now:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)
