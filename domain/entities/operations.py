"""Long-running operations (cascading deletes, deployments, training) and audit entries."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.entities.common import ApiModel, Resource


class OperationStatus(StrEnum):
    NOT_STARTED = "NotStarted"
    RUNNING = "Running"
    SUCCEEDED = "Succeeded"
    FAILED = "Failed"


class OperationProgress(ApiModel):
    done: int = 0
    total: int | None = None
    percent: float | None = None
    message: str | None = None


class Operation(Resource):
    kind: str
    status: OperationStatus
    target: str
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
