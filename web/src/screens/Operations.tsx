import {
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";
import { useEffect } from "react";
import { Link } from "react-router";
import type { Operation, OperationKind, OperationStatus } from "../api/types";
import { EmptyState, ErrorNote, Loading, PageTitle, Progress, Refresh, StatusBadge, when } from "../components/common";
import { FilterDropdown, useFilterParams } from "../components/Filter";
import { enumOf } from "../lib/contract";
import { OPERATION_DONE, useOperation, useOperations } from "../lib/queries";
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
  const finished = !!status && OPERATION_DONE.includes(status);
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

/** What an operation works on, from its target URL: ".../endpoints/e1/deployments/blue" -> "endpoints/e1/deployments/blue". */
export function targetText(target: string): string {
  const m = target.match(/\/tenants\/[^/]+\/(.+)$/);
  return m?.[1] ?? target;
}

/** A console link for an operation's target, where the console has a page for it. */
export function targetLink(target: string): string | undefined {
  const m = targetText(target).match(/^(runs|endpoints|experiments|models|datasets)\/([^/?#]+)/);
  return m ? `/${m[1]}/${m[2]}` : undefined;
}

export function operationProgress(op: Operation): { value?: number; label: string } {
  const p = op.progress;
  const done = OPERATION_DONE.includes(op.status);
  const value = op.status === "Succeeded" ? 1 : p?.percent !== undefined && p?.percent !== null ? p.percent / 100 : done ? 0 : undefined;
  const label = [
    p?.percent !== undefined && p?.percent !== null ? `${Math.round(p.percent)}%` : "",
    p?.total ? `${p.done}/${p.total}` : "",
    p?.message ?? "",
  ]
    .filter(Boolean)
    .join(" · ");
  return { value, label: label || op.status };
}

export function Operations() {
  const { tenant } = useTenant();
  const [param, filter] = useFilterParams();
  const status = param("status") as OperationStatus | "";
  const kind = param("kind") as OperationKind | "";
  const ops = useOperations(tenant, status || undefined, kind || undefined);
  const items = ops.data?.value ?? [];
  return (
    <>
      <PageTitle title="Operations" actions={<Refresh onClick={() => ops.refetch()} busy={ops.isFetching} />} />
      <div className="row" role="search" aria-label="Filter operations" style={{ marginBottom: 12 }}>
        <FilterDropdown
          label="Kind"
          every="Every kind"
          value={kind}
          choices={enumOf("Operation", "kind") ?? []}
          onChange={(v) => filter("kind", v)}
        />
        <FilterDropdown
          label="Status"
          every="Any status"
          value={status}
          choices={enumOf("Operation", "status") ?? []}
          onChange={(v) => filter("status", v)}
        />
        <span className="muted">newest first</span>
      </div>
      <ErrorNote error={ops.error} />
      {ops.isLoading ? <Loading /> : null}
      {ops.isSuccess && items.length === 0 ? (
        <EmptyState title={status || kind ? "No operation matches" : "No long operations yet"}>
          {status || kind
            ? "Pick another kind or status, or clear the filters."
            : "Starting a run, deploying a model or deleting an experiment, run, endpoint or tenant starts one; its progress shows here."}
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <Table aria-label="Operations">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Kind</TableHeaderCell>
              <TableHeaderCell>Target</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell className="progress-col">Progress</TableHeaderCell>
              <TableHeaderCell className="wide-only">Started</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((o) => {
              const p = operationProgress(o);
              const link = targetLink(o.target);
              return (
                <TableRow key={o.id}>
                  <TableCell>{o.kind}</TableCell>
                  <TableCell>
                    <span className="mono" style={{ whiteSpace: "normal", wordBreak: "break-all" }}>
                      {link && o.kind !== "delete" ? <Link to={link}>{targetText(o.target)}</Link> : targetText(o.target)}
                    </span>
                  </TableCell>
                  <TableCell>
                    <StatusBadge status={o.status} />
                  </TableCell>
                  <TableCell className="progress-col">
                    <Progress value={p.value} label={p.label} />
                    {o.error ? <span className="muted">{o.error}</span> : null}
                  </TableCell>
                  <TableCell className="wide-only">{when(o.createdAt)}</TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      ) : null}
      {ops.data?.nextLink ? <p className="muted">The newest 100 shown; filter to narrow.</p> : null}
    </>
  );
}
