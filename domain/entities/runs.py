"""Runs (one AutoML job each), their trials, metric points and log lines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from domain.entities.automl import JobStatus, Task
from domain.entities.common import ApiModel, Resource


class Progress(ApiModel):
    percent: float | None = Field(
        default=None, description="of the time budget or the trial budget (the larger); 100 only when Completed"
    )
    trials_done: int = 0
    best_score: float | None = None
    elapsed_seconds: float | None = None


class Run(Resource):
    experiment_id: str
    experiment_name: str | None = None
    task: Task | None = None
    status: JobStatus
    job_name: str
    primary_metric: str
    progress: Progress = Progress()
    best_trial_id: str | None = None
    model_id: str | None = None
    error: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    metrics: dict[str, float | None] = {}  # null: the metric could not be computed (NaN)


class TrialModel(ApiModel):
    trial_id: str
    rank: int
    algorithm: str
    score: float | None = None
    duration_seconds: float | None = None
    hyperparameters: dict[str, Any] = {}
    metrics: dict[str, float | None] = {}
    status: JobStatus


class MetricPointModel(ApiModel):
    name: str
    step: int
    value: float | None  # null: the metric could not be computed at this step (NaN)
    timestamp: datetime
    trial_id: str | None = Field(default=None, description="the trial the point comes from, when known")


class LogLineModel(ApiModel):
    seq: int
    timestamp: datetime
    text: str
