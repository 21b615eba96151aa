"""Turning storage records into API models, and small helpers shared by the services."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from domain.entities.common import Name, Resource
from domain.entities.principal import Principal
from domain.errors import ErrorDetail, ValidationFailed

R = TypeVar("R", bound=Resource)
PLATFORM = "_platform"  # the partition holding tenants (their names are unique across the platform)


def to_model(model: type[R], record: Any, **extra: Any) -> R:
    """The API view of a stored record: only the model's fields (records may carry internal ones, e.g. a run's spec)."""
    data = {k: v for k, v in record.data.items() if k in model.model_fields}
    return model.model_validate(
        {
            **data,
            **extra,
            "id": record.id,
            "created_at": record.created_at,
            "updated_at": record.updated_at,
            "created_by": record.created_by,
            "etag": record.etag,
        }
    )


def actor(principal: Principal) -> str:
    return principal.user_id


def changes_of(update: BaseModel) -> dict[str, Any]:
    """Only the fields the caller sent, in the stored (snake_case, JSON-compatible) form."""
    return update.model_dump(mode="json", exclude_unset=True)


_NAME: TypeAdapter[str] = TypeAdapter(Name)


def check_name(name: str | None, target: str = "name") -> str:
    try:
        return _NAME.validate_python(name)
    except ValidationError as exc:
        msg = exc.errors()[0]["msg"]
        raise ValidationFailed(
            "The name is not valid.", target=target, details=[ErrorDetail("InvalidValue", msg, target)]
        ) from None
