"""Liveness and dependency reachability for GET /api/health."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from domain.errors import DomainError
from domain.ports import HealthProbe


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    ms: float
    error: str | None = None


@dataclass(frozen=True, slots=True)
class HealthReport:
    checks: tuple[Check, ...]

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)


def check_health(probes: Sequence[HealthProbe]) -> HealthReport:
    """Ping every probe; a failing one is reported by name with the domain error's message (never a stack trace)."""
    checks = []
    for probe in probes:
        start = time.perf_counter()
        try:
            probe.ping()
            checks.append(Check(probe.name, True, round((time.perf_counter() - start) * 1000, 1)))
        except DomainError as exc:
            checks.append(Check(probe.name, False, round((time.perf_counter() - start) * 1000, 1), exc.message))
    return HealthReport(tuple(checks))
