"""`AzureMLBackend`: the `AutoMLBackend` port on an Azure ML workspace (azure-ai-ml + the workspace's MLflow REST).

Built once per process by the AutoML factory: `AzureMLBackend(settings, credential=None, transport=None)`.
`credential` defaults to the app's managed identity; `transport` (an azure-core HttpTransport) is for offline tests.
Nothing here imports azure-ai-ml at module level.
"""

from __future__ import annotations

import logging
from typing import Any

from domain.automl.azureml import datasets, endpoints, jobs, logs, models, trials
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
from domain.errors import Conflict, DomainError
from domain.settings import Settings

log = logging.getLogger(__name__)


class AzureMLBackend:
    def __init__(
        self,
        settings: Settings,
        credential: Any = None,
        transport: Any = None,
        *,
        retry: RetryOptions | None = None,
        blob_writer: Any = None,
    ) -> None:
        cred = credential if credential is not None else default_credential(settings)
        self.ws = Workspace(settings, cred, transport, retry or RetryOptions())
        self.mlflow = MlflowRest(self.ws)
        self._blob_writer = blob_writer
        self._transport = transport

    # datasets ---------------------------------------------------------------------------------------------------
    def register_dataset(self, tenant: str, dataset: DatasetVersionRef) -> str:
        if self._blob_writer is None:
            self._blob_writer = datasets.blob_writer_for(self.ws.settings, self.ws.credential, self._transport)
        return datasets.register(self.ws, tenant, dataset, self._blob_writer)

    # jobs -------------------------------------------------------------------------------------------------------
    def submit_job(self, spec: TrainingSpec) -> JobInfo:
        return jobs.submit(self.ws, spec)

    def get_job(self, tenant: str, job_name: str) -> JobInfo:
        job = jobs.fetch(self.ws, tenant, job_name)
        info = jobs.to_info(job)
        if info.status is JobStatus.FAILED:
            return self._with_failure(info, job_name)
        if info.status is not JobStatus.COMPLETED:
            return info
        try:
            return self._with_best(info, job)
        except DomainError as exc:  # the status is what matters; the best trial is read again later
            log.warning("best trial of %s not readable yet: %s", job_name, exc.message)
            return info

    def _with_failure(self, info: JobInfo, job_name: str) -> JobInfo:
        """Failed jobs: Azure's error message from run history (the ARM job carries none)."""
        try:
            text = logs.failure_text(logs.run_details(self.ws, job_name))
        except DomainError as exc:
            log.warning("failure details of %s not readable: %s", job_name, exc.message)
            return info
        return info.model_copy(update={"error": text}) if text else info

    def _with_best(self, info: JobInfo, job: Any) -> JobInfo:
        """Completed jobs: best trial (parent tag `automl_best_child_run_id`), its score, start/end from MLflow."""
        with azure_errors("job", job.name):
            parent = self.mlflow.get_run(job.name)
            best = trials.best_trial_id(parent)
            score = None
            if best:
                score = metrics_of(self.mlflow.get_run(best)).get(trials.metric_key(enum_text(job.primary_metric)))
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
        return jobs.cancel(self.ws, tenant, job_name)

    def delete_job(self, tenant: str, job_name: str) -> None:
        jobs.delete(self.ws, tenant, job_name)

    # trials, metrics, logs ------------------------------------------------------------------------------------
    def list_trials(self, tenant: str, job_name: str) -> list[Trial]:
        job = jobs.fetch(self.ws, tenant, job_name)
        with azure_errors("job", job_name):
            return trials.list_trials(self.mlflow, job_name, trials.metric_key(enum_text(job.primary_metric)))

    def metrics_since(self, tenant: str, job_name: str, watermark: int) -> tuple[list[MetricPoint], int]:
        jobs.fetch(self.ws, tenant, job_name)
        with azure_errors("job", job_name):
            return trials.metrics_since(self.mlflow, job_name, watermark)

    def logs_since(self, tenant: str, job_name: str, after_seq: int) -> tuple[list[LogLine], int]:
        """Lines of the job's std_log (run-history `logFiles`), numbered by line; see `logs.py`."""
        jobs.fetch(self.ws, tenant, job_name)
        return logs.lines_since(self.ws, job_name, after_seq)

    # models -----------------------------------------------------------------------------------------------------
    def register_model(self, tenant: str, job_name: str, *, name: str, trial_id: str | None = None) -> ModelRef:
        jobs.fetch(self.ws, tenant, job_name)
        if trial_id is None:
            with azure_errors("job", job_name):
                trial_id = trials.best_trial_id(self.mlflow.get_run(job_name))
            if not trial_id:
                raise Conflict(f"job '{job_name}' has no best trial yet.", target="job")
        return models.register(self.ws, tenant, job_name, name=name, trial_id=trial_id)

    # endpoints --------------------------------------------------------------------------------------------------
    def create_or_update_endpoint(self, tenant: str, endpoint: str) -> EndpointState:
        return endpoints.create_or_update_endpoint(self.ws, tenant, endpoint)

    def get_endpoint(self, tenant: str, endpoint: str) -> EndpointState:
        return endpoints.get_endpoint(self.ws, tenant, endpoint)

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
            self.ws, tenant, endpoint, deployment, model, instance_type=instance_type, instance_count=instance_count
        )

    def get_deployment(self, tenant: str, endpoint: str, deployment: str) -> DeploymentState:
        return endpoints.get_deployment(self.ws, tenant, endpoint, deployment)

    def set_traffic(self, tenant: str, endpoint: str, traffic: dict[str, int]) -> EndpointState:
        return endpoints.set_traffic(self.ws, tenant, endpoint, traffic)

    def score(
        self, tenant: str, endpoint: str, rows: list[dict[str, Any]], *, deployment: str | None = None
    ) -> list[Any]:
        return endpoints.score(self.ws, tenant, endpoint, rows, deployment=deployment)

    def delete_deployment(self, tenant: str, endpoint: str, deployment: str) -> None:
        endpoints.delete_deployment(self.ws, tenant, endpoint, deployment)

    def delete_endpoint(self, tenant: str, endpoint: str) -> None:
        endpoints.delete_endpoint(self.ws, tenant, endpoint)
