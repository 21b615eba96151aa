"""The web console in a real browser: `make run`'s stack (started here on a free port, over the session's Azurite)
driven by Playwright and Debian's Chromium through the whole lifecycle (web/e2e/lifecycle.mjs). Prints the figures
(first paint of the runs page, completion -> leaderboard). Screenshots land in web/test-results/console/;
`make screenshots` copies them to docs/screenshots/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "web" / "test-results" / "console"
SCREENS = ("signin", "dataset", "experiment-create", "runs", "run", "model", "batch-jobs", "endpoint", "experiments",
           "models", "operations", "members", "audit", "datasets", "tenants", "runs-narrow")  # fmt: skip

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


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
