"""Signing keys of the Entra tenant: fetched through a `JwksFetcher` port, cached, and refreshed on key rotation.

Rules (DESIGN.md §6, notes/security-reliability.md §4):
- the key set is cached for `ttl_seconds` (default 1 h) and then refetched;
- a token naming an unknown `kid` triggers ONE refetch (Entra rolled its keys), but at most one per
  `min_refetch_seconds` (default 60 s), so random `kid`s cannot make the app hammer the JWKS endpoint;
- when a refetch fails, the keys already held are kept (the error only surfaces when no key is held at all).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping
from urllib.error import URLError
from urllib.parse import urlsplit

import jwt

from domain.errors import Unauthenticated, Unavailable
from domain.ports import JwksFetcher

log = logging.getLogger(__name__)

ENTRA_JWKS_URL = "https://login.microsoftonline.com/{tenant}/discovery/v2.0/keys"
MAX_JWKS_BYTES = 1_048_576


class UrllibJwksFetcher:
    """`JwksFetcher` over urllib (blocking, with a timeout). The URL comes from settings, never from a request."""

    def __init__(self, *, timeout_seconds: float = 5.0) -> None:
        self._timeout = timeout_seconds

    def fetch(self, url: str) -> Mapping[str, object]:
        if urlsplit(url).scheme not in ("https", "http"):
            raise ValueError("JWKS URL must be http(s)")
        request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 (scheme checked)
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310 (scheme checked)
                body = response.read(MAX_JWKS_BYTES + 1)
        except (URLError, OSError) as exc:
            raise Unavailable("The identity provider's signing keys cannot be fetched.", retry_after=5) from exc
        if len(body) > MAX_JWKS_BYTES:
            raise Unavailable("The identity provider's signing key set is too large.", retry_after=5)
        try:
            document = json.loads(body)
        except ValueError as exc:
            raise Unavailable("The identity provider's signing key set is not JSON.", retry_after=5) from exc
        if not isinstance(document, dict):
            raise Unavailable("The identity provider's signing key set is not a JSON object.", retry_after=5)
        return document


def parse_jwks(document: Mapping[str, object]) -> dict[str, jwt.PyJWK]:
    """The RSA signing keys of a JWKS document by `kid`; keys that are malformed or not for signing are skipped."""
    keys: dict[str, jwt.PyJWK] = {}
    entries = document.get("keys")
    if not isinstance(entries, list):
        return keys
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or entry.get("use", "sig") != "sig":
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid:
            continue
        try:
            keys[kid] = jwt.PyJWK(entry, algorithm="RS256")
        except jwt.PyJWTError:
            log.warning("skipping a malformed key in the JWKS document")
    return keys


class JwksKeyCache:
    """The signing keys at `url`, cached; thread-safe. `fetch_count` says how many fetches were made."""

    def __init__(
        self,
        url: str,
        fetcher: JwksFetcher,
        *,
        ttl_seconds: float = 3600.0,
        min_refetch_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._fetcher = fetcher
        self._ttl = ttl_seconds
        self._min_refetch = min_refetch_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self.fetch_count = 0

    def key_for(self, kid: str) -> jwt.PyJWK:
        """The key named `kid`; refetches when the cache is stale, or once (rate-limited) when `kid` is unknown.

        Raises `Unauthenticated` when the key set does not hold `kid`, `Unavailable` when no key set can be had.
        """
        with self._lock:
            now = self._clock()
            age = None if self._fetched_at is None else now - self._fetched_at
            stale = age is None or age >= self._ttl
            rotated = kid not in self._keys and age is not None and age >= self._min_refetch
            if stale or rotated:
                self._refresh(now)
            key = self._keys.get(kid)
        if key is None:
            raise Unauthenticated("The token's signing key (kid) is not one of the tenant's published keys.")
        return key

    def _refresh(self, now: float) -> None:
        self.fetch_count += 1
        try:
            document = self._fetcher.fetch(self._url)
        except Unavailable:
            if not self._keys:
                raise
            log.warning("JWKS refetch failed; keeping the %d keys already held", len(self._keys))
            self._fetched_at = now - self._ttl + self._min_refetch  # try again after min_refetch_seconds
            return
        self._keys = parse_jwks(document)
        self._fetched_at = now
