"""Entra ID access tokens: signature, issuer (v1 and v2), audience (both forms), exp/nbf with skew, pinned alg."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from domain.errors import Unauthenticated
from domain.ports import Authenticator
from domain.settings import AuthMode
from tests.unit.auth.kit import (
    ADMIN_ROLE,
    APP_ID_URI,
    CLIENT_ID,
    OTHER_TENANT,
    TENANT,
    V1_ISSUER,
    V2_ISSUER,
    bearer,
    entra_claims,
)

Mint = Callable[..., str]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def refused(entra: Authenticator, token: str, expected: str) -> Unauthenticated:
    with pytest.raises(Unauthenticated, match=expected) as info:
        entra.authenticate(bearer(token))
    assert token not in str(info.value)
    assert token.split(".")[1] not in info.value.message
    return info.value


def test_a_valid_v2_token_gives_the_principal(entra: Authenticator, mint: Mint) -> None:
    principal = entra.authenticate(bearer(mint()))
    assert principal.user_id == "11111111-2222-3333-4444-555555555555"
    assert principal.display_name == "Ada Lovelace"
    assert principal.issuer == V2_ISSUER
    assert principal.platform_admin is False
    assert principal.auth_mode is AuthMode.ENTRA


def test_header_names_are_case_insensitive(entra: Authenticator, mint: Mint) -> None:
    assert entra.authenticate({"authorization": f"bearer {mint()}"}).user_id.startswith("1111")


@pytest.mark.parametrize("issuer", [V2_ISSUER, V1_ISSUER], ids=["v2", "v1"])
@pytest.mark.parametrize("audience", [CLIENT_ID, APP_ID_URI], ids=["client-id", "app-id-uri"])
def test_v1_and_v2_issuers_and_both_audience_forms_are_accepted(
    entra: Authenticator, mint: Mint, issuer: str, audience: str
) -> None:
    assert entra.authenticate(bearer(mint(iss=issuer, aud=audience))).issuer == issuer


@pytest.mark.parametrize(
    "issuer",
    [
        f"https://login.microsoftonline.com/{OTHER_TENANT}/v2.0",
        f"https://sts.windows.net/{OTHER_TENANT}/",
        f"https://login.microsoftonline.com/{TENANT}/v2.0/v2.0",
        "https://devhost.local/",
    ],
    ids=["other-tenant-v2", "other-tenant-v1", "doubled-v2", "dev-issuer"],
)
def test_other_issuers_are_refused(entra: Authenticator, mint: Mint, issuer: str) -> None:
    refused(entra, mint(iss=issuer, tid=None), "wrong issuer")


def test_tid_of_another_tenant_is_refused(entra: Authenticator, mint: Mint) -> None:
    refused(entra, mint(tid=OTHER_TENANT), "another Entra tenant")


@pytest.mark.parametrize("audience", ["api://someone-else", "00000003-0000-0000-c000-000000000000", ["api://other"]])
def test_wrong_audience_is_refused(entra: Authenticator, mint: Mint, audience: object) -> None:
    refused(entra, mint(aud=audience), "wrong audience")


def test_an_expired_token_is_refused(entra: Authenticator, mint: Mint) -> None:
    refused(entra, mint(exp=int(time.time()) - 120), "expired")


def test_a_token_expired_within_the_clock_skew_is_accepted(entra: Authenticator, mint: Mint) -> None:
    assert entra.authenticate(bearer(mint(exp=int(time.time()) - 30)))


def test_a_not_yet_valid_token_is_refused(entra: Authenticator, mint: Mint) -> None:
    refused(entra, mint(nbf=int(time.time()) + 300), "not valid yet")


def test_a_token_valid_within_the_clock_skew_is_accepted(entra: Authenticator, mint: Mint) -> None:
    assert entra.authenticate(bearer(mint(nbf=int(time.time()) + 30)))


@pytest.mark.parametrize("claim", ["exp", "nbf", "aud", "iss"])
def test_required_claims(entra: Authenticator, mint: Mint, claim: str) -> None:
    refused(entra, mint(**{claim: None}), f"lacks the required claim '{claim}'")


def test_a_token_without_oid_or_sub_is_refused(entra: Authenticator, mint: Mint) -> None:
    refused(entra, mint(oid=None, sub=None), "'oid'")


def test_sub_is_the_user_id_when_there_is_no_oid(entra: Authenticator, mint: Mint) -> None:
    assert entra.authenticate(bearer(mint(oid=None))).user_id == "pairwise-subject"


def test_an_unsigned_token_is_refused(entra: Authenticator) -> None:
    header = b64url(json.dumps({"alg": "none", "typ": "JWT", "kid": "kid-1"}).encode())
    payload = b64url(json.dumps(entra_claims()).encode())
    refused(entra, f"{header}.{payload}.", "unsigned")


def test_an_hs256_token_signed_with_the_public_key_is_refused(
    entra: Authenticator, signing_key: rsa.RSAPrivateKey
) -> None:
    pem = signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "kid-1"}).encode())
    payload = b64url(json.dumps(entra_claims()).encode())
    signature = b64url(hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    refused(entra, f"{header}.{payload}.{signature}", "algorithm is not accepted")


def test_an_hs256_token_with_a_shared_secret_is_refused(entra: Authenticator) -> None:
    token = jwt.encode(entra_claims(), "x" * 32, algorithm="HS256", headers={"kid": "kid-1"})
    refused(entra, token, "algorithm is not accepted; RS256 is required")


def test_a_tampered_signature_is_refused(entra: Authenticator, mint: Mint) -> None:
    header, payload, signature = mint().split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[10] ^= 0xFF
    refused(entra, f"{header}.{payload}.{b64url(bytes(raw))}", "bad signature")


def test_a_tampered_payload_is_refused(entra: Authenticator, mint: Mint) -> None:
    header, _, signature = mint().split(".")
    forged = b64url(json.dumps(entra_claims(roles=[ADMIN_ROLE])).encode())
    refused(entra, f"{header}.{forged}.{signature}", "bad signature")


def test_a_token_signed_by_another_key_with_our_kid_is_refused(
    entra: Authenticator, mint: Mint, rotated_key: rsa.RSAPrivateKey
) -> None:
    refused(entra, mint(key=rotated_key), "bad signature")


def test_the_platform_admin_app_role_makes_a_platform_admin(entra: Authenticator, mint: Mint) -> None:
    assert entra.authenticate(bearer(mint(roles=["Other", ADMIN_ROLE]))).platform_admin is True
    assert entra.authenticate(bearer(mint(roles=["Other"]))).platform_admin is False
    assert entra.authenticate(bearer(mint(roles=ADMIN_ROLE))).platform_admin is False  # a string is not a list


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param({}, "header is missing", id="no-header"),
        pytest.param({"Authorization": ""}, "header is missing", id="empty-header"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, "malformed", id="basic-scheme"),
        pytest.param({"Authorization": "Bearer"}, "malformed", id="no-token"),
        pytest.param({"Authorization": "Bearer not-a-jwt"}, "malformed", id="not-a-jwt"),
        pytest.param({"Authorization": "Bearer a.b.c"}, "malformed", id="garbage-jwt"),
        pytest.param({"Authorization": "Bearer " + "a" * 20000 + ".b.c"}, "too long", id="too-long"),
    ],
)
def test_missing_or_malformed_headers_are_refused(entra: Authenticator, headers: dict[str, str], expected: str) -> None:
    with pytest.raises(Unauthenticated, match=expected):
        entra.authenticate(headers)


def test_a_token_without_kid_is_refused(entra: Authenticator, signing_key: rsa.RSAPrivateKey) -> None:
    token = jwt.encode(entra_claims(), signing_key, algorithm="RS256")
    refused(entra, token, r"no signing key \(kid\)")
