"""After a stop, the best trial is refit; when that refit fails (seen with xgboost after an interrupted native call),
the next learner's best trial is used, so a cancelled job still keeps a usable model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from domain.automl.local import model
from domain.automl.local import refit as worker
from domain.automl.local.jobdir import JobDir
from domain.automl.local.journal import JobLog

RECORDS = [
    {"record_id": 0, "learner": "lgbm", "validation_loss": 0.10},
    {"record_id": 1, "learner": "xgboost", "validation_loss": 0.05},
    {"record_id": 2, "learner": "lgbm", "validation_loss": 0.08},
    {"record_id": 3, "learner": "rf", "validation_loss": 0.20},
    {"curr_best_record_id": 1},
    {"record_id": 4, "learner": "VotingEnsemble", "validation_loss": 0.01},  # appended after the search
]


class FakeFit:
    refits: list[int] = []
    broken: set[int] = set()

    @staticmethod
    def fit_trial(task: str, records: dict[int, Any], record_id: int, X: Any, y: Any) -> str:
        FakeFit.refits.append(record_id)
        if record_id in FakeFit.broken:
            raise RuntimeError("XGBoostError: Unknown type: v")
        return f"model-{record_id}"


@pytest.fixture
def job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> JobDir:
    monkeypatch.setattr(model, "fit_trial", FakeFit.fit_trial)
    FakeFit.refits, FakeFit.broken = [], set()
    j = JobDir(tmp_path / "job")
    j.path.mkdir()
    j.trials.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    return j


def test_the_best_trial_is_refit(job: JobDir) -> None:
    fitted = worker.refit_after_stop(job, JobLog(job), X=None, y=None, task="classification")
    assert fitted == "model-1" and FakeFit.refits == [1]  # the ensemble is not refit after a stop
    assert worker.refitted_record(job)["record_id"] == 1


def test_a_failing_refit_falls_back_to_the_next_learners_best(job: JobDir) -> None:
    FakeFit.broken = {1}
    fitted = worker.refit_after_stop(job, JobLog(job), X=None, y=None, task="classification")
    assert FakeFit.refits == [1, 2]  # xgboost's best failed; lgbm's best (record 2, not 0) was used
    assert fitted == "model-2"
    assert worker.refitted_record(job)["record_id"] == 2
    assert "Refit of trial 1 failed" in job.logs.read_text()


def test_nothing_refittable_leaves_no_model(job: JobDir) -> None:
    FakeFit.broken = {0, 1, 2, 3}
    assert worker.refit_after_stop(job, JobLog(job), X=None, y=None, task="classification") is None
    assert FakeFit.refits == [1, 2, 3]
