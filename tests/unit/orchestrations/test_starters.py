"""Starting an orchestration survives a connection the host closed under the Durable client's pool."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import pytest

from domain.errors import Unavailable
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


class Recorder:
    """Stands in for a service module: records the failure the starter reports."""

    def __init__(self) -> None:
        self.failed: list[tuple[Any, ...]] = []

    def fail(self, *args: Any) -> None:
        self.failed.append(args)

    fail_delete = fail

    def start_delete(self, *args: Any) -> Any:
        return type("Op", (), {"id": "op9"})()


def unreachable() -> Client:
    return Client(*(aiohttp.ClientConnectionError("refused") for _ in range(starters.START_ATTEMPTS)))


@pytest.fixture
def services(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    recorder = Recorder()
    for name in ("deployments", "batch", "cascade"):
        monkeypatch.setattr(starters, name, recorder)
    monkeypatch.setattr(starters._wiring, "store", lambda: "store")
    monkeypatch.setattr(starters._wiring, "backend", lambda: "backend")
    return recorder


def test_a_deployment_that_cannot_start_is_marked_failed_and_answers_503(services: Recorder) -> None:
    with pytest.raises(Unavailable, match="deployment flow could not be started") as raised:
        asyncio.run(starters.start_deployment(unreachable(), "t1", "op1"))  # type: ignore[arg-type]
    assert raised.value.retry_after > 0
    assert [call[:4] for call in services.failed] == [("store", "backend", "t1", "op1")]
    assert "could not be started" in services.failed[0][4]


def test_a_batch_job_that_cannot_start_is_marked_failed_and_answers_503(services: Recorder) -> None:
    with pytest.raises(Unavailable, match="batch scoring flow"):
        asyncio.run(starters.start_batch_score(unreachable(), "t1", "job1"))  # type: ignore[arg-type]
    assert [call[:3] for call in services.failed] == [("store", "t1", "job1")]


def test_a_delete_that_cannot_start_fails_its_operation_and_answers_503(services: Recorder) -> None:
    with pytest.raises(Unavailable, match="delete could not be started"):
        asyncio.run(starters.start_delete(unreachable(), None, "t1", "run", "r1", None))  # type: ignore[arg-type]
    assert [call[:3] for call in services.failed] == [("store", "t1", "op9")]


def test_a_run_whose_orchestration_cannot_start_is_still_accepted_for_reconciliation(services: Recorder) -> None:
    client = unreachable()
    asyncio.run(starters.start_requested_training(client, "t1", "run1"))  # type: ignore[arg-type]
    assert len(client.calls) == starters.START_ATTEMPTS and services.failed == []
