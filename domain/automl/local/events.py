"""Azure-ML-shaped Event Grid events (Event Grid schema), posted by the local engine (stdlib only).

Shapes follow notes/azureml-and-peers.md §9: `Microsoft.MachineLearningServices.RunStatusChanged` and `RunCompleted`,
subject `experiments/{experimentId}/runs/{runId}`, data `experimentId, experimentName, runId, runType, runTags,
runProperties` (+ `runStatus`). Posting is best effort: a few retries, then the failure is reported to the caller.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from typing import Any

from domain.automl.local.jobdir import now_iso
from domain.errors import readable

TOPIC = "/subscriptions/local/resourceGroups/local/providers/Microsoft.MachineLearningServices/workspaces/local"
RUN_STATUS_CHANGED = "Microsoft.MachineLearningServices.RunStatusChanged"
RUN_COMPLETED = "Microsoft.MachineLearningServices.RunCompleted"


def run_event(event_type: str, run: dict[str, Any], status: str, properties: dict[str, Any]) -> dict[str, Any]:
    """One event for the job `run` (the spec.json "run" block: experiment_id, job_name, tenant, run_id)."""
    data: dict[str, Any] = {
        "experimentId": run["experiment_id"],
        "experimentName": run["experiment_id"],
        "runId": run["job_name"],
        "runType": "automl",
        "runTags": {"tenant": run["tenant"], "run_id": run["run_id"]},
        "runProperties": {"runTemplate": "AutoML", **{k: str(v) for k, v in properties.items() if v is not None}},
    }
    if event_type == RUN_STATUS_CHANGED:
        data["runStatus"] = status
    return {
        "id": str(uuid.uuid4()),
        "topic": TOPIC,
        "subject": f"experiments/{run['experiment_id']}/runs/{run['job_name']}",
        "eventType": event_type,
        "eventTime": now_iso(),
        "data": data,
        "dataVersion": "2",
        "metadataVersion": "1",
    }


def trial_event(run: dict[str, Any], record_id: int, algorithm: str, score: float) -> dict[str, Any]:
    """`RunCompleted` of one AutoML child run (a trial), as Azure ML sends it: run id `{job name}_{iteration}`,
    `runType` null, `runProperties` with `runTemplate: automl_child`, the iteration, algorithm and score."""
    child = {**run, "job_name": f"{run['job_name']}_{record_id}"}
    event = run_event(
        RUN_COMPLETED,
        child,
        "Completed",
        {"runTemplate": "automl_child", "iteration": record_id, "run_algorithm": algorithm, "score": score},
    )
    event["data"]["runType"] = None
    event["data"]["runTags"] = {}
    return event


def post_events(url: str, events: list[dict[str, Any]], *, attempts: int = 3, timeout: float = 5.0) -> str | None:
    """POST the events as one Event Grid array; None on success, else the last error (after `attempts` tries)."""
    if not url or not events:
        return None
    body = json.dumps(events).encode()
    error = ""
    for attempt in range(attempts):
        request = urllib.request.Request(  # noqa: S310 - the configured http(s) webhook
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "aeg-event-type": "Notification"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                if 200 <= response.status < 300:
                    return None
                error = f"HTTP {response.status}"
        except (urllib.error.URLError, OSError) as exc:
            error = readable(exc)
        time.sleep(0.2 * (2**attempt))
    return f"could not post events to the event URL: {error}"
