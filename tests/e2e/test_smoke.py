import pytest

pytestmark = pytest.mark.e2e


def test_health_and_openapi(devhost) -> None:
    import httpx

    assert httpx.get(f"{devhost.base_url}/api/health").status_code == 200
    doc = httpx.get(f"{devhost.base_url}/api/v1/openapi.json").json()
    assert doc["openapi"] == "3.1.0"


def test_tenant_roundtrip(admin, tenant, user_api) -> None:
    owner = user_api(tenant["owner"])
    got = owner.get(f"/tenants/{tenant['id']}")
    assert got.status_code == 200, got.text
    me = owner.get("/me").json()
    assert [(x["tenantId"], x["role"], x["name"]) for x in me["tenants"]] == [(tenant["id"], "owner", tenant["name"])]
