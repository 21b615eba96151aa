"""Ports: the Protocols the domain depends on. Adapters (domain/storage, domain/automl, functions/) implement them;
unit tests use in-memory fakes of them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

from domain.entities.principal import Principal
from domain.entities.role import Role


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class HealthProbe(Protocol):
    name: str

    def ping(self) -> None:
        """Return when the dependency answers; raise `domain.errors.Unavailable` otherwise."""
        ...


# --- identity and authorization (domain/auth, ADR 0007) ---


class Authenticator(Protocol):
    def authenticate(self, headers: Mapping[str, str]) -> Principal:
        """The caller named by the request headers, or raise `domain.errors.Unauthenticated` (what is wrong, never
        the token). Header names are matched case-insensitively."""
        ...


class MembershipLookup(Protocol):
    def role_of(self, tenant_id: str, user_id: str) -> Role | None:
        """The user's role in the tenant, or None when the user is not a member (or the tenant does not exist)."""
        ...


class JwksFetcher(Protocol):
    def fetch(self, url: str) -> Mapping[str, object]:
        """The JSON Web Key Set document at `url`; raise `domain.errors.Unavailable` when it cannot be fetched."""
        ...
