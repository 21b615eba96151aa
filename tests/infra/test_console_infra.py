"""The console's infrastructure, checked offline: the Graph extension's app registrations parse, their wiring into
main.bicep is checked like any module, and the registry form of `extension` stays refused."""

from __future__ import annotations

import json
from pathlib import Path

from tests.infra.conftest import INFRA, REPO, Edit
from tools.infra_check import check_infra
from tools.infra_check.bicep import parse_bicep


def test_the_app_registrations_declare_scope_role_and_spa_redirects() -> None:
    f = parse_bicep(INFRA / "modules" / "app-registrations.bicep")
    assert f.syntax_errors == []
    assert {r.symbol for r in f.resources} >= {"api", "apiPrincipal", "console", "consolePrincipal"}
    text = f.code_without_comments()
    assert "value: 'access_as_user'" in text and "value: 'Platform.Admin'" in text
    assert "redirectUris: consoleRedirectUris" in text
    assert set(f.outputs) >= {"apiClientId", "apiScope", "consoleClientId"}
    config = json.loads((INFRA / "bicepconfig.json").read_text())
    assert "microsoftGraphV1" in config["extensions"]


def test_main_wires_the_console_and_its_outputs() -> None:
    main = parse_bicep(INFRA / "main.bicep")
    assert {"console", "appRegistrations"} <= set(main.module_symbols)
    assert {"CONSOLE_URL", "CONSOLE_CLIENT_ID", "API_SCOPE", "ENTRA_TENANT_ID", "API_BASE_URL"} <= set(main.outputs)
    hook = (INFRA / "hooks" / "console-config.sh").read_text()
    for name in ("API_BASE_URL", "CONSOLE_CLIENT_ID", "API_SCOPE", "ENTRA_TENANT_ID"):
        assert f"${{{name}" in hook, name
    assert "host: staticwebapp" in (REPO / "azure.yaml").read_text()


def test_a_registry_extension_and_a_wrong_module_param_are_found(infra_copy: Path, edit: Edit) -> None:
    edit("modules/app-registrations.bicep", "extension microsoftGraphV1\n", "extension 'br:example.io/graph:1.0'\n")
    edit("main.bicep", "    consoleRedirectUris: [\n", "    consoleRedirectUri: [\n")
    findings = {(f.rule, f.path.name) for f in check_infra(infra_copy)}
    assert ("syntax", "app-registrations.bicep") in findings
    assert any(rule != "syntax" and name == "main.bicep" for rule, name in findings), findings
