"""Durable state in Table Storage (Azurite locally): `{hub}Instances`, `{hub}History` and `{hub}Inbox`.

Commit protocol for one episode (so that a crash at any point is recoverable and every message is applied once):
1. upsert the episode's history rows (RowKey `{executionId}.{seq:08d}`, each with the inbox `MessageId` it consumed),
2. upsert the instance row, whose `HistoryCount` is the commit point (rows past it are ignored on load),
3. delete the consumed inbox rows (leftovers are recognised by their MessageId in the history and dropped on load).
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from azure.core.exceptions import ResourceExistsError, ResourceNotFoundError
from azure.data.tables import TableTransactionError, UpdateMode
from azure.data.tables.aio import TableClient, TableServiceClient

from devhost.durable.history import Event
from devhost.durable.model import Instance, Message

_BATCH = 100  # Table Storage transaction limit


class TableStore:
    def __init__(self, connection_string: str, hub: str) -> None:
        self._service = TableServiceClient.from_connection_string(connection_string)
        self.instances: TableClient = self._service.get_table_client(f"{hub}Instances")
        self.history: TableClient = self._service.get_table_client(f"{hub}History")
        self.inbox: TableClient = self._service.get_table_client(f"{hub}Inbox")

    async def open(self) -> None:
        for table in (self.instances, self.history, self.inbox):
            with contextlib.suppress(ResourceExistsError):
                await table.create_table()

    async def __aenter__(self) -> TableStore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        for table in (self.instances, self.history, self.inbox):
            await table.close()
        await self._service.close()

    async def load(self) -> list[Instance]:
        """Every instance with its committed history and its unconsumed inbox messages."""
        raw = [row async for row in self.instances.list_entities()]
        instances = {row["PartitionKey"]: Instance.from_entity(row) for row in raw}
        counts = {row["PartitionKey"]: int(row.get("HistoryCount") or 0) for row in raw}
        rows: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        async for item in self.history.list_entities():
            rows.setdefault(item["PartitionKey"], []).append((item["RowKey"], dict(item)))
        for key, instance in instances.items():
            prefix = f"{instance.execution_id}."
            mine = sorted((pair for pair in rows.get(key, []) if pair[0].startswith(prefix)), key=lambda p: p[0])
            for _, stored in mine[: counts[key]]:
                instance.history.append(json.loads(stored["Event"]))
                if stored.get("MessageId"):
                    instance.applied.add(stored["MessageId"])
        async for row in self.inbox.list_entities():
            owner = instances.get(row["PartitionKey"])
            if owner is None or row["RowKey"] in owner.applied:
                await self.inbox.delete_entity(row["PartitionKey"], row["RowKey"])
            else:
                owner.inbox.append(Message.from_payload(row["RowKey"], row["Payload"]))
        for instance in instances.values():
            instance.inbox.sort(key=lambda m: m.message_id)
        return list(instances.values())

    async def put_message(self, instance_id: str, message: Message) -> None:
        await self.inbox.upsert_entity(
            {"PartitionKey": instance_id, "RowKey": message.message_id, "Payload": message.payload()}
        )

    async def commit(self, instance: Instance, start: int, message_ids: dict[int, str], consumed: list[str]) -> None:
        """Persist history rows `start..` (with the inbox ids they came from), then the instance row, then the inbox."""
        ops: list[Any] = []
        for seq in range(start, len(instance.history)):
            entity = {
                "PartitionKey": instance.instance_id,
                "RowKey": f"{instance.execution_id}.{seq:08d}",
                "Event": json.dumps(instance.history[seq]),
                "MessageId": message_ids.get(seq, ""),
            }
            ops.append(("upsert", entity, {"mode": UpdateMode.REPLACE}))
        for i in range(0, len(ops), _BATCH):
            await self.history.submit_transaction(ops[i : i + _BATCH])
        await self.save_instance(instance)
        for message_id in consumed:
            with contextlib.suppress(ResourceNotFoundError):
                await self.inbox.delete_entity(instance.instance_id, message_id)

    async def save_instance(self, instance: Instance) -> None:
        await self.instances.upsert_entity(instance.to_entity(), mode=UpdateMode.REPLACE)

    async def read_history(self, instance_id: str) -> list[Event]:
        rows = [r async for r in self.history.query_entities("PartitionKey eq @pk", parameters={"pk": instance_id})]
        return [json.loads(r["Event"]) for r in sorted(rows, key=lambda r: r["RowKey"])]

    async def delete_rows(self, table: TableClient, instance_id: str, keep_prefix: str | None = None) -> None:
        rows = [
            r
            async for r in table.query_entities(
                "PartitionKey eq @pk", parameters={"pk": instance_id}, select=["PartitionKey", "RowKey"]
            )
        ]
        doomed = [r for r in rows if keep_prefix is None or not r["RowKey"].startswith(keep_prefix)]
        for i in range(0, len(doomed), _BATCH):
            chunk = doomed[i : i + _BATCH]
            try:
                await table.submit_transaction([("delete", r) for r in chunk])
            except TableTransactionError:  # a row went away meanwhile (e.g. an episode consumed it): one by one
                for row in chunk:
                    with contextlib.suppress(ResourceNotFoundError):
                        await table.delete_entity(row["PartitionKey"], row["RowKey"])

    async def purge(self, instance_id: str) -> None:
        await self.delete_rows(self.history, instance_id)
        await self.delete_rows(self.inbox, instance_id)
        with contextlib.suppress(ResourceNotFoundError):
            await self.instances.delete_entity(instance_id, "")
