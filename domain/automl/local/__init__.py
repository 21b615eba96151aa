"""The local AutoML backend: FLAML training in a worker subprocess per job, models in Blob Storage, deployments
served by a scoring subprocess each. The host-side modules (backend, jobs, jobdir, journal, series, serving, mapping,
refit, events, blobs) import no flaml/sklearn/pandas/numpy; the worker side (worker, search, validation, oof,
worker_metrics, learners, ensemble, model) and scorer.py run as subprocesses and do."""
