"""Composition only: read the settings (fail fast), build the DFApp, register the blueprints."""

import azure.durable_functions as df
import azure.functions as func

from domain.settings import get_settings
from functions.http import health

settings = get_settings()  # a missing or invalid setting stops the app here, with every problem listed

app = df.DFApp(http_auth_level=func.AuthLevel.ANONYMOUS)
for blueprint in (health.bp,):
    app.register_functions(blueprint)
