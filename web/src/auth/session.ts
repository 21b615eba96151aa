// Who is signed in and how their token is obtained. Locally (authMode "dev") the person picks a user and the local
// host mints a dev token for it (POST /.devhost/token, loopback only); in Azure, MSAL.js signs in with Entra ID.
import type { ConsoleConfig } from "./config";

export interface Session {
  user: string;
  platformAdmin: boolean;
  getToken(): Promise<string>;
  signOut(): Promise<void>;
}

const DEV_KEY = "automl.devUser";
const RECENT_KEY = "automl.recentUsers";

interface DevUser {
  user: string;
  platformAdmin: boolean;
}

interface Minted {
  token: string;
  expiresAt: number;
}

export function recentUsers(): string[] {
  try {
    return JSON.parse(localStorage.getItem(RECENT_KEY) ?? "[]") as string[];
  } catch {
    return [];
  }
}

function remember(user: string) {
  const list = [user, ...recentUsers().filter((u) => u !== user)].slice(0, 6);
  localStorage.setItem(RECENT_KEY, JSON.stringify(list));
}

async function mint(who: DevUser): Promise<Minted> {
  const resp = await fetch("/.devhost/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(who),
  });
  const body = await resp.json().catch(() => undefined);
  if (!resp.ok) throw new Error(body?.error?.message ?? `The local host refused a dev token (HTTP ${resp.status}).`);
  return { token: body.token, expiresAt: Date.now() + (body.expiresIn - 60) * 1000 };
}

export function devSession(who: DevUser, first?: Minted): Session {
  let current: Minted | undefined = first;
  let pending: Promise<Minted> | undefined;
  return {
    user: who.user,
    platformAdmin: who.platformAdmin,
    async getToken() {
      if (current && current.expiresAt > Date.now()) return current.token;
      pending ??= mint(who).finally(() => (pending = undefined));
      current = await pending;
      return current.token;
    },
    async signOut() {
      sessionStorage.removeItem(DEV_KEY);
    },
  };
}

/** Sign in as a local user: mint a token now (so a refusal shows on the sign-in form) and keep the choice. */
export async function devSignIn(user: string, platformAdmin: boolean): Promise<Session> {
  const who = { user: user.trim(), platformAdmin };
  const first = await mint(who);
  sessionStorage.setItem(DEV_KEY, JSON.stringify(who));
  remember(who.user);
  return devSession(who, first);
}

/** The session this tab already had (a reload keeps it), if any. */
export async function resumeSession(config: ConsoleConfig): Promise<Session | undefined> {
  if (config.authMode === "entra") {
    const { resumeEntra } = await import("./entra");
    return resumeEntra(config);
  }
  const saved = sessionStorage.getItem(DEV_KEY);
  if (!saved) return undefined;
  try {
    return devSession(JSON.parse(saved) as DevUser);
  } catch {
    return undefined;
  }
}
