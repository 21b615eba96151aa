import {
  Field,
  Input,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";
import { useDeferredValue, useState } from "react";
import { EmptyState, ErrorNote, Loading, PageTitle, Refresh, when } from "../components/common";
import { useAudit } from "../lib/queries";
import { can, useTenant } from "../lib/tenant";

export function Audit() {
  const { tenant, role } = useTenant();
  const [actor, setActor] = useState("");
  const [target, setTarget] = useState("");
  const who = useDeferredValue(actor.trim());
  const what = useDeferredValue(target.trim());
  const audit = useAudit(tenant, who, what);
  if (!can(role, "owner")) {
    return (
      <>
        <PageTitle title="Audit trail" />
        <EmptyState title="Owners only">The audit trail of a tenant is readable by its owners.</EmptyState>
      </>
    );
  }
  const items = audit.data?.value ?? [];
  return (
    <>
      <PageTitle title="Audit trail" actions={<Refresh onClick={() => audit.refetch()} busy={audit.isFetching} />} />
      <div className="row" role="search" aria-label="Filter the audit trail" style={{ marginBottom: 12 }}>
        <Field label="Who (user id)">
          <Input value={actor} onChange={(_, d) => setActor(d.value)} placeholder="alice" />
        </Field>
        <Field label="What (resource id)">
          <Input value={target} onChange={(_, d) => setTarget(d.value)} />
        </Field>
      </div>
      <ErrorNote error={audit.error} />
      {audit.isLoading ? <Loading /> : null}
      {audit.isSuccess && items.length === 0 ? (
        <EmptyState title={who || what ? "No entry matches" : "Nothing changed yet"}>
          {who || what
            ? "Clear a filter, or check the exact user or resource id."
            : "Every change to the tenant (members, datasets, experiments, runs, models, endpoints) is recorded here."}
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <Table aria-label="Audit entries" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>When</TableHeaderCell>
              <TableHeaderCell>Who</TableHeaderCell>
              <TableHeaderCell>Action</TableHeaderCell>
              <TableHeaderCell>What</TableHeaderCell>
              <TableHeaderCell>Changes</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((a) => (
              <TableRow key={a.id}>
                <TableCell>{when(a.at)}</TableCell>
                <TableCell>{a.actor}</TableCell>
                <TableCell>{a.action}</TableCell>
                <TableCell>
                  {a.kind} <span className="mono">{a.targetId}</span>
                </TableCell>
                <TableCell className="mono" style={{ whiteSpace: "normal", maxWidth: 420 }}>
                  {Object.keys(a.changes ?? {}).join(", ")}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      {audit.data?.nextLink ? <p className="muted">Newest 100 shown.</p> : null}
    </>
  );
}
