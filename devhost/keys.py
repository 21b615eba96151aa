"""Host keys, as Azure Functions checks them: the master key, the extensions' system keys and a default host key,
generated once per checkout in `.local/host-keys.json` (owner-only) and shown by `make run`.

A key travels as `?code=` or in the `x-functions-key` header. What each path needs:

    /admin/host/ping                      nothing (liveness)
    /admin/...                            the master key
    /runtime/webhooks/durabletask/...     the durabletask_extension system key (or the master key)
    /runtime/webhooks/eventgrid...        the eventgrid_extension system key (or the master key)
    /runtime/webhooks/<other>             the master key
    HTTP functions                        their authLevel: anonymous, function (a host key or the master key), admin

The durable client inside the app reaches the durable API through `rpcBaseUrl`, which on Azure is a loopback-only
listener that takes no key; here it is served under `/runtime/webhooks/durabletask/rpc/<system key>/`, so that no
request reaches the API without the key either.
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from starlette.responses import Response
from starlette.types import Scope

FILE = Path(".local") / "host-keys.json"
DURABLE = "durabletask_extension"
EVENT_GRID = "eventgrid_extension"
RPC_PREFIX = "/runtime/webhooks/durabletask/rpc/"


def _new_key() -> str:
    return secrets.token_urlsafe(40)


@dataclass(frozen=True)
class HostKeys:
    master: str
    system: dict[str, str]
    host: dict[str, str]

    @classmethod
    def generate(cls) -> HostKeys:
        return cls(_new_key(), {DURABLE: _new_key(), EVENT_GRID: _new_key()}, {"default": _new_key()})

    def as_json(self) -> dict[str, Any]:
        return {"masterKey": self.master, "systemKeys": self.system, "hostKeys": self.host}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HostKeys:
        return cls(str(data["masterKey"]), dict(data["systemKeys"]), dict(data["hostKeys"]))

    # -- checks ---------------------------------------------------------------------------------------------------
    def is_master(self, key: str | None) -> bool:
        return key is not None and hmac.compare_digest(key, self.master)

    def is_system(self, name: str, key: str | None) -> bool:
        return self.is_master(key) or (key is not None and hmac.compare_digest(key, self.system.get(name, "")))

    def allows_function(self, auth_level: str, key: str | None) -> bool:
        """An HTTP function's authLevel: ANONYMOUS, FUNCTION (any host key or the master key), ADMIN (master)."""
        level = auth_level.upper()
        if level == "ANONYMOUS":
            return True
        if level == "ADMIN":
            return self.is_master(key)
        return self.is_master(key) or any(key is not None and hmac.compare_digest(key, k) for k in self.host.values())

    def allows_path(self, path: str, key: str | None) -> bool:
        """The host's own endpoints (admin API and extension webhooks); other paths are the functions' own."""
        lowered = path.lower()
        if lowered == "/admin/host/ping" or not lowered.startswith(("/admin/", "/runtime/")):
            return True
        if lowered.startswith(RPC_PREFIX):
            token = path[len(RPC_PREFIX) :].split("/", 1)[0]
            return self.is_system(DURABLE, token)
        if lowered.startswith("/runtime/webhooks/durabletask"):
            return self.is_system(DURABLE, key)
        if lowered.startswith("/runtime/webhooks/eventgrid"):
            return self.is_system(EVENT_GRID, key)
        return self.is_master(key)

    def rpc_prefix(self) -> str:
        return f"{RPC_PREFIX}{self.system[DURABLE]}"


def load_or_create(app_dir: Path | str) -> HostKeys:
    """The checkout's keys: read `.local/host-keys.json`, or create it (once, even with several hosts starting)."""
    path = Path(app_dir) / FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        keys = HostKeys.generate()
        with contextlib.suppress(FileExistsError):  # another process created it first: read theirs
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(keys.as_json(), handle, indent=2)
            return keys
    for _ in range(50):  # a creator may be writing it right now
        with contextlib.suppress(ValueError, KeyError):
            return HostKeys.from_json(json.loads(path.read_text(encoding="utf-8")))
        time.sleep(0.02)
    raise RuntimeError(f"{path} is not a valid host keys file: delete it and start again to get new keys")


def key_of(scope: Scope) -> str | None:
    """The key a request carries: `?code=` first, then the `x-functions-key` header."""
    query = scope.get("query_string", b"").decode("latin-1")
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name == "code" and value:
            return unquote_plus(value)
    for name, value in scope.get("headers", []):
        if name == b"x-functions-key":
            return str(value.decode("latin-1"))
    return None


def unauthorized() -> Response:
    return Response(status_code=401)
