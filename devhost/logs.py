"""Core Tools-like log output: `[2024-05-01T10:00:00.123Z] message` on stdout.

Records are written in the calling thread without a flush per line; a daemon thread flushes every 0.2 s (and at
exit). A flush per record costs a write(2) per line, and a queue-based handler costs a thread hand-off (GIL) per
record: both cut the devhost's request rate by a third or more under load (see bench/devhost.py).
"""

from __future__ import annotations

import atexit
import logging
import sys
import threading
import time
from typing import TextIO

FLUSH_SECONDS = 0.2


class UtcFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"


class BufferedStreamHandler(logging.StreamHandler[TextIO]):
    """A StreamHandler whose emit() leaves flushing to a background thread (a TTY is line-buffered anyway)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.stream.write(self.format(record) + self.terminator)
        except Exception:
            self.handleError(record)

    def start_flusher(self) -> None:
        def loop() -> None:
            while True:
                time.sleep(FLUSH_SECONDS)
                self.flush()

        threading.Thread(target=loop, name="devhost-log-flush", daemon=True).start()
        atexit.register(self.flush)


def configure_logging(level: str = "info", stream: TextIO | None = None) -> None:
    handler = BufferedStreamHandler(stream or sys.stdout)
    handler.setFormatter(UtcFormatter("[%(asctime)s] %(message)s"))
    handler.start_flusher()
    # the logging HOWTO's "Optimization" switches: no caller lookup, no process fields (the format uses neither)
    logging._srcfile = None
    logging.logProcesses = logging.logMultiprocessing = False
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("azure.core.pipeline.policies.http_logging_policy", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # the worker library's own system log (one line per invocation, the indexing report): shown with --log-level debug
    logging.getLogger("azure.functions").setLevel(logging.DEBUG if level.lower() == "debug" else logging.WARNING)
