"""The Backend on azure-data-tables: one SDK call (one HTTP request) per method call."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import (
    AzureError,
    HttpResponseError,
    ResourceExistsError,
    ResourceModifiedError,
    ResourceNotFoundError,
)
from azure.data.tables import TableServiceClient, TableTransactionError, UpdateMode

from domain.storage.backend import (
    BackendError,
    BackendUnavailable,
    BatchOp,
    EtagMismatch,
    Query,
    Refused,
    Row,
    RowExists,
    RowMissing,
)
from domain.storage.budget import storage_call
from domain.storage.odata import range_filter
from domain.storage.paging import decode_token, encode_token

_REPLACE_IF: dict[str, Any] = {"mode": UpdateMode.REPLACE, "match_condition": MatchConditions.IfNotModified}
_REPLACE: dict[str, Any] = {"mode": UpdateMode.REPLACE}


def _retry_after(exc: HttpResponseError) -> int:
    response: Any = exc.response
    header = response.headers.get("Retry-After") if response is not None else None
    try:
        return max(1, int(header)) if header else 10
    except ValueError:
        return 10


def translate(exc: AzureError, index: int | None = None) -> BackendError:
    """An SDK error as a backend error (the store adds the meaning)."""
    if isinstance(exc, TableTransactionError):
        index = exc.index
    status = getattr(exc, "status_code", None)
    message = str(getattr(exc, "message", exc))[:300]
    if isinstance(exc, ResourceNotFoundError) or status == 404:
        return RowMissing(message, index)
    if isinstance(exc, ResourceModifiedError) or status == 412:
        return EtagMismatch(message, index)
    if isinstance(exc, ResourceExistsError) or status == 409:
        return RowExists(message, index)
    if status in (400, 413):
        return Refused(message, index)
    if isinstance(exc, HttpResponseError) and status is not None and status < 500 and status not in (408, 429):
        return Refused(message, index)
    retry = _retry_after(exc) if isinstance(exc, HttpResponseError) else 10
    return BackendUnavailable(f"Table Storage is unavailable ({type(exc).__name__}: {message})", retry)


class TableBackend:
    def __init__(self, service: TableServiceClient, table: str) -> None:
        self._service = service
        self._name = table
        self._table = service.get_table_client(table)

    def ensure_table(self) -> None:
        try:
            self._service.create_table_if_not_exists(self._name)
        except AzureError as exc:
            raise translate(exc) from exc

    def get(self, partition: str, row_key: str) -> tuple[Row, str]:
        try:
            with storage_call() as bounds:
                entity: Any = self._table.get_entity(partition, row_key, **bounds)
        except AzureError as exc:
            raise translate(exc) from exc
        return entity, entity.metadata["etag"]

    def query(self, query: Query, token: str | None) -> tuple[list[tuple[Row, str]], str | None]:
        flt = range_filter(query.partition, query.lo, query.hi, query.where, after=query.after)
        select = list(query.select) if query.select else None
        try:
            start: Any = decode_token(token) if token else None
            with storage_call() as bounds:
                pager: Any = self._table.query_entities(
                    flt, results_per_page=query.top, select=select, **bounds
                ).by_page(continuation_token=start)
                rows: list[tuple[Row, str]] = [(e, e.metadata["etag"]) for e in next(pager, [])]
        except AzureError as exc:
            raise translate(exc) from exc
        cont = pager.continuation_token
        return rows, encode_token(cont) if cont else None

    def submit(self, partition: str, ops: Sequence[BatchOp]) -> list[str]:
        batch: list[Any] = []
        for op in ops:
            if op.action == "create":
                batch.append(("create", op.row))
            elif op.action == "upsert":
                batch.append(("upsert", op.row, _REPLACE))
            elif op.action == "replace":
                batch.append(("update", op.row, {**_REPLACE_IF, "etag": op.etag} if op.etag else _REPLACE))
            else:
                kw = {"etag": op.etag, "match_condition": MatchConditions.IfNotModified} if op.etag else {}
                batch.append(("delete", op.row, kw))
        try:
            with storage_call() as bounds:
                results = self._table.submit_transaction(batch, **bounds)
        except AzureError as exc:
            raise translate(exc) from exc
        return [str(r.get("etag") or "") for r in results]

    def partitions(self) -> Iterator[str]:
        seen: set[str] = set()
        try:
            for entity in self._table.list_entities(select=["PartitionKey"], results_per_page=1000):
                pk = entity["PartitionKey"]
                if pk not in seen:
                    seen.add(pk)
                    yield pk
        except AzureError as exc:
            raise translate(exc) from exc
