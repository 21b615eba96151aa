"""Out-of-fold recording (the FLAML hooks) and the VotingEnsemble's selection: weights chosen by greedy selection,
a score that is cross-fitted (weights never chosen on the rows they are scored on)."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.stats import binom

from domain.automl.local.ensemble import VotingEnsemble, blend, clearly_better, cross_fitted, select, select_bagged
from domain.automl.local.oof import Recorder
from domain.automl.local.validation import make_splits


class Constant:
    """A fitted 'model' predicting fixed class probabilities for every row."""

    def __init__(self, proba: list[float], classes: list[int] | None = None) -> None:
        self.proba = np.array(proba)
        self.classes_ = np.array(classes if classes is not None else range(len(proba)))

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return np.tile(self.proba, (len(X), 1))

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return np.tile(self.proba, (len(X), 1)).argmax(axis=1)


def log_loss(y: np.ndarray) -> Callable[[np.ndarray, np.ndarray], float]:
    def loss(rows: np.ndarray, blended: np.ndarray) -> float:
        return float(-np.mean(np.log(np.clip(blended[np.arange(len(rows)), y[rows]], 1e-15, 1))))

    return loss


def run_trial(recorder: Recorder, frame: pd.DataFrame, y: np.ndarray, model: Constant) -> tuple[float, dict[str, Any]]:
    for train, val in recorder.folds:
        X_val = frame.iloc[val]
        recorder(X_val, y[val], model, [0, 1, 2], frame.iloc[train], y[train])
    return recorder.aggregate([], [])


def test_the_recorder_scores_pooled_out_of_fold_predictions_and_keeps_the_best() -> None:
    y = np.repeat([0, 1, 2], 10)
    frame = pd.DataFrame({"x": np.arange(30.0)})
    splits = make_splits(y, True, n_folds=5, seed=0)
    recorder = Recorder("classification", "accuracy", splits, 3, 1.0, n_learners=1)
    loss, metrics = run_trial(recorder, frame, y, Constant([0.2, 0.5, 0.3]))  # always class 1
    assert metrics["accuracy"] == pytest.approx(1 / 3) and loss == pytest.approx(2 / 3)
    assert metrics["oof"] == "1" and set(metrics) >= {"AUC_weighted", "norm_macro_recall"}
    # a model that never saw class 2 (classes_ [0, 1]) gets a zero column for it
    loss, metrics = run_trial(recorder, frame, y, Constant([0.6, 0.4], classes=[0, 1]))
    assert metrics["accuracy"] == pytest.approx(1 / 3) and recorder.kept["2"].prediction.shape == (30, 3)
    for _ in range(5):
        run_trial(recorder, frame, y, Constant([0.1, 0.1, 0.8]))
    assert len(recorder.kept) == recorder.keep_per_learner  # the best few of each learner
    restored = pickle.loads(pickle.dumps(recorder))  # noqa: S301 - our own object
    assert len(pickle.dumps(recorder)) < 2_000 and restored.kept == {}  # no rows are pickled with the metric


def test_the_recorder_refuses_rows_that_are_not_the_engines_split() -> None:
    y = np.repeat([0, 1], 10)
    splits = make_splits(y, True, n_folds=2, seed=0)
    recorder = Recorder("classification", "accuracy", splits, 2, 1.0, n_learners=1)
    shuffled = pd.DataFrame({"x": np.arange(20.0)}).sample(frac=1.0, random_state=1)
    with pytest.raises(RuntimeError, match="not the engine's split"):
        recorder(shuffled.iloc[:10], y[:10], Constant([0.5, 0.5]), [0, 1], None, None)


def test_greedy_selection_mixes_complementary_candidates() -> None:
    y = np.array([0, 0, 1, 1])
    left = np.array([[0.9, 0.1], [0.9, 0.1], [0.6, 0.4], [0.6, 0.4]])  # right on class 0 only
    right = np.array([[0.4, 0.6], [0.4, 0.6], [0.1, 0.9], [0.1, 0.9]])  # right on class 1 only
    weights = select([left, right], np.arange(4), log_loss(y))
    assert weights[0] > 0 and weights[1] > 0
    assert blend([left, right], weights).argmax(axis=1).tolist() == [0, 0, 1, 1]


def test_cross_fitted_ensemble_of_noise_stays_at_chance_where_in_sample_selection_does_not() -> None:
    rng = np.random.default_rng(0)
    n = 400
    y = rng.permutation(np.repeat([0, 1], n // 2))
    candidates = [rng.dirichlet([0.5, 0.5], n) for _ in range(12)]  # predictions that know nothing about y
    parts = [np.arange(n)[i::10] for i in range(10)]
    loss = log_loss(y)
    in_sample = blend(candidates, select(candidates, np.arange(n), loss))
    held_out, _ = cross_fitted(candidates, parts, loss)
    in_sample_hits = int(np.sum(in_sample.argmax(axis=1) == y))
    held_out_hits = int(np.sum(held_out.argmax(axis=1) == y))
    assert in_sample_hits > held_out_hits  # choosing weights on the scored rows flatters the ensemble
    assert held_out_hits <= binom.ppf(1 - 1e-4, n, 0.5)  # the cross-fitted score is a chance-level score


def test_the_voting_ensemble_averages_its_members_by_weight() -> None:
    frame = pd.DataFrame({"x": [1.0, 2.0]})
    ensemble = VotingEnsemble([(3.0, Constant([0.9, 0.1])), (1.0, Constant([0.0, 1.0]))], n_classes=2)
    assert ensemble.predict_proba(frame).tolist() == [[0.675, 0.325], [0.675, 0.325]]
    assert ensemble.predict(frame).tolist() == [0, 0] and ensemble.model is ensemble
    assert ensemble.classes_.tolist() == [0, 1]

    class Linear:
        def __init__(self, value: float) -> None:
            self.value = value

        def predict(self, X: pd.DataFrame) -> np.ndarray:
            return np.full(len(X), self.value)

    regression = VotingEnsemble([(1.0, Linear(10.0)), (3.0, Linear(2.0))], n_classes=None)
    assert regression.predict(frame).tolist() == [4.0, 4.0]


def test_bagged_selection_averages_normalised_weights_over_halves_of_the_candidates() -> None:
    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 200)
    candidates = [np.clip(np.eye(2)[y] * 0.3 + rng.dirichlet([1, 1], 200), 0, None) for _ in range(6)]
    candidates = [c / c.sum(axis=1, keepdims=True) for c in candidates]
    rows = np.arange(200)
    weights = select_bagged(candidates, rows, log_loss(y), seed=5)
    assert weights.shape == (6,) and np.all(weights >= 0) and weights.sum() == pytest.approx(1.0)
    assert np.array_equal(weights, select_bagged(candidates, rows, log_loss(y), seed=5))  # seeded
    two = select_bagged(candidates[:2], rows, log_loss(y))  # too few to bag: plain selection
    assert two.sum() == pytest.approx(1.0)


def test_a_mix_replaces_the_best_single_trial_only_when_its_gain_exceeds_one_standard_error() -> None:
    rng = np.random.default_rng(0)
    single = rng.exponential(1.0, 400)  # per-row losses of the best single trial
    assert not clearly_better(single, single)  # no gain
    assert clearly_better(single, single - 0.2)  # every row gains
    noise = rng.normal(0.0, 1.0, 400)
    assert not clearly_better(single, single - 0.01 + noise)  # a mean gain of 0.01 in noise of 0.05 (one SE)
    assert clearly_better(single, single - 0.3 + noise)  # a gain of six standard errors
    assert not clearly_better(single[:1], single[:1] - 1.0)  # one row measures no noise


class Lookup:
    """A fitted 'model' predicting given class probabilities per row (by the frame's index)."""

    def __init__(self, proba: np.ndarray) -> None:
        self.proba = proba
        self.classes_ = np.arange(proba.shape[1])

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        return self.proba[np.asarray(X.index)]


def ensemble_of(candidates: list[np.ndarray], y: np.ndarray) -> dict[str, Any] | None:
    from domain.automl.local.search import build_ensemble

    frame = pd.DataFrame({"x": np.arange(float(len(y)))})
    splits = make_splits(y, True, n_folds=5, seed=0)
    recorder = Recorder("classification", "accuracy", splits, 2, 1.0, n_learners=2)
    records = []
    for record_id, proba in enumerate(candidates):
        loss, metrics = run_trial(recorder, frame, y, Lookup(proba))  # type: ignore[arg-type]
        learner = "lr" if record_id == 0 else "knn"
        records.append({"record_id": record_id, "learner": learner, "validation_loss": loss, "logged_metric": metrics})
    plan = {"primary_metric": "accuracy", "task": "classification", "seed": 0}
    return build_ensemble(plan, recorder, splits, records, 0.0)


def test_an_ensemble_no_better_than_its_best_trial_is_that_trial_alone() -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 50)
    right = np.where(y[:, None] == np.arange(2), 0.8, 0.2)  # right on every row
    noisy = np.clip(right + rng.normal(0, 0.3, right.shape), 0.01, 0.99)
    noisy /= noisy.sum(axis=1, keepdims=True)
    voting = ensemble_of([right, noisy], y)
    assert voting is not None and voting["config"]["ensembled_iterations"] == [0]
    assert voting["config"]["ensemble_weights"] == [1.0]
    assert voting["logged_metric"]["accuracy"] == 1.0 and "oof" not in voting["logged_metric"]


def test_an_ensemble_clearly_better_than_its_best_trial_mixes() -> None:
    y = np.repeat([0, 1], 50)
    left = np.where(y[:, None] == 0, [0.9, 0.1], [0.6, 0.4])  # always class 0: right on class 0's rows only
    right = np.where(y[:, None] == 0, [0.4, 0.6], [0.1, 0.9])  # always class 1: right on class 1's rows only
    voting = ensemble_of([left, right], y)
    assert voting is not None and sorted(voting["config"]["ensembled_iterations"]) == [0, 1]
    assert voting["logged_metric"]["accuracy"] == 1.0
