"""The API a console needs (issue 13), over HTTP against the devhost, without training: PATCH as JSON merge patch
(concurrent PATCHes without If-Match all succeed), 304 on a current ETag, Location on every 201, the lists and their
filters and orders, model versions, logs paged to the end, CORS for the console's dev server, error messages in the
product's words."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.e2e.support import CSV, upload

pytestmark = pytest.mark.e2e
MERGE = {"Content-Type": "application/merge-patch+json"}


def test_patch_merges_nested_objects_and_takes_merge_patch_json(world: dict[str, Any]) -> None:
    t, contrib, exp = world["tenant"], world["contrib"], world["experiment"]
    url = f"/tenants/{t}/experiments/{exp['id']}"
    assert exp["limits"]["timeoutMinutes"] == 5
    resp = contrib.patch(url, content=b'{"limits": {"maxTrials": 2}, "description": "d"}', headers=MERGE)
    assert resp.status_code == 200, resp.text
    assert (resp.json()["limits"]["maxTrials"], resp.json()["limits"]["timeoutMinutes"]) == (2, 5)
    cleared = contrib.patch(url, content=b'{"description": null}', headers=MERGE).json()
    assert cleared["description"] is None and cleared["limits"]["maxTrials"] == 2  # null in the answer, not omitted
    refused = contrib.patch(url, json={"targetColumn": None})
    assert refused.status_code == 400 and refused.json()["error"]["details"][0]["target"] == "targetColumn"
    assert "Value error" not in refused.text and "ValueError" not in refused.text
    assert contrib.patch(url, content=b"{}", headers={"Content-Type": "text/plain"}).status_code == 415


def test_concurrent_patches_without_if_match_all_succeed(world: dict[str, Any]) -> None:
    t, contrib, ds = world["tenant"], world["contrib"], world["dataset"]
    url = f"/tenants/{t}/datasets/{ds['id']}"

    def tag(i: int) -> int:
        return int(contrib.patch(url, json={"tags": {f"t{i}": "x"}}).status_code)

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(tag, range(24)))
    assert statuses == [200] * 24
    assert set(contrib.get(url).json()["tags"]) == {f"t{i}" for i in range(24)}  # none lost
    stale = contrib.patch(url, json={"description": "late"}, headers={"If-Match": ds["etag"]})
    assert stale.status_code == 412  # only a client that sent If-Match gets 412


def test_a_current_etag_gets_304(world: dict[str, Any]) -> None:
    t, reader, ds = world["tenant"], world["reader"], world["dataset"]
    got = reader.get(f"/tenants/{t}/datasets/{ds['id']}")
    again = reader.get(f"/tenants/{t}/datasets/{ds['id']}", headers={"If-None-Match": got.headers["ETag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == got.headers["ETag"]


def test_every_201_has_a_location_to_read(world: dict[str, Any], unique: str) -> None:
    t, contrib, ds = world["tenant"], world["contrib"], world["dataset"]
    v2 = contrib.post(
        f"/tenants/{t}/datasets/{ds['id']}/versions", content=CSV.encode(), headers={"Content-Type": "text/csv"}
    )
    assert v2.status_code == 201 and v2.headers["Location"].endswith(f"/datasets/{ds['id']}/versions/2")
    read = contrib.get(v2.headers["Location"].split("/api/v1", 1)[1])
    assert read.status_code == 200 and read.json()["version"] == 2
    created = contrib.post(f"/tenants/{t}/endpoints", json={"name": f"loc-{unique}"})
    assert contrib.get(created.headers["Location"].split("/api/v1", 1)[1]).json()["id"] == created.json()["id"]


def test_lists_filter_and_order(world: dict[str, Any], admin: Any, unique: str) -> None:
    t, contrib, reader = world["tenant"], world["contrib"], world["reader"]
    made = [contrib.post(f"/tenants/{t}/endpoints", json={"name": f"Lst{i}-{unique}"}).json()["id"] for i in range(3)]
    newest = reader.get(f"/tenants/{t}/endpoints", params={"orderby": "createdAt desc", "namePrefix": "lst"}).json()
    assert [e["id"] for e in newest["value"]] == list(reversed(made)) and newest["nextLink"] is None
    paged, url, params = [], f"/tenants/{t}/endpoints", {"orderby": "createdAt desc", "top": 1, "namePrefix": "LST"}
    while url:
        page = reader.get(url, params=params).json()
        paged += [e["id"] for e in page["value"]]
        url, params = page["nextLink"] and page["nextLink"].split("/api/v1", 1)[1], None
    assert paged == list(reversed(made))
    tenants = admin.get("/tenants", params={"namePrefix": f"W-{unique}"}).json()["value"]
    assert [x["id"] for x in tenants] == [t]
    model = world["model"]
    by_run = reader.get(f"/tenants/{t}/models", params={"runId": world["run"]}).json()["value"]
    assert [m["id"] for m in by_run] == [model["id"]]  # was a 400 before
    assert (
        reader.get(f"/tenants/{t}/endpoints/{world['endpoint']['id']}/deployments").json()["value"][0]["name"] == "blue"
    )


def test_models_get_integer_versions_under_one_name(world: dict[str, Any]) -> None:
    t, contrib, model = world["tenant"], world["contrib"], world["model"]
    assert model["version"] == 1
    again = contrib.post(f"/tenants/{t}/models", json={"name": model["name"].upper(), "runId": world["run"]})
    assert again.status_code == 201 and again.json()["version"] == 2 and again.json()["name"] == model["name"]
    versions = contrib.get(f"/tenants/{t}/models", params={"name": model["name"]}).json()["value"]
    assert [m["version"] for m in versions] == [1, 2] and model["score"] == 0.9 and model["trialId"] == "t1"
    bogus = contrib.post(f"/tenants/{t}/models", json={"name": "b", "runId": world["run"], "trialId": "nope"})
    assert bogus.status_code == 400 and bogus.json()["error"]["target"] == "trialId"


def test_operations_of_a_tenant_are_listed(world: dict[str, Any], unique: str) -> None:
    t, contrib, reader = world["tenant"], world["contrib"], world["reader"]
    ep = contrib.post(f"/tenants/{t}/endpoints", json={"name": f"gone-{unique}"}).json()
    deleted = contrib.delete(f"/tenants/{t}/endpoints/{ep['id']}")
    assert deleted.status_code == 202 and deleted.headers["Retry-After"]
    op_id = deleted.headers["Operation-Location"].rsplit("/", 1)[1]
    listed = reader.get(f"/tenants/{t}/operations", params={"kind": "delete", "orderby": "createdAt desc"}).json()
    first = listed["value"][0]
    assert first["id"] == op_id and first["target"] == f"/api/v1/tenants/{t}/endpoints/{ep['id']}"


def test_log_lines_are_paged_to_the_last_one(world: dict[str, Any], devhost: Any) -> None:
    from domain.records.rows import LogRow
    from domain.settings import load_settings
    from domain.storage import keys
    from domain.storage.app_store import build_series
    from domain.storage.records import Op

    t, reader, run_id = world["tenant"], world["reader"], world["run"]
    series = build_series(load_settings(devhost.env))
    at = datetime.now(UTC)
    rows = [Op.upsert(keys.log_key(n), LogRow(seq=n, timestamp=at, text=f"line {n}").stored()) for n in range(1, 21)]
    series.transact(keys.series_partition(t, run_id), rows, actor="test", audit=False)
    page = reader.get(f"/tenants/{t}/runs/{run_id}/logs", params={"after": 15, "top": 3}).json()
    assert [ln["seq"] for ln in page["value"]] == [16, 17, 18] and page["nextLink"]
    rest = reader.get(page["nextLink"].split("/api/v1", 1)[1]).json()
    assert [ln["seq"] for ln in rest["value"]] == [19, 20] and rest["nextLink"] is None


def test_the_consoles_dev_server_may_call(world: dict[str, Any], devhost: Any) -> None:
    origin = "http://localhost:5173"  # Vite's default
    pre = httpx.options(
        f"{devhost.base_url}/api/v1/tenants/x", headers={"Origin": origin, "Access-Control-Request-Method": "PATCH"}
    )
    assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == origin
    assert "If-None-Match" in pre.headers["Access-Control-Allow-Headers"]
    got = world["reader"].get(f"/tenants/{world['tenant']}/datasets", headers={"Origin": origin})
    assert "azureml-model-deployment" in got.headers["Access-Control-Expose-Headers"]


def test_an_uploads_name_is_checked_as_a_name(world: dict[str, Any]) -> None:
    bad = upload(world["contrib"], "bad name!")
    assert bad.status_code == 400 and bad.json()["error"]["details"][0]["target"] == "name"
