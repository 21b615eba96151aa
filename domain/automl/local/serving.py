"""Local online endpoints: a scoring subprocess per deployment on a free loopback port (the host imports no sklearn).

`{workdir}/{tenant}/_endpoints/{endpoint}/endpoint.json` holds the traffic; each deployment has `deployment.json`
and one folder per generation (`gen-N/`: model.pkl, live, serving.json, pid.json, scorer.out). An update starts a new
generation and retires the old one (its `live` marker is removed and it is sent SIGTERM).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from domain.automl.local import blobs
from domain.automl.local.jobdir import pid_alive, pid_record, read_json, safe_name, write_json_atomic
from domain.automl.local.jobs import ROOT, worker_env
from domain.entities.automl import DeploymentState, EndpointState, ModelRef, ProvisioningState
from domain.errors import NotFound, Unavailable, UpstreamRefused, ValidationFailed, readable
from domain.settings import Settings


class Serving:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workdir = Path(settings.local_automl_workdir)

    def _endpoint_dir(self, tenant: str, endpoint: str) -> Path:
        return self.workdir / safe_name(tenant, "tenant") / "_endpoints" / safe_name(endpoint, "endpoint")

    def _deployment_dir(self, tenant: str, endpoint: str, deployment: str) -> Path:
        return self._endpoint_dir(tenant, endpoint) / "deployments" / safe_name(deployment, "deployment")

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
        gen = folder / f"gen-{generation}"
        gen.mkdir()
        blobs.download_to(self.settings, model.uri, gen / "model.pkl")
        (gen / "live").touch()
        with open(gen / "scorer.out", "ab") as out:
            process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
                [sys.executable, "-m", "domain.automl.local.scorer", str(gen.resolve())],
                cwd=ROOT, env=worker_env(self.settings), stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        write_json_atomic(gen / "pid.json", pid_record(process.pid))
        write_json_atomic(folder / "deployment.json", {"generation": generation, "model": model.model_dump()})
        if previous:
            self._retire(folder / f"gen-{previous['generation']}")
        state = ProvisioningState.UPDATING if previous else ProvisioningState.CREATING
        return DeploymentState(endpoint=endpoint, name=deployment, state=state, model=model)

    @staticmethod
    def _retire(gen: Path) -> None:
        (gen / "live").unlink(missing_ok=True)
        pid = read_json(gen / "pid.json")
        if pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(int(pid["pid"]), signal.SIGTERM)
        shutil.rmtree(gen, ignore_errors=True)

    def _live(self, tenant: str, endpoint: str, deployment: str) -> tuple[Path, dict[str, Any]]:
        folder = self._deployment_dir(tenant, endpoint, deployment)
        data = read_json(folder / "deployment.json")
        if data is None:
            raise NotFound("deployment", f"{endpoint}/{deployment}")
        return folder / f"gen-{data['generation']}", data

    def get_deployment(self, tenant: str, endpoint: str, deployment: str) -> DeploymentState:
        gen, data = self._live(tenant, endpoint, deployment)
        model = ModelRef.model_validate(data["model"])
        state, error = ProvisioningState.CREATING, None
        if not pid_alive(read_json(gen / "pid.json")):
            state = ProvisioningState.FAILED
            error = "the scoring process exited: " + (gen / "scorer.out").read_text(errors="replace")[-600:].strip()
        elif (gen / "serving.json").exists():
            state = ProvisioningState.SUCCEEDED
        return DeploymentState(endpoint=endpoint, name=deployment, state=state, model=model, error=error)

    def set_traffic(self, tenant: str, endpoint: str, traffic: dict[str, int]) -> EndpointState:
        self.get_endpoint(tenant, endpoint)
        for name, share in traffic.items():
            self._live(tenant, endpoint, name)
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
        gen, _ = self._live(tenant, endpoint, deployment)
        serving = read_json(gen / "serving.json")
        if serving is None or not pid_alive(read_json(gen / "pid.json")):
            raise Unavailable(f"deployment '{deployment}' is not serving.", retry_after=5)
        request = urllib.request.Request(
            f"http://127.0.0.1:{serving['port']}/score",
            data=json.dumps({"rows": rows}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                predictions: list[Any] = json.loads(response.read())["predictions"]
                return predictions
        except urllib.error.HTTPError as exc:
            message = json.loads(exc.read() or b"{}").get("error", str(exc))
            raise ValidationFailed(f"the model could not score the rows: {message}", target="rows") from None
        except (urllib.error.URLError, OSError) as exc:
            raise Unavailable(f"deployment '{deployment}' did not answer: {readable(exc)}", retry_after=5) from None

    def delete_deployment(self, tenant: str, endpoint: str, deployment: str) -> None:
        folder = self._deployment_dir(tenant, endpoint, deployment)
        for gen in folder.glob("gen-*"):
            self._retire(gen)
        shutil.rmtree(folder, ignore_errors=True)
        path = self._endpoint_dir(tenant, endpoint) / "endpoint.json"
        data = read_json(path)
        if data and deployment in data["traffic"]:
            data["traffic"].pop(deployment)
            write_json_atomic(path, data)

    def delete_endpoint(self, tenant: str, endpoint: str) -> None:
        folder = self._endpoint_dir(tenant, endpoint)
        for deployment in folder.glob("deployments/*"):
            self.delete_deployment(tenant, endpoint, deployment.name)
        shutil.rmtree(folder, ignore_errors=True)
