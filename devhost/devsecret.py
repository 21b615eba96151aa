"""The dev token signing secret of this checkout: random, made on first run, kept in `.local/dev-auth-secret`.

There is no default in code or in the sample settings, so a token minted for one checkout is refused by every other
local host. `DEV_AUTH_SECRET` set in the environment or in `local.settings.json` wins. Only for AUTH_MODE=dev, and
the host refuses dev auth on a bind other than loopback (`refuse_dev_auth_off_loopback`).
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from collections.abc import MutableMapping
from pathlib import Path

SECRET_FILE = Path(".local") / "dev-auth-secret"


def dev_auth(environ: MutableMapping[str, str]) -> bool:
    return (environ.get("AUTH_MODE") or "dev").strip().lower() == "dev"


def ensure_dev_secret(app_dir: Path, environ: MutableMapping[str, str] | None = None) -> None:
    """Set DEV_AUTH_SECRET from the checkout's secret file (created, mode 0600, on first run) when AUTH_MODE=dev and
    no secret is set."""
    env = os.environ if environ is None else environ
    if not dev_auth(env) or (env.get("DEV_AUTH_SECRET") or "").strip():
        return
    path = app_dir / SECRET_FILE
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by other users
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    env["DEV_AUTH_SECRET"] = path.read_text().strip()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def refuse_dev_auth_off_loopback(bind: str, environ: MutableMapping[str, str] | None = None) -> str | None:
    """Why the host must not start (dev tokens on a non-loopback bind), or None."""
    env = os.environ if environ is None else environ
    if dev_auth(env) and not is_loopback(bind):
        return (
            f"refusing to serve AUTH_MODE=dev on {bind}: dev tokens are for this machine only. Bind 127.0.0.1, "
            "or set AUTH_MODE=entra (or easyauth) to expose the host."
        )
    return None
