"""Query filters built from a fixed template and typed values, never from user text.

Property names must be identifiers (checked); values are formatted by type and quoted/escaped here. The SDK's own
`parameters=` substitution is not used: it splits the filter on spaces and turns the ints 0 and 1 into
`false`/`true` (`val in [True, False]` in azure-data-tables 12.7.0 `_serialize.py`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from domain.errors import ValidationFailed

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,254}")
Value = str | int | bool


def literal(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise ValidationFailed("A filter value is outside the 64-bit integer range.", target="filter")
        return str(value) if -(2**31) <= value < 2**31 else f"{value}L"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise ValidationFailed(f"Unsupported filter value type {type(value).__name__}.", target="filter")


def property_name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValidationFailed(f"Cannot filter on {name!r:.60}: not a property name.", target="filter")
    return name


def entity_filters(
    where: Mapping[str, Value] | None, *, reserved: frozenset[str], state: tuple[str, str] | None
) -> dict[str, Value]:
    """The `eq` filters of an entity listing: the caller's data properties (never system ones) and, unless
    deleted entities are wanted, `state` (property, value)."""
    filters: dict[str, Value] = {}
    for key, value in (where or {}).items():
        if key.startswith("_") or key in reserved:
            raise ValidationFailed(f"Cannot filter on '{key}'.", target="filter")
        filters[property_name(key)] = value
    if state is not None:
        filters[state[0]] = state[1]
    return filters


def page_size(top: int) -> int:
    if not 1 <= top <= 1000:
        raise ValidationFailed("top must be between 1 and 1000.", target="top")
    return top


def range_filter(
    partition: str, lo: str, hi: str, where: Mapping[str, Value] | None = None, *, after: bool = False
) -> str:
    """`PartitionKey eq .. and RowKey ge .. and RowKey lt ..` plus one `eq` per `where` item."""
    ge = "gt" if after else "ge"
    parts = [f"PartitionKey eq {literal(partition)}", f"RowKey {ge} {literal(lo)}", f"RowKey lt {literal(hi)}"]
    if where:
        parts += [f"{property_name(k)} eq {literal(v)}" for k, v in where.items()]
    return " and ".join(parts)
