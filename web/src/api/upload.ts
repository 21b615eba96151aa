// CSV uploads with progress: fetch() cannot report upload progress, so this one request uses XMLHttpRequest, typed
// with the generated schema's Dataset / DatasetVersion.
import { apiUrl, authHeader } from "./client";
import { ApiError } from "./errors";
import type { paths } from "./schema";
import type { Dataset, DatasetVersion } from "./types";

/** The query of a `text/csv` upload, as the OpenAPI document declares it (UploadQuery: name, description). */
export type UploadQuery = NonNullable<paths["/api/v1/tenants/{tenant}/datasets"]["post"]["parameters"]["query"]>;

/** The URL's query string for typed parameters (undefined ones left out). */
export function queryString(query: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== "") q.set(k, String(v));
  const text = q.toString();
  return text ? `?${text}` : "";
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

function send<T>(url: string, file: Blob, onProgress: (p: UploadProgress) => void, headers: Record<string, string>) {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader("Content-Type", "text/csv");
    xhr.upload.onprogress = (e) => onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : file.size });
    xhr.onerror = () => reject(new ApiError(0, undefined, "The upload could not reach the API."));
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText || "null");
      } catch {
        body = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else {
        const err = (body as { error?: { code: string; message: string } } | undefined)?.error;
        reject(new ApiError(xhr.status, err, `Upload failed (HTTP ${xhr.status}).`));
      }
    };
    xhr.send(file);
  });
}

export async function uploadDataset(
  tenant: string,
  query: UploadQuery,
  file: Blob,
  onProgress: (p: UploadProgress) => void,
): Promise<Dataset> {
  const url = apiUrl(`/api/v1/tenants/${encodeURIComponent(tenant)}/datasets${queryString(query)}`);
  return send<Dataset>(url, file, onProgress, await authHeader());
}

export async function uploadVersion(
  tenant: string,
  datasetId: string,
  file: Blob,
  onProgress: (p: UploadProgress) => void,
): Promise<DatasetVersion> {
  const url = apiUrl(`/api/v1/tenants/${encodeURIComponent(tenant)}/datasets/${encodeURIComponent(datasetId)}/versions`);
  return send<DatasetVersion>(url, file, onProgress, await authHeader());
}
