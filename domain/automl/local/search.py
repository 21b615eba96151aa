"""One search (worker process only): the engine's splits, FLAML over them, the VotingEnsemble, the final model.

FLAML drives the search (cost-aware learner choice, hyperparameter search, trial log) with the engine's settings:
our splits as a fixed splitter (`eval_method="cv"`, a holdout is a one-fold split), `auto_augment=False` (FLAML would
duplicate rows of small classes), our metric hooks (oof.Recorder: Azure's metrics on pooled out-of-fold predictions),
our learners next to FLAML's, and, when `max_trials` allows, the last trial is the VotingEnsemble of the best kept
trials (ensemble.py), appended to the trial log like any trial. The final model is the best trial (or the ensemble)
refit on all rows.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from domain.automl.local import ensemble
from domain.automl.local.jobdir import read_jsonl
from domain.automl.local.learners import CUSTOM
from domain.automl.local.mapping import azure_algorithm
from domain.automl.local.model import LocalModel, fit_config
from domain.automl.local.oof import Kept, Recorder
from domain.automl.local.validation import FixedSplitter, Splits, make_splits
from domain.automl.local.worker_metrics import search_loss

ENSEMBLE_MIN_TRIALS = 3  # with fewer allowed trials every trial goes to the search
ENSEMBLE_TIME_SHARE = 0.15  # of the time budget, kept for the ensemble and the final fits


@dataclass
class Outcome:
    model: LocalModel | None
    best: dict[str, Any] | None
    splits: Splits
    records: list[dict[str, Any]] = field(default_factory=list)


def records_of(path: Path) -> list[dict[str, Any]]:
    return [r for r in read_jsonl(path) if "record_id" in r]


def plan_splits(plan: dict[str, Any], y: Any) -> Splits:
    validation = plan.get("validation") or {}
    folds, share = validation.get("n_cross_validations"), validation.get("validation_size")
    if not validation and plan.get("eval_method") == "holdout":  # a plan written before the engine owned its splits
        share = plan.get("split_ratio")
    elif not validation:
        folds = plan.get("n_splits")
    return make_splits(
        y, plan["task"] == "classification", n_folds=folds, validation_size=share, seed=int(plan.get("seed", 0))
    )


def _search_settings(plan: dict[str, Any], splits: Splits, recorder: Recorder, log_path: Path) -> dict[str, Any]:
    trials = int(plan["max_iter"])
    with_ensemble = trials >= ENSEMBLE_MIN_TRIALS and len(plan["estimator_list"]) > 0
    budget = float(plan["time_budget"])
    settings: dict[str, Any] = {
        "task": plan["task"],
        "metric": recorder,
        "cv_score_agg_func": recorder.aggregate,
        "eval_method": "cv",
        "split_type": FixedSplitter(splits),
        "auto_augment": False,
        "estimator_list": plan["estimator_list"],
        "time_budget": budget * (1 - ENSEMBLE_TIME_SHARE) if with_ensemble else budget,
        "max_iter": trials - 1 if with_ensemble else trials,
        "n_jobs": 1,
        "seed": plan["seed"],
        "log_type": "all",
        "log_file_name": str(log_path),
        "mlflow_logging": False,
        "verbose": 0,
        "keep_search_state": True,  # final_model fits ensemble members on FLAML's prepared rows
    }
    if plan.get("starting_points"):
        settings["starting_points"] = plan["starting_points"]
    if plan.get("train_time_limit") is not None:
        settings["train_time_limit"] = plan["train_time_limit"]
    return settings


def run(
    plan: dict[str, Any],
    X: Any,
    y: Any,
    log_path: Path,
    say: Callable[[str], None],
    on_splits: Callable[[Splits], None] | None = None,
) -> Outcome:
    """Search, ensemble, refit; `say` writes a line to the job's log. Raises whatever stops the search."""
    from flaml.automl import AutoML

    X = X.reset_index(drop=True)
    y = y.reset_index(drop=True)
    splits = plan_splits(plan, y)
    if on_splits is not None:
        on_splits(splits)
    say(f"Validation: {splits.describe()}")
    for warning in splits.warnings:
        say(f"Warning: {warning}")
    classification = plan["task"] == "classification"
    n_classes = int(y.nunique()) if classification else 0
    target_range = 1.0 if classification else float(y.max() - y.min())
    recorder = Recorder(
        plan["task"], plan["primary_metric"], splits, n_classes, target_range, len(plan["estimator_list"])
    )
    automl = AutoML()  # type: ignore[no-untyped-call]
    for name in plan["estimator_list"]:
        if name in CUSTOM:
            automl.add_learner(name, CUSTOM[name])  # type: ignore[no-untyped-call]
    settings = _search_settings(plan, splits, recorder, log_path)
    started = time.monotonic()
    automl.fit(X, y, **settings)
    records = records_of(log_path)
    if settings["max_iter"] < int(plan["max_iter"]):
        voting = build_ensemble(plan, recorder, splits, records, time.monotonic() - started)
        if voting is not None:
            with open(log_path, "a") as out:
                out.write(json.dumps(voting) + "\n")
            records.append(voting)
            config = voting["config"]
            say(f"VotingEnsemble of trials {config['ensembled_iterations']}, weights {config['ensemble_weights']}")
    finite = [r for r in records if np.isfinite(r["validation_loss"])]
    if not finite or automl.model is None:
        return Outcome(None, None, splits, records)
    best = min(finite, key=lambda r: r["validation_loss"])
    return Outcome(final_model(automl, best, {r["record_id"]: r for r in records}, n_classes), best, splits, records)


def build_ensemble(
    plan: dict[str, Any], recorder: Recorder, splits: Splits, records: list[dict[str, Any]], elapsed: float
) -> dict[str, Any] | None:
    """The VotingEnsemble trial record (cross-fitted score), or None without two kept trials to choose from: a
    weighted mix when it is clearly better than the best trial, else the equal-weight average of the best trial's
    statistical ties of one learner, else (like Azure's) that trial alone. It is the run's best only when its own
    held-out score is."""
    started = time.monotonic()
    by_key = {str((r.get("logged_metric") or {}).get("oof")): r for r in records}
    kept = sorted((k for k in recorder.kept.values() if k.key in by_key), key=lambda k: k.loss)
    kept = kept[: ensemble.MAX_CANDIDATES]
    if len(kept) < 2:
        return None
    predictions = [k.prediction for k in kept]
    truth = recorder.truth
    primary = plan["primary_metric"]
    classification = plan["task"] == "classification"
    y_eval = truth.astype(int) if classification else truth

    def row_losses(rows: np.ndarray, blended: np.ndarray) -> np.ndarray:
        """Weights are chosen by a smooth proper score (log loss, squared error), not by a step metric such as
        accuracy whose ties give greedy selection nothing to follow; the ensemble is then scored like any trial."""
        y = y_eval[rows]
        if classification:
            losses: np.ndarray = -np.log(np.clip(blended[np.arange(len(y)), y.astype(int)], 1e-15, 1.0))
            return losses
        return np.asarray((blended - y) ** 2, dtype=np.float64)

    def loss(rows: np.ndarray, blended: np.ndarray) -> float:
        return float(np.mean(row_losses(rows, blended)))

    parts = _parts(splits, recorder.rows, int(plan.get("seed", 0)))
    held_out, weights = ensemble.cross_fitted(predictions, parts, loss, seed=int(plan.get("seed", 0)))
    # the mix is kept only when it beats the best trial by more than the noise of the rows it is measured on;
    # otherwise the best trial's statistical ties of one learner are averaged (ensemble.tied_with_best)
    everything = np.arange(len(truth))
    judged = _primary_row_losses(primary, y_eval) or (lambda p: row_losses(everything, p))
    if ensemble.clearly_better(judged(predictions[0]), judged(held_out)):
        chosen = [(by_key[k.key], float(w)) for k, w in zip(kept, weights, strict=True) if w > 0]
    else:
        tied = ensemble.tied_with_best(
            [judged(p) for p in predictions],
            [row_losses(everything, p) for p in predictions],
            [by_key[k.key]["learner"] for k in kept],
        )
        if len(tied) < 2:
            return _single(kept[0], by_key[kept[0].key], recorder.names, records, plan, elapsed, started)
        held_out = ensemble.blend([predictions[i] for i in tied], np.ones(len(tied)))  # no weights fitted: held out
        chosen = [(by_key[kept[i].key], 1.0) for i in tied]
    try:
        metrics = recorder.score(held_out)
    except ValueError:
        return None
    return {
        "record_id": max(int(r["record_id"]) for r in records) + 1,
        "iter_per_learner": 1,
        "logged_metric": metrics,
        "trial_time": time.monotonic() - started,
        "wall_clock_time": elapsed + time.monotonic() - started,
        "validation_loss": search_loss(primary, metrics, y_eval, held_out),
        # Azure's VotingEnsemble properties: the trials it averages, their algorithms and weights
        "config": {
            "ensembled_iterations": [int(r["record_id"]) for r, _ in chosen],
            "ensembled_algorithms": [azure_algorithm(plan["task"], r["learner"]) for r, _ in chosen],
            "ensemble_weights": [w / sum(w for _, w in chosen) for _, w in chosen],
        },
        "learner": ensemble.ENSEMBLE_LEARNER,
        "sample_size": len(truth),
    }


def _primary_row_losses(primary: str, y: np.ndarray) -> Callable[[np.ndarray], np.ndarray] | None:
    """Per-row losses whose mean orders predictions as `primary` does (accuracy: errors; R² and normalised RMSE:
    squared errors; normalised MAE: absolute errors), or None when the metric does not split by row (AUC, recall,
    precision, Spearman): the ensemble is then judged by the smooth loss its weights were chosen by."""
    if primary == "accuracy":
        return lambda p: (p.argmax(axis=1) != y).astype(np.float64)
    if primary in ("r2_score", "normalized_root_mean_squared_error"):
        return lambda p: np.asarray((p - y) ** 2, dtype=np.float64)
    if primary == "normalized_mean_absolute_error":
        return lambda p: np.abs(np.asarray(p, dtype=np.float64) - y)
    return None


def _single(
    kept: Kept,
    member: dict[str, Any],
    names: tuple[str, ...],
    records: list[dict[str, Any]],
    plan: dict[str, Any],
    elapsed: float,
    started: float,
) -> dict[str, Any]:
    """The VotingEnsemble of the best kept trial alone (Azure's ensemble can be a single iteration too), when no mix
    is clearly better (ensemble.clearly_better): it is that trial's model, with that trial's scores and loss, so the
    trial itself (listed first) stays the run's best."""
    return {
        "record_id": max(int(r["record_id"]) for r in records) + 1,
        "iter_per_learner": 1,
        "logged_metric": {name: member["logged_metric"][name] for name in names},
        "trial_time": time.monotonic() - started,
        "wall_clock_time": elapsed + time.monotonic() - started,
        "validation_loss": member["validation_loss"],
        "config": {
            "ensembled_iterations": [int(member["record_id"])],
            "ensembled_algorithms": [azure_algorithm(plan["task"], member["learner"])],
            "ensemble_weights": [1.0],
        },
        "learner": ensemble.ENSEMBLE_LEARNER,
        "sample_size": len(kept.prediction),
    }


def _parts(splits: Splits, rows: np.ndarray, seed: int) -> list[np.ndarray]:
    """Validation parts in positions of `rows`: the folds' validation rows, or a holdout's rows in fifths."""
    position = {int(r): i for i, r in enumerate(rows)}
    if splits.kind == "cv":
        return [np.array([position[int(r)] for r in val]) for _, val in splits.folds]
    order = np.random.default_rng(seed).permutation(len(rows))
    return [part for part in np.array_split(order, 5) if len(part)]


def final_model(automl: Any, best: dict[str, Any], records: dict[int, dict[str, Any]], n_classes: int) -> LocalModel:
    """The best trial refit on all rows: FLAML's own refit of its best config, the other members fitted here."""
    task = automl._state.task
    Xt, yt = automl._X_train_all, automl._y_train_all
    flaml_best = (automl.best_estimator, automl.best_config)

    def fitted(record: dict[str, Any]) -> Any:
        from flaml.automl.state import AutoMLState

        if (record["learner"], AutoMLState.sanitize(record["config"])) == flaml_best:
            return automl.model
        return fit_config(task, record["learner"], record["config"], Xt, yt)

    if best["learner"] == ensemble.ENSEMBLE_LEARNER:
        members = [
            (float(w), fitted(records[int(r)]))
            for r, w in zip(best["config"]["ensembled_iterations"], best["config"]["ensemble_weights"], strict=True)
        ]
        estimator: Any = ensemble.VotingEnsemble(members, n_classes or None)
    else:
        estimator = fitted(best)
    return LocalModel(automl._transformer, automl._label_transformer, estimator, best["learner"])
