"""Collectors: metric points and log lines of active runs since their watermark, into the `series` table.

Partition `{tenant}.{run id}`; rows `m|{name}|{step:010}` and `l|{seq:012}`, plus `_wm` holding the watermarks.
Points go in transactions of up to 98 rows + the `_wm` row, guarded by its ETag, so a tick that dies halfway or two
ticks at once never write a point twice or skip one: the watermark moves in the same transaction as its points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.entities.automl import LogLine, MetricPoint
from domain.errors import ConcurrencyConflict, DomainError
from domain.services import indexes
from domain.services.run_status import record_job
from domain.storage.records import Op

CHUNK = 98
WM = "_wm"


def series_partition(tenant: str, run_id: str) -> str:
    return f"{tenant}.{run_id}"


@dataclass
class TickResult:
    runs: int = 0
    points: int = 0
    lines: int = 0
    errors: int = 0


def _watermarks(series: Any, partition: str) -> tuple[dict[str, Any], str | None]:
    rows, _ = series.list_rows(partition, WM, top=1)
    for key, data, etag in rows:
        if key == WM:
            return data, etag
    return {"metrics": 0, "logs": 0}, None


def _rows(points: list[MetricPoint], lines: list[LogLine]) -> list[Op]:
    ops = [
        Op.upsert(
            f"m|{p.name}|{p.step:010d}",
            {"name": p.name, "step": p.step, "value": p.value, "timestamp": p.timestamp.isoformat()},
        )
        for p in points
    ]
    ops += [
        Op.upsert(f"l|{ln.seq:012d}", {"seq": ln.seq, "timestamp": ln.timestamp.isoformat(), "text": ln.text[:30000]})
        for ln in lines
    ]
    return ops


def collect_run(store: Any, series: Any, backend: Any, tenant: str, run_id: str) -> tuple[int, int]:
    run = store.get(tenant, "run", run_id)
    partition = series_partition(tenant, run_id)
    marks, etag = _watermarks(series, partition)
    job = run.data["job_name"]
    points, metric_wm = backend.metrics_since(tenant, job, int(marks.get("metrics", 0)))
    lines, log_wm = backend.logs_since(tenant, job, int(marks.get("logs", 0)))
    ops = _rows(points, lines)
    new_marks = {"metrics": metric_wm, "logs": log_wm}
    if not ops and new_marks == {"metrics": marks.get("metrics", 0), "logs": marks.get("logs", 0)}:
        record_job(store, tenant, run_id, backend.get_job(tenant, job), current=run)
        return 0, 0
    chunks = [ops[i : i + CHUNK] for i in range(0, len(ops), CHUNK)] or [[]]
    for n, chunk in enumerate(chunks):
        last = n == len(chunks) - 1
        mark = (
            Op("replace", WM, new_marks if last else marks, etag=etag)
            if etag
            else Op.create(WM, new_marks if last else marks)
        )
        etags = series.transact(partition, [mark, *chunk], actor="collector", action="collect", audit=False)
        etag = etags[0]
    record_job(store, tenant, run_id, backend.get_job(tenant, job), current=run)  # summary: trials, best, elapsed
    return len(points), len(lines)


def collect_all(store: Any, series: Any, backend: Any) -> TickResult:
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


def metric_page(
    series: Any, tenant: str, run_id: str, name: str | None, top: int, continuation: str | None
) -> tuple[list[dict[str, Any]], str | None]:
    prefix = f"m|{name}|" if name else "m|"
    rows, token = series.list_rows(series_partition(tenant, run_id), prefix, top=top, continuation=continuation)
    return [data for _, data, _ in rows], token


def log_page(series: Any, tenant: str, run_id: str, after: int, top: int) -> list[dict[str, Any]]:
    rows, _ = series.list_rows(series_partition(tenant, run_id), "l|", top=top, start=f"l|{after + 1:012d}")
    return [data for _, data, _ in rows]
