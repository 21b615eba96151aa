"""Identity and authorization, framework-free (ADR 0007): the HTTP layer passes request headers in and gets a
`Principal` out (`build_authenticator(settings).authenticate(headers)`), then calls
`authorize(principal, tenant_id, permission, memberships)` with the route's `Permission`."""

from __future__ import annotations

from domain.auth.authorize import authorize
from domain.auth.dev_tokens import mint_dev_token
from domain.auth.factory import build_authenticator
from domain.auth.membership_cache import CachedMembershipLookup
from domain.auth.permissions import PERMISSIONS, Permission, Rule, Scope
from domain.entities.principal import Principal
from domain.entities.role import Role

__all__ = [
    "PERMISSIONS",
    "CachedMembershipLookup",
    "Permission",
    "Principal",
    "Role",
    "Rule",
    "Scope",
    "authorize",
    "build_authenticator",
    "mint_dev_token",
]
