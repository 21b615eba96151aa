"""The local dev issuer: minting and verifying, and refusal when the app runs in Azure."""

from __future__ import annotations

import dataclasses
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from domain.auth import build_authenticator, mint_dev_token
from domain.auth.dev_tokens import DEV_AUDIENCE, DEV_ISSUER
from domain.errors import SettingsError, Unauthenticated
from domain.settings import AuthMode, Settings, load_settings
from tests.unit.auth.kit import bearer

SECRET = "a-local-secret-for-the-auth-tests-0123456789"


@pytest.fixture
def settings() -> Settings:
    return load_settings({"AUTH_MODE": "dev", "DEV_AUTH_SECRET": SECRET, "PLATFORM_ADMIN_ROLE": "Ops.Admin"})


def dev_claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {"iss": DEV_ISSUER, "aud": DEV_AUDIENCE, "sub": "bob", "nbf": now, "exp": now + 600}
    claims.update(overrides)
    return claims


def test_a_minted_token_verifies_as_the_user(settings: Settings) -> None:
    token = mint_dev_token(settings, user="alice")
    principal = build_authenticator(settings).authenticate(bearer(token))
    assert principal.user_id == "alice"
    assert principal.issuer == DEV_ISSUER
    assert principal.platform_admin is False
    assert principal.auth_mode is AuthMode.DEV


def test_a_platform_admin_token(settings: Settings) -> None:
    token = mint_dev_token(settings, user="root", platform_admin=True, ttl_seconds=60)
    assert build_authenticator(settings).authenticate(bearer(token)).platform_admin is True
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience=DEV_AUDIENCE)
    assert claims["roles"] == ["Ops.Admin"]
    assert claims["exp"] - claims["iat"] == 60


def test_minting_is_refused_in_azure(settings: Settings) -> None:
    in_azure = dataclasses.replace(settings, website_site_name="automl-func")
    with pytest.raises(SettingsError, match="refused when the app runs in Azure"):
        mint_dev_token(in_azure, user="alice")


def test_the_dev_authenticator_refuses_every_request_in_azure(settings: Settings) -> None:
    token = mint_dev_token(settings, user="alice")
    in_azure = dataclasses.replace(settings, website_site_name="automl-func")
    with pytest.raises(Unauthenticated, match="runs in Azure"):
        build_authenticator(in_azure).authenticate(bearer(token))


def test_settings_refuse_dev_mode_in_azure() -> None:
    with pytest.raises(SettingsError, match="AUTH_MODE: 'dev' is refused"):
        load_settings({"AUTH_MODE": "dev", "WEBSITE_SITE_NAME": "automl-func", "AUTOML_BACKEND": "azureml"})


@pytest.mark.parametrize(
    ("token_of", "expected"),
    [
        pytest.param(lambda: jwt.encode(dev_claims(exp=int(time.time()) - 120), SECRET), "expired", id="expired"),
        pytest.param(lambda: jwt.encode(dev_claims(aud="other"), SECRET), "wrong audience", id="audience"),
        pytest.param(lambda: jwt.encode(dev_claims(iss="https://evil/"), SECRET), "wrong issuer", id="issuer"),
        pytest.param(
            lambda: jwt.encode(dev_claims(), "another-secret-of-32-characters!!"), "bad signature", id="secret"
        ),
        pytest.param(lambda: jwt.encode(dev_claims(sub=None), SECRET), "claim 'sub'", id="no-sub"),
    ],
)
def test_bad_dev_tokens_are_refused(settings: Settings, token_of: object, expected: str) -> None:
    assert callable(token_of)
    token = token_of()
    with pytest.raises(Unauthenticated, match=expected) as info:
        build_authenticator(settings).authenticate(bearer(token))
    assert token not in str(info.value)


def test_an_rs256_token_is_refused_in_dev_mode(settings: Settings, signing_key: rsa.RSAPrivateKey) -> None:
    token = jwt.encode(dev_claims(), signing_key, algorithm="RS256")
    with pytest.raises(Unauthenticated, match="HS256 is required"):
        build_authenticator(settings).authenticate(bearer(token))


def test_an_unsigned_token_is_refused_in_dev_mode(settings: Settings) -> None:
    token = jwt.encode(dev_claims(), None, algorithm="none")
    with pytest.raises(Unauthenticated, match="unsigned"):
        build_authenticator(settings).authenticate(bearer(token))
