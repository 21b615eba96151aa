import {
  Button,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "react-router";
import { downloadOutput } from "../api/batch";
import { api } from "../api/client";
import type { BatchJob, BatchJobStatus } from "../api/types";
import { EmptyState, ErrorNote, Loading, PageTitle, Progress, Refresh, StatusBadge, when } from "../components/common";
import { DeleteButton } from "../components/DeleteButton";
import { FilterDropdown, useFilterParams } from "../components/Filter";
import { useBatchJobs } from "../lib/batch";
import { enumOf } from "../lib/contract";
import { useDatasets, useModels } from "../lib/queries";
import { can, useTenant } from "../lib/tenant";

const count = (n: number) => n.toLocaleString("en-US");

/** A job's bar: rows scored of the dataset's rows (100 % only when Completed: a failed job shows how far it got). */
export function batchProgress(job: BatchJob): { value?: number; label: string } {
  const p = job.progress ?? { rowsDone: 0, rowsTotal: null, percent: null };
  if (job.status === "NotStarted") return { value: undefined, label: "Waiting to start…" };
  const percent = p.percent ?? (job.status === "Completed" ? 100 : undefined);
  const rows = p.rowsTotal ? `${count(p.rowsDone)} / ${count(p.rowsTotal)} rows` : `${count(p.rowsDone)} rows`;
  const value = percent !== undefined && percent !== null ? percent / 100 : job.status === "Running" ? undefined : 0;
  return { value, label: `${percent !== undefined && percent !== null ? `${Math.round(percent)}% · ` : ""}${rows}` };
}

function Download({ job }: { job: BatchJob }) {
  const { tenant } = useTenant();
  const download = useMutation({ mutationFn: () => downloadOutput(tenant, job.id) });
  return (
    <>
      <Button
        size="small"
        aria-label={`Download the CSV of batch job ${job.id}`}
        onClick={() => download.mutate()}
        disabled={download.isPending}
      >
        Download CSV
      </Button>
      <ErrorNote error={download.error} title="The CSV could not be downloaded" />
    </>
  );
}

function JobsTable({ jobs }: { jobs: BatchJob[] }) {
  const { tenant, role } = useTenant();
  const queries = useQueryClient();
  const contributor = can(role, "contributor");
  const datasets = useDatasets(tenant);
  const datasetName = (id: string) => datasets.data?.value.find((d) => d.id === id)?.name ?? id;
  return (
    <Table aria-label="Batch jobs">
      <TableHeader>
        <TableRow>
          <TableHeaderCell className="wide-only id-col">Job</TableHeaderCell>
          <TableHeaderCell>Model</TableHeaderCell>
          <TableHeaderCell className="wide-only">Dataset</TableHeaderCell>
          <TableHeaderCell className="status-col">Status</TableHeaderCell>
          <TableHeaderCell className="progress-col">Progress</TableHeaderCell>
          <TableHeaderCell className="wide-only">Started</TableHeaderCell>
          <TableHeaderCell className="actions-col">Output</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {jobs.map((j) => {
          const p = batchProgress(j);
          return (
            <TableRow key={j.id}>
              <TableCell className="wide-only id-col">
                <span className="mono" title={j.id}>
                  {j.id}
                </span>
              </TableCell>
              <TableCell>
                <Link to={`/models/${j.modelId}`}>
                  {j.modelName} v{j.modelVersion}
                </Link>
              </TableCell>
              <TableCell className="wide-only">
                <Link to={`/datasets/${j.datasetId}`}>{datasetName(j.datasetId)}</Link> v{j.datasetVersion}
              </TableCell>
              <TableCell className="status-col">
                <StatusBadge status={j.status} />
              </TableCell>
              <TableCell className="progress-col">
                <Progress value={p.value} label={p.label} />
                {j.error ? <span className="muted">{j.error}</span> : null}
              </TableCell>
              <TableCell className="wide-only">{when(j.startedAt ?? j.createdAt)}</TableCell>
              <TableCell className="actions-col">
                <div className="row" style={{ alignItems: "center", flexWrap: "nowrap", gap: 4 }}>
                  {j.status === "Completed" ? <Download job={j} /> : null}
                  {contributor ? (
                    <DeleteButton
                      what={`batch job ${j.id}`}
                      label={`Delete batch job ${j.id}`}
                      detail={j.status === "Completed" ? "Its CSV is deleted with it." : "It is stopped and deleted."}
                      run={() => api.DELETE("/api/v1/tenants/{tenant}/batchJobs/{id}", { params: { path: { tenant, id: j.id } } })}
                      onDeleted={() => queries.invalidateQueries({ queryKey: ["batchJobs", tenant] })}
                    />
                  ) : null}
                </div>
              </TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );
}

export function BatchJobs() {
  const { tenant } = useTenant();
  const [param, filter] = useFilterParams();
  const modelId = param("modelId");
  const status = param("status") as BatchJobStatus | "";
  const models = useModels(tenant);
  const jobs = useBatchJobs(tenant, modelId || undefined, status || undefined);
  const items = jobs.data?.value ?? [];
  const filtered = !!modelId || !!status;
  return (
    <>
      <PageTitle title="Batch jobs" actions={<Refresh onClick={() => jobs.refetch()} busy={jobs.isFetching} />} />
      <div className="row" role="search" aria-label="Filter batch jobs" style={{ marginBottom: 12 }}>
        <FilterDropdown
          label="Model"
          every="Every model"
          value={modelId}
          choices={(models.data?.value ?? []).map((m) => ({ value: m.id, text: `${m.name} v${m.version}` }))}
          onChange={(v) => filter("modelId", v)}
        />
        <FilterDropdown
          label="Status"
          every="Any status"
          value={status}
          choices={enumOf("BatchJob", "status") ?? []}
          onChange={(v) => filter("status", v)}
        />
        <span className="muted">newest first</span>
      </div>
      <ErrorNote error={jobs.error} />
      {jobs.isLoading ? <Loading /> : null}
      {jobs.isSuccess && items.length === 0 ? (
        filtered ? (
          <EmptyState title="No batch job matches">Pick another model or status, or clear the filters.</EmptyState>
        ) : (
          <EmptyState title="No batch jobs yet" action={<Link to="/models">Go to Models</Link>}>
            Open a model and pick "Score a dataset": the job scores every row and writes a CSV (the input columns, the
            prediction and, for classification, each class's probability) to download here.
          </EmptyState>
        )
      ) : null}
      {items.length > 0 ? <JobsTable jobs={items} /> : null}
      {jobs.data?.nextLink ? <p className="muted">The newest 100 are shown; filter to narrow.</p> : null}
    </>
  );
}
