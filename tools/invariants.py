"""`python -m tools.invariants` (`make check-invariants`): check the invariants of `domain/services/invariants.py`
over the app's storage and the local engine's processes, print the counts as JSON, exit 1 when any is not 0.

It reads the settings from the environment, like the app; without DATA_STORAGE_CONNECTION_STRING it checks the
stack `make run` started (its storage is recorded in `.local/stack.json`). `--settle N` re-checks for up to N seconds
while something is still on its way (a cascade finishing, an index row being written), and reports the last count.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from domain.automl.local.processes import LocalProcesses
from domain.errors import DomainError
from domain.services.invariants import Process, Report, Row, Snapshot, check
from domain.settings import AutoMLBackendKind, Settings, load_settings
from domain.storage import codec
from domain.storage.app_store import build_series, build_store
from domain.storage.backend import Backend, Query
from domain.storage.blobs import blob_store

ROOT = Path(__file__).resolve().parent.parent
STACK_FILE = ROOT / ".local" / "stack.json"


def _rows(backend: Backend, partition: str) -> Iterator[tuple[str, dict[str, object], Mapping[str, object]]]:
    token = None
    while True:
        page, token = backend.query(Query(partition, "", "\uffff", None, 1000), token)
        for raw, _ in page:
            yield str(raw["RowKey"]), codec.decode_data(raw), raw
        if not token:
            return


def rows_of(backend: Backend) -> list[Row]:
    """Every row of the table, as the checker reads it."""
    rows = []
    for partition in backend.partitions():
        for key, data, raw in _rows(backend, partition):
            kind, name = raw.get(codec.TYPE), raw.get(codec.NAME)
            rows.append(
                Row(
                    partition,
                    key,
                    str(kind) if kind is not None else None,
                    raw.get(codec.STATE) == codec.DELETING,
                    str(name) if name is not None else None,
                    data,
                )
            )
    return rows


def snapshot(settings: Settings) -> Snapshot:
    store, series = build_store(settings), build_series(settings)
    rows = rows_of(store.backend)
    blobs = blob_store(settings)
    containers = (settings.datasets_container, settings.models_container)
    snap = Snapshot(
        rows=rows,
        series_partitions=set(series.backend.partitions()),
        blobs={c: set(blobs.list_names(c)) for c in containers},
        datasets_container=settings.datasets_container,
        models_container=settings.models_container,
    )
    if settings.automl_backend is AutoMLBackendKind.LOCAL:
        engine = LocalProcesses(settings.local_automl_workdir)
        snap.scoring = [Process(t, endpoint=e, deployment=d) for t, e, d in engine.scoring()]
        snap.training = [Process(t, job=j) for t, j in engine.training()]
        snap.batch = [Process(t, job=j) for t, j in engine.batch()]
    return snap


def run(settings: Settings, settle: float = 0.0) -> Report:
    """The report; with `settle`, checked again (every second) until it is clean or `settle` seconds have passed."""
    deadline = time.monotonic() + settle
    while True:
        report = check(snapshot(settings))
        if report.total == 0 or time.monotonic() >= deadline:
            return report
        time.sleep(1.0)


def settings_from_environment() -> Settings:
    env = dict(os.environ)
    if not env.get("DATA_STORAGE_CONNECTION_STRING") and STACK_FILE.is_file():
        stack = json.loads(STACK_FILE.read_text())
        env["DATA_STORAGE_CONNECTION_STRING"] = stack["connection_string"]
        env.setdefault("LOCAL_AUTOML_WORKDIR", stack.get("workdir", ".local/automl"))
    return load_settings(env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.invariants", description=__doc__.splitlines()[0])
    parser.add_argument("--settle", type=float, default=0.0, help="re-check for up to N seconds while not clean")
    args = parser.parse_args(argv)
    try:
        report = run(settings_from_environment(), args.settle)
    except DomainError as exc:  # storage unreachable, most often
        print(f"error: {exc.message} (start `make run`, or set DATA_STORAGE_CONNECTION_STRING)", file=sys.stderr)
        return 2
    print(json.dumps(report.as_json(), indent=2))
    return 0 if report.total == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
