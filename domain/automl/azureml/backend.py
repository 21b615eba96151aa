"""`AzureMLBackend`: the `AutoMLBackend` port on an Azure ML workspace (azure-ai-ml + the workspace's MLflow REST).

Built once per process by the AutoML factory: `AzureMLBackend(settings, credential=None, transport=None,
workspace_of=...)`. `credential` defaults to the app's managed identity; `transport` (an azure-core HttpTransport) is
for offline tests. `workspace_of(tenant)` returns the tenant's own workspace binding (subscription, resource group,
workspace name) or None: that tenant's datasets, jobs, models and endpoints then live in its workspace, through a
client of their own (one `MLClient` per workspace, same identity). Nothing here imports azure-ai-ml at module level.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from domain.automl.azureml import batch, datasets, endpoints, jobs, logs, models, naming, trials
from domain.automl.azureml.client import RetryOptions, Workspace, default_credential
from domain.automl.azureml.errors import azure_errors
from domain.automl.azureml.jobs import enum_text
from domain.automl.azureml.mlflow_rest import MlflowRest, metrics_of
from domain.entities.automl import (
    DatasetVersionRef,
    DeploymentState,
    EndpointState,
    JobInfo,
    JobStatus,
    LogLine,
    MetricPoint,
    ModelRef,
    TrainingSpec,
    Trial,
)
from domain.entities.batch import BatchState, ExplanationResult
from domain.errors import Conflict, DomainError, NotFound
from domain.settings import Settings

log = logging.getLogger(__name__)
WorkspaceOf = Callable[[str], tuple[str, str, str] | None]


class AzureMLBackend:
    def __init__(
        self,
        settings: Settings,
        credential: Any = None,
        transport: Any = None,
        *,
        retry: RetryOptions | None = None,
        blob_writer: Any = None,
        workspace_of: WorkspaceOf | None = None,
    ) -> None:
        self._credential = credential if credential is not None else default_credential(settings)
        self._settings, self._retry = settings, retry or RetryOptions()
        self.ws = Workspace(settings, self._credential, transport, self._retry)  # the app's default workspace
        self.mlflow = MlflowRest(self.ws)
        self._workspace_of = workspace_of
        self._clients: dict[tuple[str, str, str], tuple[Workspace, MlflowRest]] = {self.ws.key: (self.ws, self.mlflow)}
        self._lock = threading.Lock()
        self._blob_writer = blob_writer
        self._transport = transport

    def _client(self, tenant: str) -> tuple[Workspace, MlflowRest]:
        """The tenant's workspace (its binding, else the default one) and its MLflow REST client, built once."""
        target = self._workspace_of(tenant) if self._workspace_of is not None else None
        key = target or self.ws.key
        with self._lock:
            if key not in self._clients:
                ws = Workspace(self._settings, self._credential, self._transport, self._retry, target=key)
                self._clients[key] = (ws, MlflowRest(ws))
            return self._clients[key]

    def workspace(self, tenant: str) -> Workspace:
        return self._client(tenant)[0]

    # datasets ---------------------------------------------------------------------------------------------------
    def register_dataset(self, tenant: str, dataset: DatasetVersionRef) -> str:
        if self._blob_writer is None:
            self._blob_writer = datasets.blob_writer_for(self.ws.settings, self.ws.credential, self._transport)
        return datasets.register(self.workspace(tenant), tenant, dataset, self._blob_writer)

    # jobs -------------------------------------------------------------------------------------------------------
    def submit_job(self, spec: TrainingSpec) -> JobInfo:
        return jobs.submit(self.workspace(spec.tenant), spec)

    def get_job(self, tenant: str, job_name: str) -> JobInfo:
        ws, mlflow = self._client(tenant)
        job = jobs.fetch(ws, tenant, job_name)
        info = jobs.to_info(job)
        if info.status is JobStatus.FAILED:
            return self._with_failure(ws, info, job_name)
        if info.status is not JobStatus.COMPLETED:
            return info
        try:
            return self._with_best(mlflow, info, job)
        except DomainError as exc:  # the status is what matters; the best trial is read again later
            log.warning("best trial of %s not readable yet: %s", job_name, exc.message)
            return info

    def _with_failure(self, ws: Workspace, info: JobInfo, job_name: str) -> JobInfo:
        """Failed jobs: Azure's error message from run history (the ARM job carries none)."""
        try:
            text = logs.failure_text(logs.run_details(ws, job_name))
        except DomainError as exc:
            log.warning("failure details of %s not readable: %s", job_name, exc.message)
            return info
        return info.model_copy(update={"error": text}) if text else info

    def _with_best(self, mlflow: MlflowRest, info: JobInfo, job: Any) -> JobInfo:
        """Completed jobs: best trial (parent tag `automl_best_child_run_id`), its score, start/end from MLflow."""
        with azure_errors("job", job.name):
            parent = mlflow.get_run(job.name)
            best = trials.best_trial_id(parent)
            score = None
            if best:
                score = metrics_of(mlflow.get_run(best)).get(trials.metric_key(enum_text(job.primary_metric)))
        run_info = parent.get("info", {})
        return info.model_copy(
            update={
                "best_trial_id": best,
                "best_score": score,
                "started_at": trials.ms_to_datetime(run_info.get("start_time")),
                "ended_at": trials.ms_to_datetime(run_info.get("end_time")),
            }
        )

    def cancel_job(self, tenant: str, job_name: str) -> JobInfo:
        return jobs.cancel(self.workspace(tenant), tenant, job_name)

    def delete_job(self, tenant: str, job_name: str) -> None:
        jobs.delete(self.workspace(tenant), tenant, job_name)

    # trials, metrics, logs ------------------------------------------------------------------------------------
    def list_trials(self, tenant: str, job_name: str) -> list[Trial]:
        ws, mlflow = self._client(tenant)
        job = jobs.fetch(ws, tenant, job_name)
        with azure_errors("job", job_name):
            key = trials.metric_key(enum_text(job.primary_metric))
            return trials.list_trials(mlflow, job_name, key, lambda run_id: self._child_properties(ws, run_id))

    @staticmethod
    def _child_properties(ws: Workspace, run_id: str) -> dict[str, str]:
        try:
            return jobs.child_properties(ws, run_id)
        except DomainError as exc:  # the trial still shows, named from its MLflow tags or run name
            log.warning("properties of trial %s not readable: %s", run_id, exc.message)
            return {}

    def metrics_since(self, tenant: str, job_name: str, watermark: int) -> tuple[list[MetricPoint], int]:
        ws, mlflow = self._client(tenant)
        jobs.fetch(ws, tenant, job_name)
        with azure_errors("job", job_name):
            return trials.metrics_since(mlflow, job_name, watermark)

    def logs_since(self, tenant: str, job_name: str, after_seq: int) -> tuple[list[LogLine], int]:
        """Lines of the job's std_log (run-history `logFiles`), numbered by line; see `logs.py`."""
        ws = self.workspace(tenant)
        jobs.fetch(ws, tenant, job_name)
        return logs.lines_since(ws, job_name, after_seq)

    # models -----------------------------------------------------------------------------------------------------
    def register_model(self, tenant: str, job_name: str, *, name: str, trial_id: str | None = None) -> ModelRef:
        ws, mlflow = self._client(tenant)
        jobs.fetch(ws, tenant, job_name)
        if trial_id is None:
            with azure_errors("job", job_name):
                trial_id = trials.best_trial_id(mlflow.get_run(job_name))
            if not trial_id:
                raise Conflict(f"job '{job_name}' has no best trial yet.", target="job")
        return models.register(ws, tenant, job_name, name=name, trial_id=trial_id)

    # explanations and batch scoring (batch.py, ADR 0020) -------------------------------------------------------
    def explain(self, tenant: str, job_name: str, trial_id: str | None = None) -> ExplanationResult:
        """AutoML's own explanation of the best model (its best child run's artifacts); another trial's model has
        none on Azure (AutoML explains the best model only): 409."""
        ws, mlflow = self._client(tenant)
        jobs.fetch(ws, tenant, job_name)
        with azure_errors("job", job_name):
            best = trials.best_trial_id(mlflow.get_run(job_name))
        if not best or (trial_id is not None and trial_id != best):
            raise Conflict("Azure ML explains a run's best model only.", target="trialId")
        try:
            with azure_errors("job", best):
                return batch.download_explanation(ws.ml, best)
        except LookupError as exc:
            raise Conflict(str(exc), target="run") from None

    def start_batch_score(
        self, tenant: str, job_name: str, model: ModelRef, dataset: DatasetVersionRef, output: str, rows: int | None
    ) -> BatchState:
        """A command job on serverless compute (batch.py); a retried start finds the job by its name."""
        ws = self.workspace(tenant)
        try:
            return self.get_batch_score(tenant, job_name)
        except NotFound:
            pass
        container, _, blob = output.partition("/")
        if container != ws.settings.datasets_container:
            raise Conflict(f"Azure ML writes batch outputs to the '{ws.settings.datasets_container}' container.")
        job = batch.scoring_job(
            tenant,
            job_name,
            model,
            datasets.file_uri(ws, dataset),
            datasets.datastore_uri(ws, blob.rsplit("/", 1)[0] + "/"),
            experiment=naming.experiment_name(tenant, "batch"),
            output=output,
            rows=rows,
            compute=ws.settings.azureml_compute or None,
            instance_type=ws.settings.azureml_batch_instance_type,
        )
        with azure_errors("batch job", job_name, creating=True):
            created = ws.ml.jobs.create_or_update(job)
        return batch.state_of(created, 0)

    def get_batch_score(self, tenant: str, job_name: str) -> BatchState:
        ws, mlflow = self._client(tenant)
        job = jobs.fetch(ws, tenant, job_name)
        rows = 0
        try:
            with azure_errors("batch job", job_name):
                rows = int(metrics_of(mlflow.get_run(job_name)).get("rows_scored", 0))
        except DomainError as exc:  # progress is a nicety: the status is what matters
            log.warning("progress of %s not readable: %s", job_name, exc.message)
        return batch.state_of(job, rows)

    def delete_batch_score(self, tenant: str, job_name: str) -> None:
        jobs.delete(self.workspace(tenant), tenant, job_name)

    def delete_model(self, tenant: str, model: ModelRef) -> None:
        """Archive the model version (Azure ML keeps model versions; archived ones are hidden and unusable)."""
        models.archive(self.workspace(tenant), model)

    # endpoints --------------------------------------------------------------------------------------------------
    def create_or_update_endpoint(self, tenant: str, endpoint: str) -> EndpointState:
        return endpoints.create_or_update_endpoint(self.workspace(tenant), tenant, endpoint)

    def get_endpoint(self, tenant: str, endpoint: str) -> EndpointState:
        return endpoints.get_endpoint(self.workspace(tenant), tenant, endpoint)

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
        return endpoints.create_or_update_deployment(
            self.workspace(tenant),
            tenant,
            endpoint,
            deployment,
            model,
            instance_type=instance_type,
            instance_count=instance_count,
        )

    def get_deployment(self, tenant: str, endpoint: str, deployment: str) -> DeploymentState:
        return endpoints.get_deployment(self.workspace(tenant), tenant, endpoint, deployment)

    def set_traffic(self, tenant: str, endpoint: str, traffic: dict[str, int]) -> EndpointState:
        return endpoints.set_traffic(self.workspace(tenant), tenant, endpoint, traffic)

    def score(
        self, tenant: str, endpoint: str, rows: list[dict[str, Any]], *, deployment: str | None = None
    ) -> list[Any]:
        return endpoints.score(self.workspace(tenant), tenant, endpoint, rows, deployment=deployment)

    def delete_deployment(self, tenant: str, endpoint: str, deployment: str) -> None:
        endpoints.delete_deployment(self.workspace(tenant), tenant, endpoint, deployment)

    def delete_endpoint(self, tenant: str, endpoint: str) -> None:
        endpoints.delete_endpoint(self.workspace(tenant), tenant, endpoint)
