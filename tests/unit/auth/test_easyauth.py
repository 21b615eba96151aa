"""Easy Auth: X-MS-CLIENT-PRINCIPAL is trusted only when App Service authentication is on in Azure; malformed
headers are refused."""

from __future__ import annotations

import base64
import json

import pytest

from domain.auth import build_authenticator
from domain.errors import Unauthenticated
from domain.ports import Authenticator
from domain.settings import AuthMode, Settings, load_settings
from tests.unit.auth.kit import ADMIN_ROLE, OTHER_TENANT, TENANT

OID = "http://schemas.microsoft.com/identity/claims/objectidentifier"
TID = "http://schemas.microsoft.com/identity/claims/tenantid"
NAME = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"
ROLE = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"


def azure_settings(**env: str) -> Settings:
    """Settings of an app running in Azure with AUTH_MODE=easyauth."""
    base = {
        "AUTH_MODE": "easyauth",
        "WEBSITE_SITE_NAME": "automl-func",
        "AUTOML_BACKEND": "azureml",
        "AZUREML_SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000001",
        "AZUREML_RESOURCE_GROUP": "rg",
        "AZUREML_WORKSPACE_NAME": "ws",
        "ENTRA_TENANT_ID": TENANT,
        "PLATFORM_ADMIN_ROLE": ADMIN_ROLE,
    }
    return load_settings({**base, **env})


def principal_header(claims: list[dict[str, str]], **extra: object) -> str:
    document = {"auth_typ": "aad", "claims": claims, "name_typ": NAME, "role_typ": ROLE, **extra}
    return base64.b64encode(json.dumps(document).encode()).decode()


def user_claims(*roles: str, tid: str = TENANT) -> list[dict[str, str]]:
    claims = [
        {"typ": OID, "val": "oid-123"},
        {"typ": TID, "val": tid},
        {"typ": NAME, "val": "Grace Hopper"},
        {"typ": "iss", "val": f"https://login.microsoftonline.com/{tid}/v2.0"},
    ]
    return claims + [{"typ": ROLE, "val": r} for r in roles]


@pytest.fixture
def easyauth() -> Authenticator:
    return build_authenticator(azure_settings(WEBSITE_AUTH_ENABLED="True"))


def test_the_principal_comes_from_the_header_when_easy_auth_is_on(easyauth: Authenticator) -> None:
    principal = easyauth.authenticate({"x-ms-client-principal": principal_header(user_claims())})
    assert principal.user_id == "oid-123"
    assert principal.display_name == "Grace Hopper"
    assert principal.issuer == f"https://login.microsoftonline.com/{TENANT}/v2.0"
    assert principal.platform_admin is False
    assert principal.auth_mode is AuthMode.EASYAUTH


def test_the_role_claims_make_a_platform_admin(easyauth: Authenticator) -> None:
    header = principal_header(user_claims("Reader.Other", ADMIN_ROLE))
    assert easyauth.authenticate({"X-MS-CLIENT-PRINCIPAL": header}).platform_admin is True


@pytest.mark.parametrize(
    "env",
    [
        pytest.param({}, id="auth-setting-absent"),
        pytest.param({"WEBSITE_AUTH_ENABLED": "False"}, id="auth-disabled"),
    ],
)
def test_every_request_is_refused_when_easy_auth_is_off(env: dict[str, str]) -> None:
    authenticator = build_authenticator(azure_settings(**env))
    with pytest.raises(Unauthenticated, match="not enabled"):
        authenticator.authenticate({"X-MS-CLIENT-PRINCIPAL": principal_header(user_claims(ADMIN_ROLE))})


def test_the_header_is_never_trusted_outside_azure() -> None:
    local = load_settings({"AUTH_MODE": "easyauth", "WEBSITE_AUTH_ENABLED": "True"})
    with pytest.raises(Unauthenticated, match="not enabled"):
        build_authenticator(local).authenticate({"X-MS-CLIENT-PRINCIPAL": principal_header(user_claims())})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("%%%not-base64%%%", "base64-encoded JSON", id="not-base64"),
        pytest.param(base64.b64encode(b"{not json").decode(), "base64-encoded JSON", id="not-json"),
        pytest.param(base64.b64encode(b"[1, 2]").decode(), "no list of claims", id="json-array"),
        pytest.param(base64.b64encode(b'{"auth_typ": "aad"}').decode(), "no list of claims", id="no-claims"),
        pytest.param(principal_header([{"typ": OID}]), "lacks 'typ' or 'val'", id="claim-without-val"),
        pytest.param(principal_header(["oops"]), "lacks 'typ' or 'val'", id="claim-not-object"),  # type: ignore[list-item]
        pytest.param(principal_header([{"typ": NAME, "val": "x"}]), "object identifier", id="no-oid"),
        pytest.param("A" * 40000, "too long", id="too-long"),
    ],
)
def test_malformed_headers_are_refused(easyauth: Authenticator, value: str, expected: str) -> None:
    with pytest.raises(Unauthenticated, match=expected):
        easyauth.authenticate({"X-MS-CLIENT-PRINCIPAL": value})


def test_a_missing_header_is_refused(easyauth: Authenticator) -> None:
    with pytest.raises(Unauthenticated, match="header is missing"):
        easyauth.authenticate({"Authorization": "Bearer a.b.c"})


def test_a_user_of_another_entra_tenant_is_refused(easyauth: Authenticator) -> None:
    with pytest.raises(Unauthenticated, match="another Entra tenant"):
        easyauth.authenticate({"X-MS-CLIENT-PRINCIPAL": principal_header(user_claims(tid=OTHER_TENANT))})
