"""Global feature importance of one trial's model (worker process only): permutation importance on held-out rows.

The trial's configuration (or ensemble) is refit on the training rows of the engine's first split (`splits.json`, saved
by the search: the engine owns its splits) and scored on that split's validation rows, which the refit model never
saw; then each column of the uploaded CSV is shuffled in turn (5 repeats, as scikit-learn's `permutation_importance`
does; that function refuses a model without `fit`) and the mean drop of the score is the column's importance. Columns
are shuffled before the model's own preparation (encoding, one-hot), so importance is per uploaded column, named as in
the CSV. Accuracy for classification, R² otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from domain.automl.local.jobdir import JobDir, read_json, read_jsonl, write_json_atomic

MAX_ROWS = 2000  # held-out rows scored (a random sample beyond)
REPEATS = 5


def held_out(job: JobDir, n_rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(training rows, validation rows) of the first split; a 20 % random holdout when the job saved no splits."""
    saved = read_json(job.path / "splits.json")
    if saved and len(saved["part_of_row"]) == n_rows:
        part = np.asarray(saved["part_of_row"])
        return np.flatnonzero(part != 0), np.flatnonzero(part == 0)
    order = np.random.default_rng(seed).permutation(n_rows)
    cut = max(1, n_rows // 5)
    return np.sort(order[cut:]), np.sort(order[:cut])


def importance(model: Any, X: Any, y: Any, classification: bool, seed: int) -> tuple[str, list[list[Any]]]:
    """Per column: the mean (and spread) over REPEATS shuffles of the score's drop (the model is not refit)."""
    from sklearn.metrics import accuracy_score, r2_score

    metric, score = ("accuracy", accuracy_score) if classification else ("r2_score", r2_score)
    rng = np.random.default_rng(seed)
    baseline = float(score(y, model.predict(X)))
    features = []
    for column in X.columns:
        drops = []
        for _ in range(REPEATS):
            shuffled = X.copy()
            shuffled[column] = X[column].to_numpy()[rng.permutation(len(X))]
            drops.append(baseline - float(score(y, model.predict(shuffled))))
        features.append([str(column), round(float(np.mean(drops)), 6), round(float(np.std(drops)), 6)])
    return metric, features


def explain(job: JobDir, record_id: int, out: Path, load_data: Any) -> None:
    from domain.automl.local.model import fit_trial

    spec = read_json(job.spec)
    plan = spec["plan"]
    seed = int(plan.get("seed", 0))
    X, y = load_data(spec, job)
    train, held = held_out(job, len(X), seed)
    if len(held) > MAX_ROWS:
        held = np.sort(np.random.default_rng(seed).choice(held, MAX_ROWS, replace=False))
    records = {int(r["record_id"]): r for r in read_jsonl(job.trials) if "record_id" in r}
    Xt, yt = X.iloc[train].reset_index(drop=True), y.iloc[train].reset_index(drop=True)
    model = fit_trial(plan["task"], records, record_id, Xt, yt)
    Xv, yv = X.iloc[held].reset_index(drop=True), y.iloc[held].reset_index(drop=True)
    metric, features = importance(model, Xv, yv, plan["task"] == "classification", seed)
    result = {
        "record_id": record_id,
        "method": "permutation",
        "metric": metric,
        "rows": len(held),
        "features": features,
    }
    write_json_atomic(out, result)
