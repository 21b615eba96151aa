// Deploying to an endpoint: the deploy form (with its traffic share), the deployments list and the traffic editor.
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
import { Link, useSearchParams } from "react-router";
import { api, ok, withHeaders } from "../api/client";
import { ApiError } from "../api/errors";
import type { Deployment, Endpoint } from "../api/types";
import { ErrorNote, fmt, StatusBadge } from "../components/common";
import { operationIdFrom } from "../lib/operations";
import { keys, useModels } from "../lib/queries";
import { useTenant } from "../lib/tenant";

export function trafficProblem(split: Record<string, number>): string | undefined {
  const values = Object.values(split);
  if (values.length === 0) return undefined;
  if (values.some((v) => !Number.isInteger(v) || v < 0 || v > 100)) return "Each share is a whole percent, 0 to 100.";
  const sum = values.reduce((a, b) => a + b, 0);
  return sum === 100 ? undefined : `The shares add up to ${sum}%; they must add up to 100%.`;
}

/** The endpoint's shares, every deployment that can take traffic (Succeeded) included, at 0 when it has none. */
export function initialSplit(endpoint: Endpoint, deployments: Deployment[]): Record<string, number> {
  const split: Record<string, number> = { ...(endpoint.traffic ?? {}) };
  for (const d of deployments) if (d.state === "Succeeded" && !(d.name in split)) split[d.name] = 0;
  return split;
}

export function TrafficEditor({ endpoint, deployments }: { endpoint: Endpoint; deployments: Deployment[] }) {
  const { tenant } = useTenant();
  const queries = useQueryClient();
  const [split, setSplit] = useState<Record<string, number>>(() => initialSplit(endpoint, deployments));
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

export function DeploymentsTable({
  deployments,
  traffic,
  modelNames = {},
}: {
  deployments: Deployment[];
  traffic: Record<string, number>;
  modelNames?: Record<string, string>;
}) {
  return (
    <Table size="small" aria-label="Deployments list">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Name</TableHeaderCell>
          <TableHeaderCell>State</TableHeaderCell>
          <TableHeaderCell>Model</TableHeaderCell>
          <TableHeaderCell>Traffic</TableHeaderCell>
          <TableHeaderCell className="wide-only">Error</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {deployments.map((d) => (
          <TableRow key={d.name}>
            <TableCell>{d.name}</TableCell>
            <TableCell>
              <StatusBadge status={d.state} />
            </TableCell>
            <TableCell>
              <Link to={`/models/${d.modelId}`}>{modelNames[d.modelId] ?? d.modelId}</Link>
            </TableCell>
            <TableCell>{traffic[d.name] ?? 0}%</TableCell>
            <TableCell className="wide-only" style={{ whiteSpace: "normal" }}>
              {d.error ?? ""}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** The share a new deployment asks for: all of it for an endpoint's first live deployment, none beside one. */
export const defaultShare = (traffic: Record<string, number> | undefined) =>
  Object.values(traffic ?? {}).some((v) => v > 0) ? 0 : 100;

export function DeployForm({
  endpointId,
  traffic,
  onStarted,
}: {
  endpointId: string;
  traffic: Record<string, number>;
  onStarted: (name: string, op?: string) => void;
}) {
  const { tenant } = useTenant();
  const [params] = useSearchParams();
  const models = useModels(tenant);
  const live = Object.values(traffic).some((v) => v > 0);
  const [name, setName] = useState(live ? "green" : "blue");
  const [modelId, setModelId] = useState(params.get("modelId") ?? "");
  const [share, setShare] = useState<number>(defaultShare(traffic));
  const shareOk = Number.isInteger(share) && share >= 0 && share <= 100;
  const deploy = useMutation({
    mutationFn: () =>
      withHeaders(
        api.PUT("/api/v1/tenants/{tenant}/endpoints/{id}/deployments/{name}", {
          params: { path: { tenant, id: endpointId, name } },
          body: { modelId, traffic: share },
        }),
      ),
    onSuccess: ({ headers }) => onStarted(name, operationIdFrom(headers.get("Operation-Location"))),
  });
  const err = deploy.error instanceof ApiError ? deploy.error : undefined;
  const chosen = models.data?.value.find((m) => m.id === modelId);
  const label = (m: { name: string; version: number; score?: number | null; primaryMetric?: string | null }) =>
    `${m.name} (v${m.version})${m.score !== null && m.score !== undefined ? ` · ${m.primaryMetric ?? "score"} ${fmt(m.score)}` : ""}`;
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
          value={chosen ? label(chosen) : ""}
          selectedOptions={modelId ? [modelId] : []}
          onOptionSelect={(_, d) => setModelId(d.optionValue ?? "")}
        >
          {(models.data?.value ?? []).map((m) => (
            <Option key={m.id} value={m.id} text={label(m)}>
              {label(m)}
            </Option>
          ))}
        </Dropdown>
      </Field>
      <Field
        label="Traffic share (%)"
        hint={live ? "0 keeps it a canary beside the live deployment" : "the endpoint's first deployment"}
        validationMessage={err?.about("traffic") ?? (shareOk ? undefined : "A whole percent, 0 to 100.")}
      >
        <SpinButton
          min={0}
          max={100}
          value={share}
          onChange={(_, d) => {
            const v = d.value ?? Number(d.displayValue);
            setShare(Number.isNaN(v) ? 0 : v);
          }}
        />
      </Field>
      <Button appearance="primary" type="submit" disabled={!name || !modelId || !shareOk || deploy.isPending}>
        Deploy
      </Button>
      <div style={{ flexBasis: "100%" }}>
        <ErrorNote error={deploy.error} title="The deployment did not start" />
      </div>
    </form>
  );
}

