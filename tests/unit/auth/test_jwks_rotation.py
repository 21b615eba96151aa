"""The tenant's signing keys: cached, refetched once (rate-limited) for an unknown kid, refreshed after the TTL,
kept when a refetch fails."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from domain.auth.jwks import JwksKeyCache, parse_jwks
from domain.errors import Unauthenticated, Unavailable
from domain.ports import Authenticator
from tests.unit.auth.kit import TENANT, FakeClock, FakeJwksFetcher, bearer, jwk_of, jwks_of

Mint = Callable[..., str]


def test_keys_are_fetched_once_from_the_tenants_jwks_url(
    entra: Authenticator, mint: Mint, fetcher: FakeJwksFetcher
) -> None:
    for _ in range(5):
        entra.authenticate(bearer(mint()))
    assert fetcher.urls == [f"https://login.microsoftonline.com/{TENANT}/discovery/v2.0/keys"]


def test_a_rotated_key_is_accepted_after_one_refetch(
    entra: Authenticator,
    mint: Mint,
    fetcher: FakeJwksFetcher,
    clock: FakeClock,
    signing_key: rsa.RSAPrivateKey,
    rotated_key: rsa.RSAPrivateKey,
) -> None:
    entra.authenticate(bearer(mint()))
    fetcher.document = jwks_of((signing_key, "kid-1"), (rotated_key, "kid-2"))
    clock.advance(61)
    principal = entra.authenticate(bearer(mint(key=rotated_key, kid="kid-2")))
    assert principal.user_id
    assert len(fetcher.urls) == 2
    entra.authenticate(bearer(mint(key=rotated_key, kid="kid-2")))
    entra.authenticate(bearer(mint()))
    assert len(fetcher.urls) == 2


def test_an_unknown_kid_is_refused_and_refetches_are_rate_limited(
    entra: Authenticator, mint: Mint, fetcher: FakeJwksFetcher, clock: FakeClock
) -> None:
    entra.authenticate(bearer(mint()))
    clock.advance(61)
    with pytest.raises(Unauthenticated, match="not one of the tenant's published keys"):
        entra.authenticate(bearer(mint(kid="kid-unknown")))
    assert len(fetcher.urls) == 2
    for i in range(20):
        clock.advance(1)
        with pytest.raises(Unauthenticated, match="signing key"):
            entra.authenticate(bearer(mint(kid=f"random-{i}")))
    assert len(fetcher.urls) == 2, "random kids must not cause a fetch each"
    clock.advance(60)
    with pytest.raises(Unauthenticated):
        entra.authenticate(bearer(mint(kid="kid-unknown")))
    assert len(fetcher.urls) == 3


def test_a_key_removed_from_the_jwks_is_refused_after_the_ttl(
    entra: Authenticator,
    mint: Mint,
    fetcher: FakeJwksFetcher,
    clock: FakeClock,
    rotated_key: rsa.RSAPrivateKey,
) -> None:
    entra.authenticate(bearer(mint()))
    fetcher.document = jwks_of((rotated_key, "kid-2"))
    clock.advance(3599)
    entra.authenticate(bearer(mint()))
    assert len(fetcher.urls) == 1
    clock.advance(1)
    with pytest.raises(Unauthenticated, match="signing key"):
        entra.authenticate(bearer(mint()))
    assert len(fetcher.urls) == 2


def test_keys_held_are_kept_when_a_refetch_fails(
    fetcher: FakeJwksFetcher, clock: FakeClock, signing_key: rsa.RSAPrivateKey
) -> None:
    cache = JwksKeyCache("https://jwks.example/keys", fetcher, ttl_seconds=100, min_refetch_seconds=10, clock=clock)
    assert cache.key_for("kid-1")
    fetcher.failing = True
    clock.advance(100)
    assert cache.key_for("kid-1")  # stale, but the provider is down: keep it
    assert cache.fetch_count == 2
    clock.advance(5)
    assert cache.key_for("kid-1")
    assert cache.fetch_count == 2, "a failed refetch backs off min_refetch_seconds"
    clock.advance(5)
    cache.key_for("kid-1")
    assert cache.fetch_count == 3


def test_no_key_at_all_is_unavailable_not_unauthenticated(fetcher: FakeJwksFetcher, clock: FakeClock) -> None:
    fetcher.failing = True
    cache = JwksKeyCache("https://jwks.example/keys", fetcher, clock=clock)
    with pytest.raises(Unavailable):
        cache.key_for("kid-1")


def test_parse_jwks_keeps_rsa_signing_keys_only(signing_key: rsa.RSAPrivateKey) -> None:
    good = jwk_of(signing_key, "good")
    document = {
        "keys": [
            good,
            {**good, "kid": "enc", "use": "enc"},
            {**good, "kid": None},
            {"kty": "oct", "kid": "sym", "k": "c2VjcmV0"},
            {"kty": "RSA", "kid": "broken", "n": "!!", "e": "AQAB"},
            "not-a-key",
        ]
    }
    assert list(parse_jwks(document)) == ["good"]
    assert parse_jwks({"keys": "nope"}) == {}
    assert parse_jwks({}) == {}


def test_fake_fetcher_is_not_called_before_a_token_arrives(entra: Authenticator, fetcher: FakeJwksFetcher) -> None:
    assert fetcher.urls == []
