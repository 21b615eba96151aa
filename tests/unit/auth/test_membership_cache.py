"""The membership cache: answers within the TTL without asking the store, forgets on invalidate, stays bounded."""

from __future__ import annotations

import pytest

from domain.auth import CachedMembershipLookup, Permission, Principal, Role, authorize
from domain.settings import AuthMode
from tests.unit.auth.kit import FakeClock


class CountingMemberships:
    def __init__(self) -> None:
        self.roles: dict[tuple[str, str], Role] = {}
        self.calls: list[tuple[str, str]] = []

    def role_of(self, tenant_id: str, user_id: str) -> Role | None:
        self.calls.append((tenant_id, user_id))
        return self.roles.get((tenant_id, user_id))


@pytest.fixture
def store() -> CountingMemberships:
    return CountingMemberships()


@pytest.fixture
def cache(store: CountingMemberships, clock: FakeClock) -> CachedMembershipLookup:
    return CachedMembershipLookup(store, ttl_seconds=30, max_entries=100, clock=clock)


def test_lookups_within_the_ttl_are_answered_from_the_cache(
    store: CountingMemberships, cache: CachedMembershipLookup, clock: FakeClock
) -> None:
    store.roles[("t1", "u1")] = Role.READER
    assert cache.role_of("t1", "u1") is Role.READER
    store.roles[("t1", "u1")] = Role.OWNER  # changed by another instance
    clock.advance(29.9)
    assert cache.role_of("t1", "u1") is Role.READER
    assert len(store.calls) == 1
    assert (cache.hits, cache.misses) == (1, 1)
    clock.advance(0.1)
    assert cache.role_of("t1", "u1") is Role.OWNER
    assert len(store.calls) == 2


def test_not_a_member_is_cached_too(store: CountingMemberships, cache: CachedMembershipLookup) -> None:
    assert cache.role_of("t1", "stranger") is None
    assert cache.role_of("t1", "stranger") is None
    assert len(store.calls) == 1


def test_invalidate_makes_a_change_through_this_instance_visible_at_once(
    store: CountingMemberships, cache: CachedMembershipLookup
) -> None:
    assert cache.role_of("t1", "u1") is None
    store.roles[("t1", "u1")] = Role.CONTRIBUTOR
    cache.invalidate("t1", "u1")
    assert cache.role_of("t1", "u1") is Role.CONTRIBUTOR
    del store.roles[("t1", "u1")]
    cache.invalidate("t1", "u1")
    assert cache.role_of("t1", "u1") is None


def test_invalidate_touches_only_that_member(store: CountingMemberships, cache: CachedMembershipLookup) -> None:
    cache.role_of("t1", "u1")
    cache.role_of("t1", "u2")
    cache.invalidate("t1", "u1")
    cache.role_of("t1", "u2")
    assert store.calls == [("t1", "u1"), ("t1", "u2")]


def test_invalidate_tenant_forgets_every_member_of_it(
    store: CountingMemberships, cache: CachedMembershipLookup
) -> None:
    for key in [("t1", "u1"), ("t1", "u2"), ("t2", "u1")]:
        cache.role_of(*key)
    cache.invalidate_tenant("t1")
    assert len(cache) == 1
    cache.role_of("t2", "u1")
    assert len(store.calls) == 3


def test_the_cache_is_bounded_and_evicts_the_least_recently_used(store: CountingMemberships, clock: FakeClock) -> None:
    cache = CachedMembershipLookup(store, ttl_seconds=30, max_entries=2, clock=clock)
    cache.role_of("t", "a")
    cache.role_of("t", "b")
    cache.role_of("t", "a")  # a is now the most recently used
    cache.role_of("t", "c")  # evicts b
    assert len(cache) == 2
    cache.role_of("t", "a")
    assert store.calls.count(("t", "a")) == 1
    cache.role_of("t", "b")
    assert store.calls.count(("t", "b")) == 2


def test_authorize_through_the_cache_costs_one_store_request_per_member_and_ttl(
    store: CountingMemberships, cache: CachedMembershipLookup
) -> None:
    store.roles[("t1", "u1")] = Role.CONTRIBUTOR
    caller = Principal(user_id="u1", display_name="u1", issuer="i", platform_admin=False, auth_mode=AuthMode.DEV)
    for _ in range(100):
        authorize(caller, "t1", Permission.RUN_START, cache)
    assert store.calls == [("t1", "u1")]


@pytest.mark.parametrize(("ttl", "size"), [(0, 10), (30, 0)])
def test_bad_limits_are_refused(store: CountingMemberships, ttl: float, size: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        CachedMembershipLookup(store, ttl_seconds=ttl, max_entries=size)
