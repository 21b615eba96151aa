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

const INFO = {
  tenantId: "t1",
  role: "contributor" as const,
  name: "acme",
  displayName: "Acme",
  quotas: { maxConcurrentRuns: 2, maxTrialsPerRun: 40, maxTimeoutMinutes: 30, maxBatchRows: 1000000 },
  usage: { activeRuns: 0 },
};

const options = async () => within(await screen.findByRole("listbox")).getAllByRole("option").map((o) => o.textContent);
// A multi-select dropdown (the algorithms) is a menu of checkbox items.
const checks = async () =>
  within(await screen.findByRole("menu")).getAllByRole("menuitemcheckbox").map((o) => o.textContent);

describe("the create-experiment form", () => {
  it("offers the primary metrics and algorithms the chosen task takes (the contract's x-enum-by-task)", async () => {
    const calls = fakeApi({
      "GET /api/v1/tenants/t1/datasets": page([IRIS]),
      "POST /api/v1/tenants/t1/experiments": () => json({ id: "e1" }, 201),
    });
    const user = userEvent.setup();
    renderScreen(<NewExperiment />, { path: "/new?datasetId=d1", info: INFO });
    await user.type(await screen.findByRole("textbox", { name: /^Name/ }), "iris-exp");
    await user.click(screen.getByRole("combobox", { name: "Primary metric" }));
    expect(await options()).toContain("AUC_weighted");
    expect(await options()).not.toContain("r2_score");
    await user.click(screen.getByRole("option", { name: "AUC_weighted" }));
    await user.click(screen.getByRole("combobox", { name: "Allowed algorithms" }));
    expect(await checks()).toContain("LogisticRegression");
    expect(await checks()).not.toContain("XGBoostRegressor");
    await user.click(screen.getByRole("menuitemcheckbox", { name: "LogisticRegression" }));
    await user.click(screen.getByRole("menuitemcheckbox", { name: "LightGBM" }));
    await user.keyboard("{Escape}");

    await user.click(screen.getByRole("combobox", { name: "Task" }));
    await user.click(screen.getByRole("option", { name: "regression" }));
    await user.click(screen.getByRole("combobox", { name: "Primary metric" }));
    expect(await options()).toContain("r2_score");
    expect(await options()).not.toContain("AUC_weighted");
    await user.click(screen.getByRole("option", { name: "r2_score" }));
    await user.click(screen.getByRole("combobox", { name: "Target column" }));
    await user.click(screen.getByRole("option", { name: "sepal_length" }));
    await user.click(screen.getByRole("button", { name: "Create experiment" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
    // LogisticRegression is not a regression algorithm: switching the task dropped it, LightGBM stayed.
    expect(calls.find((c) => c.method === "POST")!.body).toMatchObject({
      task: "regression",
      primaryMetric: "r2_score",
      allowedAlgorithms: ["LightGBM"],
      limits: { maxTrials: 20, maxConcurrentTrials: 1, timeoutMinutes: 60 },
    });
  });

  it("offers the contract's tasks and the dataset's columns, and shows the API's field errors beside the fields", async () => {
    const calls = fakeApi({
      "GET /api/v1/tenants/t1/datasets": page([IRIS]),
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
    // /me's tenant: quotas for every role (a contributor here), not only owners.
    renderScreen(<NewExperiment />, { path: "/new?datasetId=d1", role: "contributor", info: INFO });

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
    await waitFor(() => expect(screen.getByText(/max 40 \(tenant quota\)/)).toBeInTheDocument());
    expect(screen.getByText(/0 active now/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Create experiment" }));
    expect(await screen.findByText("maxTrials is over the tenant's quota")).toBeInTheDocument();
    expect(screen.getAllByRole("alert").map((a) => a.textContent).join(" ")).toContain("The training settings break Azure ML's rules.");
    const post = calls.find((c) => c.method === "POST")!;
    expect(post.body).toMatchObject({ name: "iris-exp", task: "classification", datasetId: "d1", targetColumn: "species" });
    expect(post.headers.get("Authorization")).toBe("Bearer test-token");
  });

  it("sends a person without datasets to upload one first", async () => {
    fakeApi({ "GET /api/v1/tenants/t1/datasets": page([]) });
    renderScreen(<NewExperiment />);
    expect(await screen.findByText("Upload a dataset first")).toBeInTheDocument();
  });
});
