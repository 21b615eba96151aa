"""Local online endpoints: memory per extra deployment and score latency, through the `AutoMLBackend` port.

Trains one small model per scikit-learn dataset with the local engine (private in-memory Azurite, temp work dir),
registers each, deploys them one by one to one endpoint and measures the scoring processes (every process running
`domain.automl.local.scorer` for this work dir): RSS and PSS with 1 deployment and with N, deploy-to-ready time,
the first score after a cold load and warm 1-row score latency. Prints one JSON document.

    .venv/bin/python bench/serving.py
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
from domain.automl.local.blobs import download_bytes, split_blob_path, upload_bytes
from domain.entities.automl import (
    DatasetVersionRef,
    Limits,
    ModelRef,
    ProvisioningState,
    Task,
    TrainingSpec,
    Validation,
)
from domain.settings import load_settings

DATASETS = ("iris", "wine", "breast_cancer", "diabetes")
TENANT, ENDPOINT = "bench", "serving"
WARM_CALLS = 40


def scoring_processes(workdir: str) -> list[int]:
    """Every live process running the scoring module for this work dir (found by its command line)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            argv = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if "domain.automl.local.scorer" in argv and any(workdir in a for a in argv):
            pids.append(int(proc.name))
    return pids


def memory_mb(pids: list[int]) -> dict[str, float]:
    """Summed RSS and PSS (proportional share: shared library pages split between the processes using them)."""
    rss = pss = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss += int(line.split()[1])
            elif line.startswith("Pss:"):
                pss += int(line.split()[1])
    return {"processes": len(pids), "rss_mb": round(rss / 1024, 1), "pss_mb": round(pss / 1024, 1)}


def test_rows(name: str) -> tuple[list[dict[str, Any]], Any, Task]:
    from sklearn import datasets

    frame = getattr(datasets, f"load_{name}")(as_frame=True).frame
    task = Task.REGRESSION if name == "diabetes" else Task.CLASSIFICATION
    return frame.drop(columns=["target"]).to_dict("records"), frame, task


def train_models(backend: LocalAutoMLBackend) -> dict[str, tuple[ModelRef, list[dict[str, Any]]]]:
    """One small FLAML job per dataset (two at a time), each best model registered."""
    settings = backend.settings
    specs, rows = {}, {}
    for name in DATASETS:
        rows[name], frame, task = test_rows(name)
        blob = f"bench/{name}.csv"
        upload_bytes(settings, settings.datasets_container, blob, frame.to_csv(index=False).encode())
        ref = DatasetVersionRef(dataset_id=name, version=1, blob_path=f"{settings.datasets_container}/{blob}")
        specs[name] = TrainingSpec(
            tenant=TENANT, run_id=name, experiment_id="bench", task=task, dataset=ref, target_column="target",
            primary_metric="accuracy" if task is Task.CLASSIFICATION else "r2_score",
            limits=Limits(timeout_minutes=1, max_trials=6), validation=Validation(n_cross_validations=3), seed=1,
        )  # fmt: skip
        backend.submit_job(specs[name])
    models = {}
    for name, spec in specs.items():
        while not (info := backend.get_job(TENANT, spec.job_name)).status.terminal:
            time.sleep(0.2)
        if info.error:
            raise RuntimeError(f"training {name} failed: {info.error}")
        models[name] = (backend.register_model(TENANT, spec.job_name, name=name), rows[name][:5])
    return models


def deploy(backend: LocalAutoMLBackend, name: str, model: ModelRef) -> float:
    started = time.perf_counter()
    backend.create_or_update_deployment(TENANT, ENDPOINT, name, model)
    while (state := backend.get_deployment(TENANT, ENDPOINT, name)).state is ProvisioningState.CREATING:
        time.sleep(0.02)
    if state.state is not ProvisioningState.SUCCEEDED:
        raise RuntimeError(f"deployment {name}: {state.state} {state.error}")
    return time.perf_counter() - started


def timed_score(backend: LocalAutoMLBackend, name: str, rows: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    backend.score(TENANT, ENDPOINT, rows, deployment=name)
    return (time.perf_counter() - started) * 1000


def measure(backend: LocalAutoMLBackend, models: dict[str, tuple[ModelRef, list[dict[str, Any]]]]) -> dict[str, Any]:
    workdir = str(Path(backend.settings.local_automl_workdir).resolve())
    backend.create_or_update_endpoint(TENANT, ENDPOINT)
    ready, first, warm = {}, {}, {}
    memory = {}
    for i, (name, (model, rows)) in enumerate(models.items(), start=1):
        ready[name] = deploy(backend, name, model)
        first[name] = timed_score(backend, name, rows[:1])
        warm[name] = statistics.median(timed_score(backend, name, rows[:1]) for _ in range(WARM_CALLS))
        memory[i] = memory_mb(scoring_processes(workdir))
    n = len(models)
    settings = backend.settings
    sizes = {k: len(download_bytes(settings, *split_blob_path(m.uri))) / 2**20 for k, (m, _) in models.items()}
    per_extra = {k: round((memory[n][k] - memory[1][k]) / (n - 1), 1) for k in ("rss_mb", "pss_mb")}
    mean_model = statistics.mean(sizes.values())
    return {
        "deployments": n,
        "model_pickle_mb": {k: round(v, 2) for k, v in sizes.items()},
        "scoring_memory_with_1": memory[1],
        f"scoring_memory_with_{n}": memory[n],
        "rss_per_extra_deployment_mb": per_extra["rss_mb"],
        "pss_per_extra_deployment_mb": per_extra["pss_mb"],
        "rss_per_extra_deployment_beyond_model_mb": round(per_extra["rss_mb"] - mean_model, 1),
        "deploy_to_ready_s": {k: round(v, 2) for k, v in ready.items()},
        "first_score_after_ready_ms": {k: round(v, 1) for k, v in first.items()},
        "warm_score_1_row_ms_median": {k: round(v, 2) for k, v in warm.items()},
    }


def main() -> None:
    azurite = start_azurite(in_memory=True)
    workdir = tempfile.mkdtemp(prefix="bench-serving-")
    settings = load_settings(
        {
            "DATA_STORAGE_CONNECTION_STRING": azurite.connection_string,
            "LOCAL_AUTOML_WORKDIR": workdir,
            "LOCAL_AUTOML_MAX_CONCURRENT_JOBS": "2",
        }
    )
    backend = LocalAutoMLBackend(settings)
    try:
        models = train_models(backend)
        result = measure(backend, models)
    finally:
        backend.delete_endpoint(TENANT, ENDPOINT)
        for name in DATASETS:
            backend.delete_job(TENANT, f"automl-{TENANT}-{name}")
        azurite.stop()
    result["cores"] = os.cpu_count()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
