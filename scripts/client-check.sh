#!/usr/bin/env bash
# Generate a TypeScript client from the API's OpenAPI document with openapi-typescript (no type written by hand) and
# type-check the calls a console makes against it (scripts/client-check/check.ts, with openapi-fetch).
#   scripts/client-check.sh                 # the document this checkout generates (scripts/openapi.py)
#   scripts/client-check.sh openapi.json    # a document already fetched, e.g. the served /api/v1/openapi.json
# The flags are the web console's own (`npm run client` in web/), so what passes here generates its client too.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/.local/client"
mkdir -p "$out"
document="${1:-}"
if [[ -z "$document" ]]; then
  "$root/.venv/bin/python" "$root/scripts/openapi.py" > "$out/openapi.json"
  document="$out/openapi.json"
fi
"$root/node_modules/.bin/openapi-typescript" "$document" --default-non-nullable false -o "$out/schema.d.ts" --silent
cp "$root/scripts/client-check/check.ts" "$out/check.ts"
"$root/node_modules/.bin/tsc" --noEmit --strict --noUncheckedIndexedAccess --skipLibCheck --target es2022 \
  --module esnext --moduleResolution bundler --lib es2022,dom "$out/check.ts"
echo "client-check: $(grep -c '^    "/api/' "$out/schema.d.ts") paths typed, check.ts compiles against them"
