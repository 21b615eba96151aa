"""The end-to-end fixtures (a devhost subprocess over the session's Azurite, tenants, clients) for the API contract
tests."""

from tests.e2e.conftest import admin, devhost, store, tenant, user_api, world

__all__ = ["admin", "devhost", "store", "tenant", "user_api", "world"]
