"""Composition of adapters for the function handlers: built on first use, cached for the process."""

from __future__ import annotations

from functools import lru_cache

from domain.ports import HealthProbe
from domain.settings import get_settings
from domain.storage.clients import table_service
from domain.storage.health import TableServiceProbe


@lru_cache(maxsize=1)
def health_probes() -> tuple[HealthProbe, ...]:
    return (TableServiceProbe(table_service(get_settings())),)
