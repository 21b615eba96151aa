"""Print the served OpenAPI document (the same `functions._openapi.document()` that GET /api/v1/openapi.json answers),
for `make client`, which generates the console's typed client from it."""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DEV_AUTH_SECRET", secrets.token_urlsafe(48))  # the app needs one; the document ignores it

import function_app  # noqa: F401 - registers the routes
from functions._openapi import document

if __name__ == "__main__":
    print(json.dumps(document(), indent=2))
