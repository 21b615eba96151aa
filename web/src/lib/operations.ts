// Long operations this browser started (deployments, deletes): the API has no list of a tenant's operations yet
// (docs/console-api-gaps.md), so the console keeps the ids from Operation-Location and polls each one.
import { useSyncExternalStore } from "react";

export interface TrackedOperation {
  tenant: string;
  id: string;
  what: string;
  startedAt: number;
}

const KEY = "automl.operations";
let listeners: (() => void)[] = [];
let cache: TrackedOperation[] | undefined;

function read(): TrackedOperation[] {
  if (cache) return cache;
  try {
    cache = JSON.parse(sessionStorage.getItem(KEY) ?? "[]") as TrackedOperation[];
  } catch {
    cache = [];
  }
  return cache;
}

export function operationIdFrom(location: string | null): string | undefined {
  const m = location?.match(/\/operations\/([^/?#]+)/);
  return m?.[1];
}

export function track(op: Omit<TrackedOperation, "startedAt">) {
  cache = [{ ...op, startedAt: Date.now() }, ...read().filter((o) => o.id !== op.id)].slice(0, 50);
  sessionStorage.setItem(KEY, JSON.stringify(cache));
  for (const l of listeners) l();
}

export function useTracked(tenant: string): TrackedOperation[] {
  const all = useSyncExternalStore(
    (l) => {
      listeners.push(l);
      return () => (listeners = listeners.filter((x) => x !== l));
    },
    read,
  );
  return all.filter((o) => o.tenant === tenant);
}
