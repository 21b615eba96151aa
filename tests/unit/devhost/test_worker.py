"""The app runs in Azure's Python worker library (azure_functions_runtime), driven as Azure's proxy worker drives it:
the project's own function_app.py must index and load there, and a function the worker refuses stops the host at
start with the worker's own message."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from devhost.azurite import free_port
from devhost.durable.sdk import DurableFunctions, load_app, run_activity
from devhost.host import FunctionsHost
from devhost.worker import LanguageWorker, WorkerError, protos
from functions.orchestrations import names

ROOT = Path(__file__).resolve().parents[3]
REFUSED = ROOT / "tests" / "devhost" / "worker_refused"
ACCEPTED = ROOT / "tests" / "devhost" / "worker_accepted"
REFUSAL = (
    "FunctionLoadError: cannot load the greet function: binding job has invalid non-type annotation dict[str, str]"
)


def test_function_app_indexes_and_loads_in_the_worker() -> None:
    worker = LanguageWorker.acquire(ROOT)
    try:
        kinds = {m.name: dict(m.bindings) for m in worker.metadata}
        declared = [v for k, v in vars(names).items() if k.isupper() and k not in ("JOB_EVENT", "CANCEL_EVENT")]
        flows = (names.TRAINING, names.DEPLOYMENT, names.CASCADE_DELETE, names.BATCH_SCORE)
        activities = [n for n in declared if n not in flows]
        assert len(activities) == 16
        for name in activities:  # every activity (13 of them the worker refused when annotated dict[str, str])
            assert kinds[name]["job"].type == "activityTrigger"
        assert all(m.properties["worker_indexed"] == "True" and m.function_id for m in worker.metadata)
        assert len(worker.metadata) == len({m.function_id for m in worker.metadata}) >= 60
        assert worker.module is not None and worker.module.__file__ == str(ROOT / "function_app.py")
    finally:
        worker.release()


def test_an_app_the_worker_refuses_fails_with_the_workers_message() -> None:
    with pytest.raises(WorkerError) as refused:
        LanguageWorker.acquire(REFUSED)
    assert str(refused.value) == REFUSAL
    assert "FunctionLoadError" in refused.value.stack
    with pytest.raises(WorkerError, match="invalid non-type annotation"):
        FunctionsHost(REFUSED, environ={}, durable=False)


def test_the_local_host_stops_at_start_with_the_workers_message() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "devhost", "start", "--app", str(REFUSED), "--port", str(free_port())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 1
    assert "Worker failed to index functions" in out.stderr
    assert f"Exception: {REFUSAL}" in out.stderr


@pytest.mark.asyncio
async def test_the_same_activity_annotated_dict_loads_and_runs() -> None:
    functions, invoker = load_app(ACCEPTED)
    try:
        durable = DurableFunctions(functions, invoker)
        assert set(durable.activities) == {"greet"} and set(durable.orchestrators) == {"greeting"}
        outcome = await run_activity(durable, durable.activities["greet"], "greet", '{"name": "Ada"}')
        assert (outcome.ok, outcome.result) == (True, '"hello Ada"')
        failed = await run_activity(durable, durable.activities["greet"], "greet", '{"nom": "Ada"}')
        assert not failed.ok and failed.reason == "Activity function 'greet' failed: KeyError: 'name'"
    finally:
        invoker.close()


def test_a_replaced_worker_says_so_instead_of_running_another_apps_function() -> None:
    first = LanguageWorker.acquire(ACCEPTED)
    second = LanguageWorker.acquire(ACCEPTED)
    try:
        assert first.replaced and not second.replaced
        request = [protos.ParameterBinding(name="job", data=protos.TypedData(string="{}"))]
        with pytest.raises(RuntimeError, match="superseded"):
            asyncio.run(first.invoke(first.metadata[0].function_id, request, invocation_id="x"))
    finally:
        second.release()
