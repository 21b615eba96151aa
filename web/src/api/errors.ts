import type { ErrorBody } from "./types";

/** An API error in the API's own words: status, code, message, and the field (`target`) or fields it is about. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly target?: string;
  readonly details: { code: string; message: string; target?: string | null }[];
  /** The API's `x-ms-request-id`: what to quote when reporting a failure. */
  requestId?: string;

  constructor(status: number, body: Partial<ErrorBody> | undefined, fallback: string, requestId?: string | null) {
    super(body?.message || fallback);
    this.name = "ApiError";
    this.status = status;
    this.code = body?.code || `Http${status}`;
    this.target = body?.target ?? undefined;
    this.details = body?.details ?? [];
    this.requestId = requestId ?? undefined;
  }

  /** The message about one request field (camelCase, as the API names it), if the API named that field. */
  about(field: string): string | undefined {
    const hit = this.details.find((d) => d.target === field || d.target?.startsWith(`${field}.`));
    if (hit) return hit.message;
    if (this.target === field) return this.message;
    return undefined;
  }
}

const STATUS_WORDS: Record<number, string> = {
  0: "The API could not be reached. Is the local host (make run) running?",
  401: "Your sign-in has expired or is not valid. Sign in again.",
  403: "Your role in this tenant does not allow this.",
  404: "It does not exist, or it belongs to another tenant.",
  412: "Someone else changed it meanwhile. Reload and try again.",
  413: "The file is too large for the API.",
  429: "The tenant's quota is reached.",
  502: "Azure ML refused the request.",
  503: "Storage or Azure ML is unavailable right now. Try again in a moment.",
};

/** What to show a person: the API's message, or plain words for the status when the API gave none. */
export function plainMessage(err: unknown): string {
  if (err instanceof ApiError) {
    const words = STATUS_WORDS[err.status];
    if (err.message && !err.message.startsWith("HTTP ")) return err.message;
    return words ?? err.message;
  }
  if (err instanceof Error) return err.message;
  return String(err);
}

export async function errorFrom(response: Response): Promise<ApiError> {
  let body: { error?: ErrorBody } | undefined;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  return new ApiError(
    response.status,
    body?.error,
    STATUS_WORDS[response.status] ?? `HTTP ${response.status}`,
    response.headers.get("x-ms-request-id"),
  );
}
