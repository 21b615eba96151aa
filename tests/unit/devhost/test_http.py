"""HTTP triggers through the devhost's ASGI app: Core Tools URLs, route forms, methods, body limit, real objects."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

HostFactory = Callable[..., Any]

pytestmark = pytest.mark.asyncio


async def test_route_forms_reach_the_right_function(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        assert (await client.get("/api/hello")).text == "hello world"  # optional parameter absent
        assert (await client.get("/api/hello/Ada")).text == "hello Ada"
        assert (await client.get("/API/Hello/Ada")).text == "hello Ada"  # prefix and route case-insensitive
        assert (await client.get("/api/items/42")).json() == {"route": "by_id", "params": {"id": "42"}}
        assert (await client.get("/api/items/latest")).json() == {"route": "latest", "params": {}}
        assert (await client.get("/api/items/abc")).json() == {"route": "by_name", "params": {"name": "abc"}}
        files = await client.get("/api/files/a/b%20c/d.txt")
        assert files.json() == {"rest": "a/b c/d.txt", "method": "GET"}


async def test_request_carries_method_query_headers_body(sample_host: HostFactory) -> None:
    async with sample_host(base_url="http://127.0.0.1:7071") as (_, client):
        resp = await client.put("/api/echo?x=1&y=two", content=b"payload", headers={"X-Test": "yes"})
    assert resp.status_code == 201
    assert resp.headers["content-type"] == "application/json"
    body = resp.json()
    assert body["method"] == "PUT"
    assert body["url"] == "http://127.0.0.1:7071/api/echo?x=1&y=two"
    assert body["params"] == {"x": "1", "y": "two"}
    assert body["header"] == "yes"
    assert body["body"] == "payload"


async def test_async_functions_run_on_the_loop_and_sync_ones_in_the_pool(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        sync = await client.get("/api/hello")
        async_ = await client.post("/api/echo", content=b"")
    assert sync.headers["x-thread"] != threading.current_thread().name  # the worker's thread pool
    assert async_.json()["thread"] == threading.current_thread().name


async def test_response_headers_cookies_and_default_content_type(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        resp = await client.get("/api/cookies")
    assert resp.headers["x-custom"] == "1"
    assert resp.headers.get_list("set-cookie") == ["a=1", "b=2"]
    assert resp.headers["content-type"] == "text/plain; charset=utf-8"


async def test_unknown_path_and_outside_prefix_are_404(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        assert (await client.get("/api/nope")).status_code == 404
        assert (await client.get("/hello")).status_code == 404
        assert (await client.get("/api/items/1/2")).status_code == 404


async def test_wrong_method_is_404_like_the_host(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        assert (await client.delete("/api/hello")).status_code == 404
        assert (await client.get("/api/echo")).status_code == 404


async def test_wrong_method_can_answer_405(sample_host: HostFactory) -> None:
    async with sample_host(method_mismatch_status=405) as (_, client):
        assert (await client.delete("/api/hello")).status_code == 405
        assert (await client.get("/api/nope")).status_code == 404


async def test_route_without_methods_accepts_every_method(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            resp = await client.request(method, "/api/files/x")
            assert resp.json()["method"] == method


async def test_body_over_the_limit_is_413(sample_host: HostFactory) -> None:
    async with sample_host(max_body_bytes=10) as (_, client):
        assert (await client.post("/api/echo", content=b"x" * 10)).status_code == 201
        assert (await client.post("/api/echo", content=b"x" * 11)).status_code == 413

        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(3):
                yield b"xxxxx"

        assert (await client.post("/api/echo", content=chunks())).status_code == 413  # no Content-Length


async def test_exception_gives_500(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        resp = await client.get("/api/boom")
    assert resp.status_code == 500
    assert "kaboom" not in resp.text


async def test_empty_route_prefix(sample_host: HostFactory, sample_app: Path, tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(sample_app / "function_app.py", app / "function_app.py")
    shutil.copy(sample_app / "local.settings.sample.json", app / "local.settings.sample.json")
    (app / "host.json").write_text(json.dumps({"version": "2.0", "extensions": {"http": {"routePrefix": ""}}}))
    async with sample_host(app_dir=app) as (_, client):
        assert (await client.get("/hello/x")).text == "hello x"
        assert (await client.get("/api/hello/x")).status_code == 404
        assert (await client.get("/admin/host/status")).status_code == 200


async def test_host_cors_from_the_settings_file(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        preflight = await client.options(
            "/api/echo", headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"}
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
        simple = await client.get("/api/hello", headers={"Origin": "http://localhost:3000"})
        assert simple.headers["access-control-allow-origin"] == "http://localhost:3000"
        other = await client.get("/api/hello", headers={"Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers


async def test_unemulated_output_binding_is_accepted_and_logged(
    sample_host: HostFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="devhost")
    async with sample_host() as (_, client):
        resp = await client.post("/api/enqueue", content=b"job-1")
    assert resp.status_code == 202
    assert "queue output 'msg' set (not delivered by the devhost)" in caplog.text
