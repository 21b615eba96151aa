"""The workspace's MLflow tracking REST API (`/api/2.0/mlflow/...`) through azure-core, without mlflow or
azureml-mlflow (their import cost, pins and credential chain: notes/automl-engines.md §5).

Azure ML's MLflow cannot `order_by` metrics/params/tags server-side and has no OR; callers sort locally.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest

from domain.automl.azureml.client import Workspace

API = "/api/2.0/mlflow"
SEARCH_PAGE = 1000  # SEARCH_MAX_RESULTS_DEFAULT; the server allows up to 50,000
HISTORY_PAGE = 25000  # GET_METRIC_HISTORY_MAX_RESULTS


class MlflowRest:
    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace

    def _call(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None) -> Any:
        url = self.workspace.mlflow_base + API + path
        request = HttpRequest(method, url, params=params, json=json)
        response = self.workspace.rest.send_request(request)
        if response.status_code >= 400:
            raise HttpResponseError(response=response)
        return response.json() if response.content else {}

    def get_run(self, run_id: str) -> dict[str, Any]:
        """`GET runs/get` -> the run (`info`, `data.tags`, `data.metrics`, `data.params`)."""
        run: dict[str, Any] = self._call("GET", "/runs/get", params={"run_id": run_id})["run"]
        return run

    def search_runs(self, experiment_id: str, filter_string: str) -> Iterator[dict[str, Any]]:
        """`POST runs/search`, following `next_page_token`."""
        token: str | None = None
        while True:
            body: dict[str, Any] = {
                "experiment_ids": [experiment_id],
                "filter": filter_string,
                "run_view_type": "ACTIVE_ONLY",
                "max_results": SEARCH_PAGE,
            }
            if token:
                body["page_token"] = token
            page = self._call("POST", "/runs/search", json=body)
            yield from page.get("runs", [])
            token = page.get("next_page_token")
            if not token:
                return

    def child_runs(self, parent: dict[str, Any]) -> list[dict[str, Any]]:
        """The AutoML trials: runs of the parent's experiment tagged `mlflow.parentRunId = <parent run id>`."""
        info = parent["info"]
        run_id = info.get("run_id") or info["run_uuid"]
        return list(self.search_runs(info["experiment_id"], f"tags.mlflow.parentRunId = '{run_id}'"))

    def metric_history(self, run_id: str, key: str) -> list[dict[str, Any]]:
        """`GET metrics/get-history` for one metric, all pages."""
        points: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            params: dict[str, Any] = {"run_id": run_id, "metric_key": key, "max_results": HISTORY_PAGE}
            if token:
                params["page_token"] = token
            page = self._call("GET", "/metrics/get-history", params=params)
            points.extend(page.get("metrics", []))
            token = page.get("next_page_token")
            if not token:
                return points


def tags_of(run: dict[str, Any]) -> dict[str, str]:
    """MLflow's REST lists tags/metrics/params as [{key, value}] arrays."""
    return {t["key"]: t.get("value", "") for t in run.get("data", {}).get("tags", [])}


def metrics_of(run: dict[str, Any]) -> dict[str, float]:
    out: dict[str, float] = {}
    for m in run.get("data", {}).get("metrics", []):
        try:
            out[m["key"]] = float(m["value"])
        except (TypeError, ValueError):
            continue  # non-numeric (NaN as string, artifacts) are not metrics the API can show
    return out


def params_of(run: dict[str, Any]) -> dict[str, str]:
    return {p["key"]: p.get("value", "") for p in run.get("data", {}).get("params", [])}
