import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router";
import { setApiOrigin } from "./api/client";
import { App } from "./app/App";
import { loadConfig } from "./auth/config";
import "./app/global.css";

const queries = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: true, staleTime: 2_000 } },
});

async function start() {
  const root = createRoot(document.getElementById("root")!);
  let config;
  try {
    config = await loadConfig();
  } catch (e) {
    root.render(<p role="alert">{e instanceof Error ? e.message : String(e)}</p>);
    return;
  }
  setApiOrigin(config.apiOrigin);
  root.render(
    <StrictMode>
      <FluentProvider theme={webLightTheme}>
        <QueryClientProvider client={queries}>
          <BrowserRouter>
            <App config={config} />
          </BrowserRouter>
        </QueryClientProvider>
      </FluentProvider>
    </StrictMode>,
  );
}

void start();
