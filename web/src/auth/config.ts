// What the console needs to sign in, from /config.json: served by the local host (devhost/console.py), written by
// the deployment in Azure (infra: the console's app registration and the API's scope).
export interface EntraConfig {
  clientId: string;
  authority: string;
  scopes: string[];
}

export interface ConsoleConfig {
  authMode: "dev" | "entra" | "easyauth";
  apiBase: string;
  apiOrigin?: string; // where the API is, when not on the console's own origin (Azure: the Function app)
  entra?: EntraConfig;
}

export async function loadConfig(fetcher: typeof fetch = fetch): Promise<ConsoleConfig> {
  const resp = await fetcher("/config.json", { cache: "no-store" });
  if (!resp.ok) throw new Error(`The console's configuration (/config.json) could not be read: HTTP ${resp.status}.`);
  return (await resp.json()) as ConsoleConfig;
}
