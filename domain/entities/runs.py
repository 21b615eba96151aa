"""Runs (one AutoML job each), their trials, metric points and log lines."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.entities.automl import JobStatus
from domain.entities.common import ApiModel, Resource


class Progress(ApiModel):
    percent: float | None = None
    trials_done: int = 0
    best_score: float | None = None
    elapsed_seconds: float | None = None


class Run(Resource):
    experiment_id: str
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


class LogLineModel(ApiModel):
    seq: int
    timestamp: datetime
    text: str
