import { Button, Field, Input, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from "@fluentui/react-components";
import { useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import type { ApiError } from "../api/errors";
import type { ColumnProfile } from "../api/types";
import { uploadDataset, uploadVersion } from "../api/upload";
import { EmptyState, ErrorNote, Loading, PageTitle, Progress, when } from "../components/common";
import { keys, useDataset, useDatasets, useVersions } from "../lib/queries";
import { can, useTenant } from "../lib/tenant";

function kb(n: number) {
  return n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** Pick a CSV, send it with a progress bar; `send` gets the file and a progress callback. */
function CsvUpload({
  label,
  withName,
  send,
}: {
  label: string;
  withName: boolean;
  send: (file: File, name: string, progress: (loaded: number, total: number) => void) => Promise<unknown>;
}) {
  const [file, setFile] = useState<File>();
  const [name, setName] = useState("");
  const [progress, setProgress] = useState<{ loaded: number; total: number }>();
  const [error, setError] = useState<unknown>();
  const input = useRef<HTMLInputElement>(null);
  const busy = progress !== undefined;
  const err = error as ApiError | undefined;
  return (
    <form
      className="card stack"
      aria-label={label}
      onSubmit={async (e) => {
        e.preventDefault();
        if (!file) return;
        setError(undefined);
        setProgress({ loaded: 0, total: file.size });
        try {
          await send(file, name, (loaded, total) => setProgress({ loaded, total }));
          setFile(undefined);
          setName("");
          if (input.current) input.current.value = "";
        } catch (e2) {
          setError(e2);
        } finally {
          setProgress(undefined);
        }
      }}
    >
      <div className="row">
        <Field label="CSV file" required validationMessage={err?.about?.("file")}>
          <input
            ref={input}
            type="file"
            accept=".csv,text/csv"
            aria-label="CSV file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              setFile(f);
              if (f && !name) setName(f.name.replace(/\.csv$/i, "").replace(/[^A-Za-z0-9._-]/g, "-"));
            }}
          />
        </Field>
        {withName ? (
          <Field label="Name" required validationMessage={err?.about?.("name")}>
            <Input value={name} onChange={(_, d) => setName(d.value)} placeholder="iris" />
          </Field>
        ) : null}
        <Button appearance="primary" type="submit" disabled={!file || busy || (withName && !name)}>
          {label}
        </Button>
      </div>
      {progress ? (
        <Progress
          value={progress.total ? progress.loaded / progress.total : undefined}
          label={
            progress.loaded >= progress.total
              ? "Uploaded; the API is profiling the data…"
              : `Uploading ${kb(progress.loaded)} of ${kb(progress.total)}`
          }
        />
      ) : null}
      <ErrorNote error={error} title="The upload was refused" />
    </form>
  );
}

export function Datasets() {
  const { tenant, role } = useTenant();
  const list = useDatasets(tenant);
  const queries = useQueryClient();
  const navigate = useNavigate();
  const items = list.data?.value ?? [];
  return (
    <>
      <PageTitle title="Datasets" />
      {can(role, "contributor") ? (
        <CsvUpload
          label="Upload"
          withName
          send={async (file, name, progress) => {
            const ds = await uploadDataset(tenant, { name }, file, (p) => progress(p.loaded, p.total));
            await queries.invalidateQueries({ queryKey: keys.datasets(tenant) });
            navigate(`/datasets/${ds.id}`);
          }}
        />
      ) : null}
      <ErrorNote error={list.error} />
      {list.isLoading ? <Loading /> : null}
      {list.isSuccess && items.length === 0 ? (
        <EmptyState title="No datasets yet">
          Upload a CSV with a header row (for a first try, samples/iris.csv from the repository). Its columns are
          profiled so you can pick a target column for an experiment.
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <Table aria-label="Datasets" style={{ marginTop: 12 }}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Rows</TableHeaderCell>
              <TableHeaderCell>Columns</TableHeaderCell>
              <TableHeaderCell>Latest version</TableHeaderCell>
              <TableHeaderCell>Created</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((d) => (
              <TableRow key={d.id}>
                <TableCell>
                  <Link to={`/datasets/${d.id}`}>{d.name}</Link>
                </TableCell>
                <TableCell>{d.profile?.rowCount ?? "—"}</TableCell>
                <TableCell>{d.profile?.columns.length ?? "—"}</TableCell>
                <TableCell>{d.latestVersion}</TableCell>
                <TableCell>{when(d.createdAt)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </>
  );
}

export function ProfileTable({ columns }: { columns: ColumnProfile[] }) {
  return (
    <Table aria-label="Profile" size="small">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Column</TableHeaderCell>
          <TableHeaderCell>Type</TableHeaderCell>
          <TableHeaderCell>Missing</TableHeaderCell>
          <TableHeaderCell>Distinct</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {columns.map((c) => (
          <TableRow key={c.name}>
            <TableCell>{c.name}</TableCell>
            <TableCell>{c.type}</TableCell>
            <TableCell>{c.missing}</TableCell>
            <TableCell>{c.distinct ?? "—"}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

export function DatasetPage() {
  const { id = "" } = useParams();
  const { tenant, role } = useTenant();
  const ds = useDataset(tenant, id);
  const versions = useVersions(tenant, id);
  const queries = useQueryClient();
  if (ds.isLoading) return <Loading />;
  if (ds.error || !ds.data) return <ErrorNote error={ds.error} />;
  const d = ds.data;
  return (
    <>
      <PageTitle
        title={`Dataset ${d.name}`}
        actions={
          can(role, "contributor") ? (
            <Link to={`/experiments/new?datasetId=${d.id}`}>Create an experiment on it</Link>
          ) : null
        }
      />
      <p className="muted">
        {d.profile?.rowCount ?? "?"} rows · {d.profile?.columns.length ?? "?"} columns · version {d.latestVersion} ·
        source {d.source}
      </p>
      <div className="grid2">
        <section className="card" aria-label="Profile of the latest version">
          <h2 style={{ fontSize: 16 }}>Profile (version {d.latestVersion})</h2>
          {d.profile ? <ProfileTable columns={d.profile.columns} /> : <p>No profile: the data is referenced by URI.</p>}
        </section>
        <section className="card stack" aria-label="Versions">
          <h2 style={{ fontSize: 16, margin: 0 }}>Versions</h2>
          <ErrorNote error={versions.error} />
          <Table size="small" aria-label="Versions list">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>Version</TableHeaderCell>
                <TableHeaderCell>Rows</TableHeaderCell>
                <TableHeaderCell>Size</TableHeaderCell>
                <TableHeaderCell>Created</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {(versions.data?.value ?? []).map((v) => (
                <TableRow key={v.id}>
                  <TableCell>{v.version}</TableCell>
                  <TableCell>{v.profile?.rowCount ?? "—"}</TableCell>
                  <TableCell>{v.sizeBytes ? kb(v.sizeBytes) : "—"}</TableCell>
                  <TableCell>{when(v.createdAt)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
          {can(role, "contributor") && d.source === "upload" ? (
            <CsvUpload
              label="Upload a new version"
              withName={false}
              send={async (file, _name, progress) => {
                await uploadVersion(tenant, id, file, (p) => progress(p.loaded, p.total));
                await queries.invalidateQueries({ queryKey: keys.dataset(tenant, id) });
                await queries.invalidateQueries({ queryKey: keys.versions(tenant, id) });
              }}
            />
          ) : null}
        </section>
      </div>
    </>
  );
}
