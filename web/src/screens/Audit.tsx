import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from "@fluentui/react-components";
import { EmptyState, ErrorNote, Loading, PageTitle, Refresh, when } from "../components/common";
import { useAudit } from "../lib/queries";
import { can, useTenant } from "../lib/tenant";

export function Audit() {
  const { tenant, role } = useTenant();
  const audit = useAudit(tenant);
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
      <ErrorNote error={audit.error} />
      {audit.isLoading ? <Loading /> : null}
      {audit.isSuccess && items.length === 0 ? <EmptyState title="Nothing changed yet" /> : null}
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
