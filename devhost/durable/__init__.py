"""Durable Functions engine of the local Functions host (see docs/adr/0005-devhost-durable-engine.md).

host = DurableHost(*load_app(app_dir), hub="AutoMLHub", storage_connection=conn, base_url="http://127.0.0.1:7071")
await host.start()                                    # rehydrate from Table Storage, resume every instance
Mount("/runtime/webhooks/durabletask", routes=host.routes())
kwargs[client_param] = host.client_binding_json()     # for every durableClient parameter
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.routing import BaseRoute

from devhost.durable.api import PREFIX, ManagementApi
from devhost.durable.clock import Clock, RealClock, VirtualClock
from devhost.durable.engine import Engine
from devhost.durable.model import FINAL_STATES, Instance
from devhost.durable.replay import NonDeterminismError
from devhost.durable.sdk import DurableFunctions, close_sdk_http_client, load_app, reset_sdk_http_client
from devhost.durable.store import TableStore
from devhost.invoke import Invoker
from devhost.registry import FunctionInfo

__all__ = [
    "Clock",
    "DurableHost",
    "NonDeterminismError",
    "RealClock",
    "VirtualClock",
    "close_sdk_http_client",
    "load_app",
    "reset_sdk_http_client",
]

_QUERY = "taskHub={hub}&connection=Storage"


class DurableHost:
    """Orchestrators, activities and the durable management API of one task hub, persisted in Table Storage."""

    def __init__(
        self,
        functions: list[FunctionInfo],
        invoker: Invoker,
        *,
        hub: str,
        storage_connection: str,
        base_url: str,
        clock: Clock | None = None,
        system_key: str | None = None,
        rpc_prefix: str = PREFIX,
    ) -> None:
        """`system_key`: the durabletask_extension key the URLs carry (`code=`); `rpc_prefix`: where the host serves
        the API for the app's own durable client (rpcBaseUrl)."""
        self.hub = hub
        self.system_key, self.rpc_prefix = system_key, rpc_prefix
        self.base_url = base_url.rstrip("/")
        self.clock: Clock = clock or RealClock()
        self.store = TableStore(storage_connection, hub)
        self.engine = Engine(DurableFunctions(functions, invoker), self.store, self.clock)
        self._api = ManagementApi(self)
        self._stopped = False

    async def start(self) -> None:
        reset_sdk_http_client()  # client functions will run on this loop: drop a session bound to an older one
        await self.store.open()
        await self.engine.start()

    async def stop(self) -> None:
        """Cancel timers and in-flight work (persisted state is untouched); safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        await self.engine.stop()
        await self.store.close()
        await close_sdk_http_client()

    def routes(self) -> list[BaseRoute]:
        return self._api.routes()

    # -- client binding -------------------------------------------------------------------------------------------
    def management_payload(self, instance_id: str, origin: str | None = None) -> dict[str, str]:
        """The check-status payload (`create_http_management_payload`) for one instance."""
        base = f"{origin.rstrip('/')}{PREFIX}" if origin else f"{self.base_url}{PREFIX}"
        urls = {k: v.replace("INSTANCEID", instance_id) for k, v in self._management_urls(base).items()}
        return urls

    def _management_urls(self, base: str) -> dict[str, str]:
        query = _QUERY.format(hub=self.hub) + self._code("&")
        instance = f"{base}/instances/INSTANCEID"
        return {
            "id": "INSTANCEID",
            "statusQueryGetUri": f"{instance}?{query}",
            "sendEventPostUri": f"{instance}/raiseEvent/{{eventName}}?{query}",
            "terminatePostUri": f"{instance}/terminate?reason={{text}}&{query}",
            "rewindPostUri": f"{instance}/rewind?reason={{text}}&{query}",
            "purgeHistoryDeleteUri": f"{instance}?{query}",
            "restartPostUri": f"{instance}/restart?{query}",
            "suspendPostUri": f"{instance}/suspend?reason={{text}}&{query}",
            "resumePostUri": f"{instance}/resume?reason={{text}}&{query}",
        }

    def _code(self, sep: str) -> str:
        return f"{sep}code={self.system_key}" if self.system_key else ""

    def client_binding_json(self) -> str:
        base = f"{self.base_url}{PREFIX}"
        binding: dict[str, Any] = {
            "taskHubName": self.hub,
            "creationUrls": {
                "createNewInstancePostUri": f"{base}/orchestrators/{{functionName}}[/{{instanceId}}]{self._code('?')}",
                "createAndWaitOnNewInstancePostUri": f"{base}/orchestrators/{{functionName}}[/{{instanceId}}]"
                f"?timeout={{timeoutInSeconds}}&pollingInterval={{intervalInSeconds}}{self._code('&')}",
            },
            "managementUrls": self._management_urls(base),
            "baseUrl": base,
            "requiredQueryStringParameters": self._code(""),
            "rpcBaseUrl": f"{self.base_url}{self.rpc_prefix}/",
        }
        return json.dumps(binding)

    # -- helpers for tests and the CLI ----------------------------------------------------------------------------
    async def run_until_idle(self, *, advance_timers: bool = False) -> None:
        """Wait until nothing is in flight. With a VirtualClock and `advance_timers`, jump to each pending timer."""
        while True:
            await self.engine.run_until_idle()
            await asyncio.sleep(0)
            if self.engine._busy:
                continue
            if not (advance_timers and isinstance(self.clock, VirtualClock)):
                return
            deadline = self.clock.next_deadline()
            if deadline is None:
                return
            self.clock.set(deadline)
            await asyncio.sleep(0)

    async def wait_for(self, instance_id: str, status: str | set[str] = FINAL_STATES, limit: float = 30.0) -> Instance:
        """Wait until the instance reaches `status` (a name or a set; default: any final state)."""
        return await self.engine.wait_for(instance_id, {status} if isinstance(status, str) else set(status), limit)

    async def purge(self, instance_id: str) -> None:
        await self.engine.settle(instance_id)
        self.engine.instances.pop(instance_id, None)
        await self.store.purge(instance_id)
