"""Query-string inputs of the list routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from domain.entities.automl import JobStatus
from domain.entities.common import ApiModel


class ListQuery(ApiModel):
    top: int = Field(default=50, ge=1, le=200)
    continuation: str | None = Field(default=None, max_length=2048)


class RunsQuery(ListQuery):
    experiment_id: str | None = Field(default=None, max_length=64)
    status: JobStatus | None = None


class AuditQuery(ListQuery):
    since: datetime | None = None


class UploadQuery(ApiModel):
    """For raw `text/csv` uploads, the name and description come in the query string."""

    name: str | None = Field(default=None, max_length=64)
    description: str | None = Field(default=None, max_length=1024)
