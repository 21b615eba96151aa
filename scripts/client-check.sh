#!/usr/bin/env bash
# Generate a TypeScript client from the API's OpenAPI document exactly as the web console does (`npm run client` in
# web/: openapi-typescript, its flags and version) and type-check the calls a console makes against it, with
# openapi-fetch (scripts/client-check/check.ts): no type is written by hand, so a gap in the document fails here.
#   scripts/client-check.sh                 # the document this checkout generates (scripts/openapi.py)
#   scripts/client-check.sh openapi.json    # a document already fetched, e.g. the served /api/v1/openapi.json
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/web/node_modules/.cache/client-check"  # under web/node_modules: openapi-fetch resolves from there
mkdir -p "$out"
document="${1:-}"
if [[ -z "$document" ]]; then
  "$root/.venv/bin/python" "$root/scripts/openapi.py" > "$out/openapi.json"
  document="$out/openapi.json"
fi
(cd "$root/web" && OPENAPI_IN="$(realpath "$document")" CLIENT_OUT="$out/schema.d.ts" npm run --silent client)
cp "$root/scripts/client-check/check.ts" "$out/check.ts"
"$root/web/node_modules/.bin/tsc" --noEmit --strict --noUncheckedIndexedAccess --skipLibCheck --target es2022 \
  --module esnext --moduleResolution bundler --lib es2022,dom "$out/check.ts"
echo "client-check: $(grep -c '^    "/api/' "$out/schema.d.ts") paths typed; check.ts compiles against them"
