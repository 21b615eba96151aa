"""Composition only: read the settings (fail fast), build the DFApp, register the blueprints."""

import azure.durable_functions as df
import azure.functions as func

from domain.auth.factory import check_auth_settings
from domain.settings import get_settings
from functions.events import automl
from functions.http import (
    batch,
    cors,
    datasets,
    docs,
    experiments,
    health,
    operations,
    runs,
    serving,
    tenants,
    training,
)
from functions.orchestrations import batch as batch_flow
from functions.orchestrations import cascade, deployment
from functions.orchestrations import training as training_flow
from functions.timers import collect

settings = get_settings()  # a missing or invalid setting stops the app here, with every problem listed
check_auth_settings(settings)  # e.g. AUTH_MODE=dev without DEV_AUTH_SECRET (no default: one per checkout)

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
BLUEPRINTS = (
    health.bp,
    docs.bp,
    cors.bp,
    tenants.bp,
    datasets.bp,
    experiments.bp,
    runs.bp,
    training.bp,
    serving.bp,
    batch.bp,
    operations.bp,
    cascade.bp,
    training_flow.bp,
    deployment.bp,
    batch_flow.bp,
    collect.bp,
    automl.bp,
)
for blueprint in BLUEPRINTS:
    app.register_functions(blueprint)
