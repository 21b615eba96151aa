"""Choose the `Authenticator` from the settings (AUTH_MODE). Build it once per process: the Entra one holds the JWKS
cache. The authenticators (PyJWT, cryptography) are imported when one is built, on the first request, not when the
app is indexed (ADR 0019)."""

from __future__ import annotations

import time
from collections.abc import Callable

from domain.auth.dev_tokens import dev_secret
from domain.errors import SettingsError
from domain.ports import Authenticator, JwksFetcher
from domain.settings import AuthMode, Settings


def check_auth_settings(settings: Settings) -> None:
    """What the chosen AUTH_MODE needs, checked at cold start (SettingsError listing what is missing)."""
    if settings.auth_mode is AuthMode.DEV and not settings.running_in_azure:
        dev_secret(settings)


def build_authenticator(
    settings: Settings,
    *,
    jwks_fetcher: JwksFetcher | None = None,
    jwks_url: str | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Authenticator:
    """The authenticator for `settings.auth_mode`. `jwks_fetcher`/`jwks_url` override the Entra key source (tests)."""
    from domain.auth.dev import DevAuthenticator
    from domain.auth.easyauth import EasyAuthAuthenticator
    from domain.auth.entra import EntraAuthenticator
    from domain.auth.jwks import ENTRA_JWKS_URL, JwksKeyCache, UrllibJwksFetcher

    mode = settings.auth_mode
    if mode is AuthMode.ENTRA:
        if not settings.entra_tenant_id or not settings.entra_audience:
            raise SettingsError(["ENTRA_TENANT_ID, ENTRA_AUDIENCE: required when AUTH_MODE=entra"])
        url = jwks_url or ENTRA_JWKS_URL.format(tenant=settings.entra_tenant_id)
        keys = JwksKeyCache(url, jwks_fetcher or UrllibJwksFetcher(), clock=clock)
        return EntraAuthenticator(
            tenant_id=settings.entra_tenant_id,
            audience=settings.entra_audience,
            platform_admin_role=settings.platform_admin_role,
            keys=keys,
        )
    if mode is AuthMode.EASYAUTH:
        return EasyAuthAuthenticator(
            auth_enabled=settings.website_auth_enabled,
            running_in_azure=settings.running_in_azure,
            platform_admin_role=settings.platform_admin_role,
            entra_tenant_id=settings.entra_tenant_id,
        )
    return DevAuthenticator(
        secret=dev_secret(settings) if not settings.running_in_azure else "",
        platform_admin_role=settings.platform_admin_role,
        running_in_azure=settings.running_in_azure,
    )
