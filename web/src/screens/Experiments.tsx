import {
  Button,
  Checkbox,
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
import { useMemo, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { api, ok } from "../api/client";
import { ApiError } from "../api/errors";
import type { ExperimentCreate, Task } from "../api/types";
import { EmptyState, ErrorNote, Loading, PageTitle, StatusBadge } from "../components/common";
import { DeleteButton } from "../components/DeleteButton";
import { enumByTask, enumOf, numberRule, type NumberRule } from "../lib/contract";
import { keys, useDatasets, useExperiment, useExperiments, useRuns } from "../lib/queries";
import { can, useTenant } from "../lib/tenant";
import { RunsTable } from "./Runs";

export function Experiments() {
  const { tenant, role } = useTenant();
  const list = useExperiments(tenant);
  const items = list.data?.value ?? [];
  return (
    <>
      <PageTitle
        title="Experiments"
        actions={can(role, "contributor") ? <Link to="/experiments/new">New experiment</Link> : null}
      />
      <ErrorNote error={list.error} />
      {list.isLoading ? <Loading /> : null}
      {list.isSuccess && items.length === 0 ? (
        <EmptyState title="No experiments yet" action={<Link to="/experiments/new">Create an experiment</Link>}>
          An experiment says what to train: a dataset, the column to predict, the task and the metric to optimise.
          Upload a dataset first if you have none.
        </EmptyState>
      ) : null}
      {items.length > 0 ? (
        <Table aria-label="Experiments">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Name</TableHeaderCell>
              <TableHeaderCell>Task</TableHeaderCell>
              <TableHeaderCell className="wide-only">Dataset</TableHeaderCell>
              <TableHeaderCell>Target</TableHeaderCell>
              <TableHeaderCell className="wide-only">Primary metric</TableHeaderCell>
              <TableHeaderCell>Last run</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((e) => (
              <TableRow key={e.id}>
                <TableCell>
                  <Link to={`/experiments/${e.id}`}>{e.name}</Link>
                </TableCell>
                <TableCell>{e.task}</TableCell>
                <TableCell className="wide-only">
                  <Link to={`/datasets/${e.datasetId}`}>{e.datasetName ?? e.datasetId}</Link> v{e.datasetVersion}
                </TableCell>
                <TableCell>{e.targetColumn}</TableCell>
                <TableCell className="wide-only">{e.primaryMetric}</TableCell>
                <TableCell>
                  {e.lastRun ? (
                    <Link to={`/runs/${e.lastRun.id}`} aria-label={`last run ${e.lastRun.status}`}>
                      <StatusBadge status={e.lastRun.status} />
                    </Link>
                  ) : (
                    <span className="muted">none yet</span>
                  )}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </>
  );
}

function NumberField({
  label,
  rule,
  value,
  onChange,
  error,
  quota,
}: {
  label: string;
  rule: NumberRule;
  value: number | undefined;
  onChange: (v: number | undefined) => void;
  error?: string;
  quota?: number;
}) {
  const max = quota !== undefined && rule.max !== undefined ? Math.min(quota, rule.max) : (quota ?? rule.max);
  const hint = [rule.min !== undefined ? `min ${rule.min}` : "", max !== undefined ? `max ${max}` : ""]
    .filter(Boolean)
    .join(", ");
  return (
    <Field label={label} hint={quota !== undefined ? `${hint} (tenant quota)` : hint} validationMessage={error}>
      <SpinButton
        value={value ?? null}
        min={rule.min}
        max={max}
        onChange={(_, d) => {
          const v = d.value ?? (d.displayValue !== undefined ? Number(d.displayValue) : undefined);
          onChange(v === undefined || Number.isNaN(v) ? undefined : v);
        }}
      />
    </Field>
  );
}

/** The create form, driven by the contract (enums, ranges, defaults) and by the dataset's profiled columns. */
/** Pick any of `options` (a multi-select dropdown; the API's Algorithm enum for the task). */
function AlgorithmPicker({
  label,
  options,
  value,
  onChange,
  error,
  none,
}: {
  none: string;
  label: string;
  options: string[];
  value: string[];
  onChange: (v: string[]) => void;
  error?: string;
}) {
  return (
    <Field label={label} validationMessage={error}>
      <Dropdown
        aria-label={label}
        multiselect
        placeholder={none}
        value={value.join(", ")}
        selectedOptions={value}
        onOptionSelect={(_, d) => onChange(d.selectedOptions)}
      >
        {options.map((a) => (
          <Option key={a} value={a}>
            {a}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

export function NewExperiment() {
  const { tenant, info } = useTenant();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const datasets = useDatasets(tenant);
  const quotas = info?.quotas;
  const tasks = (enumOf("ExperimentCreate", "task") ?? []) as Task[];
  const featurizations = enumOf("ExperimentCreate", "featurization") ?? [];
  const rules = {
    maxTrials: numberRule("LimitsModel", "maxTrials"),
    timeoutMinutes: numberRule("LimitsModel", "timeoutMinutes"),
    maxConcurrentTrials: numberRule("LimitsModel", "maxConcurrentTrials"),
  };

  const [form, setForm] = useState({
    name: "",
    datasetId: params.get("datasetId") ?? "",
    task: (tasks[0] ?? "classification") as Task,
    targetColumn: "",
    primaryMetric: "",
    maxTrials: rules.maxTrials.default,
    timeoutMinutes: rules.timeoutMinutes.default,
    maxConcurrentTrials: rules.maxConcurrentTrials.default,
    allowed: [] as string[],
    blocked: [] as string[],
    featurization: featurizations[0] ?? "auto",
    autoRegister: true,
  });
  const set = <K extends keyof typeof form>(k: K, v: (typeof form)[K]) => setForm((f) => ({ ...f, [k]: v }));
  const dataset = useMemo(
    () => datasets.data?.value.find((d) => d.id === form.datasetId),
    [datasets.data, form.datasetId],
  );
  const columns = dataset?.profile?.columns.map((c) => c.name) ?? [];
  // Which primary metrics and algorithms a task takes: the contract's x-enum-by-task.
  const metrics = enumByTask("ExperimentCreate", "primaryMetric", form.task);
  const algorithms = enumByTask("ExperimentCreate", "allowedAlgorithms", form.task) ?? [];
  const pickTask = (task: Task) =>
    setForm((f) => {
      const keep = (xs: string[]) => xs.filter((x) => enumByTask("ExperimentCreate", "allowedAlgorithms", task)?.includes(x));
      const metric = enumByTask("ExperimentCreate", "primaryMetric", task)?.includes(f.primaryMetric) ? f.primaryMetric : "";
      return { ...f, task, primaryMetric: metric, allowed: keep(f.allowed), blocked: keep(f.blocked) };
    });

  const create = useMutation({
    mutationFn: () => {
      const body: ExperimentCreate = {
        name: form.name,
        task: form.task,
        datasetId: form.datasetId,
        targetColumn: form.targetColumn,
        ...(form.primaryMetric ? { primaryMetric: form.primaryMetric } : {}),
        limits: {
          maxTrials: form.maxTrials,
          timeoutMinutes: form.timeoutMinutes,
          maxConcurrentTrials: form.maxConcurrentTrials,
        },
        allowedAlgorithms: form.allowed,
        blockedAlgorithms: form.blocked,
        featurization: form.featurization as ExperimentCreate["featurization"],
        autoRegister: form.autoRegister,
      } as ExperimentCreate;
      return ok(api.POST("/api/v1/tenants/{tenant}/experiments", { params: { path: { tenant } }, body }));
    },
    onSuccess: async (e) => {
      await queries.invalidateQueries({ queryKey: keys.experiments(tenant) });
      navigate(`/experiments/${e.id}`);
    },
  });
  const err = create.error instanceof ApiError ? create.error : undefined;
  const about = (f: string) => err?.about(f);

  if (datasets.isSuccess && datasets.data.value.length === 0) {
    return (
      <EmptyState title="Upload a dataset first" action={<Link to="/datasets">Go to Datasets</Link>}>
        An experiment trains on a dataset's columns: upload a CSV, then come back.
      </EmptyState>
    );
  }
  return (
    <>
      <PageTitle title="New experiment" />
      <form
        className="stack"
        style={{ maxWidth: 760 }}
        aria-label="New experiment"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <div className="grid2">
          <Field label="Name" required validationMessage={about("name")}>
            <Input value={form.name} onChange={(_, d) => set("name", d.value)} placeholder="iris-species" />
          </Field>
          <Field label="Dataset" required validationMessage={about("datasetId")}>
            <Dropdown
              aria-label="Dataset"
              placeholder="Pick a dataset"
              value={dataset?.name ?? ""}
              selectedOptions={form.datasetId ? [form.datasetId] : []}
              onOptionSelect={(_, d) => setForm((f) => ({ ...f, datasetId: d.optionValue ?? "", targetColumn: "" }))}
            >
              {(datasets.data?.value ?? []).map((d) => (
                <Option key={d.id} value={d.id} text={d.name}>
                  {d.name}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field label="Task" required validationMessage={about("task")}>
            <Dropdown
              aria-label="Task"
              value={form.task}
              selectedOptions={[form.task]}
              onOptionSelect={(_, d) => pickTask((d.optionValue ?? form.task) as Task)}
            >
              {tasks.map((t) => (
                <Option key={t} value={t}>
                  {t}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field
            label="Target column"
            required
            hint={dataset ? "The column to predict, from the dataset's profile" : "Pick a dataset first"}
            validationMessage={about("targetColumn")}
          >
            <Dropdown
              aria-label="Target column"
              placeholder="Pick a column"
              disabled={!dataset}
              value={form.targetColumn}
              selectedOptions={form.targetColumn ? [form.targetColumn] : []}
              onOptionSelect={(_, d) => set("targetColumn", d.optionValue ?? "")}
            >
              {columns.map((c) => (
                <Option key={c} value={c}>
                  {c}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field
            label="Primary metric"
            hint={`Those ${form.task} takes; leave empty for Azure ML's default`}
            validationMessage={about("primaryMetric")}
          >
            {metrics ? (
              <Dropdown
                aria-label="Primary metric"
                placeholder="The task's default"
                value={form.primaryMetric}
                selectedOptions={[form.primaryMetric]}
                onOptionSelect={(_, d) => set("primaryMetric", d.optionValue ?? "")}
              >
                <Option value="" text="The task's default">
                  The task's default
                </Option>
                {metrics.map((m) => (
                  <Option key={m}>{m}</Option>
                ))}
              </Dropdown>
            ) : (
              <Input
                aria-label="Primary metric"
                value={form.primaryMetric}
                onChange={(_, d) => set("primaryMetric", d.value)}
                placeholder="accuracy"
              />
            )}
          </Field>
          <Field label="Featurization" validationMessage={about("featurization")}>
            <Dropdown
              aria-label="Featurization"
              value={form.featurization}
              selectedOptions={[form.featurization]}
              onOptionSelect={(_, d) => set("featurization", d.optionValue ?? "auto")}
            >
              {featurizations.map((f) => (
                <Option key={f}>{f}</Option>
              ))}
            </Dropdown>
          </Field>
        </div>
        <fieldset className="grid2 card" style={{ border: "1px solid #e0e0e0" }}>
          <legend>Limits</legend>
          <NumberField
            label="Max trials"
            rule={rules.maxTrials}
            quota={quotas?.maxTrialsPerRun}
            value={form.maxTrials}
            onChange={(v) => set("maxTrials", v)}
            error={about("limits.maxTrials")}
          />
          <NumberField
            label="Timeout (minutes)"
            rule={rules.timeoutMinutes}
            quota={quotas?.maxTimeoutMinutes}
            value={form.timeoutMinutes}
            onChange={(v) => set("timeoutMinutes", v)}
            error={about("limits.timeoutMinutes")}
          />
          <NumberField
            label="Concurrent trials"
            rule={rules.maxConcurrentTrials}
            value={form.maxConcurrentTrials}
            onChange={(v) => set("maxConcurrentTrials", v)}
            error={about("limits.maxConcurrentTrials")}
          />
          {info ? (
            <Text size={200} className="muted">
              Tenant quotas: up to {info.quotas.maxTrialsPerRun} trials and {info.quotas.maxTimeoutMinutes} minutes a
              run, {info.quotas.maxConcurrentRuns} runs at once ({info.usage.activeRuns} active now).
            </Text>
          ) : null}
        </fieldset>
        <div className="grid2">
          <AlgorithmPicker
            label="Allowed algorithms"
            none="Any the task takes"
            options={algorithms.filter((x) => !form.blocked.includes(x))}
            value={form.allowed}
            onChange={(v) => set("allowed", v)}
            error={about("allowedAlgorithms")}
          />
          <AlgorithmPicker
            label="Blocked algorithms"
            none="None"
            options={algorithms.filter((x) => !form.allowed.includes(x))}
            value={form.blocked}
            onChange={(v) => set("blocked", v)}
            error={about("blockedAlgorithms")}
          />
        </div>
        <Checkbox
          label="Register the best model when the run completes"
          checked={form.autoRegister}
          onChange={(_, d) => set("autoRegister", !!d.checked)}
        />
        <ErrorNote error={create.error} title="The experiment was not created" />
        <div>
          <Button appearance="primary" type="submit" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create experiment"}
          </Button>
        </div>
      </form>
    </>
  );
}

export function ExperimentPage() {
  const { id = "" } = useParams();
  const { tenant, role } = useTenant();
  const exp = useExperiment(tenant, id);
  const runs = useRuns(tenant, id);
  const queries = useQueryClient();
  const navigate = useNavigate();
  const start = useMutation({
    mutationFn: () =>
      ok(
        api.POST("/api/v1/tenants/{tenant}/experiments/{id}/runs", {
          params: { path: { tenant, id } },
          headers: { "Idempotency-Key": crypto.randomUUID() },
        }),
      ),
    onSuccess: async (run) => {
      await queries.invalidateQueries({ queryKey: ["runs", tenant] });
      navigate(`/runs/${run.id}`);
    },
  });
  if (exp.isLoading) return <Loading />;
  if (!exp.data) return <ErrorNote error={exp.error} />;
  const e = exp.data;
  return (
    <>
      <PageTitle
        title={`Experiment ${e.name}`}
        actions={
          can(role, "contributor") ? (
            <>
              <DeleteButton
                what={`experiment ${e.name} and its runs`}
                run={() => api.DELETE("/api/v1/tenants/{tenant}/experiments/{id}", { params: { path: { tenant, id } } })}
              />
              <Button appearance="primary" onClick={() => start.mutate()} disabled={start.isPending}>
                {start.isPending ? "Starting…" : "Start a run"}
              </Button>
            </>
          ) : null
        }
      />
      <ErrorNote error={start.error} title="The run did not start" />
      <p className="muted">
        {e.task} · predicts <b>{e.targetColumn}</b> · optimises {e.primaryMetric} · dataset{" "}
        <Link to={`/datasets/${e.datasetId}`}>version {e.datasetVersion}</Link> · up to {e.limits.maxTrials} trials
        in {e.limits.timeoutMinutes} min
      </p>
      <h2 style={{ fontSize: 16 }}>Runs</h2>
      <ErrorNote error={runs.error} />
      {runs.isSuccess && runs.data.value.length === 0 ? (
        <EmptyState title="No runs yet">Start a run: AutoML tries algorithms and keeps the best model.</EmptyState>
      ) : (
        <RunsTable runs={runs.data?.value ?? []} />
      )}
    </>
  );
}
