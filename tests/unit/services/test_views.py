"""What the API shows (issue 16 items 15, 16, 8d): `Finalizing` until a run's results are recorded, an audit trail
in the API's language filtered by target and actor without internal steps, and never NaN or Infinity."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from domain.entities.automl import JobStatus
from domain.entities.experiments import ExperimentUpdate
from domain.entities.queries import AuditQuery, RunsQuery, TrialsQuery
from domain.entities.runs import Run
from domain.records.kinds import RUNS
from domain.services import audit, cascade, experiments, runs, training
from tests.unit.services.kit import OWNER, memory_series, person, world


def test_an_ended_run_is_finalizing_until_its_trials_and_model_are_recorded() -> None:
    w = world(auto_register=True)
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    training.prepare(w.store, w.backend, w.tenant, run.id)
    job = RUNS.get(w.store, w.tenant, run.id).data.job_name
    w.backend.advance(job, 3)
    w.backend.finish(job)
    summary = training.poll(w.store, w.backend, w.tenant, run.id)
    assert summary["terminal"] is True  # the orchestration goes on to finalize ...
    shown = runs.get_run(w.store, w.tenant, run.id)
    assert shown.status is JobStatus.FINALIZING and shown.model_id is None  # ... the API does not say Completed yet
    assert runs.leaderboard(w.store, w.tenant, run.id, TrialsQuery())[0] == []
    statuses = (JobStatus.COMPLETED, JobStatus.FINALIZING)
    listed = {s.value: [r.id for r in runs.list_runs(w.store, w.tenant, RunsQuery(status=s))[0]] for s in statuses}
    assert listed == {"Completed": [], "Finalizing": [run.id]}
    training.finalize(w.store, memory_series(), w.backend, w.tenant, run.id)
    done = runs.get_run(w.store, w.tenant, run.id)
    assert done.status is JobStatus.COMPLETED and done.model_id is not None
    assert len(runs.leaderboard(w.store, w.tenant, run.id, TrialsQuery())[0]) == 3
    listed = runs.list_runs(w.store, w.tenant, RunsQuery(status=JobStatus.COMPLETED))
    assert [r.id for r in listed[0]] == [run.id]


def test_the_audit_trail_speaks_the_api_and_filters_by_target_and_actor() -> None:
    w = world()
    other = person("contrib")
    experiments.update_experiment(
        w.store, other, w.tenant, w.experiment_id, ExperimentUpdate.model_validate({"description": "x"}), None
    )
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    op = cascade.start_delete(w.store, OWNER, w.tenant, "run", run.id, None)
    while (step := cascade.delete_step(w.store, w.cleanup(), w.tenant, op.id)).deleted or step.waiting:
        pass
    cascade.finish_delete(w.store, w.cleanup(), w.tenant, op.id)
    everything, _ = audit.list_audit(w.store, w.tenant, None, 200, None)
    assert everything and all(e.kind != "rows" for e in everything)  # no internal step
    assert "tombstone" not in {e.action for e in everything}
    of_run = audit.list_audit(w.store, w.tenant, None, 200, None, target_id=run.id)[0]
    assert {e.target_id for e in of_run} == {run.id}
    assert sorted((e.action, e.actor) for e in of_run if e.actor == OWNER.user_id) == [
        ("create", OWNER.user_id),
        ("delete", OWNER.user_id),  # the user's delete (the tombstone hides the run at once)
    ]
    by_other = audit.list_audit(w.store, w.tenant, None, 200, None, actor=other.user_id)[0]
    assert [(e.action, e.kind, e.target_id) for e in by_other] == [("update", "experiment", w.experiment_id)]
    assert by_other[0].changes == {"description": [None, "x"]}
    assert all(k == k[:1].lower() + k[1:] and "_" not in k for e in everything for k in e.changes)


def test_since_without_a_time_zone_is_refused_naming_the_parameter() -> None:
    with pytest.raises(ValidationError) as refused:
        AuditQuery.model_validate({"since": "2026-12-06T02:05:00"})
    assert refused.value.errors()[0]["loc"] == ("since",)
    assert AuditQuery.model_validate({"since": "2026-12-06T02:05:00Z"}).since == datetime(2026, 12, 6, 2, 5, tzinfo=UTC)


def test_a_score_that_does_not_exist_is_null_never_nan() -> None:
    w = world()
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    stored = RUNS.update(w.store, w.tenant, run.id, {"metrics": {"accuracy": math.nan, "auc": math.inf}}, actor="t")
    progress = stored.data.progress.model_copy(update={"best_score": math.nan})
    RUNS.update(w.store, w.tenant, run.id, {"progress": progress}, actor="t")
    shown: Run = runs.get_run(w.store, w.tenant, run.id)
    wire = json.dumps(shown.wire(), allow_nan=False)  # raises on NaN/Infinity
    assert json.loads(wire)["metrics"] == {"accuracy": None, "auc": None}
    assert json.loads(wire)["progress"]["bestScore"] is None
