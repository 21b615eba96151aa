#!/usr/bin/env bash
# Prints the interpreter for the virtual environment: python3.12 (the production target) where the machine has a
# working one, else python3 if it is 3.11 or newer. pyenv shims may exist for versions that are not active, so each
# candidate is run once to check it works.
set -euo pipefail
candidates=(python3.12)
if command -v pyenv >/dev/null 2>&1; then
  for d in "$(pyenv root)"/versions/3.12*/bin/python3.12; do [ -x "$d" ] && candidates+=("$d"); done
fi
candidates+=(python3)
for c in "${candidates[@]}"; do
  if "$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1; then
    command -v "$c" 2>/dev/null || echo "$c"
    exit 0
  fi
done
echo "no Python 3.11 or newer found (python3.12 preferred)" >&2
exit 1
