"""Collectors: metric points and log lines of active runs since their watermark, into the `series` table.

Partition `{tenant}.{run id}`; rows `m|{name}|{step:010}` and `l|{seq:012}`, plus `_wm` holding the watermarks
(`domain/storage/keys.py`). Points go in transactions of up to 98 rows + the `_wm` row, guarded by its ETag, so a
tick that dies halfway or two ticks at once never write a point twice or skip one: the watermark moves in the same
transaction as its points.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.entities.automl import LogLine, MetricPoint
from domain.errors import ConcurrencyConflict, DomainError
from domain.ports import AutoMLBackend, RowStore, Store
from domain.records.kinds import RUNS
from domain.records.rows import LogRow, MetricRow, Watermarks, read_one
from domain.services import indexes
from domain.services.run_status import record_job
from domain.storage.keys import WATERMARK, log_key, metric_key, series_partition
from domain.storage.records import Op

CHUNK = 98


@dataclass
class TickResult:
    runs: int = 0
    points: int = 0
    lines: int = 0
    errors: int = 0


def _rows(points: list[MetricPoint], lines: list[LogLine]) -> list[Op]:
    ops = [
        Op.upsert(
            metric_key(p.name, p.step),
            MetricRow(name=p.name, step=p.step, value=p.value, timestamp=p.timestamp).stored(),
        )
        for p in points
    ]
    ops += [
        Op.upsert(log_key(ln.seq), LogRow(seq=ln.seq, timestamp=ln.timestamp, text=ln.text[:30000]).stored())
        for ln in lines
    ]
    return ops


def collect_run(store: Store, series: RowStore, backend: AutoMLBackend, tenant: str, run_id: str) -> tuple[int, int]:
    run = RUNS.get(store, tenant, run_id)
    partition = series_partition(tenant, run_id)
    found = read_one(series, partition, WATERMARK, Watermarks)
    marks, etag = found if found is not None else (Watermarks(), None)
    job = run.data.job_name
    points, metric_wm = backend.metrics_since(tenant, job, marks.metrics)
    lines, log_wm = backend.logs_since(tenant, job, marks.logs)
    ops = _rows(points, lines)
    new_marks = Watermarks(metrics=metric_wm, logs=log_wm)
    if not ops and new_marks == marks:
        record_job(store, tenant, run_id, backend.get_job(tenant, job), current=run)
        return 0, 0
    chunks = [ops[i : i + CHUNK] for i in range(0, len(ops), CHUNK)] or [[]]
    for n, chunk in enumerate(chunks):
        mark = (new_marks if n == len(chunks) - 1 else marks).stored()
        head = Op("replace", WATERMARK, mark, etag=etag) if etag else Op.create(WATERMARK, mark)
        etag = series.transact(partition, [head, *chunk], actor="collector", action="collect", audit=False)[0]
    record_job(store, tenant, run_id, backend.get_job(tenant, job), current=run)  # summary: trials, best, elapsed
    return len(points), len(lines)


def collect_all(store: Store, series: RowStore, backend: AutoMLBackend) -> TickResult:
    """One collector tick over every active run; a failing run is counted and skipped, never blocks the others."""
    result = TickResult()
    for tenant, run_id in indexes.active_runs(store):
        result.runs += 1
        try:
            points, lines = collect_run(store, series, backend, tenant, run_id)
            result.points += points
            result.lines += lines
        except ConcurrencyConflict:
            continue  # another tick is collecting this run right now
        except DomainError:
            result.errors += 1
    return result
