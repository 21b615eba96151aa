"""Starting an orchestration survives a connection the host closed under the Durable client's pool."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from functions.orchestrations import names, starters


class Client:
    """Answers start_new with the given errors in turn, then succeeds; records every attempt."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls: list[tuple[str, str, Any]] = []

    async def start_new(self, name: str, instance_id: str, job: Any) -> str:
        self.calls.append((name, instance_id, job))
        if self.errors:
            raise self.errors.pop(0)
        return instance_id


def test_a_reset_connection_is_tried_again_and_the_orchestration_starts() -> None:
    client = Client(aiohttp.ClientOSError(104, "Connection reset by peer"))
    asyncio.run(starters.start_deployment(client, "t1", "op1"))  # type: ignore[arg-type]
    job = {"tenant": "t1", "operationId": "op1"}
    assert client.calls == [(names.DEPLOYMENT, "op1", job), (names.DEPLOYMENT, "op1", job)]


def test_a_host_that_stays_unreachable_fails_after_the_last_attempt() -> None:
    client = Client(*(aiohttp.ClientConnectionError("refused") for _ in range(starters.START_ATTEMPTS)))
    with pytest.raises(aiohttp.ClientConnectionError):
        asyncio.run(starters.start_training(client, "t1", "run1"))  # type: ignore[arg-type]
    assert len(client.calls) == starters.START_ATTEMPTS


def test_an_answer_from_the_host_is_not_repeated() -> None:
    """The host answered (e.g. the instance exists): starting again would not change that answer."""
    client = Client(Exception("the instance already exists"))
    with pytest.raises(Exception, match="already exists"):
        asyncio.run(starters.start_batch_score(client, "t1", "job1"))  # type: ignore[arg-type]
    assert len(client.calls) == 1
