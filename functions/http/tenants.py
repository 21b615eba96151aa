"""Tenants, members and `GET /me`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import azure.durable_functions as df

from functions import _wiring
from functions._api import Call, endpoint
from functions._io import Reply, accepted, created, no_content, ok, page
from functions._lazy import lazy
from functions._security import security
from functions.orchestrations import starters

if TYPE_CHECKING:
    from domain.entities import operations as operations_types
    from domain.entities import queries as queries_types
    from domain.entities import tenancy as tenancy_types
    from domain.services import tenants
else:
    operations_types = lazy("domain.entities.operations")
    queries_types = lazy("domain.entities.queries")
    tenancy_types = lazy("domain.entities.tenancy")
    tenants = lazy("domain.services.tenants")

bp = df.Blueprint()
T = "v1/tenants/{tenant}"


@endpoint(
    bp,
    "GET",
    "v1/me",
    permission="me.read",
    summary="The caller, and each tenant they belong to: role, name, display name, quotas, usage",
    response=lambda: tenancy_types.Me,
    tag="me",
)
def get_me(call: Call) -> Reply:
    return ok(tenants.get_me(_wiring.store(), call.user))


@endpoint(
    bp,
    "GET",
    "v1/tenants",
    permission="tenant.list",
    summary="List tenants (platform admins)",
    query=lambda: queries_types.NamedListQuery,
    response=lambda: list[tenancy_types.Tenant],
    tag="tenants",
)
def list_tenants(call: Call) -> Reply:
    items, token = tenants.list_tenants(_wiring.store(), call.query)
    return page(items, token, call.req)


@endpoint(
    bp,
    "POST",
    "v1/tenants",
    permission="tenant.create",
    summary="Create a tenant",
    body=lambda: tenancy_types.TenantCreate,
    response=lambda: tenancy_types.Tenant,
    status=201,
    errors=(409,),
    tag="tenants",
)
def create_tenant(call: Call) -> Reply:
    tenant = tenants.create_tenant(_wiring.store(), call.user, call.body)
    security().memberships.invalidate(tenant.id, call.body.owner_user_id or call.user.user_id)
    return created(tenant, f"/api/v1/tenants/{tenant.id}")


@endpoint(
    bp,
    "GET",
    T,
    permission="tenant.read",
    summary="Read a tenant",
    response=lambda: tenancy_types.Tenant,
    tag="tenants",
)
def get_tenant(call: Call) -> Reply:
    return ok(tenants.get_tenant(_wiring.store(), call.tenant))


@endpoint(
    bp,
    "PATCH",
    T,
    permission="tenant.update",
    summary="Change a tenant",
    body=lambda: tenancy_types.TenantUpdate,
    response=lambda: tenancy_types.Tenant,
    errors=(412,),
    tag="tenants",
)
def update_tenant(call: Call) -> Reply:
    return ok(tenants.update_tenant(_wiring.store(), call.user, call.tenant, call.body, call.if_match))


@endpoint(
    bp,
    "DELETE",
    T,
    permission="tenant.delete",
    summary="Delete a tenant and everything in it",
    response=lambda: operations_types.Operation,
    status=202,
    errors=(412,),
    durable=True,
    tag="tenants",
)
async def delete_tenant(call: Call) -> Reply:
    op = await starters.start_delete(call.client, call.user, call.tenant, "tenant", call.tenant, call.if_match)
    security().memberships.invalidate_tenant(call.tenant)
    return accepted(op, call.path(f"operations/{op.id}"))


@endpoint(
    bp,
    "GET",
    f"{T}/members",
    permission="member.read",
    summary="List members (filter by role)",
    query=lambda: queries_types.MembersQuery,
    response=lambda: list[tenancy_types.Member],
    tag="members",
)
def list_members(call: Call) -> Reply:
    items, token = tenants.list_members(_wiring.store(), call.tenant, call.query)
    return page(items, token, call.req)


@endpoint(
    bp,
    "PUT",
    f"{T}/members/{{userId}}",
    permission="member.write",
    summary="Add a member or change a role",
    body=lambda: tenancy_types.MemberPut,
    response=lambda: tenancy_types.Member,
    errors=(409,),
    tag="members",
)
def put_member(call: Call) -> Reply:
    member = tenants.put_member(_wiring.store(), call.user, call.tenant, call.params["userId"], call.body)
    security().memberships.invalidate(call.tenant, member.user_id)
    return ok(member)


@endpoint(
    bp,
    "DELETE",
    f"{T}/members/{{userId}}",
    permission="member.write",
    summary="Remove a member",
    status=204,
    errors=(409, 412),
    tag="members",
)
def delete_member(call: Call) -> Reply:
    tenants.delete_member(_wiring.store(), call.user, call.tenant, call.params["userId"], call.if_match)
    security().memberships.invalidate(call.tenant, call.params["userId"])
    return no_content()
