"""`python -m devhost [start] [--app DIR] [--port N] [--storage CONN]` and `python -m devhost token --user NAME`."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

import uvicorn

from devhost.config import DEFAULT_MAX_BODY_BYTES, apply_local_settings, read_settings_values
from devhost.devsecret import ensure_dev_secret, refuse_dev_auth_off_loopback
from devhost.host import FunctionsHost
from devhost.limits import server_config
from devhost.logs import configure_logging
from devhost.worker import WorkerError

COMMANDS = ("start", "token")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m devhost", description="The project's local Azure Functions host.")
    sub = p.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="serve the Functions app (the default command)")
    start.add_argument("--app", default=".", help="the Functions app folder (function_app.py, host.json)")
    start.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    start.add_argument("--port", type=int, default=int(os.environ.get("PORT", "7071")), help="default $PORT or 7071")
    start.add_argument(
        "--storage",
        help="storage connection string (Azurite) for AzureWebJobsStorage and, unless "
        "already set, DATA_STORAGE_CONNECTION_STRING",
    )
    start.add_argument("--max-body-bytes", type=int, default=DEFAULT_MAX_BODY_BYTES, help="request body limit (413)")
    start.add_argument(
        "--method-mismatch",
        type=int,
        choices=(404, 405),
        default=404,
        help="status for a known route called with another method (the Functions host answers 404)",
    )
    start.add_argument("--log-level", default="info", choices=("debug", "info", "warning", "error"))
    token = sub.add_parser("token", help="print a dev token (AUTH_MODE=dev)")
    token.add_argument("--user", required=True, help="the user name (token subject)")
    token.add_argument("--platform-admin", action="store_true", help="grant the platform admin role")
    token.add_argument("--app", default=".", help="the app folder whose local settings are loaded")
    return p


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(host: FunctionsHost, bind: str, port: int, log_level: str = "info") -> None:
    """Run uvicorn until Ctrl-C/SIGTERM: uvicorn shuts down gracefully (lifespan), then re-raises the signal, which
    lands here as KeyboardInterrupt for both, so the caller's clean-up runs and the exit code is 0."""
    signal.signal(signal.SIGTERM, _interrupt)
    config = server_config(host, bind, port, log_level=log_level, log_config=None)
    with contextlib.suppress(KeyboardInterrupt):
        uvicorn.Server(config).run()


def report_worker_error(exc: WorkerError) -> None:
    """The worker refused the app: its own message, as Core Tools shows a failed worker indexing."""
    stack = f"\nStack: {exc.stack.rstrip()}" if exc.stack else ""
    print(f"Worker failed to index functions\nResult: Failure\nException: {exc}{stack}", file=sys.stderr, flush=True)


def start(args: argparse.Namespace) -> int:
    settings = {**read_settings_values(Path(args.app).resolve()), **os.environ}  # what the host will see
    refused = refuse_dev_auth_off_loopback(args.host, settings)
    if refused:
        print(f"error: {refused}", file=sys.stderr)
        return 2
    configure_logging(args.log_level)
    if args.storage:
        os.environ["AzureWebJobsStorage"] = args.storage
        os.environ.setdefault("DATA_STORAGE_CONNECTION_STRING", args.storage)
    base_url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"
    try:
        host = FunctionsHost(
            args.app, base_url=base_url, max_body_bytes=args.max_body_bytes, method_mismatch_status=args.method_mismatch
        )
    except WorkerError as exc:
        report_worker_error(exc)
        return 1
    try:
        serve(host, args.host, args.port, args.log_level)
    finally:
        host.close()
    return 0


def token(args: argparse.Namespace) -> int:
    app_dir = Path(args.app).resolve()
    apply_local_settings(app_dir)
    ensure_dev_secret(app_dir)
    sys.path.insert(0, str(app_dir))
    try:
        from domain.auth.dev_tokens import mint_dev_token
    except ImportError as exc:
        print(f"error: cannot mint a dev token: domain.auth.dev_tokens is not available ({exc})", file=sys.stderr)
        return 2
    from domain.errors import SettingsError
    from domain.settings import get_settings

    try:
        print(mint_dev_token(get_settings(), user=args.user, platform_admin=args.platform_admin))
    except SettingsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in (*COMMANDS, "-h", "--help"):
        args_list.insert(0, "start")
    args = parser().parse_args(args_list)
    return start(args) if args.command == "start" else token(args)
