"""The web console on the local host, same origin as the API (`make run` serves it at http://127.0.0.1:7071/).

Paths outside the route prefix (`/api`) that the Functions host would answer 404:
- `GET /config.json`: what the console needs to sign in (`authMode`, and for Entra the client id, authority, scope);
- `POST /.devhost/token` `{"user": "alice", "platformAdmin": false}`: a dev token for that user, minted with the
  app's own dev issuer (`domain.auth.dev_tokens`), only when AUTH_MODE=dev, not in Azure, and only to a loopback
  client that called a loopback host name (no DNS rebinding) from a loopback page (no cross-site POST: the console
  itself or its Vite dev server); 403 otherwise;
- any other GET: a file of the built console (`web/dist`, from DEVHOST_CONSOLE_DIR, which `devhost.stack` sets),
  or `index.html` for the console's own routes (`/runs/…`), so a reload keeps the page.
"""

from __future__ import annotations

import ipaddress
import json
import mimetypes
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

CONSOLE_DIR_SETTING = "DEVHOST_CONSOLE_DIR"
TOKEN_PATH = "/.devhost/token"  # noqa: S105 - a URL path, not a secret
CONFIG_PATH = "/config.json"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})  # urlsplit().hostname drops the brackets
MAX_TOKEN_BODY = 4096


def _error(status: int, code: str, message: str, target: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if target:
        body["target"] = target
    return JSONResponse({"error": body}, status_code=status, headers={"x-ms-error-code": code})


def _is_loopback(address: str | None) -> bool:
    if not address:
        return False
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(host_header: str) -> str:
    """`127.0.0.1:7071` -> `127.0.0.1`, `[::1]:7071` -> `[::1]`, `localhost` -> `localhost`."""
    if host_header.startswith("["):
        return host_header.split("]", 1)[0] + "]"
    return host_header.rsplit(":", 1)[0] if host_header.count(":") == 1 else host_header


class Console:
    """ASGI-style handler for the console's paths; `dist` may not exist yet (then a page says how to build it)."""

    def __init__(self, dist: Path, environ: Mapping[str, str] | None = None) -> None:
        self.dist = dist.resolve()
        self.environ = os.environ if environ is None else environ

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Console | None:
        env = os.environ if environ is None else environ
        folder = env.get(CONSOLE_DIR_SETTING, "").strip()
        return cls(Path(folder), env) if folder else None

    async def __call__(self, request: Request) -> Response:
        path = request.url.path
        if path == TOKEN_PATH:
            if request.method != "POST":
                return _error(405, "MethodNotAllowed", "Use POST to mint a dev token.")
            return await self.mint(request)
        if request.method not in ("GET", "HEAD"):
            return _error(404, "NotFound", f"No such path: {path}")
        if path == CONFIG_PATH:
            return JSONResponse(self.config(), headers={"Cache-Control": "no-store"})
        return self.static(path)

    # -- sign-in ----------------------------------------------------------------------------------------------------
    def config(self) -> dict[str, Any]:
        mode = self.environ.get("AUTH_MODE", "dev").strip().lower() or "dev"
        out: dict[str, Any] = {"authMode": mode, "apiBase": "/api/v1"}
        if mode == "entra":
            tenant = self.environ.get("ENTRA_TENANT_ID", "")
            audience = self.environ.get("ENTRA_AUDIENCE", "")
            out["entra"] = {
                "clientId": self.environ.get("CONSOLE_CLIENT_ID", ""),
                "authority": f"https://login.microsoftonline.com/{tenant}",
                "scopes": [f"{audience}/access_as_user"] if audience else [],
            }
        return out

    def refusal(self, request: Request) -> str | None:
        """Why this request may not mint a dev token, or None when it may."""
        if self.environ.get("AUTH_MODE", "dev").strip().lower() != "dev":
            return "Dev tokens exist only when AUTH_MODE=dev."
        if self.environ.get("WEBSITE_SITE_NAME", "").strip():
            return "Dev tokens are refused: the app runs in Azure."
        if not _is_loopback(request.client.host if request.client else None):
            return "Dev tokens are minted for loopback clients only."
        host = _host_name(request.headers.get("host", "")).lower()
        if host not in LOOPBACK_NAMES:
            return "Dev tokens are minted only for a loopback host name (127.0.0.1 or localhost)."
        origin = request.headers.get("origin")
        if origin is not None and (urlsplit(origin).hostname or "").lower() not in LOOPBACK_HOSTS:
            return "Dev tokens are minted only for pages of a loopback origin (the console, or its dev server)."
        return None

    async def mint(self, request: Request) -> Response:
        reason = self.refusal(request)
        if reason:
            return _error(403, "DevTokenRefused", reason)
        raw = await request.body()
        if len(raw) > MAX_TOKEN_BODY:
            return _error(413, "BodyTooLarge", "The request body is too large.")
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            return _error(400, "InvalidJson", "The body is not valid JSON.")
        user = body.get("user") if isinstance(body, dict) else None
        if not isinstance(user, str) or not user.strip() or len(user) > 128:
            return _error(400, "InvalidInput", "Give a user name of 1 to 128 characters.", "user")
        admin = bool(body.get("platformAdmin", False))
        token = mint_token(self.environ, user.strip(), admin)
        return JSONResponse({"token": token, "user": user.strip(), "platformAdmin": admin, "expiresIn": 3600})

    # -- files ------------------------------------------------------------------------------------------------------
    def static(self, path: str) -> Response:
        index = self.dist / "index.html"
        if not index.is_file():
            return Response(
                f"The console is not built yet: run `make console` (or `make run`), which builds {self.dist}.\n",
                status_code=503,
                media_type="text/plain; charset=utf-8",
            )
        relative = path.lstrip("/")
        target = (self.dist / relative).resolve() if relative else index
        if target != self.dist and self.dist not in target.parents:
            return _error(404, "NotFound", f"No such path: {path}")
        if target.is_file():
            hashed = target.parent.name == "assets"
            cache = "public, max-age=31536000, immutable" if hashed else "no-cache"
            media = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return FileResponse(target, media_type=media, headers={"Cache-Control": cache})
        if "." in Path(relative).name:  # a missing file, not a console route
            return _error(404, "NotFound", f"No such file: {path}")
        return FileResponse(index, media_type="text/html", headers={"Cache-Control": "no-cache"})


def mint_token(environ: Mapping[str, str], user: str, platform_admin: bool) -> str:
    """The app's own dev issuer (as `python -m devhost token`), with the host's settings."""
    root = str(Path(__file__).resolve().parents[1])
    if root not in sys.path:
        sys.path.insert(0, root)
    from domain.auth.dev_tokens import mint_dev_token
    from domain.settings import load_settings

    return mint_dev_token(load_settings(dict(environ)), user=user, platform_admin=platform_admin)
