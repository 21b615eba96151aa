"""The AutoML port: what the domain asks of an AutoML service (the local FLAML engine or Azure ML) and of the engine's
processes on this machine. `domain.ports` re-exports both; adapters live in domain/automl/."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # annotations only: importing the port does not build the models (ADR 0019)
    from domain.entities.automl import (
        DatasetVersionRef,
        DeploymentState,
        EndpointState,
        JobInfo,
        LogLine,
        MetricPoint,
        ModelRef,
        Prediction,
        ScoreRow,
        TrainingSpec,
        Trial,
    )
    from domain.entities.batch import BatchState, ExplanationResult


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

    def delete_model(self, tenant: str, model: ModelRef) -> None:
        """Remove a registered model's artifact (Azure ML: archive the model version); idempotent."""
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
        self, tenant: str, endpoint: str, rows: list[ScoreRow], *, deployment: str | None = None
    ) -> list[Prediction]:
        """One prediction per row, through the endpoint (or one deployment of it)."""
        ...

    def delete_deployment(self, tenant: str, endpoint: str, deployment: str) -> None: ...

    def delete_endpoint(self, tenant: str, endpoint: str) -> None: ...

    def delete_job(self, tenant: str, job_name: str) -> None:
        """Cancel if running, then archive/delete the job and what it created (idempotent)."""

    def explain(self, tenant: str, job_name: str, trial_id: str | None = None) -> ExplanationResult:
        """Global feature importance of the best trial's model (or `trial_id`'s), per column of the training data."""
        ...

    def start_batch_score(
        self, tenant: str, job_name: str, model: ModelRef, dataset: DatasetVersionRef, output: str, rows: int | None
    ) -> BatchState:
        """Score every row of the dataset version with the model into a CSV (`output`: '<container>/<blob>' of the
        app's storage); idempotent by job name. `rows`: the version's row count, when known (progress)."""
        ...

    def get_batch_score(self, tenant: str, job_name: str) -> BatchState:
        """NotFound when the backend has no such job."""
        ...

    def delete_batch_score(self, tenant: str, job_name: str) -> None:
        """Stop the job if it runs and remove what the backend keeps of it (idempotent; the output blob stays)."""


class EngineProcesses(Protocol):
    """What the AutoML engine keeps running on this machine: the invariant checker's view of it (Azure ML runs
    nothing here: both lists are empty). The local engine's adapter scans its work folder; a shared scoring server
    would answer with the models it has loaded."""

    def scoring(self) -> list[tuple[str, str, str]]:
        """(tenant, backend endpoint name, deployment) of every model being served."""
        ...

    def training(self) -> list[tuple[str, str]]:
        """(tenant, job name) of every training worker alive."""
        ...

    def batch(self) -> list[tuple[str, str]]:
        """(tenant, job name) of every batch scoring worker alive."""
        ...
