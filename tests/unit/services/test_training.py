"""The training service on the memory backend with a fake AutoML backend: start (quotas, idempotency, index rows),
the orchestration's steps (prepare, poll, cancel, finalize) and what they leave behind."""

from __future__ import annotations

import pytest

from domain.entities.automl import JobStatus
from domain.entities.queries import RunsQuery, TrialsQuery
from domain.errors import Conflict, QuotaExceeded
from domain.records.kinds import MODELS, RUNS
from domain.services import indexes, models, runs, training
from domain.storage import keys
from tests.unit.services.kit import OWNER, World, memory_series, person, world


@pytest.fixture
def w() -> World:
    return world()


def test_start_run_records_the_run_its_spec_and_its_index_rows(w: World) -> None:
    run, created = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    assert created and run.status is JobStatus.NOT_STARTED and run.progress.trials_done == 0
    stored = RUNS.get(w.store, w.tenant, run.id).data
    assert stored.active and stored.spec is not None and stored.spec.job_name == run.job_name
    assert stored.spec.dataset.blob_path and stored.spec.dataset.columns == ("a", "b", "label")
    assert indexes.active_runs(w.store) == [(w.tenant, run.id)]
    assert indexes.run_for_job(w.store, run.job_name) == (w.tenant, run.id)


def test_a_repeated_idempotency_key_returns_the_same_run(w: World) -> None:
    first, created = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, "key-1")
    again, created_again = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, "key-1")
    assert created and not created_again and again.id == first.id
    other, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, "key-2")
    assert other.id != first.id
    assert len(runs.list_runs(w.store, w.tenant, RunsQuery())[0]) == 2
    assert first.id < other.id  # run ids sort by creation time, with or without a key


def test_quotas_are_checked_before_anything_is_written() -> None:
    w = world(max_concurrent_runs=1)
    training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    with pytest.raises(QuotaExceeded) as info:
        training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    assert info.value.target == "maxConcurrentRuns"
    assert len(runs.list_runs(w.store, w.tenant, RunsQuery())[0]) == 1
    many = world(max_trials=500)
    with pytest.raises(QuotaExceeded, match="maxTrials 500"):
        training.start_run(many.store, OWNER, many.tenant, many.experiment_id, None)


def test_prepare_poll_finalize_record_the_run_and_register_its_best_model(w: World) -> None:
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    summary = training.prepare(w.store, w.backend, w.tenant, run.id)
    assert summary["status"] == "Queued" and summary["terminal"] is False
    assert w.backend.datasets[0].dataset_id == w.dataset_id and run.job_name in w.backend.jobs
    w.backend.advance(run.job_name, trials=4)
    summary = training.poll(w.store, w.backend, w.tenant, run.id)
    progress = summary["progress"]
    assert summary["status"] == "Running" and isinstance(progress, dict)
    assert (progress["trials_done"], progress["best_score"], progress["percent"]) == (4, 0.53, 40.0)
    w.backend.finish(run.job_name)
    assert training.poll(w.store, w.backend, w.tenant, run.id)["terminal"] is True
    series = memory_series()
    final = training.finalize(w.store, series, w.backend, w.tenant, run.id)
    model_id = final["modelId"]
    assert final["status"] == "Completed" and isinstance(model_id, str)
    done = runs.get_run(w.store, w.tenant, run.id)
    assert done.model_id == model_id and done.metrics == {"accuracy": 0.53} and done.best_trial_id == "t3"
    assert done.progress.percent == 100.0 and done.ended_at is not None
    assert not RUNS.get(w.store, w.tenant, run.id).data.active and indexes.active_runs(w.store) == []
    board, _ = runs.leaderboard(w.store, w.tenant, run.id, TrialsQuery())
    assert [(t.trial_id, t.rank) for t in board] == [("t3", 1), ("t2", 2), ("t1", 3), ("t0", 4)]
    model = MODELS.get(w.store, w.tenant, model_id).data
    assert model.uri == w.backend.models[0].uri and model.tags == {"source": "autoRegister"}
    # the next version of the experiment's name, with its trial's score and the run's training columns
    assert (model.name, model.version, model.trial_id, model.score) == ("exp", 1, "t3", 0.53)
    assert [(c.name, c.type.value) for c in model.input_columns] == [("a", "integer"), ("b", "number")]
    points = runs.metric_page(w.store, series, w.tenant, run.id, "accuracy", 50, None)[0]
    assert [p.step for p in points] == [0, 1, 2, 3], "the last collection ran before the run left the index"
    assert [ln.seq for ln in runs.log_page(w.store, series, w.tenant, run.id, 2, 10)[0]] == [3, 4]


def test_finalize_twice_registers_one_model(w: World) -> None:
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    training.prepare(w.store, w.backend, w.tenant, run.id)
    w.backend.advance(run.job_name, trials=2)
    w.backend.finish(run.job_name)
    training.finalize(w.store, memory_series(), w.backend, w.tenant, run.id)
    again = training.finalize(w.store, memory_series(), w.backend, w.tenant, run.id)  # a retried activity
    assert again["modelId"] is None and len(w.backend.models) == 1
    model_id = runs.get_run(w.store, w.tenant, run.id).model_id
    assert model_id is not None and len(MODELS.list(w.store, w.tenant)[0]) == 1
    # the register step itself, retried, finds the model it registered (one per run, `runmodel|{run}`)
    data = RUNS.get(w.store, w.tenant, run.id).data
    assert models.register_best(w.store, w.backend, w.tenant, run.id, data) == model_id
    assert len(w.backend.models) == 1


def test_without_auto_register_no_model_is_made() -> None:
    w = world(auto_register=False)
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    training.prepare(w.store, w.backend, w.tenant, run.id)
    w.backend.advance(run.job_name, trials=1)
    w.backend.finish(run.job_name)
    assert training.finalize(w.store, memory_series(), w.backend, w.tenant, run.id)["modelId"] is None
    assert w.backend.models == [] and runs.get_run(w.store, w.tenant, run.id).model_id is None


def test_cancel_is_recorded_then_carried_out_by_the_next_poll(w: World) -> None:
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    training.prepare(w.store, w.backend, w.tenant, run.id)
    w.backend.advance(run.job_name, trials=1)
    training.poll(w.store, w.backend, w.tenant, run.id)
    assert training.request_cancel(w.store, person("contrib"), w.tenant, run.id).status is JobStatus.CANCEL_REQUESTED
    # the Cancel event was lost: the next poll sees CancelRequested and cancels the job itself
    assert training.poll(w.store, w.backend, w.tenant, run.id)["status"] == "Canceled"
    assert w.backend.cancelled == [run.job_name]
    with pytest.raises(Conflict, match="already Canceled"):
        training.request_cancel(w.store, OWNER, w.tenant, run.id)


def test_a_late_running_poll_never_moves_a_finished_run_back(w: World) -> None:
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    training.prepare(w.store, w.backend, w.tenant, run.id)
    w.backend.advance(run.job_name, trials=2)
    w.backend.finish(run.job_name, JobStatus.FAILED)
    assert training.poll(w.store, w.backend, w.tenant, run.id)["status"] == "Failed"
    etag = RUNS.get(w.store, w.tenant, run.id).etag
    w.backend.jobs[run.job_name].status = JobStatus.RUNNING  # a stale answer
    assert training.poll(w.store, w.backend, w.tenant, run.id)["status"] == "Failed"
    assert RUNS.get(w.store, w.tenant, run.id).etag == etag


def test_run_rows_and_keys_match_the_documented_layout(w: World) -> None:
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    active, _ = w.store.list_rows(keys.ACTIVE_RUNS, keys.ACTIVE_RUN_PREFIX)
    assert [r.key for r in active] == [f"run|{w.tenant}|{run.id}"]
    jobs, _ = w.store.list_rows(keys.JOBS, "job|")
    assert [r.key for r in jobs] == [f"job|{run.job_name}"] and jobs[0].data == {"tenant": w.tenant, "run_id": run.id}
