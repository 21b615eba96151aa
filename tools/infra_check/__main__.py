"""`python -m tools.infra_check [infra_dir]`: print the findings, exit 1 if there are any."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tools.infra_check.runner import REPO, check_infra


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.infra_check", description=__doc__)
    parser.add_argument("infra_dir", nargs="?", type=Path, default=REPO / "infra")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    findings = check_infra(args.infra_dir)
    for finding in findings:
        print(finding.render(Path.cwd()))
    elapsed = time.perf_counter() - started
    verdict = f"{len(findings)} finding(s)" if findings else "no findings"
    print(f"infra_check: {verdict} in {args.infra_dir} ({elapsed:.2f} s)", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
