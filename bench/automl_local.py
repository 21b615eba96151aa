"""Local AutoML engine vs a plain scikit-learn baseline on scikit-learn's bundled datasets; prints one JSON document.

For each dataset: the same 75/25 split (stratified for classification, random_state=0); the local backend trains on
the 75% (uploaded to a private Azurite) with a fixed trial budget through the `AutoMLBackend` port, the best model is
deployed locally and scores the 25%. The baseline (in this process, same split) cross-validates a fixed set of
default estimators with 5 folds, refits the best and scores the 25%. Also: deployment readiness and score latency.
Run: .venv/bin/python bench/automl_local.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devhost.azurite import start_azurite
from domain.automl.local.backend import LocalAutoMLBackend
from domain.automl.local.blobs import upload_bytes
from domain.entities.automl import DatasetVersionRef, Limits, ProvisioningState, Task, TrainingSpec
from domain.settings import load_settings

DATASETS = ("breast_cancer", "iris", "wine", "diabetes")
MAX_TRIALS = 30


def split(name: str) -> tuple[Any, Any, Task]:
    from sklearn import datasets
    from sklearn.model_selection import train_test_split

    frame = getattr(datasets, f"load_{name}")(as_frame=True).frame
    task = Task.REGRESSION if name == "diabetes" else Task.CLASSIFICATION
    stratify = frame["target"] if task is Task.CLASSIFICATION else None
    train, test = train_test_split(frame, test_size=0.25, random_state=0, stratify=stratify)
    return train, test, task


def held_out(task: Task, truth: Any, predictions: Any) -> float:
    from sklearn.metrics import accuracy_score, r2_score

    return round(
        float(accuracy_score(truth, predictions) if task is Task.CLASSIFICATION else r2_score(truth, predictions)), 4
    )


def baseline(train: Any, test: Any, task: Task) -> dict[str, Any]:
    from sklearn.ensemble import (
        HistGradientBoostingClassifier,
        HistGradientBoostingRegressor,
        RandomForestClassifier,
        RandomForestRegressor,
    )
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.model_selection import cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    started = time.perf_counter()
    X, y = train.drop(columns=["target"]), train["target"]
    if task is Task.CLASSIFICATION:
        candidates = {
            "LogisticRegression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)),
            "RandomForest": RandomForestClassifier(n_estimators=200, random_state=0, n_jobs=1),
            "HistGradientBoosting": HistGradientBoostingClassifier(random_state=0),
        }
        scoring = "accuracy"
    else:
        candidates = {
            "Ridge": make_pipeline(StandardScaler(), Ridge()),
            "RandomForest": RandomForestRegressor(n_estimators=200, random_state=0, n_jobs=1),
            "HistGradientBoosting": HistGradientBoostingRegressor(random_state=0),
        }
        scoring = "r2"
    cv = {
        name: float(cross_val_score(m, X, y, cv=5, scoring=scoring, n_jobs=1).mean()) for name, m in candidates.items()
    }
    best = max(cv, key=lambda n: cv[n])
    model = candidates[best].fit(X, y)
    score = held_out(task, test["target"], model.predict(test.drop(columns=["target"])))
    return {
        "best": best,
        "cv": round(cv[best], 4),
        "held_out": score,
        "wall_s": round(time.perf_counter() - started, 2),
    }


def wait_ready(backend: LocalAutoMLBackend, tenant: str, deployment: str) -> None:
    while backend.get_deployment(tenant, "bench", deployment).state is ProvisioningState.CREATING:
        time.sleep(0.05)


def local_engine(backend: LocalAutoMLBackend, name: str, train: Any, test: Any, task: Task) -> dict[str, Any]:
    settings = backend.settings
    upload_bytes(settings, settings.datasets_container, f"bench/{name}.csv", train.to_csv(index=False).encode())
    ref = DatasetVersionRef(dataset_id=name, version=1, blob_path=f"{settings.datasets_container}/bench/{name}.csv")
    metric = "accuracy" if task is Task.CLASSIFICATION else "r2_score"
    spec = TrainingSpec(
        tenant="bench", run_id=name, experiment_id="bench", task=task, dataset=ref, target_column="target",
        primary_metric=metric, limits=Limits(timeout_minutes=2, max_trials=MAX_TRIALS), seed=1,
    )  # fmt: skip
    started = time.perf_counter()
    backend.submit_job(spec)
    while not (info := backend.get_job("bench", spec.job_name)).status.terminal:
        time.sleep(0.1)
    wall = time.perf_counter() - started
    model = backend.register_model("bench", spec.job_name, name=name)
    started = time.perf_counter()
    backend.create_or_update_deployment("bench", "bench", name, model)
    wait_ready(backend, "bench", name)
    ready = time.perf_counter() - started
    rows = test.drop(columns=["target"]).to_dict("records")
    predictions = backend.score("bench", "bench", rows, deployment=name)
    one_row = []
    for row in rows[:30]:
        t0 = time.perf_counter()
        backend.score("bench", "bench", [row], deployment=name)
        one_row.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    backend.score("bench", "bench", rows, deployment=name)
    all_rows_ms = (time.perf_counter() - t0) * 1000
    best = next(t for t in backend.list_trials("bench", spec.job_name) if t.trial_id == info.best_trial_id)
    return {
        "status": info.status.value,
        "trials": info.trials_done,
        "best_algorithm": best.algorithm,
        "cv": round(info.best_score or 0.0, 4),
        "held_out": held_out(task, test["target"], predictions),
        "wall_s": round(wall, 2),
        "deployment_ready_s": round(ready, 2),
        "score_1_row_ms_median": round(statistics.median(one_row), 2),
        f"score_{len(rows)}_rows_ms": round(all_rows_ms, 2),
    }


def main() -> None:
    azurite = start_azurite(in_memory=True)
    workdir = tempfile.mkdtemp(prefix="bench-automl-local-")
    settings = load_settings(
        {"DATA_STORAGE_CONNECTION_STRING": azurite.connection_string, "LOCAL_AUTOML_WORKDIR": workdir}
    )
    backend = LocalAutoMLBackend(settings)
    results: dict[str, Any] = {}
    try:
        backend.create_or_update_endpoint("bench", "bench")
        for name in DATASETS:
            train, test, task = split(name)
            results[name] = {
                "metric": "accuracy" if task is Task.CLASSIFICATION else "r2",
                "n_train": len(train),
                "n_test": len(test),
                "local_flaml": local_engine(backend, name, train, test, task),
                "sklearn_baseline": baseline(train, test, task),
            }
    finally:
        backend.delete_endpoint("bench", "bench")
        for name in DATASETS:
            backend.delete_job("bench", f"automl-bench-{name}")
        azurite.stop()
    print(json.dumps({"max_trials": MAX_TRIALS, "cv_folds": 5, "cores": os.cpu_count(), "datasets": results}, indent=2))


if __name__ == "__main__":
    main()
