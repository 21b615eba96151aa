"""Event Grid: Azure ML run events (and the local engine's, shaped the same) -> the run's orchestration, and a
collection of the run's results (docs/adr/0017-live-results.md)."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

import azure.durable_functions as df
import azure.functions as func

from domain.errors import DomainError
from domain.settings import AutoMLBackendKind, get_settings
from functions import _wiring
from functions._lazy import lazy
from functions.orchestrations import starters

if TYPE_CHECKING:
    from domain.services import collect, run_events
else:
    collect = lazy("domain.services.collect")
    run_events = lazy("domain.services.run_events")

bp = df.Blueprint()
log = logging.getLogger(__name__)


def _fields(event: Any) -> tuple[str, str, str, dict[str, Any]]:
    if isinstance(event, func.EventGridEvent):
        return event.id, event.event_type, event.topic or "", event.get_json() or {}
    data = event.get_json() if hasattr(event, "get_json") else {}
    return str(event.id), str(getattr(event, "type", "")), str(getattr(event, "source", "")), data or {}


@bp.event_grid_trigger(arg_name="event")
@bp.durable_client_input(client_name="client")
async def on_automl_run_event(event: func.EventGridEvent, client: df.DurableOrchestrationClient) -> None:
    event_id, event_type, topic, data = _fields(event)
    s = get_settings()
    delivery = await asyncio.to_thread(
        run_events.route_event,
        _wiring.store(),
        event_id,
        event_type,
        topic,
        data,
        s.eventgrid_allowed_topics,
        s.automl_backend is AutoMLBackendKind.LOCAL,
    )
    if delivery is None:
        return
    if not delivery.trial:
        if not await starters.raise_job_event(client, delivery.run_id, delivery.payload):  # else Event Grid retries
            log.info("Event %s for run %s: its orchestration has ended; acknowledged", event_id, delivery.run_id)
        await asyncio.to_thread(run_events.delivered, _wiring.store(), event_id, delivery)
    # the run's results at once (a trial finished, or the job moved): the live leaderboard, metrics and logs. Best
    # effort: the collector timer covers a collection that fails here.
    try:
        await asyncio.to_thread(
            collect.collect_live, _wiring.store(), _wiring.series(), _wiring.backend(), delivery.tenant, delivery.run_id
        )
    except DomainError as exc:
        log.warning("Event %s: collecting run %s failed (%s); the collector will", event_id, delivery.run_id, exc)
