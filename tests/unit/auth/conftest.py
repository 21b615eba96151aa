"""Fixtures for the auth unit tests (helpers in kit.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from domain.auth import build_authenticator
from domain.ports import Authenticator
from domain.settings import Settings, load_settings
from tests.unit.auth.kit import (
    ADMIN_ROLE,
    APP_ID_URI,
    TENANT,
    FakeClock,
    FakeJwksFetcher,
    entra_claims,
    jwks_of,
    new_rsa_key,
)


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return new_rsa_key()


@pytest.fixture(scope="session")
def rotated_key() -> rsa.RSAPrivateKey:
    return new_rsa_key()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fetcher(signing_key: rsa.RSAPrivateKey) -> FakeJwksFetcher:
    return FakeJwksFetcher(jwks_of((signing_key, "kid-1")))


@pytest.fixture
def entra_settings() -> Settings:
    return load_settings(
        {
            "AUTH_MODE": "entra",
            "ENTRA_TENANT_ID": TENANT,
            "ENTRA_AUDIENCE": APP_ID_URI,
            "PLATFORM_ADMIN_ROLE": ADMIN_ROLE,
        }
    )


@pytest.fixture
def mint(signing_key: rsa.RSAPrivateKey) -> Callable[..., str]:
    """mint(key=None, kid="kid-1", **claim_overrides) -> a signed Entra-shaped token."""

    def _mint(*, key: rsa.RSAPrivateKey | None = None, kid: str = "kid-1", **overrides: Any) -> str:
        return jwt.encode(entra_claims(**overrides), key or signing_key, algorithm="RS256", headers={"kid": kid})

    return _mint


@pytest.fixture
def entra(entra_settings: Settings, fetcher: FakeJwksFetcher, clock: FakeClock) -> Authenticator:
    """The Entra authenticator as the app builds it, its keys served by `fetcher`."""
    return build_authenticator(entra_settings, jwks_fetcher=fetcher, clock=clock)
