"""The API view of a kind (`View`): read, list a page and patch, the same way for every resource; and the small
helpers every service shares (who acts, what a PATCH changed, name checks)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Generic, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from domain.entities.common import Name, Resource
from domain.entities.principal import Principal
from domain.entities.queries import ListQuery, NamedListQuery
from domain.errors import ErrorDetail, ValidationFailed
from domain.ports import Store
from domain.records.kind import D, Kind, Stored
from domain.services._patch import check_merged, merged_changes, read_modify_write

V = TypeVar("V", bound=Resource)
# A resource's own rule on a PATCH: the current record and the merged fields it would write (raise to refuse).
Check = Callable[[Stored[D], dict[str, object]], None]


class View(Generic[D, V]):
    """What the API shows of kind `kind`: the API model `model` (the stored fields it names, and the record's id,
    times, creator and ETag). One helper instead of a get/list/update function per resource."""

    def __init__(self, kind: Kind[D], model: type[V]) -> None:
        self.kind = kind
        self.model = model
        self._fields = frozenset(model.model_fields)  # once: pydantic's model_fields is a property (a lookup per use)

    def of(self, stored: Stored[D], **extra: object) -> V:
        data = {k: v for k, v in stored.data.model_dump().items() if k in self._fields}
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
        query: ListQuery,
        *,
        parent_id: str | None = None,
        where: Mapping[str, str | int | bool] | None = None,
    ) -> tuple[list[V], str | None]:
        """One page as the query asks (`top`, `continuation`, `orderby`, `namePrefix` where the query has it) and
        its continuation token (ValidationFailed for a token that is not ours)."""
        items, token = self.kind.list(
            store,
            tenant,
            parent_id=parent_id,
            where=where,
            top=query.top,
            continuation=query.continuation,
            name_prefix=query.name_prefix if isinstance(query, NamedListQuery) else None,
            newest_first=query.newest_first,
        )
        return [self.of(s) for s in items], token

    def patch(
        self,
        store: Store,
        principal: Principal,
        tenant: str,
        id: str,
        body: BaseModel,
        etag: str | None,
        *,
        check: Check[D] | None = None,
        parent_id: str | None = None,
    ) -> V:
        """Apply the PATCH body as a JSON merge patch; with If-Match (`etag`) once (412 when stale), without it as
        the server's own read-modify-write, retried when another writer got in between (`_patch.py`). `check`
        sees the current record and the merged fields before anything is written (raise to refuse)."""
        return self.of(self.merge(store, principal, tenant, id, body, etag, check=check, parent_id=parent_id))

    def merge(
        self,
        store: Store,
        principal: Principal,
        tenant: str,
        id: str,
        body: BaseModel,
        etag: str | None,
        *,
        check: Check[D] | None = None,
        parent_id: str | None = None,
    ) -> Stored[D]:
        """`patch`, returning the stored record."""
        document = changes_of(body)

        def attempt() -> Stored[D]:
            current = self.kind.get(store, tenant, id, parent_id=parent_id)
            before = current.data.model_dump(mode="json")
            changes = merged_changes(before, document)
            merged = {**{k: v for k, v in before.items() if k not in changes}, **changes}
            check_merged(self.kind.data, {k: v for k, v in merged.items() if v is not None})
            if check is not None:
                check(current, changes)
            return self.kind.update(
                store,
                tenant,
                id,
                changes,
                actor=actor(principal),
                etag=etag or current.etag,
                current=current,
                parent_id=parent_id,
            )

        return read_modify_write(attempt, etag)


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
