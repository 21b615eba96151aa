"""Query-string inputs of the list routes: paging (`top`, `continuation`), order (`orderby`), and the filters each
list offers. Every filter is an equality Table Storage applies, except `namePrefix` (case-insensitive) and
`orderby=createdAt desc`, which the store answers by scanning with a cursor (`domain/storage/scan.py`)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, Field

from domain.entities.automl import JobStatus, ProvisioningState
from domain.entities.common import ApiModel, Name
from domain.entities.operations import OperationKind, OperationStatus
from domain.entities.role import Role

ID_PATTERN = r"^[A-Za-z0-9._-]{1,128}$"  # every id the server generates or accepts in a path (storage/keys.py)


class Order(StrEnum):
    OLDEST_FIRST = "createdAt asc"
    NEWEST_FIRST = "createdAt desc"


class PageQuery(ApiModel):
    top: int = Field(default=50, ge=1, le=200, description="page size")
    continuation: str | None = Field(default=None, max_length=2048, description="from the previous page's nextLink")


class ListQuery(PageQuery):
    orderby: Order = Field(default=Order.OLDEST_FIRST, description="creation order (ids sort by creation time)")

    @property
    def newest_first(self) -> bool:
        return self.orderby is Order.NEWEST_FIRST


class NamedListQuery(ListQuery):
    name_prefix: str | None = Field(
        default=None, max_length=64, pattern=r"^[A-Za-z0-9._-]+$", description="names starting with it, any case"
    )


class ExperimentsQuery(NamedListQuery):
    dataset_id: str | None = Field(default=None, pattern=ID_PATTERN)


class RunsQuery(ListQuery):
    experiment_id: str | None = Field(default=None, pattern=ID_PATTERN)
    status: JobStatus | None = None


class ModelsQuery(NamedListQuery):
    name: Name | None = Field(default=None, description="every version of the model with this name")
    run_id: str | None = Field(default=None, pattern=ID_PATTERN)
    experiment_id: str | None = Field(default=None, pattern=ID_PATTERN)


class DeploymentsQuery(ListQuery):
    state: ProvisioningState | None = None


class OperationsQuery(ListQuery):
    status: OperationStatus | None = None
    kind: OperationKind | None = None


class MembersQuery(ListQuery):
    role: Role | None = None


class TrialsQuery(ApiModel):
    top: int = Field(default=100, ge=1, le=1000)
    continuation: str | None = Field(default=None, max_length=64)
    orderby: str | None = Field(
        default=None,
        max_length=140,
        pattern=r"^[A-Za-z0-9_.]{1,128}( (asc|desc))?$",
        description="a recorded metric (or score, durationSeconds), best first unless asc/desc is given; "
        "default: the run's primary metric, best first",
    )


class MetricsQuery(PageQuery):
    name: str | None = Field(default=None, max_length=128, pattern=r"^[A-Za-z0-9._-]+$")


class LogsQuery(ApiModel):
    after: int = Field(default=0, ge=0, description="the last sequence number already read")
    top: int = Field(default=200, ge=1, le=1000)


class AuditQuery(PageQuery):
    since: AwareDatetime | None = Field(default=None, description="RFC 3339 with a time zone, e.g. 2026-12-06T02:05Z")
    target_id: str | None = Field(default=None, max_length=128, pattern=r"^[A-Za-z0-9._-]+$")
    actor: str | None = Field(default=None, max_length=256)


class UploadQuery(ApiModel):
    """For raw `text/csv` uploads, the name and description come in the query string."""

    name: Name | None = Field(default=None, description="the dataset's name (text/csv uploads)")
    description: str | None = Field(default=None, max_length=1024, description="text/csv uploads")
