"""Local online endpoints: records in the work dir, every deployment served by the one local scoring server (ADR 0015).

`{workdir}/{tenant}/_endpoints/{endpoint}/endpoint.json` holds the traffic; each deployment has
`deployments/{name}/deployment.json` ({"generation", "model", "state", "error"}). A deployment generation is a key of
the scoring server ("tenant/endpoint/deployment/generation"); on first use the host reads its model from Blob
Storage and hands it to the server, so a restarted stack (or server) serves the live deployments again. Provisioning
= the server loads the model once (Creating until then, Failed when the model blob is missing or unusable). An update
starts a new generation and unloads the old one; a delete unloads the deployment's (or the endpoint's) models. The
host imports no model library.
"""

from __future__ import annotations

import random
import shutil
import urllib.parse
from pathlib import Path
from typing import Any

from domain.automl.local import blobs
from domain.automl.local.jobdir import read_json, safe_name, write_json_atomic
from domain.automl.local.scoring_server import ScoringServer, ScoringServerDown
from domain.entities.automl import DeploymentState, EndpointState, ModelRef, ProvisioningState
from domain.errors import NotFound, Unavailable, UpstreamRefused, ValidationFailed
from domain.settings import Settings

LOAD_TIMEOUT_SECONDS = 300.0


class Serving:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workdir = Path(settings.local_automl_workdir)
        self.server = ScoringServer(settings)

    def _endpoint_dir(self, tenant: str, endpoint: str) -> Path:
        return self.workdir / safe_name(tenant, "tenant") / "_endpoints" / safe_name(endpoint, "endpoint")

    def _deployment_dir(self, tenant: str, endpoint: str, deployment: str) -> Path:
        return self._endpoint_dir(tenant, endpoint) / "deployments" / safe_name(deployment, "deployment")

    @staticmethod
    def _key(tenant: str, endpoint: str, deployment: str | None = None, generation: int | None = None) -> str:
        """The scoring server's key (a prefix when deployment/generation are None); names are safe_name'd."""
        parts = [tenant, endpoint] + ([deployment] if deployment else []) + ([str(generation)] if generation else [])
        return "/".join(parts) + ("" if generation else "/")

    def create_or_update_endpoint(self, tenant: str, endpoint: str) -> EndpointState:
        folder = self._endpoint_dir(tenant, endpoint)
        folder.mkdir(parents=True, exist_ok=True)
        if not (folder / "endpoint.json").exists():
            write_json_atomic(folder / "endpoint.json", {"traffic": {}})
        return self.get_endpoint(tenant, endpoint)

    def get_endpoint(self, tenant: str, endpoint: str) -> EndpointState:
        data = read_json(self._endpoint_dir(tenant, endpoint) / "endpoint.json")
        if data is None:
            raise NotFound("endpoint", endpoint)
        return EndpointState(
            name=endpoint,
            state=ProvisioningState.SUCCEEDED,
            scoring_uri=f"local://{tenant}/{endpoint}/score",
            traffic=data["traffic"],
        )

    def create_or_update_deployment(
        self, tenant: str, endpoint: str, deployment: str, model: ModelRef
    ) -> DeploymentState:
        self.get_endpoint(tenant, endpoint)
        folder = self._deployment_dir(tenant, endpoint, deployment)
        folder.mkdir(parents=True, exist_ok=True)
        previous = read_json(folder / "deployment.json")
        generation = (previous["generation"] + 1) if previous else 1
        record = {"generation": generation, "model": model.model_dump(), "state": "Creating", "error": None}
        write_json_atomic(folder / "deployment.json", record)
        if previous:
            self.server.call("/unload", {"prefix": self._key(tenant, endpoint, deployment)}, start=False)
        self.server.start()  # returns at once; the first get_deployment asks it to load the model
        state = ProvisioningState.UPDATING if previous else ProvisioningState.CREATING
        return DeploymentState(endpoint=endpoint, name=deployment, state=state, model=model)

    def _record(self, tenant: str, endpoint: str, deployment: str) -> dict[str, Any]:
        data: dict[str, Any] | None = read_json(self._deployment_dir(tenant, endpoint, deployment) / "deployment.json")
        if data is None:
            raise NotFound("deployment", f"{endpoint}/{deployment}")
        return data

    def get_deployment(self, tenant: str, endpoint: str, deployment: str) -> DeploymentState:
        data = self._record(tenant, endpoint, deployment)
        if data.get("state", "Succeeded") == "Creating":
            data = self._provision(tenant, endpoint, deployment, data)
        state = {"Creating": ProvisioningState.CREATING, "Failed": ProvisioningState.FAILED}.get(
            data.get("state", "Succeeded"), ProvisioningState.SUCCEEDED
        )
        model = ModelRef.model_validate(data["model"])
        return DeploymentState(endpoint=endpoint, name=deployment, state=state, model=model, error=data.get("error"))

    def _provision(self, tenant: str, endpoint: str, deployment: str, data: dict[str, Any]) -> dict[str, Any]:
        """Have the server load the generation's model: Succeeded once it did, Failed when the model blob is missing
        or unusable; a transient problem (storage unavailable) leaves it Creating."""
        key = self._key(tenant, endpoint, deployment, data["generation"])
        try:
            status, body = self._load(key, data["model"]["uri"])
        except NotFound as exc:
            status, body = 404, {"error": exc.message}
        except ScoringServerDown as exc:
            status, body = 500, {"error": exc.message}
        except Unavailable:
            return data
        ok = status == 200
        outcome = {"state": "Succeeded" if ok else "Failed", "error": None if ok else body["error"]}
        path = self._deployment_dir(tenant, endpoint, deployment) / "deployment.json"
        current = read_json(path)
        if current is None or current["generation"] != data["generation"]:
            return data  # deleted or updated meanwhile: the newer record speaks
        write_json_atomic(path, current | outcome)
        return dict(current | outcome)

    def _load(self, key: str, uri: str) -> tuple[int, dict[str, Any]]:
        """Read the model file from Blob Storage and hand it to the server (NotFound, Unavailable)."""
        from azure.core.exceptions import AzureError

        try:
            data = blobs.download_bytes(self.settings, *blobs.split_blob_path(uri))
        except AzureError as exc:
            raise Unavailable(f"Blob Storage is unavailable: {type(exc).__name__}", retry_after=5) from None
        query = urllib.parse.urlencode({"key": key, "uri": uri})
        answer = self.server.call(f"/load?{query}", data, timeout=LOAD_TIMEOUT_SECONDS)
        assert answer is not None  # start=True
        return answer

    def set_traffic(self, tenant: str, endpoint: str, traffic: dict[str, int]) -> EndpointState:
        self.get_endpoint(tenant, endpoint)
        for name, share in traffic.items():
            self._record(tenant, endpoint, name)
            if not 0 <= share <= 100:
                raise ValidationFailed(f"traffic for '{name}' must be from 0 to 100.", target="traffic")
        if traffic and sum(traffic.values()) not in (0, 100):
            raise ValidationFailed("the traffic shares must add up to 100 (or 0).", target="traffic")
        write_json_atomic(self._endpoint_dir(tenant, endpoint) / "endpoint.json", {"traffic": dict(traffic)})
        return self.get_endpoint(tenant, endpoint)

    def score(self, tenant: str, endpoint: str, rows: list[dict[str, Any]], deployment: str | None) -> list[Any]:
        if deployment is None:
            shares = {k: v for k, v in self.get_endpoint(tenant, endpoint).traffic.items() if v > 0}
            if not shares:
                raise UpstreamRefused(f"endpoint '{endpoint}' has no deployment with traffic.")
            deployment = random.choices(list(shares), weights=list(shares.values()))[0]
        data = self._record(tenant, endpoint, deployment)
        if data.get("state") == "Failed":
            raise Unavailable(f"deployment '{deployment}' is not serving: {data.get('error')}", retry_after=5)
        key = self._key(tenant, endpoint, deployment, data["generation"])
        request = {"key": key, "uri": data["model"]["uri"], "rows": rows}
        answer = self.server.call("/score", request)
        if answer is not None and answer[0] == 409:  # not loaded (first use, evicted, or a new server): load, retry
            try:
                loaded = self._load(key, data["model"]["uri"])
            except NotFound as exc:
                raise Unavailable(f"deployment '{deployment}' is not serving: {exc.message}", retry_after=5) from None
            answer = self.server.call("/score", request) if loaded[0] == 200 else loaded
        assert answer is not None  # start=True
        status, body = answer
        if status == 200:
            predictions: list[Any] = body["predictions"]
            return predictions
        if status == 400:
            raise ValidationFailed(f"the model could not score the rows: {body['error']}", target="rows")
        raise Unavailable(f"deployment '{deployment}' is not serving: {body.get('error')}", retry_after=5)

    def delete_deployment(self, tenant: str, endpoint: str, deployment: str) -> None:
        """Remove the deployment's record and traffic share and unload its models (idempotent)."""
        shutil.rmtree(self._deployment_dir(tenant, endpoint, deployment), ignore_errors=True)
        self.server.call("/unload", {"prefix": self._key(tenant, endpoint, deployment)}, start=False)
        path = self._endpoint_dir(tenant, endpoint) / "endpoint.json"
        data = read_json(path)
        if data and deployment in data["traffic"]:
            data["traffic"].pop(deployment)
            write_json_atomic(path, data)

    def delete_endpoint(self, tenant: str, endpoint: str) -> None:
        """Remove the endpoint with its deployments and unload every model of it (idempotent)."""
        shutil.rmtree(self._endpoint_dir(tenant, endpoint), ignore_errors=True)
        self.server.call("/unload", {"prefix": self._key(tenant, endpoint)}, start=False)
