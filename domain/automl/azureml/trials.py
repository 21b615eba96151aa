"""Trials, the best trial and metric points of an AutoML job, read from the workspace's MLflow REST API.

An AutoML job's MLflow run id is the job name; trials are its child runs (`tags.mlflow.parentRunId`, named
`<job>_<iteration>`); the parent's `automl_best_child_run_id` tag names the best one.

A trial's algorithm is not a tag of the child run (AutoML writes `run_algorithm` as a child run *property*). The
parent run carries them as position-aligned `;`-separated tags: `run_algorithm_000` = "LightGBM;RandomForest;..."
with `iteration_000` = "1;0;2" at the same positions (not in iteration order; ensembles have an empty
`run_preprocessor_000` entry). Every `run_algorithm_NNN` is read with its own `iteration_NNN`. A trial missing there
(the parent's tags lag behind a trial that just finished) takes the child's `run_algorithm` property, then its
MLflow tags, then its run name. See docs/adr/0009-azureml-backend.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from domain.automl.azureml.mlflow_rest import MlflowRest, metrics_of, params_of, tags_of
from domain.entities.automl import JobStatus, MetricPoint, Trial

BEST_CHILD_TAG = "automl_best_child_run_id"
_MLFLOW_STATUS = {
    "FINISHED": JobStatus.COMPLETED,
    "FAILED": JobStatus.FAILED,
    "KILLED": JobStatus.CANCELED,
    "RUNNING": JobStatus.RUNNING,
    "SCHEDULED": JobStatus.QUEUED,
}
# children that are AutoML bookkeeping, not trials
_NOT_TRIALS = ("_setup", "_featurize")


def metric_key(primary_metric: str) -> str:
    """SDK/REST casing (`AUCWeighted`) -> its MLflow metric key (`AUC_weighted`), by comparing without case and '_'."""
    from domain.entities.automl import PRIMARY_METRICS

    wanted = primary_metric.replace("_", "").lower()
    for names in PRIMARY_METRICS.values():
        for name in names:
            if name.replace("_", "").lower() == wanted:
                return name
    return primary_metric


def run_id_of(run: dict[str, Any]) -> str:
    info = run["info"]
    return str(info.get("run_id") or info["run_uuid"])


def is_trial(run: dict[str, Any]) -> bool:
    return not run_id_of(run).endswith(_NOT_TRIALS)


def iteration_of(run: dict[str, Any]) -> int:
    tags = tags_of(run)
    for value in (tags.get("iteration"), run_id_of(run).rsplit("_", 1)[-1]):
        if value is not None and value.isdigit():
            return int(value)
    return 0


ALGORITHM_TAG = "run_algorithm_"


def algorithms_by_iteration(parent_tags: dict[str, str]) -> dict[int, str]:
    """The parent run's `run_algorithm_NNN` / `iteration_NNN` tag pairs as {iteration: algorithm}."""
    found: dict[int, str] = {}
    for key in sorted(k for k in parent_tags if k.startswith(ALGORITHM_TAG)):
        suffix = key.removeprefix(ALGORITHM_TAG)
        algorithms = parent_tags[key].split(";")
        iterations = parent_tags.get(f"iteration_{suffix}", "").split(";")
        for position, algorithm in enumerate(algorithms):
            iteration = iterations[position].strip() if position < len(iterations) else ""
            if algorithm.strip() and iteration.isdigit():
                found[int(iteration)] = algorithm.strip()
    return found


def to_trial(run: dict[str, Any], primary_key: str, algorithm: str | None = None) -> Trial:
    info = run["info"]
    tags = tags_of(run)
    metrics = metrics_of(run)
    start, end = info.get("start_time"), info.get("end_time")
    duration = (int(end) - int(start)) / 1000 if start and end else None
    algorithm = (
        algorithm or tags.get("run_algorithm") or tags.get("model_name") or tags.get("mlflow.runName") or "unknown"
    )
    return Trial(
        trial_id=run_id_of(run),
        algorithm=algorithm,
        hyperparameters=dict(params_of(run)),
        score=metrics.get(primary_key),
        metrics=metrics,
        duration_seconds=duration,
        status=_MLFLOW_STATUS.get(str(info.get("status", "")).upper(), JobStatus.RUNNING),
    )


PropertiesOf = Callable[[str], dict[str, str]]


def list_trials(
    mlflow: MlflowRest, job_name: str, primary_key: str, properties_of: PropertiesOf | None = None
) -> list[Trial]:
    """The job's trials in iteration order; `properties_of(child run id)` reads a child's run properties (one call
    per trial the parent's tags do not name yet)."""
    parent = mlflow.get_run(job_name)
    names = algorithms_by_iteration(tags_of(parent))
    children = [r for r in mlflow.child_runs(parent) if is_trial(r)]
    children.sort(key=iteration_of)
    trials = []
    for run in children:
        algorithm = names.get(iteration_of(run))
        if algorithm is None and properties_of is not None:
            algorithm = properties_of(run_id_of(run)).get("run_algorithm") or None
        trials.append(to_trial(run, primary_key, algorithm))
    return trials


def best_trial_id(parent: dict[str, Any]) -> str | None:
    """The parent run's `automl_best_child_run_id` tag (set by AutoML as trials finish)."""
    return tags_of(parent).get(BEST_CHILD_TAG) or None


def ms_to_datetime(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value) / 1000, tz=UTC) if value else None
    except (TypeError, ValueError):
        return None


def _point(name: str, step: int, value: Any, timestamp_ms: Any) -> MetricPoint | None:
    try:
        number = float(value)
        ts = datetime.fromtimestamp(int(timestamp_ms) / 1000, tz=UTC)
    except (TypeError, ValueError):
        return None
    return MetricPoint(name=name, step=step, value=number, timestamp=ts)


def metrics_since(mlflow: MlflowRest, job_name: str, watermark: int) -> tuple[list[MetricPoint], int]:
    """Points logged after `watermark` (epoch ms of the newest point already returned).

    Each trial's metrics become points with step = the trial's iteration (one runs/search page per 1,000 trials);
    the parent run's own metrics come with their full history (`metrics/get-history`)."""
    parent = mlflow.get_run(job_name)
    found: list[tuple[int, MetricPoint]] = []
    for key in sorted({m["key"] for m in parent.get("data", {}).get("metrics", [])}):
        for m in mlflow.metric_history(job_name, key):
            point = _point(key, int(m.get("step", 0)), m.get("value"), m.get("timestamp"))
            if point and int(m["timestamp"]) > watermark:
                found.append((int(m["timestamp"]), point))
    for run in mlflow.child_runs(parent):
        if not is_trial(run):
            continue
        step = iteration_of(run)
        for m in run.get("data", {}).get("metrics", []):
            point = _point(m["key"], step, m.get("value"), m.get("timestamp"))
            if point and int(m["timestamp"]) > watermark:
                found.append((int(m["timestamp"]), point))
    found.sort(key=lambda item: (item[0], item[1].name, item[1].step))
    new_watermark = max([watermark, *(ts for ts, _ in found)])
    return [p for _, p in found], new_watermark
