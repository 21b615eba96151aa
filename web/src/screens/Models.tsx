import {
  Button,
  Field,
  Input,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api, ok } from "../api/client";
import type { Model } from "../api/types";
import { EmptyState, ErrorNote, fmt, Loading, PageTitle, when } from "../components/common";
import { FeatureImportance } from "../components/FeatureImportance";
import { keys, useModel, useModels, useModelVersions } from "../lib/queries";
import { can, useTenant } from "../lib/tenant";
import { ScoreDataset } from "./ScoreDataset";

export const scoreText = (m: Model) =>
  m.score === null || m.score === undefined ? "—" : `${fmt(m.score)}${m.primaryMetric ? ` ${m.primaryMetric}` : ""}`;

/** Every version registered under a model's name, newest first, the one on screen marked. */
function Versions({ name, current }: { name: string; current: string }) {
  const { tenant } = useTenant();
  const versions = useModelVersions(tenant, name);
  const items = versions.data?.value ?? [];
  return (
    <section className="card stack" aria-label="Versions">
      <h2 style={{ fontSize: 16, margin: 0 }}>Versions of {name}</h2>
      <ErrorNote error={versions.error} />
      {versions.isLoading ? <Loading /> : null}
      {items.length > 0 ? (
        <Table aria-label="Model versions" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Version</TableHeaderCell>
              <TableHeaderCell>Score</TableHeaderCell>
              <TableHeaderCell>Run</TableHeaderCell>
              <TableHeaderCell className="wide-only">Registered</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((v) => (
              <TableRow key={v.id} aria-current={v.id === current ? "true" : undefined}>
                <TableCell>
                  {v.id === current ? <b>v{v.version} (this one)</b> : <Link to={`/models/${v.id}`}>v{v.version}</Link>}
                </TableCell>
                <TableCell>{scoreText(v)}</TableCell>
                <TableCell>
                  <Link to={`/runs/${v.runId}`}>{v.runId}</Link>
                </TableCell>
                <TableCell className="wide-only">{when(v.createdAt)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      <p className="muted">Registering the same name again (from any run's leaderboard) adds a version.</p>
    </section>
  );
}

export function Models() {
  const { tenant } = useTenant();
  const list = useModels(tenant);
  const items = list.data?.value ?? [];
  return (
    <>
      <PageTitle title="Models" />
      <ErrorNote error={list.error} />
      {list.isLoading ? <Loading /> : null}
      {list.isSuccess && items.length === 0 ? (
        <EmptyState title="No models yet" action={<Link to="/runs">Go to Runs</Link>}>
          Register a run's best model (or any trial) from the run's leaderboard; experiments with auto-register do
          it when a run completes.
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <Table aria-label="Models">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Version</TableHeaderCell>
              <TableHeaderCell>Score</TableHeaderCell>
              <TableHeaderCell className="wide-only">Run</TableHeaderCell>
              <TableHeaderCell className="wide-only">Tags</TableHeaderCell>
              <TableHeaderCell className="wide-only">Created</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((m) => (
              <TableRow key={m.id}>
                <TableCell>
                  <Link to={`/models/${m.id}`}>{m.name}</Link>
                </TableCell>
                <TableCell>v{m.version}</TableCell>
                <TableCell>{scoreText(m)}</TableCell>
                <TableCell className="wide-only">
                  <Link to={`/runs/${m.runId}`}>{m.runId}</Link>
                </TableCell>
                <TableCell className="wide-only">
                  {Object.entries(m.tags ?? {})
                    .map(([k, v]) => `${k}=${v}`)
                    .join(", ")}
                </TableCell>
                <TableCell className="wide-only">{when(m.createdAt)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </>
  );
}

export function ModelPage() {
  const { id = "" } = useParams();
  const { tenant, role } = useTenant();
  const model = useModel(tenant, id);
  const queries = useQueryClient();
  const [key, setKey] = useState("");
  const [value, setValue] = useState("");
  // PATCH is a JSON merge patch: a tag set to null is removed, the others keep their values.
  const tag = useMutation({
    mutationFn: (tags: Record<string, string | null>) =>
      ok(
        api.PATCH("/api/v1/tenants/{tenant}/models/{id}", {
          params: { path: { tenant, id } },
          headers: model.data?.etag ? { "If-Match": model.data.etag } : {},
          body: { tags },
        }),
      ),
    onSuccess: async () => {
      setKey("");
      setValue("");
      await queries.invalidateQueries({ queryKey: keys.model(tenant, id) });
    },
  });
  if (model.isLoading) return <Loading />;
  if (!model.data) return <ErrorNote error={model.error} />;
  const m = model.data;
  const tags = m.tags ?? {};
  return (
    <>
      <PageTitle
        title={`Model ${m.name}`}
        actions={
          <>
            <Link to={`/endpoints?modelId=${m.id}`}>Deploy it</Link>
            <Link to={`/batch-jobs?modelId=${m.id}`}>Its batch jobs</Link>
          </>
        }
      />
      <p className="muted">
        version {m.version} · score {scoreText(m)} · from run <Link to={`/runs/${m.runId}`}>{m.runId}</Link> · trial{" "}
        <span className="mono">{m.trialId ?? "best"}</span>
        {m.description ? ` · ${m.description}` : ""}
      </p>
      <div className="grid2">
        <section className="card stack" aria-label="Input columns">
          <h2 style={{ fontSize: 16, margin: 0 }}>Input columns</h2>
          {(m.inputColumns ?? []).length === 0 ? (
            <p>The API recorded no input columns for this model.</p>
          ) : (
            <ul>
              {(m.inputColumns ?? []).map((c) => (
                <li key={c.name}>
                  {c.name} <span className="muted">({c.type})</span>
                </li>
              ))}
            </ul>
          )}
        </section>
        <section className="card stack" aria-label="Tags">
          <h2 style={{ fontSize: 16, margin: 0 }}>Tags</h2>
          {Object.keys(tags).length === 0 ? <p>No tags.</p> : null}
          <ul>
            {Object.entries(tags).map(([k, v]) => (
              <li key={k}>
                {k} = {v}{" "}
                {can(role, "contributor") ? (
                  <Button
                    size="small"
                    appearance="subtle"
                    aria-label={`Remove tag ${k}`}
                    onClick={() => tag.mutate({ [k]: null })}
                  >
                    Remove
                  </Button>
                ) : null}
              </li>
            ))}
          </ul>
          {can(role, "contributor") ? (
            <form
              className="row"
              onSubmit={(e) => {
                e.preventDefault();
                tag.mutate({ [key]: value });
              }}
            >
              <Field label="Tag">
                <Input value={key} onChange={(_, d) => setKey(d.value)} />
              </Field>
              <Field label="Value">
                <Input value={value} onChange={(_, d) => setValue(d.value)} />
              </Field>
              <Button type="submit" disabled={!key || tag.isPending}>
                Add tag
              </Button>
            </form>
          ) : null}
          <ErrorNote error={tag.error} title="The tags were not changed" />
        </section>
      </div>
      <div className="grid2" style={{ marginTop: 16 }}>
        <FeatureImportance of="models" id={m.id} />
        {can(role, "contributor") ? <ScoreDataset model={m} /> : null}
      </div>
      <div style={{ marginTop: 16 }}>
        <Versions name={m.name} current={m.id} />
      </div>
    </>
  );
}
