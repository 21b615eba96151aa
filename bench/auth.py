"""Cost of identity and authorization per API call: token validation (Entra RS256 with cached JWKS, dev HS256) and
`authorize` through the membership cache (how many store lookups 10,000 calls cost). Prints one JSON document.

Run: .venv/bin/python bench/auth.py
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from domain.auth import CachedMembershipLookup, Permission, Role, authorize, build_authenticator, mint_dev_token
from domain.settings import load_settings

TENANT = "0b6f5c2e-1c1d-4e8f-9a6b-2f1d3c4b5a69"
CLIENT = "7d3c2b1a-0f9e-4d8c-b7a6-958473625140"
CALLS = 10_000


class StaticJwks:
    def __init__(self, document: dict[str, object]) -> None:
        self.document = document
        self.fetches = 0

    def fetch(self, url: str) -> dict[str, object]:
        self.fetches += 1
        return self.document


class CountingMemberships:
    def __init__(self) -> None:
        self.lookups = 0

    def role_of(self, tenant_id: str, user_id: str) -> Role | None:
        self.lookups += 1
        return Role.CONTRIBUTOR


def per_call_us(fn: object, n: int) -> float:
    assert callable(fn)
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return round((time.perf_counter() - start) / n * 1e6, 1)


def main() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = {**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": "k1", "use": "sig"}
    fetcher = StaticJwks({"keys": [jwk]})
    entra_settings = load_settings({"AUTH_MODE": "entra", "ENTRA_TENANT_ID": TENANT, "ENTRA_AUDIENCE": CLIENT})
    entra = build_authenticator(entra_settings, jwks_fetcher=fetcher)
    now = int(time.time())
    claims = {"iss": f"https://login.microsoftonline.com/{TENANT}/v2.0", "aud": CLIENT, "tid": TENANT, "oid": "u1"}
    token = jwt.encode({**claims, "nbf": now, "exp": now + 3600}, key, algorithm="RS256", headers={"kid": "k1"})
    entra_headers = {"Authorization": f"Bearer {token}"}

    dev_settings = load_settings({"AUTH_MODE": "dev", "DEV_AUTH_SECRET": secrets.token_urlsafe(48)})
    dev = build_authenticator(dev_settings)
    dev_headers = {"Authorization": f"Bearer {mint_dev_token(dev_settings, user='u1')}"}

    store = CountingMemberships()
    cache = CachedMembershipLookup(store)
    principal = entra.authenticate(entra_headers)

    result = {
        "calls": CALLS,
        "entra_authenticate_us_per_call": per_call_us(lambda: entra.authenticate(entra_headers), CALLS),
        "entra_jwks_fetches": fetcher.fetches,
        "dev_authenticate_us_per_call": per_call_us(lambda: dev.authenticate(dev_headers), CALLS),
        "authorize_cached_us_per_call": per_call_us(
            lambda: authorize(principal, "t1", Permission.RUN_START, cache), CALLS
        ),
        "membership_store_lookups": store.lookups,
        "membership_cache_hits": cache.hits,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
