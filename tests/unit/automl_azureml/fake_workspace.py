"""A fake Azure ML workspace on top of RecordingTransport: stateful routes shaped like the real REST APIs
(ARM jobs, data, models, onlineEndpoints, onlineDeployments, the workspace GET, Blob Storage, MLflow REST and an
endpoint's scoring URI). Tests read `transport.calls` to check what the SDK really sent."""

from __future__ import annotations

import base64
import re
from typing import Any

from domain.settings import Settings, load_settings
from tests.unit.automl_azureml.fake_azure import (
    MLFLOW_BASE,
    REGION,
    RG,
    SUB,
    WS,
    WS_ID,
    Answer,
    Call,
    RecordingTransport,
)

SYSTEM_DATA = {"createdAt": "2026-11-26T10:00:00Z", "lastModifiedAt": "2026-11-26T10:00:00Z", "createdBy": "app"}
ACCOUNT_KEY = base64.b64encode(b"0" * 64).decode()


def settings(**extra: str) -> Settings:
    env = {
        "AUTOML_BACKEND": "azureml",
        "AZUREML_SUBSCRIPTION_ID": SUB,
        "AZUREML_RESOURCE_GROUP": RG,
        "AZUREML_WORKSPACE_NAME": WS,
        "DATA_STORAGE_CONNECTION_STRING": (
            f"DefaultEndpointsProtocol=https;AccountName=appstore;AccountKey={ACCOUNT_KEY};EndpointSuffix=core.windows.net"
        ),
        **extra,
    }
    return load_settings(env)


def arm(kind: str, name: str, body: dict[str, Any], rtype: str) -> dict[str, Any]:
    return {
        "id": f"{WS_ID}/{kind}/{name}",
        "name": name.rsplit("/", 1)[-1],
        "type": f"Microsoft.MachineLearningServices/workspaces/{rtype}",
        "systemData": SYSTEM_DATA,
        **body,
    }


class FakeWorkspace:
    def __init__(self) -> None:
        self.t = RecordingTransport()
        self.jobs: dict[str, dict[str, Any]] = {}
        self.data: dict[str, dict[str, Any]] = {}
        self.models: dict[str, dict[str, Any]] = {}
        self.endpoints: dict[str, dict[str, Any]] = {}
        self.deployments: dict[str, dict[str, Any]] = {}
        self.runs: dict[str, dict[str, Any]] = {}  # MLflow runs by id
        self.blobs: dict[str, bytes] = {}
        self.scored: list[Call] = []
        self.run_details: dict[str, dict[str, Any]] = {}  # run-history details by run id
        self.log_text: dict[str, str] = {}  # blob path -> log text
        self._routes()

    # ARM --------------------------------------------------------------------------------------------------------
    def _routes(self) -> None:
        t, ws = self.t, re.escape(WS_ID)
        t.route("GET", ws, lambda c: Answer(200, self.workspace_body()))
        t.route("PUT", ws + r"/jobs/[^/]+", self._put_job)
        t.route("GET", ws + r"/jobs/[^/]+", lambda c: self._get(self.jobs, c.path.rsplit("/", 1)[1]))
        t.route("POST", ws + r"/jobs/[^/]+/cancel", self._cancel_job)
        t.route("DELETE", ws + r"/jobs/[^/]+", self._delete_job)
        t.route("GET", ws + r"/data/[^/]+/versions/[^/]+", lambda c: self._get(self.data, self._tail(c, 3)))
        t.route("PUT", ws + r"/data/[^/]+/versions/[^/]+", self._put_data)
        t.route("GET", ws + r"/models/[^/]+/versions", self._list_models)
        t.route("PUT", ws + r"/models/[^/]+/versions/[^/]+", self._put_model)
        t.route("GET", ws + r"/models/[^/]+", self._model_container)
        t.route("PUT", ws + r"/onlineEndpoints/[^/]+", self._put_endpoint)
        t.route("GET", ws + r"/onlineEndpoints/[^/]+", lambda c: self._get(self.endpoints, c.path.rsplit("/", 1)[1]))
        t.route("POST", ws + r"/onlineEndpoints/[^/]+/listKeys", lambda c: Answer(200, self.keys()))
        t.route(
            "DELETE", ws + r"/onlineEndpoints/[^/]+", lambda c: self._delete(self.endpoints, c.path.rsplit("/", 1)[1])
        )
        t.route("GET", ws + r"/onlineEndpoints/[^/]+/deployments", self._list_deployments)
        t.route("PUT", ws + r"/onlineEndpoints/[^/]+/deployments/[^/]+", self._put_deployment)
        t.route(
            "GET",
            ws + r"/onlineEndpoints/[^/]+/deployments/[^/]+",
            lambda c: self._get(self.deployments, self._tail(c, 3)),
        )
        t.route(
            "DELETE",
            ws + r"/onlineEndpoints/[^/]+/deployments/[^/]+",
            lambda c: self._delete(self.deployments, self._tail(c, 3)),
        )
        t.route("GET", r"/discovery", lambda c: Answer(200, self.discovery()))
        t.route("GET", r"/history/v1\.0" + ws + r"/runs/[^/]+/details", self._run_details)
        t.route("GET", r"/azureml/ExperimentRun/.+", self._get_log)
        t.route("GET", r"/operations/[^/]+", lambda c: Answer(200, {"status": "Succeeded"}))
        t.route("PUT", r"/datasets/.+", self._put_blob)
        t.route("POST", r"/score", self._score)
        t.route("GET", re.escape(MLFLOW_BASE) + "/runs/get", self._mlflow_get_run)
        t.route("POST", re.escape(MLFLOW_BASE) + "/runs/search", self._mlflow_search)
        t.route("GET", re.escape(MLFLOW_BASE) + "/metrics/get-history", self._mlflow_history)

    @staticmethod
    def _tail(c: Call, n: int) -> str:
        parts = c.path.split("/")
        return "/".join(parts[-n:])

    @staticmethod
    def _get(store: dict[str, dict[str, Any]], key: str) -> Answer:
        if key not in store:
            return Answer(404, {"error": {"code": "UserError", "message": f"Could not find {key}."}})
        return Answer(200, store[key])

    @staticmethod
    def _delete(store: dict[str, dict[str, Any]], key: str) -> Answer:
        if store.pop(key, None) is None:
            return Answer(204)
        return Answer(202, None, {"Location": "https://management.azure.com/operations/del1?api-version=x"})

    def workspace_body(self) -> dict[str, Any]:
        return {
            "id": WS_ID,
            "name": WS,
            "type": "Microsoft.MachineLearningServices/workspaces",
            "location": REGION,
            "systemData": SYSTEM_DATA,
            "properties": {
                "friendlyName": WS,
                "discoveryUrl": f"https://{REGION}.api.azureml.ms/discovery",
                "mlFlowTrackingUri": f"azureml://{REGION}.api.azureml.ms/mlflow/v1.0{WS_ID}",
            },
        }

    def _put_job(self, c: Call) -> Answer:
        name = c.path.rsplit("/", 1)[1]
        body = c.json()
        body["properties"]["status"] = "NotStarted"
        body["properties"]["services"] = {
            "Studio": {"endpoint": f"https://ml.azure.com/runs/{name}", "jobServiceType": "Studio"}
        }
        self.jobs[name] = arm("jobs", name, body, "jobs")
        return Answer(201, self.jobs[name])

    def set_job_status(self, name: str, status: str) -> None:
        self.jobs[name]["properties"]["status"] = status

    def _cancel_job(self, c: Call) -> Answer:
        name = c.path.split("/")[-2]
        if name not in self.jobs:
            return Answer(404, {"error": {"code": "UserError", "message": "not found"}})
        self.set_job_status(name, "CancelRequested")
        return Answer(202, None, {"Location": "https://management.azure.com/operations/cancel1?api-version=x"})

    def _delete_job(self, c: Call) -> Answer:
        return self._delete(self.jobs, c.path.rsplit("/", 1)[1])

    def _put_data(self, c: Call) -> Answer:
        key = self._tail(c, 3)
        self.data[key] = arm("data", key, c.json(), "data/versions")
        return Answer(201, self.data[key])

    def _list_models(self, c: Call) -> Answer:
        name = c.path.split("/")[-2]
        versions = [v for k, v in self.models.items() if k.startswith(name + "/")]
        versions.sort(key=lambda v: int(v["name"]), reverse=True)
        return Answer(200, {"value": versions[:1]})

    def _model_container(self, c: Call) -> Answer:
        name = c.path.rsplit("/", 1)[1]
        versions = [int(k.rsplit("/", 1)[1]) for k in self.models if k.startswith(name + "/")]
        if not versions:
            return Answer(404, {"error": {"code": "UserError", "message": f"Model container {name} not found."}})
        props = {"latestVersion": str(max(versions)), "nextVersion": str(max(versions) + 1)}
        return Answer(200, arm("models", name, {"properties": props}, "models"))

    def _put_model(self, c: Call) -> Answer:
        key = self._tail(c, 3)
        body = c.json()
        body["properties"]["flavors"] = {}
        self.models[key] = arm("models", key, body, "models/versions")
        return Answer(201, self.models[key])

    def _put_endpoint(self, c: Call) -> Answer:
        name = c.path.rsplit("/", 1)[1]
        body = c.json()
        body["properties"]["provisioningState"] = "Creating"
        body["properties"]["scoringUri"] = f"https://{name}.{REGION}.inference.ml.azure.com/score"
        self.endpoints[name] = arm("onlineEndpoints", name, body, "onlineEndpoints")
        headers = {"Azure-AsyncOperation": "https://management.azure.com/operations/ep1?api-version=x"}
        return Answer(201, self.endpoints[name], headers)

    def _list_deployments(self, c: Call) -> Answer:
        endpoint = c.path.split("/")[-2]
        return Answer(200, {"value": [d for k, d in self.deployments.items() if k.startswith(endpoint + "/")]})

    def _put_deployment(self, c: Call) -> Answer:
        key = self._tail(c, 3)
        body = c.json()
        body["properties"]["provisioningState"] = "Creating"
        body["properties"].setdefault("scaleSettings", {"scaleType": "Default"})  # the service fills the default
        self.deployments[key] = arm("onlineEndpoints", key, body, "onlineEndpoints/deployments")
        headers = {"Azure-AsyncOperation": "https://management.azure.com/operations/dep1?api-version=x"}
        return Answer(201, self.deployments[key], headers)

    @staticmethod
    def discovery() -> dict[str, str]:
        api = f"https://{REGION}.api.azureml.ms"
        return {"api": api, "catalog": api, "experimentation": api, "history": api, "modelmanagement": api}

    def set_run_details(
        self, run_id: str, *, status: str, logs: dict[str, str] | None = None, error: str | None = None
    ) -> None:
        """Run-history details; `logs` maps log names to their text, served from SAS links like the real ones."""
        files = {}
        for name, text in (logs or {}).items():
            path = f"/azureml/ExperimentRun/dcid.{run_id}/{name}"
            self.log_text[path] = text
            files[name] = (
                f"https://wsstore.blob.core.windows.net{path}?sv=2019-07-07&sr=b&sig=fake&se=2026-11-27T00%3A00%3A00Z&sp=r"
            )
        body: dict[str, Any] = {"runId": run_id, "status": status, "logFiles": files}
        if error:
            body["error"] = {"error": {"code": "UserError", "message": error}}
        self.run_details[run_id] = body

    def _run_details(self, c: Call) -> Answer:
        run_id = c.path.split("/")[-2]
        if run_id not in self.run_details:
            return Answer(404, {"error": {"code": "UserError", "message": f"Run {run_id} was not found"}})
        return Answer(200, self.run_details[run_id])

    def _get_log(self, c: Call) -> Answer:
        if c.path not in self.log_text:
            return Answer(404, b'<?xml version="1.0"?><Error><Code>BlobNotFound</Code></Error>')
        return Answer(200, self.log_text[c.path].encode(), {"Content-Type": "text/plain"})

    @staticmethod
    def keys() -> dict[str, str]:
        return {"primaryKey": "endpoint-key-1", "secondaryKey": "endpoint-key-2"}

    def _put_blob(self, c: Call) -> Answer:
        self.blobs[c.path] = c.body
        return Answer(201, b"", {"ETag": '"0x1"', "Last-Modified": "Thu, 26 Nov 2026 10:00:00 GMT"})

    def _score(self, c: Call) -> Answer:
        self.scored.append(c)
        rows = c.json()["input_data"]["data"]
        return Answer(200, [i % 2 for i in range(len(rows))])

    # MLflow -----------------------------------------------------------------------------------------------------
    def add_run(
        self,
        run_id: str,
        *,
        parent: str | None = None,
        tags: dict[str, str] | None = None,
        metrics: dict[str, float] | None = None,
        params: dict[str, str] | None = None,
        status: str = "FINISHED",
        start: int = 1_700_000_000_000,
        end: int | None = 1_700_000_060_000,
        metric_ts: int = 1_700_000_050_000,
    ) -> None:
        all_tags = dict(tags or {})
        if parent:
            all_tags["mlflow.parentRunId"] = parent
        self.runs[run_id] = {
            "info": {"run_id": run_id, "run_uuid": run_id, "experiment_id": "7", "status": status, "start_time": start}
            | ({"end_time": end} if end else {}),
            "data": {
                "tags": [{"key": k, "value": v} for k, v in all_tags.items()],
                "metrics": [
                    {"key": k, "value": v, "timestamp": metric_ts, "step": 0} for k, v in (metrics or {}).items()
                ],
                "params": [{"key": k, "value": v} for k, v in (params or {}).items()],
            },
        }

    def _mlflow_get_run(self, c: Call) -> Answer:
        run = self.runs.get(c.query["run_id"])
        if run is None:
            return Answer(
                404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": f"Run '{c.query['run_id']}' not found"}
            )
        return Answer(200, {"run": run})

    def _mlflow_search(self, c: Call) -> Answer:
        body = c.json()
        match = re.fullmatch(r"tags\.mlflow\.parentRunId = '([^']+)'", body["filter"])
        assert match, body["filter"]
        found = [
            r for r in self.runs.values() if {"key": "mlflow.parentRunId", "value": match.group(1)} in r["data"]["tags"]
        ]
        page = int(body.get("page_token") or 0)
        size = 2  # small pages so paging is exercised
        out: dict[str, Any] = {"runs": found[page : page + size]}
        if page + size < len(found):
            out["next_page_token"] = str(page + size)
        return Answer(200, out)

    def _mlflow_history(self, c: Call) -> Answer:
        run = self.runs.get(c.query["run_id"])
        if run is None:
            return Answer(404, {"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run not found"})
        points = [m for m in run["data"]["metrics"] if m["key"] == c.query["metric_key"]]
        return Answer(200, {"metrics": points})
