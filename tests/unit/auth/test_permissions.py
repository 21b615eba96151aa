"""The permission table and `authorize`: the allow/deny matrix per role, platform admins, non-members (404) and
roles too low (403)."""

from __future__ import annotations

import re

import pytest

from domain.auth import PERMISSIONS, Permission, Principal, Role, Scope, authorize
from domain.errors import Forbidden, NotFound, Unauthenticated
from domain.settings import AuthMode

# The contract, written out independently of the code (API.md role column; reads are reader, ADR 0007).
# value: the minimum tenant role, or "public" / "signed-in" / "platform-admin".
EXPECTED: dict[str, str] = {
    "public": "public",
    "me.read": "signed-in",
    "tenant.create": "platform-admin",
    "tenant.list": "platform-admin",
    "tenant.delete": "platform-admin",
    "tenant.read": "owner",
    "tenant.update": "owner",
    "member.read": "reader",
    "member.write": "owner",
    "dataset.read": "reader",
    "dataset.write": "contributor",
    "experiment.read": "reader",
    "experiment.write": "contributor",
    "run.read": "reader",
    "run.start": "contributor",
    "run.cancel": "contributor",
    "run.delete": "contributor",
    "model.read": "reader",
    "model.write": "contributor",
    "endpoint.read": "reader",
    "endpoint.write": "contributor",
    "endpoint.score": "reader",
    "batch.read": "reader",
    "batch.write": "contributor",
    "operation.read": "reader",
    "audit.read": "owner",
}
ORDER = ["reader", "contributor", "owner"]
TENANT = "t-acme"


class FakeMemberships:
    def __init__(self, roles: dict[tuple[str, str], Role] | None = None) -> None:
        self.roles = roles or {}
        self.lookups = 0

    def role_of(self, tenant_id: str, user_id: str) -> Role | None:
        self.lookups += 1
        return self.roles.get((tenant_id, user_id))


def user(user_id: str = "u1", *, admin: bool = False) -> Principal:
    return Principal(user_id=user_id, display_name=user_id, issuer="iss", platform_admin=admin, auth_mode=AuthMode.DEV)


def allowed(role: str, permission: str) -> bool:
    need = EXPECTED[permission]
    if need in ("public", "signed-in"):
        return True
    if need == "platform-admin":
        return False
    return ORDER.index(role) >= ORDER.index(need)


def test_every_permission_has_a_rule_and_the_table_matches_the_contract() -> None:
    assert set(PERMISSIONS) == set(Permission)
    assert {str(p) for p in Permission} == set(EXPECTED)
    for permission, rule in PERMISSIONS.items():
        if rule.scope is Scope.TENANT:
            assert rule.min_role is not None
            assert str(rule.min_role) == EXPECTED[permission]
        else:
            assert rule.min_role is None
            assert {"public": Scope.PUBLIC, "signed-in": Scope.SIGNED_IN, "platform-admin": Scope.PLATFORM}[
                EXPECTED[permission]
            ] is rule.scope


def test_permission_names_are_resource_dot_action() -> None:
    for permission in Permission:
        assert permission == "public" or re.fullmatch(r"[a-z]+\.[a-z]+", permission)


MATRIX = [
    pytest.param(
        role,
        permission,
        allowed(role, permission),
        id=f"{role}-{permission}-{'allow' if allowed(role, permission) else 'deny'}",
    )
    for permission in EXPECTED
    for role in ORDER
]


@pytest.mark.parametrize(("role", "permission", "expected"), MATRIX)
def test_the_allow_deny_matrix_per_role(role: str, permission: str, expected: bool) -> None:
    memberships = FakeMemberships({(TENANT, "u1"): Role(role)})
    if expected:
        authorize(user(), TENANT, Permission(permission), memberships)
    else:
        with pytest.raises(Forbidden):
            authorize(user(), TENANT, Permission(permission), memberships)


@pytest.mark.parametrize("permission", list(Permission), ids=str)
def test_a_platform_admin_holds_every_permission_without_membership(permission: Permission) -> None:
    memberships = FakeMemberships()
    authorize(user(admin=True), TENANT, permission, memberships)
    authorize(user(admin=True), None, Permission.TENANT_CREATE, memberships)
    assert memberships.lookups == 0


@pytest.mark.parametrize(
    "permission", [p for p, r in PERMISSIONS.items() if r.scope in (Scope.TENANT, Scope.PLATFORM)], ids=str
)
def test_a_non_member_gets_not_found_so_another_tenant_looks_absent(permission: Permission) -> None:
    memberships = FakeMemberships({("t-other", "u1"): Role.OWNER})
    with pytest.raises(NotFound) as info:
        authorize(user(), TENANT, permission, memberships)
    assert info.value.kind == "tenant"
    assert info.value.ident == TENANT


def test_a_reader_writing_gets_forbidden_naming_the_role_needed() -> None:
    memberships = FakeMemberships({(TENANT, "u1"): Role.READER})
    with pytest.raises(Forbidden, match="needs the contributor role in this tenant; you are reader"):
        authorize(user(), TENANT, Permission.DATASET_WRITE, memberships)


def test_an_owner_cannot_delete_or_create_tenants() -> None:
    memberships = FakeMemberships({(TENANT, "u1"): Role.OWNER})
    with pytest.raises(Forbidden, match="platform administrator"):
        authorize(user(), TENANT, Permission.TENANT_DELETE, memberships)
    with pytest.raises(Forbidden, match="platform administrator"):
        authorize(user(), None, Permission.TENANT_CREATE, memberships)


def test_public_needs_no_principal_and_everything_else_does() -> None:
    authorize(None, None, Permission.PUBLIC, FakeMemberships())
    with pytest.raises(Unauthenticated):
        authorize(None, None, Permission.ME_READ, FakeMemberships())
    with pytest.raises(Unauthenticated):
        authorize(None, TENANT, Permission.RUN_READ, FakeMemberships({(TENANT, "u1"): Role.OWNER}))


def test_me_needs_only_a_signed_in_caller() -> None:
    memberships = FakeMemberships()
    authorize(user("stranger"), None, Permission.ME_READ, memberships)
    assert memberships.lookups == 0


def test_a_tenant_scoped_check_without_a_tenant_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="tenant-scoped"):
        authorize(user(), None, Permission.RUN_READ, FakeMemberships())


def test_roles_are_ordered() -> None:
    assert Role.OWNER.at_least(Role.CONTRIBUTOR) and Role.CONTRIBUTOR.at_least(Role.READER)
    assert not Role.READER.at_least(Role.CONTRIBUTOR)
    assert not Role.CONTRIBUTOR.at_least(Role.OWNER)
