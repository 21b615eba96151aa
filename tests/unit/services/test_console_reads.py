"""What a console reads (issue 13), on the memory backend: live trials while a run goes on, the leaderboard by any
metric and in pages, logs paged to the end, a failed run's progress, training operations, model versions and their
filters, /me with each tenant's name, quotas and usage, the platform's tenant list, the newest-first lists."""

from __future__ import annotations

from domain.entities.automl import JobStatus
from domain.entities.operations import OperationKind, OperationStatus
from domain.entities.queries import (
    ModelsQuery,
    NamedListQuery,
    OperationsQuery,
    Order,
    RunsQuery,
    TrialsQuery,
)
from domain.entities.serving import ModelCreate
from domain.records.kinds import RUNS
from domain.services import collect, experiments, models, operations, run_status, runs, tenants, training
from tests.unit.services.kit import ADMIN, OWNER, World, memory_series, person, world


def running(w: World, trials: int) -> str:
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    training.prepare(w.store, w.backend, w.tenant, run.id)
    w.backend.advance(run.job_name, trials=trials)
    training.poll(w.store, w.backend, w.tenant, run.id)
    return run.id


def test_a_collection_records_the_trials_while_the_run_goes_on() -> None:
    w = world()
    run_id = running(w, 3)
    series = memory_series()
    assert collect.collect_live(w.store, series, w.backend, w.tenant, run_id)
    board, _ = runs.leaderboard(w.store, w.tenant, run_id, TrialsQuery())
    assert [t.trial_id for t in board] == ["t2", "t1", "t0"]  # before the run ends or is finalized
    assert runs.get_run(w.store, w.tenant, run_id).status is JobStatus.RUNNING
    w.backend.advance(RUNS.get(w.store, w.tenant, run_id).data.job_name, trials=5)
    before = w.store.backend.requests  # type: ignore[attr-defined]
    collect.collect_live(w.store, series, w.backend, w.tenant, run_id)
    assert len(runs.leaderboard(w.store, w.tenant, run_id, TrialsQuery())[0]) == 5
    assert w.store.backend.requests - before < 12  # type: ignore[attr-defined]  # only the new trials are written
    points, _ = runs.metric_page(w.store, series, w.tenant, run_id, "accuracy", 50, None)
    assert len(points) == 5


def test_the_leaderboard_sorts_by_any_metric_and_pages() -> None:
    w = world()
    run_id = running(w, 5)
    collect.collect_live(w.store, memory_series(), w.backend, w.tenant, run_id)
    worst_first, _ = runs.leaderboard(w.store, w.tenant, run_id, TrialsQuery(orderby="accuracy asc"))
    assert [(t.trial_id, t.rank) for t in worst_first][:2] == [("t0", 5), ("t1", 4)]  # rank stays the primary's
    first, token = runs.leaderboard(w.store, w.tenant, run_id, TrialsQuery(top=2))
    rest, end = runs.leaderboard(w.store, w.tenant, run_id, TrialsQuery(top=10, continuation=token))
    assert [t.trial_id for t in first + rest] == ["t4", "t3", "t2", "t1", "t0"] and end is None
    unknown, _ = runs.leaderboard(w.store, w.tenant, run_id, TrialsQuery(orderby="f1_score"))
    assert len(unknown) == 5  # a metric no trial recorded: every trial, unsorted ones last


def test_among_equal_scores_the_engines_best_trial_ranks_first() -> None:
    w = world()
    run_id = running(w, 3)
    job = RUNS.get(w.store, w.tenant, run_id).data.job_name
    for trial in w.backend.jobs[job].trials:  # every trial the same score (accuracy ties are common)
        object.__setattr__(trial, "score", 0.9)
    collect.collect_live(w.store, memory_series(), w.backend, w.tenant, run_id)
    RUNS.update(w.store, w.tenant, run_id, {"best_trial_id": "t1"}, actor="t")  # the engine broke the tie (log loss)
    board, _ = runs.leaderboard(w.store, w.tenant, run_id, TrialsQuery())
    assert [(t.trial_id, t.rank) for t in board] == [("t1", 1), ("t0", 2), ("t2", 3)]


def test_log_pages_reach_every_line() -> None:
    w = world()
    run_id = running(w, 20)
    series = memory_series()
    collect.collect_live(w.store, series, w.backend, w.tenant, run_id)
    page, after = runs.log_page(w.store, series, w.tenant, run_id, 15, 3)
    assert [ln.seq for ln in page] == [16, 17, 18] and after == 18
    page, after = runs.log_page(w.store, series, w.tenant, run_id, after, 3)
    assert [ln.seq for ln in page] == [19, 20] and after is None  # the last page says so


def test_a_log_page_of_the_largest_size_the_contract_allows_is_answered() -> None:
    w = world()
    run_id = running(w, 20)
    series = memory_series()
    collect.collect_live(w.store, series, w.backend, w.tenant, run_id)
    page, after = runs.log_page(w.store, series, w.tenant, run_id, 0, 1000)  # top=1000 is LogsQuery's maximum
    assert len(page) == len({ln.seq for ln in page}) > 0 and after is None
    total = len(page)
    page, after = runs.log_page(w.store, series, w.tenant, run_id, 0, total - 1)
    assert after == page[-1].seq  # one line is left: the page says so


def test_a_failed_run_with_no_trial_is_not_100_percent() -> None:
    w = world()
    run_id = running(w, 0)
    job = RUNS.get(w.store, w.tenant, run_id).data.job_name
    w.backend.finish(job, JobStatus.FAILED)
    training.poll(w.store, w.backend, w.tenant, run_id)
    assert runs.get_run(w.store, w.tenant, run_id).status is JobStatus.FINALIZING  # ended, results not yet recorded
    training.finalize(w.store, memory_series(), w.backend, w.tenant, run_id)
    failed = runs.get_run(w.store, w.tenant, run_id)
    assert failed.status is JobStatus.FAILED and failed.progress.percent is not None
    assert failed.progress.percent < 100
    data = RUNS.get(w.store, w.tenant, run_id).data.model_copy(update={"status": JobStatus.COMPLETED})
    assert run_status.progress_of(data).percent == 100.0


def test_a_run_is_a_training_operation_and_its_row_names_the_experiment() -> None:
    w = world()
    run_id = running(w, 2)
    run = runs.get_run(w.store, w.tenant, run_id)
    assert (run.experiment_name, run.task) == ("exp", "classification")
    op = operations.get_operation(w.store, w.tenant, run_id)
    assert (op.kind, op.status, op.progress.done, op.progress.total) == (OperationKind.TRAINING, "Running", 2, 10)
    assert op.target == f"/api/v1/tenants/{w.tenant}/runs/{run_id}"
    job = RUNS.get(w.store, w.tenant, run_id).data.job_name
    w.backend.finish(job)
    training.poll(w.store, w.backend, w.tenant, run_id)
    assert operations.get_operation(w.store, w.tenant, run_id).status is OperationStatus.RUNNING  # not finalized
    training.finalize(w.store, memory_series(), w.backend, w.tenant, run_id)
    done = operations.get_operation(w.store, w.tenant, run_id)
    assert done.status is OperationStatus.SUCCEEDED and done.progress.percent == 100.0
    listed, _ = operations.list_operations(w.store, w.tenant, OperationsQuery(kind=OperationKind.TRAINING))
    assert [o.id for o in listed] == [run_id]
    last = experiments.get_experiment(w.store, w.tenant, w.experiment_id).last_run
    assert last is not None and (last.id, last.status) == (run_id, JobStatus.COMPLETED)


def test_models_get_versions_under_one_name_and_filters() -> None:
    w = world(auto_register=False)
    run_a = running(w, 2)
    collect.collect_live(w.store, memory_series(), w.backend, w.tenant, run_a)
    v1 = models.create_model(w.store, OWNER, w.tenant, ModelCreate(name="Churn", run_id=run_a))
    v2 = models.create_model(w.store, OWNER, w.tenant, ModelCreate(name="churn", run_id=run_a, trial_id="t0"))
    other = models.create_model(w.store, OWNER, w.tenant, ModelCreate(name="other", run_id=run_a))
    assert (v1.name, v1.version, v1.trial_id, v1.score) == ("Churn", 1, "t1", 0.51)
    assert (v2.name, v2.version, v2.trial_id, v2.score) == ("Churn", 2, "t0", 0.5)  # the first spelling
    assert v1.id < v2.id < other.id  # ids sort by creation time
    named, _ = models.list_models(w.store, w.tenant, ModelsQuery(name="CHURN"))
    assert [m.version for m in named] == [1, 2]
    newest, _ = models.list_models(w.store, w.tenant, ModelsQuery(run_id=run_a, orderby=Order.NEWEST_FIRST))
    assert [m.id for m in newest] == [other.id, v2.id, v1.id]
    assert [m.id for m in models.list_models(w.store, w.tenant, ModelsQuery(name_prefix="OTH"))[0]] == [other.id]
    assert models.list_models(w.store, w.tenant, ModelsQuery(name="nobody"))[0] == []
    assert models.list_models(w.store, w.tenant, ModelsQuery(experiment_id=w.experiment_id))[0] != []


def test_me_names_each_tenant_with_its_quotas_and_usage() -> None:
    w = world(max_concurrent_runs=3)
    running(w, 1)
    me = tenants.get_me(w.store, OWNER)
    (mine,) = me.tenants
    assert mine.name.startswith("t-") and mine.quotas.max_concurrent_runs == 3 and mine.usage.active_runs == 1
    assert tenants.get_tenant(w.store, w.tenant).usage is not None
    assert tenants.get_me(w.store, person("stranger")).tenants == []


def test_platform_admins_list_tenants_by_name_prefix() -> None:
    w = world()
    name = tenants.get_tenant(w.store, w.tenant).name
    listed, _ = tenants.list_tenants(w.store, NamedListQuery(name_prefix=name.upper()))
    assert [t.id for t in listed] == [w.tenant] and listed[0].usage is None  # usage: a single tenant only
    assert ADMIN.platform_admin


def test_ids_sort_by_creation_time_even_within_a_millisecond() -> None:
    from domain.entities.ids import new_id

    ids = [new_id() for _ in range(2000)]
    assert ids == sorted(ids) and len(set(ids)) == 2000 and {len(i) for i in ids} == {22}


def test_runs_list_newest_first() -> None:
    w = world(max_concurrent_runs=5)
    ids = [training.start_run(w.store, OWNER, w.tenant, w.experiment_id, key)[0].id for key in (None, "k", None)]
    newest, _ = runs.list_runs(w.store, w.tenant, RunsQuery(orderby=Order.NEWEST_FIRST))
    assert [r.id for r in newest] == list(reversed(ids)) and ids == sorted(ids)
