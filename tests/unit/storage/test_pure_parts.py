"""Unit tests of the store's pure parts: keys, limits, filters, tokens, schema registry, codec, clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.clock import ManualClock, SystemClock
from domain.errors import LimitExceeded, ValidationFailed
from domain.storage import codec, keys, limits, odata
from domain.storage.paging import decode_token, encode_token
from domain.storage.schemas import SchemaRegistry


def test_entity_and_child_keys_and_ranges() -> None:
    assert keys.entity_key("run", "r1", "e1") == "run|e1|r1"
    lo, hi = keys.kind_range("run", "e1")
    assert lo <= "run|e1|r1" < hi and not lo <= "run|e10|r1" < hi
    lo, hi = keys.kind_range("exp")
    assert lo <= "exp|x" < hi and not lo <= "experiment|x" < hi
    assert keys.name_key("exp", "  My Exp ") == "name|exp|my exp"


def test_audit_keys_sort_newest_first_and_since_bounds() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    older, newer = keys.audit_key(t0, "a"), keys.audit_key(t0 + timedelta(microseconds=1), "a")
    assert newer < older
    lo, hi = keys.audit_range(t0)
    assert lo <= older < hi and lo <= newer < hi
    assert not lo <= keys.audit_key(t0 - timedelta(microseconds=1), "a") < hi
    assert (
        keys.ticks(datetime(1, 1, 1, tzinfo=UTC)) == 0 and keys.ticks(datetime(1, 1, 2, tzinfo=UTC)) == 864_000_000_000
    )


@pytest.mark.parametrize("bad", ["", "a|b", "a/b", "x" * 129, "é"])
def test_ids_are_restricted(bad: str) -> None:
    with pytest.raises(ValidationFailed):
        keys.check_id(bad)


def test_utf16_counting() -> None:
    assert limits.utf16_units("abc") == 3
    assert limits.utf16_units("é") == 1
    assert limits.utf16_units("\U0001f600") == 2


def test_literals_are_typed_and_escaped() -> None:
    assert odata.literal("o'neil") == "'o''neil'"
    assert (odata.literal(1), odata.literal(0), odata.literal(True)) == ("1", "0", "true")
    assert odata.literal(2**40) == "1099511627776L"
    with pytest.raises(ValidationFailed):
        odata.property_name("a eq 1 or b")
    assert odata.range_filter("t", "a|", "a}", {"n": 1}) == (
        "PartitionKey eq 't' and RowKey ge 'a|' and RowKey lt 'a}' and n eq 1"
    )


def test_continuation_tokens_round_trip_and_refuse_garbage() -> None:
    token = encode_token({"PartitionKey": "t1", "RowKey": "exp|x"})
    assert decode_token(token) == {"PartitionKey": "t1", "RowKey": "exp|x"}
    assert all(c.isalnum() or c in "-_" for c in token)
    for bad in ("%%%", encode_token({"a": 1}), "bm90IGpzb24"):
        with pytest.raises(ValidationFailed):
            decode_token(bad)


def test_registry_requires_every_upgrade_step_and_chains_them() -> None:
    registry = SchemaRegistry()
    with pytest.raises(ValueError, match=r"\[2\]"):
        registry.register("thing", 3, {1: dict})
    registry.register("thing", 3, {1: lambda d: {**d, "b": 1}, 2: lambda d: {**d, "c": d["b"] + 1}})
    assert registry.upgrade("thing", 1, {"a": 0}) == {"a": 0, "b": 1, "c": 2}
    assert registry.upgrade("thing", 3, {"a": 0}) == {"a": 0}
    with pytest.raises(ValueError, match="not registered"):
        registry.get("other")
    with pytest.raises(ValueError, match="invalid entity kind"):
        registry.register("name", 1)


def test_codec_reserved_names_int64_and_json() -> None:
    for key in ("_x", "created_at", "a__json"):
        with pytest.raises(ValidationFailed):
            codec.encode_data({key: 1}, "w", {})
    row: dict[str, object] = {}
    size = codec.encode_data({"big": 2**40, "d": {"a": [1]}, "none": None}, "w", row)
    assert set(row) == {"big", "d__json"} and size > 0
    assert codec.decode_data(row) == {"big": 2**40, "d": {"a": [1]}}
    with pytest.raises(LimitExceeded, match="time zone"):
        codec.encode_data({"d": datetime(2020, 1, 1)}, "w", {})


def test_clocks_are_utc() -> None:
    assert SystemClock().now().tzinfo is UTC
    clock = ManualClock()
    before = clock.now()
    assert clock.advance(timedelta(seconds=5)) - before == timedelta(seconds=5)
