"""Ports: the Protocols the domain depends on. Adapters (domain/storage, domain/automl, functions/) implement them;
unit tests use in-memory fakes of them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from domain.entities.automl import (
    DatasetVersionRef,
    DeploymentState,
    EndpointState,
    JobInfo,
    LogLine,
    MetricPoint,
    ModelRef,
    TrainingSpec,
    Trial,
)
from domain.entities.principal import Principal
from domain.entities.role import Role


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class HealthProbe(Protocol):
    name: str

    def ping(self) -> None:
        """Return when the dependency answers; raise `domain.errors.Unavailable` otherwise."""
        ...


class AutoMLBackend(Protocol):
    """One AutoML service (local FLAML engine or Azure ML). Every call names the tenant; statuses are Azure ML's.

    Failures raise domain errors: NotFound (unknown job/model/endpoint), ValidationFailed (rules broken),
    UpstreamRefused (the service said no: 502 with its message), Unavailable (throttled/unreachable after retries:
    503 with retry_after). Calls are idempotent where the service allows it (submit by deterministic job name).
    """

    def register_dataset(self, tenant: str, dataset: DatasetVersionRef) -> str:
        """Make the dataset version usable by jobs (an MLTable data asset in Azure); returns its backend URI."""
        ...

    def submit_job(self, spec: TrainingSpec) -> JobInfo:
        """Start the job named `spec.job_name`; if it already exists, return it unchanged (a retried submit)."""
        ...

    def get_job(self, tenant: str, job_name: str) -> JobInfo: ...

    def cancel_job(self, tenant: str, job_name: str) -> JobInfo:
        """Ask the job to stop; the best model found so far is kept."""
        ...

    def list_trials(self, tenant: str, job_name: str) -> list[Trial]:
        """Every trial (child run) with its algorithm, hyperparameters, primary score, metrics and duration."""
        ...

    def metrics_since(self, tenant: str, job_name: str, watermark: int) -> tuple[list[MetricPoint], int]:
        """Metric points after `watermark` (opaque, 0 = from the start) and the new watermark."""
        ...

    def logs_since(self, tenant: str, job_name: str, after_seq: int) -> tuple[list[LogLine], int]:
        """Log lines with seq > after_seq, and the last seq returned (or after_seq when none)."""
        ...

    def register_model(self, tenant: str, job_name: str, *, name: str, trial_id: str | None = None) -> ModelRef:
        """Register the best trial's model (or `trial_id`'s) under `name`; returns the new version."""
        ...

    def create_or_update_endpoint(self, tenant: str, endpoint: str) -> EndpointState: ...

    def get_endpoint(self, tenant: str, endpoint: str) -> EndpointState: ...

    def create_or_update_deployment(
        self,
        tenant: str,
        endpoint: str,
        deployment: str,
        model: ModelRef,
        *,
        instance_type: str = "Standard_DS3_v2",
        instance_count: int = 1,
    ) -> DeploymentState:
        """Start creating or updating the deployment; poll `get_deployment` until Succeeded or Failed."""
        ...

    def get_deployment(self, tenant: str, endpoint: str, deployment: str) -> DeploymentState: ...

    def set_traffic(self, tenant: str, endpoint: str, traffic: dict[str, int]) -> EndpointState: ...

    def score(
        self, tenant: str, endpoint: str, rows: list[dict[str, Any]], *, deployment: str | None = None
    ) -> list[Any]:
        """One prediction per row, through the endpoint (or one deployment of it)."""
        ...

    def delete_deployment(self, tenant: str, endpoint: str, deployment: str) -> None: ...

    def delete_endpoint(self, tenant: str, endpoint: str) -> None: ...

    def delete_job(self, tenant: str, job_name: str) -> None:
        """Cancel if running, then archive/delete the job and what it created (idempotent)."""


# --- identity and authorization (domain/auth, ADR 0007) ---


class Authenticator(Protocol):
    def authenticate(self, headers: Mapping[str, str]) -> Principal:
        """The caller named by the request headers, or raise `domain.errors.Unauthenticated` (what is wrong, never
        the token). Header names are matched case-insensitively."""
        ...


class MembershipLookup(Protocol):
    def role_of(self, tenant_id: str, user_id: str) -> Role | None:
        """The user's role in the tenant, or None when the user is not a member (or the tenant does not exist)."""
        ...


class JwksFetcher(Protocol):
    def fetch(self, url: str) -> Mapping[str, object]:
        """The JSON Web Key Set document at `url`; raise `domain.errors.Unavailable` when it cannot be fetched."""
        ...


class BlobStore(Protocol):
    """Blob Storage for dataset files and models (Azurite locally)."""

    def put(self, container: str, name: str, data: bytes, *, content_type: str) -> str:
        """Store `data`; returns '<container>/<name>'."""
        ...

    def get(self, container: str, name: str) -> bytes: ...

    def delete_prefix(self, container: str, prefix: str) -> int:
        """Delete every blob whose name starts with `prefix`; returns how many."""
        ...
