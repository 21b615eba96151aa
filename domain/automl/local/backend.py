"""`LocalAutoMLBackend`: the `AutoMLBackend` port over FLAML worker subprocesses (see the package docstring).

The job directory is the source of truth, so a restarted host sees running and finished jobs as they are. Statuses,
algorithm and metric names are Azure ML's. Construct it with `domain.automl.factory.backend_from_settings`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from domain.automl.local import batch, blobs, jobs, series
from domain.automl.local.jobdir import MODEL_BLOB, JobDir, now_iso, read_json, safe_name
from domain.automl.local.mapping import flaml_plan
from domain.automl.local.serving import Serving
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
from domain.entities.batch import BatchState, ExplanationResult
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.settings import Settings


class LocalAutoMLBackend:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workdir = Path(settings.local_automl_workdir)
        self.serving = Serving(settings)
        self._children: dict[str, subprocess.Popen[bytes]] = {}

    # --- datasets and jobs -------------------------------------------------------------------------------------

    def register_dataset(self, tenant: str, dataset: DatasetVersionRef) -> str:
        """A local copy of the dataset blob (file:// URI); a file:// or http(s):// `uri` is used as it is."""
        if dataset.blob_path:
            name = f"{safe_name(dataset.dataset_id, 'dataset')}-v{dataset.version}.csv"
            target = self.workdir / safe_name(tenant, "tenant") / "_datasets" / name
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                blobs.download_to(self.settings, dataset.blob_path, target)
            return target.resolve().as_uri()
        if dataset.uri and dataset.uri.startswith("file://"):
            if not Path(dataset.uri.removeprefix("file://")).is_file():
                raise NotFound("dataset file", dataset.uri)
            return dataset.uri
        if dataset.uri and dataset.uri.startswith(("http://", "https://")):
            return dataset.uri
        raise ValidationFailed(
            "The local AutoML engine reads a dataset from the app's blob storage, a file:// or an http(s):// URI.",
            target="dataset",
        )

    def _job(self, tenant: str, job_name: str) -> JobDir:
        job = JobDir.of(self.workdir, tenant, job_name)
        if not job.exists():
            raise NotFound("job", job_name)
        return job

    def submit_job(self, spec: TrainingSpec) -> JobInfo:
        job = JobDir.of(self.workdir, spec.tenant, spec.job_name)
        if not job.exists():
            plan = flaml_plan(spec)
            uri = self.register_dataset(spec.tenant, spec.dataset)
            run = {
                "tenant": spec.tenant,
                "run_id": spec.run_id,
                "experiment_id": spec.experiment_id,
                "job_name": spec.job_name,
                "primary_metric": spec.primary_metric,
            }
            data_path = uri.removeprefix("file://")
            jobs.create(job, {"run": run, "plan": plan, "data_path": data_path, "submitted_at": now_iso()})
        with jobs.spawn_lock(job):
            if read_json(job.pid) is None and not self._is_terminal(job):
                self._children[str(job.path)] = jobs.start_worker(job, self.settings)
        return self.get_job(spec.tenant, spec.job_name)

    @staticmethod
    def _is_terminal(job: JobDir) -> bool:
        status = read_json(job.status) or {}
        return status.get("status") in ("Completed", "Failed", "Canceled")

    def get_job(self, tenant: str, job_name: str) -> JobInfo:
        job = self._job(tenant, job_name)
        child = self._children.get(str(job.path))
        if child is not None and child.poll() is not None:  # reap our own finished worker
            self._children.pop(str(job.path), None)
        return jobs.info(job, jobs.reconcile(job, self.settings.local_automl_event_url))

    def cancel_job(self, tenant: str, job_name: str) -> JobInfo:
        job = self._job(tenant, job_name)
        if not self.get_job(tenant, job_name).status.terminal:
            jobs.request_cancel(job)
        return self.get_job(tenant, job_name)

    def list_trials(self, tenant: str, job_name: str) -> list[Trial]:
        return series.trials(self._job(tenant, job_name))

    def metrics_since(self, tenant: str, job_name: str, watermark: int) -> tuple[list[MetricPoint], int]:
        return series.metrics_since(self._job(tenant, job_name), watermark)

    def logs_since(self, tenant: str, job_name: str, after_seq: int) -> tuple[list[LogLine], int]:
        return series.logs_since(self._job(tenant, job_name), after_seq)

    def delete_job(self, tenant: str, job_name: str) -> None:
        """Stop the worker, then remove the job directory and the job's model blob (registered models stay)."""
        job = JobDir.of(self.workdir, tenant, job_name)
        if job.path.exists():
            jobs.stop_and_remove(job)
        blob = MODEL_BLOB.format(tenant=tenant, job_name=job_name)
        blobs.delete_if_exists(self.settings, self.settings.models_container, blob)

    # --- models ------------------------------------------------------------------------------------------------

    def register_model(self, tenant: str, job_name: str, *, name: str, trial_id: str | None = None) -> ModelRef:
        """Store the job's best model (or trial `trial_id`'s, refit from the trial log in a subprocess) as
        `{tenant}/registry/{name}/{version}/model.pkl` in the models container, `version` the next free one."""
        info = self.get_job(tenant, job_name)
        status = read_json(self._job(tenant, job_name).status) or {}
        if not status.get("model_saved"):
            raise Conflict(f"job '{job_name}' has no model ({info.status.value}).", target="job")
        container = self.settings.models_container
        if trial_id is None or trial_id == info.best_trial_id:
            data = blobs.download_bytes(self.settings, container, MODEL_BLOB.format(tenant=tenant, job_name=job_name))
            trial_id = info.best_trial_id
        else:
            data = jobs.refit_trial(
                self._job(tenant, job_name), self._record_id(tenant, job_name, trial_id), self.settings
            )
        prefix = f"{safe_name(tenant, 'tenant')}/registry/{safe_name(name, 'model')}/"
        return self._upload_next_version(container, prefix, data, name, trial_id)

    def delete_model(self, tenant: str, model: ModelRef) -> None:
        """Delete the registered artifact `{container}/{tenant}/registry/...` (only this tenant's; idempotent)."""
        container, _, blob = model.uri.partition("/")
        if container == self.settings.models_container and blob.startswith(f"{safe_name(tenant, 'tenant')}/registry/"):
            blobs.delete_if_exists(self.settings, container, blob)

    def _record_id(self, tenant: str, job_name: str, trial_id: str) -> int:
        if trial_id not in {t.trial_id for t in self.list_trials(tenant, job_name)}:
            raise NotFound("trial", trial_id)
        return int(trial_id.rsplit("_", 1)[1])

    def _upload_next_version(
        self, container: str, prefix: str, data: bytes, name: str, trial_id: str | None
    ) -> ModelRef:
        from azure.core.exceptions import ResourceExistsError

        versions = [int(n[len(prefix) :].split("/")[0]) for n in blobs.list_names(self.settings, container, prefix)]
        version = max(versions, default=0) + 1
        while True:
            blob = f"{prefix}{version}/model.pkl"
            try:
                blobs.upload_bytes(self.settings, container, blob, data, overwrite=False)
                return ModelRef(name=name, version=str(version), uri=f"{container}/{blob}", trial_id=trial_id)
            except ResourceExistsError:
                version += 1

    def explain(self, tenant: str, job_name: str, trial_id: str | None = None) -> ExplanationResult:
        """Permutation importance of the best trial's model (or `trial_id`'s) on held-out rows (explain.py)."""
        info = self.get_job(tenant, job_name)
        trial_id = trial_id or info.best_trial_id
        if trial_id is None:
            raise Conflict(f"job '{job_name}' has no trial to explain ({info.status.value}).", target="job")
        data = jobs.explain_trial(
            self._job(tenant, job_name), self._record_id(tenant, job_name, trial_id), self.settings
        )
        features = tuple((str(f[0]), float(f[1]), float(f[2])) for f in data["features"])
        return ExplanationResult(
            trial_id=trial_id, method=data["method"], metric=data["metric"], rows=data["rows"], features=features
        )

    # --- batch scoring -----------------------------------------------------------------------------------------

    def start_batch_score(
        self, tenant: str, job_name: str, model: ModelRef, dataset: DatasetVersionRef, output: str, rows: int | None
    ) -> BatchState:
        """Score the dataset version with the model in a `batch_worker` subprocess (chunks, bounded memory) into the
        blob `output`; idempotent by job name (a retried start finds the job)."""
        job = batch.job_dir(self.workdir, tenant, job_name)
        if not job.exists():
            uri = self.register_dataset(tenant, dataset)
            if not uri.startswith("file://"):
                raise ValidationFailed(
                    "The local engine scores datasets stored in the app's blob storage.", target="dataset"
                )
            spec = {
                "model_uri": model.uri,
                "data_path": uri.removeprefix("file://"),
                "output": output,
                "rows_total": rows,
            }
            batch.start(job, spec, self.settings)
        else:
            batch.start(job, {}, self.settings)
        return batch.state(job)

    def get_batch_score(self, tenant: str, job_name: str) -> BatchState:
        return batch.state(batch.job_dir(self.workdir, tenant, job_name))

    def delete_batch_score(self, tenant: str, job_name: str) -> None:
        """Stop the worker and remove the job directory (the output blob is the caller's)."""
        batch.remove(batch.job_dir(self.workdir, tenant, job_name))

    # --- endpoints and deployments -----------------------------------------------------------------------------

    def create_or_update_endpoint(self, tenant: str, endpoint: str) -> EndpointState:
        return self.serving.create_or_update_endpoint(tenant, endpoint)

    def get_endpoint(self, tenant: str, endpoint: str) -> EndpointState:
        return self.serving.get_endpoint(tenant, endpoint)

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
        """Served by the one local scoring server (ADR 0015); instance_type and instance_count have no local meaning."""
        return self.serving.create_or_update_deployment(tenant, endpoint, deployment, model)

    def get_deployment(self, tenant: str, endpoint: str, deployment: str) -> DeploymentState:
        return self.serving.get_deployment(tenant, endpoint, deployment)

    def set_traffic(self, tenant: str, endpoint: str, traffic: dict[str, int]) -> EndpointState:
        return self.serving.set_traffic(tenant, endpoint, traffic)

    def score(
        self, tenant: str, endpoint: str, rows: list[dict[str, Any]], *, deployment: str | None = None
    ) -> list[Any]:
        return self.serving.score(tenant, endpoint, rows, deployment)

    def delete_deployment(self, tenant: str, endpoint: str, deployment: str) -> None:
        self.serving.delete_deployment(tenant, endpoint, deployment)

    def delete_endpoint(self, tenant: str, endpoint: str) -> None:
        self.serving.delete_endpoint(tenant, endpoint)
