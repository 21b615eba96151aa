"""Local batch scoring: rows per second and peak memory of a batch job over 100,000 rows (and over 10,000, to show
that memory does not grow with the rows: the worker reads, scores and writes chunks of 5,000).

Trains one model with the local engine (breast cancer, 30 numeric columns; private in-memory Azurite, temp work dir),
registers it, builds a CSV of N rows (the dataset's rows resampled with a little noise) in the datasets container,
and runs `start_batch_score` as the app's orchestration does, polling until it ends. Figures: the job's wall time
(start to Completed, as a user waits), the worker's own scoring time (started to ended, from its status), rows per
second of each, the worker's peak resident memory (VmHWM), and the CSV sizes. Prints one JSON document.

    .venv/bin/python bench/batch.py
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from devhost.azurite import start_azurite
from domain.automl.local import batch
from domain.automl.local.backend import LocalAutoMLBackend
from domain.automl.local.blobs import download_bytes, split_blob_path, upload_bytes
from domain.automl.local.jobdir import read_json
from domain.entities.automl import DatasetVersionRef, Limits, ModelRef, Task, TrainingSpec, Validation, job_name_for
from domain.entities.batch import BatchJobStatus
from domain.settings import Settings, load_settings

TENANT = "bench"
SIZES = (10_000, 100_000)


def table(rows: int, seed: int = 0) -> tuple[bytes, list[str]]:
    import numpy as np
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(data.data), rows)
    values = data.data[pick] * rng.normal(1.0, 0.02, (rows, data.data.shape[1]))
    names = [n.replace(" ", "_") for n in data.feature_names]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*names, "diagnosis"])
    for x, y in zip(values, data.target[pick], strict=True):
        writer.writerow([*(f"{v:.5g}" for v in x), data.target_names[y]])
    return out.getvalue().encode(), names


def train(backend: LocalAutoMLBackend, settings: Settings) -> ModelRef:
    data, _ = table(569)
    upload_bytes(settings, settings.datasets_container, "bench/train.csv", data)
    ref = DatasetVersionRef(dataset_id="train", version=1, blob_path=f"{settings.datasets_container}/bench/train.csv")
    spec = TrainingSpec(
        tenant=TENANT, run_id="batch", experiment_id="bench", task=Task.CLASSIFICATION, dataset=ref,
        target_column="diagnosis", primary_metric="accuracy", limits=Limits(timeout_minutes=1, max_trials=6),
        validation=Validation(n_cross_validations=3), seed=1,
    )  # fmt: skip
    backend.submit_job(spec)
    while not (info := backend.get_job(TENANT, spec.job_name)).status.terminal:
        time.sleep(0.2)
    if info.error:
        raise RuntimeError(f"training failed: {info.error}")
    return backend.register_model(TENANT, spec.job_name, name="batch")


def seconds(status: dict[str, Any]) -> float:
    return (datetime.fromisoformat(status["ended_at"]) - datetime.fromisoformat(status["started_at"])).total_seconds()


def score(backend: LocalAutoMLBackend, settings: Settings, model: ModelRef, rows: int) -> dict[str, Any]:
    data, _ = table(rows, seed=rows)
    blob = f"bench/score-{rows}.csv"
    upload_bytes(settings, settings.datasets_container, blob, data)
    ref = DatasetVersionRef(dataset_id=f"score{rows}", version=1, blob_path=f"{settings.datasets_container}/{blob}")
    output = f"{settings.datasets_container}/{TENANT}/batch/b{rows}/predictions.csv"
    name = f"batch-b{rows}"
    backend.register_dataset(TENANT, ref)  # the dataset's local copy, as a run's first step would have made it
    started = time.perf_counter()
    backend.start_batch_score(TENANT, name, model, ref, output, rows)
    while not (state := backend.get_batch_score(TENANT, name)).status.terminal:
        time.sleep(0.05)
    wall = time.perf_counter() - started
    if state.status is not BatchJobStatus.COMPLETED:
        raise RuntimeError(f"batch job {name}: {state.status} {state.error}")
    status = read_json(batch.job_dir(settings.local_automl_workdir, TENANT, name).status)
    produced = download_bytes(settings, *split_blob_path(output))
    lines = produced.count(b"\n") - 1
    if lines != rows or state.rows_done != rows:
        raise RuntimeError(f"{rows} rows in, {lines} rows out ({state.rows_done} counted)")
    worker = seconds(status)
    return {
        "rows": rows,
        "wall_s": round(wall, 2),
        "rows_per_s_wall": round(rows / wall),
        "worker_s": round(worker, 2),
        "rows_per_s_worker": round(rows / worker),
        "peak_rss_mb": round(state.peak_rss_bytes / 2**20, 1) if state.peak_rss_bytes else None,
        "input_mb": round(len(data) / 2**20, 1),
        "output_mb": round(len(produced) / 2**20, 1),
        "output_columns": len(state.columns),
    }


def main() -> None:
    azurite = start_azurite(in_memory=True)
    workdir = tempfile.mkdtemp(prefix="bench-batch-")
    settings = load_settings(
        {"DATA_STORAGE_CONNECTION_STRING": azurite.connection_string, "LOCAL_AUTOML_WORKDIR": workdir}
    )
    backend = LocalAutoMLBackend(settings)
    try:
        model = train(backend, settings)
        results = [score(backend, settings, model, n) for n in SIZES]
    finally:
        for n in SIZES:
            backend.delete_batch_score(TENANT, f"batch-b{n}")
        backend.delete_job(TENANT, job_name_for(TENANT, "batch"))
        azurite.stop()
    from domain.automl.local.batch_worker import CHUNK_ROWS

    largest = results[-1]
    print(
        json.dumps(
            {
                "benchmark": "local batch scoring (breast cancer model, 30 numeric columns, 2 classes)",
                "chunk_rows": CHUNK_ROWS,
                "jobs": results,
                "rows_per_s_100k": largest["rows_per_s_wall"],
                "peak_rss_mb_100k": largest["peak_rss_mb"],
                "peak_rss_growth_10k_to_100k_mb": round(largest["peak_rss_mb"] - results[0]["peak_rss_mb"], 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
