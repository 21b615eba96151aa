"""A deployment's scoring server: `python -m domain.automl.local.scorer <deployment dir>` (its own process/session).

Loads `model.pkl` (the worker's bundle: FLAML AutoML object + feature columns), listens on a free loopback port and
writes `serving.json` ({"port", "pid"}) once ready. POST /score {"rows": [{column: value}, ...]} answers
{"predictions": [...]}, or 400 {"error": ...} for rows it cannot score. It exits when its `live` marker file is removed.
"""

from __future__ import annotations

import json
import os
import pickle
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from domain.automl.local.jobdir import write_json_atomic
from domain.errors import readable


def predict(bundle: dict[str, Any], rows: list[dict[str, Any]]) -> list[Any]:
    import pandas as pd

    frame = pd.DataFrame(rows)
    missing = [c for c in bundle["features"] if c not in frame.columns]
    if missing:
        raise ValueError(f"rows lack the model's columns: {', '.join(map(str, missing))}")
    predictions = bundle["automl"].predict(frame[bundle["features"]])
    return [p.item() if hasattr(p, "item") else p for p in predictions]


def make_handler(bundle: dict[str, Any]) -> type[BaseHTTPRequestHandler]:
    lock = threading.Lock()  # one prediction at a time: models are fitted with n_jobs=1 on a small machine

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, code: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer(200, {"status": "ok"})

        def do_POST(self) -> None:
            try:
                rows = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))["rows"]
                with lock:
                    self._answer(200, {"predictions": predict(bundle, rows)})
            except Exception as exc:
                self._answer(400, {"error": readable(exc)})

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


def serve(folder: Path) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    bundle = pickle.loads((folder / "model.pkl").read_bytes())  # noqa: S301 - our own worker's model
    estimator = getattr(bundle["automl"].model, "estimator", None)
    if estimator is not None and "n_jobs" in getattr(estimator, "get_params", dict)():
        estimator.set_params(n_jobs=1)
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(bundle))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    write_json_atomic(folder / "serving.json", {"port": server.server_address[1], "pid": os.getpid()})
    while (folder / "live").exists():
        time.sleep(1.0)
    server.shutdown()


if __name__ == "__main__":
    serve(Path(sys.argv[1]))
