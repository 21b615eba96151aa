// Reads through the typed client, cached and refreshed with TanStack Query. Lists read the first page (top=200) and
// say so when the API has more (nextLink).
import { useQuery } from "@tanstack/react-query";
import { api, ok } from "../api/client";
import { isTerminal, type JobStatus, type OperationKind, type OperationStatus, type ProvisioningState } from "../api/types";

const T = (tenant: string) => ({ path: { tenant } });

export const keys = {
  me: ["me"] as const,
  tenant: (t: string) => ["tenant", t] as const,
  datasets: (t: string) => ["datasets", t] as const,
  dataset: (t: string, id: string) => ["dataset", t, id] as const,
  versions: (t: string, id: string) => ["versions", t, id] as const,
  experiments: (t: string) => ["experiments", t] as const,
  experiment: (t: string, id: string) => ["experiment", t, id] as const,
  runs: (t: string, experimentId?: string, status?: string) => ["runs", t, experimentId ?? "", status ?? ""] as const,
  run: (t: string, id: string) => ["run", t, id] as const,
  trials: (t: string, id: string, orderby = "", top = 0) => ["trials", t, id, orderby, top] as const,
  metrics: (t: string, id: string) => ["metrics", t, id] as const,
  logs: (t: string, id: string) => ["logs", t, id] as const,
  models: (t: string) => ["models", t] as const,
  modelVersions: (t: string, name: string) => ["models", t, "name", name] as const,
  model: (t: string, id: string) => ["model", t, id] as const,
  endpoints: (t: string) => ["endpoints", t] as const,
  endpoint: (t: string, id: string) => ["endpoint", t, id] as const,
  deployment: (t: string, id: string, name: string) => ["deployment", t, id, name] as const,
  deployments: (t: string, id: string) => ["deployments", t, id] as const,
  members: (t: string) => ["members", t] as const,
  audit: (t: string, actor = "", targetId = "") => ["audit", t, actor, targetId] as const,
  operation: (t: string, id: string) => ["operation", t, id] as const,
  operations: (t: string, status?: string, kind?: string) => ["operations", t, status ?? "", kind ?? ""] as const,
  tenants: (prefix: string) => ["tenants", prefix] as const,
};

const BUSY_STATES: readonly string[] = ["Creating", "Updating", "Deleting"];
export const OPERATION_DONE: readonly string[] = ["Succeeded", "Failed", "Canceled"];

export const LIVE_MS = 2_000;

export function useMe() {
  return useQuery({ queryKey: keys.me, queryFn: () => ok(api.GET("/api/v1/me")) });
}

export function useDatasets(tenant: string) {
  return useQuery({
    queryKey: keys.datasets(tenant),
    queryFn: () => ok(api.GET("/api/v1/tenants/{tenant}/datasets", { params: { ...T(tenant), query: { top: 200 } } })),
  });
}

export function useDataset(tenant: string, id: string) {
  return useQuery({
    queryKey: keys.dataset(tenant, id),
    queryFn: () => ok(api.GET("/api/v1/tenants/{tenant}/datasets/{id}", { params: { path: { tenant, id } } })),
  });
}

export function useVersions(tenant: string, id: string) {
  return useQuery({
    queryKey: keys.versions(tenant, id),
    queryFn: () =>
      ok(api.GET("/api/v1/tenants/{tenant}/datasets/{id}/versions", { params: { path: { tenant, id }, query: { top: 200 } } })),
  });
}

export function useExperiments(tenant: string) {
  return useQuery({
    queryKey: keys.experiments(tenant),
    queryFn: () => ok(api.GET("/api/v1/tenants/{tenant}/experiments", { params: { ...T(tenant), query: { top: 200 } } })),
  });
}

export function useExperiment(tenant: string, id: string) {
  return useQuery({
    queryKey: keys.experiment(tenant, id),
    queryFn: () => ok(api.GET("/api/v1/tenants/{tenant}/experiments/{id}", { params: { path: { tenant, id } } })),
  });
}

/** Runs, newest first, refreshed every LIVE_MS while any is still going. */
export function useRuns(tenant: string, experimentId?: string, status?: JobStatus) {
  return useQuery({
    queryKey: keys.runs(tenant, experimentId, status),
    queryFn: () =>
      ok(
        api.GET("/api/v1/tenants/{tenant}/runs", {
          params: {
            ...T(tenant),
            query: {
              top: 200,
              orderby: "createdAt desc",
              ...(experimentId ? { experimentId } : {}),
              ...(status ? { status } : {}),
            },
          },
        }),
      ),
    refetchInterval: (q) => (q.state.data?.value.some((r) => !isTerminal(r.status)) ? LIVE_MS : false),
  });
}

export function useRun(tenant: string, id: string) {
  return useQuery({
    queryKey: keys.run(tenant, id),
    queryFn: () => ok(api.GET("/api/v1/tenants/{tenant}/runs/{id}", { params: { path: { tenant, id } } })),
    refetchInterval: (q) => (q.state.data && isTerminal(q.state.data.status) ? false : LIVE_MS),
  });
}

/**
 * A run's training operation (kind `training`, the run's id): `Running` until the run's results (trials, last metric
 * points, log lines) are recorded. The run page reads live data until it ends.
 */
export function useTrainingOperation(tenant: string, runId: string, enabled = true) {
  return useQuery({
    queryKey: keys.operation(tenant, runId),
    queryFn: () => ok(api.GET("/api/v1/tenants/{tenant}/operations/{id}", { params: { path: { tenant, id: runId } } })),
    enabled,
    retry: false,
    refetchInterval: (q) => (q.state.error || (q.state.data && OPERATION_DONE.includes(q.state.data.status)) ? false : LIVE_MS),
  });
}

/** The leaderboard, sorted by `orderby` (a recorded metric, score, durationSeconds; default the primary metric). */
export function useTrials(tenant: string, id: string, live: boolean, orderby = "", top = 50) {
  return useQuery({
    queryKey: keys.trials(tenant, id, orderby, top),
    queryFn: () =>
      ok(
        api.GET("/api/v1/tenants/{tenant}/runs/{id}/trials", {
          params: { path: { tenant, id }, query: { top, ...(orderby ? { orderby } : {}) } },
        }),
      ),
    refetchInterval: live ? LIVE_MS : false,
    placeholderData: (previous) => previous,
  });
}

export function useMetrics(tenant: string, id: string, live: boolean) {
  return useQuery({
    queryKey: keys.metrics(tenant, id),
    queryFn: () =>
      ok(api.GET("/api/v1/tenants/{tenant}/runs/{id}/metrics", { params: { path: { tenant, id }, query: { top: 200 } } })),
    refetchInterval: live ? LIVE_MS : false,
  });
}

/** Every version of the model called `name`, newest first. */
export function useModelVersions(tenant: string, name: string) {
  return useQuery({
    queryKey: keys.modelVersions(tenant, name),
    queryFn: () =>
      ok(
        api.GET("/api/v1/tenants/{tenant}/models", {
          params: { ...T(tenant), query: { name, top: 200, orderby: "createdAt desc" } },
        }),
      ),
    enabled: !!name,
  });
}

export function useModels(tenant: string) {
  return useQuery({
    queryKey: keys.models(tenant),
    queryFn: () => ok(api.GET("/api/v1/tenants/{tenant}/models", { params: { ...T(tenant), query: { top: 200 } } })),
  });
}

export function useModel(tenant: string, id: string) {
  return useQuery({
    queryKey: keys.model(tenant, id),
    queryFn: () => ok(api.GET("/api/v1/tenants/{tenant}/models/{id}", { params: { path: { tenant, id } } })),
    enabled: !!id,
  });
}

export function useEndpoints(tenant: string) {
  return useQuery({
    queryKey: keys.endpoints(tenant),
    queryFn: () => ok(api.GET("/api/v1/tenants/{tenant}/endpoints", { params: { ...T(tenant), query: { top: 200 } } })),
  });
}

export function useEndpoint(tenant: string, id: string) {
  return useQuery({
    queryKey: keys.endpoint(tenant, id),
    queryFn: () => ok(api.GET("/api/v1/tenants/{tenant}/endpoints/{id}", { params: { path: { tenant, id } } })),
  });
}

export function useDeployment(tenant: string, id: string, name: string) {
  return useQuery({
    queryKey: keys.deployment(tenant, id, name),
    queryFn: () =>
      ok(api.GET("/api/v1/tenants/{tenant}/endpoints/{id}/deployments/{name}", { params: { path: { tenant, id, name } } })),
    refetchInterval: (q) => (q.state.data && BUSY_STATES.includes(q.state.data.state) ? LIVE_MS : false),
  });
}

/** An endpoint's deployments, failed ones too, refreshed while any is being provisioned. */
export function useDeployments(tenant: string, id: string, state?: ProvisioningState) {
  return useQuery({
    queryKey: [...keys.deployments(tenant, id), state ?? ""],
    queryFn: () =>
      ok(
        api.GET("/api/v1/tenants/{tenant}/endpoints/{id}/deployments", {
          params: { path: { tenant, id }, query: { top: 200, ...(state ? { state } : {}) } },
        }),
      ),
    refetchInterval: (q) => (q.state.data?.value.some((d) => BUSY_STATES.includes(d.state)) ? LIVE_MS : false),
  });
}

export function useMembers(tenant: string) {
  return useQuery({
    queryKey: keys.members(tenant),
    queryFn: () => ok(api.GET("/api/v1/tenants/{tenant}/members", { params: { ...T(tenant), query: { top: 200 } } })),
  });
}

/** The audit trail, newest first, filtered by who (actor) and what (targetId). */
export function useAudit(tenant: string, actor = "", targetId = "") {
  return useQuery({
    queryKey: keys.audit(tenant, actor, targetId),
    queryFn: () =>
      ok(
        api.GET("/api/v1/tenants/{tenant}/audit", {
          params: { ...T(tenant), query: { top: 100, ...(actor ? { actor } : {}), ...(targetId ? { targetId } : {}) } },
        }),
      ),
  });
}

export function useOperation(tenant: string, id: string) {
  return useQuery({
    queryKey: keys.operation(tenant, id),
    queryFn: () => ok(api.GET("/api/v1/tenants/{tenant}/operations/{id}", { params: { path: { tenant, id } } })),
    refetchInterval: (q) => (q.state.data && OPERATION_DONE.includes(q.state.data.status) ? false : LIVE_MS),
  });
}

/** The tenant's long operations, newest first, refreshed while any is still going. */
export function useOperations(tenant: string, status?: OperationStatus, kind?: OperationKind) {
  return useQuery({
    queryKey: keys.operations(tenant, status, kind),
    queryFn: () =>
      ok(
        api.GET("/api/v1/tenants/{tenant}/operations", {
          params: {
            ...T(tenant),
            query: { top: 100, orderby: "createdAt desc", ...(status ? { status } : {}), ...(kind ? { kind } : {}) },
          },
        }),
      ),
    refetchInterval: (q) => (q.state.data?.value.some((o) => !OPERATION_DONE.includes(o.status)) ? LIVE_MS : false),
  });
}

/** Every tenant (platform admins), names starting with `prefix`. */
export function useAllTenants(prefix: string, enabled: boolean) {
  return useQuery({
    queryKey: keys.tenants(prefix),
    queryFn: () =>
      ok(api.GET("/api/v1/tenants", { params: { query: { top: 200, ...(prefix ? { namePrefix: prefix } : {}) } } })),
    enabled,
  });
}
