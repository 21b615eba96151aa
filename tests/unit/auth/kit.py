"""Helpers for the auth tests: RSA keys generated locally, JWKS documents, a fake JWKS fetcher, a fake clock,
Entra-shaped claims. No network."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from domain.errors import Unavailable

TENANT = "0b6f5c2e-1c1d-4e8f-9a6b-2f1d3c4b5a69"
OTHER_TENANT = "9f8e7d6c-5b4a-4321-8fed-cba987654321"
CLIENT_ID = "7d3c2b1a-0f9e-4d8c-b7a6-958473625140"
APP_ID_URI = f"api://{CLIENT_ID}"
V2_ISSUER = f"https://login.microsoftonline.com/{TENANT}/v2.0"
V1_ISSUER = f"https://sts.windows.net/{TENANT}/"
ADMIN_ROLE = "Platform.Admin"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeJwksFetcher:
    """Serves `document`; records each fetch; raises `Unavailable` while `failing`."""

    def __init__(self, document: Mapping[str, object]) -> None:
        self.document = document
        self.urls: list[str] = []
        self.failing = False

    def fetch(self, url: str) -> Mapping[str, object]:
        self.urls.append(url)
        if self.failing:
            raise Unavailable("down")
        return self.document


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk_of(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


def jwks_of(*pairs: tuple[rsa.RSAPrivateKey, str]) -> dict[str, object]:
    return {"keys": [jwk_of(key, kid) for key, kid in pairs]}


def entra_claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": V2_ISSUER,
        "aud": CLIENT_ID,
        "tid": TENANT,
        "oid": "11111111-2222-3333-4444-555555555555",
        "sub": "pairwise-subject",
        "name": "Ada Lovelace",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "ver": "2.0",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
