"""The local AutoML backend: FLAML training in a worker subprocess per job, models in Blob Storage, every deployment
served by one scoring server subprocess (ADR 0015). The host-side modules (backend, jobs, jobdir, journal, series,
serving, scoring_server, model_cache, mapping, refit, events, blobs) import no flaml/sklearn/pandas/numpy; the worker
side (worker, search, validation, oof, worker_metrics, learners, ensemble, model) and scorer.py run as subprocesses
and do."""
