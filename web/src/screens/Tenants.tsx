// Platform administrators: every tenant of the platform (GET /tenants, names starting with a prefix), member or not.
import { Field, Input, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from "@fluentui/react-components";
import { useDeferredValue, useState } from "react";
import { EmptyState, ErrorNote, Loading, PageTitle, StatusBadge, when } from "../components/common";
import { useAllTenants } from "../lib/queries";

export function TenantsAdmin({ platformAdmin, memberOf }: { platformAdmin: boolean; memberOf: string[] }) {
  const [prefix, setPrefix] = useState("");
  const deferred = useDeferredValue(prefix.trim());
  const valid = /^[A-Za-z0-9._-]*$/.test(deferred);
  const list = useAllTenants(deferred, platformAdmin && valid);
  if (!platformAdmin) {
    return (
      <EmptyState title="Platform administrators only">
        The list of every tenant is for platform administrators; your tenants are in the switcher above.
      </EmptyState>
    );
  }
  const items = list.data?.value ?? [];
  return (
    <section className="stack" aria-label="All tenants">
      <PageTitle title="Tenants" />
      <Field
        label="Name starts with"
        validationMessage={valid ? undefined : "Letters, digits, '.', '_' and '-' only."}
        style={{ maxWidth: 320 }}
      >
        <Input value={prefix} onChange={(_, d) => setPrefix(d.value)} placeholder="acme" />
      </Field>
      <ErrorNote error={list.error} />
      {list.isLoading ? <Loading /> : null}
      {list.isSuccess && items.length === 0 ? (
        <EmptyState title={deferred ? `No tenant name starts with "${deferred}"` : "No tenants yet"}>
          {deferred ? "Try a shorter prefix." : "Create the first tenant: you become its owner."}
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <Table aria-label="Tenants" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Display name</TableHeaderCell>
              <TableHeaderCell>State</TableHeaderCell>
              <TableHeaderCell className="wide-only">Quotas (runs · trials · minutes)</TableHeaderCell>
              <TableHeaderCell className="wide-only">Created</TableHeaderCell>
              <TableHeaderCell>You</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((t) => (
              <TableRow key={t.id}>
                <TableCell title={t.id}>{t.name}</TableCell>
                <TableCell>{t.displayName ?? "—"}</TableCell>
                <TableCell>
                  <StatusBadge status={t.state} />
                </TableCell>
                <TableCell className="wide-only">
                  {t.quotas.maxConcurrentRuns} · {t.quotas.maxTrialsPerRun} · {t.quotas.maxTimeoutMinutes}
                </TableCell>
                <TableCell className="wide-only">{when(t.createdAt)}</TableCell>
                <TableCell>{memberOf.includes(t.id) ? "member" : "—"}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      {list.data?.nextLink ? <p className="muted">The first 200 shown: type a prefix to narrow.</p> : null}
    </section>
  );
}
