"""Authentication and authorization for the HTTP layer: the settings' authenticator, and memberships read from the
store through a short-lived cache (a change made through this instance invalidates it at once)."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from domain.auth import CachedMembershipLookup, Permission, authorize, build_authenticator
from domain.entities.principal import Principal
from domain.ports import Authenticator
from domain.settings import get_settings
from functions import _wiring


class Security:
    def __init__(self, authenticator: Authenticator, memberships: CachedMembershipLookup) -> None:
        self.authenticator = authenticator
        self.memberships = memberships

    def authenticate(self, headers: Mapping[str, str]) -> Principal:
        return self.authenticator.authenticate(headers)

    def authorize(self, principal: Principal, tenant: str | None, permission: str) -> None:
        authorize(principal, tenant, Permission(permission), self.memberships)


@lru_cache(maxsize=1)
def security() -> Security:
    from domain.auth.memberships import StoreMemberships  # the typed records: on the first request (ADR 0019)

    memberships = CachedMembershipLookup(StoreMemberships(lambda: _wiring.store()))  # the store's wiring, called late
    return Security(build_authenticator(get_settings()), memberships)
