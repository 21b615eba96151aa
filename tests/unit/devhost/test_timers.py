"""Timer triggers on a virtual clock: schedules from %SETTING%, the day-of-month AND day-of-week rule,
run_on_startup, past_due after downtime, and the admin API running a timer on demand."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from devhost.clock import VirtualClock
from devhost.config import ConfigError
from devhost.host import FunctionsHost
from devhost.timers import ScheduleStatus

pytestmark = pytest.mark.asyncio
HostFactory = Callable[..., Any]
RARE = "0 0 0 1 1 *"  # once a year: keeps `tick` quiet in tests about other timers


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def fired(host: FunctionsHost, name: str) -> list[tuple[datetime, bool]]:
    return [(when, past_due) for n, when, past_due in host.timers.fired if n == name]


async def calls(client: Any, fn: str) -> list[dict[str, Any]]:
    return [c for c in (await client.get("/api/calls")).json() if c["fn"] == fn]


async def test_setting_schedule_fires_on_the_virtual_clock(sample_host: HostFactory) -> None:
    clock = VirtualClock(at(2024, 5, 1, 10, 0, 30))
    async with sample_host(clock=clock, environ={"TICK_SCHEDULE": "0 */5 * * * *"}) as (host, client):
        await host.advance(timedelta(minutes=16))
        assert fired(host, "tick") == [
            (at(2024, 5, 1, 10, 5), False),
            (at(2024, 5, 1, 10, 10), False),
            (at(2024, 5, 1, 10, 15), False),
        ]
        assert [c["past_due"] for c in await calls(client, "tick")] == [False, False, False]
        assert clock.now() == at(2024, 5, 1, 10, 16, 30)


async def test_day_of_month_and_day_of_week_rule(sample_host: HostFactory) -> None:
    clock = VirtualClock(at(2024, 5, 1))  # a Wednesday, inside 1-7
    async with sample_host(clock=clock, environ={"TICK_SCHEDULE": RARE}) as (host, _):
        await host.advance(timedelta(days=40))
        assert [when for when, _ in fired(host, "first_monday")] == [at(2024, 5, 6, 9), at(2024, 6, 3, 9)]


async def test_run_on_startup_fires_once_at_start(sample_host: HostFactory) -> None:
    clock = VirtualClock(at(2024, 5, 1, 12))
    async with sample_host(clock=clock, environ={"TICK_SCHEDULE": RARE}) as (host, client):
        await host.settle()
        assert fired(host, "nightly") == [(at(2024, 5, 1, 12), False)]
        assert fired(host, "tick") == []  # no run_on_startup
        await host.advance(timedelta(hours=12))
        assert [when for when, _ in fired(host, "nightly")] == [at(2024, 5, 1, 12), at(2024, 5, 2)]
        assert len(await calls(client, "nightly")) == 2


async def test_missed_occurrence_fires_past_due_after_a_restart(sample_host: HostFactory) -> None:
    clock = VirtualClock(at(2024, 5, 1, 10, 0, 30))
    status: dict[str, ScheduleStatus] = {}
    options = {"clock": clock, "environ": {"TICK_SCHEDULE": "0 */5 * * * *"}, "timer_status": status}
    async with sample_host(**options) as (host, _):
        await host.settle()
        assert fired(host, "tick") == []
    assert status["tick"].next == at(2024, 5, 1, 10, 5)
    clock.advance(timedelta(minutes=12))  # the host is down at 10:05 and 10:10
    async with sample_host(**options) as (host, client):
        await host.settle()
        assert fired(host, "tick") == [(at(2024, 5, 1, 10, 12, 30), True)]  # once, not once per missed occurrence
        await host.advance(timedelta(minutes=3))
        assert fired(host, "tick")[1:] == [(at(2024, 5, 1, 10, 15), False)]
        assert [c["past_due"] for c in await calls(client, "tick")] == [True, False]


async def test_admin_runs_a_timer_on_demand(sample_host: HostFactory) -> None:
    clock = VirtualClock(at(2024, 5, 1, 12))
    async with sample_host(clock=clock, environ={"TICK_SCHEDULE": RARE}) as (host, client):
        resp = await client.post("/admin/functions/TICK", json={"input": ""})
        assert resp.status_code == 202
        await host.settle()
        assert await calls(client, "tick") == [{"fn": "tick", "past_due": False}]


async def test_missing_schedule_setting_stops_the_host(sample_app: Path, tmp_path: Path) -> None:
    shutil.copy(sample_app / "function_app.py", tmp_path / "function_app.py")  # no settings file
    with pytest.raises(ConfigError, match="TICK_SCHEDULE"):
        FunctionsHost(tmp_path, environ={}, durable=False, clock=VirtualClock())
