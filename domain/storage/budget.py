"""A request's storage budget: the time an API request may spend waiting on Table Storage, all its calls together.

Each call is bounded on its own (domain/storage/clients.py: connect 2 s, read 4 s, an overall 5 s per call). A request
makes several calls (the caller's membership, then the work), so in an outage two slow calls answered 503 only after
about 8 s. With a budget, every call gets what is left of it as its connect and read timeout, without retries when
little is left, and a call that finds it spent fails at once: an outage answers 503 with Retry-After within about
`REQUEST_SECONDS`, however many calls the request makes. The time the request waited before its first call (queued
for a worker thread while other requests hold them in an outage) is counted too; time between calls (a blob upload,
the handler's own work) is not, so a long upload is not cut short. Durable activities and timers run without a
budget: their calls keep the per-call bounds.

    with request_budget():                # functions/_api.py, around one request
        ...                               # every TableBackend call inside draws on it (threads included)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from domain.storage.backend import BackendUnavailable

REQUEST_SECONDS = 4.5  # an outage answers 503 a little after this (the host's own work on top)
CONNECT_SECONDS = 2.0  # the per-call bounds of domain/storage/clients.py
READ_SECONDS = 4.0
NO_RETRY_BELOW = 2.0  # with less left, one attempt: a retry could not finish in time anyway
RETRY_AFTER = 5


@dataclass
class Budget:
    seconds: float
    arrived: float = field(default_factory=time.monotonic)  # when the request arrived
    spent: float = 0.0
    waited: bool = False  # the wait before the first call (the request queued for a worker thread) is charged

    def charge_wait(self) -> None:
        if not self.waited:
            self.waited = True
            self.spent += time.monotonic() - self.arrived


_CURRENT: ContextVar[Budget | None] = ContextVar("storage_budget", default=None)


@contextmanager
def request_budget(seconds: float = REQUEST_SECONDS) -> Iterator[Budget]:
    """Give the calls made inside (in this context and the threads it starts) `seconds` of storage time in all."""
    budget = Budget(seconds)
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


@contextmanager
def storage_call() -> Iterator[dict[str, Any]]:
    """Around one SDK call: the options bounding it by what is left of the budget (none without a budget)."""
    budget = _CURRENT.get()
    if budget is None:
        yield {}
        return
    budget.charge_wait()
    left = budget.seconds - budget.spent
    if left <= 0.05:
        raise BackendUnavailable(
            f"Table Storage did not answer within this request's {budget.seconds:g} s budget", RETRY_AFTER
        )
    options: dict[str, Any] = {
        "connection_timeout": min(CONNECT_SECONDS, left),
        "read_timeout": min(READ_SECONDS, left),
    }
    if left < NO_RETRY_BELOW:
        options["retry_total"] = 0
    started = time.monotonic()
    try:
        yield options
    finally:
        budget.spent += time.monotonic() - started
