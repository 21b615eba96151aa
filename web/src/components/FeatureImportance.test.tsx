import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { ModelPage } from "../screens/Models";
import { RunPage } from "../screens/RunPage";
import { fakeApi, json, page, renderScreen } from "../test/render";

const RUN = {
  id: "r1", experimentId: "e1", experimentName: "iris", task: "classification", status: "Completed", jobName: "j",
  primaryMetric: "accuracy", progress: { percent: 100, trialsDone: 3, bestScore: 0.95 },
  createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z", startedAt: "2026-01-01T00:00:00Z",
  endedAt: "2026-01-01T00:01:00Z", error: null,
};
const OP = (status: string) => ({ id: "r1", kind: "training", status, target: "/api/v1/tenants/t1/runs/r1", progress: {} });
// as the API names them: the uploaded CSV's columns (spaces and units included), not one-hot or engineered names
const EXPLANATION = {
  runId: "r1", trialId: "r1_trial_2", method: "permutation", metric: "accuracy", rows: 30,
  computedAt: "2026-01-01T00:01:00Z",
  features: [
    { feature: "sepal width (cm)", importance: 0.01, std: 0.005 },
    { feature: "petal length (cm)", importance: 0.42, std: 0.03 },
    { feature: "sepal length (cm)", importance: -0.002, std: null },
    { feature: "petal width (cm)", importance: 0.21, std: 0.02 },
  ],
};
const runRoutes = (status: string, op: string) => ({
  "GET /api/v1/tenants/t1/runs/r1": { ...RUN, status },
  "GET /api/v1/tenants/t1/operations/r1": OP(op),
  "GET /api/v1/tenants/t1/runs/r1/metrics": page([]),
  "GET /api/v1/tenants/t1/runs/r1/logs": page([]),
  "GET /api/v1/tenants/t1/runs/r1/trials": page([]),
});
const MODEL = {
  id: "m1", name: "iris-best", version: 2, runId: "r1", trialId: null, score: 0.95, primaryMetric: "accuracy",
  inputColumns: [{ name: "petal length (cm)", type: "number" }], tags: {}, etag: "W/\"1\"",
  createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z",
};

const rowTexts = (table: HTMLElement) => within(table).getAllByRole("row").slice(1).map((r) => r.textContent);

describe("feature importance", () => {
  it("shows a completed run's columns, most important first, with their values as text", async () => {
    const calls = fakeApi({ ...runRoutes("Completed", "Succeeded"), "GET /api/v1/tenants/t1/runs/r1/explanation": EXPLANATION });
    renderScreen(<RunPage />, { path: "/runs/r1", route: "/runs/:id" });
    const table = await screen.findByRole("table", { name: "Feature importance" });
    expect(rowTexts(table)).toEqual([
      "petal length (cm)0.42 ± 0.03",
      "petal width (cm)0.21 ± 0.02",
      "sepal width (cm)0.01 ± 0.005",
      "sepal length (cm)-0.002",
    ]);
    expect(screen.getByText(/How much accuracy drops when a column's values are shuffled · 30 held-out rows/)).toBeInTheDocument();
    expect(calls.filter((c) => c.path.endsWith("/explanation"))).toHaveLength(1);
  });

  it("does not ask while the run trains, and says when it will be there", async () => {
    const calls = fakeApi(runRoutes("Running", "Running"));
    renderScreen(<RunPage />, { path: "/runs/r1", route: "/runs/:id" });
    expect(await screen.findByText(/Feature importance is available when the run completes/)).toBeInTheDocument();
    await waitFor(() => expect(calls.filter((c) => c.path.endsWith("/runs/r1")).length).toBeGreaterThan(1)); // polled
    expect(calls.some((c) => c.path.endsWith("/explanation"))).toBe(false);
  });

  it("a 409 is a calm note on the model's page, not an error", async () => {
    fakeApi({
      "GET /api/v1/tenants/t1/models/m1": MODEL,
      "GET /api/v1/tenants/t1/models": page([MODEL]),
      "GET /api/v1/tenants/t1/datasets": page([]),
      "GET /api/v1/tenants/t1/models/m1/explanation": () =>
        json({ error: { code: "Conflict", message: "The run is Running: it has no model to explain yet.", target: "status" } }, 409),
    });
    renderScreen(<ModelPage />, { path: "/models/m1", route: "/models/:id" });
    const note = await screen.findByText(/Feature importance is available when the run completes/);
    expect(note).toHaveTextContent("The run is Running: it has no model to explain yet.");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows the first 15 columns, then all on request", async () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ feature: `col ${String(i).padStart(2, "0")}`, importance: 1 - i / 20, std: null }));
    fakeApi({
      "GET /api/v1/tenants/t1/models/m1": MODEL,
      "GET /api/v1/tenants/t1/models": page([MODEL]),
      "GET /api/v1/tenants/t1/datasets": page([]),
      "GET /api/v1/tenants/t1/models/m1/explanation": { ...EXPLANATION, features: many },
    });
    const user = userEvent.setup();
    renderScreen(<ModelPage />, { path: "/models/m1", route: "/models/:id" });
    const table = await screen.findByRole("table", { name: "Feature importance" });
    expect(rowTexts(table)).toHaveLength(15);
    await user.click(screen.getByRole("button", { name: "Show all 20 columns" }));
    await waitFor(() => expect(rowTexts(screen.getByRole("table", { name: "Feature importance" }))).toHaveLength(20));
    expect(rowTexts(screen.getByRole("table", { name: "Feature importance" })).at(-1)).toBe("col 190.05");
  });
});
