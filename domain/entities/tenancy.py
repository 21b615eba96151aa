"""Tenants, members and roles, and the caller's own view (`GET /me`)."""

from __future__ import annotations

from pydantic import Field

from domain.entities.common import ApiModel, Description, Name, Patch, Resource
from domain.entities.role import Role


class Quotas(ApiModel):
    max_concurrent_runs: int = Field(default=2, ge=1, le=100)
    max_trials_per_run: int = Field(default=100, ge=1, le=1000)
    max_timeout_minutes: int = Field(default=60, ge=1, le=43200)
    max_batch_rows: int = Field(default=1_000_000, ge=1, le=100_000_000, description="rows per batch scoring job")


class AzureMLBinding(ApiModel):
    """The Azure ML workspace a tenant's jobs run in (empty = the app's default backend)."""

    subscription_id: str = Field(pattern=r"^[0-9a-fA-F-]{36}$")
    resource_group: str = Field(min_length=1, max_length=90)
    workspace_name: str = Field(min_length=3, max_length=33)


class TenantCreate(ApiModel):
    name: Name
    display_name: Description | None = None
    owner_user_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="the first owner (default: the admin creating it)",
    )
    quotas: Quotas = Quotas()
    azureml: AzureMLBinding | None = None


class TenantUpdate(Patch):
    clearable = frozenset({"display_name", "azureml"})

    display_name: Description | None = None
    quotas: Quotas | None = None
    azureml: AzureMLBinding | None = None


class Usage(ApiModel):
    """What a tenant uses of its quotas right now."""

    active_runs: int = Field(ge=0, description="runs not yet finalized, against maxConcurrentRuns")


class Tenant(Resource):
    name: str
    display_name: str | None = None
    quotas: Quotas
    usage: Usage | None = Field(default=None, description="on a single tenant and in /me; null in lists")
    azureml: AzureMLBinding | None = None
    state: str = "Active"


class MemberPut(ApiModel):
    role: Role
    display_name: Description | None = None


class Member(Resource):
    user_id: str
    role: Role
    display_name: str | None = None


class MyTenant(ApiModel):
    """A tenant the caller belongs to: enough for a console's tenant switcher and forms, whatever the role."""

    tenant_id: str
    role: Role
    name: str
    display_name: str | None = None
    quotas: Quotas
    usage: Usage


class Me(ApiModel):
    user_id: str
    name: str | None = None
    platform_admin: bool
    tenants: list[MyTenant]
