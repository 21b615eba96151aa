"""Job logs and failure text from Azure ML's run-history service (what `jobs.stream` uses): `GET {api}/history/v1.0
<ws>/runs/<job>/details` lists `logFiles` as SAS links and carries the run's `error`.

The call goes through azure-ai-ml's run-history client (`jobs._runs_operations`, a private attribute: pinned SDK
version), the log text through a plain pipeline (the SAS link is the credential). A log line's sequence number is its
line number in the chosen file; each call downloads the file once and returns the lines after `after_seq`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest

from domain.automl.azureml.client import Workspace
from domain.automl.azureml.errors import azure_errors
from domain.entities.automl import LogLine

KIND = "job"
MAX_LINES = 2000  # per call; the collector comes back for the rest
# the job's standard output first (SDK v2 jobs), then v1-era driver logs
_PREFERRED = ("user_logs/std_log.txt", "azureml-logs/70_driver_log.txt")
_STAMP = re.compile(r"^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)")


def run_details(ws: Workspace, job_name: str) -> Any:
    with azure_errors(KIND, job_name):
        return ws.ml.jobs._runs_operations.get_run_details(job_name)


def failure_text(details: Any) -> str | None:
    """The run's error message (`error.error.message`), if it failed with one."""
    error = getattr(getattr(details, "error", None), "error", None)
    message = getattr(error, "message", None)
    return str(message) if message else None


def choose_log(log_files: dict[str, str] | None) -> tuple[str, str] | None:
    files = log_files or {}
    for name in _PREFERRED:
        if name in files:
            return name, files[name]
    std = sorted(n for n in files if n.endswith("std_log.txt"))
    return (std[0], files[std[0]]) if std else None


def _stamp(line: str, default: datetime) -> datetime:
    match = _STAMP.match(line)
    if not match:
        return default
    text = match.group(1).replace(" ", "T").replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return default
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def lines_since(ws: Workspace, job_name: str, after_seq: int) -> tuple[list[LogLine], int]:
    chosen = choose_log(getattr(run_details(ws, job_name), "log_files", None))
    if chosen is None:
        return [], after_seq  # no log written yet
    _name, sas_url = chosen
    with azure_errors(KIND, job_name):
        response = ws.scoring_pipeline().send_request(HttpRequest("GET", sas_url))
        if response.status_code == 404:
            return [], after_seq  # listed but not uploaded yet
        if response.status_code >= 400:
            raise HttpResponseError(response=response)
        text = response.text()
    now = datetime.now(UTC)
    out: list[LogLine] = []
    for seq, line in enumerate(text.splitlines(), start=1):
        if seq <= after_seq:
            continue
        out.append(LogLine(seq=seq, timestamp=_stamp(line, now), text=line))
        if len(out) >= MAX_LINES:
            break
    return out, (out[-1].seq if out else after_seq)
