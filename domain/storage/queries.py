"""The read side of EntityStore: listings (one Table query per page, parameterised filters) and audit entries."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from domain.errors import ValidationFailed
from domain.storage import codec, keys
from domain.storage.backend import Backend, BackendError, Query, Row
from domain.storage.errmap import row_error
from domain.storage.odata import property_name
from domain.storage.records import Page
from domain.storage.rows import audit_record, to_record
from domain.storage.schemas import SchemaRegistry

_Rows = list[tuple[Row, str]]
_RawRows = list[tuple[str, dict[str, Any], str]]


class Queries:
    backend: Backend
    schemas: SchemaRegistry

    def list(
        self,
        tenant: str,
        kind: str,
        *,
        parent_id: str | None = None,
        where: Mapping[str, str | int | bool] | None = None,
        top: int = 50,
        continuation: str | None = None,
        include_deleted: bool = False,
    ) -> Page:
        """One page of `kind` (children of `parent_id` when given), in id order; one Table query."""
        keys.check_id(tenant, "tenant")
        self.schemas.get(kind)
        if parent_id is not None:
            keys.check_id(parent_id, "parent_id")
        lo, hi = keys.kind_range(kind, parent_id)
        filters: dict[str, str | int | bool] = {}
        for key, value in (where or {}).items():
            if key.startswith("_") or key in codec.SYSTEM:
                raise ValidationFailed(f"Cannot filter on '{key}'.", target="filter")
            filters[property_name(key)] = value
        if not include_deleted:
            filters[codec.STATE] = codec.ACTIVE
        rows, token = self._query(Query(tenant, lo, hi, filters, _top(top)), continuation, kind)
        return Page([to_record(self.schemas, tenant, kind, row, etag) for row, etag in rows], token)

    def list_audit(
        self, tenant: str, *, since: datetime | None = None, top: int = 50, continuation: str | None = None
    ) -> Page:
        """Audit entries of the tenant, newest first (at or after `since` when given); one Table query."""
        keys.check_id(tenant, "tenant")
        lo, hi = keys.audit_range(since)
        rows, token = self._query(Query(tenant, lo, hi, None, _top(top)), continuation, "audit")
        return Page([audit_record(tenant, row, etag) for row, etag in rows], token)

    def list_rows(
        self, tenant: str, prefix: str, *, top: int = 100, continuation: str | None = None, start: str | None = None
    ) -> tuple[_RawRows, str | None]:
        """Raw rows whose RowKey starts with `prefix` (reference rows such as `ref|model|{m}|`): (key, data, etag).
        `start` (>= prefix) skips the keys before it, e.g. log lines after a sequence number."""
        keys.check_id(tenant, "tenant")
        hi = prefix[:-1] + keys.END if prefix.endswith(keys.SEP) else prefix + "\uffff"
        lo = max(prefix, start) if start else prefix
        rows, token = self._query(Query(tenant, lo, hi, None, _top(top)), continuation, "row")
        return [(r["RowKey"], codec.decode_data(r), e) for r, e in rows], token

    def _query(self, query: Query, token: str | None, kind: str) -> tuple[_Rows, str | None]:
        try:
            return self.backend.query(query, token)
        except BackendError as exc:
            raise row_error(exc, kind, "(list)", None) from exc


def _top(top: int) -> int:
    if not 1 <= top <= 1000:
        raise ValidationFailed("top must be between 1 and 1000.", target="top")
    return top
