"""The training worker: `python -m domain.automl.local.worker <job dir>`, one process (and session) per job.

Waits Queued for a concurrency slot (an flock on `{workdir}/_slots/slot-N.lock`, released by the kernel when the
process dies), reads the CSV with pandas, runs the search (search.py: the engine's own splits, FLAML with the
settings of notes/automl-engines.md §1.3, the VotingEnsemble; ADR 0014) and keeps the best model (a pickled
model.LocalModel bundle, uploaded to Blob Storage). SIGTERM cancels: the search stops and the best trial of the log is
refit from its record, so a cancelled job keeps its best model. Reaching the exit score stops the same way.
"""

from __future__ import annotations

import fcntl
import os
import pickle
import signal
import sys
import threading
import time
import traceback
import urllib.request
from pathlib import Path
from typing import Any, TextIO

from domain.automl.local.jobdir import MODEL_BLOB, JobDir, now_iso, read_json, read_jsonl
from domain.automl.local.journal import JobLog, StatusFile
from domain.automl.local.mapping import azure_algorithm, trial_score
from domain.automl.local.refit import best_record, refit_after_stop, refitted_record
from domain.errors import readable
from domain.settings import load_settings

HARD_LIMIT_MARGIN_SECONDS = 30


class Stop(BaseException):  # like KeyboardInterrupt, so no `except Exception` in FLAML or a library swallows it
    """Raised in the main thread to end the search: SIGTERM (cancel) or the exit score (SIGUSR2 from the monitor)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StopRequest:
    """Why the search must stop. An exception raised in a signal handler can be swallowed (e.g. when the signal
    lands in a `__del__`), so the monitor re-raises it (SIGUSR2) every 0.3 s until the worker is finalising."""

    reason: str | None = None
    finalising = False

    @classmethod
    def handler(cls, reason: str | None) -> Any:
        def handle(signum: int, frame: object) -> None:
            if cls.finalising:
                return
            cls.reason = cls.reason or reason
            if cls.reason:
                raise Stop(cls.reason)

        return handle

    @classmethod
    def ask(cls, reason: str) -> None:
        cls.reason = cls.reason or reason
        os.kill(os.getpid(), signal.SIGUSR2)


def acquire_slot(workdir: Path, slots: int, job: JobDir) -> TextIO:
    """Block (Queued) until one of `slots` lock files is ours; the open file keeps the lock until the process exits."""
    folder = workdir / "_slots"
    folder.mkdir(parents=True, exist_ok=True)
    while True:
        for i in range(slots):
            handle = open(folder / f"slot-{i}.lock", "w")  # noqa: SIM115 - held for the process lifetime
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return handle
            except BlockingIOError:
                handle.close()
        if job.cancel.exists():
            raise Stop("cancel")
        time.sleep(0.3)


class TrialMonitor(threading.Thread):
    """Tails the trial log: live trials_done / best score in status.json, a log line per trial, exit-score stop."""

    def __init__(self, job: JobDir, status: StatusFile, log: JobLog, plan: dict[str, Any]) -> None:
        super().__init__(daemon=True)
        self.job, self.status, self.log, self.plan = job, status, log, plan
        self.seen = 0
        self.best: dict[str, Any] | None = None
        self.finished = threading.Event()

    def run(self) -> None:
        while not self.finished.wait(0.3):
            self.poll()

    def poll(self) -> None:
        records = [r for r in read_jsonl(self.job.trials) if "record_id" in r]
        higher, primary = self.plan["higher_is_better"], self.plan["primary_metric"]
        for r in records[self.seen :]:
            if self.best is None or r["validation_loss"] < self.best["validation_loss"]:
                self.best = r
            score, best = trial_score(r, primary, higher), trial_score(self.best, primary, higher)
            algorithm = azure_algorithm(self.plan["task"], r["learner"])
            self.log.write(
                f"Trial {r['record_id']}: {algorithm} {self.plan['primary_metric']}={score:.4f} "
                f"(best {best:.4f}) in {r.get('trial_time', 0.0):.2f}s"
            )
            self.status.trial_finished(int(r["record_id"]), algorithm, score)
        if len(records) > self.seen and self.best is not None:
            self.seen = len(records)
            best_score = trial_score(self.best, primary, higher)
            self.status.update(trials_done=self.seen, best_score=best_score, best_record_id=self.best["record_id"])
            exit_score = self.plan.get("exit_score")
            if exit_score is not None and (best_score >= exit_score if higher else best_score <= exit_score):
                StopRequest.ask("exit score reached")
        if StopRequest.reason and not StopRequest.finalising:
            StopRequest.ask(StopRequest.reason)


def load_data(spec: dict[str, Any], job: JobDir) -> tuple[Any, Any]:
    import pandas as pd

    source = spec["data_path"]
    if source.startswith(("http://", "https://")):
        local = job.path / "data.csv"
        urllib.request.urlretrieve(source, local)  # noqa: S310 - an http(s) dataset URI given by the caller
        source = str(local)
    frame = pd.read_csv(source)
    target = spec["plan"]["target_column"]
    if target not in frame.columns:
        raise ValueError(
            f"target column '{target}' is not in the dataset (columns: {', '.join(map(str, frame.columns))})"
        )
    frame = frame.dropna(subset=[target]).reset_index(drop=True)
    if len(frame) < 10:
        raise ValueError(f"the dataset has {len(frame)} rows with a target value; at least 10 are needed")
    return frame.drop(columns=[target]), frame[target]


def _finalising(job: JobDir) -> None:
    """From here on the signals are ignored; the `stopping` marker tells the host to allow time before SIGKILL."""
    StopRequest.finalising = True
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGUSR2, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    job.path.joinpath("stopping").write_text(now_iso())


def train(spec: dict[str, Any], job: JobDir, status: StatusFile, log: JobLog) -> tuple[dict[str, Any], str | None]:
    """Run the search; returns (the model bundle with the best model, stop reason or None)."""
    from domain.automl.local import search

    plan = spec["plan"]
    X, y = load_data(spec, job)
    log.write(f"Dataset: {len(X)} rows, {X.shape[1]} feature columns, target '{plan['target_column']}'")
    monitor = TrialMonitor(job, status, log, plan)
    status.move_to("Running", fit_started_at=time.time())
    monitor.start()
    # FLAML's time budget is soft (checked between trials): a hard limit stops a trial that overruns it
    signal.signal(signal.SIGALRM, StopRequest.handler("time limit reached"))
    signal.setitimer(signal.ITIMER_REAL, plan["time_budget"] + HARD_LIMIT_MARGIN_SECONDS)
    model, reason = None, None
    try:
        outcome = search.run(plan, X, y, job.trials, log.write, on_splits=lambda s: save_splits(job, s))
        model = outcome.model
    except (Stop, Exception) as stop:
        # a Stop raised inside a native library's Python callback can come back as that library's own error
        # (xgboost: "XGBoostError: ... Unknown type"): once a stop was asked for, any error ends the search the same way
        if not isinstance(stop, Stop) and StopRequest.reason is None:
            raise
        reason = stop.reason if isinstance(stop, Stop) else str(StopRequest.reason)
        _finalising(job)
        log.write(f"Stopped ({reason}); refitting the best trial")
        model = refit_after_stop(job, log, X, y, plan["task"])
    finally:
        _finalising(job)
        monitor.finished.set()
        monitor.join()
        monitor.poll()
    if model is None:
        raise RuntimeError("no trial completed within the limits; raise the timeout or the trial limits")
    return bundle_of(model, X, plan), reason


def bundle_of(model: Any, X: Any, plan: dict[str, Any]) -> dict[str, Any]:
    """The saved model: `automl` has predict(frame) (and predict_proba, classes_); see model.LocalModel."""
    return {"automl": model, "features": list(X.columns), "task": plan["task"], "target": plan["target_column"]}


def save_splits(job: JobDir, splits: Any) -> None:
    """splits.json: which validation part each row (of the rows with a target, in file order) belongs to; a
    holdout's training rows are -1. Kept for work on held-out rows after the run (explanations)."""
    from domain.automl.local.jobdir import write_json_atomic

    part = [-1] * splits.n_rows
    for index, (_, validation) in enumerate(splits.folds):
        for row in validation.tolist():
            part[row] = index
    write_json_atomic(job.path / "splits.json", {"kind": splits.kind, "part_of_row": part})


def run_job(job: JobDir) -> None:
    settings = load_settings()
    spec = read_json(job.spec)
    log = JobLog(job)
    status = StatusFile(job, spec["run"], settings.local_automl_event_url, log)
    signal.signal(signal.SIGTERM, StopRequest.handler("cancel"))
    signal.signal(signal.SIGUSR2, StopRequest.handler(None))
    try:
        status.move_to("Queued")
        slot = acquire_slot(Path(settings.local_automl_workdir), settings.local_automl_max_concurrent_jobs, job)
        log.write("Acquired a training slot")
        status.move_to("Preparing")
        bundle, reason = train(spec, job, status, log)
        status.move_to("Finalizing")
        data = pickle.dumps(bundle, protocol=5)
        job.model.write_bytes(data)
        from domain.automl.local.blobs import upload_bytes

        upload_bytes(settings, settings.models_container, MODEL_BLOB.format(**spec["run"]), data)
        log.write(f"Best model saved ({len(data)} bytes)")
        final = "Canceled" if reason == "cancel" or job.cancel.exists() else "Completed"
        best = refitted_record(job) or best_record(job)
        status.move_to(final, best_record_id=best["record_id"] if best else None, model_saved=True)
        slot.close()
    except Stop:
        status.move_to("Canceled", error="canceled before any trial ran")
    except Exception as exc:
        (job.path / "traceback.txt").write_text(traceback.format_exc())
        status.move_to("Failed", error=readable(exc)[:2000])  # the class and traceback: traceback.txt


def refit(job: JobDir, record_id: int, out: Path) -> None:
    """Refit one trial of a job's log on the job's data and write its model bundle to `out` (register_model)."""
    from domain.automl.local.model import fit_trial

    spec = read_json(job.spec)
    plan = spec["plan"]
    X, y = load_data(spec, job)
    records = {int(r["record_id"]): r for r in read_jsonl(job.trials) if "record_id" in r}
    model = fit_trial(plan["task"], records, record_id, X, y)
    tmp = out.with_name(f".{out.name}.part")
    tmp.write_bytes(pickle.dumps(bundle_of(model, X, plan), protocol=5))
    tmp.replace(out)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[2] == "--refit":
        refit(JobDir(Path(sys.argv[1])), int(sys.argv[3]), Path(sys.argv[4]))
    elif len(sys.argv) == 5 and sys.argv[2] == "--explain":
        from domain.automl.local.explain import explain

        explain(JobDir(Path(sys.argv[1])), int(sys.argv[3]), Path(sys.argv[4]), load_data)
    else:
        run_job(JobDir(Path(sys.argv[1])))
