"""The API view of a kind (`View`): read, list a page and patch, the same way for every resource; and the small
helpers every service shares (who acts, what a PATCH changed, name checks)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Generic, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from domain.entities.common import Name, Resource
from domain.entities.principal import Principal
from domain.errors import ErrorDetail, ValidationFailed
from domain.ports import Store
from domain.records.kind import D, Kind, Stored

V = TypeVar("V", bound=Resource)


class View(Generic[D, V]):
    """What the API shows of kind `kind`: the API model `model` (the stored fields it names, and the record's id,
    times, creator and ETag). One helper instead of a get/list/update function per resource."""

    def __init__(self, kind: Kind[D], model: type[V]) -> None:
        self.kind = kind
        self.model = model

    def of(self, stored: Stored[D], **extra: object) -> V:
        data = {k: v for k, v in stored.data.model_dump().items() if k in self.model.model_fields}
        return self.model.model_validate(
            {
                **data,
                **extra,
                "id": stored.id,
                "created_at": stored.created_at,
                "updated_at": stored.updated_at,
                "created_by": stored.created_by,
                "etag": stored.etag,
            }
        )

    def read(self, store: Store, tenant: str, id: str, *, parent_id: str | None = None) -> V:
        """NotFound when absent (or in another tenant, or being deleted)."""
        return self.of(self.kind.get(store, tenant, id, parent_id=parent_id))

    def page(
        self,
        store: Store,
        tenant: str,
        top: int,
        continuation: str | None,
        *,
        parent_id: str | None = None,
        where: Mapping[str, str | int | bool] | None = None,
    ) -> tuple[list[V], str | None]:
        """One page in id order and its continuation token (ValidationFailed for a token that is not ours)."""
        items, token = self.kind.list(
            store, tenant, parent_id=parent_id, where=where, top=top, continuation=continuation
        )
        return [self.of(s) for s in items], token

    def patch(self, store: Store, principal: Principal, tenant: str, id: str, body: BaseModel, etag: str | None) -> V:
        """The fields the caller sent (a PATCH body), if the entity still has `etag` (412 otherwise)."""
        stored = self.kind.update(store, tenant, id, changes_of(body), actor=actor(principal), etag=etag)
        return self.of(stored)


def actor(principal: Principal) -> str:
    return principal.user_id


def changes_of(update: BaseModel) -> dict[str, object]:
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
