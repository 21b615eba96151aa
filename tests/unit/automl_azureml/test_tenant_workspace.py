"""A tenant bound to its own Azure ML workspace: its calls go to that workspace through a client of their own (one
per workspace); other tenants stay on the app's default workspace."""

from __future__ import annotations

import contextlib

from domain.automl.azureml import AzureMLBackend
from domain.automl.azureml.client import RetryOptions
from domain.errors import NotFound
from tests.unit.automl_azureml.fake_azure import WS_ID, StaticTokenCredential
from tests.unit.automl_azureml.fake_workspace import FakeWorkspace, settings

OWN = ("22222222-2222-2222-2222-222222222222", "rg-acme", "ws-acme")


def make(fw: FakeWorkspace) -> AzureMLBackend:
    return AzureMLBackend(
        settings(),
        credential=StaticTokenCredential(),
        transport=fw.t,
        retry=RetryOptions(total=0, backoff_factor=0),
        workspace_of=lambda tenant: OWN if tenant in ("acme", "acme2") else None,
    )


def test_a_bound_tenant_gets_its_own_workspace_client() -> None:
    backend = make(FakeWorkspace())
    own, default = backend.workspace("acme"), backend.workspace("other")
    assert own.key == OWN and default is backend.ws
    assert own.arm_id.startswith(f"/subscriptions/{OWN[0]}/resourceGroups/rg-acme/providers/")
    assert own.arm_id.endswith("/workspaces/ws-acme")
    assert backend.workspace("acme") is own and backend.workspace("acme2") is own  # one client per workspace


def test_a_bound_tenants_calls_reach_its_workspace_only() -> None:
    fw = FakeWorkspace()
    backend = make(fw)
    with contextlib.suppress(NotFound):  # the fake serves the default workspace only: what matters is where it went
        backend.get_job("acme", "automl-acme-r1")
    paths = [c.path for c in fw.t.calls if "/jobs/" in c.path]
    assert paths and all("/workspaces/ws-acme/jobs/automl-acme-r1" in p for p in paths)
    assert not any(p.startswith(WS_ID) for p in paths)
