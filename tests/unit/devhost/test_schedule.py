"""NCRONTAB six-field schedules with Azure's rule: day-of-month AND day-of-week."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from devhost.timers import next_occurrence


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_seconds_field_comes_first() -> None:
    assert next_occurrence("30 */5 * * * *", at(2024, 5, 1, 10, 0, 0)) == at(2024, 5, 1, 10, 0, 30)
    assert next_occurrence("30 */5 * * * *", at(2024, 5, 1, 10, 0, 30)) == at(2024, 5, 1, 10, 5, 30)


def test_day_of_month_and_day_of_week_are_anded() -> None:
    # first Monday of the month at 09:00: May 2024 -> Monday 6th (an OR would give Wed 1st)
    assert next_occurrence("0 0 9 1-7 * Mon", at(2024, 5, 1, 0, 0, 0)) == at(2024, 5, 6, 9, 0, 0)
    assert next_occurrence("0 0 9 1-7 * Mon", at(2024, 5, 6, 9, 0, 0)) == at(2024, 6, 3, 9, 0, 0)


def test_five_fields_are_refused() -> None:
    with pytest.raises(ValueError, match="six-field"):
        next_occurrence("*/5 * * * *", at(2024, 5, 1))
