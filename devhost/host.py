"""The local Functions host: settings, host.json, the app's functions, and one ASGI app serving Core Tools' URLs.

    host = FunctionsHost(Path("."), base_url="http://127.0.0.1:7071")
    devhost.cli.serve(host, "127.0.0.1", 7071)  # Kestrel's limits; lifespan starts timers and the durable engine

Paths: `/{routePrefix}/...` HTTP triggers; `/admin/...` host admin API; `/runtime/webhooks/EventGrid`;
`/runtime/webhooks/durabletask/...` the durable engine (devhost.durable, imported only when the app needs it).
The host's keys guard them as on Azure (devhost.keys).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncIterator, Coroutine, MutableMapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from devhost.admin import AdminApi
from devhost.clock import Clock, RealClock
from devhost.config import DEFAULT_MAX_BODY_BYTES, apply_local_settings, read_host_json, read_host_settings
from devhost.devsecret import ensure_dev_secret
from devhost.eventgrid import EventGridWebhook
from devhost.http_app import HttpDispatcher
from devhost.invoke import Invoker
from devhost.keys import DURABLE as DURABLE_KEY
from devhost.keys import HostKeys, key_of, load_or_create, unauthorized
from devhost.registry import HTTP, TIMER, FunctionInfo, load_registry
from devhost.timers import ScheduleStatus, TimerScheduler

log = logging.getLogger("devhost")
DURABLE_PREFIX = "/runtime/webhooks/durabletask"


class FunctionsHost:
    def __init__(
        self,
        app_dir: Path | str = ".",
        *,
        base_url: str = "http://127.0.0.1:7071",
        clock: Clock | None = None,
        environ: MutableMapping[str, str] | None = None,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        method_mismatch_status: int = 404,
        timer_status: MutableMapping[str, ScheduleStatus] | None = None,
        durable: bool | None = None,
        keys: HostKeys | None = None,
    ) -> None:
        self.app_dir = Path(app_dir).resolve()
        self.keys = keys or load_or_create(self.app_dir)  # .local/host-keys.json, made on first start
        self.base_url = base_url.rstrip("/")
        self.environ = os.environ if environ is None else environ
        self.clock: Clock = clock or RealClock()
        apply_local_settings(self.app_dir, self.environ)
        ensure_dev_secret(self.app_dir, self.environ)
        self.config = read_host_json(self.app_dir, self.environ)
        self.registry = load_registry(self.app_dir)  # the worker library imports and indexes the app
        assert self.registry.worker is not None
        self.invoker = Invoker(self.registry.worker, str(self.app_dir))
        self.http = HttpDispatcher(
            self.registry.of_type(HTTP),
            self.invoker,
            route_prefix=self.config.route_prefix,
            keys=self.keys,
            max_body_bytes=max_body_bytes,
            method_mismatch_status=method_mismatch_status,
        )
        self.timers = TimerScheduler(
            self.registry.of_type(TIMER), self.invoker.invoke, self.clock, self.environ, timer_status
        )
        self.durable: Any = self._make_durable(durable)
        self._background: set[asyncio.Task[Any]] = set()
        self.admin = AdminApi(self.registry, self.invoker, self.timers, self.spawn, self.url_of)
        routes: list[Any] = [
            Route("/admin/host/ping", self.admin.ping, methods=["GET", "POST"]),
            Route("/admin/host/status", self.admin.status, methods=["GET"]),
            Route("/admin/functions", self.admin.functions, methods=["GET"]),
            Route("/admin/functions/{name}", self.admin.function, methods=["GET", "POST"]),
        ]
        if self.durable is not None:  # the app's durable client reaches it through rpcBaseUrl (devhost.keys)
            routes.append(Mount(self.keys.rpc_prefix(), routes=self.durable.routes()))
            routes.append(Mount(DURABLE_PREFIX, routes=self.durable.routes()))
        self.system = Starlette(routes=routes)
        self.eventgrid = EventGridWebhook(self.registry, self.invoker, max_body_bytes)
        self.http_app: ASGIApp = self._with_cors(self.http)
        self.started = False

    def _with_cors(self, app: ASGIApp) -> ASGIApp:
        """Core Tools applies the settings file's Host.CORS (comma-separated origins, or *) to HTTP functions."""
        host = read_host_settings(self.app_dir)
        origins = [o.strip() for o in str(host.get("CORS") or "").split(",") if o.strip()]
        if not origins:
            return app
        credentials = bool(host.get("CORSCredentials"))
        return CORSMiddleware(
            app, allow_origins=origins, allow_methods=["*"], allow_headers=["*"], allow_credentials=credentials
        )

    # -- durable --------------------------------------------------------------------------------------------------
    def _make_durable(self, wanted: bool | None) -> Any:
        """DurableHost for the app's durable functions: None = when the app has any, False = never, True = must."""
        if wanted is False or not (wanted or self.registry.needs_durable()):
            return None
        try:
            from devhost.durable import DurableHost
        except ImportError as exc:
            if wanted:
                raise RuntimeError(f"devhost.durable is not available: {exc}") from exc
            log.warning("the app has durable functions but devhost.durable is not available (%s): not run", exc)
            return None
        durable = DurableHost(
            self.registry.durable_functions(),
            self.invoker,
            hub=self.config.hub_name,
            storage_connection=self.environ.get("AzureWebJobsStorage", ""),
            base_url=self.base_url,
            clock=None if isinstance(self.clock, RealClock) else self.clock,
            system_key=self.keys.system[DURABLE_KEY],
            rpc_prefix=self.keys.rpc_prefix(),
        )
        self.invoker.durable_client = durable.client_binding_json
        return durable

    # -- lifecycle ------------------------------------------------------------------------------------------------
    async def start(self) -> None:
        if self.started:
            return
        self.log_functions()
        if self.durable is not None:
            await self.durable.start()
        await self.timers.start()
        self.started = True

    async def stop(self) -> None:
        if not self.started:
            return
        self.started = False
        await self.timers.stop()
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self.durable is not None:
            await self.durable.stop()
        log.info("Host stopped")

    def close(self) -> None:
        self.invoker.close()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[FunctionsHost]:
        await self.start()
        try:
            yield self
        finally:
            await self.stop()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def settle(self, limit: float = 30.0) -> None:
        """Wait until no timer, admin run or durable work is in flight."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while True:
            for _ in range(3):
                await asyncio.sleep(0)
            if self.durable is not None and hasattr(self.durable, "run_until_idle"):
                await self.durable.run_until_idle()
            if self.timers.idle() and not self._background:
                return
            if loop.time() > deadline:
                raise TimeoutError("the host did not become idle")
            await asyncio.sleep(0.002)

    async def advance(self, delta: timedelta) -> None:
        """With a VirtualClock: move time forward, firing every due timer in order, and wait for the work it caused."""
        clock: Any = self.clock
        target: datetime = clock.now() + delta
        while True:
            await self.settle()
            deadline = clock.next_deadline()
            if deadline is None or deadline > target:
                break
            clock.set(deadline)
        clock.set(target)
        await self.settle()

    # -- URLs and start-up log ------------------------------------------------------------------------------------
    def url_of(self, fn: FunctionInfo) -> str | None:
        if fn.trigger_type != HTTP:
            return None
        route = fn.trigger.route or fn.name
        prefix = f"/{self.config.route_prefix}" if self.config.route_prefix else ""
        return f"{self.base_url}{prefix}/{route}"

    def log_functions(self) -> None:
        lines = ["", "Functions:", ""]
        for fn in sorted(self.registry.by_name.values(), key=lambda f: f.name.lower()):
            if fn.trigger_type == HTTP:
                methods = fn.trigger.methods
                shown = ",".join(methods) if methods else "all methods"
                lines.append(f"        {fn.name}: [{shown}] {self.url_of(fn)}")
            elif fn.trigger_type == "eventGridTrigger":
                url = f"{self.base_url}/runtime/webhooks/EventGrid?functionName={fn.name}"
                lines.append(f"        {fn.name}: eventGridTrigger {url}")
            elif fn.trigger_type == TIMER:
                lines.append(f"        {fn.name}: timerTrigger '{self.timers.schedules[fn.name]}'")
            else:
                lines.append(f"        {fn.name}: {fn.trigger_type}")
        log.info("\n".join(lines))

    # -- ASGI -----------------------------------------------------------------------------------------------------
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if not self.keys.allows_path(scope.get("path", ""), key_of(scope)):
            await unauthorized()(scope, receive, send)
            return
        path = scope.get("path", "").lower()
        if path == "/runtime/webhooks/eventgrid":
            from starlette.requests import Request

            response = await self.eventgrid(Request(scope, receive))
            await response(scope, receive, send)
        elif path.startswith(("/admin/", "/runtime/")):
            await self.system(scope, receive, send)
        else:
            await self.http_app(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.start()
                except Exception as exc:
                    log.exception("host start-up failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.stop()
                await send({"type": "lifespan.shutdown.complete"})
                return
