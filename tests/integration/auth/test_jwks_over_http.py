"""The Entra authenticator against a real HTTP server serving the JWKS on a free loopback port (urllib fetcher):
first fetch, key rotation picked up by a refetch, and an unreachable server answering Unavailable."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from devhost.azurite import free_port
from domain.auth import build_authenticator
from domain.auth.jwks import UrllibJwksFetcher
from domain.errors import Unauthenticated, Unavailable
from domain.settings import load_settings
from tests.unit.auth.kit import APP_ID_URI, TENANT, FakeClock, bearer, entra_claims, jwks_of, new_rsa_key


class JwksServer:
    """Serves `document` at /{TENANT}/discovery/v2.0/keys and counts the requests."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.requests = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests += 1
                if self.path == "/garbage":
                    self.send_response(200)
                    self.send_header("Content-Length", "9")
                    self.end_headers()
                    self.wfile.write(b"<html>hi<")
                    return
                if self.path != f"/{TENANT}/discovery/v2.0/keys":
                    self.send_error(404)
                    return
                body = json.dumps(server.document).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # a free loopback port
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/{TENANT}/discovery/v2.0/keys"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def keys() -> tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]:
    return new_rsa_key(), new_rsa_key()


@pytest.fixture
def server(keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]) -> Iterator[JwksServer]:
    instance = JwksServer(jwks_of((keys[0], "k1")))
    try:
        yield instance
    finally:
        instance.stop()


def mint(key: rsa.RSAPrivateKey, kid: str) -> str:
    return jwt.encode(entra_claims(aud=APP_ID_URI), key, algorithm="RS256", headers={"kid": kid})


def authenticator(url: str, clock: Callable[[], float]) -> Any:
    settings = load_settings({"AUTH_MODE": "entra", "ENTRA_TENANT_ID": TENANT, "ENTRA_AUDIENCE": APP_ID_URI})
    return build_authenticator(settings, jwks_fetcher=UrllibJwksFetcher(timeout_seconds=2), jwks_url=url, clock=clock)


def test_tokens_verify_against_keys_served_over_http_and_rotation_is_picked_up(
    server: JwksServer, keys: tuple[rsa.RSAPrivateKey, rsa.RSAPrivateKey]
) -> None:
    clock = FakeClock()
    entra = authenticator(server.url, clock)
    for _ in range(3):
        assert entra.authenticate(bearer(mint(keys[0], "k1"))).user_id
    assert server.requests == 1

    server.document = jwks_of((keys[0], "k1"), (keys[1], "k2"))
    with pytest.raises(Unauthenticated, match="signing key"):  # refetch rate-limited: fetched under 60 s ago
        entra.authenticate(bearer(mint(keys[1], "k2")))
    assert server.requests == 1
    clock.advance(61)
    assert entra.authenticate(bearer(mint(keys[1], "k2"))).user_id
    assert server.requests == 2


def test_an_unreachable_jwks_endpoint_is_unavailable() -> None:
    url = f"http://127.0.0.1:{free_port()}/{TENANT}/discovery/v2.0/keys"
    entra = authenticator(url, FakeClock())
    token = mint(new_rsa_key(), "k1")
    with pytest.raises(Unavailable, match="cannot be fetched"):
        entra.authenticate(bearer(token))


def test_http_errors_and_non_json_answers_are_unavailable(server: JwksServer) -> None:
    fetcher = UrllibJwksFetcher(timeout_seconds=2)
    with pytest.raises(Unavailable, match="cannot be fetched"):
        fetcher.fetch(server.url.replace("/keys", "/nothing-here"))
    base = server.url.split(f"/{TENANT}/")[0]
    with pytest.raises(Unavailable, match="not JSON"):
        fetcher.fetch(f"{base}/garbage")
