"""`make run`: Azurite (persistent, in .local/azurite, free ports) + the devhost for this repo on $PORT (7071), which
also serves the web console (web/dist, built by make) at `/`.

When AzureWebJobsStorage is already set in the environment (a real account, or an Azurite run by someone else),
that storage is used and no Azurite is started. Ctrl-C or SIGTERM stops the host, then the processes the local AutoML
engine started for its work dir (training workers are cancelled, the scoring server stopped), then the Azurite we
started; all by PID. The next `make run` serves the live deployments again (models reload on first use).
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from types import FrameType

from devhost.azurite import ROOT, Azurite, start_azurite
from devhost.cli import report_worker_error, serve
from devhost.host import FunctionsHost
from devhost.keys import DURABLE, EVENT_GRID, FILE, HostKeys, load_or_create
from devhost.logs import configure_logging
from devhost.worker import WorkerError

EVENT_FUNCTION = "on_automl_run_event"


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def prepare_environment(port: int, app_dir: Path, keys: HostKeys) -> Azurite | None:
    """Storage and URLs for a local run; returns the Azurite it started (None when storage was given). The local
    engine posts its events with the Event Grid extension's system key, as Event Grid does in Azure."""
    azurite = None
    if os.environ.get("AzureWebJobsStorage"):
        os.environ.setdefault("DATA_STORAGE_CONNECTION_STRING", os.environ["AzureWebJobsStorage"])
    else:
        workdir = app_dir / ".local" / "azurite"
        workdir.mkdir(parents=True, exist_ok=True)
        azurite = start_azurite(in_memory=False, workdir=str(workdir))
        os.environ["AzureWebJobsStorage"] = azurite.connection_string
        os.environ["DATA_STORAGE_CONNECTION_STRING"] = azurite.connection_string
        record = {"connection_string": azurite.connection_string, "port": port}
        (workdir.parent / "stack.json").write_text(json.dumps(record))  # `make check-invariants` checks this stack
    os.environ.setdefault("DEVHOST_CONSOLE_DIR", str(app_dir / "web" / "dist"))  # the console (devhost/console.py)
    os.environ["LOCAL_AUTOML_EVENT_URL"] = (
        f"http://127.0.0.1:{port}/runtime/webhooks/EventGrid?functionName={EVENT_FUNCTION}&code={keys.system[EVENT_GRID]}"
    )
    return azurite


def stop_local_engine() -> None:
    """Stop the training workers and the scoring server of the local AutoML engine's work dir (ADR 0015)."""
    from domain.automl.local.processes import stop_local_processes
    from domain.errors import SettingsError
    from domain.settings import load_settings

    try:
        workdir = load_settings().local_automl_workdir
    except SettingsError:
        return  # the host never started; neither did the engine
    stopped = stop_local_processes(workdir)
    if stopped.training_workers or stopped.scoring_servers:
        print(
            f"Stopped {len(stopped.scoring_servers)} scoring server(s) and cancelled "
            f"{len(stopped.training_workers)} training worker(s) in {workdir}",
            flush=True,
        )


def main() -> int:
    port = int(os.environ.get("PORT", "7071"))
    configure_logging(os.environ.get("DEVHOST_LOG_LEVEL", "info"))
    signal.signal(signal.SIGTERM, _interrupt)  # also while Azurite and the app start (serve() handles it later)
    keys = load_or_create(ROOT)
    azurite = prepare_environment(port, ROOT, keys)
    try:
        if azurite is not None:
            print(
                f"Azurite: blob {azurite.blob_port}, queue {azurite.queue_port}, table {azurite.table_port} "
                f"(data in {azurite.workdir})",
                flush=True,
            )
        try:
            host = FunctionsHost(ROOT, base_url=f"http://127.0.0.1:{port}", keys=keys)
        except WorkerError as exc:  # a function the worker refuses stops the start, as it would on Azure
            report_worker_error(exc)
            return 1
        print(
            f"Host keys ({FILE}): master {keys.master}\n"
            f"  system durabletask_extension {keys.system[DURABLE]}\n"
            f"  system eventgrid_extension {keys.system[EVENT_GRID]}\n"
            f"  host default {keys.host['default']}\n"
            f"API: http://127.0.0.1:{port}/api  (Ctrl-C stops the host and Azurite)\n"
            f"Console: http://127.0.0.1:{port}/",
            flush=True,
        )
        try:
            serve(host, "127.0.0.1", port)
        finally:
            host.close()
    except KeyboardInterrupt:
        pass
    finally:
        try:
            stop_local_engine()
        finally:
            if azurite is not None:
                azurite.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
