"""Azure answers -> domain errors: refused (401/403/400/409), not found (404), throttled/unreachable (429/5xx,
connection errors) with Retry-After, after azure-core's own retries."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.exceptions import ServiceRequestError

from domain.automl.azureml import AzureMLBackend
from domain.automl.azureml.client import RetryOptions
from domain.automl.azureml.errors import retry_after_seconds
from domain.errors import NotFound, Unavailable, UpstreamRefused
from tests.unit.automl_azureml.conftest import make_spec
from tests.unit.automl_azureml.fake_azure import Answer, Call, StaticTokenCredential
from tests.unit.automl_azureml.fake_workspace import FakeWorkspace, settings

JOB = r"/jobs/automl-t1-r1"


def arm_error(status: int, code: str, message: str, **headers: str) -> Answer:
    return Answer(status, {"error": {"code": code, "message": message}}, headers)


def test_401_is_refused_with_azures_message(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    fw.t.route("GET", JOB, arm_error(401, "InvalidAuthenticationToken", "The access token is invalid."))
    with pytest.raises(UpstreamRefused, match="The access token is invalid"):
        backend.get_job("t1", "automl-t1-r1")


def test_403_on_create_is_refused(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    fw.t.route("PUT", JOB, arm_error(403, "AuthorizationFailed", "The client does not have authorization."))
    with pytest.raises(UpstreamRefused, match="does not have authorization"):
        backend.submit_job(make_spec())


def test_400_is_refused_with_azures_message(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    fw.t.route("PUT", JOB, arm_error(400, "UserError", "Compute cpu-x not found in workspace."))
    with pytest.raises(UpstreamRefused, match="Compute cpu-x not found"):
        backend.submit_job(make_spec())


def test_404_on_read_is_not_found(backend: AzureMLBackend) -> None:
    with pytest.raises(NotFound) as info:
        backend.get_job("t1", "automl-t1-r1")
    assert info.value.kind == "job"


def test_404_on_create_is_refused_not_not_found(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    fw.t.route("PUT", JOB, arm_error(404, "NotFound", "Data asset ds-t1-d1:3 not found."))
    with pytest.raises(UpstreamRefused, match="ds-t1-d1:3 not found"):
        backend.submit_job(make_spec())


def test_429_maps_to_unavailable_with_retry_after(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    fw.t.route("GET", JOB, arm_error(429, "TooManyRequests", "Rate limit exceeded.", **{"Retry-After": "7"}))
    with pytest.raises(Unavailable) as info:
        backend.get_job("t1", "automl-t1-r1")
    assert info.value.retry_after == 7
    assert "Rate limit exceeded" in info.value.message


def test_500_is_retried_by_azure_core_then_unavailable(fw: FakeWorkspace) -> None:
    backend = AzureMLBackend(
        settings(), StaticTokenCredential(), fw.t, retry=RetryOptions(total=2, backoff_factor=0, backoff_max=0)
    )
    fw.t.route("GET", JOB, arm_error(500, "InternalServerError", "Something went wrong."))
    with pytest.raises(Unavailable) as info:
        backend.get_job("t1", "automl-t1-r1")
    assert len(fw.t.find("GET", "/jobs/automl-t1-r1")) == 3  # first try + 2 retries
    assert info.value.retry_after == 10  # no Retry-After: the default


def test_a_retried_429_that_then_succeeds_is_invisible(fw: FakeWorkspace) -> None:
    backend = AzureMLBackend(settings(), StaticTokenCredential(), fw.t, retry=RetryOptions(total=1, backoff_factor=0))
    backend.submit_job(make_spec())
    answers = iter([arm_error(429, "TooManyRequests", "slow down", **{"Retry-After": "0"})])
    fw.t.route("GET", JOB, lambda c: next(answers, None) or Answer(200, fw.jobs["automl-t1-r1"]))
    assert backend.get_job("t1", "automl-t1-r1").job_name == "automl-t1-r1"


def test_connection_errors_are_unavailable(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    def unreachable(call: Call) -> Answer:
        raise ServiceRequestError("Failed to establish a new connection")

    fw.t.route("GET", JOB, unreachable)
    with pytest.raises(Unavailable, match="unreachable"):
        backend.get_job("t1", "automl-t1-r1")


def test_mlflow_errors_are_mapped_too(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    backend.submit_job(make_spec())
    with pytest.raises(NotFound):  # no MLflow run yet
        backend.list_trials("t1", "automl-t1-r1")
    fw.add_run("automl-t1-r1")
    fw.t.route(
        "POST",
        r"/runs/search",
        Answer(429, {"error_code": "REQUEST_LIMIT_EXCEEDED", "message": "Too many"}, {"Retry-After": "3"}),
    )
    with pytest.raises(Unavailable) as info:
        backend.list_trials("t1", "automl-t1-r1")
    assert info.value.retry_after == 3 and "Too many" in info.value.message


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"Retry-After": "12"}, 12),
        ({"Retry-After": "0.2"}, 1),
        ({"x-ms-retry-after-ms": "2500"}, 3),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 1),  # a date in the past: retry now-ish
        ({"Retry-After": "soon"}, 10),
        ({}, 10),
    ],
)
def test_retry_after_forms(headers: dict[str, Any], seconds: int) -> None:
    assert retry_after_seconds(headers) == seconds


def test_programming_errors_are_not_disguised(backend: AzureMLBackend, fw: FakeWorkspace) -> None:
    def broken(call: Call) -> Answer:
        raise KeyError("bug")

    fw.t.route("GET", JOB, broken)
    with pytest.raises(KeyError):
        backend.get_job("t1", "automl-t1-r1")


def test_the_socket_guard_refuses_real_connections() -> None:
    import socket

    with pytest.raises(AssertionError, match="network access"), socket.create_connection(("127.0.0.1", 9), timeout=1):
        pass


def test_managed_identity_with_the_apps_client_id_in_azure() -> None:
    from azure.identity import AzureCliCredential, ManagedIdentityCredential

    from domain.automl.azureml.client import default_credential

    cred = default_credential(settings(AZURE_CLIENT_ID="11111111-2222-3333-4444-555555555555"))
    assert isinstance(cred, ManagedIdentityCredential)  # built without any network call (sockets are refused)
    assert isinstance(default_credential(settings()), AzureCliCredential)  # a developer's machine


def test_mlflow_base_url_forms() -> None:
    from domain.automl.azureml.client import mlflow_base_url

    ws = "/subscriptions/s/resourceGroups/r/providers/Microsoft.MachineLearningServices/workspaces/w"
    tracking = "azureml://eastus.api.azureml.ms/mlflow/v1.0" + ws
    assert mlflow_base_url(tracking, None, ws) == "https://eastus.api.azureml.ms/mlflow/v2.0" + ws
    assert mlflow_base_url(None, "https://eastus.api.azureml.ms/discovery", ws).startswith(
        "https://eastus.api.azureml.ms/"
    )
    with pytest.raises(ValueError, match="neither"):
        mlflow_base_url(None, None, ws)
