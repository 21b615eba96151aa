"""A registered model carries its input columns (the run's training columns less the target, typed by the dataset
version's profile), so a scoring form can be built from the model alone: through `POST .../models` and through the
auto-registration at the end of a run."""

from __future__ import annotations

from domain.entities.automl import JobStatus
from domain.entities.serving import ModelCreate
from domain.records.kinds import RUNS, RunData
from domain.services import models, training
from tests.unit.services.kit import OWNER, memory_series, world

EXPECTED = [("a", "integer"), ("b", "number")]  # kit.CSV is a,b,label with label the target


def test_a_model_registered_from_a_run_lists_the_training_columns_less_the_target() -> None:
    w = world()
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    model = models.create_model(w.store, OWNER, w.tenant, ModelCreate(name="m1", run_id=run.id))
    assert [(c.name, c.type.value) for c in model.input_columns] == EXPECTED
    assert model.wire()["inputColumns"] == [{"name": "a", "type": "integer"}, {"name": "b", "type": "number"}]
    assert [(c.name, c.type.value) for c in models.get_model(w.store, w.tenant, model.id).input_columns] == EXPECTED


def test_the_auto_registered_best_model_lists_them_too() -> None:
    w = world()
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    training.prepare(w.store, w.backend, w.tenant, run.id)
    w.backend.advance(run.job_name, trials=2)
    w.backend.finish(run.job_name, JobStatus.COMPLETED)
    training.poll(w.store, w.backend, w.tenant, run.id)
    model_id = training.finalize(w.store, memory_series(), w.backend, w.tenant, run.id)["modelId"]
    assert model_id
    model = models.get_model(w.store, w.tenant, str(model_id))
    assert [(c.name, c.type.value) for c in model.input_columns] == EXPECTED


def test_a_run_without_a_recorded_spec_gives_no_columns() -> None:
    w = world()
    run, _ = training.start_run(w.store, OWNER, w.tenant, w.experiment_id, None)
    bare = RunData.model_validate(RUNS.get(w.store, w.tenant, run.id).data.model_dump() | {"spec": None})
    assert models.input_columns(w.store, w.tenant, bare) == []
