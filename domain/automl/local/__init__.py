"""The local AutoML backend: FLAML training in a worker subprocess per job, models in Blob Storage, every deployment
served by one scoring server subprocess (ADR 0015). The host-side modules import no flaml/sklearn/pandas/numpy; only
`worker.py`, `worker_metrics.py` and `scorer.py` (run as subprocesses) do."""
