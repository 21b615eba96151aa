"""Listings Table Storage cannot do in one query (domain/storage/scan.py), on both backends: newest first and a
case-insensitive name prefix, with their own cursors, filters applied, every item reached exactly once."""

from __future__ import annotations

import pytest

from domain.errors import ValidationFailed
from domain.storage import scan
from tests.contract.storage.conftest import Env

NAMES = ["Alpha", "beta", "ALPS", "gamma", "alpine", "Delta", "alp-7"]


def seed(env: Env) -> list[str]:
    """Notes n00 .. n06 (ids in creation order), named as NAMES, `even` on every other one."""
    ids = []
    for i, name in enumerate(NAMES):
        ident = f"n{i:02d}"
        env.store.create(env.tenant, "note", ident, {"even": i % 2 == 0}, actor="a", name=name)
        ids.append(ident)
    return ids


def walk(env: Env, top: int, **options: object) -> tuple[list[str], list[int]]:
    """Every page of a listing: the ids in order and each page's size."""
    seen, sizes, token = [], [], None
    while True:
        page = env.store.list(env.tenant, "note", top=top, continuation=token, **options)  # type: ignore[arg-type]
        seen += [r.id for r in page.items]
        sizes.append(len(page.items))
        token = page.continuation
        if token is None:
            return seen, sizes


@pytest.mark.parametrize("top", [1, 2, 3, 50])
def test_newest_first_reaches_every_item_once(env: Env, top: int) -> None:
    ids = seed(env)
    seen, sizes = walk(env, top, newest_first=True)
    assert seen == list(reversed(ids)) and max(sizes) <= top


def test_newest_first_with_a_filter_and_a_prefix(env: Env) -> None:
    seed(env)
    assert walk(env, 2, newest_first=True, where={"even": True})[0] == ["n06", "n04", "n02", "n00"]
    assert walk(env, 2, newest_first=True, name_prefix="ALP")[0] == ["n06", "n04", "n02", "n00"]
    assert walk(env, 1, newest_first=True, name_prefix="alp", where={"even": False})[0] == []


@pytest.mark.parametrize("top", [1, 2, 10])
def test_a_name_prefix_matches_any_case_in_creation_order(env: Env, top: int) -> None:
    seed(env)
    assert walk(env, top, name_prefix="alp")[0] == ["n00", "n02", "n04", "n06"]
    assert walk(env, top, name_prefix="D")[0] == ["n05"]
    assert walk(env, top, name_prefix="zzz")[0] == []


def test_a_prefix_scan_stops_at_its_budget_and_resumes(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    seed(env)
    monkeypatch.setattr(scan, "BATCH", 2)
    monkeypatch.setattr(scan, "MAX_REQUESTS", 1)  # one request of 2 rows per page: short pages, a cursor each
    seen, sizes = walk(env, 10, name_prefix="alp")
    assert seen == ["n00", "n02", "n04", "n06"] and max(sizes) <= 2


def test_cursors_of_one_order_are_refused_by_the_other(env: Env) -> None:
    seed(env)
    newest = env.store.list(env.tenant, "note", top=1, newest_first=True)
    assert newest.continuation is not None
    with pytest.raises(ValidationFailed) as err:
        env.store.list(env.tenant, "note", top=1, name_prefix="a", continuation=newest.continuation)
    assert err.value.target == "continuation"
    with pytest.raises(ValidationFailed):
        env.store.list(env.tenant, "note", top=1, newest_first=True, continuation="garbage")
