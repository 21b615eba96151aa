"""THE permission table: every named permission and who holds it (API.md, role column; ADR 0007).

Every HTTP route declares exactly one `Permission`. Scopes:
- PUBLIC: no token needed (health, the OpenAPI document, the docs page);
- SIGNED_IN: any authenticated caller (`/me`);
- PLATFORM: platform admins only (the PLATFORM_ADMIN_ROLE app role);
- TENANT: a member of the tenant in the path whose role is at least `min_role`.
Platform admins hold every permission, in every tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.entities.role import Role


class Permission(StrEnum):
    PUBLIC = "public"
    ME_READ = "me.read"
    TENANT_CREATE = "tenant.create"
    TENANT_LIST = "tenant.list"
    TENANT_READ = "tenant.read"
    TENANT_UPDATE = "tenant.update"
    TENANT_DELETE = "tenant.delete"
    MEMBER_READ = "member.read"
    MEMBER_WRITE = "member.write"
    DATASET_READ = "dataset.read"
    DATASET_WRITE = "dataset.write"
    EXPERIMENT_READ = "experiment.read"
    EXPERIMENT_WRITE = "experiment.write"
    RUN_READ = "run.read"
    RUN_START = "run.start"
    RUN_CANCEL = "run.cancel"
    RUN_DELETE = "run.delete"
    MODEL_READ = "model.read"
    MODEL_WRITE = "model.write"
    ENDPOINT_READ = "endpoint.read"
    ENDPOINT_WRITE = "endpoint.write"
    ENDPOINT_SCORE = "endpoint.score"
    BATCH_READ = "batch.read"
    BATCH_WRITE = "batch.write"
    OPERATION_READ = "operation.read"
    AUDIT_READ = "audit.read"


class Scope(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    PLATFORM = "platform"
    TENANT = "tenant"


@dataclass(frozen=True, slots=True)
class Rule:
    scope: Scope
    min_role: Role | None = None


_PUBLIC = Rule(Scope.PUBLIC)
_SIGNED_IN = Rule(Scope.SIGNED_IN)
_PLATFORM = Rule(Scope.PLATFORM)
_READER = Rule(Scope.TENANT, Role.READER)
_CONTRIBUTOR = Rule(Scope.TENANT, Role.CONTRIBUTOR)
_OWNER = Rule(Scope.TENANT, Role.OWNER)

PERMISSIONS: dict[Permission, Rule] = {
    Permission.PUBLIC: _PUBLIC,
    Permission.ME_READ: _SIGNED_IN,
    Permission.TENANT_CREATE: _PLATFORM,
    Permission.TENANT_LIST: _PLATFORM,
    Permission.TENANT_READ: _OWNER,
    Permission.TENANT_UPDATE: _OWNER,
    Permission.TENANT_DELETE: _PLATFORM,
    Permission.MEMBER_READ: _READER,
    Permission.MEMBER_WRITE: _OWNER,
    Permission.DATASET_READ: _READER,
    Permission.DATASET_WRITE: _CONTRIBUTOR,
    Permission.EXPERIMENT_READ: _READER,
    Permission.EXPERIMENT_WRITE: _CONTRIBUTOR,
    Permission.RUN_READ: _READER,
    Permission.RUN_START: _CONTRIBUTOR,
    Permission.RUN_CANCEL: _CONTRIBUTOR,
    Permission.RUN_DELETE: _CONTRIBUTOR,
    Permission.MODEL_READ: _READER,
    Permission.MODEL_WRITE: _CONTRIBUTOR,
    Permission.ENDPOINT_READ: _READER,
    Permission.ENDPOINT_WRITE: _CONTRIBUTOR,
    Permission.ENDPOINT_SCORE: _READER,
    Permission.BATCH_READ: _READER,
    Permission.BATCH_WRITE: _CONTRIBUTOR,
    Permission.OPERATION_READ: _READER,
    Permission.AUDIT_READ: _OWNER,
}


def rule_for(permission: Permission) -> Rule:
    """The rule of `permission`; a permission missing from the table is a programming error (fail closed)."""
    try:
        return PERMISSIONS[permission]
    except KeyError:
        raise LookupError(f"permission {permission!r} has no rule in PERMISSIONS") from None
