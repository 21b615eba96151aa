import { Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from "@fluentui/react-components";
import { Link } from "react-router";
import type { Run } from "../api/types";
import { isTerminal } from "../api/types";
import { EmptyState, ErrorNote, fmt, Loading, PageTitle, Progress, StatusBadge, when } from "../components/common";
import { useRuns } from "../lib/queries";
import { useTenant } from "../lib/tenant";

export function runProgress(run: Run): { value?: number; label: string } {
  const p = run.progress ?? {};
  const trials = `${p.trialsDone ?? 0} trial${p.trialsDone === 1 ? "" : "s"}`;
  const best = p.bestScore !== undefined && p.bestScore !== null ? ` · best ${fmt(p.bestScore)}` : "";
  if (run.status === "NotStarted" || run.status === "Queued" || run.status === "Preparing") {
    return { value: undefined, label: `${run.status}…` };
  }
  const percent = p.percent ?? undefined;
  const value = isTerminal(run.status) ? 1 : percent !== undefined ? percent / 100 : undefined;
  return { value, label: `${percent !== undefined ? `${Math.round(percent)}% · ` : ""}${trials}${best}` };
}

export function RunsTable({ runs }: { runs: Run[] }) {
  return (
    <Table aria-label="Runs">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Run</TableHeaderCell>
          <TableHeaderCell>Status</TableHeaderCell>
          <TableHeaderCell className="progress-col">Progress</TableHeaderCell>
          <TableHeaderCell className="wide-only">Primary metric</TableHeaderCell>
          <TableHeaderCell className="wide-only">Started</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {runs.map((r) => {
          const p = runProgress(r);
          return (
            <TableRow key={r.id}>
              <TableCell>
                <Link to={`/runs/${r.id}`}>{r.id}</Link>
              </TableCell>
              <TableCell>
                <StatusBadge status={r.status} />
              </TableCell>
              <TableCell className="progress-col">
                <Progress value={p.value} label={p.label} />
              </TableCell>
              <TableCell className="wide-only">{r.primaryMetric}</TableCell>
              <TableCell className="wide-only">{when(r.startedAt ?? r.createdAt)}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

export function Runs() {
  const { tenant } = useTenant();
  const runs = useRuns(tenant);
  const items = runs.data?.value ?? [];
  return (
    <>
      <PageTitle title="Runs" />
      <ErrorNote error={runs.error} />
      {runs.isLoading ? <Loading /> : null}
      {runs.isSuccess && items.length === 0 ? (
        <EmptyState title="No runs yet" action={<Link to="/experiments">Go to Experiments</Link>}>
          Start a run from an experiment's page. Its status and progress show here while it trains.
        </EmptyState>
      ) : null}
      {items.length > 0 ? <RunsTable runs={items} /> : null}
    </>
  );
}
