"""First contact: README.md's "Try the API" runs as written on `make run`'s stack, from a CSV upload to a prediction,
then its second block: a batch job over the dataset, its CSV downloaded (`curl -L` through the 303 to Blob Storage),
the model's explanation (scripts/walkthrough.sh holds the README's lines; this test checks both say the same and
runs the script)."""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
MARKED = re.compile(r"# --- (walkthrough|batch) ---\n(.*?)# --- end ---\n", re.S)
IRIS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
CLASSES = ["setosa", "versicolor", "virginica"]

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def script_blocks() -> list[str]:
    found = MARKED.findall((ROOT / "scripts" / "walkthrough.sh").read_text())
    assert [name for name, _ in found] == ["walkthrough", "batch"], "scripts/walkthrough.sh lost its markers"
    return [lines for _, lines in found]


def test_the_readme_shows_the_script_as_it_runs() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Try the API", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", section, re.S)
    assert len(blocks) == 2, "README's Try the API has a walkthrough and a batch block"
    assert blocks == script_blocks()


def test_the_walkthrough_goes_from_upload_to_a_prediction_and_a_batch_csv(stack: str) -> None:
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
    lines = result.stdout.strip().splitlines()
    scored = next(i for i, line in enumerate(lines) if line.startswith('{"predictions"'))
    assert json.loads(lines[scored])["predictions"] == ["setosa"]
    header, *rows = lines[scored + 1 : scored + 4]  # the CSV's first 3 lines, downloaded through the redirect
    assert header.split(",") == [*IRIS, "species", "prediction", *(f"probability_{c}" for c in CLASSES)]
    assert len(rows) == 2 and rows[0].startswith("5.1,3.5,1.4,0.2,setosa,setosa,")
    url, expires = lines[scored + 4].split(" ")  # outputLink: the CSV's blob, valid a while
    assert url.endswith("/predictions.csv") and datetime.fromisoformat(expires) > datetime.now(UTC)
    features = ast.literal_eval(lines[-1])  # the explanation: the CSV's columns, most important first
    assert sorted(f for f, _ in features) == sorted(IRIS)
