"""The batch scoring worker: `python -m domain.automl.local.batch_worker <job dir>`, one process (and session) per job.

Loads the registered model with the scoring server's loader (`scorer.load_bytes`: a pickled `LocalModel` bundle), then
reads the dataset's CSV in chunks of `CHUNK_ROWS` (pandas), predicts each chunk (with one probability column per class
for classification) and appends it to `out.csv`, so memory is bounded by one chunk whatever the dataset's size. Progress
(`rows_done`) goes to status.json after each chunk; at the end the CSV is uploaded (streamed from the file) to the blob
the job names, and the status says Completed with the output's columns and the process's peak memory.
SIGTERM stops it between chunks (Canceled); any error ends it Failed with the error in words.
"""

from __future__ import annotations

import resource
import signal
import sys
import traceback
from pathlib import Path
from typing import Any

from domain.automl.local.jobdir import JobDir, now_iso, read_json, write_json_atomic
from domain.errors import readable
from domain.settings import load_settings

CHUNK_ROWS = 5000


class Stopped(BaseException):
    pass


def _stop(signum: int, frame: object) -> None:
    raise Stopped()


def peak_rss_bytes() -> int:
    """This process's peak resident memory (VmHWM: per address space, so it starts afresh at exec, unlike ru_maxrss,
    which a child inherits from the process that forked it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def output_columns(inputs: list[str], classes: list[Any] | None) -> list[str]:
    """The input columns, then `prediction` (or `prediction_1`... if the CSV has one), then `probability_<class>`."""
    taken = set(inputs)

    def free(name: str) -> str:
        candidate, n = name, 0
        while candidate in taken:
            n += 1
            candidate = f"{name}_{n}"
        taken.add(candidate)
        return candidate

    return [*inputs, free("prediction"), *(free(f"probability_{c}") for c in classes or [])]


class Status:
    def __init__(self, job: JobDir) -> None:
        self.job = job
        self.state: dict[str, Any] = read_json(job.status) or {}

    def write(self, **fields: Any) -> None:
        self.state.update(fields, peak_rss_bytes=peak_rss_bytes())
        write_json_atomic(self.job.status, self.state)


def score_file(model: Any, features: list[str] | None, data_path: Path, out: Path, status: Status) -> list[str]:
    """Score the CSV chunk by chunk into `out`; returns the output's columns."""
    import numpy as np
    import pandas as pd

    classes = getattr(model, "classes_", None)
    classes = [c.item() if hasattr(c, "item") else c for c in classes] if classes is not None else None
    columns: list[str] = []
    done = 0
    with open(out, "w", newline="") as sink:
        for chunk in pd.read_csv(data_path, chunksize=CHUNK_ROWS):
            if not columns:
                missing = [c for c in features or [] if c not in chunk.columns]
                if missing:
                    raise ValueError(f"the dataset lacks the model's columns: {', '.join(map(str, missing))}")
                columns = output_columns([str(c) for c in chunk.columns], classes)
            frame = chunk[features] if features is not None else chunk
            result = chunk.copy()
            result.columns = columns[: len(chunk.columns)]
            result[columns[len(chunk.columns)]] = np.asarray(model.predict(frame))
            if classes is not None:
                probabilities = np.asarray(model.predict_proba(frame))
                for i, name in enumerate(columns[len(chunk.columns) + 1 :]):
                    result[name] = probabilities[:, i].round(6)
            result.to_csv(sink, header=done == 0, index=False)
            done += len(chunk)
            status.write(rows_done=done)
    if not columns:  # a CSV with a header and no rows
        header = pd.read_csv(data_path, nrows=0).columns
        columns = output_columns([str(c) for c in header], classes)
        out.write_text(",".join(columns) + "\n")
    return columns


def run(job: JobDir) -> None:
    from domain.automl.local import blobs
    from domain.automl.local.scorer import load_bytes

    signal.signal(signal.SIGTERM, _stop)
    spec = read_json(job.spec)
    status = Status(job)
    try:
        status.write(status="Running", started_at=now_iso(), rows_done=0)
        settings = load_settings()
        container, name = blobs.split_blob_path(spec["model_uri"])
        model, _ = load_bytes(blobs.download_bytes(settings, container, name))
        out = job.path / "out.csv"
        columns = score_file(model.estimator, model.features, Path(spec["data_path"]), out, status)
        container, name = blobs.split_blob_path(spec["output"])
        blobs.upload_file(settings, container, name, out, content_type="text/csv")
        out.unlink()
        status.write(status="Completed", ended_at=now_iso(), columns=columns, output=spec["output"])
    except Stopped:
        status.write(status="Canceled", ended_at=now_iso(), error="canceled")
    except Exception as exc:
        (job.path / "traceback.txt").write_text(traceback.format_exc())
        status.write(status="Failed", ended_at=now_iso(), error=readable(exc)[:2000])


if __name__ == "__main__":
    run(JobDir(Path(sys.argv[1])))
