"""Reading runs, their trials (the leaderboard), metric history and log lines. Runs are created and advanced by the
training flow (`training.py`); deleting one is a cascade (`cascade.py`).

A run whose job has ended is shown `Finalizing` until `finalize` has recorded its trials, metrics and registered
model (the stored status is the job's, `active` says finalization is pending): a front end that sees `Completed`
reads the leaderboard and the model at once."""

from __future__ import annotations

from domain.entities.automl import LOWER_IS_BETTER, JobStatus
from domain.entities.runs import LogLineModel, MetricPointModel, Run, TrialModel
from domain.ports import RowStore, Store
from domain.records import rows
from domain.records.kind import Stored
from domain.records.kinds import RUNS, TRIALS, RunData, TrialData
from domain.services._views import View
from domain.storage import keys


class RunView(View[RunData, Run]):
    """A run as the API shows it: `Finalizing` while its ended job's results are being recorded."""

    def of(self, stored: Stored[RunData], **extra: object) -> Run:
        shown = super().of(stored, **extra)
        if stored.data.status.terminal and stored.data.active:
            return shown.model_copy(update={"status": JobStatus.FINALIZING})
        return shown


RUN = RunView(RUNS, Run)
# reading, listing a page and patching: the same for every resource (`View`, domain/services/_views.py)
get_run = RUN.read


def list_runs(
    store: Store, tenant: str, *, experiment_id: str | None, status: str | None, top: int, continuation: str | None
) -> tuple[list[Run], str | None]:
    """One page, filtered by experiment and by the status the API shows (`Completed` means finalized; `Finalizing`
    also finds ended runs whose results are still being recorded: that page is filtered here and may be short)."""
    where: dict[str, str | int | bool] = {}
    if experiment_id:
        where["experiment_id"] = experiment_id
    if status == JobStatus.FINALIZING.value:
        where["active"] = True
    elif status:
        where["status"] = status
        if JobStatus(status).terminal:
            where["active"] = False
    items, token = RUN.page(store, tenant, top, continuation, where=where or None)
    return [r for r in items if status is None or r.status.value == status], token


def leaderboard(store: Store, tenant: str, run_id: str) -> list[TrialModel]:
    """Every trial of the run, best first by the run's primary metric (sorted here: Table Storage cannot)."""
    run = RUNS.get(store, tenant, run_id)
    lower = run.data.primary_metric in LOWER_IS_BETTER
    trials: list[Stored[TrialData]] = []
    token = None
    while True:
        page, token = TRIALS.list(store, tenant, parent_id=run_id, top=1000, continuation=token)
        trials += page
        if not token:
            break
    scored = sorted(
        (t for t in trials if t.data.score is not None), key=lambda t: t.data.score or 0.0, reverse=not lower
    )
    unscored = [t for t in trials if t.data.score is None]
    return [
        TrialModel.model_validate({**t.data.model_dump(), "trial_id": t.id, "rank": rank})
        for rank, t in enumerate(scored + unscored, start=1)
    ]


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


def log_page(store: Store, series: RowStore, tenant: str, run_id: str, after: int, top: int) -> list[LogLineModel]:
    """The run's log lines with seq > after; NotFound for an unknown run."""
    RUNS.get(store, tenant, run_id)
    partition = keys.series_partition(tenant, run_id)
    lines, _ = rows.read(series, partition, keys.LOG_PREFIX, rows.LogRow, top=top, start=keys.log_key(after + 1))
    return [LogLineModel.model_validate(ln.model_dump()) for ln in lines]
