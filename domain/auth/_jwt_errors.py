"""PyJWT's exceptions -> `Unauthenticated` with a message that says what is wrong (and never the token)."""

from __future__ import annotations

import jwt

from domain.errors import Unauthenticated

_MESSAGES: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "The token has expired."),
    (jwt.ImmatureSignatureError, "The token is not valid yet (nbf or iat is in the future)."),
    (jwt.InvalidAudienceError, "The token has the wrong audience (aud); it was not issued for this API."),
    (jwt.InvalidIssuerError, "The token has the wrong issuer (iss)."),
    (jwt.InvalidSignatureError, "The token's signature does not verify (bad signature)."),
    (jwt.InvalidAlgorithmError, "The token's signing algorithm is not accepted."),
    (jwt.InvalidIssuedAtError, "The token's issued-at time (iat) is invalid."),
    (jwt.DecodeError, "The token is malformed."),
)


def unauthenticated(exc: jwt.PyJWTError) -> Unauthenticated:
    """The `Unauthenticated` error describing `exc`."""
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return Unauthenticated(f"The token lacks the required claim '{exc.claim}'.")
    for cls, message in _MESSAGES:
        if isinstance(exc, cls):
            return Unauthenticated(message)
    return Unauthenticated("The token is invalid.")


def unverified_header(token: str) -> dict[str, object]:
    """The token's JOSE header (not yet verified), or raise `Unauthenticated` when it cannot be decoded."""
    try:
        return dict(jwt.get_unverified_header(token))
    except jwt.PyJWTError:
        raise Unauthenticated("The token is malformed: it cannot be decoded as a JWT.") from None


def require_alg(header: dict[str, object], expected: str) -> None:
    """Pin the algorithm before any key is looked up: unsigned (`none`) and any other algorithm are refused."""
    alg = header.get("alg")
    if not isinstance(alg, str) or not alg:
        raise Unauthenticated("The token is malformed: its header names no algorithm (alg).")
    if alg.lower() == "none":
        raise Unauthenticated("The token is unsigned (alg 'none'); signed tokens only.")
    if alg != expected:
        raise Unauthenticated(f"The token's signing algorithm is not accepted; {expected} is required.")
