import {
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";
import { Link } from "react-router";
import type { JobStatus, Run } from "../api/types";
import { EmptyState, ErrorNote, fmt, Loading, PageTitle, Progress, StatusBadge, when } from "../components/common";
import { FilterDropdown, useFilterParams } from "../components/Filter";
import { enumOf } from "../lib/contract";
import { useExperiments, useRuns } from "../lib/queries";
import { useTenant } from "../lib/tenant";

/** A run's bar: the API's percent (100 only when Completed: a failed run shows how far it got). */
export function runProgress(run: Run): { value?: number; label: string } {
  const p = run.progress ?? {};
  const trials = `${p.trialsDone ?? 0} trial${p.trialsDone === 1 ? "" : "s"}`;
  const best = p.bestScore !== undefined && p.bestScore !== null ? ` · best ${fmt(p.bestScore)}` : "";
  if (run.status === "NotStarted" || run.status === "Queued" || run.status === "Preparing") {
    return { value: undefined, label: `${run.status}…` };
  }
  const percent = p.percent ?? (run.status === "Completed" ? 100 : undefined);
  const value = percent !== undefined ? percent / 100 : run.status === "Failed" || run.status === "Canceled" ? 0 : undefined;
  return { value, label: `${percent !== undefined ? `${Math.round(percent)}% · ` : ""}${trials}${best}` };
}

export function RunsTable({ runs, withExperiment = true }: { runs: Run[]; withExperiment?: boolean }) {
  return (
    <Table aria-label="Runs">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Run</TableHeaderCell>
          {withExperiment ? <TableHeaderCell className="wide-only">Experiment</TableHeaderCell> : null}
          <TableHeaderCell>Status</TableHeaderCell>
          <TableHeaderCell className="progress-col">Progress</TableHeaderCell>
          <TableHeaderCell className="wide-only">Task · metric</TableHeaderCell>
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
              {withExperiment ? (
                <TableCell className="wide-only">
                  <Link to={`/experiments/${r.experimentId}`}>{r.experimentName ?? r.experimentId}</Link>
                </TableCell>
              ) : null}
              <TableCell>
                <StatusBadge status={r.status} />
              </TableCell>
              <TableCell className="progress-col">
                <Progress value={p.value} label={p.label} />
              </TableCell>
              <TableCell className="wide-only">
                {r.task ? `${r.task} · ` : ""}
                {r.primaryMetric}
              </TableCell>
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
  const [param, filter] = useFilterParams();
  const experimentId = param("experimentId");
  const status = param("status") as JobStatus | "";
  const experiments = useExperiments(tenant);
  const runs = useRuns(tenant, experimentId || undefined, status || undefined);
  const items = runs.data?.value ?? [];
  const filtered = !!experimentId || !!status;
  return (
    <>
      <PageTitle title="Runs" />
      <div className="row" role="search" aria-label="Filter runs" style={{ marginBottom: 12 }}>
        <FilterDropdown
          label="Experiment"
          every="Every experiment"
          value={experimentId}
          choices={(experiments.data?.value ?? []).map((e) => ({ value: e.id, text: e.name }))}
          onChange={(v) => filter("experimentId", v)}
        />
        <FilterDropdown
          label="Status"
          every="Any status"
          value={status}
          choices={enumOf("Run", "status") ?? []}
          onChange={(v) => filter("status", v)}
        />
        <span className="muted">newest first</span>
      </div>
      <ErrorNote error={runs.error} />
      {runs.isLoading ? <Loading /> : null}
      {runs.isSuccess && items.length === 0 ? (
        filtered ? (
          <EmptyState title="No run matches">Pick another experiment or status, or clear the filters.</EmptyState>
        ) : (
          <EmptyState title="No runs yet" action={<Link to="/experiments">Go to Experiments</Link>}>
            Start a run from an experiment's page. Its status and progress show here while it trains.
          </EmptyState>
        )
      ) : null}
      {items.length > 0 ? <RunsTable runs={items} /> : null}
      {runs.data?.nextLink ? <p className="muted">The newest 200 runs are shown; filter to narrow.</p> : null}
    </>
  );
}
