"""Core Tools' settings rules: local.settings.json Values never override the environment; sample fallback;
host.json route prefix and task hub with %SETTING% resolution."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from devhost.config import ConfigError, apply_local_settings, read_host_json, resolve


def write(path: Path, values: dict[str, str]) -> None:
    path.write_text(json.dumps({"IsEncrypted": False, "Values": values}))


def test_environment_wins_over_local_settings(tmp_path: Path) -> None:
    write(tmp_path / "local.settings.json", {"A": "from-file", "B": "from-file"})
    env = {"A": "from-env"}
    applied = apply_local_settings(tmp_path, env)
    assert env == {"A": "from-env", "B": "from-file"}
    assert applied == {"B": "from-file"}


def test_empty_environment_value_still_wins(tmp_path: Path) -> None:
    write(tmp_path / "local.settings.json", {"A": "from-file"})
    env = {"A": ""}
    apply_local_settings(tmp_path, env)
    assert env["A"] == ""


def test_local_settings_json_is_preferred_to_the_sample(tmp_path: Path) -> None:
    write(tmp_path / "local.settings.json", {"A": "local"})
    write(tmp_path / "local.settings.sample.json", {"A": "sample", "S": "sample-only"})
    env: dict[str, str] = {}
    apply_local_settings(tmp_path, env)
    assert env == {"A": "local"}


def test_sample_is_used_without_local_settings_json(tmp_path: Path) -> None:
    write(tmp_path / "local.settings.sample.json", {"A": "sample"})
    env: dict[str, str] = {}
    apply_local_settings(tmp_path, env)
    assert env == {"A": "sample"}


def test_no_settings_file_changes_nothing(tmp_path: Path) -> None:
    env = {"X": "1"}
    assert apply_local_settings(tmp_path, env) == {}
    assert env == {"X": "1"}


def test_encrypted_settings_are_refused(tmp_path: Path) -> None:
    (tmp_path / "local.settings.json").write_text(json.dumps({"IsEncrypted": True, "Values": {"A": "x"}}))
    with pytest.raises(ConfigError, match="encrypted"):
        apply_local_settings(tmp_path, {})


def test_host_json_prefix_and_hub_setting(tmp_path: Path) -> None:
    (tmp_path / "host.json").write_text(
        json.dumps(
            {"version": "2.0", "extensions": {"http": {"routePrefix": "v1"}, "durableTask": {"hubName": "%HUB%"}}}
        )
    )
    config = read_host_json(tmp_path, {"HUB": "myhub"})
    assert (config.route_prefix, config.hub_name) == ("v1", "myhub")


def test_host_json_defaults_and_empty_prefix(tmp_path: Path) -> None:
    assert read_host_json(tmp_path, {}).route_prefix == "api"
    (tmp_path / "host.json").write_text(json.dumps({"extensions": {"http": {"routePrefix": ""}}}))
    config = read_host_json(tmp_path, {})
    assert (config.route_prefix, config.hub_name) == ("", "TestHubName")


def test_unresolved_setting_is_named() -> None:
    with pytest.raises(ConfigError, match="'MISSING'"):
        resolve("%MISSING%", {})
    assert resolve("0 %M% * * * *", {"M": "*/5"}) == "0 */5 * * * *"


@pytest.mark.asyncio
async def test_host_applies_the_rule_to_the_process_environment(
    sample_host: Any, sample_app: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in json.loads((sample_app / "local.settings.sample.json").read_text())["Values"]:
        monkeypatch.setenv(key, "placeholder")  # recorded, so the test's changes are undone afterwards
        monkeypatch.delenv(key)
    monkeypatch.setenv("SAMPLE_GREETING", "from-env")
    async with sample_host(environ=None) as (_, client):
        assert (await client.get("/api/env/SAMPLE_GREETING")).json() == {"value": "from-env"}
        assert (await client.get("/api/env/SAMPLE_HUB")).json() == {"value": "samplehub"}
    assert os.environ["SAMPLE_HUB"] == "samplehub"
