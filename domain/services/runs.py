"""Reading runs, their trials (the leaderboard), metric history and log lines. Runs are created and advanced by the
training flow (`training.py`); deleting one is a cascade (`cascade.py`).

A run whose job has ended is shown `Finalizing` until `finalize` has recorded its trials, metrics and registered
model (the stored status is the job's, `active` says finalization is pending): a front end that sees `Completed`
reads the leaderboard and the model at once."""

from __future__ import annotations

from domain.entities.automl import LOWER_IS_BETTER, JobStatus
from domain.entities.queries import RunsQuery, TrialsQuery
from domain.entities.runs import LogLineModel, MetricPointModel, Run, TrialModel
from domain.errors import ValidationFailed
from domain.ports import RowStore, Store
from domain.records import rows
from domain.records.kind import Stored
from domain.records.kinds import RUNS, TRIALS, RunData, TrialData
from domain.services._views import View
from domain.storage import keys
from domain.storage.paging import decode_token, encode_token


class RunView(View[RunData, Run]):
    """A run as the API shows it: its experiment's name and its task (from the spec it was started with), and
    `Finalizing` while its ended job's results are being recorded."""

    def of(self, stored: Stored[RunData], **extra: object) -> Run:
        task = stored.data.spec.task if stored.data.spec is not None else None
        name = stored.data.experiment_name or None
        shown = super().of(stored, **({"task": task, "experiment_name": name} | extra))
        if stored.data.status.terminal and stored.data.active:
            return shown.model_copy(update={"status": JobStatus.FINALIZING})
        return shown


RUN = RunView(RUNS, Run)
# reading and listing a page: the same for every resource (`View`, domain/services/_views.py)
get_run = RUN.read


def list_runs(store: Store, tenant: str, query: RunsQuery) -> tuple[list[Run], str | None]:
    """One page, filtered by experiment and by the status the API shows (`Completed` means finalized; `Finalizing`
    also finds ended runs whose results are still being recorded: that page is filtered here and may be short)."""
    where: dict[str, str | int | bool] = {}
    if query.experiment_id:
        where["experiment_id"] = query.experiment_id
    status = query.status
    if status is JobStatus.FINALIZING:
        where["active"] = True
    elif status is not None:
        where["status"] = status.value
        if status.terminal:
            where["active"] = False
    items, token = RUN.page(store, tenant, query, where=where or None)
    return [r for r in items if status is None or r.status is status], token


def _sort_key(orderby: str, primary: str) -> tuple[str, bool]:
    """(field, descending) of an `orderby` value `<metric> [asc|desc]`; without a direction, best first (a duration:
    shortest first)."""
    name, _, direction = orderby.partition(" ")
    if direction:
        return name, direction == "desc"
    if name == "durationSeconds":
        return name, False
    return name, (primary if name == "score" else name) not in LOWER_IS_BETTER


def _value(trial: Stored[TrialData], field: str, primary: str) -> float | None:
    if field == "score":
        return trial.data.score
    if field == "durationSeconds":
        return trial.data.duration_seconds
    if field in trial.data.metrics:
        return trial.data.metrics[field]
    return trial.data.score if field == primary else None


def leaderboard(store: Store, tenant: str, run_id: str, query: TrialsQuery) -> tuple[list[TrialModel], str | None]:
    """The run's trials, best first by its primary metric (`rank`), or sorted by any recorded metric (`orderby`):
    trials without that metric come last. Sorted here (Table Storage cannot); paged by position."""
    run = RUNS.get(store, tenant, run_id)
    primary = run.data.primary_metric
    trials: list[Stored[TrialData]] = []
    token = None
    while True:
        page, token = TRIALS.list(store, tenant, parent_id=run_id, top=1000, continuation=token)
        trials += page
        if not token:
            break
    best_first = primary not in LOWER_IS_BETTER
    best = run.data.best_trial_id  # among equal scores, the engine's best (its tie-break, e.g. log loss) ranks first
    ranked = sorted(trials, key=lambda t: (*_order(t.data.score, best_first), t.id != best))
    rank = {t.id: n for n, t in enumerate(ranked, start=1)}
    if query.orderby:
        field, descending = _sort_key(query.orderby, primary)
        ranked = sorted(trials, key=lambda t: _order(_value(t, field, primary), descending))
    start = _offset(query.continuation)
    chosen = ranked[start : start + query.top]
    items = [TrialModel.model_validate({**t.data.model_dump(), "trial_id": t.id, "rank": rank[t.id]}) for t in chosen]
    more = start + query.top < len(ranked)
    return items, encode_token({"o": str(start + query.top)}) if more else None


def _order(value: float | None, descending: bool) -> tuple[int, float]:
    """Sort key: values first (in the direction asked), missing ones last."""
    if value is None:
        return 1, 0.0
    return 0, -value if descending else value


def _offset(token: str | None) -> int:
    if not token:
        return 0
    value = decode_token(token).get("o")
    if not isinstance(value, str) or not value.isdigit():
        raise ValidationFailed("The continuation token is not valid for this listing.", target="continuation")
    return int(value)


def metric_page(
    store: Store, series: RowStore, tenant: str, run_id: str, name: str | None, top: int, continuation: str | None
) -> tuple[list[MetricPointModel], str | None]:
    """The run's metric points (of `name` when given), by name and step; NotFound for an unknown run."""
    RUNS.get(store, tenant, run_id)
    partition = keys.series_partition(tenant, run_id)
    points, token = rows.read(
        series, partition, keys.metric_prefix(name), rows.MetricRow, top=top, continuation=continuation
    )
    return [MetricPointModel.model_validate(p.model_dump()) for p in points], token


MAX_LOG_PAGE = 1000  # LogsQuery.top's maximum, the store's page


def log_page(
    store: Store, series: RowStore, tenant: str, run_id: str, after: int, top: int
) -> tuple[list[LogLineModel], int | None]:
    """The run's log lines with seq > after, and the `after` of the next page (None when these were the last)."""
    RUNS.get(store, tenant, run_id)
    partition = keys.series_partition(tenant, run_id)
    # One row more than asked says whether a next page exists, within the store's page of 1000: at top=1000 peek.
    want = min(top + 1, MAX_LOG_PAGE)
    lines, _ = rows.read(series, partition, keys.LOG_PREFIX, rows.LogRow, top=want, start=keys.log_key(after + 1))
    more = len(lines) > top
    if not more and len(lines) == top == MAX_LOG_PAGE:
        next_key = keys.log_key(lines[-1].seq + 1)
        more = bool(rows.read(series, partition, keys.LOG_PREFIX, rows.LogRow, top=1, start=next_key)[0])
    lines = lines[:top]
    page = [LogLineModel.model_validate(ln.model_dump()) for ln in lines]
    return page, (lines[-1].seq if more and lines else None)
