"""Composition only: read the settings (fail fast), build the DFApp, register the blueprints."""

import azure.durable_functions as df
import azure.functions as func

from domain.settings import get_settings
from functions.http import cors, datasets, docs, experiments, health, operations, runs, serving, tenants
from functions.orchestrations import cascade

settings = get_settings()  # a missing or invalid setting stops the app here, with every problem listed

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
for blueprint in (health.bp, docs.bp, cors.bp, tenants.bp, datasets.bp, experiments.bp, runs.bp, serving.bp,
                  operations.bp, cascade.bp):
    app.register_functions(blueprint)
