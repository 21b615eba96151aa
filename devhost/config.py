"""Core Tools' settings rules: `local.settings.json` Values -> environment (never overriding), `host.json`, `%NAME%`.

Without `local.settings.json`, the values of `local.settings.sample.json` are used instead (the repo's documented
defaults), so a fresh clone runs. Real environment variables always win over both files.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_ROUTE_PREFIX = "api"
DEFAULT_HUB = "TestHubName"  # the Durable extension's default task hub name (host.json v2)
DEFAULT_MAX_BODY_BYTES = 104_857_600  # Kestrel's default MaxRequestBodySize in the Functions host (100 MB)
_SETTING = re.compile(r"%([^%]+)%")


class ConfigError(RuntimeError):
    """A host configuration problem (unreadable file, unresolved %SETTING%)."""


def settings_file(app_dir: Path) -> Path | None:
    """The settings file Core Tools would read, or the sample when there is no local.settings.json."""
    for name in ("local.settings.json", "local.settings.sample.json"):
        path = app_dir / name
        if path.is_file():
            return path
    return None


def _read_settings(app_dir: Path) -> dict[str, Any]:
    path = settings_file(app_dir)
    if path is None:
        return {}
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    return data


def read_host_settings(app_dir: Path) -> dict[str, Any]:
    """The settings file's `Host` section (CORS, CORSCredentials, LocalHttpPort), as Core Tools reads it."""
    return dict(_read_settings(app_dir).get("Host") or {})


def read_settings_values(app_dir: Path) -> dict[str, str]:
    path = settings_file(app_dir)
    data = _read_settings(app_dir)
    if data.get("IsEncrypted"):
        raise ConfigError(f"{path} is encrypted (IsEncrypted=true); the devhost reads plain values only")
    values = data.get("Values") or {}
    return {str(k): "" if v is None else str(v) for k, v in values.items()}


def apply_local_settings(app_dir: Path, environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Copy the file's Values into `environ` (default os.environ) without overriding a variable already set.

    Returns the values that were applied (the ones the environment did not already have).
    """
    env = os.environ if environ is None else environ
    applied: dict[str, str] = {}
    for key, value in read_settings_values(app_dir).items():
        if key not in env:
            env[key] = value
            applied[key] = value
    return applied


def resolve(value: str, environ: Mapping[str, str]) -> str:
    """Replace each `%NAME%` with the app setting NAME, as the host does in binding properties."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise ConfigError(f"app setting '{name}' (referenced as %{name}%) is not set")
        return environ[name]

    return _SETTING.sub(one, value)


@dataclass(frozen=True, slots=True)
class HostConfig:
    """What the devhost reads from host.json."""

    route_prefix: str = DEFAULT_ROUTE_PREFIX
    hub_name: str = DEFAULT_HUB
    raw: Mapping[str, Any] | None = None


def read_host_json(app_dir: Path, environ: Mapping[str, str]) -> HostConfig:
    path = app_dir / "host.json"
    if not path.is_file():
        return HostConfig()
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    extensions = data.get("extensions") or {}
    prefix = (extensions.get("http") or {}).get("routePrefix", DEFAULT_ROUTE_PREFIX)
    hub = (extensions.get("durableTask") or {}).get("hubName") or DEFAULT_HUB
    return HostConfig(route_prefix=str(prefix).strip("/"), hub_name=resolve(str(hub), environ), raw=data)
