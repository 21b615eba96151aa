"""The local engine's live processes, read from its work folder (the `EngineProcesses` port): scoring processes
(`{tenant}/_endpoints/{endpoint}/deployments/{deployment}/gen-N/pid.json`) and training workers
(`{tenant}/{job}/pid.json`) whose recorded process still runs."""

from __future__ import annotations

from pathlib import Path

from domain.automl.local.jobdir import pid_alive, read_json


class LocalProcesses:
    def __init__(self, workdir: str | Path) -> None:
        self.workdir = Path(workdir)

    def scoring(self) -> list[tuple[str, str, str]]:
        out = []
        for pid in sorted(self.workdir.glob("*/_endpoints/*/deployments/*/gen-*/pid.json")):
            if pid_alive(read_json(pid)):
                deployment = pid.parent.parent
                endpoint = deployment.parent.parent
                out.append((endpoint.parent.parent.name, endpoint.name, deployment.name))
        return out

    def training(self) -> list[tuple[str, str]]:
        out = []
        for pid in sorted(self.workdir.glob("*/*/pid.json")):
            if not pid.parent.name.startswith("_") and pid_alive(read_json(pid)):
                out.append((pid.parent.parent.name, pid.parent.name))
        return out
