"""Which trial a stopped search keeps (runs in the worker subprocess only; the learners are imported when used).

After a stop (cancel, exit score, hard time limit) the best trial of the log is refit on the job's data. A refit can
fail where the search did not (seen with xgboost after an interrupted native call: "Unknown type"), so the best trial
of each learner is tried in turn, and `refit.json` records the trial the kept model came from.
"""

from __future__ import annotations

import json
import math
from typing import Any

from domain.automl.local.jobdir import JobDir, read_jsonl
from domain.automl.local.journal import JobLog
from domain.automl.local.mapping import ENSEMBLE


def best_record(job: JobDir) -> dict[str, Any] | None:
    records = [r for r in read_jsonl(job.trials) if "record_id" in r]
    return min(records, key=lambda r: r["validation_loss"]) if records else None


def refitted_record(job: JobDir) -> dict[str, Any] | None:
    """The trial the kept model was refit from after a stop (it may not be the best when that refit failed)."""
    path = job.path / "refit.json"
    if not path.exists():
        return None
    wanted = json.loads(path.read_text())["record_id"]
    return next((r for r in read_jsonl(job.trials) if r.get("record_id") == wanted), None)


def refit_candidates(job: JobDir, limit: int = 3) -> list[dict[str, Any]]:
    """The best trial of each learner, best first: if refitting the best fails, the next learner's best is used.
    The VotingEnsemble is not refit after a stop (its members are refit by register_model only)."""
    best: dict[str, dict[str, Any]] = {}
    for r in read_jsonl(job.trials):
        if "record_id" not in r or r["learner"] == ENSEMBLE or not math.isfinite(r["validation_loss"]):
            continue
        if r["learner"] not in best or r["validation_loss"] < best[r["learner"]]["validation_loss"]:
            best[r["learner"]] = r
    return sorted(best.values(), key=lambda r: r["validation_loss"])[:limit]


def refit_after_stop(job: JobDir, log: JobLog, X: Any, y: Any, task: str) -> Any:
    """Refit the best trial of the log after a stop. A refit can fail where the search did not (seen with xgboost
    after an interrupted native call: "Unknown type"): the next learner's best trial is tried, and the model kept is
    the best one that could be rebuilt (None when none could)."""
    from domain.automl.local import model

    records = {int(r["record_id"]): r for r in read_jsonl(job.trials) if "record_id" in r}
    for record in refit_candidates(job):
        log.write(f"Refitting trial {record['record_id']} ({record['learner']})")
        try:
            fitted = model.fit_trial(task, records, int(record["record_id"]), X, y)
            job.path.joinpath("refit.json").write_text(json.dumps({"record_id": record["record_id"]}))
            return fitted
        except Exception as exc:  # any learner failure: try the next one
            log.write(f"Refit of trial {record['record_id']} failed: {type(exc).__name__}: {str(exc)[:200]}")
    return None
