import {
  Button,
  Dropdown,
  Field,
  Input,
  Option,
  SpinButton,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { api, ok, withHeaders } from "../api/client";
import { ApiError } from "../api/errors";
import type { Endpoint } from "../api/types";
import { EmptyState, ErrorNote, Loading, PageTitle, StatusBadge, when } from "../components/common";
import { DeleteButton } from "../components/DeleteButton";
import { operationIdFrom, track } from "../lib/operations";
import { keys, useDeployment, useEndpoint, useEndpoints, useModels } from "../lib/queries";
import { can, useTenant } from "../lib/tenant";
import { OperationProgress } from "./Operations";
import { Playground } from "./Playground";

export function Endpoints() {
  const { tenant, role } = useTenant();
  const list = useEndpoints(tenant);
  const queries = useQueryClient();
  const [name, setName] = useState("");
  const create = useMutation({
    mutationFn: () => ok(api.POST("/api/v1/tenants/{tenant}/endpoints", { params: { path: { tenant } }, body: { name } })),
    onSuccess: () => {
      setName("");
      return queries.invalidateQueries({ queryKey: keys.endpoints(tenant) });
    },
  });
  const items = list.data?.value ?? [];
  const err = create.error instanceof ApiError ? create.error : undefined;
  return (
    <>
      <PageTitle title="Endpoints" />
      {can(role, "contributor") ? (
        <form
          className="row card"
          aria-label="New endpoint"
          onSubmit={(e) => {
            e.preventDefault();
            create.mutate();
          }}
        >
          <Field label="Endpoint name" required validationMessage={err?.about("name")}>
            <Input value={name} onChange={(_, d) => setName(d.value)} placeholder="iris-online" />
          </Field>
          <Button appearance="primary" type="submit" disabled={!name || create.isPending}>
            Create endpoint
          </Button>
        </form>
      ) : null}
      <ErrorNote error={create.error} title="The endpoint was not created" />
      <ErrorNote error={list.error} />
      {list.isLoading ? <Loading /> : null}
      {list.isSuccess && items.length === 0 ? (
        <EmptyState title="No endpoints yet">
          Create an endpoint, then deploy a registered model to it under a deployment name (blue, green…) and score
          rows in its playground.
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <Table aria-label="Endpoints" style={{ marginTop: 12 }}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>State</TableHeaderCell>
              <TableHeaderCell>Traffic</TableHeaderCell>
              <TableHeaderCell>Created</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((ep) => (
              <TableRow key={ep.id}>
                <TableCell>
                  <Link to={`/endpoints/${ep.id}`}>{ep.name}</Link>
                </TableCell>
                <TableCell>
                  <StatusBadge status={ep.state} />
                </TableCell>
                <TableCell>{trafficText(ep)}</TableCell>
                <TableCell>{when(ep.createdAt)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </>
  );
}

const trafficText = (ep: Endpoint) =>
  Object.entries(ep.traffic ?? {})
    .map(([k, v]) => `${k} ${v}%`)
    .join(", ") || "no traffic";

export function trafficProblem(split: Record<string, number>): string | undefined {
  const values = Object.values(split);
  if (values.length === 0) return undefined;
  if (values.some((v) => !Number.isInteger(v) || v < 0 || v > 100)) return "Each share is a whole percent, 0 to 100.";
  const sum = values.reduce((a, b) => a + b, 0);
  return sum === 100 ? undefined : `The shares add up to ${sum}%; they must add up to 100%.`;
}

function TrafficEditor({ endpoint }: { endpoint: Endpoint }) {
  const { tenant } = useTenant();
  const queries = useQueryClient();
  const [split, setSplit] = useState<Record<string, number>>(endpoint.traffic ?? {});
  const problem = trafficProblem(split);
  const save = useMutation({
    mutationFn: () =>
      ok(
        api.PATCH("/api/v1/tenants/{tenant}/endpoints/{id}", {
          params: { path: { tenant, id: endpoint.id } },
          headers: { "If-Match": endpoint.etag },
          body: { traffic: split },
        }),
      ),
    onSuccess: () => queries.invalidateQueries({ queryKey: keys.endpoint(tenant, endpoint.id) }),
  });
  const names = Object.keys(split);
  if (names.length === 0) return <Text>No deployment takes traffic yet.</Text>;
  return (
    <form
      className="stack"
      aria-label="Traffic split"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
    >
      <div className="row">
        {names.map((n) => (
          <Field key={n} label={`${n} (%)`}>
            <SpinButton
              min={0}
              max={100}
              value={split[n] ?? 0}
              onChange={(_, d) => {
                const v = d.value ?? Number(d.displayValue);
                setSplit((s) => ({ ...s, [n]: Number.isNaN(v) ? 0 : v }));
              }}
            />
          </Field>
        ))}
      </div>
      {problem ? (
        <Text role="status" style={{ color: "#b10e1c" }}>
          {problem}
        </Text>
      ) : null}
      <div>
        <Button type="submit" disabled={!!problem || save.isPending}>
          Save traffic
        </Button>
      </div>
      <ErrorNote error={save.error} title="The traffic was not changed" />
    </form>
  );
}

function DeploymentRow({ endpointId, name, share }: { endpointId: string; name: string; share?: number }) {
  const { tenant } = useTenant();
  const dep = useDeployment(tenant, endpointId, name);
  return (
    <TableRow>
      <TableCell>{name}</TableCell>
      <TableCell>{dep.data ? <StatusBadge status={dep.data.state} /> : dep.error ? "unknown" : "…"}</TableCell>
      <TableCell>{dep.data ? <Link to={`/models/${dep.data.modelId}`}>{dep.data.modelId}</Link> : "—"}</TableCell>
      <TableCell>{share ?? 0}%</TableCell>
      <TableCell>{dep.data?.error ?? ""}</TableCell>
    </TableRow>
  );
}

function DeployForm({ endpointId, onStarted }: { endpointId: string; onStarted: (name: string, op?: string) => void }) {
  const { tenant } = useTenant();
  const [params] = useSearchParams();
  const models = useModels(tenant);
  const [name, setName] = useState("blue");
  const [modelId, setModelId] = useState(params.get("modelId") ?? "");
  const deploy = useMutation({
    mutationFn: () =>
      withHeaders(
        api.PUT("/api/v1/tenants/{tenant}/endpoints/{id}/deployments/{name}", {
          params: { path: { tenant, id: endpointId, name } },
          body: { modelId },
        }),
      ),
    onSuccess: ({ headers }) => {
      const op = operationIdFrom(headers.get("Operation-Location"));
      if (op) track({ tenant, id: op, what: `deploy ${name} to endpoint ${endpointId}` });
      onStarted(name, op);
    },
  });
  const err = deploy.error instanceof ApiError ? deploy.error : undefined;
  const chosen = models.data?.value.find((m) => m.id === modelId);
  return (
    <form
      className="row card"
      aria-label="Deploy a model"
      onSubmit={(e) => {
        e.preventDefault();
        deploy.mutate();
      }}
    >
      <Field label="Deployment name" required validationMessage={err?.about("name")}>
        <Input value={name} onChange={(_, d) => setName(d.value)} />
      </Field>
      <Field label="Model" required validationMessage={err?.about("modelId")}>
        <Dropdown
          aria-label="Model"
          placeholder="Pick a model"
          value={chosen ? `${chosen.name} (v${chosen.version})` : ""}
          selectedOptions={modelId ? [modelId] : []}
          onOptionSelect={(_, d) => setModelId(d.optionValue ?? "")}
        >
          {(models.data?.value ?? []).map((m) => (
            <Option key={m.id} value={m.id} text={`${m.name} (v${m.version})`}>
              {m.name} (v{m.version})
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Button appearance="primary" type="submit" disabled={!name || !modelId || deploy.isPending}>
        Deploy
      </Button>
      <div style={{ flexBasis: "100%" }}>
        <ErrorNote error={deploy.error} title="The deployment did not start" />
      </div>
    </form>
  );
}

export function EndpointPage() {
  const { id = "" } = useParams();
  const { tenant, role } = useTenant();
  const ep = useEndpoint(tenant, id);
  const queries = useQueryClient();
  const [started, setStarted] = useState<{ name: string; op?: string }>();
  if (ep.isLoading) return <Loading />;
  if (!ep.data) return <ErrorNote error={ep.error} />;
  const e = ep.data;
  const names = [...new Set([...Object.keys(e.traffic ?? {}), ...(started ? [started.name] : [])])];
  const live = Object.entries(e.traffic ?? {}).sort((a, b) => b[1] - a[1])[0]?.[0];
  return (
    <>
      <PageTitle
        title={`Endpoint ${e.name}`}
        actions={
          can(role, "contributor") ? (
            <DeleteButton
              what={`endpoint ${e.name} and its deployments`}
              run={() => api.DELETE("/api/v1/tenants/{tenant}/endpoints/{id}", { params: { path: { tenant, id } } })}
            />
          ) : null
        }
      />
      <p className="muted">
        <StatusBadge status={e.state} /> · traffic: {trafficText(e)}
        {e.scoringUri ? ` · ${e.scoringUri}` : ""}
      </p>
      {can(role, "contributor") ? (
        <DeployForm endpointId={id} onStarted={(name, op) => setStarted({ name, op })} />
      ) : null}
      {started?.op ? (
        <div className="card" style={{ marginTop: 12 }}>
          <OperationProgress
            tenant={tenant}
            id={started.op}
            what={`Deploying ${started.name}`}
            onDone={() => queries.invalidateQueries({ queryKey: keys.endpoint(tenant, id) })}
          />
        </div>
      ) : null}
      <div className="grid2" style={{ marginTop: 12 }}>
        <section className="card stack" aria-label="Deployments">
          <h2 style={{ fontSize: 16, margin: 0 }}>Deployments</h2>
          {names.length === 0 ? (
            <Text>No deployments yet: deploy a registered model above.</Text>
          ) : (
            <Table size="small" aria-label="Deployments list">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Name</TableHeaderCell>
                  <TableHeaderCell>State</TableHeaderCell>
                  <TableHeaderCell>Model</TableHeaderCell>
                  <TableHeaderCell>Traffic</TableHeaderCell>
                  <TableHeaderCell>Error</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {names.map((n) => (
                  <DeploymentRow key={n} endpointId={id} name={n} share={e.traffic?.[n]} />
                ))}
              </TableBody>
            </Table>
          )}
          <h3 style={{ fontSize: 14, margin: 0 }}>Traffic split</h3>
          {can(role, "contributor") ? <TrafficEditor key={e.etag} endpoint={e} /> : <Text>{trafficText(e)}</Text>}
        </section>
        <section className="card stack" aria-label="Scoring playground">
          <h2 style={{ fontSize: 16, margin: 0 }}>Scoring playground</h2>
          {live ? (
            <Playground endpointId={id} deployment={live} />
          ) : (
            <Text>The playground opens once a deployment takes traffic.</Text>
          )}
        </section>
      </div>
    </>
  );
}
