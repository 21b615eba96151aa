"""Every resource route of API.md through the devhost over HTTP: success and failure, as a front end sees them."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.support import CSV, upload

pytestmark = pytest.mark.e2e


def err(resp: Any) -> str:
    body = resp.json()
    assert resp.headers["x-ms-error-code"] == body["error"]["code"]
    return str(body["error"]["code"])


def test_tenants(admin, user_api, unique) -> None:
    created = admin.post(
        "/tenants", json={"name": f"Acme-{unique}", "ownerUserId": f"o-{unique}", "quotas": {"maxConcurrentRuns": 3}}
    )
    assert created.status_code == 201
    t = created.json()
    assert created.headers["Location"] == f"/api/v1/tenants/{t['id']}"
    assert {"id", "createdAt", "updatedAt", "createdBy", "etag"} <= set(t)
    assert t["createdBy"] == "platform-admin" and t["quotas"]["maxConcurrentRuns"] == 3
    assert err(admin.post("/tenants", json={"name": f"ACME-{unique}"})) == "NameTaken"  # case-insensitive
    assert err(admin.post("/tenants", json={"name": "bad name!"})) == "InvalidInput"
    owner = user_api(f"o-{unique}")
    assert err(owner.post("/tenants", json={"name": f"x-{unique}"})) == "Forbidden"
    got = owner.get(f"/tenants/{t['id']}")
    assert got.status_code == 200 and got.headers["ETag"] == t["etag"]
    stale = owner.patch(f"/tenants/{t['id']}", json={"displayName": "x"}, headers={"If-Match": '"stale"'})
    assert stale.status_code == 412 and err(stale) == "PreconditionFailed"
    patched = owner.patch(f"/tenants/{t['id']}", json={"displayName": "Acme Inc"}, headers={"If-Match": t["etag"]})
    assert patched.status_code == 200 and patched.json()["displayName"] == "Acme Inc"
    assert patched.json()["etag"] != t["etag"]
    assert err(owner.patch(f"/tenants/{t['id']}", json={"quotas": {"maxConcurrentRuns": 0}})) == "InvalidInput"
    assert (
        owner.patch(f"/tenants/{t['id']}", content=b"{", headers={"Content-Type": "application/json"}).status_code
        == 400
    )
    assert owner.patch(f"/tenants/{t['id']}", content=b"x", headers={"Content-Type": "text/plain"}).status_code == 415
    assert err(owner.delete(f"/tenants/{t['id']}")) == "Forbidden"


def test_members_and_me(world, user_api, unique) -> None:
    t, owner, reader = world["tenant"], world["owner"], world["reader"]
    page = reader.get(f"/tenants/{t}/members").json()
    assert {m["userId"]: m["role"] for m in page["value"]} == {
        f"owner-{unique}": "owner",
        f"contrib-{unique}": "contributor",
        f"reader-{unique}": "reader",
    }
    assert err(reader.put(f"/tenants/{t}/members/x", json={"role": "owner"})) == "Forbidden"
    assert err(owner.put(f"/tenants/{t}/members/x", json={"role": "boss"})) == "InvalidInput"
    assert err(owner.put(f"/tenants/{t}/members/{f'owner-{unique}'}", json={"role": "reader"})) == "Conflict"
    assert owner.put(f"/tenants/{t}/members/new-{unique}", json={"role": "reader"}).status_code == 200
    newcomer = user_api(f"new-{unique}")
    mine = newcomer.get("/me").json()["tenants"]
    assert [(m["tenantId"], m["role"], m["name"]) for m in mine] == [(t, "reader", f"w-{unique}")]
    assert mine[0]["quotas"]["maxConcurrentRuns"] == 2 and mine[0]["usage"] == {"activeRuns": 0}
    assert newcomer.get(f"/tenants/{t}/datasets").status_code == 200
    assert owner.delete(f"/tenants/{t}/members/new-{unique}").status_code == 204
    assert newcomer.get(f"/tenants/{t}/datasets").status_code == 404  # the cache was invalidated
    assert newcomer.get("/me").json()["tenants"] == []
    assert err(owner.delete(f"/tenants/{t}/members/nobody")) == "NotFound"


def test_datasets(world, unique) -> None:
    t, contrib, reader, ds = world["tenant"], world["contrib"], world["reader"], world["dataset"]
    assert ds["latestVersion"] == 1 and ds["profile"]["rowCount"] == 60
    assert [c["type"] for c in ds["profile"]["columns"]] == ["integer", "number", "string"]
    files = {"file": ("d.csv", CSV.encode(), "text/csv")}
    multi = contrib.post(f"/tenants/{t}/datasets", files=files, data={"name": f"multi-{unique}"})
    assert multi.status_code == 201, multi.text
    assert err(contrib.post(f"/tenants/{t}/datasets", files=files, data={"name": f"MULTI-{unique}"})) == "NameTaken"
    by_uri = contrib.post(
        f"/tenants/{t}/datasets",
        json={"name": f"uri-{unique}", "uri": "https://x.blob.core.windows.net/c/d.csv", "columns": ["a", "label"]},
    )
    assert by_uri.status_code == 201 and by_uri.json()["source"] == "uri"
    assert err(upload(contrib, f"bad-{unique}", "a,b\n1,2,3\n")) == "InvalidInput"
    assert err(upload(contrib, "", CSV)) == "InvalidInput"
    assert (
        err(contrib.post(f"/tenants/{t}/datasets", content=b"x", headers={"Content-Type": "text/xml"}))
        == "UnsupportedMediaType"
    )
    assert err(upload(reader, f"r-{unique}")) == "Forbidden"
    v2 = contrib.post(
        f"/tenants/{t}/datasets/{ds['id']}/versions",
        content=CSV.encode() + b"99,1.0,no\n",
        headers={"Content-Type": "text/csv"},
    )
    assert v2.status_code == 201 and v2.json()["version"] == 2 and v2.json()["profile"]["rowCount"] == 61
    versions = reader.get(f"/tenants/{t}/datasets/{ds['id']}/versions").json()["value"]
    assert [v["version"] for v in versions] == [1, 2]
    assert reader.get(f"/tenants/{t}/datasets/{ds['id']}").json()["latestVersion"] == 2
    patched = contrib.patch(f"/tenants/{t}/datasets/{ds['id']}", json={"description": "d", "tags": {"k": "v"}})
    assert patched.json()["tags"] == {"k": "v"}
    refused = contrib.delete(f"/tenants/{t}/datasets/{ds['id']}")
    assert refused.status_code == 409 and err(refused) == "ReferencedBy"
    assert refused.json()["error"]["details"][0]["target"] == f"experiment/{world['experiment']['id']}"
    assert contrib.delete(f"/tenants/{t}/datasets/{multi.json()['id']}").status_code == 204
    assert reader.get(f"/tenants/{t}/datasets/{multi.json()['id']}").status_code == 404


def test_experiments(world, unique) -> None:
    t, contrib, reader, ds, exp = (world[k] for k in ("tenant", "contrib", "reader", "dataset", "experiment"))
    assert exp["datasetVersion"] == 1 and exp["primaryMetric"] == "accuracy"
    body = {
        "name": f"e2-{unique}",
        "task": "regression",
        "datasetId": ds["id"],
        "targetColumn": "nope",
        "primaryMetric": "accuracy",
        "allowedAlgorithms": ["Bogus"],
        "limits": {"maxTrials": 5000},
    }
    bad = contrib.post(f"/tenants/{t}/experiments", json=body)
    assert bad.status_code == 400 and bad.json()["error"]["details"][0]["target"] == "limits.maxTrials"
    body["limits"] = {"maxTrials": 5}
    targets = {d["target"] for d in contrib.post(f"/tenants/{t}/experiments", json=body).json()["error"]["details"]}
    assert targets == {"allowedAlgorithms.0"}  # an enum of the document: refused with the body's shape
    body["allowedAlgorithms"] = ["XGBoostClassifier"]  # an algorithm, but not a regression one
    targets = {d["target"] for d in contrib.post(f"/tenants/{t}/experiments", json=body).json()["error"]["details"]}
    assert targets == {"primaryMetric", "allowedAlgorithms", "targetColumn"}
    missing = contrib.post(
        f"/tenants/{t}/experiments",
        json={**body, "datasetId": "nope", "targetColumn": "a", "primaryMetric": "r2_score", "allowedAlgorithms": []},
    )
    assert missing.status_code == 400 and missing.json()["error"]["target"] == "datasetId"
    ok = contrib.post(
        f"/tenants/{t}/experiments",
        json={**body, "targetColumn": "b", "primaryMetric": "r2_score", "allowedAlgorithms": ["LightGBM"]},
    )
    assert ok.status_code == 201, ok.text
    assert (
        err(
            contrib.post(
                f"/tenants/{t}/experiments",
                json={
                    **body,
                    "name": f"E2-{unique}",
                    "targetColumn": "b",
                    "primaryMetric": "r2_score",
                    "allowedAlgorithms": [],
                },
            )
        )
        == "NameTaken"
    )
    assert [e["id"] for e in reader.get(f"/tenants/{t}/experiments", params={"top": 1}).json()["value"]] == [exp["id"]]
    patched = contrib.patch(
        f"/tenants/{t}/experiments/{exp['id']}", json={"limits": {"maxTrials": 7}}, headers={"If-Match": exp["etag"]}
    )
    assert patched.status_code == 200 and patched.json()["limits"]["maxTrials"] == 7
    assert err(contrib.patch(f"/tenants/{t}/experiments/{exp['id']}", json={"targetColumn": "zzz"})) == "InvalidInput"
    assert err(reader.patch(f"/tenants/{t}/experiments/{exp['id']}", json={"autoRegister": False})) == "Forbidden"


def test_runs_and_trials(world) -> None:
    t, reader, contrib, run = world["tenant"], world["reader"], world["contrib"], world["run"]
    got = reader.get(f"/tenants/{t}/runs/{run}").json()
    assert got["status"] == "Completed" and got["experimentId"] == world["experiment"]["id"]
    listed = reader.get(
        f"/tenants/{t}/runs", params={"experimentId": world["experiment"]["id"], "status": "Completed"}
    ).json()["value"]
    assert [r["id"] for r in listed] == [run]
    assert reader.get(f"/tenants/{t}/runs", params={"status": "Running"}).json()["value"] == []
    assert err(reader.get(f"/tenants/{t}/runs", params={"status": "Sleeping"})) == "InvalidInput"
    board = reader.get(f"/tenants/{t}/runs/{run}/trials").json()["value"]
    assert [(x["trialId"], x["rank"]) for x in board] == [("t1", 1), ("t2", 2)]
    assert err(reader.delete(f"/tenants/{t}/runs/{run}")) == "Forbidden"
    assert err(reader.get(f"/tenants/{t}/runs/missing")) == "NotFound"
    assert contrib.get(f"/tenants/{t}/runs/{run}/metrics").json() == {"value": [], "nextLink": None}


def test_models_endpoints_deployments(world, unique) -> None:
    t, contrib, reader, model, ep = (world[k] for k in ("tenant", "contrib", "reader", "model", "endpoint"))
    assert model["trialId"] == "t1" and model["runId"] == world["run"]
    assert err(contrib.post(f"/tenants/{t}/models", json={"name": f"m2-{unique}", "runId": "nope"})) == "NotFound"
    assert reader.get(f"/tenants/{t}/models/{model['id']}").status_code == 200
    assert contrib.patch(f"/tenants/{t}/models/{model['id']}", json={"tags": {"stage": "prod"}}).status_code == 200
    refused = contrib.delete(f"/tenants/{t}/models/{model['id']}")
    assert (
        refused.status_code == 409 and refused.json()["error"]["details"][0]["target"] == f"deployment/{ep['id']}/blue"
    )
    assert reader.get(f"/tenants/{t}/endpoints/{ep['id']}/deployments/blue").json()["modelId"] == model["id"]
    assert err(contrib.patch(f"/tenants/{t}/endpoints/{ep['id']}", json={"traffic": {"blue": 50}})) == "InvalidInput"
    assert err(contrib.patch(f"/tenants/{t}/endpoints/{ep['id']}", json={"traffic": {"green": 100}})) == "InvalidInput"
    live = contrib.patch(f"/tenants/{t}/endpoints/{ep['id']}", json={"traffic": {"blue": 100}})
    assert live.status_code == 200 and live.json()["traffic"] == {"blue": 100}
    assert err(contrib.delete(f"/tenants/{t}/endpoints/{ep['id']}/deployments/blue")) == "Conflict"
    assert contrib.patch(f"/tenants/{t}/endpoints/{ep['id']}", json={"traffic": {}}).json()["traffic"] == {"blue": 100}
    assert contrib.patch(f"/tenants/{t}/endpoints/{ep['id']}", json={"traffic": {"blue": None}}).json()["traffic"] == {}
    assert contrib.delete(f"/tenants/{t}/endpoints/{ep['id']}/deployments/blue").status_code == 204
    assert contrib.delete(f"/tenants/{t}/models/{model['id']}").status_code == 204
    assert [e["name"] for e in reader.get(f"/tenants/{t}/endpoints").json()["value"]] == [f"ep-{unique}"]


def test_audit_is_for_owners(world) -> None:
    t, owner, reader = world["tenant"], world["owner"], world["reader"]
    entries = owner.get(f"/tenants/{t}/audit", params={"top": 5}).json()
    assert len(entries["value"]) == 5 and entries["nextLink"]
    assert entries["value"][0]["at"] >= entries["value"][-1]["at"]
    assert {e["actor"] for e in entries["value"]} <= {"test", f"contrib-{world['unique']}"}
    assert err(reader.get(f"/tenants/{t}/audit")) == "Forbidden"


def test_paging_follows_next_link(world, unique) -> None:
    t, contrib = world["tenant"], world["contrib"]
    for i in range(5):
        assert contrib.post(f"/tenants/{t}/endpoints", json={"name": f"p{i}-{unique}"}).status_code == 201
    seen, url, params = [], f"/tenants/{t}/endpoints", {"top": 2}
    while url:
        page = contrib.get(url, params=params).json()
        assert len(page["value"]) <= 2
        seen += [e["name"] for e in page["value"]]
        url, params = page["nextLink"], None
        if url:
            url = url.split("/api/v1", 1)[1]
    assert len(seen) == 6 and len(set(seen)) == 6
    assert err(contrib.get(f"/tenants/{t}/endpoints", params={"top": 500})) == "InvalidInput"
    assert err(contrib.get(f"/tenants/{t}/endpoints", params={"continuation": "garbage"})) == "InvalidInput"


def test_cors(world, devhost) -> None:
    import httpx

    pre = httpx.options(
        f"{devhost.base_url}/api/v1/tenants/x",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "PATCH"},
    )
    assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert "PATCH" in pre.headers["Access-Control-Allow-Methods"]
    got = world["reader"].get(f"/tenants/{world['tenant']}", headers={"Origin": "http://localhost:3000"})
    assert "ETag" in got.headers["Access-Control-Expose-Headers"]
    other = httpx.options(f"{devhost.base_url}/api/v1/tenants/x", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


def test_docs_page_serves_local_assets(devhost) -> None:
    import httpx

    page = httpx.get(f"{devhost.base_url}/api/docs")
    assert page.status_code == 200 and "/api/docs/assets/swagger-ui-bundle.js" in page.text
    asset = httpx.get(f"{devhost.base_url}/api/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000
    assert httpx.get(f"{devhost.base_url}/api/docs/assets/..%2Fsecrets").status_code == 404
