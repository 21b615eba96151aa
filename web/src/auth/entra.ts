// Entra ID sign-in with MSAL.js (loaded only in Azure: a separate chunk). The console's app registration is a SPA
// with redirect URI = the console's origin; it asks for the API's delegated scope (infra/modules/app-registrations).
import {
  type AccountInfo,
  InteractionRequiredAuthError,
  PublicClientApplication,
} from "@azure/msal-browser";
import type { ConsoleConfig } from "./config";
import type { Session } from "./session";

let app: PublicClientApplication | undefined;

async function msal(config: ConsoleConfig): Promise<PublicClientApplication> {
  if (app) return app;
  if (!config.entra?.clientId) throw new Error("The console's Entra app registration is not configured.");
  app = new PublicClientApplication({
    auth: {
      clientId: config.entra.clientId,
      authority: config.entra.authority,
      redirectUri: window.location.origin,
    },
    cache: { cacheLocation: "sessionStorage" },
  });
  await app.initialize();
  await app.handleRedirectPromise();
  return app;
}

function session(pca: PublicClientApplication, account: AccountInfo, scopes: string[]): Session {
  const roles = (account.idTokenClaims?.roles as string[] | undefined) ?? [];
  return {
    user: account.username || account.name || account.localAccountId,
    platformAdmin: roles.includes("Platform.Admin"),
    async getToken() {
      try {
        return (await pca.acquireTokenSilent({ account, scopes })).accessToken;
      } catch (e) {
        if (e instanceof InteractionRequiredAuthError) await pca.acquireTokenRedirect({ account, scopes });
        throw e;
      }
    },
    async signOut() {
      await pca.logoutRedirect({ account });
    },
  };
}

export async function resumeEntra(config: ConsoleConfig): Promise<Session | undefined> {
  const pca = await msal(config);
  const account = pca.getActiveAccount() ?? pca.getAllAccounts()[0];
  if (!account) return undefined;
  pca.setActiveAccount(account);
  return session(pca, account, config.entra?.scopes ?? []);
}

export async function entraSignIn(config: ConsoleConfig): Promise<void> {
  const pca = await msal(config);
  await pca.loginRedirect({ scopes: config.entra?.scopes ?? [] });
}
