// Batch scoring calls the generated client does not know yet (hand-written until the served document has them).
import { apiUrl, authHeader } from "./client";
import { errorFrom } from "./errors";
import type { OutputLink } from "./types";

/** Where the browser goes; tests replace it (jsdom cannot navigate). */
export const browser = {
  open(url: string) {
    window.location.assign(url);
  },
};

/** A short-lived URL of a Completed job's CSV (`GET .../batchJobs/{id}/outputLink`, with the bearer token). */
export async function outputLink(tenant: string, id: string): Promise<OutputLink> {
  const path = `/api/v1/tenants/${encodeURIComponent(tenant)}/batchJobs/${encodeURIComponent(id)}/outputLink`;
  const response = await fetch(apiUrl(path), { headers: { Accept: "application/json", ...(await authHeader()) } });
  if (!response.ok) throw await errorFrom(response);
  return (await response.json()) as OutputLink;
}

/** Download a job's CSV: ask the API for the link, then let the browser fetch it from Blob (no token, no CORS). */
export async function downloadOutput(tenant: string, id: string): Promise<void> {
  const link = await outputLink(tenant, id);
  browser.open(link.url);
}
