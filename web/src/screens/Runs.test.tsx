import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Run } from "../api/types";
import { fakeApi, page, renderScreen } from "../test/render";
import { runProgress, Runs } from "./Runs";
import { seriesByName } from "./RunPage";

const run = (over: Partial<Run>): Run =>
  ({
    id: "r1",
    experimentId: "e1",
    status: "Running",
    jobName: "j",
    primaryMetric: "accuracy",
    progress: { percent: 40, trialsDone: 4, bestScore: 0.95 },
    createdAt: "2026-01-01T00:00:00Z",
    updatedAt: "2026-01-01T00:00:00Z",
    createdBy: "alice",
    etag: "x",
    ...over,
  }) as Run;

describe("runs", () => {
  it("shows each run's live status and progress", async () => {
    fakeApi({ "GET /api/v1/tenants/t1/runs": page([run({}), run({ id: "r2", status: "Completed", progress: { percent: 100, trialsDone: 9, bestScore: null, elapsedSeconds: null } })]) });
    renderScreen(<Runs />);
    expect(await screen.findByText("40% · 4 trials · best 0.95")).toBeInTheDocument();
    const bars = screen.getAllByRole("progressbar");
    expect(bars).toHaveLength(2);
    expect(bars[0]).toHaveAttribute("aria-valuenow", "0.4");
    expect(screen.getByLabelText("status Completed")).toBeInTheDocument();
  });

  it("says what to do when there is no run", async () => {
    fakeApi({ "GET /api/v1/tenants/t1/runs": page([]) });
    renderScreen(<Runs />);
    expect(await screen.findByText("No runs yet")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to Experiments" })).toBeInTheDocument();
  });

  it("a queued run's bar is indeterminate; a failed one shows how far it got, only a completed one is full", () => {
    const progress = (percent: number | null) => ({ percent, trialsDone: 0, bestScore: null, elapsedSeconds: null });
    expect(runProgress(run({ status: "Queued" })).value).toBeUndefined();
    expect(runProgress(run({ status: "Failed", progress: progress(35) })).value).toBeCloseTo(0.35);
    expect(runProgress(run({ status: "Failed", progress: progress(35) })).label).toMatch(/^35% · 0 trials/);
    expect(runProgress(run({ status: "Failed", progress: progress(null) })).value).toBe(0);
    expect(runProgress(run({ status: "Completed", progress: progress(100) })).value).toBe(1);
  });

  it("lists runs newest first with their experiment's name and task, filtered by experiment and status", async () => {
    const calls = fakeApi({
      "GET /api/v1/tenants/t1/runs": page([run({ experimentName: "iris-species", task: "classification" })]),
      "GET /api/v1/tenants/t1/experiments": page([{ id: "e1", name: "iris-species" }]),
    });
    const user = userEvent.setup();
    renderScreen(<Runs />);
    expect(await screen.findByRole("link", { name: "iris-species" })).toHaveAttribute("href", "/experiments/e1");
    expect(screen.getByText("classification · accuracy")).toBeInTheDocument();
    expect(calls.find((c) => c.path === "/api/v1/tenants/t1/runs")!.url.searchParams.get("orderby")).toBe("createdAt desc");
    await user.click(screen.getByRole("combobox", { name: "Status" }));
    await user.click(screen.getByRole("option", { name: "Failed" }));
    await user.click(screen.getByRole("combobox", { name: "Experiment" }));
    await user.click(screen.getByRole("option", { name: "iris-species" }));
    await waitFor(() => {
      const last = calls.filter((c) => c.path === "/api/v1/tenants/t1/runs").at(-1)!;
      expect(last.url.searchParams.get("status")).toBe("Failed");
      expect(last.url.searchParams.get("experimentId")).toBe("e1");
    });
  });

  it("groups metric points into series by name, in step order, x in seconds", () => {
    const groups = seriesByName([
      { name: "accuracy", step: 2, value: 0.9, timestamp: "2026-01-01T00:00:04Z", trialId: null },
      { name: "accuracy", step: 1, value: 0.8, timestamp: "2026-01-01T00:00:00Z", trialId: null },
      { name: "accuracy_trial", step: 1, value: 0.8, timestamp: "2026-01-01T00:00:00Z", trialId: null },
    ]);
    expect(groups.get("accuracy")).toEqual({ x: [0, 4], y: [0.8, 0.9] });
    expect(groups.get("accuracy_trial")?.y).toEqual([0.8]);
  });
});
