import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text } from "@fluentui/react-components";
import { useEffect } from "react";
import { EmptyState, ErrorNote, PageTitle, Progress, StatusBadge, when } from "../components/common";
import { useTracked } from "../lib/operations";
import { useOperation } from "../lib/queries";
import { useTenant } from "../lib/tenant";

/** One long operation's live progress (polled until it succeeds or fails). */
export function OperationProgress({
  tenant,
  id,
  what,
  onDone,
}: {
  tenant: string;
  id: string;
  what: string;
  onDone?: () => void;
}) {
  const op = useOperation(tenant, id);
  const status = op.data?.status;
  const finished = status === "Succeeded" || status === "Failed";
  useEffect(() => {
    if (finished) onDone?.();
  }, [finished, onDone]);
  const p = op.data?.progress;
  const value = finished ? 1 : p?.percent !== undefined && p?.percent !== null ? p.percent / 100 : undefined;
  const label = `${what}: ${status ?? "…"}${p?.message ? ` · ${p.message}` : ""}${
    p?.total ? ` · ${p.done}/${p.total}` : ""
  }`;
  return (
    <div className="stack" style={{ gap: 4 }}>
      <Progress value={value} label={label} />
      {op.data?.error ? <ErrorNote error={new Error(op.data.error)} title={`${what} failed`} /> : null}
      <ErrorNote error={op.error} />
    </div>
  );
}

function Row({ tenant, id, what, startedAt }: { tenant: string; id: string; what: string; startedAt: number }) {
  const op = useOperation(tenant, id);
  return (
    <TableRow>
      <TableCell>{what}</TableCell>
      <TableCell>
        <StatusBadge status={op.data?.status} />
      </TableCell>
      <TableCell style={{ minWidth: 220 }}>
        <OperationProgress tenant={tenant} id={id} what={op.data?.kind ?? "operation"} />
      </TableCell>
      <TableCell>{when(new Date(startedAt).toISOString())}</TableCell>
    </TableRow>
  );
}

export function Operations() {
  const { tenant } = useTenant();
  const ops = useTracked(tenant);
  return (
    <>
      <PageTitle title="Operations" />
      <Text className="muted">
        Deployments and deletes started from this browser tab. (The API does not list a tenant's operations yet.)
      </Text>
      {ops.length === 0 ? (
        <EmptyState title="No long operations started here">
          Deploying a model or deleting an experiment, run, endpoint or tenant starts one; its progress shows here.
        </EmptyState>
      ) : (
        <Table aria-label="Operations">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>What</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell>Progress</TableHeaderCell>
              <TableHeaderCell>Started</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {ops.map((o) => (
              <Row key={o.id} {...o} />
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
