"""The worker's writers: numbered log lines and the status file, which also posts the job's Event Grid events.

Stdlib only. Both are thread-safe: the worker's main thread and its trial-log monitor write through them.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from domain.automl.local.events import RUN_COMPLETED, RUN_STATUS_CHANGED, post_events, run_event, trial_event
from domain.automl.local.jobdir import JobDir, now_iso, read_json, read_jsonl, write_json_atomic

TERMINAL = ("Completed", "Failed", "Canceled")


class JobLog:
    """logs.jsonl: one {"seq", "timestamp", "text"} per line, seq 1, 2, 3 ... without gaps, flushed per line."""

    def __init__(self, job: JobDir) -> None:
        self._path = job.logs
        self._lock = threading.Lock()
        self._seq = len(read_jsonl(job.logs))

    def write(self, text: str) -> None:
        with self._lock:
            self._seq += 1
            line = json.dumps({"seq": self._seq, "timestamp": now_iso(), "text": text})
            with open(self._path, "a") as f:
                f.write(line + "\n")


class StatusFile:
    """status.json, rewritten atomically on every change; a status change posts RunStatusChanged (and RunCompleted)."""

    def __init__(self, job: JobDir, run: dict[str, Any], event_url: str, log: JobLog) -> None:
        self._job = job
        self._run = run
        self._url = event_url
        self._log = log
        self._lock = threading.Lock()
        self.data: dict[str, Any] = read_json(job.status) or {"status": "NotStarted"}

    def update(self, **fields: Any) -> None:
        with self._lock:
            self.data.update(fields)
            write_json_atomic(self._job.status, self.data)

    def move_to(self, status: str, **fields: Any) -> None:
        """Set a new status (forward only: a terminal status is never left) and post its events."""
        with self._lock:
            if self.data.get("status") in TERMINAL or self.data.get("status") == status:
                return
            if status in ("Preparing", "Running") and "started_at" not in self.data:
                fields.setdefault("started_at", now_iso())
            if status in TERMINAL:
                fields.setdefault("ended_at", now_iso())
            error = fields.get("error")
            # the log line first: a reader that sees the terminal status has every log line already
            self._log.write(f"Status: {status}" + (f" ({error})" if error else ""))
            self.data.update(status=status, **fields)
            write_json_atomic(self._job.status, self.data)
            snapshot = dict(self.data)
        self._post(status, snapshot)

    def trial_finished(self, record_id: int, algorithm: str, score: float) -> None:
        """Post the trial's child-run `RunCompleted` (Azure ML sends one per child run), in the background: the
        trial monitor never waits on the host. Best effort, one try: the collector timer covers a lost one."""
        if not self._url:
            return
        event = trial_event(self._run, record_id, algorithm, score)
        threading.Thread(target=post_events, args=(self._url, [event]), kwargs={"attempts": 1}, daemon=True).start()

    def _post(self, status: str, snapshot: dict[str, Any]) -> None:
        properties = {
            "primary_metric": self._run.get("primary_metric"),
            "score": snapshot.get("best_score"),
            "best_child_run_id": (
                f"{self._run['job_name']}_{snapshot['best_record_id']}" if "best_record_id" in snapshot else None
            ),
            "error": snapshot.get("error"),
        }
        events = [run_event(RUN_STATUS_CHANGED, self._run, status, properties)]
        if status == "Completed":
            events.append(run_event(RUN_COMPLETED, self._run, status, properties))
        error = post_events(self._url, events)
        if error:
            self._log.write(error)
