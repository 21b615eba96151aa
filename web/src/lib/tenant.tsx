import { createContext, useContext } from "react";
import type { MyTenant, Role } from "../api/types";

export interface TenantChoice {
  tenant: string;
  role: Role;
  platformAdmin: boolean;
  /** The tenant as `GET /me` describes it (name, display name, quotas, usage), whatever the caller's role. */
  info?: MyTenant;
}

/** How a tenant is named to a person: its display name, else its name, else its id. */
export const tenantLabel = (t: Pick<MyTenant, "tenantId" | "name" | "displayName">) =>
  t.displayName || t.name || t.tenantId;

export const TenantContext = createContext<TenantChoice | undefined>(undefined);

export function useTenant(): TenantChoice {
  const value = useContext(TenantContext);
  if (!value) throw new Error("useTenant outside a tenant");
  return value;
}

const RANK: Record<string, number> = { reader: 1, contributor: 2, owner: 3 };
export const can = (role: Role, needed: Role) => (RANK[role] ?? 0) >= (RANK[needed] ?? 9);

const KEY = "automl.tenant";
export const savedTenant = () => localStorage.getItem(KEY) ?? undefined;
export const saveTenant = (t: string) => localStorage.setItem(KEY, t);
