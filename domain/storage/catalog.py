"""The app's entity kinds and migrations, used by `python -m domain.storage.migrate` (the default catalog).

The resource API registers its kinds here (`register`) and appends its migrations, oldest first (`MIGRATIONS`).
`domain/storage/examples.py` is a worked example with the same shape.
"""

from __future__ import annotations

from domain.storage.migrations import Migration
from domain.storage.schemas import SchemaRegistry

MIGRATIONS: list[Migration] = []


def register(schemas: SchemaRegistry) -> None:
    """Register every entity kind of the app (none yet: the resource API adds them)."""
