"""A registered model carries its input columns (the run's training columns less the target, typed by the dataset
version's profile), so a scoring form can be built from the model alone."""

from __future__ import annotations

from typing import Any

import pytest

from domain.clock import SystemClock
from domain.entities.principal import Principal
from domain.entities.serving import ModelCreate
from domain.services.datasets import version_id
from domain.services.serving import create_model
from domain.settings import AuthMode
from domain.storage.app_store import registry
from domain.storage.memory_backend import MemoryBackend
from domain.storage.store import EntityStore

ALICE = Principal(user_id="alice", display_name="alice", issuer="test", platform_admin=False, auth_mode=AuthMode.DEV)
PROFILE = {
    "row_count": 3,
    "columns": [
        {"name": "sepal_length", "type": "number", "missing": 0},
        {"name": "petals", "type": "integer", "missing": 1},
        {"name": "species", "type": "string", "missing": 0},
    ],
}


@pytest.fixture
def store() -> Any:
    s = EntityStore(MemoryBackend(), table="entities", schemas=registry(), clock=SystemClock())
    s.create("t", "dataset", "d", {"name": "iris", "latest_version": 1, "source": "upload", "profile": PROFILE},
             actor="test", name="iris")  # fmt: skip
    s.create("t", "dsver", version_id(1), {"dataset_id": "d", "version": 1, "source": "upload", "profile": PROFILE},
             actor="test", parent_id="d")  # fmt: skip
    spec = {"dataset": {"dataset_id": "d", "version": 1, "columns": ["sepal_length", "petals", "species"]},
            "target_column": "species"}  # fmt: skip
    base = {"experiment_id": "e", "status": "Completed", "job_name": "j", "primary_metric": "accuracy"}
    s.create("t", "run", "r1", base | {"spec": spec, "best_trial_id": "t1"}, actor="test")
    s.create("t", "run", "r0", base, actor="test")  # planted without a spec (older runs)
    return s


def test_a_model_lists_its_runs_columns_less_the_target_with_types(store: Any) -> None:
    model = create_model(store, ALICE, "t", ModelCreate(name="m1", run_id="r1"))
    assert [(c.name, c.type.value) for c in model.input_columns] == [("sepal_length", "number"), ("petals", "integer")]
    assert model.wire()["inputColumns"] == [
        {"name": "sepal_length", "type": "number"},
        {"name": "petals", "type": "integer"},
    ]
    assert model.trial_id == "t1"


def test_a_run_without_a_recorded_spec_gives_no_columns(store: Any) -> None:
    assert create_model(store, ALICE, "t", ModelCreate(name="m0", run_id="r0")).input_columns == []
