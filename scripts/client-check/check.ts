// Calls a console makes, type-checked against the client openapi-typescript generated from the API's document
// (scripts/client-check.sh). Nothing here is typed by hand: if the document stops saying something (a status enum,
// a header, a query parameter, a field being required), this file stops compiling.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function check<T extends true>(): T | undefined {
  return undefined;
}
type S = components["schemas"];

// enums where the server enforces a set
check<Equals<S["Run"]["status"], S["JobStatus"]>>();
check<
  Equals<
    S["JobStatus"],
    "NotStarted" | "Queued" | "Preparing" | "Running" | "Finalizing" | "CancelRequested" | "Completed" | "Failed" | "Canceled"
  >
>();
check<Equals<S["Operation"]["kind"], "delete" | "deployment" | "training" | "batchScore">>();
check<Equals<S["BatchJob"]["status"], "NotStarted" | "Running" | "Completed" | "Failed" | "Canceled">>();
check<Equals<S["Deployment"]["state"], "Creating" | "Updating" | "Succeeded" | "Failed" | "Deleting">>();
check<"accuracy" extends S["PrimaryMetric"] ? true : false>();
check<"LightGBM" extends S["Algorithm"] ? true : false>();
// @ts-expect-error: not a status
const sleeping: S["Run"]["status"] = "Sleeping";

// every response field is present, null when empty (not optional)
check<Equals<S["Run"]["bestTrialId"], string | null>>();
check<Equals<S["Endpoint"]["scoringUri"], string | null>>();
check<Equals<S["Model"]["version"], number>>();
check<Equals<S["MyTenant"]["usage"]["activeRuns"], number>>();
check<Equals<S["MetricPointModel"]["trialId"], string | null>>();
check<Equals<S["BatchJob"]["outputUrl"], string | null>>();

// response headers a console reads
type GetRun = paths["/api/v1/tenants/{tenant}/runs/{id}"]["get"];
check<Equals<GetRun["responses"][200]["headers"]["ETag"], string>>();
type StartRun = paths["/api/v1/tenants/{tenant}/experiments/{id}/runs"]["post"];
check<Equals<StartRun["responses"][202]["headers"]["Operation-Location"], string>>();
check<Equals<StartRun["responses"][202]["headers"]["Retry-After"], string>>();
check<Equals<StartRun["responses"][200]["content"]["application/json"], S["Run"]>>(); // a repeated Idempotency-Key
type PutDeployment = paths["/api/v1/tenants/{tenant}/endpoints/{id}/deployments/{name}"]["put"];
check<Equals<PutDeployment["responses"][200]["content"]["application/json"], S["Deployment"]>>(); // an update
check<Equals<PutDeployment["responses"][201]["headers"]["Location"], string>>();
type Score = paths["/api/v1/tenants/{tenant}/endpoints/{id}:score"]["post"];
check<Equals<Score["responses"][200]["headers"]["azureml-model-deployment"], string>>();
check<415 extends keyof paths["/api/v1/tenants/{tenant}/experiments"]["post"]["responses"] ? true : false>();
check<304 extends keyof GetRun["responses"] ? true : false>();

const api = createClient<paths>({ baseUrl: "http://127.0.0.1:7071" });

export async function walk(tenant: string, experiment: string, etag: string): Promise<string[]> {
  const seen: string[] = [];
  const run = await api.POST("/api/v1/tenants/{tenant}/experiments/{id}/runs", {
    params: { path: { tenant, id: experiment }, header: { "Idempotency-Key": "k-1" } },
  });
  if (run.data) seen.push(run.data.status, run.data.experimentName ?? "", run.data.task ?? "");
  const runs = await api.GET("/api/v1/tenants/{tenant}/runs", {
    params: { path: { tenant }, query: { status: "Running", orderby: "createdAt desc", top: 20 } },
  });
  for (const r of runs.data?.value ?? []) seen.push(r.id);
  seen.push(runs.data?.nextLink ?? "");
  const board = await api.GET("/api/v1/tenants/{tenant}/runs/{id}/trials", {
    params: { path: { tenant, id: "r" }, query: { orderby: "accuracy desc", top: 10 } },
  });
  for (const t of board.data?.value ?? []) seen.push(`${t.rank} ${t.algorithm} ${t.score ?? "-"}`);
  const patched = await api.PATCH("/api/v1/tenants/{tenant}/experiments/{id}", {
    params: { path: { tenant, id: experiment }, header: { "If-Match": etag } },
    body: { limits: { maxTrials: 5 }, description: null },
  });
  seen.push(patched.data?.limits.timeoutMinutes.toString() ?? "");
  // @ts-expect-error: a PATCH may not null a field the experiment needs
  await api.PATCH("/api/v1/tenants/{tenant}/experiments/{id}", { params: { path: { tenant, id: experiment } }, body: { targetColumn: null } });
  const upload = await api.POST("/api/v1/tenants/{tenant}/datasets", {
    params: { path: { tenant }, query: { name: "iris", description: "the iris flowers" } },
    body: { name: "iris", uri: "https://example.blob.core.windows.net/c/iris.csv" },
  });
  seen.push(upload.data?.profile?.rowCount.toString() ?? "");
  const me = await api.GET("/api/v1/me");
  for (const t of me.data?.tenants ?? []) seen.push(`${t.name} ${t.role} ${t.quotas.maxConcurrentRuns - t.usage.activeRuns}`);
  const tenants = await api.GET("/api/v1/tenants", { params: { query: { namePrefix: "acme" } } });
  seen.push(String(tenants.data?.value.length));
  const ops = await api.GET("/api/v1/tenants/{tenant}/operations", {
    params: { path: { tenant }, query: { kind: "training", status: "Running" } },
  });
  for (const o of ops.data?.value ?? []) seen.push(`${o.target} ${o.progress.percent ?? "?"}`);
  const deployments = await api.GET("/api/v1/tenants/{tenant}/endpoints/{id}/deployments", {
    params: { path: { tenant, id: "e" }, query: { state: "Failed" } },
  });
  for (const d of deployments.data?.value ?? []) seen.push(d.error ?? "");
  const models = await api.GET("/api/v1/tenants/{tenant}/models", { params: { path: { tenant }, query: { runId: "r" } } });
  for (const m of models.data?.value ?? []) seen.push(`${m.name} v${m.version} ${m.inputColumns.map((c) => c.type).join()}`);
  const logs = await api.GET("/api/v1/tenants/{tenant}/runs/{id}/logs", { params: { path: { tenant, id: "r" }, query: { after: 15, top: 3 } } });
  seen.push(logs.data?.nextLink ?? "last page");
  const put = await api.PUT("/api/v1/tenants/{tenant}/endpoints/{id}/deployments/{name}", {
    params: { path: { tenant, id: "e", name: "green" } },
    body: { modelId: "m", traffic: 10 },
  });
  seen.push(put.response.headers.get("Operation-Location") ?? "", put.data?.state ?? "");
  const job = await api.POST("/api/v1/tenants/{tenant}/models/{id}:batchScore", {
    params: { path: { tenant, id: "m" } },
    body: { datasetId: "d" },
  });
  seen.push(job.response.headers.get("Operation-Location") ?? "", job.data?.status ?? "", `${job.data?.progress.rowsTotal ?? "?"}`);
  const explained = await api.GET("/api/v1/tenants/{tenant}/models/{id}/explanation", { params: { path: { tenant, id: "m" } } });
  for (const f of explained.data?.features ?? []) seen.push(`${f.feature} ${f.importance.toFixed(3)}`);
  if (run.error) seen.push(run.error.error.code, ...run.error.error.details.map((d) => d.target ?? ""));
  return seen;
}

export const unused = sleeping;
