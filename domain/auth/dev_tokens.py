"""The local dev issuer: HS256 tokens signed with DEV_AUTH_SECRET. Refused when the app runs in Azure.

`python -m devhost token` calls `mint_dev_token` with exactly this signature.
"""

from __future__ import annotations

import time
import uuid

from domain.errors import SettingsError
from domain.settings import Settings

DEV_ISSUER = "https://devhost.local/"
DEV_AUDIENCE = "automl-functions-dev"
DEV_ALGORITHM = "HS256"


MISSING = (
    "DEV_AUTH_SECRET: required when AUTH_MODE=dev; `make run` and `python -m devhost` create one per checkout in "
    ".local/dev-auth-secret (there is no default)"
)


def dev_secret(settings: Settings) -> str:
    """The signing secret of dev tokens; SettingsError when none is set (never a default)."""
    if settings.dev_auth_secret is None:
        raise SettingsError([MISSING])
    return settings.dev_auth_secret.get_secret_value()


def refuse_in_azure(settings: Settings) -> None:
    """Raise `SettingsError` when the app runs in Azure: dev tokens exist only on a developer's machine."""
    if settings.running_in_azure:
        raise SettingsError(["AUTH_MODE: dev tokens are refused when the app runs in Azure (WEBSITE_SITE_NAME is set)"])


def mint_dev_token(settings: Settings, *, user: str, platform_admin: bool = False, ttl_seconds: int = 3600) -> str:
    """A dev token for `user` (its `sub`/`oid`, the user id the app sees), valid for `ttl_seconds`.

    With `platform_admin`, the token's `roles` claim holds PLATFORM_ADMIN_ROLE. Refused in Azure (`SettingsError`).
    """
    refuse_in_azure(settings)
    if not user.strip():
        raise ValueError("user must not be empty")
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": DEV_ISSUER,
        "aud": DEV_AUDIENCE,
        "sub": user,
        "oid": user,
        "name": user,
        "roles": [settings.platform_admin_role] if platform_admin else [],
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    import jwt  # PyJWT (and cryptography) load on first use, not at cold start (ADR 0019)

    return jwt.encode(claims, dev_secret(settings), algorithm=DEV_ALGORITHM)
