"""Runs every rule over an infra/ folder and returns the findings."""

from __future__ import annotations

from pathlib import Path

from tools.infra_check.appsettings import check_app_settings
from tools.infra_check.bicep import BicepFile, parse_bicep
from tools.infra_check.findings import Finding
from tools.infra_check.functions import check_functions
from tools.infra_check.policy import check_secrets, check_storage_policy, scan_for_secrets
from tools.infra_check.structure import check_modules, check_parameter_file, check_symbols, check_syntax
from tools.infra_check.wiring import check_eventgrid_function, check_hook

REPO = Path(__file__).resolve().parents[2]


def check_infra(infra_dir: Path, repo: Path = REPO) -> list[Finding]:
    """All findings for `infra_dir` (main.bicep, main.parameters.json, modules, hooks/postdeploy.sh).

    `repo` holds what the app reads: domain/settings.py (imported), local.settings.sample.json and host.json.
    """
    infra_dir = infra_dir.resolve()
    main_path = infra_dir / "main.bicep"
    if not main_path.is_file():
        return [Finding(main_path, 0, "missing", "main.bicep not found")]
    parsed: dict[Path, BicepFile] = {p.resolve(): parse_bicep(p) for p in sorted(infra_dir.rglob("*.bicep"))}
    main = parsed[main_path]
    findings: list[Finding] = []
    for f in parsed.values():
        findings += check_syntax(f)
        findings += check_symbols(f)
        findings += check_functions(f)
        findings += check_modules(f, parsed)
        findings += check_secrets(f)
        findings += check_storage_policy(f)
    findings += check_parameter_file(main, infra_dir / "main.parameters.json")
    for other in (infra_dir / "main.parameters.json", infra_dir / "hooks" / "postdeploy.sh"):
        if other.is_file():
            findings += scan_for_secrets(other, other.read_text(encoding="utf-8"))
    findings += check_app_settings(list(parsed.values()), repo, main)
    findings += check_eventgrid_function(main)
    findings += check_hook(infra_dir / "hooks" / "postdeploy.sh", infra_dir.parent, main, parsed)
    return findings
