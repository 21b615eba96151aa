"""Base classes of the API's resource models: camelCase JSON, frozen, and the fields every entity carries."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationInfo, field_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

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
    """camelCase on the wire, snake_case in Python; unknown fields refused. Responses carry every field: an empty
    value is `null`, never left out, so the document marks every response field required (nullable where it may be
    empty) and a generated client needs no optional-or-null guesswork."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        extra="forbid",
        ser_json_timedelta="float",
        json_schema_serialization_defaults_required=True,
        defer_build=True,  # validators and serializers built on first use, not when the app is indexed (ADR 0019)
    )

    def wire(self) -> dict[str, Any]:
        """The JSON object the API sends: camelCase, every field (an empty one is null), no NaN or Infinity (they
        become null: a browser's JSON.parse throws on them)."""
        wired: dict[str, Any] = finite(self.model_dump(mode="json", by_alias=True))
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
    """The one error shape (functions/_errors.py): a field problem's details name the request field."""

    code: str
    message: str
    target: str | None = None
    details: list[ErrorDetailModel] = []


class ErrorResponse(ApiModel):
    error: ErrorBody


# A PATCH's tags: a JSON merge patch of the tags object (a tag set to null is removed).
TagsPatch = Annotated[dict[str, Annotated[str, StringConstraints(max_length=256)] | None], Field(max_length=32)]


def _null_only_where_clearable(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """The document says what the server accepts: `null` only for the fields a PATCH may clear."""
    clearable = {to_camel(n) for n in getattr(model, "clearable", ())}
    for name, prop in schema.get("properties", {}).items():
        options = prop.get("anyOf")
        if name not in clearable and isinstance(options, list):
            kept = [o for o in options if o != {"type": "null"}]
            if len(kept) == 1:
                prop.pop("anyOf")
                prop.pop("default", None)
                prop.update(kept[0])
            else:
                prop["anyOf"] = kept


class Patch(ApiModel):
    """A PATCH body, read as a JSON merge patch (RFC 7396, `domain/services/_patch.py`): fields left out keep their
    values, nested objects are merged, `null` removes. An explicit `null` is accepted only for what the resource may
    lack (`clearable`, and nullable fields inside nested objects); elsewhere it is refused (400 naming the field),
    never stored to break the resource."""

    model_config = ConfigDict(json_schema_extra=_null_only_where_clearable)
    clearable: ClassVar[frozenset[str]] = frozenset({"description", "display_name"})

    @field_validator("*", mode="after")
    @classmethod
    def _no_null_for_required(cls, value: object, info: ValidationInfo) -> object:
        if value is None and info.field_name not in cls.clearable:
            raise PydanticCustomError("not_clearable", "This field cannot be null; leave it out to keep its value.")
        return value
