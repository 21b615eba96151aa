import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeApi, json, page, renderScreen } from "../test/render";
import { sortKeys } from "./Leaderboard";
import { RunPage } from "./RunPage";

const RUN = {
  id: "r1",
  experimentId: "e1",
  experimentName: "iris",
  task: "classification",
  status: "Running",
  jobName: "j",
  primaryMetric: "accuracy",
  progress: { percent: 40, trialsDone: 2, bestScore: 0.9, elapsedSeconds: 10 },
  createdAt: "2026-01-01T00:00:00Z",
  updatedAt: "2026-01-01T00:00:00Z",
  startedAt: "2026-01-01T00:00:00Z",
  endedAt: null,
  error: null,
};
const trial = (n: number, accuracy: number, f1: number) => ({
  trialId: `r1_trial_${n}`,
  rank: n,
  algorithm: n % 2 ? "LightGBM" : "RandomForest",
  score: accuracy,
  durationSeconds: n,
  hyperparameters: {},
  metrics: { accuracy, f1_score_macro: f1 },
  status: "Completed" as const,
});
const OP = (status: string) => ({ id: "r1", kind: "training", status, target: "/api/v1/tenants/t1/runs/r1", progress: {} });
const at = { path: "/runs/r1", route: "/runs/:id" };

describe("the run page", () => {
  it("shows trials while the run trains, sorts by any recorded metric and pages with continuation", async () => {
    const calls = fakeApi({
      "GET /api/v1/tenants/t1/runs/r1": RUN,
      "GET /api/v1/tenants/t1/operations/r1": OP("Running"),
      "GET /api/v1/tenants/t1/runs/r1/metrics": page([]),
      "GET /api/v1/tenants/t1/runs/r1/logs": page([]),
      "GET /api/v1/tenants/t1/runs/r1/trials": (req: Request) => {
        const q = new URL(req.url).searchParams;
        if (q.get("continuation") === "c2") return json({ value: [trial(3, 0.8, 0.7)], nextLink: null });
        const first = q.get("orderby") === "f1_score_macro" ? [trial(2, 0.9, 0.95), trial(1, 0.95, 0.9)] : [trial(1, 0.95, 0.9), trial(2, 0.9, 0.95)];
        return json({ value: first, nextLink: "/api/v1/tenants/t1/runs/r1/trials?top=25&continuation=c2" });
      },
    });
    const user = userEvent.setup();
    renderScreen(<RunPage />, at);
    const board = await screen.findByRole("table", { name: "Leaderboard" });
    await waitFor(() => expect(within(board).getAllByRole("row")).toHaveLength(3));
    expect(within(board).getAllByRole("row")[1]).toHaveTextContent(/LightGBM\s*0\.95/);

    await user.click(screen.getByRole("combobox", { name: "Sort the leaderboard by" }));
    await user.click(screen.getByRole("option", { name: "f1_score_macro" }));
    await waitFor(() => expect(within(screen.getByRole("table", { name: "Leaderboard" })).getAllByRole("row")[1]).toHaveTextContent(/RandomForest\s*0\.9\s*0\.95/));
    expect(calls.some((c) => c.url.searchParams.get("orderby") === "f1_score_macro")).toBe(true);

    await user.click(screen.getByRole("button", { name: "Show 25 more trials" }));
    await waitFor(() => expect(within(screen.getByRole("table", { name: "Leaderboard" })).getAllByRole("row")).toHaveLength(4));
    expect(screen.queryByRole("button", { name: "Show 25 more trials" })).toBeNull();
  });

  it("after the run ends, reads results until its training operation says they are recorded", async () => {
    let op = "Running";
    let trials: unknown[] = [];
    const calls = fakeApi({
      "GET /api/v1/tenants/t1/runs/r1": { ...RUN, status: "Completed", endedAt: "2026-01-01T00:01:00Z" },
      "GET /api/v1/tenants/t1/operations/r1": () => json(OP(op)),
      "GET /api/v1/tenants/t1/runs/r1/metrics": page([]),
      "GET /api/v1/tenants/t1/runs/r1/logs": page([]),
      "GET /api/v1/tenants/t1/runs/r1/trials": () => json({ value: trials, nextLink: null }),
    });
    renderScreen(<RunPage />, at);
    expect(await screen.findByLabelText("status Recording results")).toBeInTheDocument();
    expect(await screen.findByText("Trials appear here as the run records them")).toBeInTheDocument();
    trials = [trial(1, 0.95, 0.9)];
    op = "Succeeded";
    await waitFor(() => expect(screen.queryByLabelText("status Recording results")).toBeNull(), { timeout: 8000 });
    expect(await screen.findByRole("table", { name: "Leaderboard" })).toBeInTheDocument();
    const reads = calls.filter((c) => c.path.endsWith("/operations/r1")).length;
    await new Promise((r) => setTimeout(r, 2500));
    expect(calls.filter((c) => c.path.endsWith("/operations/r1")).length).toBe(reads); // no polling once done
  });

  it("follows the log tail's nextLink to the last line, then reads only what comes after", async () => {
    const line = (seq: number) => ({ seq, timestamp: "2026-01-01T00:00:00Z", text: `line ${seq}` });
    const calls = fakeApi({
      "GET /api/v1/tenants/t1/runs/r1": { ...RUN, status: "Failed", error: "no data" },
      "GET /api/v1/tenants/t1/operations/r1": OP("Failed"),
      "GET /api/v1/tenants/t1/runs/r1/metrics": page([]),
      "GET /api/v1/tenants/t1/runs/r1/trials": page([]),
      "GET /api/v1/tenants/t1/runs/r1/logs": (req: Request) => {
        const after = Number(new URL(req.url).searchParams.get("after"));
        return after === 0
          ? json({ value: [line(1), line(2)], nextLink: "/api/v1/tenants/t1/runs/r1/logs?after=2&top=1000" })
          : json({ value: [line(3)], nextLink: null });
      },
    });
    renderScreen(<RunPage />, at);
    const logs = await screen.findByLabelText("Log lines");
    await waitFor(() => expect(logs).toHaveTextContent("line 1 line 2 line 3"));
    const afters = calls.filter((c) => c.path.endsWith("/logs")).map((c) => c.url.searchParams.get("after"));
    expect(afters.slice(0, 2)).toEqual(["0", "2"]); // the first read follows nextLink
    expect(afters.slice(2).every((a) => a === "3")).toBe(true); // a refresh reads after the last line seen
    expect(screen.getByText("No trials recorded")).toBeInTheDocument();
  });

  it("offers the primary metric first, then every recorded metric, then duration", () => {
    expect(sortKeys("accuracy", [trial(1, 0.9, 0.8)])).toEqual(["accuracy", "f1_score_macro", "durationSeconds"]);
  });
});
