"""Reading request headers: case-insensitive lookup and the bearer token, with messages that never echo a value."""

from __future__ import annotations

from collections.abc import Mapping

from domain.errors import Unauthenticated

MAX_TOKEN_CHARS = 16_384


def header(headers: Mapping[str, str], name: str) -> str | None:
    """The header's value (names compared case-insensitively), or None when absent or empty."""
    value = headers.get(name)
    if value is None:
        wanted = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == wanted), None)
    value = value.strip() if value else ""
    return value or None


def bearer_token(headers: Mapping[str, str]) -> str:
    """The token of `Authorization: Bearer <token>`, or raise `Unauthenticated` saying what is wrong."""
    value = header(headers, "Authorization")
    if value is None:
        raise Unauthenticated("The Authorization header is missing; send 'Authorization: Bearer <access token>'.")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("The Authorization header is malformed; expected 'Bearer <access token>'.")
    token = token.strip()
    if len(token) > MAX_TOKEN_CHARS:
        raise Unauthenticated("The bearer token is malformed: it is too long.")
    if token.count(".") != 2:
        raise Unauthenticated("The bearer token is malformed: expected a JWT (three dot-separated parts).")
    return token
