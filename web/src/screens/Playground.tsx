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

export function Playground({ endpointId, deployment }: { endpointId: string; deployment: string }) {
  const { tenant } = useTenant();
  const dep = useDeployment(tenant, endpointId, deployment);
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
  return (
    <>
      <Text className="muted">
        Model {model.data.name} (deployment {deployment}); the form comes from the model's input columns.
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
        </div>
      ) : null}
    </>
  );
}
