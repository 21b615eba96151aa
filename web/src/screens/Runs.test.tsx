import { screen } from "@testing-library/react";
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
    fakeApi({ "GET /api/v1/tenants/t1/runs": page([run({}), run({ id: "r2", status: "Completed", progress: { percent: 100, trialsDone: 9 } })]) });
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

  it("a queued run's bar is indeterminate; a terminal one is full", () => {
    expect(runProgress(run({ status: "Queued" })).value).toBeUndefined();
    expect(runProgress(run({ status: "Failed", progress: { trialsDone: 0 } })).value).toBe(1);
  });

  it("groups metric points into series by name, in step order, x in seconds", () => {
    const groups = seriesByName([
      { name: "accuracy", step: 2, value: 0.9, timestamp: "2026-01-01T00:00:04Z" },
      { name: "accuracy", step: 1, value: 0.8, timestamp: "2026-01-01T00:00:00Z" },
      { name: "accuracy_trial", step: 1, value: 0.8, timestamp: "2026-01-01T00:00:00Z" },
    ]);
    expect(groups.get("accuracy")).toEqual({ x: [0, 4], y: [0.8, 0.9] });
    expect(groups.get("accuracy_trial")?.y).toEqual([0.8]);
  });
});
