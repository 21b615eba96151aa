"""The web console on the local host: its files, its SPA routes, its config, and the dev-token mint that answers only
a loopback client on a loopback host name, from the same origin, in dev mode, outside Azure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from devhost.console import Console
from domain.auth.dev_tokens import DEV_AUDIENCE, DEV_ISSUER

pytestmark = pytest.mark.asyncio
SECRET = "a-test-secret-that-is-long-enough-0123456789"
ENV = {"AUTH_MODE": "dev", "DEV_AUTH_SECRET": SECRET, "WEBSITE_SITE_NAME": "", "PLATFORM_ADMIN_ROLE": "Platform.Admin"}


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    return tmp_path


def client_for(console: Console, client_host: str = "127.0.0.1", base: str = "http://127.0.0.1:7071") -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        response = await console(Request(scope, receive))
        await response(scope, receive, send)

    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(client_host, 50000)), base_url=base)


Make = Callable[..., Any]


@pytest.fixture
def make(dist: Path) -> Make:
    def build(env: dict[str, str] | None = None, **kw: Any) -> Any:
        return client_for(Console(dist, ENV | (env or {})), **kw)

    return build


async def test_files_routes_and_missing_files(make: Make) -> None:
    async with make() as c:
        index = await c.get("/")
        assert index.status_code == 200 and "id=root" in index.text
        asset = await c.get("/assets/index-abc123.js")
        assert asset.status_code == 200
        assert asset.headers["content-type"].startswith(("text/javascript", "application/javascript"))
        assert "immutable" in asset.headers["cache-control"]
        route = await c.get("/runs/r123")  # a console route: the SPA's index, so a reload keeps the page
        assert route.status_code == 200 and "id=root" in route.text
        assert route.headers["cache-control"] == "no-cache"
        missing = await c.get("/assets/nope.js")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "NotFound"
        escape = await c.get("/..%2f..%2fetc/passwd")
        assert escape.status_code == 404


async def test_an_unbuilt_console_says_how_to_build_it(tmp_path: Path) -> None:
    async with client_for(Console(tmp_path / "missing", ENV)) as c:
        resp = await c.get("/")
    assert resp.status_code == 503
    assert "make console" in resp.text


async def test_config_names_the_sign_in_mode(make: Make) -> None:
    async with make() as c:
        assert (await c.get("/config.json")).json() == {"authMode": "dev", "apiBase": "/api/v1"}
    entra = {"AUTH_MODE": "entra", "ENTRA_TENANT_ID": "t-1", "ENTRA_AUDIENCE": "api://x", "CONSOLE_CLIENT_ID": "c-1"}
    async with make(entra) as c:
        config = (await c.get("/config.json")).json()
    assert config["entra"] == {
        "clientId": "c-1",
        "authority": "https://login.microsoftonline.com/t-1",
        "scopes": ["api://x/access_as_user"],
    }


async def test_a_loopback_client_gets_a_dev_token_for_the_user_it_picks(make: Make) -> None:
    async with make() as c:
        resp = await c.post(
            "/.devhost/token",
            json={"user": "alice", "platformAdmin": True},
            headers={"Origin": "http://127.0.0.1:7071"},
        )
    assert resp.status_code == 200, resp.text
    claims = jwt.decode(resp.json()["token"], SECRET, algorithms=["HS256"], audience=DEV_AUDIENCE, issuer=DEV_ISSUER)
    assert (claims["sub"], claims["roles"]) == ("alice", ["Platform.Admin"])
    async with make(base="http://localhost:7071") as c:  # no Origin (curl), or the Vite dev server's proxy
        plain = await c.post("/.devhost/token", json={"user": "bob"})
        dev_server = await c.post("/.devhost/token", json={"user": "bob"}, headers={"Origin": "http://localhost:5173"})
    assert dev_server.status_code == 200
    claims = jwt.decode(plain.json()["token"], SECRET, algorithms=["HS256"], audience=DEV_AUDIENCE, issuer=DEV_ISSUER)
    assert (claims["sub"], claims["roles"]) == ("bob", [])


@pytest.mark.parametrize(
    ("env", "kw", "headers", "why"),
    [
        ({"AUTH_MODE": "entra"}, {}, {}, "AUTH_MODE=dev"),
        ({"WEBSITE_SITE_NAME": "func-prod"}, {}, {}, "runs in Azure"),
        ({}, {"client_host": "192.168.1.20"}, {}, "loopback clients"),
        ({}, {"base": "http://evil.example:7071"}, {}, "loopback host name"),
        ({}, {}, {"Origin": "http://evil.example"}, "loopback origin"),
        ({}, {}, {"Origin": "http://127.0.0.1.evil.example:7071"}, "loopback origin"),
    ],
    ids=["entra-mode", "in-azure", "remote-client", "rebound-host-name", "cross-site", "look-alike-site"],
)
async def test_every_other_caller_is_refused(
    make: Make, env: dict[str, str], kw: dict[str, Any], headers: dict[str, str], why: str
) -> None:
    async with make(env, **kw) as c:
        resp = await c.post("/.devhost/token", json={"user": "alice"}, headers=headers)
    assert resp.status_code == 403
    assert resp.json()["error"]["code"] == "DevTokenRefused"
    assert why in resp.json()["error"]["message"]
    assert "token" not in resp.json()


async def test_bad_token_requests_are_4xx(make: Make) -> None:
    async with make() as c:
        assert (await c.get("/.devhost/token")).status_code == 405
        blank = await c.post("/.devhost/token", json={"user": " "})
        assert blank.status_code == 400 and blank.json()["error"]["target"] == "user"
        assert (await c.post("/.devhost/token", content=b"{nope")).status_code == 400
        assert (await c.post("/.devhost/token", content=b"x" * 5000)).status_code == 413
        assert (await c.post("/anything-else", json={})).status_code == 404


async def test_the_host_serves_the_console_outside_the_route_prefix(
    sample_host: Any, dist: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEVHOST_CONSOLE_DIR", str(dist))
    async with sample_host() as (_, client):
        assert "id=root" in (await client.get("/")).text
        assert (await client.get("/api/hello")).text == "hello world"  # the API is untouched
        assert (await client.get("/api/nope")).status_code == 404
