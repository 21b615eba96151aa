#!/usr/bin/env bash
# Prints the interpreter for the virtual environment: Python 3.13, the production target (Flex Consumption runs the
# worker library pinned in requirements.txt from 3.13 on, docs/adr/0012). Looks at python3.13 on PATH, then pyenv's
# 3.13 builds, then python3 if it is 3.13 or newer. pyenv shims may exist for versions that are not active, so each
# candidate is run once to check it works.
set -euo pipefail
candidates=(python3.13)
if command -v pyenv >/dev/null 2>&1; then
  for d in "$(pyenv root)"/versions/3.13*/bin/python3.13; do [ -x "$d" ] && candidates+=("$d"); done
fi
candidates+=(python3)
for c in "${candidates[@]}"; do
  if "$c" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 13) else 1)' >/dev/null 2>&1; then
    command -v "$c" 2>/dev/null || echo "$c"
    exit 0
  fi
done
echo "no Python 3.13 found: install it (e.g. 'pyenv install 3.13') and run make again" >&2
exit 1
