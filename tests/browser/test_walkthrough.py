"""First contact: README.md's "Try the API" runs as written on `make run`'s stack, from a CSV upload to a prediction
(scripts/walkthrough.sh holds the README's lines; this test checks both say the same and runs the script)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKED = re.compile(r"# --- walkthrough ---\n(.*?)# --- end ---\n", re.S)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def script_lines() -> str:
    found = MARKED.search((ROOT / "scripts" / "walkthrough.sh").read_text())
    assert found, "scripts/walkthrough.sh lost its walkthrough markers"
    return found.group(1)


def test_the_readme_shows_the_script_as_it_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Try the API", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```bash\n(.*?)```", section, re.S)
    assert block, "README's Try the API has no bash block"
    assert block.group(1) == script_lines()


def test_the_walkthrough_goes_from_upload_to_a_prediction(stack: str) -> None:
    port = str(urlsplit(stack).port)
    result = subprocess.run(
        ["bash", "scripts/walkthrough.sh"],
        cwd=ROOT,
        env=os.environ | {"PORT": port},
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    last = result.stdout.strip().splitlines()[-1]
    assert json.loads(last)["predictions"] == ["setosa"]
