import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { browser } from "../api/batch";
import { fakeApi, json, page, renderScreen } from "../test/render";
import { BatchJobs } from "./BatchJobs";
import { ModelPage } from "./Models";

const JOB = (id: string, status: string, progress: object) => ({
  id, status, progress, modelId: "m1", modelName: "iris-best", modelVersion: 2, datasetId: "d1", datasetVersion: 3,
  createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z", createdBy: "alice", etag: "W/\"1\"",
  outputColumns: [], outputUrl: null, error: null, startedAt: "2026-01-01T00:00:01Z", endedAt: null,
});
const MODEL = {
  id: "m1", name: "iris-best", version: 2, runId: "r1", trialId: null, score: 0.95, primaryMetric: "accuracy",
  inputColumns: [{ name: "petal length (cm)", type: "number" }, { name: "petal width (cm)", type: "number" }],
  tags: {}, etag: "W/\"1\"", createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z",
};

afterEach(() => vi.restoreAllMocks());

describe("the Batch jobs page", () => {
  it("lists jobs newest first with rows scored, and refreshes while one runs", async () => {
    let rows = 2500;
    const calls = fakeApi({
      "GET /api/v1/tenants/t1/models": page([MODEL]),
      "GET /api/v1/tenants/t1/datasets": page([{ id: "d1", name: "iris", latestVersion: 3 }]),
      "GET /api/v1/tenants/t1/batchJobs": () =>
        json(page([
          JOB("b2", rows < 10000 ? "Running" : "Completed", { rowsDone: rows, rowsTotal: 10000, percent: rows / 100 }),
          JOB("b1", "Failed", { rowsDone: 0, rowsTotal: 10000, percent: 0 }),
        ])),
    });
    renderScreen(<BatchJobs />);
    const table = await screen.findByRole("table", { name: "Batch jobs" });
    const [running, failed] = within(table).getAllByRole("row").slice(1) as [HTMLElement, HTMLElement];
    expect(running).toHaveTextContent("iris-best v2");
    await waitFor(() => expect(running).toHaveTextContent("iris v3")); // the dataset by name, once the list is read
    expect(within(running).getByLabelText("status Running")).toBeInTheDocument();
    expect(running).toHaveTextContent("25% · 2,500 / 10,000 rows");
    expect(within(failed).getByLabelText("status Failed")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Download/ })).toBeNull();
    rows = 10000;
    expect(await screen.findByRole("button", { name: "Download the CSV of batch job b2" })).toBeInTheDocument();
    expect(screen.getByText("100% · 10,000 / 10,000 rows")).toBeInTheDocument();
    const listed = calls.filter((c) => c.path.endsWith("/batchJobs"));
    expect(listed.every((c) => c.url.searchParams.get("orderby") === "createdAt desc")).toBe(true);
  });

  it("downloads a Completed job's CSV: asks outputLink with the bearer token, then opens the URL it gives", async () => {
    const sas = "https://acct.blob.core.windows.net/batch/t1/b2.csv?sv=2025-01-05&se=2026-01-01T00%3A15%3A00Z&sig=x";
    const calls = fakeApi({
      "GET /api/v1/tenants/t1/models": page([MODEL]),
      "GET /api/v1/tenants/t1/batchJobs": page([JOB("b2", "Completed", { rowsDone: 5, rowsTotal: 5, percent: 100 })]),
      "GET /api/v1/tenants/t1/batchJobs/b2/outputLink": { url: sas, expiresOn: "2026-01-01T00:15:00Z" },
    });
    const open = vi.spyOn(browser, "open").mockImplementation(() => {});
    const user = userEvent.setup();
    renderScreen(<BatchJobs />);
    await user.click(await screen.findByRole("button", { name: "Download the CSV of batch job b2" }));
    await waitFor(() => expect(open).toHaveBeenCalledWith(sas));
    const link = calls.find((c) => c.path.endsWith("/outputLink"))!;
    expect(link.headers.get("Authorization")).toBe("Bearer test-token");
  });

  it("says why a download was refused", async () => {
    fakeApi({
      "GET /api/v1/tenants/t1/models": page([MODEL]),
      "GET /api/v1/tenants/t1/batchJobs": page([JOB("b2", "Completed", { rowsDone: 5, rowsTotal: 5, percent: 100 })]),
      "GET /api/v1/tenants/t1/batchJobs/b2/outputLink": () =>
        json({ error: { code: "Conflict", message: "The batch job's CSV was deleted." } }, 409),
    });
    const open = vi.spyOn(browser, "open").mockImplementation(() => {});
    const user = userEvent.setup();
    renderScreen(<BatchJobs />);
    await user.click(await screen.findByRole("button", { name: "Download the CSV of batch job b2" }));
    expect(await screen.findByText("The batch job's CSV was deleted.")).toBeInTheDocument();
    expect(open).not.toHaveBeenCalled();
  });

  it("deletes a job after confirmation and reads the list again", async () => {
    let deleted = false;
    const calls = fakeApi({
      "GET /api/v1/tenants/t1/models": page([MODEL]),
      "GET /api/v1/tenants/t1/batchJobs": () =>
        json(page(deleted ? [] : [JOB("b1", "Failed", { rowsDone: 0, rowsTotal: 10, percent: 0 })])),
      "DELETE /api/v1/tenants/t1/batchJobs/b1": () => {
        deleted = true;
        return new Response(null, { status: 204 });
      },
    });
    const user = userEvent.setup({ pointerEventsCheck: 0 });
    renderScreen(<BatchJobs />);
    await user.click(await screen.findByRole("button", { name: "Delete batch job b1" }));
    await user.click((await screen.findAllByRole("button", { name: "Delete", hidden: true })).at(-1)!);
    expect(await screen.findByText("No batch jobs yet")).toBeInTheDocument();
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.path)).toEqual(["/api/v1/tenants/t1/batchJobs/b1"]);
  });
});

describe("scoring a dataset from a model", () => {
  const routes = (start: (req: Request) => Response) => ({
    "GET /api/v1/tenants/t1/models/m1": MODEL,
    "GET /api/v1/tenants/t1/models": page([MODEL]),
    "GET /api/v1/tenants/t1/models/m1/explanation": () => json({ error: { code: "Conflict", message: "not yet" } }, 409),
    "GET /api/v1/tenants/t1/datasets": page([
      { id: "d1", name: "iris", latestVersion: 1 },
      { id: "d2", name: "penguins", latestVersion: 1 },
    ]),
    "POST /api/v1/tenants/t1/models/m1:batchScore": start,
  });

  async function pick(name: string) {
    const user = userEvent.setup();
    await user.click(await screen.findByRole("combobox", { name: "Dataset" }));
    await user.click(await screen.findByRole("option", { name }));
    await user.click(screen.getByRole("button", { name: "Score it" }));
  }

  it("shows the API's message naming the columns the dataset lacks", async () => {
    const message =
      "The dataset cannot be scored by this model: the dataset lacks the model's columns petal length (cm), petal width (cm).";
    const calls = fakeApi(
      routes(() =>
        json({ error: { code: "ValidationFailed", message, target: "datasetId", details: [
          { code: "MissingColumn", message: "The dataset has no column 'petal length (cm)'.", target: "petal length (cm)" },
          { code: "MissingColumn", message: "The dataset has no column 'petal width (cm)'.", target: "petal width (cm)" },
        ] } }, 400),
      ),
    );
    renderScreen(<ModelPage />, { path: "/models/m1", route: "/models/:id" });
    await pick("penguins");
    expect(await screen.findByText(message)).toBeInTheDocument();
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({ datasetId: "d2" });
    expect(screen.queryByText("elsewhere")).toBeNull(); // stays on the model
  });

  it("starts the job and goes to its model's batch jobs", async () => {
    const calls = fakeApi(
      routes(() => json(JOB("b9", "NotStarted", { rowsDone: 0, rowsTotal: null, percent: null }), 202, {
        "Operation-Location": "/api/v1/tenants/t1/operations/b9",
      })),
    );
    renderScreen(<ModelPage />, { path: "/models/m1", route: "/models/:id" });
    await pick("iris");
    expect(await screen.findByText("elsewhere")).toBeInTheDocument(); // left for /batch-jobs?modelId=m1
    expect(calls.find((c) => c.method === "POST")!.body).toEqual({ datasetId: "d1" });
  });
});
