"""The final ensemble, Azure ML's VotingEnsemble (worker process only: numpy).

Ensemble selection (Caruana et al. 2004, what Azure's VotingEnsemble does): start from the best kept trial, then
repeatedly add (with replacement) the kept trial whose addition most improves the averaged out-of-fold predictions
(class probabilities, or predictions for regression; judged by log loss or squared error); the weights are how
often each trial was picked. Bagged (Caruana et al. 2006): the selection runs on random halves of the candidates
and the weights are averaged, which overfits the rows they are chosen on less.

Its score is cross-fitted, so it is a held-out estimate like every trial's: for each validation part (a fold, or a
fifth of a holdout), the weights are chosen on the other rows only and the part is predicted with them. The weights
of the kept ensemble are then chosen on all rows. Which trials are candidates (the best few of each learner) was
decided on all rows: the same winner's curse as reading the best trial of a leaderboard. When no weighted mix is
clearly better than the best trial, the ensemble is the equal-weight average of the best trial's statistical ties of
one learner (`tied_with_best`), or the best trial alone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from domain.automl.local.mapping import ENSEMBLE
from domain.automl.local.worker_metrics import aligned_proba

ENSEMBLE_LEARNER = ENSEMBLE
ITERATIONS = 15
MAX_CANDIDATES = 12
BAGS = 10

Loss = Callable[[np.ndarray, np.ndarray], float]  # (rows, averaged prediction of those rows) -> loss


def select(predictions: Sequence[np.ndarray], rows: np.ndarray, loss: Loss, iterations: int = ITERATIONS) -> np.ndarray:
    """Greedy selection with replacement on `rows`; returns a count per candidate (the best prefix of the picks)."""
    counts = np.zeros(len(predictions), dtype=np.int64)
    total = np.zeros_like(predictions[0][rows], dtype=np.float64)
    best_counts, best_loss = counts.copy(), np.inf
    for step in range(1, iterations + 1):
        trial_losses = [loss(rows, (total + p[rows]) / step) for p in predictions]
        pick = int(np.argmin(trial_losses))
        counts[pick] += 1
        total += predictions[pick][rows]
        if trial_losses[pick] < best_loss - 1e-12:
            best_loss, best_counts = trial_losses[pick], counts.copy()
    return best_counts


def select_bagged(
    predictions: Sequence[np.ndarray], rows: np.ndarray, loss: Loss, bags: int = BAGS, seed: int = 0
) -> np.ndarray:
    """Bagged ensemble selection (Caruana et al. 2006): greedy selection on random halves of the candidates, the
    weights averaged over the bags. Weights fitted to one set of rows overfit them less this way."""
    if len(predictions) <= 2:
        counts = select(predictions, rows, loss).astype(float)
        single: np.ndarray = counts / counts.sum()
        return single
    rng = np.random.default_rng(seed)
    total = np.zeros(len(predictions))
    for _ in range(bags):
        chosen = np.sort(rng.choice(len(predictions), size=(len(predictions) + 1) // 2, replace=False))
        counts = select([predictions[i] for i in chosen], rows, loss).astype(float)
        total[chosen] += counts / counts.sum()
    weights: np.ndarray = total / bags
    return weights


def blend(predictions: Sequence[np.ndarray], weights: np.ndarray) -> np.ndarray:
    chosen = [(float(w), p) for w, p in zip(weights, predictions, strict=True) if w > 0]
    total = np.zeros_like(chosen[0][1], dtype=np.float64)
    for w, p in chosen:
        total += w * p
    return total / sum(w for w, _ in chosen)


def clearly_better(single: np.ndarray, mixed: np.ndarray) -> bool:
    """The one-standard-error rule (Breiman et al. 1984): the mix replaces the best single trial only when its mean
    per-row loss (cross-fitted) is lower by more than one standard error of the paired per-row difference; a smaller
    gain is within the noise of the rows it was measured on, and the simpler model generalises at least as well."""
    gain = np.asarray(single, dtype=np.float64) - np.asarray(mixed, dtype=np.float64)
    if len(gain) < 2:
        return False
    return bool(gain.mean() > gain.std(ddof=1) / np.sqrt(len(gain)))


def tied_with_best(primary: Sequence[np.ndarray], smooth: Sequence[np.ndarray], learners: Sequence[str]) -> list[int]:
    """The trials averaged when no weighted mix is clearly better (positions in the candidate lists; index 0 is the
    best trial by the primary metric). Per-row losses of each trial: `primary` as the primary metric orders them
    (errors for accuracy), `smooth` by a proper score (log loss, squared error). Trials whose primary loss is within
    one standard error of the best's (ensemble.clearly_better: the best does not beat them by more) are ties the
    validated rows cannot tell apart; of those, the one with the lowest smooth loss is the anchor (a proper score ranks
    with less noise than counted errors), and the ties of the anchor's learner within one standard error of it in the
    smooth loss are averaged with equal weights: near-identical configurations of one learner (the regularisation a
    few rows preferred) are averaged rather than the luckiest one picked, which lowers the variance of the choice."""
    ties = [i for i in range(len(primary)) if not clearly_better(primary[i], primary[0])]
    anchor = min(ties, key=lambda i: (float(np.mean(smooth[i])), i))
    same = [i for i in ties if learners[i] == learners[anchor]]
    return [i for i in same if i == anchor or not clearly_better(smooth[i], smooth[anchor])]


def cross_fitted(
    predictions: Sequence[np.ndarray], parts: Sequence[np.ndarray], loss: Loss, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """(held-out ensemble prediction of every row, weights chosen on all rows). `parts` partition the row indices
    0..n-1 of the predictions; each part is predicted with weights chosen on the other parts."""
    n = len(predictions[0])
    out = np.zeros_like(predictions[0], dtype=np.float64)
    everything = np.arange(n)
    for part in parts:
        others = np.setdiff1d(everything, part)
        weights = select_bagged(predictions, others, loss, seed=seed)
        out[part] = blend([p[part] for p in predictions], weights)
    return out, select_bagged(predictions, everything, loss, seed=seed)


class VotingEnsemble:
    """Weighted soft vote of fitted FLAML estimators (one column per class code), or weighted mean for regression.
    Has the estimator interface FLAML's AutoML and the scorer use: predict, predict_proba, classes_, model."""

    def __init__(self, members: list[tuple[float, Any]], n_classes: int | None) -> None:
        self.members = members
        self.n_classes = n_classes

    @property
    def model(self) -> VotingEnsemble:
        return self

    @property
    def classes_(self) -> np.ndarray:
        return np.arange(self.n_classes or 0)

    def predict_proba(self, X: Any) -> np.ndarray:
        assert self.n_classes is not None, "predict_proba() only for classification"
        total = sum(w * aligned_proba(m, X, self.n_classes) for w, m in self.members)
        return np.asarray(total) / sum(w for w, _ in self.members)

    def predict(self, X: Any) -> np.ndarray:
        if self.n_classes is not None:
            return np.asarray(self.predict_proba(X).argmax(axis=1))
        total = sum(w * np.asarray(m.predict(X), dtype=float) for w, m in self.members)
        return np.asarray(total) / sum(w for w, _ in self.members)
