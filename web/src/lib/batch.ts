// Reads of batch scoring jobs and explanations (TanStack Query over the typed client).
import { useQuery } from "@tanstack/react-query";
import { api, ok } from "../api/client";
import type { BatchJobStatus } from "../api/types";
import { LIVE_MS } from "./queries";

export const batchKeys = {
  jobs: (t: string, modelId = "", status = "") => ["batchJobs", t, modelId, status] as const,
  explanation: (t: string, of: "runs" | "models", id: string) => ["explanation", t, of, id] as const,
};

export const BATCH_DONE: readonly BatchJobStatus[] = ["Completed", "Failed", "Canceled"];

/** The tenant's batch jobs, newest first, refreshed every LIVE_MS while any is still going. */
export function useBatchJobs(tenant: string, modelId?: string, status?: BatchJobStatus) {
  return useQuery({
    queryKey: batchKeys.jobs(tenant, modelId, status),
    queryFn: () =>
      ok(
        api.GET("/api/v1/tenants/{tenant}/batchJobs", {
          params: {
            path: { tenant },
            query: { top: 100, orderby: "createdAt desc", ...(modelId ? { modelId } : {}), ...(status ? { status } : {}) },
          },
        }),
      ),
    refetchInterval: (q) => (q.state.data?.value.some((j) => !BATCH_DONE.includes(j.status)) ? LIVE_MS : false),
  });
}

/** A run's (its best model's) or a model's global feature importance; 409 while there is no model to explain. */
export function useExplanation(tenant: string, of: "runs" | "models", id: string, enabled = true) {
  return useQuery({
    queryKey: batchKeys.explanation(tenant, of, id),
    queryFn: () =>
      of === "runs"
        ? ok(api.GET("/api/v1/tenants/{tenant}/runs/{id}/explanation", { params: { path: { tenant, id } } }))
        : ok(api.GET("/api/v1/tenants/{tenant}/models/{id}/explanation", { params: { path: { tenant, id } } })),
    enabled: enabled && !!id,
    retry: false,
    staleTime: Infinity, // an explanation, once computed, is kept and does not change
  });
}
