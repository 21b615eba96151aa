"""Local online endpoints: memory per extra deployment and score latency, before and after issue 12, in one run.

Trains one small model per scikit-learn dataset with the local engine (private in-memory Azurite, temp work dirs) and
registers each. Before: one scoring process per deployment (each deployment on a backend of its own, so a scoring
server of its own holding one model). After: every deployment on one endpoint of one backend, one scoring server.
Memory is measured on the processes running `domain.automl.local.scorer` for the side's work dirs, with 1 deployment
and with N; then the first score after a cold load (model unloaded, server running) and after the server stopped.
Prints one JSON document.

    .venv/bin/python bench/serving.py
"""

from __future__ import annotations

import json
import os
import shutil
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
Models = dict[str, tuple[ModelRef, list[dict[str, Any]]]]
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


def train_models(backend: LocalAutoMLBackend) -> Models:
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
    backend.create_or_update_endpoint(TENANT, ENDPOINT)
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


def summary(memory: dict[int, dict[str, float]], ready: dict[str, float], warm: dict[str, float]) -> dict[str, Any]:
    n = max(memory)
    per_extra = {k: round((memory[n][k] - memory[1][k]) / (n - 1), 1) for k in ("rss_mb", "pss_mb")}
    return {
        "scoring_memory_with_1": memory[1],
        f"scoring_memory_with_{n}": memory[n],
        "rss_per_extra_deployment_mb": per_extra["rss_mb"],
        "pss_per_extra_deployment_mb": per_extra["pss_mb"],
        "deploy_to_ready_s": {k: round(v, 2) for k, v in ready.items()},
        "warm_score_1_row_ms_median": {k: round(v, 2) for k, v in warm.items()},
    }


def deploy_all(backends: list[LocalAutoMLBackend], models: Models, processes_under: str) -> dict[str, Any]:
    """Deploy model i on backends[i] (or all on the one backend): memory after each, readiness, warm latency."""
    ready, warm, memory = {}, {}, {}
    for i, (name, (model, rows)) in enumerate(models.items(), start=1):
        backend = backends[min(i, len(backends)) - 1]
        ready[name] = deploy(backend, name, model)
        warm[name] = statistics.median(timed_score(backend, name, rows[:1]) for _ in range(WARM_CALLS))
        memory[i] = memory_mb(scoring_processes(processes_under))
    return summary(memory, ready, warm)


def one_server(backend: LocalAutoMLBackend, models: Models) -> dict[str, Any]:
    """Every deployment on one backend (one scoring server); then each model unloaded and scored again (a cold
    load), and the server stopped and scored again (as after a restart of the stack)."""
    workdir = str(Path(backend.settings.local_automl_workdir).resolve())
    out = deploy_all([backend], models, workdir)
    server = backend.serving.server
    cold = {}
    for name, (_, rows) in models.items():
        server.call("/unload", {"prefix": f"{TENANT}/{ENDPOINT}/{name}/"}, start=False)
        cold[name] = timed_score(backend, name, rows[:1])
    out["cold_score_ms"] = {k: round(v, 1) for k, v in cold.items()}
    server.stop()
    name, (_, rows) = next(iter(models.items()))
    out["server_stopped_to_first_score_s"] = round(timed_score(backend, name, rows[:1]) / 1000, 2)
    return out


def process_per_deployment(root: str, connection: str, models: Models) -> dict[str, Any]:
    """The design before issue 12, in this run: one scoring process per deployment, each holding its one model
    (here: one backend per deployment, each with a work dir and so a scoring server of its own)."""
    backends = [
        LocalAutoMLBackend(load_settings({"DATA_STORAGE_CONNECTION_STRING": connection, "LOCAL_AUTOML_WORKDIR": d}))
        for d in (tempfile.mkdtemp(prefix=f"{name}-", dir=root) for name in models)
    ]
    try:
        return deploy_all(backends, models, root)
    finally:
        for backend in backends:
            backend.serving.server.stop()


def main() -> None:
    azurite = start_azurite(in_memory=True)
    workdir = tempfile.mkdtemp(prefix="bench-serving-")
    settings = load_settings(
        {
            "DATA_STORAGE_CONNECTION_STRING": azurite.connection_string,
            "LOCAL_AUTOML_WORKDIR": f"{workdir}/one",
            "LOCAL_AUTOML_MAX_CONCURRENT_JOBS": "2",
        }
    )
    backend = LocalAutoMLBackend(settings)
    try:
        models = train_models(backend)
        before = process_per_deployment(tempfile.mkdtemp(dir=workdir), azurite.connection_string, models)
        after = one_server(backend, models)
        sizes = {k: len(download_bytes(settings, *split_blob_path(m.uri))) / 2**20 for k, (m, _) in models.items()}
    finally:
        backend.delete_endpoint(TENANT, ENDPOINT)
        backend.serving.server.stop()
        for name in DATASETS:
            backend.delete_job(TENANT, f"automl-{TENANT}-{name}")
        azurite.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    mean_model = statistics.mean(sizes.values())
    for side in (before, after):
        side["rss_per_extra_deployment_beyond_model_mb"] = round(side["rss_per_extra_deployment_mb"] - mean_model, 1)
    result = {
        "deployments": len(models),
        "model_pickle_mb": {k: round(v, 3) for k, v in sizes.items()},
        "before_one_process_per_deployment": before,
        "after_one_scoring_server": after,
        "rss_per_extra_deployment_before_over_after": round(
            before["rss_per_extra_deployment_mb"] / max(after["rss_per_extra_deployment_mb"], 0.1), 1
        ),
        "goals": {"rss_per_extra_deployment_beyond_model_mb_max": 30, "cold_score_ms_max": 1000},
        "cores": os.cpu_count(),
        "notes": NOTES,
    }
    print(json.dumps(result, indent=2))


NOTES = (
    "Memory: RSS (and PSS, shared pages split) summed over every scoring process of the side's work dirs, with 1 "
    "deployment and with N; per extra deployment = (N - 1) difference / (N - 1). before = one scoring process per "
    "deployment, emulated in this run with one scoring server per deployment holding its one model (the old "
    "per-deployment scorer measured 192.9 MB RSS per extra deployment, docs/adr/0015). warm = median 1-row score "
    "through the backend port. cold_score_ms = a score whose model is not in memory while the server runs: the host "
    "reads the model blob from Azurite, the server unpickles it, then predicts. server_stopped_to_first_score_s = the "
    "first score after the scoring server was stopped (as after a restart of the stack): start, imports, load, score."
)


if __name__ == "__main__":
    main()
