"""The web console in a real browser: `make run`'s stack (started here on a free port, over the session's Azurite)
driven by Playwright and Debian's Chromium through the whole lifecycle (web/e2e/lifecycle.mjs). Prints the figures
(first paint of the runs page, completion -> leaderboard). Screenshots land in web/test-results/console/;
`make screenshots` copies them to docs/screenshots/."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devhost.azurite import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "web" / "test-results" / "console"
SCREENS = ("signin", "dataset", "experiment-create", "runs", "run", "model", "endpoint", "experiments", "models",
           "operations", "members", "audit", "datasets", "runs-narrow")  # fmt: skip

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def stack(azurite_connection_string: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`make run` on a free port (its own process group), with its own tables, task hub and AutoML folder."""
    tag = uuid.uuid4().hex[:8]
    port = free_port()
    workdir = tmp_path_factory.mktemp("console-automl")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "MAKE", "MFLAGS"))}
    env.update(
        {
            "AzureWebJobsStorage": azurite_connection_string,
            "DATA_STORAGE_CONNECTION_STRING": azurite_connection_string,
            "DATA_TABLE_PREFIX": f"ui{tag}",
            "TASKHUB_NAME": f"ui{tag}",
            "LOCAL_AUTOML_WORKDIR": str(workdir),
            "LOCAL_AUTOML_MAX_CONCURRENT_JOBS": "1",
            "RUN_COLLECTOR_SCHEDULE": "*/5 * * * * *",
            "OMP_NUM_THREADS": "1",
        }
    )
    log = (tmp_path_factory.mktemp("console-stack") / "make-run.log").open("wb")
    proc = subprocess.Popen(
        ["make", "--no-print-directory", "run", f"PORT={port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600  # a first `make run` builds the console
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"make run exited ({proc.returncode}): {Path(log.name).read_text()[-3000:]}")
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200 and "id=\"root\"" in httpx.get(
                    base, timeout=2
                ).text:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"make run did not serve in time: {Path(log.name).read_text()[-3000:]}")
            time.sleep(0.5)
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


def test_the_console_serves_and_mints_tokens_only_the_loopback_way(stack: str) -> None:
    index = httpx.get(f"{stack}/runs/anything")
    assert index.status_code == 200 and 'id="root"' in index.text
    assert httpx.get(f"{stack}/config.json").json()["authMode"] == "dev"
    evil = httpx.post(f"{stack}/.devhost/token", json={"user": "x"}, headers={"Origin": "http://evil.example"})
    assert evil.status_code == 403
    token = httpx.post(f"{stack}/.devhost/token", json={"user": "carol"}).json()["token"]
    me = httpx.get(f"{stack}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["userId"] == "carol"


def test_the_whole_lifecycle_through_the_console(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium"
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    result = subprocess.run(
        ["node", "e2e/lifecycle.mjs", stack, str(ARTIFACTS)],
        cwd=ROOT / "web",
        capture_output=True,
        text=True,
        timeout=1500,
        env=os.environ | {"CHROMIUM": CHROMIUM},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    line = next(x for x in result.stdout.splitlines() if x.startswith("console-figures "))
    figures = json.loads(line.removeprefix("console-figures "))
    assert figures["prediction"] in {"setosa", "versicolor", "virginica"}
    assert figures["trials"] >= 1
    for name in SCREENS:
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 5000, name
    with capsys.disabled():
        print("\nconsole figures: " + json.dumps(figures))
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        target = ROOT / "docs" / "screenshots"
        target.mkdir(parents=True, exist_ok=True)
        for name in SCREENS:
            shutil.copyfile(ARTIFACTS / f"{name}.png", target / f"{name}.png")
