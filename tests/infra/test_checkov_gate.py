"""The checkov gate fails on failed checks and on parse errors (which checkov itself exits 0 on)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.infra.conftest import REPO, Edit
from tools.infra_check.checkov_gate import main, problems_in

CHECKOV = REPO / ".venv-checkov" / "bin" / "checkov"


def report(failed: list[str] | None = None, parsing_errors: list[str] | None = None, count: int = 3) -> str:
    results: dict[str, object] = {
        "failed_checks": [
            {"check_id": c, "check_name": "n", "file_path": "/m.bicep", "file_line_range": [1, 2]} for c in failed or []
        ]
    }
    if parsing_errors is not None:
        results["parsing_errors"] = parsing_errors
    summary = {
        "passed": 1,
        "failed": len(failed or []),
        "parsing_errors": len(parsing_errors or []),
        "resource_count": count,
    }
    return json.dumps({"check_type": "bicep", "results": results, "summary": summary})


def test_clean_report_passes() -> None:
    assert problems_in(0, report())[0] == []


def test_parse_error_fails_even_with_exit_code_zero() -> None:
    problems, _ = problems_in(0, report(parsing_errors=["/infra/main.bicep"]))
    assert problems == ["bicep: could not parse /infra/main.bicep"]


def test_parse_error_counted_only_in_the_summary_fails() -> None:
    document = json.loads(report())
    document["summary"]["parsing_errors"] = 2
    assert problems_in(0, json.dumps(document))[0] == ["bicep: 2 parsing error(s)"]


def test_failed_check_fails() -> None:
    problems, _ = problems_in(1, report(failed=["CKV_AZURE_70"]))
    assert len(problems) == 1
    assert problems[0].startswith("bicep: CKV_AZURE_70")


def test_nothing_scanned_fails() -> None:
    assert problems_in(0, report(count=0))[0] == [
        "checkov found no Bicep resources (wrong directory or nothing parsed)"
    ]


def test_crash_or_non_json_fails() -> None:
    assert problems_in(2, "")[0] == ["checkov exited with 2"]
    assert problems_in(0, "Traceback ...")[0][0].startswith("checkov did not print JSON")


needs_checkov = pytest.mark.skipif(
    not os.access(CHECKOV, os.X_OK), reason="needs .venv-checkov (created by `make infra-check`, run by `make test`)"
)


@needs_checkov
def test_real_checkov_fails_a_template_it_cannot_parse(
    infra_copy: Path, edit: Edit, capsys: pytest.CaptureFixture[str]
) -> None:
    # valid Bicep (a multi-line ternary) that checkov's parser (pycep 0.5.1) rejects: must fail, not pass silently
    edit(
        "main.bicep",
        "var mlResourceGroupName = useAppResourceGroupForMl ? resourceGroupName : existingMlWorkspaceResourceGroup",
        "var mlResourceGroupName = useAppResourceGroupForMl\n"
        "  ? resourceGroupName\n"
        "  : existingMlWorkspaceResourceGroup",
    )
    assert main(["--checkov", str(CHECKOV), "--directory", str(infra_copy)]) == 1
    assert "main.bicep" in capsys.readouterr().out  # reported as a parse error of that file


@needs_checkov
def test_real_checkov_fails_a_regression_it_knows(
    infra_copy: Path, edit: Edit, capsys: pytest.CaptureFixture[str]
) -> None:
    # the clean templates pass in `make infra-check`; here a copy with HTTP allowed must fail on CKV_AZURE_70 only
    edit("modules/functionapp.bicep", "httpsOnly: true", "httpsOnly: false")
    assert main(["--checkov", str(CHECKOV), "--directory", str(infra_copy)]) == 1
    out = capsys.readouterr().out
    assert "CKV_AZURE_70" in out
    assert "parse" not in out
