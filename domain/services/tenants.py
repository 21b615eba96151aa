"""Tenants (platform admin creates; owners read and change) and the caller's own view (`GET /me`).

Tenants live in the platform partition, so their names are unique platform-wide in one transaction; each tenant's
objects live in the tenant's own partition. The user -> tenants index (`usertenant|{user}|{tenant}` rows in the
platform partition) answers `GET /me` with one query; it is written after the member row and repaired by the
next PUT of the member if that second write is lost (PUT is idempotent).
"""

from __future__ import annotations

from typing import Any

from domain.entities.ids import new_id
from domain.entities.principal import Principal
from domain.entities.role import Role
from domain.entities.tenancy import Me, Member, MemberPut, MyTenant, Tenant, TenantCreate, TenantUpdate
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.services._records import PLATFORM, actor, changes_of, to_model
from domain.settings import AutoMLBackendKind, get_settings
from domain.storage.records import Op


def index_key(user_id: str, tenant: str) -> str:
    return f"usertenant|{user_id}|{tenant}"


def _check_binding_applies(binding: object) -> None:
    """A workspace binding routes the tenant's Azure ML work (the azureml backend); with the local backend it would
    be accepted and ignored, so it is refused."""
    if binding is not None and get_settings().automl_backend is not AutoMLBackendKind.AZUREML:
        raise ValidationFailed(
            "An Azure ML workspace binding applies only when the app runs the azureml AutoML backend "
            "(AUTOML_BACKEND=azureml); this deployment trains locally.",
            target="azureml",
        )


def workspace_binding(store: Any, tenant: str) -> tuple[str, str, str] | None:
    """The tenant's own Azure ML workspace (subscription, resource group, name), or None for the app's default."""
    binding = store.get(PLATFORM, "tenant", tenant).data.get("azureml")
    if not binding:
        return None
    return (binding["subscription_id"], binding["resource_group"], binding["workspace_name"])


def create_tenant(store: Any, principal: Principal, body: TenantCreate) -> Tenant:
    _check_binding_applies(body.azureml)
    tenant_id = new_id()
    data = body.model_dump(mode="json", exclude={"owner_user_id"}, exclude_none=True) | {"state": "Active"}
    record = store.create(PLATFORM, "tenant", tenant_id, data, actor=actor(principal), name=body.name)
    if body.owner_user_id:
        put_member(store, principal, tenant_id, body.owner_user_id, MemberPut(role=Role.OWNER))
    return to_model(Tenant, record)


def get_tenant(store: Any, principal: Principal, tenant: str) -> Tenant:
    return to_model(Tenant, store.get(PLATFORM, "tenant", tenant))


def update_tenant(store: Any, principal: Principal, tenant: str, body: TenantUpdate, etag: str | None) -> Tenant:
    changes = changes_of(body)
    if "azureml" in changes:
        _check_binding_applies(changes["azureml"])
        current = store.get(PLATFORM, "tenant", tenant)
        if current.data.get("azureml") != changes["azureml"] and _uses_azureml(store, tenant):
            raise Conflict(
                "The tenant's Azure ML workspace cannot change once it has runs, models or endpoints: they live in "
                "the workspace they were created in.",
                target="azureml",
            )
    record = store.update(PLATFORM, "tenant", tenant, changes, actor=actor(principal), etag=etag)
    return to_model(Tenant, record)


def _uses_azureml(store: Any, tenant: str) -> bool:
    return any(store.list(tenant, kind, top=1).items for kind in ("run", "model", "endpoint"))


def list_members(
    store: Any, principal: Principal, tenant: str, top: int, continuation: str | None
) -> tuple[list[Member], str | None]:
    page = store.list(tenant, "member", top=top, continuation=continuation)
    return [to_model(Member, r) for r in page.items], page.continuation


def put_member(store: Any, principal: Principal, tenant: str, user_id: str, body: MemberPut) -> Member:
    """Create or change a member's role (PUT is idempotent). The last owner cannot be demoted."""
    data = body.model_dump(mode="json", exclude_none=True) | {"user_id": user_id}
    try:
        current = store.get(tenant, "member", user_id)
    except NotFound:
        record = store.create(tenant, "member", user_id, data, actor=actor(principal))
        _index(store, principal, user_id, tenant)
        return to_model(Member, record)
    if current.data["role"] == Role.OWNER and body.role != Role.OWNER:
        _refuse_last_owner(store, tenant, user_id)
    record = store.update(tenant, "member", user_id, data, actor=actor(principal), etag=None, current=current)
    _index(store, principal, user_id, tenant)  # idempotent: a repeated PUT repairs a lost index row
    return to_model(Member, record)


def _index(store: Any, principal: Principal, user_id: str, tenant: str) -> None:
    store.transact(
        PLATFORM, [Op.upsert(index_key(user_id, tenant), {"tenant_id": tenant})], actor=actor(principal), action="index"
    )


def delete_member(store: Any, principal: Principal, tenant: str, user_id: str, etag: str | None) -> None:
    current = store.get(tenant, "member", user_id)
    if current.data["role"] == Role.OWNER:
        _refuse_last_owner(store, tenant, user_id)
    store.delete(tenant, "member", user_id, actor=actor(principal), etag=etag or current.etag)
    store.transact(
        PLATFORM, [Op.delete(index_key(user_id, tenant), if_exists=True)], actor=actor(principal), action="index"
    )


def _refuse_last_owner(store: Any, tenant: str, user_id: str) -> None:
    owners = store.list(tenant, "member", where={"role": Role.OWNER.value}, top=2).items
    if [r.id for r in owners] == [user_id]:
        raise ValidationFailed("A tenant keeps at least one owner.", target="role")


def role_of(store: Any, tenant: str, user_id: str) -> Role | None:
    """MembershipLookup over the store: the membership row, then (for a member) the tenant's own row, so a tenant
    whose cascading delete has started (tombstoned) is gone for its members at once, not when the cascade reaches
    their rows. Two point reads for a member, one for anyone else; the HTTP layer caches the answer."""
    try:
        role = Role(store.get(tenant, "member", user_id).data["role"])
        store.get(PLATFORM, "tenant", tenant)
    except NotFound:
        return None
    return role


def get_me(store: Any, principal: Principal) -> Me:
    rows, _ = store.list_rows(PLATFORM, f"usertenant|{principal.user_id}|", top=1000)
    tenants = []
    for _key, row, _etag in rows:
        role = role_of(store, row["tenant_id"], principal.user_id)
        if role is not None:
            tenants.append(MyTenant(tenant_id=row["tenant_id"], role=role))
    return Me(
        user_id=principal.user_id, name=principal.display_name, platform_admin=principal.platform_admin, tenants=tenants
    )
