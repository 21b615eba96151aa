"""Refitting a trial from its trial-log record alone (register a trial, refit after a stop): a learner's config, or
the VotingEnsemble of other records; the saved LocalModel takes the CSV's columns and answers the CSV's labels."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pandas as pd
import pytest

from domain.automl.local.ensemble import VotingEnsemble
from domain.automl.local.model import LocalModel, fit_trial

RECORDS: dict[int, dict[str, Any]] = {
    0: {"record_id": 0, "learner": "lr", "config": {"C": 1.0}},
    1: {"record_id": 1, "learner": "knn", "config": {"n_neighbors": 5, "weights": "distance"}},
    2: {"record_id": 2, "learner": "lgbm", "config": {"n_estimators": 20, "num_leaves": 4}},
    3: {
        "record_id": 3,
        "learner": "VotingEnsemble",
        "config": {
            "ensembled_iterations": [0, 1, 2],
            "ensembled_algorithms": ["LogisticRegression", "KNN", "LightGBM"],
            "ensemble_weights": [0.5, 0.25, 0.25],
        },
    },
}


def table() -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(0)
    n = 120
    size = rng.normal(size=n)
    colour = rng.choice(["dark red", "light blue", None], n)
    label = np.where(size + (colour == "dark red") > 0.3, "big one", "small one")
    frame = pd.DataFrame({"cell size": np.where(rng.random(n) < 0.1, np.nan, size), "cell colour": colour})
    return frame, pd.Series(label)


@pytest.mark.parametrize("record_id", [0, 1, 2, 3])
def test_a_trial_is_refit_from_its_record_and_predicts_the_csv_labels(record_id: int) -> None:
    X, y = table()
    model = fit_trial("classification", RECORDS, record_id, X, y)
    restored = pickle.loads(pickle.dumps(model))  # noqa: S301 - our own object
    assert isinstance(restored, LocalModel) and restored.learner == RECORDS[record_id]["learner"]
    predicted = restored.predict(X)
    assert set(predicted) <= {"big one", "small one"} and np.mean(predicted == y) > 0.75
    assert restored.classes_.tolist() == ["big one", "small one"]
    proba = restored.predict_proba(X.head(3))
    assert proba.shape == (3, 2) and np.allclose(proba.sum(axis=1), 1.0)
    assert isinstance(restored.model, VotingEnsemble) == (record_id == 3)


def test_regression_trials_and_ensembles_predict_numbers() -> None:
    X, _ = table()
    target = pd.Series(X["cell size"].fillna(0.0) * 3.0 + 1.0)
    records = {
        0: {"record_id": 0, "learner": "elasticnet", "config": {"alpha": 0.01, "l1_ratio": 0.5}},
        1: {"record_id": 1, "learner": "rf", "config": {"n_estimators": 10, "max_leaves": 8, "max_features": 1.0}},
        2: {
            "record_id": 2, "learner": "VotingEnsemble",
            "config": {"ensembled_iterations": [0, 1], "ensemble_weights": [0.75, 0.25]},
        },
    }  # fmt: skip
    model = fit_trial("regression", records, 2, X, target)
    predicted = model.predict(X)
    assert model.classes_ is None and predicted.dtype.kind == "f"
    assert np.corrcoef(predicted, target)[0, 1] > 0.95


def test_the_scaled_learners_preparation_standardises_and_one_hot_encodes() -> None:
    from domain.automl.local.learners import Prepare

    train = pd.DataFrame(
        {
            "size": [1.0, 3.0, np.nan, 5.0, 3.0],
            "empty": [np.nan] * 5,
            "colour": pd.Categorical(["red", "red", "blue", "blue", "green"]),
        }
    )
    prepare = Prepare().fit(train)
    out = prepare.transform(train)
    # size: NaN -> median 3, then standardised; an all-missing column becomes zeros
    assert out[:, 0] == pytest.approx((np.array([1, 3, 3, 5, 3]) - 3) / np.std([1, 3, 3, 5, 3]))
    assert out[:, 1].tolist() == [0.0] * 5
    # colour: blue and red seen twice get a column each (most frequent first), green (once) the "other" column
    assert out[:, 2:].tolist() == [[0, 1, 0], [0, 1, 0], [1, 0, 0], [1, 0, 0], [0, 0, 1]]
    unseen = pd.DataFrame({"size": [3.0], "empty": [1.0], "colour": pd.Categorical(["purple"])})
    assert prepare.transform(unseen)[0, 2:].tolist() == [0, 0, 1]


def test_a_missing_category_is_imputed_with_the_most_frequent_level() -> None:
    from domain.automl.local.learners import MISSING, Prepare

    # FLAML marks a missing category value as a level of its own; the scaled learners impute the most frequent level
    colour = pd.Categorical(["red", "red", "red", "blue", "blue", MISSING, MISSING])
    train = pd.DataFrame({"size": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], "colour": colour})
    prepare = Prepare().fit(train)
    out = prepare.transform(train)
    assert out.shape[1] == 1 + 3  # size, red, blue, "other": no column for the missing value
    assert out[:, 1:].tolist() == [[1, 0, 0]] * 3 + [[0, 1, 0]] * 2 + [[1, 0, 0]] * 2
