"""Opaque, URL-safe continuation tokens: base64url of a small JSON object. Garbage in -> ValidationFailed."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from domain.errors import ValidationFailed


def encode_token(value: dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value = json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, str | None) for v in value.values()):
        raise ValidationFailed("The continuation token is not valid.", target="continuation")
    return value
