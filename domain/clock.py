"""Clocks for the domain (the `Clock` port of `domain/ports.py`): the system UTC clock, and a manual one for tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    """The real time, timezone-aware UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that moves only when told (unit tests). Starts at `start` (UTC)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta = timedelta(seconds=1)) -> datetime:
        self._now += delta
        return self._now
