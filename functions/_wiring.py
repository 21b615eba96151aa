"""Composition of adapters for the function handlers: built on first use, cached for the process.

The adapters' modules are imported here on first use, not when the app is indexed: azure-data-tables,
azure-storage-blob (with requests, urllib3, cryptography) and the AutoML backends are a cold start's biggest part
that no request needs before it arrives (ADR 0019; tests/unit/test_cold_start_imports.py).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from domain.ports import AutoMLBackend, BlobStore, HealthProbe
from domain.settings import get_settings

if TYPE_CHECKING:
    from domain.services.purge import Cleanup
    from domain.storage.store import EntityStore


@lru_cache(maxsize=1)
def health_probes() -> tuple[HealthProbe, ...]:
    from domain.storage.clients import PROBE, table_service
    from domain.storage.health import TableServiceProbe

    return (TableServiceProbe(table_service(get_settings(), **PROBE)),)


@lru_cache(maxsize=1)
def store() -> EntityStore:
    """The storage core over the app's `entities` table, with every kind's schema registered (the `Store` port)."""
    from domain.storage.app_store import build_store

    return build_store(get_settings())


@lru_cache(maxsize=1)
def blobs() -> BlobStore:
    from domain.storage.blobs import blob_store

    return blob_store(get_settings())


@lru_cache(maxsize=1)
def series() -> EntityStore:
    """Raw rows of the `series` table (metric points, log lines, watermarks): the `RowStore` port."""
    from domain.storage.app_store import build_series

    return build_series(get_settings())


@lru_cache(maxsize=1)
def backend() -> AutoMLBackend:
    """The AutoML backend chosen by AUTOML_BACKEND (imported on first use: azure-ai-ml is heavy)."""
    from domain.automl.factory import backend_from_settings
    from domain.services.tenants import workspace_binding

    return backend_from_settings(get_settings(), lambda tenant: workspace_binding(store(), tenant))


def cleanup() -> Cleanup:
    """What a cascading delete cleans besides the entity store: the backend, the blobs, the series rows."""
    from domain.services.purge import Cleanup

    s = get_settings()
    return Cleanup(backend(), blobs(), series(), s.datasets_container, s.models_container)
