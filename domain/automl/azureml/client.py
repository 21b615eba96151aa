"""Wiring for the Azure ML backend: the credential, one cached `MLClient`, the workspace's MLflow REST base URL and
an azure-core pipeline for the calls the SDK has no public API for (MLflow REST, the scoring URI).

`azure.ai.ml` is imported here only inside functions: importing it costs ~1.3 s, which `import function_app` must not
pay (tests/unit/test_cold_start.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from azure.core import PipelineClient
from azure.core.pipeline.policies import (
    BearerTokenCredentialPolicy,
    HeadersPolicy,
    RetryPolicy,
    UserAgentPolicy,
)

from domain.settings import Settings

if TYPE_CHECKING:
    from azure.ai.ml import MLClient

ARM_SCOPE = "https://management.azure.com/.default"
USER_AGENT = "automl-functions"


@dataclass(frozen=True, slots=True)
class RetryOptions:
    """azure-core retry settings shared by the SDK and the REST pipelines (429/5xx honour Retry-After)."""

    total: int = 4
    backoff_factor: float = 0.8
    backoff_max: int = 60


def default_credential(settings: Settings) -> Any:
    """The app's user-assigned managed identity in Azure: no DefaultAzureCredential chain (its probes cost seconds).

    Off Azure (a developer pointing AUTOML_BACKEND=azureml at a workspace) the Azure CLI login is used."""
    if settings.running_in_azure or settings.azure_client_id:
        from azure.identity import ManagedIdentityCredential

        return ManagedIdentityCredential(client_id=settings.azure_client_id)
    from azure.identity import AzureCliCredential

    return AzureCliCredential()


class Workspace:
    """One Azure ML workspace: a lazily built, cached `MLClient` plus REST pipelines on the same transport.

    `target` (subscription, resource group, workspace name) names another workspace than the app's default one
    (a tenant's own workspace binding); the settings give the rest (datastore, compute names)."""

    def __init__(
        self,
        settings: Settings,
        credential: Any,
        transport: Any,
        retry: RetryOptions,
        target: tuple[str, str, str] | None = None,
    ) -> None:
        if target is None:
            sub, group, name = (
                settings.azureml_subscription_id,
                settings.azureml_resource_group,
                settings.azureml_workspace_name,
            )
            assert sub and group and name
            target = (sub, group, name)
        self.subscription_id, self.resource_group, self.name = target
        self.settings = settings
        self.credential = credential
        self.transport = transport
        self.retry = retry
        self._lock = threading.Lock()
        self._ml_client: MLClient | None = None
        self._mlflow_base: str | None = None
        self._rest: PipelineClient[Any, Any] | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.subscription_id, self.resource_group, self.name)

    @property
    def arm_id(self) -> str:
        return (
            f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"
            f"/providers/Microsoft.MachineLearningServices/workspaces/{self.name}"
        )

    def _transport_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "retry_total": self.retry.total,
            "retry_backoff_factor": self.retry.backoff_factor,
            "retry_backoff_max": self.retry.backoff_max,
        }
        if self.transport is not None:
            kwargs["transport"] = self.transport
        return kwargs

    @property
    def ml(self) -> MLClient:
        """The `MLClient`, built once (construction makes no network call)."""
        if self._ml_client is None:
            with self._lock:
                if self._ml_client is None:
                    from azure.ai.ml import MLClient

                    self._ml_client = MLClient(
                        self.credential,
                        self.subscription_id,
                        self.resource_group,
                        self.name,
                        user_agent=USER_AGENT,
                        show_progress=False,  # no progress dots on stdout from LRO pollers and uploads
                        **self._transport_kwargs(),
                    )
        return self._ml_client

    @property
    def rest(self) -> PipelineClient[Any, Any]:
        """An azure-core pipeline for absolute URLs (MLflow REST, scoring): retries, ARM bearer token by default."""
        if self._rest is None:
            policies = [
                HeadersPolicy(),
                UserAgentPolicy(USER_AGENT),
                RetryPolicy(
                    retry_total=self.retry.total,
                    retry_backoff_factor=self.retry.backoff_factor,
                    retry_backoff_max=self.retry.backoff_max,
                ),
                BearerTokenCredentialPolicy(self.credential, ARM_SCOPE),
            ]
            kwargs = {"transport": self.transport} if self.transport is not None else {}
            self._rest = PipelineClient("https://management.azure.com", policies=policies, **kwargs)
        return self._rest

    def scoring_pipeline(self) -> PipelineClient[Any, Any]:
        """Like `rest` but without the ARM token: scoring calls carry the endpoint's own key."""
        policies = [
            HeadersPolicy(),
            UserAgentPolicy(USER_AGENT),
            RetryPolicy(
                retry_total=self.retry.total,
                retry_backoff_factor=self.retry.backoff_factor,
                retry_backoff_max=self.retry.backoff_max,
            ),
        ]
        kwargs = {"transport": self.transport} if self.transport is not None else {}
        return PipelineClient("https://management.azure.com", policies=policies, **kwargs)

    @property
    def mlflow_base(self) -> str:
        """`https://<region>.api.azureml.ms/mlflow/v2.0<workspace ARM id>`, discovered once from the workspace GET
        (`properties.mlFlowTrackingUri`, e.g. `azureml://westeurope.api.azureml.ms/mlflow/v1.0/subscriptions/...`)."""
        if self._mlflow_base is None:
            ws = self.ml.workspaces.get(self.name)
            self._mlflow_base = mlflow_base_url(ws.mlflow_tracking_uri, ws.discovery_url, self.arm_id)
        return self._mlflow_base


def mlflow_base_url(tracking_uri: str | None, discovery_url: str | None, arm_id: str) -> str:
    """The REST base the way azureml-mlflow builds it for mlflow >= 2: the tracking URI's host, `/mlflow/v2.0`, then
    the workspace ARM id. Falls back to the discovery URL's host (`https://<region>.api.azureml.ms/discovery`)."""
    host = urlparse(tracking_uri).netloc if tracking_uri else ""
    if not host and discovery_url:
        host = urlparse(discovery_url).netloc
    if not host:
        raise ValueError("the workspace reports neither an MLflow tracking URI nor a discovery URL")
    return f"https://{host}/mlflow/v2.0{arm_id}"
