import { Button, Field, Input, Text } from "@fluentui/react-components";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import { api, ok } from "../api/client";
import type { InputColumn } from "../api/types";
import { ErrorNote, Loading } from "../components/common";
import { useDeployment, useModel } from "../lib/queries";
import { useTenant } from "../lib/tenant";

type Cell = string | number | boolean | null;

/** A form value in the column's profiled type: numbers for integer/number columns, booleans for boolean ones. */
export function typed(column: InputColumn, raw: string): Cell {
  const text = raw.trim();
  if (text === "") return null;
  if (column.type === "integer" || column.type === "number") {
    const n = Number(text);
    return Number.isNaN(n) ? text : n;
  }
  if (column.type === "boolean") return ["true", "1", "yes"].includes(text.toLowerCase());
  return text;
}

export function ScoreForm({
  columns,
  onScore,
  busy,
}: {
  columns: InputColumn[];
  onScore: (row: Record<string, Cell>) => void;
  busy?: boolean;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  return (
    <form
      className="stack"
      aria-label="Score a row"
      onSubmit={(e) => {
        e.preventDefault();
        onScore(Object.fromEntries(columns.map((c) => [c.name, typed(c, values[c.name] ?? "")])));
      }}
    >
      <div className="grid2" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(160px, 1fr))" }}>
        {columns.map((c) => (
          <Field key={c.name} label={`${c.name} (${c.type})`}>
            <Input
              type={c.type === "integer" || c.type === "number" ? "number" : "text"}
              step="any"
              value={values[c.name] ?? ""}
              onChange={(_, d) => setValues((v) => ({ ...v, [c.name]: d.value }))}
            />
          </Field>
        ))}
      </div>
      <div>
        <Button appearance="primary" type="submit" disabled={busy}>
          Score
        </Button>
      </div>
    </form>
  );
}

/** The scoring playground: the form comes from the model of the deployment with the largest share; the answer
 * names the deployment that served it (a split endpoint routes each request by its shares). */
export function Playground({ endpointId, traffic }: { endpointId: string; traffic: Record<string, number> }) {
  const { tenant } = useTenant();
  const main = Object.entries(traffic).sort((a, b) => b[1] - a[1])[0]?.[0] ?? "";
  const dep = useDeployment(tenant, endpointId, main);
  const model = useModel(tenant, dep.data?.modelId ?? "");
  const score = useMutation({
    mutationFn: (row: Record<string, Cell>) =>
      ok(
        api.POST("/api/v1/tenants/{tenant}/endpoints/{id}:score", {
          params: { path: { tenant, id: endpointId } },
          body: { rows: [row] },
        }),
      ),
  });
  if (dep.isLoading || (dep.data && model.isLoading)) return <Loading />;
  if (!model.data) return <ErrorNote error={dep.error ?? model.error} />;
  const columns = model.data.inputColumns ?? [];
  const shares = Object.entries(traffic)
    .filter(([, v]) => v > 0)
    .map(([k, v]) => `${k} ${v}%`)
    .join(", ");
  return (
    <>
      <Text className="muted">
        Rows go to the endpoint, which routes each request by its traffic split ({shares}). The form comes from the
        input columns of model {model.data.name} v{model.data.version}.
      </Text>
      {columns.length === 0 ? (
        <Text>This model has no recorded input columns (registered before the API recorded them).</Text>
      ) : (
        <ScoreForm columns={columns} onScore={(row) => score.mutate(row)} busy={score.isPending} />
      )}
      <ErrorNote error={score.error} title="Scoring failed" />
      {score.data ? (
        <div role="status" aria-label="Predictions" className="card">
          <Text weight="semibold">Prediction: </Text>
          <output className="mono">{score.data.predictions.map((p) => String(p)).join(", ")}</output>
          <Text className="muted" aria-label="Answered by">
            {" "}
            · answered by deployment <b>{score.data.deployment}</b>
          </Text>
        </div>
      ) : null}
    </>
  );
}
