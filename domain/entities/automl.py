"""AutoML vocabulary shared by the API, the orchestrations and every backend: tasks, primary metrics, algorithm
names (those three in `automl_names.py`), limits and job statuses, all in Azure ML's own terms (azure-ai-ml enums).

Azure ML's rules on a `TrainingSpec` (`domain/entities/automl_rules.py: check_spec`) are applied before anything is
submitted, since the SDK does not check ranges.
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.entities.automl_names import (  # re-exported: the vocabulary's names live there
    ALGORITHMS,
    DEFAULT_PRIMARY_METRIC,
    ENSEMBLE_ALGORITHMS,
    LOWER_IS_BETTER,
    PRIMARY_METRICS,
    Algorithm,
    PrimaryMetric,
    Task,
)

__all__ = [
    "ALGORITHMS",
    "AZURE_STATUS_ALIASES",
    "DEFAULT_PRIMARY_METRIC",
    "ENSEMBLE_ALGORITHMS",
    "LOWER_IS_BETTER",
    "PRIMARY_METRICS",
    "Algorithm",
    "DatasetVersionRef",
    "DeploymentState",
    "EndpointState",
    "FeaturizationMode",
    "ForecastSettings",
    "JobInfo",
    "JobStatus",
    "Limits",
    "LogLine",
    "MetricPoint",
    "ModelRef",
    "PrimaryMetric",
    "ProvisioningState",
    "Task",
    "TrainingSpec",
    "Trial",
    "Validation",
    "job_name_for",
    "parse_status",
]


class JobStatus(StrEnum):
    """Azure ML job statuses. Terminal: Completed, Failed, Canceled. A run's status only moves forward."""

    NOT_STARTED = "NotStarted"
    QUEUED = "Queued"
    PREPARING = "Preparing"
    RUNNING = "Running"
    FINALIZING = "Finalizing"
    CANCEL_REQUESTED = "CancelRequested"
    COMPLETED = "Completed"
    FAILED = "Failed"
    CANCELED = "Canceled"

    @property
    def terminal(self) -> bool:
        return self in (JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.CANCELED)

    @property
    def rank(self) -> int:
        return _RANK[self]

    def can_move_to(self, new: JobStatus) -> bool:
        """Forward only: nothing leaves a terminal status; otherwise the rank must not decrease."""
        return not self.terminal and new.rank >= self.rank


_RANK = {s: i for i, s in enumerate(JobStatus)}
_RANK[JobStatus.FAILED] = _RANK[JobStatus.CANCELED] = _RANK[JobStatus.COMPLETED]

# Azure REST/SDK statuses that are not in the API's vocabulary, folded onto the nearest one.
AZURE_STATUS_ALIASES = {
    "Starting": JobStatus.PREPARING,
    "Provisioning": JobStatus.PREPARING,
    "NotResponding": JobStatus.RUNNING,
    "Paused": JobStatus.RUNNING,
    "Unknown": JobStatus.QUEUED,
}


def parse_status(value: str) -> JobStatus:
    return AZURE_STATUS_ALIASES.get(value) or JobStatus(value)


class FeaturizationMode(StrEnum):
    AUTO = "auto"
    CUSTOM = "custom"
    OFF = "off"


class Limits(BaseModel):
    """Azure ML's `set_limits`; ranges as the studio enforces them (the SDK does not)."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    timeout_minutes: int = Field(default=60, ge=1, le=43200)
    trial_timeout_minutes: int | None = Field(default=None, ge=1, le=43200)
    max_trials: int = Field(default=1000, ge=1, le=1000)
    max_concurrent_trials: int = Field(default=1, ge=1, le=1000)
    exit_score: float | None = None
    enable_early_termination: bool = True


class Validation(BaseModel):
    """Cross-validation folds or a validation share, not both; neither = Azure ML's size-based default."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    n_cross_validations: int | None = Field(default=None, ge=2, le=20)
    validation_size: float | None = Field(default=None, gt=0.0, lt=1.0)

    @model_validator(mode="after")
    def _one_of(self) -> Validation:
        if self.n_cross_validations is not None and self.validation_size is not None:
            raise ValueError("set either nCrossValidations or validationSize, not both")
        return self


class DatasetVersionRef(BaseModel):
    """Where a dataset version's data lives: a blob of the app's datasets container, or an external URI."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    dataset_id: str
    version: int = Field(ge=1)
    blob_path: str | None = None  # "<container>/<blob name>" in the app's storage
    uri: str | None = None  # azureml://, https:// ... for data referenced by URI
    columns: tuple[str, ...] = ()


class ForecastSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    time_column: str
    horizon: int = Field(ge=1, le=10000)
    time_series_id_columns: tuple[str, ...] = ()


class TrainingSpec(BaseModel):
    """Everything a backend needs to run one AutoML job for one run of an experiment."""

    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    tenant: str
    run_id: str
    experiment_id: str
    task: Task
    dataset: DatasetVersionRef
    target_column: str
    primary_metric: str
    limits: Limits = Limits()
    validation: Validation = Validation()
    allowed_algorithms: tuple[str, ...] = ()
    blocked_algorithms: tuple[str, ...] = ()
    featurization: FeaturizationMode = FeaturizationMode.AUTO
    forecast: ForecastSettings | None = None
    seed: int = 42

    @property
    def job_name(self) -> str:
        return job_name_for(self.tenant, self.run_id)


_JOB_NAME_BAD = re.compile(r"[^a-z0-9_-]")


def job_name_for(tenant: str, run_id: str) -> str:
    """Deterministic Azure ML job name for a run, so a retried submit finds the same job (<= 255 chars)."""
    return _JOB_NAME_BAD.sub("-", f"automl-{tenant}-{run_id}".lower())[:255]


class JobInfo(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    job_name: str
    status: JobStatus
    error: str | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    best_trial_id: str | None = None
    best_score: float | None = None
    trials_done: int = 0
    studio_url: str | None = None


class Trial(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    trial_id: str
    algorithm: str
    hyperparameters: dict[str, Any] = {}
    score: float | None = None  # the primary metric
    metrics: dict[str, float] = {}
    duration_seconds: float | None = None
    status: JobStatus = JobStatus.COMPLETED


class MetricPoint(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    step: int
    value: float
    timestamp: datetime
    trial_id: str | None = None  # the trial (child run) the point comes from; None for the job's own metrics


class LogLine(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    seq: int
    timestamp: datetime
    text: str


class ModelRef(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    version: str
    uri: str  # where the backend keeps it (blob path locally, azureml:// in Azure)
    trial_id: str | None = None


# One row to score and one prediction, as the API and every backend's scoring call carry them.
ScoreValue = str | int | float | bool | None
ScoreRow = dict[str, ScoreValue]
Prediction = ScoreValue


class ProvisioningState(StrEnum):
    CREATING = "Creating"
    UPDATING = "Updating"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    DELETING = "Deleting"


class EndpointState(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    state: ProvisioningState
    scoring_uri: str | None = None
    traffic: dict[str, int] = {}
    error: str | None = None


class DeploymentState(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    endpoint: str
    name: str
    state: ProvisioningState
    model: ModelRef | None = None
    error: str | None = None
