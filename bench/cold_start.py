"""Cold start of the Functions app, measured from outside: `import function_app` of our app against a bare Functions
+ Durable app with one HTTP route (bench/bare_app), in the same run. Prints one JSON document.

Each sample is a fresh `python -c "import function_app"` in the app's folder (as the Python worker loads it), timed
by this process (wall clock, interpreter start included) with its CPU time and peak RSS from wait4. A third process,
bare_plus_settings, is the bare app plus our settings check: the part of ours that cannot be deferred. A fourth,
ours_first_request, adds what a first API request imports and builds (the deferred part, paid by that request). The
apps alternate, so both see the same machine load; min and median over the runs, and ours / bare for each. One more run
of ours with `-X importtime` lists the modules function_app imports, by cumulative time (the profile to start from).

    .venv/bin/python bench/cold_start.py [--runs 7] [--top 15]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BARE = ROOT / "bench" / "bare_app"
GOAL_RATIO = 1.3  # issue 12: ours <= 1.3x the bare app in time and peak memory


def clean_env() -> dict[str, str]:
    """Our environment without the app's settings, so both apps start on the local defaults."""
    sys.path.insert(0, str(ROOT))
    from domain.settings import VARS

    names = {v.env for v in VARS} | {"AzureWebJobsStorage", "PYTHONPATH"}
    env = {k: v for k, v in os.environ.items() if k not in names}
    return env | {"DEV_AUTH_SECRET": secrets.token_urlsafe(48)}  # AUTH_MODE=dev (the default) needs one


IMPORT = "import function_app"
# what a first API request adds (GET an experiment), short of its storage call: the authenticator (PyJWT), the
# service and store modules with the Table SDK, pydantic and the route's model built. Indexing defers these (ADR 0019);
# this row shows what the deferral moves to the first request rather than saves.
FIRST_REQUEST = (
    "import function_app\n"
    "from functions._api import OPS\n"
    "from functions._security import security\n"
    "security()\n"
    "import domain.services.experiments as service, domain.storage.store, azure.data.tables\n"
    "service.get_experiment\n"
    "next(o for o in OPS if o.name == 'get_experiment').response.model_rebuild(force=True)\n"
)
# the floor: the bare app plus what ours cannot defer, reading and validating the settings at start (ADR 0001)
FLOOR = (
    f"import function_app, sys; sys.path.insert(0, {str(ROOT)!r}); "
    "from domain.settings import get_settings; get_settings()"
)


def sample(app_dir: Path, env: dict[str, str], code: str = IMPORT) -> tuple[float, float, float]:
    """(seconds, CPU seconds, peak RSS in MiB) of one `python -c "import function_app"` in `app_dir`."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=app_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{code} failed in {app_dir}: {process.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def stats(values: list[float], digits: int) -> dict[str, float]:
    return {"min": round(min(values), digits), "median": round(statistics.median(values), digits)}


def top_imports(env: dict[str, str], top: int) -> list[dict[str, Any]]:
    """The modules `function_app` imports itself, by cumulative import time (-X importtime)."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import function_app"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    parsed = []  # (level, name, cumulative ms); a module's line follows the lines of what it imported
    for line in result.stderr.splitlines():  # "import time: <self us> | <cumulative us> | <2 spaces per level><name>"
        if line.startswith("import time:") and "imported package" not in line:
            _, cumulative_us, name = line.removeprefix("import time:").split("|")
            parsed.append(((len(name) - len(name.lstrip()) - 1) // 2, name.strip(), int(cumulative_us) / 1000))
    end = next(i for i, (level, name, _) in enumerate(parsed) if level == 0 and name == "function_app")
    start = max((i for i in range(end) if parsed[i][0] == 0), default=-1) + 1
    rows = [{"module": n, "cumulative_ms": round(ms, 1)} for level, n, ms in parsed[start:end] if level == 1]
    return sorted(rows, key=lambda r: -r["cumulative_ms"])[:top]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    env = clean_env()
    apps = (
        ("ours", ROOT, IMPORT),
        ("bare", BARE, IMPORT),
        ("bare_plus_settings", BARE, FLOOR),
        ("ours_first_request", ROOT, FIRST_REQUEST),
    )
    for _, folder, code in apps:  # warm the page cache and the bytecode caches of each
        sample(folder, env, code)
    runs: dict[str, dict[str, list[float]]] = {name: {"s": [], "cpu": [], "mib": []} for name, _, _ in apps}
    for _ in range(args.runs):
        for name, folder, code in apps:
            seconds, cpu, mib = sample(folder, env, code)
            runs[name]["s"].append(seconds)
            runs[name]["cpu"].append(cpu)
            runs[name]["mib"].append(mib)
    out: dict[str, Any] = {"runs": args.runs, "python": sys.version.split()[0], "cores": os.cpu_count()}
    metrics = ("seconds", "cpu_seconds", "peak_rss_mib")
    for name, values in runs.items():
        out[name] = {
            m: stats(values[k], 3 if k != "mib" else 1) for m, k in zip(metrics, ("s", "cpu", "mib"), strict=True)
        }
    for other in ("ours", "bare_plus_settings", "ours_first_request"):
        out[f"ratio_{other}_over_bare"] = {
            metric: {k: round(out[other][metric][k] / out["bare"][metric][k], 2) for k in ("min", "median")}
            for metric in metrics
        }
    out["goal_ratio_max"] = GOAL_RATIO
    out["top_imports_of_ours"] = top_imports(env, args.top)
    out["notes"] = (
        "Whole process from outside: a fresh `python -c 'import function_app'` in the app folder, interpreter start "
        "included, peak RSS from wait4; ours and bare alternate. bare = bench/bare_app (DFApp + one HTTP route); "
        "bare_plus_settings = bare + domain.settings.get_settings() (the settings check ours runs at start); "
        "ours_first_request = ours + what a first GET of an experiment imports and builds short of its storage call "
        "(authenticator, service, Table SDK, pydantic, the route's model): the deferred part, paid once. "
        "cpu_seconds = user + sys of the process (less sensitive to a busy machine than wall "
        "time). All on the local default settings (plus a DEV_AUTH_SECRET, which dev auth requires)."
    )
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
