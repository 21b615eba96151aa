"""The authenticated caller, whichever way they signed in."""

from __future__ import annotations

from dataclasses import dataclass

from domain.settings import AuthMode


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """Who is calling.

    `user_id` is the stable id the app keys memberships and audit rows by: the Entra object id (`oid`) when the token
    carries one, else `sub`. `display_name` is for display only and never used to authorize. `platform_admin` is
    true when the token carries the platform-admin app role (PLATFORM_ADMIN_ROLE).
    """

    user_id: str
    display_name: str
    issuer: str
    platform_admin: bool
    auth_mode: AuthMode
