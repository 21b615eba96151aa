"""Shared fixtures. Azurite is started once per test session on free ports (only when a test asks for it) and
stopped by PID at the end."""

from __future__ import annotations

import contextlib
import os
import secrets
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from devhost.azurite import Azurite, start_azurite

os.environ.setdefault("OMP_NUM_THREADS", "1")
# Dev tokens have no default secret (issue 16): the test session signs with one of its own, which every host it
# starts inherits and every token it mints uses (`tests.e2e.support.token`).
os.environ["DEV_AUTH_SECRET"] = secrets.token_urlsafe(48)


@pytest.fixture(scope="session")
def azurite() -> Iterator[Azurite]:
    """A private Azurite (in-memory) for the whole session."""
    instance = start_azurite(in_memory=True)
    try:
        yield instance
    finally:
        instance.stop()


@pytest.fixture(scope="session")
def azurite_connection_string(azurite: Azurite) -> str:
    return azurite.connection_string


@pytest.fixture
def unique() -> str:
    """A short unique suffix so tests never collide on shared infrastructure."""
    return uuid.uuid4().hex[:10]


# The end-to-end fixtures, defined once for every folder (e2e, security, contract), so one devhost serves them all.
from tests.e2e.support import admin, devhost, store, tenant, user_api, world  # noqa: E402

__all__ = ["admin", "azurite", "azurite_connection_string", "devhost", "store", "tenant", "unique", "user_api", "world"]


@pytest.fixture(scope="session", autouse=True)
def _stop_local_automl_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Local training workers and scoring servers run in sessions of their own (they outlive the host, like jobs and
    managed endpoints in Azure): at the end of the test session, stop every one that works under this session's
    temporary folder."""
    yield
    import signal

    base = str(tmp_path_factory.getbasetemp())
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if any(m in cmdline for m in ("domain.automl.local.scorer", "domain.automl.local.worker")) and any(
            base in part for part in cmdline
        ):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(proc.name), signal.SIGTERM)
