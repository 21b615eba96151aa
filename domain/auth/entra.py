"""Entra ID access tokens, validated in code (DESIGN.md §6; notes/security-reliability.md §4).

Checked: `alg` pinned to RS256 before any key lookup (so `none` and HS* are refused), the RS256 signature against the
tenant's JWKS (`JwksKeyCache`: cached, refetched on rotation), `iss` in the v1 or v2 form of OUR tenant, `aud` equal to
the API's client id or application id URI (either form of ENTRA_AUDIENCE), `exp` and `nbf` with 60 s of clock skew,
and a stable subject (`oid`, else `sub`). The `roles` claim holding PLATFORM_ADMIN_ROLE makes a platform admin.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import jwt

from domain.auth._headers import bearer_token
from domain.auth._jwt_errors import require_alg, unauthenticated, unverified_header
from domain.auth.jwks import JwksKeyCache
from domain.entities.principal import Principal
from domain.errors import Unauthenticated
from domain.settings import AuthMode

CLOCK_SKEW_SECONDS = 60
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


def entra_issuers(tenant_id: str) -> tuple[str, str]:
    """The v2 and v1 issuers of the tenant."""
    return f"https://login.microsoftonline.com/{tenant_id}/v2.0", f"https://sts.windows.net/{tenant_id}/"


def entra_audiences(audience: str) -> tuple[str, ...]:
    """The accepted `aud` values: the configured one, plus its other form (client id <-> `api://{client id}`)."""
    if _GUID.match(audience):
        return audience, f"api://{audience}"
    if audience.startswith("api://") and _GUID.match(audience.removeprefix("api://")):
        return audience, audience.removeprefix("api://")
    return (audience,)


class EntraAuthenticator:
    """`Authenticator` for `AUTH_MODE=entra`."""

    def __init__(
        self,
        *,
        tenant_id: str,
        audience: str,
        platform_admin_role: str,
        keys: JwksKeyCache,
        clock_skew_seconds: int = CLOCK_SKEW_SECONDS,
    ) -> None:
        self._tenant_id = tenant_id.lower()
        self._issuers = entra_issuers(self._tenant_id)
        self._audiences = list(entra_audiences(audience))
        self._admin_role = platform_admin_role
        self._keys = keys
        self._skew = clock_skew_seconds

    def authenticate(self, headers: Mapping[str, str]) -> Principal:
        token = bearer_token(headers)
        header = unverified_header(token)
        require_alg(header, "RS256")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("The token is malformed: its header names no signing key (kid).")
        key = self._keys.key_for(kid)
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=self._audiences,
                issuer=self._issuers,
                leeway=self._skew,
                options={"require": ["exp", "nbf", "iss", "aud"]},
            )
        except jwt.PyJWTError as exc:
            raise unauthenticated(exc) from None
        return self._principal(claims)

    def _principal(self, claims: Mapping[str, object]) -> Principal:
        tid = claims.get("tid")
        if tid is not None and str(tid).lower() != self._tenant_id:
            raise Unauthenticated("The token was issued for another Entra tenant (tid).")
        user_id = claims.get("oid") or claims.get("sub")
        if not isinstance(user_id, str) or not user_id:
            raise Unauthenticated("The token lacks the required claim 'oid' (or 'sub').")
        roles = claims.get("roles")
        role_list = [r for r in roles if isinstance(r, str)] if isinstance(roles, list) else []
        name = claims.get("name") or claims.get("preferred_username") or user_id
        return Principal(
            user_id=user_id,
            display_name=str(name),
            issuer=str(claims["iss"]),
            platform_admin=self._admin_role in role_list,
            auth_mode=AuthMode.ENTRA,
        )
