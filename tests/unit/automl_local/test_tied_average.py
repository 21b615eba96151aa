"""The VotingEnsemble's fallback when no weighted mix is clearly better: the best trial's statistical ties of one
learner, averaged with equal weights (ensemble.tied_with_best), scored on their averaged out-of-fold predictions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from domain.automl.local.ensemble import tied_with_best
from domain.automl.local.oof import Recorder
from domain.automl.local.validation import make_splits


class Lookup:
    """A fitted 'model' predicting given class probabilities per row (by the frame's index)."""

    def __init__(self, proba: np.ndarray) -> None:
        self.proba = proba
        self.classes_ = np.arange(proba.shape[1])

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        rows: np.ndarray = self.proba[np.asarray(X.index)]
        return rows


def run_trial(recorder: Recorder, frame: pd.DataFrame, y: np.ndarray, model: Lookup) -> tuple[float, dict[str, Any]]:
    for train, val in recorder.folds:
        recorder(frame.iloc[val], y[val], model, [0, 1], frame.iloc[train], y[train])
    return recorder.aggregate([], [])


def errors(wrong: range, n: int = 200) -> np.ndarray:
    losses = np.zeros(n)
    losses[list(wrong)] = 1.0
    return losses


def test_ties_in_the_primary_metric_go_to_the_lowest_smooth_loss_and_its_learners_ties_are_averaged() -> None:
    rng = np.random.default_rng(0)
    primary = [errors(range(10)), errors(range(1, 12)), errors(range(9, 21)), errors(range(10)), errors(range(60))]
    base = rng.exponential(0.3, 200)
    wobble = np.where(np.arange(200) % 2 == 0, 0.1, -0.09)  # mean +0.005, well within one standard error
    smooth = [base + 0.2, base, base + wobble, base + 0.001, base]
    learners = ["lr", "lr", "lr", "knn", "lr"]
    # trials 1 and 2 (one and two rows worse than the best, within one standard error) and 3 are the best's ties;
    # trial 1 has the lowest log loss of them: the anchor. Trial 2 is within noise of it in log loss too; trial 0
    # (the best) is clearly worse in log loss, trial 3 is another learner, trial 4 has the anchor's log loss but 50
    # more errors than the best: no tie
    tied = tied_with_best(primary, smooth, learners)
    assert tied == [1, 2]


def test_a_best_trial_without_ties_stays_alone() -> None:
    primary = [errors(range(10)), errors(range(60))]
    smooth = [np.full(200, 0.2), np.full(200, 0.1)]
    assert tied_with_best(primary, smooth, ["lr", "lr"]) == [0]


def voting_of(candidates: list[np.ndarray], learners: list[str], y: np.ndarray) -> dict[str, Any] | None:
    from domain.automl.local.search import build_ensemble

    frame = pd.DataFrame({"x": np.arange(float(len(y)))})
    splits = make_splits(y, True, n_folds=5, seed=0)
    recorder = Recorder("classification", "accuracy", splits, 2, 1.0, n_learners=2)
    records = []
    for record_id, (proba, learner) in enumerate(zip(candidates, learners, strict=True)):
        loss, metrics = run_trial(recorder, frame, y, Lookup(proba))
        records.append({"record_id": record_id, "learner": learner, "validation_loss": loss, "logged_metric": metrics})
    plan = {"primary_metric": "accuracy", "task": "classification", "seed": 0}
    return build_ensemble(plan, recorder, splits, records, 0.0)


def test_near_identical_configs_of_one_learner_are_averaged_with_their_own_held_out_score() -> None:
    y = np.repeat([0, 1], 100)
    right = np.where(np.arange(200) % 2 == 0, 0.8, 0.7**2 / 0.8)  # log loss -log(0.7) +- the same step per row
    first = np.where(y == 1, 0.7, 0.3)
    second = np.where(y == 1, right, 1 - right)
    first[:10] = second[:10] = 0.6  # ten rows of class 0 wrong in both
    candidates = [np.column_stack([1 - p, p]) for p in (first, second)]
    voting = voting_of(candidates, ["lr", "lr"], y)
    assert voting is not None
    assert sorted(voting["config"]["ensembled_iterations"]) == [0, 1]
    assert voting["config"]["ensemble_weights"] == [0.5, 0.5]
    averaged = (candidates[0] + candidates[1]) / 2
    assert voting["logged_metric"]["accuracy"] == float(np.mean(averaged.argmax(axis=1) == y))
    # the same predictions from two learners are no configurations of one learner: the best trial stays alone
    alone = voting_of(candidates, ["lr", "knn"], y)
    assert alone is not None and len(alone["config"]["ensembled_iterations"]) == 1
