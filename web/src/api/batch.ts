// Downloading a batch job's CSV: the API answers a short-lived read-only URL, the browser fetches the file from Blob.
import { api, ok } from "./client";
import type { OutputLink } from "./types";

/** Where the browser goes; tests replace it (jsdom cannot navigate). */
export const browser = {
  open(url: string) {
    window.location.assign(url);
  },
};

/** A short-lived URL of a Completed job's CSV (`GET .../batchJobs/{id}/outputLink`, with the bearer token). */
export async function outputLink(tenant: string, id: string): Promise<OutputLink> {
  return ok(api.GET("/api/v1/tenants/{tenant}/batchJobs/{id}/outputLink", { params: { path: { tenant, id } } }));
}

/** Download a job's CSV: ask the API for the link, then let the browser fetch it from Blob (no token, no CORS). */
export async function downloadOutput(tenant: string, id: string): Promise<void> {
  const link = await outputLink(tenant, id);
  browser.open(link.url);
}
