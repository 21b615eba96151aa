"""The local AutoML backend: FLAML training in a worker subprocess per job, models in Blob Storage, deployments
served by a scoring subprocess each. The host-side modules import no flaml/sklearn/pandas/numpy; only
`worker.py`, `worker_metrics.py` and `scorer.py` (run as subprocesses) do."""
