"""Batch scoring jobs (`POST .../models/{id}:batchScore`) and explanations (global feature importance)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.entities.common import ApiModel, Resource
from domain.entities.queries import ID_PATTERN, ListQuery


class BatchScoreRequest(ApiModel):
    dataset_id: str = Field(pattern=ID_PATTERN, description="the dataset to score")
    dataset_version: int | None = Field(default=None, ge=1, description="default: the dataset's latest version")


class BatchJobStatus(StrEnum):
    NOT_STARTED = "NotStarted"
    RUNNING = "Running"
    COMPLETED = "Completed"
    FAILED = "Failed"
    CANCELED = "Canceled"

    @property
    def terminal(self) -> bool:
        return self in (BatchJobStatus.COMPLETED, BatchJobStatus.FAILED, BatchJobStatus.CANCELED)


class BatchProgress(ApiModel):
    rows_done: int = 0
    rows_total: int | None = Field(default=None, description="the dataset version's rows, when known")
    percent: float | None = None


class BatchJob(Resource):
    model_id: str
    model_name: str
    model_version: int
    dataset_id: str
    dataset_version: int
    status: BatchJobStatus
    progress: BatchProgress = BatchProgress()
    output_columns: list[str] = Field(
        default=[], description="the CSV's header: the input columns, the prediction, one probability per class"
    )
    output_url: str | None = Field(default=None, description="where the CSV downloads, once Completed")
    error: str | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None


class BatchOutputLink(ApiModel):
    """Where a Completed job's CSV downloads without the API's token: a read-only URL for that one blob."""

    url: str = Field(description="GET it before expiresOn (no Authorization header): the CSV, as an attachment")
    expires_on: datetime = Field(description="when the URL stops working (UTC)")


class BatchJobsQuery(ListQuery):
    model_id: str | None = Field(default=None, pattern=ID_PATTERN)
    status: BatchJobStatus | None = None


class FeatureImportance(ApiModel):
    feature: str = Field(description="a column of the uploaded CSV")
    importance: float = Field(description="the mean drop of the score when the column's values are shuffled")
    std: float | None = Field(default=None, description="spread of the drop over the repeats")


class Explanation(ApiModel):
    run_id: str
    trial_id: str | None = None
    method: str = Field(description="'permutation' (local engine) or 'azureml' (AutoML's model explainability)")
    metric: str = Field(description="the score whose drop measures importance")
    rows: int | None = Field(default=None, description="held-out rows the importance was measured on")
    features: list[FeatureImportance] = Field(description="most important first")
    computed_at: datetime


# --- what a backend answers (not API models) ---


class BatchState(BaseModel):
    """A backend batch job: status (Azure ML's names folded onto BatchJobStatus), rows scored, where the CSV is."""

    model_config = ConfigDict(frozen=True)

    status: BatchJobStatus
    rows_done: int = 0
    rows_total: int | None = None
    output: str | None = None  # '<container>/<blob>' of the CSV once Completed
    columns: tuple[str, ...] = ()
    error: str | None = None
    peak_rss_bytes: int | None = None  # the local engine's worker: its peak memory


class ExplanationResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    trial_id: str | None
    method: str
    metric: str
    rows: int | None = None
    features: tuple[tuple[str, float, float | None], ...]  # (column, importance, std), any order
