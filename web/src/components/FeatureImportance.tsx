import { Button, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow } from "@fluentui/react-components";
import { useState } from "react";
import { ApiError } from "../api/errors";
import type { Explanation, FeatureImportance as Feature } from "../api/types";
import { useExplanation } from "../lib/batch";
import { useTenant } from "../lib/tenant";
import { ErrorNote, fmt, Loading, when } from "./common";

const FIRST = 15;

/** Most important first (the API sends them so; ties by name, so the order is stable). */
export function ranked(features: readonly Feature[]): Feature[] {
  return [...features].sort((a, b) => b.importance - a.importance || a.feature.localeCompare(b.feature));
}

function Bars({ explanation }: { explanation: Explanation }) {
  const [all, setAll] = useState(false);
  const features = ranked(explanation.features);
  const top = Math.max(...features.map((f) => f.importance), 0);
  const shown = all ? features : features.slice(0, FIRST);
  return (
    <>
      <Table aria-label="Feature importance" size="small">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Column</TableHeaderCell>
            <TableHeaderCell>Importance</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {shown.map((f) => (
            <TableRow key={f.feature}>
              <TableCell>{f.feature}</TableCell>
              <TableCell>
                <div className="importance">
                  <span className="importance-track" aria-hidden="true">
                    <span
                      className="importance-bar"
                      style={{ width: `${top > 0 ? (Math.max(f.importance, 0) / top) * 100 : 0}%` }}
                    />
                  </span>
                  <span className="mono">
                    {fmt(f.importance)}
                    {f.std !== null && f.std !== undefined ? ` ± ${fmt(f.std)}` : ""}
                  </span>
                </div>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {features.length > shown.length ? (
        <Button appearance="subtle" onClick={() => setAll(true)}>
          Show all {features.length} columns
        </Button>
      ) : null}
    </>
  );
}

/**
 * Global feature importance of a run's best model (`of="runs"`) or of a model, per column of the uploaded CSV.
 * `ready` false (the run still trains or records its results): not asked yet; a 409 says the same, calmly.
 */
export function FeatureImportance({ of, id, ready = true }: { of: "runs" | "models"; id: string; ready?: boolean }) {
  const { tenant } = useTenant();
  const explanation = useExplanation(tenant, of, id, ready);
  const notYet = !ready || (explanation.error instanceof ApiError && explanation.error.status === 409);
  const e = explanation.data;
  return (
    <section className="card stack" aria-label="Feature importance section">
      <h2 style={{ fontSize: 16, margin: 0 }}>Feature importance</h2>
      {notYet ? (
        <p role="status" className="muted">
          Feature importance is available when the run completes.
          {explanation.error instanceof ApiError ? ` (${explanation.error.message})` : ""}
        </p>
      ) : (
        <ErrorNote error={explanation.error} title="The explanation could not be read" />
      )}
      {ready && explanation.isLoading ? <Loading label="Computing the explanation…" /> : null}
      {e && e.features.length === 0 ? <p>The explanation names no columns.</p> : null}
      {e && e.features.length > 0 ? (
        <>
          <p className="muted" style={{ margin: 0 }}>
            {e.method === "permutation"
              ? `How much ${e.metric} drops when a column's values are shuffled`
              : `Importance by ${e.method} (${e.metric})`}
            {e.rows ? ` · ${e.rows} held-out rows` : ""} · computed {when(e.computedAt)}
          </p>
          <Bars explanation={e} />
        </>
      ) : null}
    </section>
  );
}
