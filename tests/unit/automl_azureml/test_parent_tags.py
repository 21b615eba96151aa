"""Trial algorithms from an AutoML parent run's position-aligned tags (`run_algorithm_NNN` with `iteration_NNN`)."""

from __future__ import annotations

import json
from pathlib import Path

from domain.automl.azureml.trials import algorithms_by_iteration

RECORDED = json.loads((Path(__file__).parent / "data" / "automl_parent_run.json").read_text())


def test_recorded_parent_run_names_each_iteration() -> None:
    # positions 0,1,2 hold iterations 1,0,2: position order is not iteration order
    assert algorithms_by_iteration(RECORDED["tags"]) == {0: "LightGBM", 1: "RandomForest", 2: "VotingEnsemble"}


def test_every_tag_block_is_read_with_its_own_iterations() -> None:
    tags = {
        "run_algorithm_000": "LightGBM;XGBoostClassifier",
        "iteration_000": "0;1",
        "run_algorithm_001": "StackEnsemble;VotingEnsemble",
        "iteration_001": "3;2",
        "run_algorithm_002": "ExtremeRandomTrees",  # its iterations not written yet: nothing guessed
    }
    assert algorithms_by_iteration(tags) == {
        0: "LightGBM",
        1: "XGBoostClassifier",
        2: "VotingEnsemble",
        3: "StackEnsemble",
    }


def test_no_tags_no_names() -> None:
    assert algorithms_by_iteration({"automl_best_child_run_id": "x_1"}) == {}
    assert algorithms_by_iteration({"run_algorithm_000": "LightGBM;;", "iteration_000": "0;1;x"}) == {0: "LightGBM"}
