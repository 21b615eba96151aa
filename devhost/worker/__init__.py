"""The app runs inside Azure's Python worker library (`azure_functions_runtime`), driven as Azure's proxy worker
drives it (docs/adr/0012-python-313-and-the-worker-library.md). `protos` holds the message classes, `typed` the host's
side of the binding conversions, `proxy` the worker itself."""

from devhost.worker.proxy import LanguageWorker, WorkerError

__all__ = ["LanguageWorker", "WorkerError"]
