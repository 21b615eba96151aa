"""Versioned schemas per entity kind: the current version and an upgrade step from each older version.

Reads upgrade old entities in memory (`upgrade`); writes always store the current version, in Replace mode.
An upgrader takes the data at version v and returns the data at v + 1; it must be pure (no I/O), since the same
step runs on every read of an old entity and in the migration that rewrites it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.storage.keys import check_kind

Upgrader = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Schema:
    kind: str
    current: int
    upgraders: Mapping[int, Upgrader] = field(default_factory=dict)
    parent_kind: str | None = None


class SchemaRegistry:
    """`register(kind, current_version, upgraders={1: v1_to_v2, 2: v2_to_v3}, parent_kind=None)`."""

    def __init__(self) -> None:
        self._schemas: dict[str, Schema] = {}

    def register(
        self,
        kind: str,
        current_version: int,
        upgraders: Mapping[int, Upgrader] | None = None,
        *,
        parent_kind: str | None = None,
    ) -> Schema:
        check_kind(kind)
        steps = dict(upgraders or {})
        if current_version < 1:
            raise ValueError(f"{kind}: versions start at 1")
        missing = sorted(set(range(1, current_version)) - set(steps))
        extra = sorted(set(steps) - set(range(1, current_version)))
        if missing or extra:
            raise ValueError(f"{kind}: upgraders needed for versions {missing}, unexpected for {extra}")
        schema = Schema(kind, current_version, steps, parent_kind)
        self._schemas[kind] = schema
        return schema

    def get(self, kind: str) -> Schema:
        try:
            return self._schemas[kind]
        except KeyError:
            raise ValueError(f"entity kind {kind!r} is not registered in the SchemaRegistry") from None

    def current(self, kind: str) -> int:
        return self.get(kind).current

    def kinds(self) -> list[str]:
        return sorted(self._schemas)

    def upgrade(self, kind: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
        """`data` stored at `version`, brought to the current version (returned as is when already current)."""
        schema = self._schemas[kind]
        while version < schema.current:
            data = schema.upgraders[version](data)
            version += 1
        return data
