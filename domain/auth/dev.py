"""`Authenticator` for `AUTH_MODE=dev`: tokens of the local dev issuer (`dev_tokens.py`), checked like real ones
(HS256 pinned, signature, `iss`, `aud`, `exp`/`nbf` with 60 s of skew). Refuses every request when the app runs in
Azure, even if the settings check at start was bypassed."""

from __future__ import annotations

from collections.abc import Mapping

import jwt

from domain.auth._headers import bearer_token
from domain.auth._jwt_errors import require_alg, unauthenticated, unverified_header
from domain.auth.dev_tokens import DEV_ALGORITHM, DEV_AUDIENCE, DEV_ISSUER
from domain.entities.principal import Principal
from domain.errors import Unauthenticated
from domain.settings import AuthMode

CLOCK_SKEW_SECONDS = 60


class DevAuthenticator:
    def __init__(self, *, secret: str, platform_admin_role: str, running_in_azure: bool) -> None:
        self._secret = secret
        self._admin_role = platform_admin_role
        self._refused = running_in_azure

    def authenticate(self, headers: Mapping[str, str]) -> Principal:
        if self._refused:
            raise Unauthenticated("Dev tokens are refused: the app runs in Azure.")
        token = bearer_token(headers)
        require_alg(unverified_header(token), DEV_ALGORITHM)
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[DEV_ALGORITHM],
                audience=DEV_AUDIENCE,
                issuer=DEV_ISSUER,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "nbf", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise unauthenticated(exc) from None
        user_id = claims.get("oid") or claims.get("sub")
        if not isinstance(user_id, str) or not user_id:
            raise Unauthenticated("The token lacks the required claim 'sub'.")
        roles = claims.get("roles")
        return Principal(
            user_id=user_id,
            display_name=str(claims.get("name") or user_id),
            issuer=DEV_ISSUER,
            platform_admin=isinstance(roles, list) and self._admin_role in roles,
            auth_mode=AuthMode.DEV,
        )
