"""Collecting a run's results while it runs: trials (the leaderboard), metric points and log lines, and its summary.

Two callers (docs/adr/0017-live-results.md): the Event Grid handler, at once, for every event of a run or of one of
its trials (`collect_live`: a trial that finishes is in `/trials` within seconds), and the collector timer over
every active run (`collect_all`), the fallback when events are late or lost.

Series partition `{tenant}.{run id}`; rows `m|{name}|{step:010}` and `l|{seq:012}`, plus `_wm` holding the
watermarks (`domain/storage/keys.py`). Points go in transactions of up to 98 rows + the `_wm` row, guarded by its
ETag, so a collection that dies halfway or two at once never write a point twice or skip one: the watermark moves
in the same transaction as its points. Trials are upserted (new or changed ones only): idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.entities.automl import LogLine, MetricPoint
from domain.errors import ConcurrencyConflict, DomainError, NotFound
from domain.ports import AutoMLBackend, RowStore, Store
from domain.records.kind import Stored
from domain.records.kinds import EXPERIMENTS, RUNS, TENANTS, TRIALS, RunData, TrialData
from domain.records.rows import LogRow, MetricRow, Watermarks, read_one
from domain.services import indexes
from domain.services.run_status import record_job
from domain.storage.keys import WATERMARK, entity_key, log_key, metric_key, series_partition
from domain.storage.records import Op

CHUNK = 98


@dataclass
class TickResult:
    runs: int = 0
    points: int = 0
    lines: int = 0
    errors: int = 0


def record_trials(store: Store, backend: AutoMLBackend, tenant: str, run_id: str, job_name: str) -> int:
    """Upsert the trials the backend lists that are new or changed since the last collection; how many."""
    found = backend.list_trials(tenant, job_name)
    if not found:
        return 0
    stored: dict[str, TrialData] = {}
    token = None
    while True:
        page, token = TRIALS.list(store, tenant, parent_id=run_id, top=1000, continuation=token)
        stored |= {t.id: t.data for t in page}
        if not token:
            break
    rows = []
    for trial in found:  # from the JSON form: a backend may hand numpy-typed hyperparameters
        data = TrialData.model_validate(trial.model_dump(mode="json", exclude={"trial_id"}))
        if stored.get(trial.trial_id) != data:
            rows.append(TRIALS.child(trial.trial_id, data, run_id))
    if rows:
        store.upsert_entities(tenant, rows, actor="system")
    return len(rows)


def _rows(points: list[MetricPoint], lines: list[LogLine]) -> list[Op]:
    ops = [
        Op.upsert(
            metric_key(p.name, p.step),
            MetricRow(name=p.name, step=p.step, value=p.value, timestamp=p.timestamp, trial_id=p.trial_id).stored(),
        )
        for p in points
    ]
    ops += [
        Op.upsert(log_key(ln.seq), LogRow(seq=ln.seq, timestamp=ln.timestamp, text=ln.text[:30000]).stored())
        for ln in lines
    ]
    return ops


def collect_run(store: Store, series: RowStore, backend: AutoMLBackend, tenant: str, run_id: str) -> tuple[int, int]:
    """Trials, then metric points and log lines since the watermarks, then the run's summary; (points, lines)."""
    run = RUNS.get(store, tenant, run_id)
    partition = series_partition(tenant, run_id)
    found = read_one(series, partition, WATERMARK, Watermarks)
    marks, etag = found if found is not None else (Watermarks(), None)
    job = run.data.job_name
    trials = record_trials(store, backend, tenant, run_id, job)
    points, metric_wm = backend.metrics_since(tenant, job, marks.metrics)
    lines, log_wm = backend.logs_since(tenant, job, marks.logs)
    ops = _rows(points, lines)
    new_marks = Watermarks(metrics=metric_wm, logs=log_wm)
    if not ops and new_marks == marks:
        _check_not_deleted(store, series, tenant, run, partition, wrote=trials > 0)
        record_job(store, tenant, run_id, backend.get_job(tenant, job), current=run)
        return 0, 0
    first = etag is None
    chunks = [ops[i : i + CHUNK] for i in range(0, len(ops), CHUNK)] or [[]]
    for n, chunk in enumerate(chunks):
        mark = (new_marks if n == len(chunks) - 1 else marks).stored()
        head = Op("replace", WATERMARK, mark, etag=etag) if etag else Op.create(WATERMARK, mark)
        etag = series.transact(partition, [head, *chunk], actor="collector", action="collect", audit=False)[0]
    _check_not_deleted(store, series, tenant, run, partition, wrote=trials > 0 or first)
    record_job(store, tenant, run_id, backend.get_job(tenant, job), current=run)  # summary: trials, best, elapsed
    return len(points), len(lines)


def _check_not_deleted(
    store: Store, series: RowStore, tenant: str, run: Stored[RunData], partition: str, *, wrote: bool
) -> None:
    """A collection reads the run, then writes; a delete of the run (or of its experiment or tenant) may begin in
    between and purge the run's trials and series before these writes land. The delete's tombstone comes before its
    purge, so after writing a trial or creating the series partition (later writes need the watermark's ETag, which
    the purge removes) the collection looks again: tombstoned -> it removes what it wrote and the run is NotFound."""
    if wrote and not _still_there(store, tenant, run.data.experiment_id, run.id):
        _forget(series, partition)
        trials, _ = TRIALS.list(store, tenant, parent_id=run.id, top=CHUNK, include_deleted=True)
        while trials:
            keys = [entity_key(TRIALS.name, t.id, run.id) for t in trials]
            store.transact(tenant, [Op.delete(k, if_exists=True) for k in keys], actor="collector", audit=False)
            trials, _ = TRIALS.list(store, tenant, parent_id=run.id, top=CHUNK, include_deleted=True)
        raise NotFound("run", run.id)


def _still_there(store: Store, tenant: str, experiment_id: str, run_id: str) -> bool:
    """False once a delete of the run, its experiment or its tenant has begun (their tombstones hide them)."""
    try:
        TENANTS.get(store, tenant, tenant)
        EXPERIMENTS.get(store, tenant, experiment_id)
        RUNS.get(store, tenant, run_id)
    except NotFound:
        return False
    return True


def _forget(series: RowStore, partition: str) -> None:
    """Remove the partition this collection created for a run whose delete began meanwhile."""
    while True:
        found, _ = series.list_rows(partition, "", top=CHUNK)
        if not found:
            return
        ops = [Op.delete(r.key, if_exists=True) for r in found]
        series.transact(partition, ops, actor="collector", action="collect", audit=False)


def collect_live(store: Store, series: RowStore, backend: AutoMLBackend, tenant: str, run_id: str) -> bool:
    """Collect a run now (an event said it or one of its trials moved); False when there is nothing to collect (the
    run is gone or finalized). A collection running at the same time (the watermark's ETag moved) may have read the
    backend before this event's trial: collect again, a few times."""
    for _ in range(3):
        try:
            run = RUNS.get(store, tenant, run_id)
        except NotFound:
            return False
        if not run.data.active:
            return False
        try:
            collect_run(store, series, backend, tenant, run_id)
            return True
        except ConcurrencyConflict:
            continue
        except NotFound:  # deleted while it was being collected
            return False
    return True


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
