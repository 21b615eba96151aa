"""Server-generated ids: URL-safe, stable, sorting by creation time (12 hex digits of milliseconds + 10 hex digits).

Within a process they are strictly increasing, even within one millisecond (the random part of the previous id plus
one, as monotonic ULIDs do); across processes they sort by the millisecond and differ by 39 random bits."""

from __future__ import annotations

import secrets
import threading
import time

_lock = threading.Lock()
_last = (0, 0)  # (milliseconds, random part) of the previous id


def new_id() -> str:
    global _last
    with _lock:
        ms = int(time.time() * 1000)
        last_ms, last_random = _last
        if ms <= last_ms:  # the same millisecond (or a clock step back): keep the order
            ms, random = last_ms, last_random + 1
            if random >= 1 << 40:
                ms, random = ms + 1, secrets.randbits(39)
        else:
            random = secrets.randbits(39)  # below 2**39: room to count up within the millisecond
        _last = (ms, random)
    return f"{ms:012x}{random:010x}"
