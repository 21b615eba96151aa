"""Batch scoring and explanations over HTTP against the local stack (devhost, Azurite, the local engine): a run on a
CSV whose column names have spaces and a text column; its explanation names the CSV's columns, sorted, the same on
every read; its model scores the whole dataset in a batch job (rows in = rows out; the CSV downloads from Blob
Storage through the 303 of `.../output` and through `.../outputLink`'s URL, with the prediction and one probability
per class; 409 before the job completes); a dataset without the model's columns is refused naming them; deleting
the model removes its jobs and their CSVs, and a second job on it is refused."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from domain.entities.batch import BatchJobStatus
from domain.entities.ids import new_id
from domain.errors import NotFound
from domain.records.kinds import BATCH_JOBS, BatchJobData
from domain.services.batch import job_name, output_blob
from domain.settings import load_settings
from domain.storage.blobs import blob_store
from tests.e2e.lifecycle_helpers import experiment, new_tenant, start, wait_for, wait_operation, wait_terminal
from tests.e2e.support import upload

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
FEATURES = ["mean radius", "mean texture", "worst area", "site"]
TARGET = "diagnosis"
CLASSES = ["benign", "malignant"]


def table(rows: int = 300) -> str:
    """Breast-cancer columns (names with spaces) and a text column `site` carrying no signal."""
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    index = [list(data.feature_names).index(f) for f in FEATURES[:3]]
    rng = random.Random(7)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*FEATURES, TARGET])
    for x, y in list(zip(data.data, data.target, strict=True))[:rows]:
        writer.writerow([*(f"{x[i]:.6g}" for i in index), rng.choice(["left", "right", "upper"]), data.target_names[y]])
    return out.getvalue()


@pytest.fixture(scope="module")
def trained(admin: Any, devhost: Any) -> dict[str, Any]:
    """A finished run and its auto-registered model (shared by the tests of this module)."""
    from tests.e2e.support import Api, token

    unique = "bx" + str(random.randrange(10**8))

    def user_api(user: str) -> Api:
        return Api(devhost.base_url, token(user))

    api = new_tenant(admin, user_api, unique)
    data = table()
    exp = experiment(api, unique, data, target=TARGET, limits={"maxTrials": 6, "timeoutMinutes": 1})
    started = start(api, exp["id"])
    assert started.status_code == 202, started.text
    run_id = started.json()["id"]
    assert wait_terminal(api, run_id, timeout=300)["status"] == "Completed"
    # finalized (the operation ends once the run's results, its model and its explanation are recorded)
    assert wait_operation(api, run_id, timeout=300)["status"] == "Succeeded"
    run = api.get(f"/tenants/{api.tenant}/runs/{run_id}").json()
    assert run["modelId"], run
    return {"api": api, "run": run, "dataset_id": exp["datasetId"], "data": data}


def test_the_explanation_names_the_csv_columns_sorted_and_stays_the_same(trained: dict[str, Any]) -> None:
    api, run = trained["api"], trained["run"]
    first = api.get(f"/tenants/{api.tenant}/runs/{run['id']}/explanation")
    assert first.status_code == 200, first.text
    body = first.json()
    names = [f["feature"] for f in body["features"]]
    assert sorted(names) == sorted(FEATURES)  # the uploaded names (spaces kept), not encoded or one-hot names
    importances = [f["importance"] for f in body["features"]]
    assert importances == sorted(importances, reverse=True)
    assert body["trialId"] == run["bestTrialId"] and body["method"] == "permutation" and body["rows"] > 0
    again = api.get(f"/tenants/{api.tenant}/runs/{run['id']}/explanation").json()
    assert again == body  # kept: the same numbers and time on every read
    model = api.get(f"/tenants/{api.tenant}/models/{run['modelId']}/explanation")
    assert model.status_code == 200 and model.json() == body


def test_a_batch_job_scores_every_row_and_its_csv_downloads(trained: dict[str, Any], devhost: Any) -> None:
    api, run = trained["api"], trained["run"]
    t, model_id = api.tenant, run["modelId"]
    submitted = api.post(f"/tenants/{t}/models/{model_id}:batchScore", json={"datasetId": trained["dataset_id"]})
    assert submitted.status_code == 202, submitted.text
    job = submitted.json()
    assert submitted.headers["Operation-Location"].endswith(f"/operations/{job['id']}")
    assert submitted.headers["Location"].endswith(f"/batchJobs/{job['id']}")
    assert job["progress"]["rowsTotal"] == 300 and job["modelId"] == model_id
    operation = wait_operation(api, job["id"], timeout=180)
    assert operation["status"] == "Succeeded", operation
    done = api.get(f"/tenants/{t}/batchJobs/{job['id']}").json()
    assert done["status"] == "Completed" and done["progress"] == {"rowsDone": 300, "rowsTotal": 300, "percent": 100.0}
    assert done["outputUrl"] == f"/api/v1/tenants/{t}/batchJobs/{job['id']}/output"
    columns = [*FEATURES, TARGET, "prediction", *(f"probability_{c}" for c in CLASSES)]
    assert done["outputColumns"] == columns

    output = f"/tenants/{t}/batchJobs/{job['id']}/output"
    redirect = api.get(output)  # 303 to Blob Storage: the host never holds the file
    assert redirect.status_code == 303 and redirect.headers["cache-control"] == "no-store", redirect.text
    blob_url = urlsplit(redirect.headers["location"])
    assert blob_url.path.endswith(f"/{t}/batch/{job['id']}/predictions.csv") and "sig=" in blob_url.query
    assert blob_url.port != urlsplit(devhost.base_url).port  # another origin: Blob Storage itself
    out = api.get(output, follow_redirects=True)
    assert out.status_code == 200, out.text
    assert [r.status_code for r in out.history] == [303] and str(out.url) == redirect.headers["location"]
    assert "authorization" not in out.request.headers  # httpx drops the token on the way to another origin
    assert out.headers["content-type"] == "text/csv"
    assert out.headers["content-disposition"] == f'attachment; filename="batch-{job["id"]}.csv"'
    rows = list(csv.DictReader(io.StringIO(out.text)))
    inputs = list(csv.DictReader(io.StringIO(trained["data"])))
    assert len(rows) == len(inputs) == 300 and list(rows[0]) == columns
    assert [r["site"] for r in rows] == [r["site"] for r in inputs]  # the input columns, in order
    assert {r["prediction"] for r in rows} <= set(CLASSES)
    assert all(abs(sum(float(r[f"probability_{c}"]) for c in CLASSES) - 1) < 1e-3 for r in rows)
    accuracy = sum(r["prediction"] == r[TARGET] for r in rows) / len(rows)
    assert accuracy > 0.8  # the model learned something: these rows are its training rows
    listed = api.get(f"/tenants/{t}/batchJobs", params={"modelId": model_id}).json()["value"]
    assert job["id"] in [j["id"] for j in listed]
    link = api.get(f"/tenants/{t}/batchJobs/{job['id']}/outputLink")  # what the console opens in the browser
    assert link.status_code == 200 and link.headers["cache-control"] == "no-store", link.text
    body = link.json()
    assert set(body) == {"url", "expiresOn"}
    expires = datetime.fromisoformat(body["expiresOn"])
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)
    browser = httpx.get(body["url"])  # no token: the URL alone reads the file
    assert browser.status_code == 200 and browser.content == out.content
    assert urlsplit(body["url"]).path == blob_url.path
    for route in (output, f"{output}Link"):
        bad_token = api.get(route, headers={"Authorization": "Bearer x"})
        assert bad_token.status_code == 401


def test_a_job_not_completed_has_no_output_and_an_unknown_job_none_at_all(trained: dict[str, Any], store: Any) -> None:
    api, run = trained["api"], trained["run"]
    t, job_id = api.tenant, new_id()
    model = api.get(f"/tenants/{t}/models/{run['modelId']}").json()
    data = BatchJobData(
        model_id=model["id"],
        model_name=model["name"],
        model_version=model["version"],
        dataset_id=trained["dataset_id"],
        dataset_version=1,
        job_name=job_name(job_id),
        status=BatchJobStatus.RUNNING,
    )
    BATCH_JOBS.create(store, t, job_id, data, actor="test")  # a job the backend is still scoring
    try:
        for route in ("output", "outputLink"):
            refused = api.get(f"/tenants/{t}/batchJobs/{job_id}/{route}")
            assert refused.status_code == 409, refused.text
            error = refused.json()["error"]
            assert error["target"] == "status" and "Running" in error["message"]
            assert refused.headers["x-ms-error-code"] == error["code"] and "location" not in refused.headers
            unknown = api.get(f"/tenants/{t}/batchJobs/{new_id()}/{route}")
            assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "NotFound"
    finally:
        BATCH_JOBS.delete(store, t, job_id, actor="test", etag=None)


def test_a_dataset_without_the_models_columns_is_refused_naming_them(trained: dict[str, Any]) -> None:
    api, run = trained["api"], trained["run"]
    ds = upload(api, "no-texture", "mean radius,worst area,site\n1,2,left\n3,4,right\n")
    assert ds.status_code == 201, ds.text
    refused = api.post(f"/tenants/{api.tenant}/models/{run['modelId']}:batchScore", json={"datasetId": ds.json()["id"]})
    assert refused.status_code == 400, refused.text
    error = refused.json()["error"]
    assert "mean texture" in error["message"] and [d["target"] for d in error["details"]] == ["mean texture"]
    jobs = api.get(f"/tenants/{api.tenant}/batchJobs", params={"modelId": run["modelId"]}).json()["value"]
    assert all(j["datasetId"] != ds.json()["id"] for j in jobs)


def test_deleting_the_model_removes_its_jobs_and_refuses_a_second_one(trained: dict[str, Any], devhost: Any) -> None:
    api, run = trained["api"], trained["run"]
    t, model_id = api.tenant, run["modelId"]
    submitted = api.post(f"/tenants/{t}/models/{model_id}:batchScore", json={"datasetId": trained["dataset_id"]})
    assert submitted.status_code == 202, submitted.text
    job_id = submitted.json()["id"]
    assert wait_operation(api, job_id, timeout=180)["status"] == "Succeeded"
    settings = load_settings(devhost.env)
    container, _, name = output_blob(settings.datasets_container, t, job_id).partition("/")
    blobs = blob_store(settings)
    assert blobs.get(container, name).startswith(b"mean radius,")
    artifact = api.get(f"/tenants/{t}/models/{model_id}").json()["uri"].split("/", 1)
    assert blobs.get(*artifact)
    assert api.delete(f"/tenants/{t}/models/{model_id}").status_code == 204
    assert api.get(f"/tenants/{t}/batchJobs/{job_id}").status_code == 404
    assert api.get(f"/tenants/{t}/batchJobs", params={"modelId": model_id}).json()["value"] == []
    for gone in ((container, name), artifact):  # the job's CSV, the model's artifact
        with pytest.raises(NotFound):
            blobs.get(*gone)
    second = api.post(f"/tenants/{t}/models/{model_id}:batchScore", json={"datasetId": trained["dataset_id"]})
    assert second.status_code == 404, second.text
    wait_for(lambda: api.get(f"/tenants/{t}/models/{model_id}").status_code == 404, what="the model gone")
