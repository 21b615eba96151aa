"""After a stop, the best trial is refit; when that refit fails (seen with xgboost after an interrupted native call),
the next learner's best trial is used, so a cancelled job still keeps a usable model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import flaml.automl
import pytest

from domain.automl.local import refit as worker
from domain.automl.local.jobdir import JobDir
from domain.automl.local.journal import JobLog

RECORDS = [
    {"record_id": 0, "learner": "lgbm", "validation_loss": 0.10},
    {"record_id": 1, "learner": "xgboost", "validation_loss": 0.05},
    {"record_id": 2, "learner": "lgbm", "validation_loss": 0.08},
    {"record_id": 3, "learner": "rf", "validation_loss": 0.20},
    {"curr_best_record_id": 1},
]


class FakeAutoML:
    refits: list[int] = []
    broken: set[int] = set()

    def retrain_from_log(self, *, record_id: int, **kwargs: Any) -> None:
        FakeAutoML.refits.append(record_id)
        if record_id in FakeAutoML.broken:
            raise RuntimeError("XGBoostError: Unknown type: v")
        self.model = f"model-{record_id}"


@pytest.fixture
def job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> JobDir:
    monkeypatch.setattr(flaml.automl, "AutoML", FakeAutoML)
    FakeAutoML.refits, FakeAutoML.broken = [], set()
    j = JobDir(tmp_path / "job")
    j.path.mkdir()
    j.trials.write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    return j


def test_the_best_trial_is_refit(job: JobDir) -> None:
    automl = worker.refit_after_stop(job, JobLog(job), X=None, y=None, task="classification")
    assert automl.model == "model-1" and FakeAutoML.refits == [1]
    assert worker.refitted_record(job)["record_id"] == 1


def test_a_failing_refit_falls_back_to_the_next_learners_best(job: JobDir) -> None:
    FakeAutoML.broken = {1}
    automl = worker.refit_after_stop(job, JobLog(job), X=None, y=None, task="classification")
    assert FakeAutoML.refits == [1, 2]  # xgboost's best failed; lgbm's best (record 2, not 0) was used
    assert automl.model == "model-2"
    assert worker.refitted_record(job)["record_id"] == 2
    assert "Refit of trial 1 failed" in job.logs.read_text()
