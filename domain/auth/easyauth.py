"""App Service Authentication (Easy Auth): the principal App Service puts in `X-MS-CLIENT-PRINCIPAL`.

App Service strips that header from external requests and sets it itself, so it is trustworthy ONLY when App Service
authentication is on (`WEBSITE_AUTH_ENABLED=True`, set by the platform) and the app runs in Azure; otherwise any client
could forge it, so every request is refused. The header is base64 JSON:
`{"auth_typ": "aad", "claims": [{"typ": ..., "val": ...}], "name_typ": ..., "role_typ": ...}`. Malformed or partial
headers are refused (fail closed). The user id is the object identifier claim.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping

from domain.auth._headers import header
from domain.entities.principal import Principal
from domain.errors import Unauthenticated
from domain.settings import AuthMode

PRINCIPAL_HEADER = "X-MS-CLIENT-PRINCIPAL"
MAX_HEADER_CHARS = 32_768
OID_CLAIMS = ("http://schemas.microsoft.com/identity/claims/objectidentifier", "oid")
TID_CLAIMS = ("http://schemas.microsoft.com/identity/claims/tenantid", "tid")
DEFAULT_ROLE_TYP = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"
DEFAULT_NAME_TYP = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"


def decode_client_principal(value: str) -> dict[str, object]:
    """The decoded header, or raise `Unauthenticated` when it is not base64 JSON with a list of claims."""
    if len(value) > MAX_HEADER_CHARS:
        raise Unauthenticated(f"The {PRINCIPAL_HEADER} header is malformed: it is too long.")
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
        document = json.loads(raw)
    except (binascii.Error, ValueError):
        raise Unauthenticated(f"The {PRINCIPAL_HEADER} header is malformed: expected base64-encoded JSON.") from None
    if not isinstance(document, dict) or not isinstance(document.get("claims"), list):
        raise Unauthenticated(f"The {PRINCIPAL_HEADER} header is malformed: it has no list of claims.")
    return document


def _claims(document: Mapping[str, object]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    claims = document.get("claims")
    for claim in claims if isinstance(claims, list) else []:
        typ, val = (claim.get("typ"), claim.get("val")) if isinstance(claim, dict) else (None, None)
        if not isinstance(typ, str) or not isinstance(val, str):
            raise Unauthenticated(f"The {PRINCIPAL_HEADER} header is malformed: a claim lacks 'typ' or 'val'.")
        found.append((typ, val))
    return found


def _first(claims: list[tuple[str, str]], types: tuple[str, ...]) -> str | None:
    return next((val for typ, val in claims if typ in types and val), None)


class EasyAuthAuthenticator:
    """`Authenticator` for `AUTH_MODE=easyauth`."""

    def __init__(
        self, *, auth_enabled: bool, running_in_azure: bool, platform_admin_role: str, entra_tenant_id: str | None
    ) -> None:
        self._trusted = auth_enabled and running_in_azure
        self._admin_role = platform_admin_role
        self._tenant_id = entra_tenant_id.lower() if entra_tenant_id else None

    def authenticate(self, headers: Mapping[str, str]) -> Principal:
        if not self._trusted:
            raise Unauthenticated(
                f"App Service authentication is not enabled (WEBSITE_AUTH_ENABLED), so {PRINCIPAL_HEADER} is not "
                "trusted; every request is refused."
            )
        value = header(headers, PRINCIPAL_HEADER)
        if value is None:
            raise Unauthenticated(f"The {PRINCIPAL_HEADER} header is missing; sign in through App Service.")
        document = decode_client_principal(value)
        claims = _claims(document)
        user_id = _first(claims, OID_CLAIMS)
        if user_id is None:
            raise Unauthenticated(f"The {PRINCIPAL_HEADER} header lacks the object identifier claim.")
        tid = _first(claims, TID_CLAIMS)
        if self._tenant_id and tid is not None and tid.lower() != self._tenant_id:
            raise Unauthenticated("The signed-in user belongs to another Entra tenant.")
        role_typ = document.get("role_typ") or DEFAULT_ROLE_TYP
        name_typ = document.get("name_typ") or DEFAULT_NAME_TYP
        roles = {val for typ, val in claims if typ in (role_typ, "roles")}
        auth_typ = document.get("auth_typ")
        return Principal(
            user_id=user_id,
            display_name=_first(claims, (str(name_typ), "name")) or user_id,
            issuer=_first(claims, ("iss",)) or f"easyauth:{auth_typ if isinstance(auth_typ, str) else 'unknown'}",
            platform_admin=self._admin_role in roles,
            auth_mode=AuthMode.EASYAUTH,
        )
