"""What the Function App gets in Azure matches what the code reads (domain/settings.py, local.settings.sample.json)."""

from __future__ import annotations

import json
import re

from domain.settings import VARS
from tests.infra.conftest import INFRA, REPO
from tools.infra_check.appsettings import FORBIDDEN, LOCAL_ONLY, collect_app_settings
from tools.infra_check.bicep import parse_bicep
from tools.infra_check.wiring import EVENTGRID_FUNCTION


def deployed_settings() -> dict[str, str | None]:
    files = [parse_bicep(p) for p in sorted(INFRA.rglob("*.bicep"))]
    return {s.name: s.value for s in collect_app_settings(files)}


def sample_values() -> dict[str, str]:
    values: dict[str, str] = json.loads((REPO / "local.settings.sample.json").read_text(encoding="utf-8"))["Values"]
    return values


def test_every_sample_setting_the_app_needs_in_azure_is_set() -> None:
    deployed = deployed_settings()
    needed = [name for name in sample_values() if name not in LOCAL_ONLY]
    assert needed, "the sample lists settings"
    assert [name for name in needed if name not in deployed] == []


def test_every_var_outside_the_local_only_list_is_set() -> None:
    deployed = deployed_settings()
    assert [v.env for v in VARS if v.env not in LOCAL_ONLY and v.env not in deployed] == []


def test_local_only_list_names_real_settings_each_with_a_reason() -> None:
    known = {v.env for v in VARS} | set(sample_values())
    assert sorted(set(LOCAL_ONLY) - known) == []
    assert all(len(reason) > 20 for reason in LOCAL_ONLY.values())


def test_nothing_local_only_or_forbidden_is_deployed() -> None:
    deployed = deployed_settings()
    assert sorted(set(deployed) & (set(LOCAL_ONLY) | set(FORBIDDEN))) == []


def test_azure_modes_and_identity_storage() -> None:
    deployed = deployed_settings()
    assert deployed["AUTOML_BACKEND"] == "azureml"
    assert deployed["AUTH_MODE"] == "entra"
    assert deployed["AzureWebJobsStorage__credential"] == "managedidentity"
    assert "DATA_STORAGE_CONNECTION_STRING" not in deployed


def test_eventgrid_function_name_matches_the_python_code() -> None:
    """The Event Grid subscription targets <app>/functions/on_automl_run_event, the def name of the trigger (which
    must exist: a missing trigger fails here, it is not skipped)."""
    sources = {p: p.read_text(encoding="utf-8") for p in (REPO / "functions").rglob("*.py")}
    grid = {p: s for p, s in sources.items() if "event_grid_trigger" in s}
    assert grid, "no Event Grid trigger in functions/: the subscription in infra/ would target nothing"
    defined = {m for s in grid.values() for m in re.findall(r"def\s+(\w+)\s*\(", s)}
    assert EVENTGRID_FUNCTION in defined
