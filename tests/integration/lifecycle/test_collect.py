"""Collectors against Azurite, with a fake AutoML backend behind the port: points and lines in transactions of up
to 100 rows, the watermark moving in the same transaction, exactly once across a crash and a restart."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

import pytest

from domain.entities.automl import JobInfo, JobStatus, LogLine, MetricPoint, Task, Trial
from domain.errors import Conflict
from domain.records.kinds import EXPERIMENTS, TENANTS, ExperimentData, TenantData
from domain.services import collect, indexes
from domain.settings import load_settings
from domain.storage import keys
from domain.storage.app_store import build_series, build_store

pytestmark = pytest.mark.integration
NOW = datetime(2026, 1, 1, tzinfo=UTC)


class FakeBackend:
    """A job whose metric points and log lines grow; remembers the watermarks it was asked from."""

    def __init__(self) -> None:
        self.points: list[MetricPoint] = []
        self.lines: list[LogLine] = []
        self.asked: list[tuple[int, int]] = []

    def grow(self, points: int, lines: int) -> None:
        start = len(self.points)
        self.points += [
            MetricPoint(name="accuracy", step=i, value=i / 1000, timestamp=NOW) for i in range(start, start + points)
        ]
        first = len(self.lines) + 1
        self.lines += [LogLine(seq=s, timestamp=NOW, text=f"line {s}") for s in range(first, first + lines)]

    def metrics_since(self, tenant: str, job: str, watermark: int) -> tuple[list[MetricPoint], int]:
        self.asked.append((watermark, -1))
        return self.points[watermark:], len(self.points)

    def logs_since(self, tenant: str, job: str, after: int) -> tuple[list[LogLine], int]:
        self.asked[-1] = (self.asked[-1][0], after)
        return [ln for ln in self.lines if ln.seq > after], len(self.lines)

    def get_job(self, tenant: str, job: str) -> JobInfo:
        return JobInfo(job_name=job, status=JobStatus.RUNNING, trials_done=len(self.points), best_score=0.9)

    def list_trials(self, tenant: str, job: str) -> list[Trial]:
        return []  # the series are what these tests count (trials: tests/unit/services/test_console_reads.py)


class Crash(Exception):
    pass


class CrashingSeries:
    """The real series store that dies (like a killed host) after `ok` transactions, recording batch sizes."""

    def __init__(self, series: Any, ok: int) -> None:
        self.series, self.ok, self.sizes = series, ok, []

    def transact(self, partition: str, ops: list[Any], **kwargs: Any) -> Any:
        if len(self.sizes) >= self.ok:
            raise Crash
        self.sizes.append(len(ops))
        return self.series.transact(partition, ops, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.series, name)


@pytest.fixture
def stores(azurite_connection_string: str, unique: str) -> tuple[Any, Any]:
    env = {"DATA_STORAGE_CONNECTION_STRING": azurite_connection_string, "DATA_TABLE_PREFIX": f"col{unique}"}
    s = load_settings(env)
    return build_store(s), build_series(s)


def plant_run(store: Any, tenant: str, run_id: str) -> None:
    """A running run, with the tenant and experiment a collection looks for after its first write (idempotent)."""
    with contextlib.suppress(Conflict):
        TENANTS.create(store, tenant, tenant, TenantData(name=tenant), actor="test")
    experiment = ExperimentData(name="e", task=Task.CLASSIFICATION, dataset_id="d", dataset_version=1,
                                target_column="y", primary_metric="accuracy")  # fmt: skip
    with contextlib.suppress(Conflict):
        EXPERIMENTS.create(store, tenant, "e", experiment, actor="test")
    data = {"experiment_id": "e", "status": "Running", "active": True, "job_name": f"job-{run_id}",
            "primary_metric": "accuracy", "progress": {"trials_done": 0}}  # fmt: skip
    store.create(tenant, "run", run_id, data, actor="test")
    indexes.add_run(store, tenant, run_id, f"job-{run_id}")


def stored(series: Any, tenant: str, run_id: str) -> tuple[list[int], list[int], dict[str, Any]]:
    part = keys.series_partition(tenant, run_id)
    rows, _ = series.list_rows(part, "", top=1000)
    steps = [d["step"] for k, d, _ in rows if k.startswith("m|")]
    seqs = [d["seq"] for k, d, _ in rows if k.startswith("l|")]
    marks = next(d for k, d, _ in rows if k == keys.WATERMARK)
    return steps, seqs, marks


def test_batches_of_at_most_100_with_the_watermark(stores: tuple[Any, Any], unique: str) -> None:
    store, series = stores
    plant_run(store, "t1", f"r{unique}")
    backend = FakeBackend()
    backend.grow(250, 40)
    spy = CrashingSeries(series, ok=1000)
    assert collect.collect_run(store, spy, backend, "t1", f"r{unique}") == (250, 40)
    assert spy.sizes and max(spy.sizes) <= 100 and sum(spy.sizes) == 290 + len(spy.sizes)  # + the `_wm` row each
    steps, seqs, marks = stored(series, "t1", f"r{unique}")
    assert steps == list(range(250)) and seqs == list(range(1, 41))
    assert marks == {"metrics": 250, "logs": 40}
    run = store.get("t1", "run", f"r{unique}").data
    assert run["progress"]["trials_done"] == 250 and run["progress"]["best_score"] == 0.9


def test_a_crash_mid_tick_and_a_restart_collect_each_point_once(
    stores: tuple[Any, Any], unique: str, azurite_connection_string: str
) -> None:
    store, series = stores
    run_id = f"r{unique}"
    plant_run(store, "t1", run_id)
    backend = FakeBackend()
    backend.grow(150, 90)  # 240 rows: three transactions
    with pytest.raises(Crash):
        collect.collect_run(store, CrashingSeries(series, ok=1), backend, "t1", run_id)
    _, _, marks = stored(series, "t1", run_id)
    assert marks == {"metrics": 0, "logs": 0}  # the first batch's watermark did not claim rows it did not write
    backend.grow(30, 5)
    # a restarted host: new clients over the same tables
    env = {"DATA_STORAGE_CONNECTION_STRING": azurite_connection_string, "DATA_TABLE_PREFIX": f"col{unique}"}
    store2, series2 = build_store(load_settings(env)), build_series(load_settings(env))
    result = collect.collect_all(store2, series2, backend)
    assert result.runs >= 1 and result.errors == 0
    steps, seqs, marks = stored(series2, "t1", run_id)
    assert steps == list(range(180)) and seqs == list(range(1, 96))  # nothing skipped, nothing twice
    assert marks == {"metrics": 180, "logs": 95}
    backend.asked.clear()
    assert collect.collect_run(store2, series2, backend, "t1", run_id) == (0, 0)
    assert backend.asked == [(180, 95)]  # the next tick starts at the watermark
    backend.grow(3, 1)
    assert collect.collect_run(store2, series2, backend, "t1", run_id) == (3, 1)
    steps, seqs, _ = stored(series2, "t1", run_id)
    assert steps == list(range(183)) and seqs == list(range(1, 97))
