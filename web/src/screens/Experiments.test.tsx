import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeApi, json, page, renderScreen } from "../test/render";
import { NewExperiment } from "./Experiments";

const IRIS = {
  id: "d1",
  name: "iris",
  latestVersion: 1,
  source: "upload",
  profile: {
    rowCount: 150,
    columns: [
      { name: "sepal_length", type: "number", missing: 0 },
      { name: "species", type: "string", missing: 0 },
    ],
  },
};

describe("the create-experiment form", () => {
  it("offers the contract's tasks and the dataset's columns, and shows the API's field errors beside the fields", async () => {
    const calls = fakeApi({
      "GET /api/v1/tenants/t1/datasets": page([IRIS]),
      "GET /api/v1/tenants/t1": { id: "t1", name: "t1", quotas: { maxConcurrentRuns: 2, maxTrialsPerRun: 100, maxTimeoutMinutes: 60 } },
      "POST /api/v1/tenants/t1/experiments": () =>
        json(
          {
            error: {
              code: "ValidationFailed",
              message: "The training settings break Azure ML's rules.",
              details: [{ code: "InvalidValue", message: "maxTrials is over the tenant's quota", target: "limits.maxTrials" }],
            },
          },
          400,
        ),
    });
    const user = userEvent.setup();
    renderScreen(<NewExperiment />, { path: "/new?datasetId=d1" });

    await user.type(screen.getByRole("textbox", { name: /^Name/ }), "iris-exp");
    await user.click(screen.getByRole("combobox", { name: "Task" }));
    const tasks = within(screen.getByRole("listbox")).getAllByRole("option").map((o) => o.textContent);
    expect(tasks).toEqual(["classification", "regression", "forecasting"]);
    await user.click(screen.getByRole("option", { name: "classification" }));

    await waitFor(() => expect(screen.getByRole("combobox", { name: "Target column" })).not.toBeDisabled());
    await user.click(screen.getByRole("combobox", { name: "Target column" }));
    const columns = within(screen.getByRole("listbox")).getAllByRole("option").map((o) => o.textContent);
    expect(columns).toEqual(["sepal_length", "species"]);
    await user.click(screen.getByRole("option", { name: "species" }));
    await waitFor(() => expect(screen.getByText(/max 100 \(tenant quota\)/)).toBeInTheDocument());

    await user.click(screen.getByRole("button", { name: "Create experiment" }));
    expect(await screen.findByText("maxTrials is over the tenant's quota")).toBeInTheDocument();
    expect(screen.getAllByRole("alert").map((a) => a.textContent).join(" ")).toContain("The training settings break Azure ML's rules.");
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.body).toMatchObject({ name: "iris-exp", task: "classification", datasetId: "d1", targetColumn: "species" });
    expect(post.headers.get("Authorization")).toBe("Bearer test-token");
  });

  it("sends a person without datasets to upload one first", async () => {
    fakeApi({ "GET /api/v1/tenants/t1/datasets": page([]), "GET /api/v1/tenants/t1": { id: "t1", quotas: {} } });
    renderScreen(<NewExperiment />);
    expect(await screen.findByText("Upload a dataset first")).toBeInTheDocument();
  });
});
