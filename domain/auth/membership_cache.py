"""A short-lived, bounded cache in front of a `MembershipLookup`, so authorization does not cost a Table request per
API call. Entries (including "not a member") live `ttl_seconds` (default 30 s); a change made through this process
calls `invalidate` so it is seen at once; another instance sees it within the TTL."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from domain.entities.role import Role
from domain.ports import MembershipLookup


class CachedMembershipLookup:
    """`MembershipLookup` decorating another; thread-safe; least-recently-used entries are evicted past `max_entries`.

    `hits` and `misses` count lookups answered from the cache and from `inner`.
    """

    def __init__(
        self,
        inner: MembershipLookup,
        *,
        ttl_seconds: float = 30.0,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if ttl_seconds <= 0 or max_entries <= 0:
            raise ValueError("ttl_seconds and max_entries must be positive")
        self._inner = inner
        self._ttl = ttl_seconds
        self._max = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, str], tuple[float, Role | None]] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def role_of(self, tenant_id: str, user_id: str) -> Role | None:
        key = (tenant_id, user_id)
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry[0] > now:
                self._entries.move_to_end(key)
                self.hits += 1
                return entry[1]
            self.misses += 1
        role = self._inner.role_of(tenant_id, user_id)
        with self._lock:
            self._entries[key] = (now + self._ttl, role)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return role

    def invalidate(self, tenant_id: str, user_id: str) -> None:
        """Forget the user's role in the tenant (call after adding, changing or removing a member)."""
        with self._lock:
            self._entries.pop((tenant_id, user_id), None)

    def invalidate_tenant(self, tenant_id: str) -> None:
        """Forget every cached role in the tenant (call after deleting a tenant)."""
        with self._lock:
            for key in [k for k in self._entries if k[0] == tenant_id]:
                del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)
