"""Overhead of the azureml backend itself, offline: import cost, first call (azure-ai-ml import + MLClient), and the
client-side time per operation against the recorded-response fake workspace (no network, so Azure's own latency is
excluded). Prints one JSON document."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

IMPORT = "import time; t=time.perf_counter(); import domain.automl.azureml; print((time.perf_counter()-t)*1000)"
FIRST_CALL = """
import time, sys
sys.path.insert(0, '.')
from tests.unit.automl_azureml.fake_workspace import FakeWorkspace, settings
from tests.unit.automl_azureml.fake_azure import StaticTokenCredential
from tests.unit.automl_azureml.conftest import make_spec
from domain.automl.azureml import AzureMLBackend
from domain.automl.azureml.client import RetryOptions
fw = FakeWorkspace()
b = AzureMLBackend(settings(), StaticTokenCredential(), fw.t, retry=RetryOptions(total=0))
t = time.perf_counter(); b.submit_job(make_spec()); print((time.perf_counter() - t) * 1000)
"""


def fresh(code: str, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return round(statistics.median(times), 1)


def per_op(n: int = 20) -> dict[str, float]:
    import logging

    logging.disable(logging.CRITICAL)
    from domain.automl.azureml import AzureMLBackend
    from domain.automl.azureml.client import RetryOptions
    from domain.entities.automl import ModelRef
    from tests.unit.automl_azureml.conftest import make_spec
    from tests.unit.automl_azureml.fake_azure import StaticTokenCredential
    from tests.unit.automl_azureml.fake_workspace import FakeWorkspace, settings

    fw = FakeWorkspace()
    b = AzureMLBackend(settings(), StaticTokenCredential(), fw.t, retry=RetryOptions(total=0))
    job = b.submit_job(make_spec()).job_name
    fw.add_run(job, tags={"automl_best_child_run_id": f"{job}_0"}, metrics={"AUC_weighted": 0.9})
    for i in range(50):
        fw.add_run(
            f"{job}_{i}",
            parent=job,
            tags={"iteration": str(i), "run_algorithm": "LightGBM"},
            metrics={"AUC_weighted": 0.5 + i / 100},
        )
    b.create_or_update_endpoint("t1", "api")
    model = ModelRef(name="m", version="1", uri="azureml:m-t1-m:1")
    b.create_or_update_deployment("t1", "api", "blue", model)
    ops = {
        "submit_job_retry_ms": lambda: b.submit_job(make_spec()),
        "get_job_ms": lambda: b.get_job("t1", job),
        "list_trials_50_ms": lambda: b.list_trials("t1", job),
        "metrics_since_50_trials_ms": lambda: b.metrics_since("t1", job, 0),
        "register_model_ms": lambda: b.register_model("t1", job, name="churn"),
        "get_endpoint_ms": lambda: b.get_endpoint("t1", "api"),
        "score_10_rows_ms": lambda: b.score("t1", "api", [{"a": i} for i in range(10)]),
    }
    out: dict[str, float] = {}
    for name, fn in ops.items():
        times = []
        for _ in range(n):
            t = time.perf_counter()
            fn()
            times.append((time.perf_counter() - t) * 1000)
        out[name] = round(statistics.median(times), 2)
    out["http_calls_total"] = len(fw.t.calls)
    return out


def main() -> None:
    import contextlib

    with contextlib.redirect_stdout(sys.stderr):  # azure-ai-ml's LRO polling prints '.' on stdout
        ops = per_op()
    result = {
        "import_domain_automl_azureml_ms": fresh(IMPORT),
        "first_submit_incl_azure_ai_ml_import_ms": fresh(FIRST_CALL),
        **ops,
        "note": "offline, recorded-response transport; excludes Azure latency",
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
