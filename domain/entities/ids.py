"""Server-generated ids: URL-safe, stable, time-sortable (12 hex digits of milliseconds + 10 random)."""

from __future__ import annotations

import secrets
import time


def new_id() -> str:
    return f"{int(time.time() * 1000):012x}{secrets.token_hex(5)}"
