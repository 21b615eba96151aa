// Following the API's `nextLink`: list pages (continuation), a run's metric points, and the log tail (after=seq).
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api, ok } from "../api/client";
import type { LogLine, MetricPoint } from "../api/types";
import { keys, LIVE_MS } from "./queries";

/** A query parameter of a `nextLink` (the API's own URL for the next page), or undefined on the last page. */
export function nextParam(nextLink: string | null | undefined, name: string): string | undefined {
  if (!nextLink) return undefined;
  return new URL(nextLink, "http://x").searchParams.get(name) ?? undefined;
}

const MAX_PAGES = 25;

/** Every metric point of a run (pages of 200, following nextLink). */
export async function readMetrics(tenant: string, id: string): Promise<MetricPoint[]> {
  const out: MetricPoint[] = [];
  let continuation: string | undefined;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await ok(
      api.GET("/api/v1/tenants/{tenant}/runs/{id}/metrics", {
        params: { path: { tenant, id }, query: { top: 200, ...(continuation ? { continuation } : {}) } },
      }),
    );
    out.push(...page.value);
    continuation = nextParam(page.nextLink, "continuation");
    if (!continuation) break;
  }
  return out;
}

export function useMetricPoints(tenant: string, id: string, live: boolean) {
  return useQuery({
    queryKey: keys.metrics(tenant, id),
    queryFn: () => readMetrics(tenant, id),
    refetchInterval: live ? LIVE_MS : false,
  });
}

/** The log lines after sequence number `after`, following nextLink (after=) until the last line. */
export async function readLogsAfter(tenant: string, id: string, after: number): Promise<LogLine[]> {
  const out: LogLine[] = [];
  let cursor = after;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await ok(
      api.GET("/api/v1/tenants/{tenant}/runs/{id}/logs", {
        params: { path: { tenant, id }, query: { after: cursor, top: 1000 } },
      }),
    );
    out.push(...page.value);
    const next = nextParam(page.nextLink, "after");
    if (next === undefined || page.value.length === 0) break;
    cursor = Number(next);
  }
  return out;
}

export interface LogTail {
  lines: LogLine[];
  lastSeq: number;
  total: number;
}

/** The log tail: the first read pages from the start, each refresh reads only the lines after the last one seen. */
export function useLogTail(tenant: string, id: string, live: boolean, keep = 500) {
  const client = useQueryClient();
  return useQuery({
    queryKey: keys.logs(tenant, id),
    queryFn: async (): Promise<LogTail> => {
      const previous = client.getQueryData<LogTail>(keys.logs(tenant, id));
      const after = previous?.lastSeq ?? 0;
      const fresh = await readLogsAfter(tenant, id, after);
      return {
        lines: [...(previous?.lines ?? []), ...fresh].slice(-keep),
        lastSeq: fresh.at(-1)?.seq ?? after,
        total: (previous?.total ?? 0) + fresh.length,
      };
    },
    refetchInterval: live ? LIVE_MS : false,
  });
}
