"""Timers: the metric/log collector (every minute) and the reconciliation of runs, orchestrations and indexes (and
the sweep of dataset blobs a failed upload left behind, `domain/services/janitor.py`)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import azure.durable_functions as df
import azure.functions as func

from domain.settings import get_settings
from functions import _wiring
from functions._lazy import lazy
from functions.orchestrations import starters

if TYPE_CHECKING:
    from domain.services import collect, janitor, reconcile
else:
    collect = lazy("domain.services.collect")
    janitor = lazy("domain.services.janitor")
    reconcile = lazy("domain.services.reconcile")

bp = df.Blueprint()
log = logging.getLogger(__name__)


@bp.timer_trigger(arg_name="timer", schedule="%RUN_COLLECTOR_SCHEDULE%", run_on_startup=False, use_monitor=False)
def collect_run_series(timer: func.TimerRequest) -> None:
    result = collect.collect_all(_wiring.store(), _wiring.series(), _wiring.backend())
    log.info(
        "collector: %s runs, %s points, %s log lines, %s errors",
        result.runs,
        result.points,
        result.lines,
        result.errors,
    )


@bp.timer_trigger(arg_name="timer", schedule="%RECONCILE_SCHEDULE%", run_on_startup=False, use_monitor=False)
@bp.durable_client_input(client_name="client")
async def reconcile_runs(timer: func.TimerRequest, client: df.DurableOrchestrationClient) -> None:
    work = await asyncio.to_thread(reconcile.survey, _wiring.store(), _wiring.backend())
    for item in work:
        status = await client.get_status(item.run_id)
        runtime = getattr(status, "runtime_status", None)
        name = runtime.name if runtime is not None else None
        if name in (None, "Failed", "Terminated", "Canceled"):
            await starters.start_training(client, item.tenant, item.run_id)
            log.warning("reconcile: restarted the orchestration of run %s (was %s)", item.run_id, name)
        elif item.job_terminal:
            await starters.raise_job_event(client, item.run_id, {"type": "Reconciled"})
            log.warning("reconcile: run %s missed its terminal event; raised it", item.run_id)
    container = get_settings().datasets_container
    swept = await asyncio.to_thread(
        janitor.sweep_dataset_blobs, _wiring.store(), _wiring.blobs(), container, datetime.now(UTC)
    )
    if swept:
        log.warning("reconcile: deleted %d dataset blobs no record points at (e.g. %s)", len(swept), swept[0])
