"""Trials, metric points and log lines read from a job directory (FLAML's trial log and the worker's log lines).

Metric watermark = the number of trial records already returned; the trial log is append-only and only complete
lines are read, so a point is never returned twice nor skipped. Each trial gives two points at step = its record id:
`{primary}` (best so far, Azure's parent-run value) and `{primary}_trial` (that trial's own score).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from domain.automl.local.jobdir import JobDir, read_json, read_jsonl
from domain.automl.local.mapping import azure_algorithm, trial_score
from domain.entities.automl import LogLine, MetricPoint, Trial

TRIAL_SUFFIX = "_trial"


def _records(job: JobDir) -> list[dict[str, Any]]:
    return [r for r in read_jsonl(job.trials) if "record_id" in r]


def _plan(job: JobDir) -> dict[str, Any]:
    plan: dict[str, Any] = read_json(job.spec)["plan"]
    return plan


def trials(job: JobDir) -> list[Trial]:
    plan = _plan(job)
    out = []
    for r in _records(job):
        score = trial_score(r, plan["primary_metric"], plan["higher_is_better"])
        logged = {k: float(v) for k, v in (r.get("logged_metric") or {}).items() if isinstance(v, int | float)}
        out.append(
            Trial(
                trial_id=f"{job.path.name}_{r['record_id']}",
                algorithm=azure_algorithm(plan["task"], r["learner"]),
                hyperparameters={**r.get("config", {}), "flaml_learner": r["learner"]},
                score=score,
                metrics={**logged, plan["primary_metric"]: score},
                duration_seconds=r.get("trial_time"),
            )
        )
    return out


def metrics_since(job: JobDir, watermark: int) -> tuple[list[MetricPoint], int]:
    plan = _plan(job)
    records = _records(job)
    status = read_json(job.status) or {}
    start = datetime.fromtimestamp(float(status.get("fit_started_at", 0.0)), tz=UTC)
    name, higher = plan["primary_metric"], plan["higher_is_better"]
    best: dict[str, Any] | None = None
    points: list[MetricPoint] = []
    for index, r in enumerate(records):
        if best is None or r["validation_loss"] < best["validation_loss"]:
            best = r
        if index < watermark:
            continue
        at = start + timedelta(seconds=float(r.get("wall_clock_time", 0.0)))
        step = int(r["record_id"])
        trial = f"{job.path.name}_{step}"
        best_score = trial_score(best, name, higher)
        points.append(MetricPoint(name=name, step=step, value=best_score, timestamp=at, trial_id=trial))
        own = trial_score(r, name, higher)
        points.append(MetricPoint(name=name + TRIAL_SUFFIX, step=step, value=own, timestamp=at, trial_id=trial))
    return points, max(watermark, len(records))


def logs_since(job: JobDir, after_seq: int) -> tuple[list[LogLine], int]:
    lines = [
        LogLine(seq=r["seq"], timestamp=datetime.fromisoformat(r["timestamp"]), text=r["text"])
        for r in read_jsonl(job.logs)
        if r["seq"] > after_seq
    ]
    return lines, (lines[-1].seq if lines else after_seq)
