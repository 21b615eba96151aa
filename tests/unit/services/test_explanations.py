"""Explanations on the memory backend: computed once when the run finalizes and kept on the run and its model, so
reads never call the backend; another trial's model is explained on its first request and kept."""

from __future__ import annotations

import pytest

from domain.entities.automl import JobStatus
from domain.entities.serving import ModelCreate
from domain.errors import Conflict
from domain.services import explanations, models, training
from domain.services.explanations import MAX_FEATURES
from tests.unit.services.kit import OWNER, World, memory_series, world


@pytest.fixture
def w() -> World:
    return world()


def finish(w: World, status: JobStatus = JobStatus.COMPLETED) -> tuple[str, str | None]:
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    training.prepare(w.store, w.backend, w.tenant, run.id)
    w.backend.advance(run.job_name, trials=3)
    w.backend.finish(run.job_name, status)
    model_id = training.finalize(w.store, memory_series(), w.backend, w.tenant, run.id)["modelId"]
    return run.id, model_id if isinstance(model_id, str) else None


def test_finalize_explains_the_best_model_once_and_reads_never_call_the_backend(w: World) -> None:
    run_id, model_id = finish(w)
    assert model_id is not None and len(w.backend.explained) == 1
    _, trial = w.backend.explained[0]
    assert trial == "t2"  # the best trial (highest score)
    first = explanations.run_explanation(w.store, w.backend, w.tenant, run_id)
    assert [(f.feature, f.importance) for f in first.features] == [("a", 0.3), ("b", 0.1)]  # most important first
    assert first.trial_id == "t2" and first.method == "permutation" and first.metric == "accuracy"
    again = explanations.run_explanation(w.store, w.backend, w.tenant, run_id)
    model = explanations.model_explanation(w.store, w.backend, w.tenant, model_id)
    assert again == first and model == first
    assert len(w.backend.explained) == 1


def test_another_trials_model_is_explained_on_its_first_request_then_kept(w: World) -> None:
    run_id, _ = finish(w)
    other = models.create_model(w.store, OWNER, w.tenant, ModelCreate(name="first", run_id=run_id, trial_id="t0"))
    w.backend.importances = (("a", 0.05, None), ("b", 0.2, None))
    first = explanations.model_explanation(w.store, w.backend, w.tenant, other.id)
    assert w.backend.explained[-1] == (w.backend.explained[0][0], "t0") and len(w.backend.explained) == 2
    assert [f.feature for f in first.features] == ["b", "a"] and first.trial_id == "t0"
    assert explanations.model_explanation(w.store, w.backend, w.tenant, other.id) == first
    assert len(w.backend.explained) == 2


def test_a_failed_explanation_leaves_the_run_finalized_and_the_first_read_computes_it(w: World) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no held-out rows")

    original = w.backend.explain
    w.backend.explain = broken  # type: ignore[assignment,method-assign]
    run_id, model_id = finish(w)
    assert model_id is not None
    w.backend.explain = original  # type: ignore[method-assign]
    assert [f.feature for f in explanations.run_explanation(w.store, w.backend, w.tenant, run_id).features] == [
        "a",
        "b",
    ]
    assert len(w.backend.explained) == 1


def test_a_run_without_a_model_has_no_explanation(w: World) -> None:
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    with pytest.raises(Conflict):
        explanations.run_explanation(w.store, w.backend, w.tenant, run.id)
    assert w.backend.explained == []


def test_a_wide_dataset_keeps_its_most_important_columns(w: World) -> None:
    w.backend.importances = tuple((f"c{i:04d}", float(i), None) for i in range(MAX_FEATURES + 50))
    run_id, _ = finish(w)
    kept = explanations.run_explanation(w.store, w.backend, w.tenant, run_id).features
    assert len(kept) == MAX_FEATURES and kept[0].feature == f"c{MAX_FEATURES + 49:04d}"
    assert [f.importance for f in kept] == sorted((f.importance for f in kept), reverse=True)
