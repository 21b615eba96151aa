"""Command line: run pending schema migrations against the app's Table Storage, with progress on stdout.

    python -m domain.storage.migrate [--catalog domain.storage.catalog] [--table entities] [--tenant T ...]
                                     [--chunk 99] [--list]

The connection comes from the app settings (DATA_STORAGE_CONNECTION_STRING or DATA_TABLES_ENDPOINT). The catalog
module provides `register(schemas)` and `MIGRATIONS`. Exit code 0 when every migration is applied, 3 when another
migrator held some partition (run again later), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys

from domain.clock import SystemClock
from domain.settings import load_settings
from domain.storage.clients import table_service
from domain.storage.migrations import Progress
from domain.storage.runner import run_migrations
from domain.storage.schemas import SchemaRegistry
from domain.storage.table_backend import TableBackend


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m domain.storage.migrate", description=__doc__.split("\n")[1])
    parser.add_argument("--catalog", default="domain.storage.catalog", help="module with register() and MIGRATIONS")
    parser.add_argument("--table", default="entities")
    parser.add_argument("--tenant", action="append", help="only these tenants (default: every partition)")
    parser.add_argument("--chunk", type=int, default=99, help="rows per transaction (1-99)")
    parser.add_argument("--list", action="store_true", help="list the migrations and exit")
    args = parser.parse_args(argv)
    if not 1 <= args.chunk <= 99:
        parser.error("--chunk must be between 1 and 99")
    catalog = importlib.import_module(args.catalog)
    schemas = SchemaRegistry()
    catalog.register(schemas)
    migrations = list(catalog.MIGRATIONS)
    if args.list:
        for m in migrations:
            print(f"{m.id}  {m.kind} -> v{m.to_version}  {m.description}")
        return 0
    backend = TableBackend(table_service(load_settings()), args.table)
    backend.ensure_table()

    def show(p: Progress) -> None:
        state = "done" if p.done else "running"
        print(f"{p.migration} tenant={p.tenant} chunks={p.chunks} scanned={p.scanned} rewritten={p.rewritten} {state}")
        sys.stdout.flush()

    report = run_migrations(
        backend, schemas, SystemClock(), migrations, tenants=args.tenant, chunk=args.chunk, progress=show
    )
    print(json.dumps(report.as_dict()))
    return 3 if report.busy else 0


if __name__ == "__main__":
    sys.exit(main())
