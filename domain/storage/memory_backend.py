"""An in-memory Backend for unit tests of other layers. It follows the same contract as `TableBackend` (and is run
through the same contract tests): RowKey order, ETags, atomic batches failing at an index, typed `eq` filters,
continuation tokens, and the limits the real service enforces (<= 100 operations, no row twice, no empty batch).
`fail_next(error)` makes the next call raise, e.g. `BackendUnavailable` to test 503 handling.
"""

from __future__ import annotations

import bisect
import itertools
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from domain.storage.backend import BackendError, BatchOp, EtagMismatch, Query, Refused, Row, RowExists, RowMissing
from domain.storage.codec import plain
from domain.storage.paging import decode_token, encode_token


class MemoryBackend:
    def __init__(self) -> None:
        self._rows: dict[str, dict[str, tuple[Row, str]]] = {}
        self._keys: dict[str, list[str]] = {}  # sorted row keys per partition
        self._lock = threading.Lock()
        self._etags = itertools.count(1)
        self._faults: list[BackendError] = []
        self.requests = 0

    def fail_next(self, error: BackendError) -> None:
        self._faults.append(error)

    def _request(self) -> None:
        self.requests += 1
        if self._faults:
            raise self._faults.pop(0)

    def ensure_table(self) -> None:
        with self._lock:
            self._request()

    def get(self, partition: str, row_key: str) -> tuple[Row, str]:
        with self._lock:
            self._request()
            found = self._rows.get(partition, {}).get(row_key)
            if found is None:
                raise RowMissing("The specified resource does not exist.")
            return dict(found[0]), found[1]

    def query(self, query: Query, token: str | None) -> tuple[list[tuple[Row, str]], str | None]:
        start = query.lo
        if token:
            start = max(start, str(decode_token(token).get("RowKey") or ""))
        after = query.after and start == query.lo
        with self._lock:
            self._request()
            keys = self._keys.get(query.partition, [])
            rows = self._rows.get(query.partition, {})
            out: list[tuple[Row, str]] = []
            for i in range(bisect.bisect_left(keys, start), len(keys)):
                key = keys[i]
                if key >= query.hi:
                    break
                if after and key == query.lo:
                    continue
                row, etag = rows[key]
                if query.where and not all(_equal(row.get(k), v) for k, v in query.where.items()):
                    continue
                if len(out) == query.top:
                    return out, encode_token({"PartitionKey": query.partition, "RowKey": key})
                picked = (
                    {k: row[k] for k in ("PartitionKey", "RowKey", *query.select) if k in row}
                    if query.select
                    else dict(row)
                )
                out.append((picked, etag))
            return out, None

    def submit(self, partition: str, ops: Sequence[BatchOp]) -> list[str]:
        if not ops:
            raise Refused("An empty transaction is refused.")
        if any(op.row["PartitionKey"] != partition for op in ops):
            raise ValueError("Partition Keys in the batch must all be the same.")
        with self._lock:
            self._request()
            if len(ops) > 100:
                raise Refused("The batch request operation exceeds the maximum 100 changes per change set.", 0)
            if len({op.row["RowKey"] for op in ops}) != len(ops):
                raise Refused("InvalidDuplicateRow: the batch holds the same row twice.", 0)
            rows = self._rows.setdefault(partition, {})
            for i, op in enumerate(ops):
                current = rows.get(op.row["RowKey"])
                if op.action == "create" and current is not None:
                    raise RowExists(f"{i}:The specified entity already exists.", i)
                if op.action in ("replace", "delete") and current is None:
                    raise RowMissing(f"{i}:The specified resource does not exist.", i)
                if op.etag and op.action in ("replace", "delete") and current and current[1] != op.etag:
                    raise EtagMismatch(f"{i}:The update condition specified in the request was not satisfied.", i)
            etags: list[str] = []
            keys = self._keys.setdefault(partition, [])
            for op in ops:
                key = op.row["RowKey"]
                if op.action == "delete":
                    del rows[key]
                    keys.pop(bisect.bisect_left(keys, key))
                    etags.append("")
                    continue
                if key not in rows:
                    bisect.insort(keys, key)
                etag = f'W/"mem-{next(self._etags)}"'
                rows[key] = (dict(op.row), etag)
                etags.append(etag)
            return etags

    def partitions(self) -> Iterator[str]:
        with self._lock:
            self._request()
            names = [pk for pk, rows in self._rows.items() if rows]
        yield from names


def _equal(stored: Any, wanted: Any) -> bool:
    value = plain(stored)
    return type(value) is type(wanted) and bool(value == wanted)
