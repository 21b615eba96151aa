"""The global migration runner: each migration, in order, on every tenant partition; then a `_meta` row
`migration|{id}` records it as applied everywhere. Idempotent and resumable (each partition keeps its own progress)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from domain.errors import ConcurrencyConflict
from domain.ports import Clock
from domain.storage.backend import Backend, BackendError, BatchOp
from domain.storage.errmap import row_error
from domain.storage.migrations import Migration, PartitionMigrator, Progress
from domain.storage.schemas import SchemaRegistry

META_PARTITION = "_meta"


@dataclass
class Report:
    applied: list[str] = field(default_factory=list)  # migrations now applied on every partition
    partitions: int = 0
    rewritten: int = 0
    busy: list[tuple[str, str]] = field(default_factory=list)  # (migration, tenant) another migrator holds

    def as_dict(self) -> dict[str, object]:
        return {"applied": self.applied, "partitions": self.partitions, "rewritten": self.rewritten, "busy": self.busy}


def tenants_of(backend: Backend) -> list[str]:
    """Every tenant partition (a key-only scan; partitions starting with `_` are the layer's own)."""
    try:
        return [pk for pk in backend.partitions() if not pk.startswith("_")]
    except BackendError as exc:
        raise row_error(exc, "table", "entities", None) from exc


def run_migrations(
    backend: Backend,
    schemas: SchemaRegistry,
    clock: Clock,
    migrations: Sequence[Migration],
    *,
    tenants: Iterable[str] | None = None,
    chunk: int = 99,
    progress: Callable[[Progress], None] | None = None,
) -> Report:
    report = Report()
    names = list(tenants) if tenants is not None else tenants_of(backend)
    report.partitions = len(names)
    held: set[str] = set()  # tenants another migrator holds: later migrations wait for the next run there
    for migration in migrations:
        complete = True
        for tenant in names:
            if tenant in held:
                report.busy.append((migration.id, tenant))
                complete = False
                continue
            migrator = PartitionMigrator(backend, schemas, clock, tenant, migration, chunk)
            try:
                report.rewritten += migrator.run(progress).rewritten
            except ConcurrencyConflict:
                report.busy.append((migration.id, tenant))
                held.add(tenant)
                complete = False
        if complete and tenants is None:
            _record(backend, clock, migration)
        if complete:
            report.applied.append(migration.id)
    return report


def _record(backend: Backend, clock: Clock, migration: Migration) -> None:
    row = {
        "PartitionKey": META_PARTITION,
        "RowKey": f"migration|{migration.id}",
        "_t": "migration",
        "kind": migration.kind,
        "to_version": migration.to_version,
        "applied_at": clock.now(),
    }
    try:
        backend.submit(META_PARTITION, [BatchOp("upsert", row)])
    except BackendError as exc:
        raise row_error(exc, "migration", migration.id, None) from exc
