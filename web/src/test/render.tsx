import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes } from "react-router";
import { vi } from "vitest";
import { setTokenSource } from "../api/client";
import type { MyTenant, Role } from "../api/types";
import { TenantContext } from "../lib/tenant";

/** Render a screen as the console would: theme, queries, router at `path`, tenant `t1` with `role`. */
export function renderScreen(
  ui: ReactNode,
  {
    path = "/",
    route = "*",
    role = "owner" as Role,
    info = undefined as MyTenant | undefined,
    platformAdmin = false,
  } = {},
) {
  setTokenSource(async () => "test-token");
  const queries = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  return render(
    <FluentProvider theme={webLightTheme}>
      <QueryClientProvider client={queries}>
        <TenantContext.Provider value={{ tenant: "t1", role, platformAdmin, info }}>
          <MemoryRouter initialEntries={[path]}>
            <Routes>
              <Route path={route} element={ui} />
              <Route path="*" element={<p>elsewhere</p>} />
            </Routes>
          </MemoryRouter>
        </TenantContext.Provider>
      </QueryClientProvider>
    </FluentProvider>,
  );
}

type Handler = (req: Request) => Response | Promise<Response>;

/** A fake API for component tests: `routes` maps "METHOD /path" (no query) to a handler; the calls are recorded. */
export function fakeApi(routes: Record<string, Handler | unknown>) {
  const calls: { method: string; path: string; url: URL; body: unknown; headers: Headers }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = input instanceof Request ? input : new Request(new URL(String(input), "http://localhost"), init);
    const url = new URL(req.url);
    const text = req.method === "GET" ? "" : await req.clone().text();
    calls.push({ method: req.method, path: url.pathname, url, body: text ? JSON.parse(text) : undefined, headers: req.headers });
    const hit = routes[`${req.method} ${url.pathname}`];
    if (hit === undefined) return json({ error: { code: "NotFound", message: `no fake for ${req.method} ${url.pathname}` } }, 404);
    return typeof hit === "function" ? (hit as Handler)(req) : json(hit);
  });
  vi.stubGlobal("fetch", fetchMock);
  return calls;
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

export const page = <T,>(value: T[]) => ({ value, nextLink: null });
