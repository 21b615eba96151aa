"""The scoring server's models: loaded on first use, least recently used unloaded beyond a memory budget.

Stdlib only (each load is given its loader), so the policy is tested without a model library. A model's size is the
larger of its serialised size and the growth of the process's resident memory while it loaded (loads run one at a
time). The model just loaded is never unloaded, so one model larger than the whole budget is still served alone; a
model unloaded while a prediction uses it stays usable for that prediction.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Loader = Callable[[], tuple[Any, int]]  # () -> (model, its serialised size in bytes)


def resident_bytes() -> int:
    """This process's resident memory (Linux /proc)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@dataclass
class Entry:
    key: str
    uri: str
    model: Any
    size: int
    load_seconds: float
    lock: threading.Lock = field(default_factory=threading.Lock)  # one prediction at a time per model (n_jobs=1)
    last_used: float = field(default_factory=time.time)


class ModelCache:
    def __init__(self, budget_bytes: int, measure: Callable[[], int] = resident_bytes) -> None:
        self.budget_bytes = budget_bytes
        self._measure = measure
        self._entries: OrderedDict[str, Entry] = OrderedDict()  # least recently used first
        self._lock = threading.Lock()  # guards _entries
        self._load_lock = threading.Lock()  # one load at a time: sizes are measured, and the machine is small
        self.evictions = 0

    def get(self, key: str, uri: str) -> Entry | None:
        """The loaded model of `key` (marked most recently used), None when it is not loaded (or was loaded from
        another uri)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.uri != uri:
                return None
            self._entries.move_to_end(key)
            entry.last_used = time.time()
            return entry

    def load(self, key: str, uri: str, loader: Loader) -> Entry:
        """Load `key` with `loader` (unless a concurrent load of the same uri just did), then unload the least
        recently used models until the total fits the budget again."""
        with self._load_lock:
            entry = self.get(key, uri)
            if entry is not None:
                return entry
            before, started = self._measure(), time.perf_counter()
            model, serialised = loader()
            size = max(serialised, self._measure() - before)
            entry = Entry(key, uri, model, size, time.perf_counter() - started)
            with self._lock:
                self._entries.pop(key, None)
                self._entries[key] = entry
                self._evict(keep=key)
            return entry

    def _evict(self, keep: str) -> None:
        while self.total_bytes() > self.budget_bytes:
            victim = next((k for k in self._entries if k != keep), None)
            if victim is None:
                return
            del self._entries[victim]
            self.evictions += 1

    def unload(self, prefix: str) -> list[str]:
        """Unload every model whose key starts with `prefix`; returns their keys."""
        with self._lock:
            keys = [k for k in self._entries if k.startswith(prefix)]
            for k in keys:
                del self._entries[k]
        return keys

    def total_bytes(self) -> int:
        return sum(e.size for e in self._entries.values())

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "budget_bytes": self.budget_bytes,
                "total_bytes": self.total_bytes(),
                "models": {
                    k: {"uri": e.uri, "bytes": e.size, "load_seconds": round(e.load_seconds, 4)}
                    for k, e in self._entries.items()
                },
                "evictions": self.evictions,
            }
