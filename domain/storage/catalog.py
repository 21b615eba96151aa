"""The app's entity kinds and migrations, used by the app's store and `python -m domain.storage.migrate`.

The kinds (name, schema version, parent kind) are declared once, with their typed data, in `domain/records/kinds.py`;
migrations are appended here, oldest first (`MIGRATIONS`), and upgraders go in `UPGRADERS[kind][version]` when a
kind's version is raised. `domain/storage/examples.py` is a worked example with the same shape.
"""

from __future__ import annotations

from domain.records.kinds import ALL
from domain.storage.migrations import Migration
from domain.storage.schemas import SchemaRegistry, Upgrader

MIGRATIONS: list[Migration] = []
UPGRADERS: dict[str, dict[int, Upgrader]] = {}

# kind -> (current schema version, parent kind)
KINDS: dict[str, tuple[int, str | None]] = {k.name: (k.version, k.parent) for k in ALL}


def register(schemas: SchemaRegistry) -> None:
    """Register every entity kind of the app."""
    for kind, (version, parent) in KINDS.items():
        schemas.register(kind, version, UPGRADERS.get(kind), parent_kind=parent)
