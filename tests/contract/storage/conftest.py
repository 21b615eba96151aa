"""The store's contract, run against both backends: the real one on Azurite and the in-memory fake.

`env` gives a fresh table (Azurite) or a fresh fake, a unique tenant, and `requests()`: the Table requests made since
the last call (CountingTransport on Azurite, the fake's own counter in memory).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from azure.data.tables import TableServiceClient

from domain.clock import SystemClock
from domain.storage.backend import Backend
from domain.storage.counting import CountingTransport
from domain.storage.examples import register
from domain.storage.memory_backend import MemoryBackend
from domain.storage.schemas import SchemaRegistry
from domain.storage.store import EntityStore


@dataclass
class Env:
    store: EntityStore
    backend: Backend
    tenant: str
    requests: Callable[[], int]
    kind: str  # "memory" or "azurite"


def schemas() -> SchemaRegistry:
    registry = SchemaRegistry()
    register(registry)
    registry.register("note", 1)
    return registry


@pytest.fixture(params=["memory", pytest.param("azurite", marks=pytest.mark.integration)])
def env(request: pytest.FixtureRequest, unique: str) -> Iterator[Env]:
    if request.param == "memory":
        memory = MemoryBackend()
        store = EntityStore(memory, schemas=schemas(), clock=SystemClock())

        def count_memory() -> int:
            n, memory.requests = memory.requests, 0
            return n

        yield Env(store, memory, f"t{unique}", count_memory, "memory")
        return
    conn = request.getfixturevalue("azurite_connection_string")
    transport = CountingTransport()
    service = TableServiceClient.from_connection_string(conn, transport=transport)
    table = f"e{unique}"
    store = EntityStore(service, table=table, schemas=schemas(), clock=SystemClock())
    store.ensure_tables()
    transport.reset()
    try:
        yield Env(store, store.backend, f"t{unique}", transport.reset, "azurite")
    finally:
        service.delete_table(table)
