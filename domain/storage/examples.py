"""A worked example of schema versions and migrations (used by the tests and the benchmark).

`widget` v1 {"title", "size": "S"|"M"|"L"} -> v2 renames `title` to `display_name` -> v3 turns `size` into
`size_cm` (int). `gadget` rows once lived under the key layout `gadget-{id}`; migration 0002 moves them to the
standard `gadget|{id}` (a key-layout change: copy, verify, delete).
"""

from __future__ import annotations

from typing import Any

from domain.storage.migrations import Migration
from domain.storage.schemas import SchemaRegistry

SIZES_CM = {"S": 10, "M": 20, "L": 40}


def widget_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    out["display_name"] = out.pop("title", "")
    return out


def widget_v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    out["size_cm"] = SIZES_CM.get(str(out.pop("size", "M")), 20)
    return out


def gadget_key(old: str) -> str:
    """`gadget-{id}` -> `gadget|{id}`."""
    return "gadget|" + old.removeprefix("gadget-")


MIGRATIONS = [
    Migration("0001-widget-v3", "widget", 3, "widget: title -> display_name, size -> size_cm"),
    Migration("0002-gadget-keys", "gadget", 1, "gadget rows: gadget-{id} -> gadget|{id}", gadget_key, "gadget-"),
]


def register(schemas: SchemaRegistry) -> None:
    schemas.register("widget", 3, {1: widget_v1_to_v2, 2: widget_v2_to_v3})
    schemas.register("gadget", 1)
    schemas.register("part", 1, parent_kind="widget")
