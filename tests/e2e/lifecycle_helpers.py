"""Helpers for the lifecycle end-to-end tests: a tenant with a contributor, the breast-cancer CSV, polling."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from typing import Any

from tests.e2e.support import Api, upload


def breast_cancer_csv(rows: int | None = None) -> str:
    """sklearn's bundled breast-cancer data as CSV (30 numeric features, target `diagnosis` = malignant/benign)."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    out = io.StringIO()
    writer = csv.writer(out)
    names = [n.replace(" ", "_") for n in data.feature_names]
    writer.writerow([*names, "diagnosis"])
    for x, y in list(zip(data.data, data.target, strict=True))[:rows]:
        writer.writerow([*(f"{v:.6g}" for v in x), data.target_names[y]])
    return out.getvalue()


def wait_for(check: Callable[[], Any], timeout: float = 90.0, every: float = 0.5, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if last:
            return last
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


def new_tenant(admin: Api, user_api: Any, unique: str, quotas: dict[str, int] | None = None) -> Api:
    """A tenant with an owner and a contributor member; the contributor's client (its `.tenant` set)."""
    owner_id = f"owner-{unique}"
    body: dict[str, Any] = {"name": f"lc-{unique}", "ownerUserId": owner_id}
    if quotas:
        body["quotas"] = quotas
    resp = admin.post("/tenants", json=body)
    assert resp.status_code == 201, resp.text
    t = resp.json()["id"]
    owner = user_api(owner_id)
    assert owner.put(f"/tenants/{t}/members/contrib-{unique}", json={"role": "contributor"}).status_code == 200
    contrib = user_api(f"contrib-{unique}")
    contrib.tenant = t
    return contrib


def experiment(api: Api, unique: str, data: str, target: str = "diagnosis", **extra: Any) -> dict[str, Any]:
    ds = upload(api, f"bc-{unique}", data)
    assert ds.status_code == 201, ds.text
    body = {
        "name": f"exp-{unique}",
        "task": "classification",
        "datasetId": ds.json()["id"],
        "targetColumn": target,
        "primaryMetric": "accuracy",
        "limits": {"maxTrials": 6, "timeoutMinutes": 1},
        "autoRegister": True,
    } | extra
    resp = api.post(f"/tenants/{api.tenant}/experiments", json=body)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def start(api: Api, experiment_id: str, key: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key else {}
    return api.post(f"/tenants/{api.tenant}/experiments/{experiment_id}/runs", headers=headers)


def run(api: Api, run_id: str) -> dict[str, Any]:
    resp = api.get(f"/tenants/{api.tenant}/runs/{run_id}")
    assert resp.status_code == 200, resp.text
    return dict(resp.json())


def wait_terminal(api: Api, run_id: str, timeout: float = 120.0) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        r = run(api, run_id)
        return r if r["status"] in ("Completed", "Failed", "Canceled") and not r.get("active", False) else None

    return dict(wait_for(check, timeout, what=f"run {run_id} to end"))


def wait_operation(api: Api, op_id: str, timeout: float = 90.0) -> dict[str, Any]:
    def check() -> dict[str, Any] | None:
        op = api.get(f"/tenants/{api.tenant}/operations/{op_id}").json()
        return op if op.get("status") in ("Succeeded", "Failed", "Canceled") else None

    return dict(wait_for(check, timeout, what=f"operation {op_id}"))
