"""Races, atomic transactions, Table limits, schema upgrade on read, and unavailability (both backends)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.errors import ConcurrencyConflict, DomainError, LimitExceeded, NameTaken, NotFound, Unavailable
from domain.storage.backend import BackendUnavailable, BatchOp
from domain.storage.memory_backend import MemoryBackend
from domain.storage.records import Op
from domain.storage.store import delete_ops
from tests.contract.storage.conftest import Env


def race(n: int, fn: Callable[[int], Any]) -> list[Any]:
    """Run fn(0..n-1) in n threads released together; each result or the exception raised."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def work(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn(i)
        except Exception as exc:
            results[i] = exc

    threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_32_concurrent_creates_of_one_name_exactly_one_wins(env: Env) -> None:
    results = race(32, lambda i: env.store.create(env.tenant, "note", f"n{i}", {"i": i}, actor="a", name="Same"))
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert all(isinstance(r, NameTaken) for r in results if r is not winners[0])
    assert [r.id for r in env.store.list(env.tenant, "note").items] == [winners[0].id]
    assert env.store.get_by_name(env.tenant, "note", "same").id == winners[0].id


def test_concurrent_updates_lose_nothing(env: Env) -> None:
    rec = env.store.create(env.tenant, "note", "n1", {"v": 0}, actor="a")
    results = race(
        8, lambda i: env.store.update(env.tenant, "note", "n1", {"v": i + 1}, actor="a", etag=rec.etag, current=rec)
    )
    winners = [r for r in results if not isinstance(r, Exception)]
    assert len(winners) == 1
    assert sum(isinstance(r, ConcurrencyConflict) for r in results) == 7
    assert env.store.get(env.tenant, "note", "n1").data == winners[0].data


def test_a_transaction_with_one_failing_operation_leaves_nothing(env: Env) -> None:
    env.store.transact(env.tenant, [Op.create("ref|model|m1|ep|e1", {"since": 1})], actor="a")
    audit_before = len(env.store.list_audit(env.tenant).items)
    ops = [Op.create("ref|model|m2|ep|e1"), Op.upsert("ref|model|m3|ep|e1"), Op.create("ref|model|m1|ep|e1")]
    with pytest.raises(DomainError):
        env.store.transact(env.tenant, ops, actor="a")
    rows, _ = env.store.list_rows(env.tenant, "ref|model|")
    assert [key for key, _, _ in rows] == ["ref|model|m1|ep|e1"]
    assert rows[0][1] == {"since": 1}
    assert len(env.store.list_audit(env.tenant).items) == audit_before
    with pytest.raises(NotFound) as err:  # a create carrying an extra op that fails: the entity is not written either
        env.store.create(env.tenant, "note", "n9", {}, actor="a", extra_ops=[Op.delete("ref|missing")])
    assert (err.value.kind, err.value.ident) == ("row", "ref|missing")
    with pytest.raises(NotFound):
        env.store.get(env.tenant, "note", "n9")


def test_cascade_deletes_in_pages_are_idempotent(env: Env) -> None:
    env.store.create(env.tenant, "widget", "w1", {"display_name": "w", "size_cm": 1}, actor="a")
    for i in range(5):
        env.store.create(env.tenant, "part", f"p{i}", {}, actor="a", parent_id="w1", name=f"part{i}")
    children = env.store.list(env.tenant, "part", parent_id="w1").items
    ops = [op for child in children for op in delete_ops(child)]
    env.store.transact(env.tenant, ops[:4], actor="a", action="cascade")
    env.store.transact(env.tenant, ops, actor="a", action="cascade")  # again, with rows already gone
    env.store.transact(env.tenant, ops, actor="a", action="cascade")  # nothing left at all
    assert env.store.list(env.tenant, "part", parent_id="w1").items == []
    env.store.create(env.tenant, "part", "p9", {}, actor="a", parent_id="w1", name="part0")  # names released


def test_old_version_entity_is_upgraded_on_read_and_rewritten_current(env: Env) -> None:
    now = datetime.now(UTC)
    row = {
        "PartitionKey": env.tenant,
        "RowKey": "widget|w1",
        "_t": "widget",
        "_v": 1,
        "_state": "active",
        "created_at": now,
        "updated_at": now,
        "created_by": "old",
        "title": "Old",
        "size": "L",
    }
    env.backend.submit(env.tenant, [BatchOp("create", row)])
    rec = env.store.get(env.tenant, "widget", "w1")
    assert (rec.version, rec.data) == (1, {"display_name": "Old", "size_cm": 40})
    assert [r.data for r in env.store.list(env.tenant, "widget").items] == [rec.data]
    env.store.update(env.tenant, "widget", "w1", {"size_cm": 41}, actor="a", etag=rec.etag, current=rec)
    stored, _ = env.backend.get(env.tenant, "widget|w1")
    assert stored["_v"] == 3 and "title" not in stored and "size" not in stored  # Replace mode
    assert env.store.get(env.tenant, "widget", "w1").data == {"display_name": "Old", "size_cm": 41}


LIMIT_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("properties", {f"p{i}": i for i in range(253)}, "properties"),
    ("entity size (UTF-16)", {f"s{i}": "é" * 30_000 for i in range(18)}, "entity"),
    ("string length", {"s": "x" * 32_001}, "s"),
    ("string length counted in UTF-16", {"s": "\U0001f600" * 16_001}, "s"),
    ("binary", {"b": b"x" * (64 * 1024 + 1)}, "b"),
    ("datetime before 1601", {"d": datetime(1600, 12, 31, tzinfo=UTC)}, "d"),
    ("int beyond 64 bits", {"i": 2**63}, "i"),
    ("property name", {"bad-name": 1}, "bad-name"),
]


@pytest.mark.parametrize(("label", "data", "target"), LIMIT_CASES, ids=[c[0] for c in LIMIT_CASES])
def test_table_limits_are_refused_before_sending(env: Env, label: str, data: dict[str, Any], target: str) -> None:
    env.requests()
    with pytest.raises(LimitExceeded) as err:
        env.store.create(env.tenant, "note", "n1", data, actor="a")
    assert err.value.target == target
    assert target in err.value.message or target in ("properties", "entity")
    assert "note 'n1'" in err.value.message
    assert env.requests() == 0


@pytest.mark.parametrize("name", ["a/b", "a\\b", "a#b", "a?b", "a\x01b", "a\x7fb"])
def test_forbidden_key_characters_are_refused(env: Env, name: str) -> None:
    with pytest.raises(LimitExceeded) as err:
        env.store.create(env.tenant, "note", "n1", {}, actor="a", name=name)
    assert err.value.target == "name" and "forbids" in err.value.message
    with pytest.raises(NotFound):
        env.store.get(env.tenant, "note", "n1")


def test_key_length_and_batch_size_are_refused(env: Env) -> None:
    with pytest.raises(LimitExceeded) as err:
        env.store.transact(env.tenant, [Op.create("ref|" + "k" * 300)], actor="a")
    assert err.value.target == "RowKey" and "255" in err.value.message
    with pytest.raises(LimitExceeded) as err:
        env.store.transact(env.tenant, [Op.create(f"ref|{i}") for i in range(100)], actor="a")
    assert "99" in err.value.message
    assert env.store.list_rows(env.tenant, "ref|")[0] == []


def test_unavailable_storage_carries_retry_after() -> None:
    memory = MemoryBackend()
    from domain.clock import SystemClock
    from domain.storage.store import EntityStore
    from tests.contract.storage.conftest import schemas

    store = EntityStore(memory, schemas=schemas(), clock=SystemClock())
    memory.fail_next(BackendUnavailable("busy", retry_after=7))
    with pytest.raises(Unavailable) as err:
        store.get("t1", "note", "n1")
    assert err.value.retry_after == 7
