"""The narrow table interface the store is written against, with two implementations:
`TableBackend` (azure-data-tables, the real thing) and `MemoryBackend` (an in-memory fake for unit tests).
Both pass the same contract tests (tests/contract/storage). Errors are the internal ones below; the store turns
them into domain errors, since only it knows what each operation meant.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from domain.storage.records import Action

Row = dict[str, Any]  # PartitionKey, RowKey and encoded properties


@dataclass(frozen=True, slots=True)
class BatchOp:
    action: Action
    row: Row
    etag: str | None = None  # replace/delete: only if unchanged since this ETag; None: unconditional


@dataclass(frozen=True, slots=True)
class Query:
    """Rows of one partition with lo <= RowKey < hi, optionally equal to `where` values, in RowKey order."""

    partition: str
    lo: str
    hi: str
    where: Mapping[str, str | int | bool] | None = None
    top: int = 50
    select: Sequence[str] | None = None
    after: bool = False  # True: RowKey > lo (resume after a cursor) instead of >=


class BackendError(Exception):
    """Base of the backend's errors. `index` is the failing operation of a batch (None for single calls)."""

    def __init__(self, message: str = "", index: int | None = None) -> None:
        super().__init__(message)
        self.index = index


class RowMissing(BackendError):
    """404: the row does not exist."""


class RowExists(BackendError):
    """409: a create met an existing row."""


class EtagMismatch(BackendError):
    """412: the row changed since the given ETag."""


class Refused(BackendError):
    """400/413: the service refused the request (a limit the layer missed, a bad filter ...)."""


class BackendUnavailable(BackendError):
    """Throttled, timed out or unreachable after the SDK's retries."""

    def __init__(self, message: str = "", retry_after: int = 10) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Backend(Protocol):
    def ensure_table(self) -> None: ...

    def get(self, partition: str, row_key: str) -> tuple[Row, str]:
        """The row and its ETag; RowMissing when absent."""
        ...

    def query(self, query: Query, token: str | None) -> tuple[list[tuple[Row, str]], str | None]:
        """One request: up to `top` rows and an opaque, URL-safe continuation token (None at the end)."""
        ...

    def submit(self, partition: str, ops: Sequence[BatchOp]) -> list[str]:
        """One atomic request (1..100 ops); the new ETags (empty string for deletes)."""
        ...

    def partitions(self) -> Iterator[str]:
        """Every partition key of the table (a scan; migrations only)."""
        ...
