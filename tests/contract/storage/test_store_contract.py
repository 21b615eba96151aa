"""EntityStore contract: CRUD, names, ETags, tombstones, listings, audit and request counts (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import ConcurrencyConflict, Conflict, NameTaken, NotFound, ValidationFailed
from tests.contract.storage.conftest import Env

VALUES = {
    "text": "héllo 'quoted' | ~",
    "count": 7,
    "big": 2**40,
    "ratio": 0.25,
    "flag": True,
    "when": datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
    "blob": b"\x00\x01\xff",
    "params": {"lr": 0.1, "layers": [1, 2]},
    "tags": ["a", "b"],
}


def test_create_then_get_round_trips_every_type(env: Env) -> None:
    created = env.store.create(env.tenant, "note", "n1", VALUES, actor="alice", name="First")
    got = env.store.get(env.tenant, "note", "n1")
    assert got.data == VALUES
    assert (got.created_by, got.name, got.etag, got.version) == ("alice", "First", created.etag, 1)
    assert got.created_at == got.updated_at == created.created_at
    assert got.created_at.tzinfo is not None


def test_get_missing_is_not_found_with_kind_and_id(env: Env) -> None:
    with pytest.raises(NotFound) as err:
        env.store.get(env.tenant, "note", "absent")
    assert (err.value.kind, err.value.ident) == ("note", "absent")


def test_other_tenant_sees_nothing(env: Env) -> None:
    env.store.create(env.tenant, "note", "n1", {"a": 1}, actor="alice", name="Mine")
    with pytest.raises(NotFound):
        env.store.get(env.tenant + "x", "note", "n1")
    assert env.store.list(env.tenant + "x", "note").items == []


def test_name_is_unique_case_insensitively_and_a_refused_create_leaves_nothing(env: Env) -> None:
    env.store.create(env.tenant, "note", "n1", {"a": 1}, actor="alice", name="Report")
    audit_before = len(env.store.list_audit(env.tenant).items)
    with pytest.raises(NameTaken) as err:
        env.store.create(env.tenant, "note", "n2", {"a": 2}, actor="bob", name="  REPORT ")
    assert (err.value.kind, err.value.name) == ("note", "  REPORT ")
    with pytest.raises(NotFound):
        env.store.get(env.tenant, "note", "n2")
    assert len(env.store.list_audit(env.tenant).items) == audit_before
    assert env.store.get_by_name(env.tenant, "note", "report").id == "n1"


def test_duplicate_id_is_a_conflict(env: Env) -> None:
    env.store.create(env.tenant, "note", "n1", {"a": 1}, actor="alice")
    with pytest.raises(Conflict):
        env.store.create(env.tenant, "note", "n1", {"a": 2}, actor="alice", name="other")
    with pytest.raises(NotFound):
        env.store.get_by_name(env.tenant, "note", "other")


def test_update_applies_changes_removes_none_and_keeps_creation_fields(env: Env) -> None:
    rec = env.store.create(env.tenant, "note", "n1", {"a": 1, "b": "x"}, actor="alice")
    new = env.store.update(env.tenant, "note", "n1", {"a": 2, "b": None, "c": [1]}, actor="bob", etag=rec.etag)
    got = env.store.get(env.tenant, "note", "n1")
    assert got.data == new.data == {"a": 2, "c": [1]}
    assert got.etag == new.etag != rec.etag
    assert (got.created_by, got.created_at) == ("alice", rec.created_at)
    assert got.updated_at >= rec.updated_at


def test_stale_etag_is_refused_and_changes_nothing(env: Env) -> None:
    rec = env.store.create(env.tenant, "note", "n1", {"a": 1}, actor="alice")
    env.store.update(env.tenant, "note", "n1", {"a": 2}, actor="bob", etag=rec.etag, current=rec)
    with pytest.raises(ConcurrencyConflict) as err:  # If-Match with the old ETag
        env.store.update(env.tenant, "note", "n1", {"a": 3}, actor="carol", etag=rec.etag)
    assert (err.value.kind, err.value.ident) == ("note", "n1")
    with pytest.raises(ConcurrencyConflict):  # the stale record itself: the conditional write is refused (412)
        env.store.update(env.tenant, "note", "n1", {"a": 4}, actor="carol", etag=rec.etag, current=rec)
    with pytest.raises(ConcurrencyConflict):
        env.store.delete(env.tenant, "note", "n1", actor="carol", etag=rec.etag, current=rec)
    assert env.store.get(env.tenant, "note", "n1").data == {"a": 2}


def test_rename_moves_the_name_atomically(env: Env) -> None:
    a = env.store.create(env.tenant, "note", "n1", {}, actor="alice", name="Alpha")
    env.store.create(env.tenant, "note", "n2", {}, actor="alice", name="Beta")
    with pytest.raises(NameTaken):
        env.store.update(env.tenant, "note", "n1", {"x": 1}, actor="alice", etag=a.etag, rename_to="beta")
    assert env.store.get(env.tenant, "note", "n1").data == {}
    renamed = env.store.update(env.tenant, "note", "n1", {}, actor="alice", etag=a.etag, rename_to="Gamma")
    assert renamed.name == "Gamma"
    assert env.store.get_by_name(env.tenant, "note", "GAMMA").id == "n1"
    with pytest.raises(NotFound):
        env.store.get_by_name(env.tenant, "note", "alpha")
    env.store.create(env.tenant, "note", "n3", {}, actor="alice", name="alpha")  # the old name is free again
    recased = env.store.update(env.tenant, "note", "n1", {}, actor="alice", etag=None, rename_to="GAMMA")
    assert env.store.get_by_name(env.tenant, "note", "gamma").name == recased.name == "GAMMA"


def test_delete_releases_the_name(env: Env) -> None:
    rec = env.store.create(env.tenant, "note", "n1", {}, actor="alice", name="Gone")
    env.store.delete(env.tenant, "note", "n1", actor="alice", etag=rec.etag)
    with pytest.raises(NotFound):
        env.store.get(env.tenant, "note", "n1")
    with pytest.raises(NotFound):
        env.store.delete(env.tenant, "note", "n1", actor="alice", etag=None)
    env.store.create(env.tenant, "note", "n2", {}, actor="alice", name="gone")


def test_tombstone_hides_at_once_and_delete_finishes(env: Env) -> None:
    rec = env.store.create(env.tenant, "widget", "w1", {"display_name": "x", "size_cm": 1}, actor="a", name="W")
    tomb = env.store.tombstone(env.tenant, "widget", "w1", actor="a", etag=rec.etag)
    assert tomb.deleting
    with pytest.raises(NotFound):
        env.store.get(env.tenant, "widget", "w1")
    with pytest.raises(NotFound):
        env.store.get_by_name(env.tenant, "widget", "w")
    with pytest.raises(NotFound):
        env.store.update(env.tenant, "widget", "w1", {"size_cm": 2}, actor="a", etag=None)
    assert env.store.list(env.tenant, "widget").items == []
    assert [r.id for r in env.store.list(env.tenant, "widget", include_deleted=True).items] == ["w1"]
    assert env.store.get(env.tenant, "widget", "w1", include_deleted=True).deleting
    env.store.delete(env.tenant, "widget", "w1", actor="a", etag=tomb.etag)
    assert env.store.list(env.tenant, "widget", include_deleted=True).items == []


def test_list_pages_with_opaque_tokens_one_request_each(env: Env) -> None:
    for i in range(7):
        env.store.create(env.tenant, "note", f"n{i}", {"i": i}, actor="a")
    env.store.create(env.tenant, "widget", "w", {"display_name": "x", "size_cm": 1}, actor="a")
    env.requests()
    pages, token = [], None
    while True:
        page = env.store.list(env.tenant, "note", top=3, continuation=token)
        assert env.requests() == 1
        pages.append([r.id for r in page.items])
        if page.continuation is None:
            break
        assert page.continuation.replace("-", "").replace("_", "").isalnum()
        token = page.continuation
    assert [i for p in pages for i in p] == [f"n{i}" for i in range(7)]
    assert max(len(p) for p in pages) == 3


def test_list_filters_are_typed_and_safe(env: Env) -> None:
    env.store.create(env.tenant, "note", "a", {"owner": "o'neil", "n": 1, "ok": True}, actor="x")
    env.store.create(env.tenant, "note", "b", {"owner": "o'neil' or 'a' eq 'a", "n": 0, "ok": False}, actor="x")
    env.store.create(env.tenant, "note", "c", {"owner": "zed", "n": 1, "ok": False}, actor="x")
    ids = lambda **w: [r.id for r in env.store.list(env.tenant, "note", where=w).items]  # noqa: E731
    assert ids(owner="o'neil") == ["a"]
    assert ids(owner="o'neil' or 'a' eq 'a") == ["b"]
    assert ids(n=1) == ["a", "c"]
    assert ids(n=0) == ["b"]
    assert ids(ok=False) == ["b", "c"]
    assert ids(n=1, ok=True) == ["a"]
    with pytest.raises(ValidationFailed):
        env.store.list(env.tenant, "note", where={"a eq 1 or b": 1})
    with pytest.raises(ValidationFailed):
        env.store.list(env.tenant, "note", continuation="not a token!")


def test_children_sort_under_their_parent(env: Env) -> None:
    for parent in ("w1", "w2"):
        env.store.create(env.tenant, "widget", parent, {"display_name": parent, "size_cm": 1}, actor="a")
        for i in range(3):
            env.store.create(env.tenant, "part", f"p{i}", {"i": i}, actor="a", parent_id=parent)
    page = env.store.list(env.tenant, "part", parent_id="w2")
    assert [(r.parent_id, r.id) for r in page.items] == [("w2", "p0"), ("w2", "p1"), ("w2", "p2")]
    assert env.store.get(env.tenant, "part", "p1", parent_id="w1").data == {"i": 1}
    assert len(env.store.list(env.tenant, "part").items) == 6
    assert [r.id for r in env.store.list(env.tenant, "widget").items] == ["w1", "w2"]
    with pytest.raises(ValidationFailed):
        env.store.get(env.tenant, "part", "p1")


def test_every_mutation_is_audited_newest_first(env: Env) -> None:
    rec = env.store.create(env.tenant, "note", "n1", {"a": 1}, actor="alice", name="N")
    rec = env.store.update(env.tenant, "note", "n1", {"a": 2}, actor="bob", etag=rec.etag)
    env.store.delete(env.tenant, "note", "n1", actor="carol", etag=rec.etag)
    entries = env.store.list_audit(env.tenant).items
    assert [(e.data["action"], e.data["actor"], e.data["entity_id"]) for e in entries] == [
        ("delete", "carol", "n1"),
        ("update", "bob", "n1"),
        ("create", "alice", "n1"),
    ]
    assert entries[1].data["diff"] == {"a": [1, 2]}
    assert entries[2].data["diff"] == {"a": [None, 1]}
    since = entries[1].created_at
    assert len(env.store.list_audit(env.tenant, since=since).items) == 2
    assert env.store.list_audit(env.tenant, since=since + timedelta(days=1)).items == []


def test_request_counts(env: Env) -> None:
    """Audit and name rows ride in the same transaction: one request per operation."""
    env.requests()
    rec = env.store.create(env.tenant, "note", "n1", {"a": 1}, actor="alice", name="Counted")
    assert env.requests() == 1
    rec = env.store.get(env.tenant, "note", "n1")
    assert env.requests() == 1
    rec = env.store.update(env.tenant, "note", "n1", {"a": 2}, actor="alice", etag=rec.etag, current=rec)
    assert env.requests() == 1
    env.store.list(env.tenant, "note")
    assert env.requests() == 1
    env.store.get_by_name(env.tenant, "note", "counted")
    assert env.requests() == 2
    rec = env.store.update(env.tenant, "note", "n1", {}, actor="alice", etag=rec.etag, rename_to="Other", current=rec)
    assert env.requests() == 1
    env.store.delete(env.tenant, "note", "n1", actor="alice", etag=rec.etag, current=rec)
    assert env.requests() == 1
    env.store.update  # noqa: B018 - without the record, update reads first:
    rec2 = env.store.create(env.tenant, "note", "n2", {}, actor="alice")
    env.requests()
    env.store.update(env.tenant, "note", "n2", {"a": 1}, actor="alice", etag=rec2.etag)
    assert env.requests() == 2
