"""The one authorization decision every route makes (DESIGN.md §6)."""

from __future__ import annotations

from domain.auth.permissions import Permission, Scope, rule_for
from domain.entities.principal import Principal
from domain.entities.role import Role
from domain.errors import Forbidden, NotFound, Unauthenticated
from domain.ports import MembershipLookup


def authorize(
    principal: Principal | None, tenant_id: str | None, permission: Permission, memberships: MembershipLookup
) -> None:
    """Return when `principal` holds `permission` in `tenant_id`; raise otherwise.

    - PUBLIC permissions need nobody; every other one needs a principal (`Unauthenticated` without).
    - Platform admins hold every permission.
    - A tenant-scoped check by a caller with no membership in the tenant raises `NotFound` (the tenant looks absent,
      as another tenant's objects do: 404, never 403); a member whose role is too low gets `Forbidden`.
    - PLATFORM permissions on an existing tenant: non-members get `NotFound`, members `Forbidden`.
    """
    rule = rule_for(permission)
    if rule.scope is Scope.PUBLIC:
        return
    if principal is None:
        raise Unauthenticated("Sign-in required: send 'Authorization: Bearer <access token>'.")
    if rule.scope is Scope.SIGNED_IN or principal.platform_admin:
        return
    if tenant_id is None:
        if rule.scope is Scope.PLATFORM:
            raise Forbidden(f"'{permission}' needs the platform administrator role.")
        raise ValueError(f"permission '{permission}' is tenant-scoped: a tenant id is required")
    role = memberships.role_of(tenant_id, principal.user_id)
    if role is None:
        raise NotFound("tenant", tenant_id)
    if rule.scope is Scope.PLATFORM:
        raise Forbidden(f"'{permission}' needs the platform administrator role.")
    needed = rule.min_role or Role.OWNER
    if not role.at_least(needed):
        raise Forbidden(f"'{permission}' needs the {needed} role in this tenant; you are {role}.")
