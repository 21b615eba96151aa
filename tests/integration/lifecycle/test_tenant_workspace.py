"""A tenant's Azure ML workspace binding is used or refused, never silently ignored: refused (400) when the app
trains locally; with the azureml backend it is what `workspace_binding` hands the backend, and it cannot change
(409) once the tenant has runs, models or endpoints in its workspace."""

from __future__ import annotations

from typing import Any

import pytest

from domain.entities.principal import Principal
from domain.entities.tenancy import TenantCreate, TenantUpdate
from domain.errors import Conflict, ValidationFailed
from domain.services import tenants
from domain.settings import AuthMode, load_settings
from domain.storage.app_store import build_store

pytestmark = pytest.mark.integration
ADMIN = Principal(user_id="admin", display_name="a", issuer="test", platform_admin=True, auth_mode=AuthMode.DEV)
BINDING = {
    "subscriptionId": "22222222-2222-2222-2222-222222222222",
    "resourceGroup": "rg-acme",
    "workspaceName": "ws-acme",
}
OTHER = BINDING | {"workspaceName": "ws-other"}


@pytest.fixture
def store(azurite_connection_string: str, unique: str) -> Any:
    settings = load_settings(
        {"DATA_STORAGE_CONNECTION_STRING": azurite_connection_string, "DATA_TABLE_PREFIX": f"tw{unique}"}
    )
    return build_store(settings)


def backend(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    env = {"AUTOML_BACKEND": kind}
    if kind == "azureml":
        env |= {"AZUREML_SUBSCRIPTION_ID": BINDING["subscriptionId"], "AZUREML_RESOURCE_GROUP": "rg",
                "AZUREML_WORKSPACE_NAME": "ws-default"}  # fmt: skip
    monkeypatch.setattr(tenants, "get_settings", lambda: load_settings(env))


def test_local_backend_refuses_a_binding(store: Any, unique: str, monkeypatch: pytest.MonkeyPatch) -> None:
    backend(monkeypatch, "local")
    with pytest.raises(ValidationFailed) as refused:
        tenants.create_tenant(store, ADMIN, TenantCreate.model_validate({"name": f"a{unique}", "azureml": BINDING}))
    assert refused.value.target == "azureml"
    created = tenants.create_tenant(store, ADMIN, TenantCreate.model_validate({"name": f"b{unique}"}))
    with pytest.raises(ValidationFailed):
        tenants.update_tenant(store, ADMIN, created.id, TenantUpdate.model_validate({"azureml": BINDING}), None)
    assert tenants.workspace_binding(store, created.id) is None  # nothing was stored


def test_azureml_backend_routes_and_freezes_the_binding(
    store: Any, unique: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend(monkeypatch, "azureml")
    t = tenants.create_tenant(store, ADMIN, TenantCreate.model_validate({"name": f"c{unique}", "azureml": BINDING}))
    assert tenants.workspace_binding(store, t.id) == ("22222222-2222-2222-2222-222222222222", "rg-acme", "ws-acme")
    tenants.update_tenant(store, ADMIN, t.id, TenantUpdate.model_validate({"azureml": OTHER}), None)  # no runs yet
    assert tenants.workspace_binding(store, t.id)[2] == "ws-other"  # type: ignore[index]
    store.create(t.id, "run", "r1", {"experiment_id": "e", "status": "Running", "active": True, "job_name": "j",
                                      "primary_metric": "accuracy"}, actor="test")  # fmt: skip
    with pytest.raises(Conflict):
        tenants.update_tenant(store, ADMIN, t.id, TenantUpdate.model_validate({"azureml": BINDING}), None)
    with pytest.raises(Conflict):
        tenants.update_tenant(store, ADMIN, t.id, TenantUpdate.model_validate({"azureml": None}), None)
    same = tenants.update_tenant(store, ADMIN, t.id, TenantUpdate.model_validate({"azureml": OTHER}), None)
    assert same.azureml is not None and same.azureml.workspace_name == "ws-other"  # unchanged value: accepted
