"""The app's EntityStore: the `entities` table (with DATA_TABLE_PREFIX), every kind of the catalog registered."""

from __future__ import annotations

from domain.clock import SystemClock
from domain.settings import Settings
from domain.storage import catalog
from domain.storage.clients import table_service
from domain.storage.schemas import SchemaRegistry
from domain.storage.store import EntityStore


def registry() -> SchemaRegistry:
    schemas = SchemaRegistry()
    catalog.register(schemas)
    return schemas


def build_store(settings: Settings) -> EntityStore:
    store = EntityStore(
        table_service(settings), table=f"{settings.data_table_prefix}entities", schemas=registry(), clock=SystemClock()
    )
    store.ensure_tables()
    return store


def build_series(settings: Settings) -> EntityStore:
    """The `series` table holds raw rows only (no entity kinds): metric points, log lines and their watermarks."""
    store = EntityStore(
        table_service(settings),
        table=f"{settings.data_table_prefix}series",
        schemas=SchemaRegistry(),
        clock=SystemClock(),
    )
    store.ensure_tables()
    return store
