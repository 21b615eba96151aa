"""Base classes of the API's resource models: camelCase JSON, frozen, and the fields every entity carries."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.alias_generators import to_camel

# A resource name: unique per tenant (case-insensitive), safe in a Table key after lower-casing.
Name = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Description = Annotated[str, StringConstraints(max_length=1024)]
Tags = Annotated[dict[str, Annotated[str, StringConstraints(max_length=256)]], Field(max_length=32)]


def finite(value: Any) -> Any:
    """`value` with every NaN or infinite float replaced by None: JSON has no NaN or Infinity (a browser's
    `JSON.parse` throws on them), and a score that does not exist is `null`."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


class ApiModel(BaseModel):
    """camelCase on the wire, snake_case in Python; unknown fields refused."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid", ser_json_timedelta="float"
    )

    def wire(self) -> dict[str, Any]:
        """The JSON object the API sends: camelCase, no nulls, no NaN or Infinity (they become null)."""
        wired: dict[str, Any] = finite(self.model_dump(mode="json", by_alias=True, exclude_none=True))
        return wired


class Resource(ApiModel):
    """What every entity response carries."""

    id: str
    created_at: datetime
    updated_at: datetime
    created_by: str
    etag: str


T = TypeVar("T")


class PageOf(ApiModel, Generic[T]):
    value: list[T]
    next_link: str | None = None


class ErrorDetailModel(ApiModel):
    code: str
    message: str
    target: str | None = None


class ErrorBody(ApiModel):
    code: str
    message: str
    target: str | None = None
    details: list[ErrorDetailModel] | None = None


class ErrorResponse(ApiModel):
    error: ErrorBody


class Patch(ApiModel):
    """A PATCH body: every field optional, only the fields sent change. An explicit `null` clears a field only where
    the resource allows none (`clearable`); elsewhere it is refused (400), never stored to break the resource."""

    clearable: ClassVar[frozenset[str]] = frozenset({"description", "display_name"})

    @model_validator(mode="after")
    def _no_null_for_required(self) -> Patch:
        for name in sorted(self.model_fields_set - self.clearable):
            if getattr(self, name) is None:
                raise ValueError(f"'{to_camel(name)}' cannot be null; leave it out to keep the current value")
        return self
