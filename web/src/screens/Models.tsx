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
import { EmptyState, ErrorNote, Loading, PageTitle, when } from "../components/common";
import { keys, useModel, useModels } from "../lib/queries";
import { can, useTenant } from "../lib/tenant";

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
              <TableHeaderCell>Run</TableHeaderCell>
              <TableHeaderCell>Tags</TableHeaderCell>
              <TableHeaderCell>Created</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((m) => (
              <TableRow key={m.id}>
                <TableCell>
                  <Link to={`/models/${m.id}`}>{m.name}</Link>
                </TableCell>
                <TableCell>{m.version}</TableCell>
                <TableCell>
                  <Link to={`/runs/${m.runId}`}>{m.runId}</Link>
                </TableCell>
                <TableCell>{Object.entries(m.tags ?? {}).map(([k, v]) => `${k}=${v}`).join(", ")}</TableCell>
                <TableCell>{when(m.createdAt)}</TableCell>
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
  const tag = useMutation({
    mutationFn: (tags: Record<string, string>) =>
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
      <PageTitle title={`Model ${m.name}`} actions={<Link to={`/endpoints?modelId=${m.id}`}>Deploy it</Link>} />
      <p className="muted">
        version {m.version} · from run <Link to={`/runs/${m.runId}`}>{m.runId}</Link> · trial{" "}
        <span className="mono">{m.trialId ?? "best"}</span> · {m.description ?? ""}
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
          <p className="muted">Versions: one version per model name in this API version ({m.version}).</p>
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
                    onClick={() => tag.mutate(Object.fromEntries(Object.entries(tags).filter(([x]) => x !== k)))}
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
                tag.mutate({ ...tags, [key]: value });
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
    </>
  );
}
