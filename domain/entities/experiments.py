"""Experiments: what to train (task, data, target, metric, limits, algorithms, validation, featurization)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field
from pydantic.config import JsonDict

from domain.entities.automl import (
    ALGORITHMS,
    PRIMARY_METRICS,
    Algorithm,
    FeaturizationMode,
    ForecastSettings,
    JobStatus,
    Limits,
    PrimaryMetric,
    Task,
    Validation,
)
from domain.entities.common import ApiModel, Description, Name, Patch, Resource


class LimitsModel(ApiModel):
    timeout_minutes: int = Field(default=60, ge=1, le=43200)
    trial_timeout_minutes: int | None = Field(default=None, ge=1, le=43200)
    max_trials: int = Field(default=20, ge=1, le=1000)
    max_concurrent_trials: int = Field(default=1, ge=1, le=1000)
    exit_score: float | None = None
    enable_early_termination: bool = True

    def to_limits(self) -> Limits:
        return Limits(**self.model_dump())


class ValidationModel(ApiModel):
    n_cross_validations: int | None = Field(default=None, ge=2, le=20)
    validation_size: float | None = Field(default=None, gt=0.0, lt=1.0)


class ForecastModel(ApiModel):
    time_column: Name
    horizon: int = Field(ge=1, le=10000)
    time_series_id_columns: list[Name] = []

    def to_settings(self) -> ForecastSettings:
        return ForecastSettings(
            time_column=self.time_column,
            horizon=self.horizon,
            time_series_id_columns=tuple(self.time_series_id_columns),
        )


class ForecastPatch(ApiModel):
    """The forecast settings in a PATCH (merged into the current ones: send only what changes)."""

    time_column: Name | None = None
    horizon: int | None = Field(default=None, ge=1, le=10000)
    time_series_id_columns: list[Name] | None = None


# Which task takes which names (the server checks the pair): in the document beside the enums, as `x-enum-by-task`
# (the name the web console's form reads, web/src/lib/contract.ts).
_BY_TASK: dict[str, JsonDict] = {
    "metrics": {"x-enum-by-task": {t.value: list(m) for t, m in PRIMARY_METRICS.items()}},
    "algorithms": {"x-enum-by-task": {t.value: list(a) for t, a in ALGORITHMS.items()}},
}


class ExperimentCreate(ApiModel):
    name: Name
    description: Description | None = None
    task: Task
    dataset_id: str = Field(min_length=1, max_length=64)
    dataset_version: int | None = Field(default=None, ge=1, description="default: the dataset's latest version")
    target_column: str = Field(min_length=1, max_length=256)
    primary_metric: PrimaryMetric | None = Field(
        default=None,
        description="default: Azure ML's default for the task; each task takes some (x-enum-by-task)",
        json_schema_extra=_BY_TASK["metrics"],
    )
    limits: LimitsModel = LimitsModel()
    validation: ValidationModel = ValidationModel()
    allowed_algorithms: list[Algorithm] = Field(default=[], max_length=30, json_schema_extra=_BY_TASK["algorithms"])
    blocked_algorithms: list[Algorithm] = Field(default=[], max_length=30, json_schema_extra=_BY_TASK["algorithms"])
    featurization: FeaturizationMode = FeaturizationMode.AUTO
    forecast: ForecastModel | None = None
    auto_register: bool = True

    def validation_settings(self) -> Validation:
        return Validation(**self.validation.model_dump())


class ExperimentUpdate(Patch):
    clearable = frozenset({"description", "forecast"})

    description: Description | None = None
    dataset_version: int | None = Field(default=None, ge=1)
    target_column: str | None = Field(default=None, min_length=1, max_length=256)
    primary_metric: PrimaryMetric | None = Field(default=None, json_schema_extra=_BY_TASK["metrics"])
    limits: LimitsModel | None = None
    validation: ValidationModel | None = None
    allowed_algorithms: list[Algorithm] | None = Field(
        default=None, max_length=30, json_schema_extra=_BY_TASK["algorithms"]
    )
    blocked_algorithms: list[Algorithm] | None = Field(
        default=None, max_length=30, json_schema_extra=_BY_TASK["algorithms"]
    )
    featurization: FeaturizationMode | None = None
    forecast: ForecastPatch | None = None
    auto_register: bool | None = None


class ExperimentRun(ApiModel):
    """The experiment's newest run, as a list row needs it."""

    id: str
    status: JobStatus
    created_at: datetime


class Experiment(Resource):
    name: str
    description: str | None = None
    task: Task
    dataset_id: str
    dataset_name: str | None = None
    dataset_version: int
    target_column: str
    primary_metric: PrimaryMetric
    limits: LimitsModel
    validation: ValidationModel
    allowed_algorithms: list[Algorithm]
    blocked_algorithms: list[Algorithm]
    featurization: FeaturizationMode
    forecast: ForecastModel | None = None
    auto_register: bool
    state: str = "Active"
    last_run: ExperimentRun | None = None
