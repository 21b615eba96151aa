#!/usr/bin/env bash
# README.md "Try the API", exactly as written there (tests/browser/test_walkthrough.py runs it and checks the README
# shows these lines): with `make run` going, from a CSV upload to a prediction, capturing each id as it goes; then
# the README's second block: a batch job over the dataset, its CSV downloaded, the model's explanation.
# PORT selects the local host (default 7071). Needs curl and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
# --- walkthrough ---
API=http://127.0.0.1:${PORT:-7071}/api/v1
H="Authorization: Bearer $(.venv/bin/python -m devhost token --user alice --platform-admin)"
get() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }   # read one field of a JSON answer
T=$(curl -sf -X POST $API/tenants -H "$H" -H 'Content-Type: application/json' \
      -d '{"name": "acme-'$(date +%s)'", "ownerUserId": "alice"}' | get 'd["id"]')
D=$(curl -sf -X POST "$API/tenants/$T/datasets?name=iris" -H "$H" -H 'Content-Type: text/csv' \
      --data-binary @samples/iris.csv | get 'd["id"]')
E=$(curl -sf -X POST $API/tenants/$T/experiments -H "$H" -H 'Content-Type: application/json' \
      -d '{"name": "iris", "task": "classification", "datasetId": "'$D'", "targetColumn": "species",
           "primaryMetric": "accuracy", "limits": {"maxTrials": 10, "timeoutMinutes": 2}}' | get 'd["id"]')
R=$(curl -sf -X POST $API/tenants/$T/experiments/$E/runs -H "$H" -H 'Idempotency-Key: first' | get 'd["id"]')
for i in $(seq 120); do   # status and progress until the run has registered its best model (autoRegister)
  RUN=$(curl -sf $API/tenants/$T/runs/$R -H "$H")
  echo "$RUN" | get 'd["status"], d["progress"]'
  M=$(echo "$RUN" | get 'd["modelId"] or ""'); [ -n "$M" ] && break
  echo "$RUN" | get 'd["status"]' | grep -qE 'Failed|Canceled' && exit 1; sleep 5
done
curl -s $API/tenants/$T/runs/$R/trials -H "$H" | get '[(t["rank"], t["algorithm"], t["score"]) for t in d["value"]]'
EP=$(curl -sf -X POST $API/tenants/$T/endpoints -H "$H" -H 'Content-Type: application/json' \
      -d '{"name": "iris-online"}' | get 'd["id"]')
curl -sf -X PUT $API/tenants/$T/endpoints/$EP/deployments/blue -H "$H" -H 'Content-Type: application/json' \
     -d '{"modelId": "'$M'"}' | get 'd["state"]'
for i in $(seq 120); do   # the deployment flow: provision, smoke test, traffic
  S=$(curl -sf $API/tenants/$T/endpoints/$EP/deployments/blue -H "$H" | get 'd["state"]'); echo "$S"
  [ "$S" = Succeeded ] && break; [ "$S" = Failed ] && exit 1; sleep 3
done
curl -sf -X POST "$API/tenants/$T/endpoints/$EP:score" -H "$H" -H 'Content-Type: application/json' \
     -d '{"rows": [{"sepal_length": 5.1, "sepal_width": 3.5, "petal_length": 1.4, "petal_width": 0.2}]}'
# --- end ---
echo
# --- batch ---
B=$(curl -sf -X POST "$API/tenants/$T/models/$M:batchScore" -H "$H" -H 'Content-Type: application/json' \
      -d '{"datasetId": "'$D'"}' | get 'd["id"]')
until curl -sf $API/tenants/$T/batchJobs/$B -H "$H" | get 'd["status"]' | grep -qE 'Completed|Failed'; do sleep 2; done
curl -sfL $API/tenants/$T/batchJobs/$B/output -H "$H" | sed -n 1,3p   # the input columns, prediction, probability_<class>
curl -sf $API/tenants/$T/batchJobs/$B/outputLink -H "$H" | get 'd["url"].split("?")[0], d["expiresOn"]'
curl -sf $API/tenants/$T/models/$M/explanation -H "$H" | get '[(f["feature"], f["importance"]) for f in d["features"]]'
# --- end ---
