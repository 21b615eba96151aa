// The typed API client: openapi-fetch over the generated `paths` (src/api/schema.d.ts, from the served document).
import createClient, { type Middleware } from "openapi-fetch";
import { ApiError, errorFrom } from "./errors";
import type { paths } from "./schema";

export type TokenSource = () => Promise<string>;

let tokenSource: TokenSource = async () => "";
let apiOrigin: string | undefined;

/** The API's origin when it is not the console's (Azure: the Function app, allowed by CORS). */
export function setApiOrigin(origin: string | undefined) {
  apiOrigin = origin?.replace(/\/+$/, "") || undefined;
}

export function apiUrl(path: string): string {
  return (apiOrigin ?? "") + path;
}
let onUnauthorized: () => void = () => {};

export function setTokenSource(source: TokenSource, unauthorized: () => void = () => {}) {
  tokenSource = source;
  onUnauthorized = unauthorized;
}

export async function authHeader(): Promise<Record<string, string>> {
  const token = await tokenSource();
  return token ? { Authorization: `Bearer ${token}` } : {};
}

const auth: Middleware = {
  async onRequest({ request }) {
    const token = await tokenSource();
    if (token) request.headers.set("Authorization", `Bearer ${token}`);
    return request;
  },
  async onResponse({ response }) {
    if (response.status === 401) onUnauthorized();
    return response;
  },
};

// Same origin as the console (the local host serves both; in Azure the static site links the Function app).
// fetch is looked up per call, so tests can replace it.
export const api = createClient<paths>({
  baseUrl: typeof window !== "undefined" ? window.location.origin : "",
  fetch: async (request: Request) => {
    if (!apiOrigin) return globalThis.fetch(request);
    const url = new URL(request.url);
    const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
    const init = { method: request.method, headers: request.headers, body, signal: request.signal };
    return globalThis.fetch(apiOrigin + url.pathname + url.search, init);
  },
});
api.use(auth);

/** Unwrap an openapi-fetch result: the data, or an ApiError carrying the API's message. */
export async function ok<T>(
  result: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T & {}> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await result;
  } catch (e) {
    throw new ApiError(0, undefined, e instanceof Error ? e.message : String(e));
  }
  if (!r.response.ok) {
    const body = r.error as { error?: { code: string; message: string } } | undefined;
    if (body && typeof body === "object" && "error" in body) {
      throw new ApiError(r.response.status, body.error, "", r.response.headers.get("x-ms-request-id"));
    }
    throw await errorFrom(r.response);
  }
  return (r.data ?? {}) as T & {};
}

/** The header a response carries (e.g. Operation-Location after a deployment starts). */
export async function withHeaders<T>(
  result: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<{ data: T & {}; headers: Headers }> {
  const r = await result;
  const data = await ok(Promise.resolve(r));
  return { data, headers: r.response.headers };
}
