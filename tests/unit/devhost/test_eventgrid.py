"""The Event Grid webhook: handshake, Notification batches in both schemas, failures, unknown functions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.asyncio
HostFactory = Callable[..., Any]
URL = "/runtime/webhooks/EventGrid?functionName=on_event"


def eg_event(event_id: str, subject: str = "runs/1") -> dict[str, Any]:
    return {
        "id": event_id,
        "topic": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws",
        "subject": subject,
        "eventType": "Microsoft.MachineLearningServices.RunCompleted",
        "eventTime": "2024-05-01T10:00:00Z",
        "data": {"runId": "r1"},
        "dataVersion": "2",
        "metadataVersion": "1",
    }


def cloud_event(event_id: str, subject: str = "runs/1") -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": "/subscriptions/x/workspaces/ws",
        "type": "Microsoft.MachineLearningServices.RunCompleted",
        "subject": subject,
        "time": "2024-05-01T10:00:00Z",
        "data": {"runId": "r1"},
    }


async def events(client: Any) -> list[dict[str, Any]]:
    return [c for c in (await client.get("/api/calls")).json() if c["fn"] == "on_event"]


async def test_subscription_validation_handshake(sample_host: HostFactory) -> None:
    body = [
        {
            "id": "v1",
            "topic": "t",
            "subject": "",
            "eventType": "Microsoft.EventGrid.SubscriptionValidationEvent",
            "eventTime": "2024-05-01T10:00:00Z",
            "data": {"validationCode": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"},
            "dataVersion": "1",
        }
    ]
    async with sample_host() as (_, client):
        resp = await client.post(URL, json=body, headers={"aeg-event-type": "SubscriptionValidation"})
        assert resp.status_code == 200
        assert resp.json() == {"validationResponse": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"}
        assert await events(client) == []


async def test_notification_batch_in_event_grid_schema(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        resp = await client.post(
            "/runtime/webhooks/eventgrid?functionName=ON_EVENT",  # path and function name case-insensitive
            json=[eg_event("e1"), eg_event("e2")],
            headers={"aeg-event-type": "Notification"},
        )
        assert resp.status_code == 202
        got = await events(client)
    assert sorted((e["id"], e["kind"]) for e in got) == [("e1", "eventgrid"), ("e2", "eventgrid")]


async def test_notification_cloud_events_single_and_batch(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        headers = {"aeg-event-type": "Notification"}
        assert (await client.post(URL, json=cloud_event("c1"), headers=headers)).status_code == 202
        batch = [cloud_event("c2"), cloud_event("c3")]
        assert (await client.post(URL, json=batch, headers=headers)).status_code == 202
        got = await events(client)
    assert sorted((e["id"], e["kind"]) for e in got) == [
        ("c1", "cloudevent"),
        ("c2", "cloudevent"),
        ("c3", "cloudevent"),
    ]


async def test_failing_invocation_answers_500_with_the_message(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        resp = await client.post(
            URL, json=[eg_event("ok1"), eg_event("bad1", subject="boom")], headers={"aeg-event-type": "Notification"}
        )
        assert resp.status_code == 500
        assert "bad event bad1" in resp.text
        assert [e["id"] for e in await events(client)] == ["ok1"]  # the other event of the batch still ran


async def test_unknown_function_is_404(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        resp = await client.post(
            "/runtime/webhooks/EventGrid?functionName=nope",
            json=[eg_event("e")],
            headers={"aeg-event-type": "Notification"},
        )
        assert resp.status_code == 404
        assert resp.text == "cannot find function: 'nope'"
        not_eg = await client.post(
            "/runtime/webhooks/EventGrid?functionName=hello", json=[], headers={"aeg-event-type": "Notification"}
        )
        assert not_eg.status_code == 404


async def test_unsubscribe_and_unknown_event_type(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        assert (await client.post(URL, json=[], headers={"aeg-event-type": "Unsubscribe"})).status_code == 202
        assert (await client.post(URL, json=[eg_event("e")])).status_code == 400
        assert await events(client) == []


async def test_cloud_events_abuse_protection_preflight(sample_host: HostFactory) -> None:
    async with sample_host() as (_, client):
        resp = await client.options(URL, headers={"WebHook-Request-Origin": "eventgrid.azure.net"})
    assert resp.status_code == 200
    assert resp.headers["webhook-allowed-origin"] == "eventgrid.azure.net"


async def test_event_grid_body_limit(sample_host: HostFactory) -> None:
    async with sample_host(max_body_bytes=100) as (_, client):
        resp = await client.post(URL, json=[eg_event("big")], headers={"aeg-event-type": "Notification"})
        assert resp.status_code == 413
        assert await events(client) == []
