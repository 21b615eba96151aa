import { Button, Dropdown, Option, Text } from "@fluentui/react-components";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Navigate, NavLink, Route, Routes } from "react-router";
import { setTokenSource } from "../api/client";
import type { ConsoleConfig } from "../auth/config";
import { resumeSession, type Session } from "../auth/session";
import { ErrorNote, Loading } from "../components/common";
import { useMe } from "../lib/queries";
import { savedTenant, saveTenant, TenantContext, tenantLabel } from "../lib/tenant";
import { Audit } from "../screens/Audit";
import { BatchJobs } from "../screens/BatchJobs";
import { DatasetPage, Datasets } from "../screens/Datasets";
import { EndpointPage, Endpoints } from "../screens/Endpoints";
import { ExperimentPage, Experiments, NewExperiment } from "../screens/Experiments";
import { Members } from "../screens/Members";
import { ModelPage, Models } from "../screens/Models";
import { NoTenant } from "../screens/NoTenant";
import { Operations } from "../screens/Operations";
import { RunPage } from "../screens/RunPage";
import { Runs } from "../screens/Runs";
import { SignIn } from "../screens/SignIn";
import { TenantsAdmin } from "../screens/Tenants";

const NAV = [
  ["/datasets", "Datasets"],
  ["/experiments", "Experiments"],
  ["/runs", "Runs"],
  ["/models", "Models"],
  ["/batch-jobs", "Batch jobs"],
  ["/endpoints", "Endpoints"],
  ["/operations", "Operations"],
  ["/members", "Members"],
  ["/audit", "Audit"],
] as const;

export function App({ config }: { config: ConsoleConfig }) {
  const [session, setSession] = useState<Session | undefined>();
  const [resuming, setResuming] = useState(true);
  const [resumeError, setResumeError] = useState<unknown>();
  const queries = useQueryClient();

  useEffect(() => {
    resumeSession(config)
      .then(setSession, setResumeError)
      .finally(() => setResuming(false));
  }, [config]);

  useEffect(() => {
    if (session) setTokenSource(() => session.getToken(), () => undefined);
  }, [session]);

  if (resuming) return <Loading label="Signing in…" />;
  if (!session) {
    return (
      <>
        <ErrorNote error={resumeError} />
        <SignIn
          config={config}
          onSignedIn={(s) => {
            setTokenSource(() => s.getToken());
            queries.clear();
            setSession(s);
          }}
        />
      </>
    );
  }
  const signOut = async () => {
    await session.signOut();
    queries.clear();
    setSession(undefined);
  };
  return <Shell session={session} onSignOut={signOut} />;
}

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const me = useMe();
  const [tenant, setTenant] = useState<string | undefined>(savedTenant());
  const tenants = me.data?.tenants ?? [];
  const current = tenants.find((t) => t.tenantId === tenant) ?? tenants[0];

  const header = (
    <header>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <span className="brand">AutoML Functions</span>
      {tenants.length > 0 ? (
        <Dropdown
          aria-label="Tenant"
          value={current ? `${tenantLabel(current)} (${current.role})` : ""}
          selectedOptions={current ? [current.tenantId] : []}
          onOptionSelect={(_, d) => {
            if (d.optionValue) {
              saveTenant(d.optionValue);
              setTenant(d.optionValue);
            }
          }}
        >
          {tenants.map((t) => (
            <Option key={t.tenantId} value={t.tenantId} text={`${tenantLabel(t)} (${t.role})`}>
              {tenantLabel(t)} ({t.role}){t.displayName && t.displayName !== t.name ? ` · ${t.name}` : ""}
            </Option>
          ))}
        </Dropdown>
      ) : null}
      <Text>
        {me.data?.name ?? session.user}
        {me.data?.platformAdmin ? " · platform admin" : ""}
      </Text>
      <Button onClick={onSignOut}>Sign out</Button>
    </header>
  );

  if (me.isLoading) return <div className="shell">{header}<main id="main"><Loading /></main></div>;
  if (me.error || !current) {
    return (
      <div className="shell">
        {header}
        <main id="main" style={{ gridColumn: "1 / -1" }}>
          <ErrorNote error={me.error} title="Your tenants could not be read" />
          {!me.error ? <NoTenant platformAdmin={!!me.data?.platformAdmin} onCreated={(t) => { saveTenant(t); setTenant(t); }} /> : null}
          {me.data?.platformAdmin ? <TenantsAdmin platformAdmin memberOf={[]} /> : null}
        </main>
      </div>
    );
  }
  return (
    <TenantContext.Provider
      value={{ tenant: current.tenantId, role: current.role, platformAdmin: !!me.data?.platformAdmin, info: current }}
    >
      <div className="shell" key={current.tenantId}>
        {header}
        <nav aria-label="Sections">
          {NAV.map(([to, label]) => (
            <NavLink key={to} to={to}>
              {label}
            </NavLink>
          ))}
          {me.data?.platformAdmin ? <NavLink to="/tenants">Tenants (admin)</NavLink> : null}
        </nav>
        <main id="main" tabIndex={-1}>
          <Routes>
            <Route path="/" element={<Navigate to="/runs" replace />} />
            <Route path="/datasets" element={<Datasets />} />
            <Route path="/datasets/:id" element={<DatasetPage />} />
            <Route path="/experiments" element={<Experiments />} />
            <Route path="/experiments/new" element={<NewExperiment />} />
            <Route path="/experiments/:id" element={<ExperimentPage />} />
            <Route path="/runs" element={<Runs />} />
            <Route path="/runs/:id" element={<RunPage />} />
            <Route path="/models" element={<Models />} />
            <Route path="/models/:id" element={<ModelPage />} />
            <Route path="/batch-jobs" element={<BatchJobs />} />
            <Route path="/endpoints" element={<Endpoints />} />
            <Route path="/endpoints/:id" element={<EndpointPage />} />
            <Route path="/operations" element={<Operations />} />
            <Route path="/members" element={<Members />} />
            <Route path="/audit" element={<Audit />} />
            <Route
              path="/tenants"
              element={<TenantsAdmin platformAdmin={!!me.data?.platformAdmin} memberOf={tenants.map((t) => t.tenantId)} />}
            />
            <Route path="*" element={<Text>No such page. Pick a section on the left.</Text>} />
          </Routes>
        </main>
      </div>
    </TenantContext.Provider>
  );
}
