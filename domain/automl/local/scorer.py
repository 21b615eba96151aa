"""The local scoring server: one process serves every local deployment of a work dir (ADR 0015).

`python -m domain.automl.local.scorer <server dir> --budget-mb N` (started by `scoring_server.ScoringServer`, in a
session of its own). It listens on a free loopback port, writes `serving.json` ({"port", "pid", "start"}), imports the
model libraries once, and keeps the models it is given in a `ModelCache` (least recently used unloaded beyond N MB).
It holds no storage credentials: the host reads a model from Blob Storage and posts its bytes when the server answers
409 (not loaded). It exits when its folder is removed, or on SIGTERM.

    GET  /health                                 {"pid", "warm", "budget_bytes", "total_bytes", "models": {...}}
    POST /load?key=K&uri=U  <model file bytes>    200 {"key", "bytes", "load_seconds"}; 422 unusable model file
    POST /score {"key", "uri", "rows"}            200 {"predictions": [...]}; 409 not loaded; 400 rows it cannot score
    POST /unload {"prefix"}                       200 {"unloaded": [keys]}
Errors are {"error": "..."}. `key` names a deployment generation ("tenant/endpoint/deployment/generation"), `uri`
the model blob it was loaded from.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from domain.automl.local.jobdir import pid_record, write_json_atomic
from domain.automl.local.model_cache import ModelCache
from domain.errors import readable

# What the local engine's models need (flaml.automl brings pandas, scikit-learn, lightgbm and xgboost): imported once
# at start, so a model's first load costs only its download and unpickling.
WARM_MODULES = ("pandas", "flaml.automl")
ESTIMATOR_KEYS = ("model", "estimator", "automl")  # where a bundle (dict) holds its estimator


@dataclass
class Model:
    estimator: Any
    features: list[str] | None


class ModelFileError(Exception):
    """The model file cannot be turned into an estimator."""


def unpickle(data: bytes) -> Any:
    """A pickle or joblib file (joblib's loader reads plain pickles too)."""
    import joblib

    return joblib.load(io.BytesIO(data))


def as_model(obj: Any) -> Model:
    """An estimator with `predict` (scikit-learn API), bare or in a bundle dict with optional "features"."""
    features = None
    if isinstance(obj, dict):
        features = obj.get("features")
        obj = next((obj[k] for k in ESTIMATOR_KEYS if k in obj), None)
    if not callable(getattr(obj, "predict", None)):
        raise ModelFileError("the model file holds no estimator with a predict method")
    if features is None and getattr(obj, "feature_names_in_", None) is not None:
        features = [str(c) for c in obj.feature_names_in_]
    _single_threaded(obj)
    return Model(obj, list(features) if features is not None else None)


def _single_threaded(estimator: Any) -> None:
    """n_jobs=1 on the estimator and on what it wraps (FLAML: AutoML.model.estimator): one core per prediction."""
    inner = getattr(estimator, "model", None)
    for candidate in (estimator, inner, getattr(inner, "estimator", None)):
        try:
            if candidate is not None and "n_jobs" in candidate.get_params(deep=False):
                candidate.set_params(n_jobs=1)
        except Exception:  # noqa: S112 - not every object is a scikit-learn estimator
            continue


def predict(model: Model, rows: Any) -> list[Any]:
    import pandas as pd

    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise ValueError("rows must be a list of objects")
    frame = pd.DataFrame(rows)
    if model.features is not None:
        missing = [c for c in model.features if c not in frame.columns]
        if missing:
            raise ValueError(f"rows lack the model's columns: {', '.join(map(str, missing))}")
        frame = frame[model.features]
    predictions = model.estimator.predict(frame)
    return [p.item() if hasattr(p, "item") else p for p in predictions]


def load_bytes(data: bytes) -> tuple[Model, int]:
    try:
        return as_model(unpickle(data)), len(data)
    except ModelFileError:
        raise
    except Exception as exc:
        raise ModelFileError(readable(exc)) from exc


class ScoringApp:
    def __init__(self, cache: ModelCache) -> None:
        self.cache = cache
        self.warm = threading.Event()

    def warm_up(self) -> None:
        for name in WARM_MODULES:
            try:
                importlib.import_module(name)
            except ImportError as exc:
                print(f"warm-up: {name} not imported ({exc})", file=sys.stderr, flush=True)
        self.warm.set()

    def load(self, query: dict[str, str], data: bytes) -> tuple[int, dict[str, Any]]:
        if "key" not in query or "uri" not in query:
            return 400, {"error": "bad request: key and uri are required"}
        self.warm.wait()  # imports first, so they are not counted as the model's memory
        try:
            entry = self.cache.load(query["key"], query["uri"], lambda: load_bytes(data))
        except ModelFileError as exc:
            return 422, {"error": f"the model could not be loaded: {exc}"}
        return 200, {"key": entry.key, "bytes": entry.size, "load_seconds": entry.load_seconds}

    def score(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        try:
            entry = self.cache.get(str(body["key"]), str(body["uri"]))
        except KeyError as exc:
            return 400, {"error": f"bad request: {exc} is required"}
        if entry is None:
            return 409, {"error": "not loaded"}
        try:
            with entry.lock:
                return 200, {"predictions": predict(entry.model, body.get("rows"))}
        except Exception as exc:
            return 400, {"error": readable(exc)}

    def unload(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        prefix = body.get("prefix")
        if not isinstance(prefix, str) or not prefix:
            return 400, {"error": "bad request: prefix is required"}
        return 200, {"unloaded": self.cache.unload(prefix)}

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "pid": os.getpid(), "warm": self.warm.is_set(), **self.cache.snapshot()}


def make_handler(app: ScoringApp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/health":
                self._answer(200, app.health())
            else:
                self._answer(404, {"error": "not found"})

        def do_POST(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if url.path == "/load":
                self._answer(*app.load(dict(urllib.parse.parse_qsl(url.query)), data))
                return
            try:
                body = json.loads(data or b"{}")
            except ValueError:
                self._answer(400, {"error": "the body is not JSON"})
                return
            body = body if isinstance(body, dict) else {}
            if url.path == "/score":
                self._answer(*app.score(body))
            elif url.path == "/unload":
                self._answer(*app.unload(body))
            else:
                self._answer(404, {"error": "not found"})

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def serve(folder: Path, budget_mb: int) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    app = ScoringApp(ModelCache(budget_mb * 2**20))
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(app))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    write_json_atomic(folder / "serving.json", {"port": server.server_address[1], **pid_record(os.getpid())})
    app.warm_up()
    print(f"scoring server {os.getpid()} on port {server.server_address[1]}, budget {budget_mb} MB", flush=True)
    while folder.is_dir():  # a removed work dir ends the server
        time.sleep(1.0)
    server.shutdown()


if __name__ == "__main__":
    serve(Path(sys.argv[1]), int(sys.argv[sys.argv.index("--budget-mb") + 1]))
