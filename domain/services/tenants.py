"""Tenants (platform admin creates; owners read and change) and the caller's own view (`GET /me`).

Tenants live in the platform partition, so their names are unique platform-wide in one transaction; each tenant's
objects live in the tenant's own partition. Quotas and the Azure ML binding are the platform's settings: only a
platform admin changes them. A tenant keeps at least one owner under any concurrency: every change that can remove
an owner is written in one transaction with the `guard|owners` row, conditional on the guard's ETag read before the
owners were counted, so of two owners demoting each other at once the second is re-checked and refused.

The user -> tenants index (`usertenant|{user}|{tenant}` rows in the platform partition) answers `GET /me` with one
query; it is written after the member row and repaired by the next PUT of the member if that second write is lost
(PUT is idempotent).
"""

from __future__ import annotations

from domain.entities.ids import new_id
from domain.entities.principal import Principal
from domain.entities.queries import MembersQuery, NamedListQuery
from domain.entities.role import Role
from domain.entities.tenancy import Me, Member, MemberPut, MyTenant, Tenant, TenantCreate, TenantUpdate, Usage
from domain.errors import ConcurrencyConflict, Conflict, Forbidden, NotFound, ValidationFailed
from domain.ports import Store
from domain.records import rows
from domain.records.kind import Stored
from domain.records.kinds import ENDPOINTS, MEMBERS, MODELS, RUNS, TENANTS, MemberData, TenantData
from domain.services._views import View, actor
from domain.settings import AutoMLBackendKind, get_settings
from domain.storage.keys import OWNERS_GUARD, PLATFORM, check_id, user_tenant_key, user_tenants
from domain.storage.records import Op

TENANT = View(TENANTS, Tenant)
MEMBER = View(MEMBERS, Member)
PLATFORM_FIELDS = ("quotas", "azureml")  # what only a platform admin may change
ATTEMPTS = 8  # a write that lost a race is re-read and re-checked this often before the caller sees 412


def list_tenants(store: Store, query: NamedListQuery) -> tuple[list[Tenant], str | None]:
    """Every tenant (the platform partition); for platform admins."""
    return TENANT.page(store, PLATFORM, query)


def list_members(store: Store, tenant: str, query: MembersQuery) -> tuple[list[Member], str | None]:
    return MEMBER.page(store, tenant, query, where={"role": query.role.value} if query.role else None)


def usage(store: Store, tenant: str) -> Usage:
    """The tenant's use of its quotas: active (not yet finalized) runs, one query."""
    active, _ = RUNS.list(store, tenant, where={"active": True}, top=1000)
    return Usage(active_runs=len(active))


def _check_binding_applies(binding: object) -> None:
    """A workspace binding routes the tenant's Azure ML work (the azureml backend); with the local backend it would
    be accepted and ignored, so it is refused."""
    if binding is not None and get_settings().automl_backend is not AutoMLBackendKind.AZUREML:
        raise ValidationFailed(
            "An Azure ML workspace binding applies only when the app runs the azureml AutoML backend "
            "(AUTOML_BACKEND=azureml); this deployment trains locally.",
            target="azureml",
        )


def workspace_binding(store: Store, tenant: str) -> tuple[str, str, str] | None:
    """The tenant's own Azure ML workspace (subscription, resource group, name), or None for the app's default."""
    binding = TENANTS.get(store, tenant, tenant).data.azureml
    if binding is None:
        return None
    return (binding.subscription_id, binding.resource_group, binding.workspace_name)


def create_tenant(store: Store, principal: Principal, body: TenantCreate) -> Tenant:
    """The tenant and its first owner: `ownerUserId`, or the platform admin creating it (a tenant always has one).
    The owner's id is checked before anything is written; if the owner cannot be written, the tenant is removed."""
    _check_binding_applies(body.azureml)
    tenant_id = new_id()
    owner = check_id(body.owner_user_id or principal.user_id, "ownerUserId")
    data = TenantData(name=body.name, display_name=body.display_name, quotas=body.quotas, azureml=body.azureml)
    stored = TENANTS.create(store, tenant_id, tenant_id, data, actor=actor(principal), name=body.name)
    try:
        put_member(store, principal, tenant_id, owner, MemberPut(role=Role.OWNER))
    except Exception:
        TENANTS.delete(store, tenant_id, tenant_id, actor=actor(principal), current=stored)
        raise
    return TENANT.of(stored)


def get_tenant(store: Store, tenant: str) -> Tenant:
    stored = TENANTS.get(store, tenant, tenant)
    return TENANT.of(stored, usage=usage(store, tenant))


def update_tenant(store: Store, principal: Principal, tenant: str, body: TenantUpdate, etag: str | None) -> Tenant:
    """Owners change the display fields; quotas and the Azure ML binding are platform-admin settings (403)."""
    sent = sorted(f for f in PLATFORM_FIELDS if f in body.model_fields_set)
    if sent and not principal.platform_admin:
        names = " and ".join("quotas" if f == "quotas" else "the Azure ML binding (azureml)" for f in sent)
        raise Forbidden(f"Only a platform administrator may change {names}.", target=sent[0])
    if "azureml" in body.model_fields_set:
        _check_binding_applies(body.azureml)
        current = TENANTS.get(store, tenant, tenant)
        if current.data.azureml != body.azureml and _uses_azureml(store, tenant):
            raise Conflict(
                "The tenant's Azure ML workspace cannot change once it has runs, models or endpoints: they live in "
                "the workspace they were created in.",
                target="azureml",
            )
    return TENANT.of(TENANT.merge(store, principal, tenant, tenant, body, etag), usage=usage(store, tenant))


def _uses_azureml(store: Store, tenant: str) -> bool:
    return any(kind.list(store, tenant, top=1)[0] for kind in (RUNS, MODELS, ENDPOINTS))


def put_member(store: Store, principal: Principal, tenant: str, user_id: str, body: MemberPut) -> Member:
    """Create or change a member's role (PUT is idempotent: a write that lost a race is re-read and applied again).
    The last owner cannot be demoted."""
    data = MemberData(user_id=user_id, role=body.role, display_name=body.display_name)
    for attempt in range(ATTEMPTS):
        try:
            stored = _put_once(store, principal, tenant, user_id, data)
            break
        except (ConcurrencyConflict, Conflict):
            if attempt == ATTEMPTS - 1:
                raise
    _index(store, principal, user_id, tenant)  # idempotent: a repeated PUT repairs a lost index row
    return MEMBER.of(stored)


def _put_once(store: Store, principal: Principal, tenant: str, user_id: str, data: MemberData) -> Stored[MemberData]:
    try:
        current = MEMBERS.get(store, tenant, user_id)
    except NotFound:
        return MEMBERS.create(store, tenant, user_id, data, actor=actor(principal))
    guard = []
    if current.data.role == Role.OWNER and data.role != Role.OWNER:
        guard = _owner_guard(store, tenant, user_id)
    changes = data.model_dump(exclude_none=True)
    return MEMBERS.update(store, tenant, user_id, changes, actor=actor(principal), current=current, extra_ops=guard)


def _index(store: Store, principal: Principal, user_id: str, tenant: str) -> None:
    row = rows.UserTenant(tenant_id=tenant)
    store.transact(
        PLATFORM, [Op.upsert(user_tenant_key(user_id, tenant), row.stored())], actor=actor(principal), action="index"
    )


def delete_member(store: Store, principal: Principal, tenant: str, user_id: str, etag: str | None) -> None:
    """Remove a member (the last owner cannot be removed). With If-Match, a changed member is a 412; without, a
    write that lost a race is re-read and re-checked."""
    for attempt in range(ATTEMPTS):
        current = MEMBERS.get(store, tenant, user_id)
        guard = _owner_guard(store, tenant, user_id) if current.data.role == Role.OWNER else []
        try:
            MEMBERS.delete(
                store, tenant, user_id, actor=actor(principal), etag=etag or current.etag, current=current,
                extra_ops=guard,
            )  # fmt: skip
            break
        except (ConcurrencyConflict, Conflict):
            if etag is not None or attempt == ATTEMPTS - 1:
                raise
    store.transact(
        PLATFORM, [Op.delete(user_tenant_key(user_id, tenant), if_exists=True)], actor=actor(principal), action="index"
    )


def _owner_guard(store: Store, tenant: str, user_id: str) -> list[Op]:
    """The guard row's next epoch, conditional on the ETag read BEFORE the owners are counted; ValidationFailed when
    `user_id` is the last owner. A concurrent removal of another owner moves the guard, so this write then fails."""
    found = rows.read_one(store, tenant, OWNERS_GUARD, rows.OwnersGuard)
    owners, _ = MEMBERS.list(store, tenant, where={"role": Role.OWNER.value}, top=2)
    if [m.id for m in owners] == [user_id] or not owners:
        raise Conflict("A tenant keeps at least one owner.", target="role")
    if found is None:
        return [Op.create(OWNERS_GUARD, rows.OwnersGuard(epoch=1).stored())]
    guard, etag = found
    return [Op("replace", OWNERS_GUARD, rows.OwnersGuard(epoch=guard.epoch + 1).stored(), etag=etag)]


def get_me(store: Store, principal: Principal) -> Me:
    """The caller and each tenant they belong to (name, display name, quotas, usage): the membership is re-checked,
    so a stale index row or a tenant being deleted is left out. Three requests per tenant."""
    links, _ = rows.read(store, PLATFORM, user_tenants(principal.user_id), rows.UserTenant, top=1000)
    tenants = []
    for link in links:
        try:
            role = MEMBERS.get(store, link.tenant_id, principal.user_id).data.role
            data = TENANTS.get(store, link.tenant_id, link.tenant_id).data
        except NotFound:
            continue
        tenants.append(
            MyTenant(
                tenant_id=link.tenant_id,
                role=role,
                name=data.name,
                display_name=data.display_name,
                quotas=data.quotas,
                usage=usage(store, link.tenant_id),
            )
        )
    return Me(
        user_id=principal.user_id, name=principal.display_name, platform_admin=principal.platform_admin, tenants=tenants
    )
