"""Query-string inputs of the list routes."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from domain.entities.automl import JobStatus
from domain.entities.common import ApiModel


class ListQuery(ApiModel):
    top: int = Field(default=50, ge=1, le=200)
    continuation: str | None = Field(default=None, max_length=2048)


class RunsQuery(ListQuery):
    experiment_id: str | None = Field(default=None, max_length=64)
    status: JobStatus | None = None


class AuditQuery(ListQuery):
    since: AwareDatetime | None = Field(default=None, description="RFC 3339 with a time zone, e.g. 2026-12-06T02:05Z")
    target_id: str | None = Field(default=None, max_length=128, pattern=r"^[A-Za-z0-9._-]+$")
    actor: str | None = Field(default=None, max_length=256)


class UploadQuery(ApiModel):
    """For raw `text/csv` uploads, the name and description come in the query string."""

    name: str | None = Field(default=None, max_length=64)
    description: str | None = Field(default=None, max_length=1024)
