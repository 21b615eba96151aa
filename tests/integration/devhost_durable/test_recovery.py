"""Restart semantics of the Table Storage commit protocol: the instance row's HistoryCount is the commit point and
inbox messages already in the history are dropped, so a crash between the steps of a commit applies nothing twice."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from devhost.durable import VirtualClock
from devhost.durable.history import EventType, event_raised, task_completed
from devhost.durable.model import Message, new_message_id
from devhost.durable.store import TableStore

pytestmark = [pytest.mark.integration, pytest.mark.asyncio]


async def test_history_rows_past_the_commit_point_are_ignored(make_host, unique, azurite_connection_string, hub):
    first = await make_host()
    instance_id = f"cp-{unique}"
    await first.engine.start_new("approval", instance_id, None)
    await first.run_until_idle()
    committed = list(first.engine.instances[instance_id].history)
    execution = first.engine.instances[instance_id].execution_id
    await first.stop()
    # a crash after writing a history row but before the instance row: the orphan row must not count
    orphan = task_completed(first.clock.now(), 99, '"ghost"')
    async with TableStore(azurite_connection_string, hub) as store:
        await store.history.upsert_entity(
            {
                "PartitionKey": instance_id,
                "RowKey": f"{execution}.{len(committed):08d}",
                "Event": json.dumps(orphan),
                "MessageId": "",
            }
        )
    second = await make_host()
    assert second.engine.instances[instance_id].history == committed
    await second.engine.post(
        instance_id, Message(new_message_id(), "event", event_raised(second.clock.now(), "Approval", '"y"'))
    )
    done = await second.wait_for(instance_id, "Completed")
    assert done.output == {"approved": "y"}


async def test_an_inbox_message_already_applied_is_dropped_on_restart(
    make_host, unique, azurite_connection_string, hub
):
    first = await make_host()
    instance_id = f"dup-{unique}"
    await first.engine.start_new("drifting", instance_id, None)
    await first.run_until_idle()
    message = Message(new_message_id(), "event", event_raised(first.clock.now(), "Go", '"once"'))
    await first.engine.post(instance_id, message)
    done = await first.wait_for(instance_id, "Completed")
    assert done.output == ["Hello 1!", "once"]
    await first.stop()
    # a crash after the commit but before the inbox delete leaves the consumed row behind
    async with TableStore(azurite_connection_string, hub) as store:
        await store.put_message(instance_id, message)
    second = await make_host()
    await second.run_until_idle()
    instance = second.engine.instances[instance_id]
    assert instance.inbox == []
    assert [e["EventType"] for e in instance.history].count(EventType.EVENT_RAISED) == 1
    assert [
        r async for r in second.store.inbox.query_entities("PartitionKey eq @p", parameters={"p": instance_id})
    ] == []


async def test_a_pending_timer_is_re_armed_after_a_restart(make_host, unique):
    clock = VirtualClock()
    first = await make_host(clock)
    instance_id = f"tm-{unique}"
    await first.engine.start_new("sleeper", instance_id, None)
    await first.run_until_idle()
    await first.stop()
    later = VirtualClock(clock.now() + timedelta(minutes=30))
    second = await make_host(later)
    await second.run_until_idle()
    assert second.engine.instances[instance_id].status == "Running"
    later.advance(timedelta(minutes=30))
    done = await second.wait_for(instance_id, "Completed", limit=5)
    assert done.output == "woke up"
