"""Entity data <-> Table properties, in one pass each way, with the Table limits checked on the way in.

- str, bool, int, float, datetime (tz-aware), bytes are stored as such; ints beyond 32 bits as Edm.Int64.
- dict and list values are stored as JSON text in a property named `{key}__json` and decoded on read.
- None means "absent": the property is not written (writes use Replace mode, so it disappears).
- System properties (`_t`, `_v`, `_n`, `_state`, `created_at`, `updated_at`, `created_by`) are the layer's;
  data keys may not start with `_`, use those names or end with `__json`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from azure.data.tables import EdmType, EntityProperty

from domain.errors import LimitExceeded, ValidationFailed
from domain.storage import limits

JSON_SUFFIX = "__json"
TYPE, VERSION, NAME, STATE = "_t", "_v", "_n", "_state"
CREATED_AT, UPDATED_AT, CREATED_BY = "created_at", "updated_at", "created_by"
ACTIVE, DELETING = "active", "deleting"
SYSTEM = frozenset(
    {"PartitionKey", "RowKey", "Timestamp", TYPE, VERSION, NAME, STATE, CREATED_AT, UPDATED_AT, CREATED_BY}
)
# system properties cost: 8 + 2*len(name) + value (strings estimated generously, checked for real below)
_INT32_MIN, _INT32_MAX = limits.INT32


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)


def encode_data(data: Mapping[str, Any], what: str, out: dict[str, Any]) -> int:
    """Validate `data` and write its properties into `out`; return their size in bytes (service formula)."""
    size = 0
    for key, value in data.items():
        if value is None:
            continue
        if key in SYSTEM or key[:1] == "_" or key.endswith(JSON_SUFFIX):
            raise ValidationFailed(f"{what}: '{key}' is a reserved property name.", target=key)
        limits.check_property_name(key, what)
        if isinstance(value, dict | list | tuple):
            key = key + JSON_SUFFIX
            value = _json(value)
        size += 8 + 2 * len(key) + limits.value_size(key, value, what)
        if type(value) is int and not _INT32_MIN <= value <= _INT32_MAX:
            value = EntityProperty(value, EdmType.INT64)
        out[key] = value
    return size


def check_row(row: dict[str, Any], data_size: int, what: str) -> None:
    """Check the keys, the system properties, the property count and the total size of an encoded row."""
    pk: str = row["PartitionKey"]
    rk: str = row["RowKey"]
    limits.check_key(pk, "PartitionKey", what)
    limits.check_key(rk, "RowKey", what)
    if len(row) - 2 > limits.MAX_PROPERTIES:
        raise LimitExceeded(
            f"{what}: {len(row) - 2} properties; Table Storage allows at most {limits.MAX_PROPERTIES}.",
            target="properties",
        )
    size = 4 + 2 * (limits.utf16_units(pk) + limits.utf16_units(rk)) + data_size
    for key in SYSTEM.intersection(row):
        if key != "PartitionKey" and key != "RowKey":
            size += 8 + 2 * len(key) + limits.value_size(key, row[key], what)
    if size > limits.MAX_ENTITY_BYTES:
        raise LimitExceeded(
            f"{what}: the entity is {size} bytes (UTF-16); Table Storage allows at most {limits.MAX_ENTITY_BYTES}.",
            target="entity",
        )


def plain(value: Any) -> Any:
    return value.value if type(value) is EntityProperty else value


def decode_data(row: Mapping[str, Any]) -> dict[str, Any]:
    """The data properties of a stored row (system properties left out, JSON and Int64 unwrapped)."""
    data: dict[str, Any] = {}
    for key, value in row.items():
        if key in SYSTEM:
            continue
        if type(value) is EntityProperty:
            value = value.value
        if key.endswith(JSON_SUFFIX):
            data[key[: -len(JSON_SUFFIX)]] = json.loads(value)
        else:
            data[key] = value
    return data


def as_datetime(value: Any) -> datetime:
    assert isinstance(value, datetime)
    return value
