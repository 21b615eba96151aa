"""Ports: the Protocols the domain depends on. Adapters (domain/storage, domain/automl, functions/) implement them;
unit tests use in-memory fakes of them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class HealthProbe(Protocol):
    name: str

    def ping(self) -> None:
        """Return when the dependency answers; raise `domain.errors.Unavailable` otherwise."""
        ...
