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
  Text,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { api, ok } from "../api/client";
import { ApiError } from "../api/errors";
import type { Endpoint } from "../api/types";
import { EmptyState, ErrorNote, Loading, PageTitle, StatusBadge, when } from "../components/common";
import { DeleteButton } from "../components/DeleteButton";
import { keys, useDeployments, useEndpoint, useEndpoints, useModels } from "../lib/queries";
import { can, useTenant } from "../lib/tenant";
import { OperationProgress } from "./Operations";
import { DeployForm, DeploymentsTable, TrafficEditor } from "./Deploy";
import { Playground } from "./Playground";

export { trafficProblem } from "./Deploy";

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

export const trafficText = (ep: Endpoint) =>
  Object.entries(ep.traffic ?? {})
    .map(([k, v]) => `${k} ${v}%`)
    .join(", ") || "no traffic";

export function EndpointPage() {
  const { id = "" } = useParams();
  const { tenant, role } = useTenant();
  const ep = useEndpoint(tenant, id);
  const deployments = useDeployments(tenant, id);
  const models = useModels(tenant);
  const modelNames = Object.fromEntries((models.data?.value ?? []).map((m) => [m.id, `${m.name} v${m.version}`]));
  const queries = useQueryClient();
  const [started, setStarted] = useState<{ name: string; op?: string }>();
  if (ep.isLoading) return <Loading />;
  if (!ep.data) return <ErrorNote error={ep.error} />;
  const e = ep.data;
  const deps = deployments.data?.value ?? [];
  const live = Object.values(e.traffic ?? {}).some((v) => v > 0);
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
      <div className="muted" style={{ marginBottom: 12 }}>
        <StatusBadge status={e.state} /> · traffic: {trafficText(e)}
        {e.scoringUri ? ` · ${e.scoringUri}` : ""}
      </div>
      {can(role, "contributor") ? (
        <DeployForm
          key={e.etag}
          endpointId={id}
          traffic={e.traffic ?? {}}
          onStarted={(name, op) => {
            setStarted({ name, op });
            void queries.invalidateQueries({ queryKey: keys.deployments(tenant, id) });
          }}
        />
      ) : null}
      {started?.op ? (
        <div className="card" style={{ marginTop: 12 }}>
          <OperationProgress
            tenant={tenant}
            id={started.op}
            what={`Deploying ${started.name}`}
            onDone={() => {
              void queries.invalidateQueries({ queryKey: keys.endpoint(tenant, id) });
              void queries.invalidateQueries({ queryKey: keys.deployments(tenant, id) });
            }}
          />
        </div>
      ) : null}
      <div className="grid2" style={{ marginTop: 12 }}>
        <section className="card stack" aria-label="Deployments">
          <h2 style={{ fontSize: 16, margin: 0 }}>Deployments</h2>
          <ErrorNote error={deployments.error} />
          {deployments.isSuccess && deps.length === 0 ? (
            <Text>No deployments yet: deploy a registered model above (register one from a run's leaderboard).</Text>
          ) : (
            <DeploymentsTable deployments={deps} traffic={e.traffic ?? {}} modelNames={modelNames} />
          )}
          <h3 style={{ fontSize: 14, margin: 0 }}>Traffic split</h3>
          {can(role, "contributor") ? <TrafficEditor key={`${e.etag}-${deps.length}`} endpoint={e} deployments={deps} /> : <Text>{trafficText(e)}</Text>}
        </section>
        <section className="card stack" aria-label="Scoring playground">
          <h2 style={{ fontSize: 16, margin: 0 }}>Scoring playground</h2>
          {live ? (
            <Playground endpointId={id} traffic={e.traffic ?? {}} />
          ) : (
            <Text>The playground opens once a deployment takes traffic.</Text>
          )}
        </section>
      </div>
    </>
  );
}
