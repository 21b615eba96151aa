"""Table Storage limits, checked before sending because Azurite does not enforce them (notes/table-storage.md §5).

Each check raises `domain.errors.LimitExceeded` naming the entity and the property at fault. Sizes follow the
service's formula: 4 bytes + 2 x (len(PartitionKey) + len(RowKey)) + for each property 8 + 2 x len(name) + its
value's size, strings counted as UTF-16 (4 + 2 per code unit).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from domain.errors import LimitExceeded

MAX_PROPERTIES = 252  # custom properties, besides PartitionKey, RowKey and Timestamp
MAX_ENTITY_BYTES = 1024 * 1024
MAX_STRING_CHARS = 32_000  # 64 KiB of UTF-16, with room for the service's own accounting
MAX_BINARY_BYTES = 64 * 1024
MAX_KEY_CHARS = 255
MAX_BATCH_OPS = 100
MAX_BATCH_BYTES = 4 * 1024 * 1024
MIN_DATETIME = datetime(1601, 1, 1, tzinfo=UTC)
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)
_FORBIDDEN_KEY = re.compile(r"[/\\#?\x00-\x1f\x7f-\x9f]")
_PROPERTY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,254}")


def utf16_units(text: str) -> int:
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def check_key(value: str, which: str, what: str) -> None:
    """A PartitionKey or RowKey: at most 255 characters, none of / \\ # ? or control characters."""
    if len(value) > MAX_KEY_CHARS:
        raise LimitExceeded(
            f"{what}: {which} is {len(value)} characters long; the limit is {MAX_KEY_CHARS}.", target=which
        )
    bad = _FORBIDDEN_KEY.search(value)
    if bad:
        raise LimitExceeded(
            f"{what}: {which} contains the character {bad.group()!r}, which Table Storage forbids in keys "
            "(/ \\ # ? and control characters).",
            target=which,
        )


def check_property_name(name: str, what: str) -> None:
    if not _PROPERTY_NAME.fullmatch(name):
        raise LimitExceeded(
            f"{what}: property name {name!r:.80} is invalid (letters, digits and _, not starting with a digit, "
            "at most 255 characters).",
            target=name,
        )


def value_size(name: str, value: Any, what: str) -> int:
    """Bytes the service counts for one value; raises when the value itself breaks a limit."""
    if isinstance(value, str):
        units = utf16_units(value)
        if units > MAX_STRING_CHARS:
            raise LimitExceeded(
                f"{what}: property '{name}' holds {units} characters; the limit is {MAX_STRING_CHARS}.", target=name
            )
        return 4 + 2 * units
    if isinstance(value, bool):
        return 1
    if isinstance(value, int):
        if not INT64[0] <= value <= INT64[1]:
            raise LimitExceeded(f"{what}: property '{name}' is outside the 64-bit integer range.", target=name)
        return 4 if INT32[0] <= value <= INT32[1] else 8
    if isinstance(value, float):
        return 8
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise LimitExceeded(f"{what}: property '{name}' is a datetime without a time zone.", target=name)
        if value < MIN_DATETIME:
            raise LimitExceeded(
                f"{what}: property '{name}' is before 1601-01-01, the earliest date Table Storage stores.", target=name
            )
        return 8
    if isinstance(value, bytes | bytearray):
        if len(value) > MAX_BINARY_BYTES:
            raise LimitExceeded(
                f"{what}: property '{name}' holds {len(value)} bytes; the limit is {MAX_BINARY_BYTES}.", target=name
            )
        return 4 + len(value)
    raise LimitExceeded(f"{what}: property '{name}' has an unsupported type {type(value).__name__}.", target=name)


def check_entity(row: Mapping[str, Any], what: str) -> int:
    """Check an encoded row (PartitionKey, RowKey and plain values) and return its size in bytes."""
    pk: str = row["PartitionKey"]
    rk: str = row["RowKey"]
    check_key(pk, "PartitionKey", what)
    check_key(rk, "RowKey", what)
    if len(row) - 2 > MAX_PROPERTIES:
        raise LimitExceeded(
            f"{what}: {len(row) - 2} properties; Table Storage allows at most {MAX_PROPERTIES}.", target="properties"
        )
    size = 4 + 2 * (utf16_units(pk) + utf16_units(rk))
    for name, value in row.items():
        if name == "PartitionKey" or name == "RowKey":
            continue
        size += 8 + 2 * len(name) + value_size(name, value, what)
    if size > MAX_ENTITY_BYTES:
        raise LimitExceeded(
            f"{what}: the entity is {size} bytes (UTF-16); Table Storage allows at most {MAX_ENTITY_BYTES}.",
            target="entity",
        )
    return size


def check_batch(ops: int, size: int) -> None:
    if ops > MAX_BATCH_OPS:
        raise LimitExceeded(f"A transaction holds {ops} operations; the limit is {MAX_BATCH_OPS}.", target="batch")
    if size > MAX_BATCH_BYTES:
        raise LimitExceeded(f"A transaction holds {size} bytes; the limit is {MAX_BATCH_BYTES}.", target="batch")
