"""Long-running operations (cascading deletes, deployments, training) and audit entries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import Field

from domain.entities.common import ApiModel, Resource


class OperationStatus(StrEnum):
    NOT_STARTED = "NotStarted"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"
    CANCELED = "Canceled"


class OperationKind(StrEnum):
    DELETE = "delete"  # a cascading delete (tenant, experiment, run, endpoint)
    DEPLOYMENT = "deployment"  # PUT .../endpoints/{id}/deployments/{name}
    TRAINING = "training"  # a run, from its start to its finalized results (the operation's id is the run's)
    BATCH_SCORE = "batchScore"  # POST .../models/{id}:batchScore (the operation's id is the batch job's)


class OperationProgress(ApiModel):
    done: int = 0
    total: int | None = Field(default=None, description="null while unknown (a cascade's size)")
    percent: float | None = Field(default=None, description="done / total, when the total is known")
    message: str | None = None


class Operation(Resource):
    kind: OperationKind
    status: OperationStatus
    target: str = Field(description="the URL of the resource the operation works on")
    progress: OperationProgress = OperationProgress()
    error: str | None = None


class AuditEntry(ApiModel):
    id: str
    at: datetime
    actor: str
    action: str
    kind: str
    target_id: str
    changes: dict[str, Any] = {}
