"""Eager schema migrations of one tenant partition, guarded by the partition's `_schema` row.

Each chunk is one entity group transaction: up to 99 entity rewrites (or 49 copy+delete pairs for a key-layout
change) plus a conditional update of `_schema` (its ETag read before the chunk was planned). Two migrators cannot
both commit: the second gets ConcurrencyConflict. Progress (`migrating`, `cursor`) is in `_schema`, so a killed
migration resumes after the last committed chunk; the last chunk also records the migration as applied, so running
it again is a no-op. Migrations rewrite data, not history: they write no audit rows and keep `updated_at`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from domain.errors import ConcurrencyConflict, DomainError
from domain.ports import Clock
from domain.storage import codec, keys
from domain.storage.backend import Backend, BackendError, BatchOp, EtagMismatch, Query, Row, RowMissing
from domain.storage.errmap import row_error
from domain.storage.schemas import SchemaRegistry

MAX_ROWS = 99


@dataclass(frozen=True)
class Migration:
    """Bring every `kind` entity to `to_version` (the registry's current one). With `rekey`, a key-layout change:
    rows under `source_prefix` move to `rekey(old_row_key)` (copy and delete in one transaction, then verify)."""

    id: str
    kind: str
    to_version: int
    description: str = ""
    rekey: Callable[[str], str] | None = None
    source_prefix: str | None = None


@dataclass
class Progress:
    tenant: str
    migration: str
    scanned: int = 0
    rewritten: int = 0
    chunks: int = 0
    done: bool = False


@dataclass
class SchemaState:
    etag: str
    applied: list[str]
    versions: dict[str, int]
    migrating: str | None
    cursor: str | None


class PartitionMigrator:
    """Runs one migration on one partition. `step()` plans and commits one chunk; `run()` loops to the end."""

    def __init__(
        self,
        backend: Backend,
        schemas: SchemaRegistry,
        clock: Clock,
        tenant: str,
        migration: Migration,
        chunk: int = 99,
    ) -> None:
        if migration.to_version != schemas.current(migration.kind):
            raise ValueError(f"{migration.id}: to_version must be the current version of {migration.kind}")
        self.backend, self.schemas, self.clock = backend, schemas, clock
        self.tenant, self.migration = keys.check_id(tenant, "tenant"), migration
        per_row = 2 if migration.rekey else 1
        self.page = max(1, min(chunk, MAX_ROWS) // per_row)
        self.progress = Progress(tenant, migration.id)
        self._state: SchemaState | None = None  # the _schema row as this migrator last wrote it
        if migration.rekey:
            src = migration.source_prefix or ""
            self.lo, self.hi = src, (src[:-1] + keys.END if src.endswith(keys.SEP) else src + "\uffff")
        else:
            self.lo, self.hi = keys.kind_range(migration.kind)

    def state(self) -> SchemaState:
        """The `_schema` row (created empty when the partition has none)."""
        for _ in range(3):
            try:
                row, etag = self.backend.get(self.tenant, keys.SCHEMA_ROW)
            except RowMissing:
                empty = {"PartitionKey": self.tenant, "RowKey": keys.SCHEMA_ROW, codec.TYPE: keys.SCHEMA_ROW}
                with contextlib.suppress(BackendError):  # another migrator may have created it meanwhile
                    etag = self.backend.submit(self.tenant, [BatchOp("create", empty)])[0]
                    return SchemaState(etag, [], {}, None, None)
                continue
            except BackendError as exc:
                raise row_error(exc, "_schema", self.tenant, None) from exc
            return SchemaState(
                etag,
                json.loads(row.get("applied__json", "[]")),
                json.loads(row.get("versions__json", "{}")),
                row.get("migrating"),
                row.get("cursor"),
            )
        raise DomainError(f"Cannot read the _schema row of tenant {self.tenant}.")

    def run(self, on_chunk: Callable[[Progress], None] | None = None) -> Progress:
        while not self.step():
            if on_chunk:
                on_chunk(self.progress)
        if on_chunk:
            on_chunk(self.progress)
        return self.progress

    def step(self) -> bool:
        """Plan and commit one chunk; True when the migration is applied on this partition."""
        for _ in range(5):  # entity rows changed by the app between plan and commit: plan again
            state = self._state or self.state()
            if self.migration.id in state.applied:
                self.progress.done = True
                return True
            try:
                return self.commit(state, self.plan(state))
            except StaleChunk:
                self._state = None
                continue
        raise ConcurrencyConflict(f"Tenant {self.tenant} kept changing during migration {self.migration.id}.")

    def plan(self, state: SchemaState) -> tuple[list[BatchOp], str | None, bool, int]:
        """(operations, new cursor, last chunk?, rows scanned) for the chunk after `state.cursor`."""
        cursor = state.cursor if state.migrating == self.migration.id else None
        query = Query(self.tenant, cursor or self.lo, self.hi, None, self.page, after=cursor is not None)
        try:
            rows, token = self.backend.query(query, None)
        except BackendError as exc:
            raise row_error(exc, self.migration.kind, "(migration)", None) from exc
        ops: list[BatchOp] = []
        for row, etag in rows:
            ops += self._rewrite(row, etag)
        last = token is None
        new_cursor = rows[-1][0]["RowKey"] if rows else cursor
        if last and self.migration.rekey and not self._verify(ops):
            last, new_cursor = False, None  # rows appeared under the old layout: go round once more
        return ops, new_cursor, last, len(rows)

    def _rewrite(self, row: Row, etag: str) -> list[BatchOp]:
        kind, target = self.migration.kind, self.migration.to_version
        version = row.get(codec.VERSION)
        if row.get(codec.TYPE) != kind or not isinstance(version, int):
            return []
        if version >= target and not self.migration.rekey:
            return []
        data = (
            self.schemas.upgrade(kind, version, codec.decode_data(row)) if version < target else codec.decode_data(row)
        )
        new: Row = {k: v for k, v in row.items() if k in codec.SYSTEM and k != "Timestamp"}
        new[codec.VERSION] = target
        what = f"{kind} '{row['RowKey']}'"
        codec.check_row(new, codec.encode_data(data, what, new), what)
        if not self.migration.rekey:
            return [BatchOp("replace", new, etag)]
        new["RowKey"] = self.migration.rekey(row["RowKey"])
        if self.lo <= new["RowKey"] < self.hi:
            raise ValueError(f"{self.migration.id}: the new key {new['RowKey']} is inside the source range")
        old = {"PartitionKey": self.tenant, "RowKey": row["RowKey"]}
        return [BatchOp("upsert", new), BatchOp("delete", old, etag)]

    def _verify(self, moving: list[BatchOp]) -> bool:
        """Key-layout change: once this chunk commits, nothing may be left under the old layout."""
        leaving = {op.row["RowKey"] for op in moving if op.action == "delete"}
        rows, _ = self.backend.query(Query(self.tenant, self.lo, self.hi, None, len(leaving) + 1), None)
        return all(row["RowKey"] in leaving for row, _ in rows)

    def commit(self, state: SchemaState, planned: tuple[list[BatchOp], str | None, bool, int]) -> bool:
        ops, cursor, last, scanned = planned
        schema: dict[str, Any] = {
            "PartitionKey": self.tenant,
            "RowKey": keys.SCHEMA_ROW,
            codec.TYPE: keys.SCHEMA_ROW,
            "updated_at": self.clock.now(),
        }
        applied, versions = list(state.applied), dict(state.versions)
        if last:
            applied.append(self.migration.id)
            versions[self.migration.kind] = self.migration.to_version
        else:
            schema["migrating"] = self.migration.id
            if cursor is not None:
                schema["cursor"] = cursor
        schema["applied__json"] = json.dumps(applied)
        schema["versions__json"] = json.dumps(versions)
        batch = [BatchOp("replace", schema, state.etag), *ops]  # first, so a rival migrator fails on it
        try:
            etags = self.backend.submit(self.tenant, batch)
        except (EtagMismatch, RowMissing) as exc:
            self._state = None
            if exc.index == 0:
                raise ConcurrencyConflict(
                    f"Another migrator committed on tenant {self.tenant} first ({self.migration.id}).",
                    kind="_schema",
                    ident=self.tenant,
                ) from exc
            raise StaleChunk from exc
        except BackendError as exc:
            self._state = None
            raise row_error(exc, self.migration.kind, "(migration)", None) from exc
        self._state = SchemaState(etags[0], applied, versions, schema.get("migrating"), schema.get("cursor"))
        self.progress.scanned += scanned
        self.progress.rewritten += len(ops) // (2 if self.migration.rekey else 1)
        self.progress.chunks += 1
        self.progress.done = last
        return last


class StaleChunk(Exception):
    """An entity changed (by the app) between plan and commit; nothing was written: plan again."""
