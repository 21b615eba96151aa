"""Run checkov (from its own virtual environment) with the committed .checkov.yaml and fail on any failed check AND
on any parse error: checkov exits 0 when it cannot parse a file, so its exit code alone would let a template that
it never read pass.

`python -m tools.infra_check.checkov_gate --checkov .venv-checkov/bin/checkov [--directory infra]`
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tools.infra_check.runner import REPO


def run_checkov(checkov: Path, config: Path, directory: Path | None = None) -> tuple[int, str, str]:
    cmd = [str(checkov), "--config-file", str(config), "--output", "json"]
    if directory is not None:
        cmd += ["--directory", str(directory)]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300, check=False)
    return done.returncode, done.stdout, done.stderr


def problems_in(returncode: int, stdout: str) -> tuple[list[str], dict[str, Any]]:
    """Every reason to fail, and the summary per framework."""
    if returncode not in (0, 1):
        return [f"checkov exited with {returncode}"], {}
    try:
        document = json.loads(stdout)
    except ValueError:
        return [f"checkov did not print JSON: {stdout[:200]!r}"], {}
    reports = document if isinstance(document, list) else [document]
    problems: list[str] = []
    summaries: dict[str, Any] = {}
    for report in reports:
        kind = report.get("check_type", "?")
        summary, results = report.get("summary", {}), report.get("results", {})
        summaries[kind] = summary
        for failed in results.get("failed_checks", []):
            where = f"{failed.get('file_path')}:{(failed.get('file_line_range') or ['?'])[0]}"
            problems.append(f"{kind}: {failed.get('check_id')} {failed.get('check_name')} ({where})")
        for path in results.get("parsing_errors", []):
            problems.append(f"{kind}: could not parse {path}")
        if summary.get("parsing_errors") and not results.get("parsing_errors"):
            problems.append(f"{kind}: {summary['parsing_errors']} parsing error(s)")
    if not summaries.get("bicep", {}).get("resource_count"):
        problems.append("checkov found no Bicep resources (wrong directory or nothing parsed)")
    return problems, summaries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.infra_check.checkov_gate", description=__doc__)
    parser.add_argument("--checkov", type=Path, default=REPO / ".venv-checkov" / "bin" / "checkov")
    parser.add_argument("--config", type=Path, default=REPO / ".checkov.yaml")
    parser.add_argument("--directory", type=Path, default=None, help="override the config's directory")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    returncode, stdout, stderr = run_checkov(args.checkov, args.config, args.directory)
    problems, summaries = problems_in(returncode, stdout)
    for problem in problems:
        print(problem)
    if problems and stderr.strip():
        print(stderr.strip()[-2000:], file=sys.stderr)
    elapsed = time.perf_counter() - started
    print(f"checkov_gate: {json.dumps(summaries)}; {len(problems)} problem(s) ({elapsed:.1f} s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
