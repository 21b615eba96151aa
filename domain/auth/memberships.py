"""`MembershipLookup` over the store: the role a user holds in a tenant, read from the tenant's member row."""

from __future__ import annotations

from collections.abc import Callable

from domain.entities.role import Role
from domain.errors import NotFound
from domain.ports import Store
from domain.records.kinds import MEMBERS, TENANTS


def role_of(store: Store, tenant: str, user_id: str) -> Role | None:
    """The membership row, then (for a member) the tenant's own row, so a tenant whose cascading delete has started
    (tombstoned) is gone for its members at once, not when the cascade reaches their rows. Two point reads for a
    member, one for anyone else."""
    try:
        role = MEMBERS.get(store, tenant, user_id).data.role
        TENANTS.get(store, tenant, tenant)
    except NotFound:
        return None
    return role


class StoreMemberships:
    """The `MembershipLookup` port over the store (put a `CachedMembershipLookup` in front of it). `store` is called
    on each lookup, so the store is built on first use, as the function app's wiring does."""

    def __init__(self, store: Callable[[], Store]) -> None:
        self._store = store

    def role_of(self, tenant_id: str, user_id: str) -> Role | None:
        return role_of(self._store(), tenant_id, user_id)
