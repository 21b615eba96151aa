"""The app's entity kinds and migrations, used by `python -m domain.storage.migrate` (the default catalog).

The resource API registers its kinds here (`register`) and appends its migrations, oldest first (`MIGRATIONS`).
`domain/storage/examples.py` is a worked example with the same shape.
"""

from __future__ import annotations

from typing import Any

from domain.storage.migrations import Migration
from domain.storage.schemas import SchemaRegistry

MIGRATIONS: list[Migration] = []


# kind -> (current schema version, parent kind). Upgraders go in `UPGRADERS[kind][version]` when a version is added.
KINDS: dict[str, tuple[int, str | None]] = {
    "tenant": (1, None),  # in the platform partition
    "operation": (1, "tenant"),  # in the platform partition, under the tenant it belongs to
    "member": (1, None),
    "dataset": (1, None),
    "dsver": (1, "dataset"),
    "experiment": (1, None),
    "run": (1, None),
    "trial": (1, "run"),
    "model": (1, None),
    "endpoint": (1, None),
    "deployment": (1, "endpoint"),
}
UPGRADERS: dict[str, dict[int, Any]] = {}


def register(schemas: SchemaRegistry) -> None:
    """Register every entity kind of the app."""
    for kind, (version, parent) in KINDS.items():
        schemas.register(kind, version, UPGRADERS.get(kind), parent_kind=parent)
