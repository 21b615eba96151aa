import { Button, Field, Input } from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, ok } from "../api/client";
import { ApiError } from "../api/errors";
import { isTerminal, type MetricPoint } from "../api/types";
import { EmptyState, ErrorNote, Loading, PageTitle, Progress, StatusBadge, when } from "../components/common";
import { DeleteButton } from "../components/DeleteButton";
import { FeatureImportance } from "../components/FeatureImportance";
import { LineChart } from "../components/LineChart";
import { useLogTail, useMetricPoints } from "../lib/paging";
import { keys, OPERATION_DONE, useRun, useTrainingOperation } from "../lib/queries";
import { can, useTenant } from "../lib/tenant";
import { Leaderboard } from "./Leaderboard";
import { runProgress } from "./Runs";

const TRIAL_SUFFIX = "_trial";

/** Metric points grouped by name, each sorted by step, x = seconds since the first point. */
export function seriesByName(points: MetricPoint[]) {
  const t0 = Math.min(...points.map((p) => Date.parse(p.timestamp)));
  const groups = new Map<string, { x: number[]; y: (number | null)[] }>(); // null: a value that could not be computed
  for (const p of [...points].sort((a, b) => a.step - b.step)) {
    const g = groups.get(p.name) ?? { x: [], y: [] };
    g.x.push((Date.parse(p.timestamp) - t0) / 1000);
    g.y.push(p.value);
    groups.set(p.name, g);
  }
  return groups;
}

function ScoreChart({ primary, points }: { primary: string; points: MetricPoint[] }) {
  const groups = useMemo(() => seriesByName(points), [points]);
  const best = groups.get(primary);
  const trial = groups.get(primary + TRIAL_SUFFIX);
  const chart = useMemo(() => {
    if (!best) return undefined;
    const series = [{ label: `best ${primary}`, values: best.y as (number | null)[], color: "#0f6cbd" }];
    if (trial && trial.y.length === best.y.length) {
      series.push({ label: `trial ${primary}`, values: trial.y, color: "#e3008c", points: true } as never);
    }
    return { x: best.x, series };
  }, [best, trial, primary]);
  const others = [...groups.keys()].filter((n) => n !== primary && n !== primary + TRIAL_SUFFIX);
  if (!chart) {
    return (
      <EmptyState title="No metric points yet">
        Each trial's score arrives within seconds of the trial; the chart fills as the run trains.
      </EmptyState>
    );
  }
  return (
    <>
      <LineChart title={`${primary}: best so far and per trial`} x={chart.x} xLabel="seconds" series={chart.series} />
      {others.map((name) => (
        <LineChart
          key={name}
          title={name}
          x={groups.get(name)!.x}
          xLabel="seconds"
          series={[{ label: name, values: groups.get(name)!.y, color: "#107c10" }]}
        />
      ))}
    </>
  );
}

export function RunPage() {
  const { id = "" } = useParams();
  const { tenant, role } = useTenant();
  const run = useRun(tenant, id);
  const queries = useQueryClient();
  const training = isTerminal(run.data?.status) || !run.data ? undefined : true;
  // The run's training operation stays Running until its results are recorded (after the status turns terminal):
  // the page reads live data until then, and once more when it ends. A run older than the operation has none (404).
  const op = useTrainingOperation(tenant, id, !!run.data);
  const recording = !!op.data && !OPERATION_DONE.includes(op.data.status);
  const live = !!training || recording;
  const metrics = useMetricPoints(tenant, id, live);
  const logs = useLogTail(tenant, id, live);
  const opStatus = op.data?.status;
  useEffect(() => {
    if (opStatus && OPERATION_DONE.includes(opStatus)) {
      void queries.invalidateQueries({ queryKey: ["trials", tenant, id] });
      void queries.invalidateQueries({ queryKey: keys.metrics(tenant, id) });
      void queries.invalidateQueries({ queryKey: keys.logs(tenant, id) });
      void queries.invalidateQueries({ queryKey: keys.run(tenant, id) });
    }
  }, [opStatus, queries, tenant, id]);
  const navigate = useNavigate();
  const [modelName, setModelName] = useState("");
  const cancel = useMutation({
    mutationFn: () => ok(api.POST("/api/v1/tenants/{tenant}/runs/{id}:cancel", { params: { path: { tenant, id } } })),
    onSuccess: () => queries.invalidateQueries({ queryKey: keys.run(tenant, id) }),
  });
  const register = useMutation({
    mutationFn: (trialId?: string) =>
      ok(
        api.POST("/api/v1/tenants/{tenant}/models", {
          params: { path: { tenant } },
          body: { name: modelName || `model-${id}`.slice(0, 64), runId: id, ...(trialId ? { trialId } : {}) },
        }),
      ),
    onSuccess: async (m) => {
      await queries.invalidateQueries({ queryKey: keys.models(tenant) });
      navigate(`/models/${m.id}`);
    },
  });
  if (run.isLoading) return <Loading />;
  if (!run.data) return <ErrorNote error={run.error} />;
  const r = run.data;
  const p = runProgress(r);
  const contributor = can(role, "contributor");
  const lines = logs.data?.lines ?? [];
  const hasTrials = (r.progress?.trialsDone ?? 0) > 0;
  const regErr = register.error instanceof ApiError ? register.error : undefined;
  return (
    <>
      <PageTitle
        title={`Run ${r.id}`}
        actions={
          contributor && !isTerminal(r.status) ? (
            <Button onClick={() => cancel.mutate()} disabled={cancel.isPending || r.status === "CancelRequested"}>
              {r.status === "CancelRequested" ? "Cancelling…" : "Cancel run"}
            </Button>
          ) : contributor ? (
            <DeleteButton
              what={`run ${r.id} and its trials`}
              run={() => api.DELETE("/api/v1/tenants/{tenant}/runs/{id}", { params: { path: { tenant, id } } })}
            />
          ) : null
        }
      />
      <ErrorNote error={cancel.error} title="The run could not be cancelled" />
      <div className="row" style={{ alignItems: "center", marginBottom: 12 }}>
        <span role="group" aria-label="Run status" className="row" style={{ gap: 4 }}>
          <StatusBadge status={r.status} />
          {isTerminal(r.status) && recording ? <StatusBadge status="Recording results" /> : null}
        </span>
        <div style={{ width: 320 }}>
          <Progress value={p.value} label={p.label} />
        </div>
        <span className="muted">
          experiment <Link to={`/experiments/${r.experimentId}`}>{r.experimentName ?? r.experimentId}</Link>
          {r.task ? ` (${r.task})` : ""} · started{" "}
          {when(r.startedAt)} · ended {when(r.endedAt)}
          {r.modelId ? (
            <>
              {" "}
              · model <Link to={`/models/${r.modelId}`}>{r.modelId}</Link>
            </>
          ) : null}
        </span>
      </div>
      {r.error ? <ErrorNote error={new Error(r.error)} title="The run failed" /> : null}
      <div className="grid2">
        <section className="card stack" aria-label="Leaderboard section">
          <h2 style={{ fontSize: 16, margin: 0 }}>Leaderboard</h2>
          <Leaderboard
            tenant={tenant}
            runId={id}
            primary={r.primaryMetric}
            live={live}
            canRegister={contributor}
            onRegister={(trialId) => register.mutate(trialId)}
          />
          {contributor && hasTrials && r.status === "Completed" ? (
            <form
              className="row"
              aria-label="Register a model"
              onSubmit={(e) => {
                e.preventDefault();
                register.mutate(undefined);
              }}
            >
              <Field label="Model name" validationMessage={regErr?.about("name")}>
                <Input value={modelName} onChange={(_, d) => setModelName(d.value)} placeholder={`model-${id}`} />
              </Field>
              <Button appearance="primary" type="submit" disabled={register.isPending}>
                Register the best model
              </Button>
            </form>
          ) : null}
          <ErrorNote error={register.error} title="The model was not registered" />
        </section>
        <section className="card stack" aria-label="Charts">
          <h2 style={{ fontSize: 16, margin: 0 }}>Score over time</h2>
          <ErrorNote error={metrics.error} />
          <ScoreChart primary={r.primaryMetric} points={metrics.data ?? []} />
        </section>
      </div>
      {r.status !== "Failed" ? (
        <div style={{ marginTop: 16 }}>
          {/* asked once the results are recorded (finalize computes it); a failed run has no model to explain */}
          <FeatureImportance of="runs" id={id} ready={isTerminal(r.status) && (op.isError || (!!op.data && !recording))} />
        </div>
      ) : null}
      <section className="stack" aria-label="Logs" style={{ marginTop: 16 }}>
        <h2 style={{ fontSize: 16, margin: 0 }}>Log tail</h2>
        <ErrorNote error={logs.error} />
        <div className="logs mono" tabIndex={0} aria-label="Log lines">
          {lines.length === 0 ? "No log lines yet." : lines.map((l) => `${l.text}\n`)}
        </div>
        {logs.data && logs.data.total > lines.length ? (
          <span className="muted">
            The last {lines.length} of {logs.data.total} lines{live ? ", following the run" : ""}.
          </span>
        ) : null}
      </section>
    </>
  );
}
