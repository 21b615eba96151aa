import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeApi, json, page, renderScreen } from "../test/render";
import { EndpointPage, trafficProblem } from "./Endpoints";
import { ScoreForm, typed } from "./Playground";

const BLUE = { name: "blue", state: "Succeeded", modelId: "m1", error: null };
const MODEL = {
  id: "m1",
  name: "best",
  version: 2,
  score: 0.97,
  primaryMetric: "accuracy",
  inputColumns: [{ name: "x", type: "number" }],
};

describe("an endpoint's deployments", () => {
  it("lists every deployment with its provisioning state, a failed one and its error too", async () => {
    fakeApi({
      "GET /api/v1/tenants/t1/endpoints/e1": { id: "e1", name: "ep", etag: "1", state: "Succeeded", traffic: { blue: 100 } },
      "GET /api/v1/tenants/t1/endpoints/e1/deployments": page([
        BLUE,
        { name: "green", state: "Failed", modelId: "m1", error: "The smoke test failed: 500 from the scorer." },
        { name: "canary", state: "Creating", modelId: "m1", error: null },
      ]),
      "GET /api/v1/tenants/t1/endpoints/e1/deployments/blue": BLUE,
      "GET /api/v1/tenants/t1/models/m1": MODEL,
      "GET /api/v1/tenants/t1/models": page([MODEL]),
    });
    renderScreen(<EndpointPage />, { path: "/endpoints/e1", route: "/endpoints/:id" });
    const list = await screen.findByRole("table", { name: "Deployments list" });
    await waitFor(() => expect(within(list).getAllByRole("row")).toHaveLength(4));
    expect(within(list).getByLabelText("status Failed")).toBeInTheDocument();
    expect(within(list).getByLabelText("status Creating")).toBeInTheDocument();
    expect(within(list).getByText("The smoke test failed: 500 from the scorer.")).toBeInTheDocument();
  });

  it("asks for a traffic share: 0 by default beside a live deployment, sent in the PUT body", async () => {
    const calls = fakeApi({
      "GET /api/v1/tenants/t1/endpoints/e1": { id: "e1", name: "ep", etag: "1", state: "Succeeded", traffic: { blue: 100 } },
      "GET /api/v1/tenants/t1/endpoints/e1/deployments": page([BLUE]),
      "GET /api/v1/tenants/t1/endpoints/e1/deployments/blue": BLUE,
      "GET /api/v1/tenants/t1/models/m1": MODEL,
      "GET /api/v1/tenants/t1/models": page([MODEL]),
      "PUT /api/v1/tenants/t1/endpoints/e1/deployments/green": () =>
        json({ ...BLUE, name: "green", state: "Creating" }, 201, { "Operation-Location": "/api/v1/tenants/t1/operations/o9" }),
      "GET /api/v1/tenants/t1/operations/o9": { id: "o9", kind: "deployment", status: "Running", progress: { done: 0, total: null, percent: null, message: "provisioning" } },
    });
    const user = userEvent.setup();
    renderScreen(<EndpointPage />, { path: "/endpoints/e1", route: "/endpoints/:id" });
    const share = await screen.findByRole("spinbutton", { name: "Traffic share (%)" });
    expect(share).toHaveValue("0");
    expect(screen.getByRole("textbox", { name: "Deployment name" })).toHaveValue("green");
    await user.click(screen.getByRole("combobox", { name: "Model" }));
    await user.click(screen.getByRole("option", { name: "best (v2) · accuracy 0.97" }));
    await user.clear(share);
    await user.type(share, "10");
    await user.tab();
    await user.click(screen.getByRole("button", { name: "Deploy" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PUT")).toBe(true));
    expect(calls.find((c) => c.method === "PUT")!.body).toEqual({ modelId: "m1", traffic: 10 });
    expect(await screen.findByText(/Deploying green: Running · provisioning/)).toBeInTheDocument();
  });

  it("the playground names the deployment that answered", async () => {
    fakeApi({
      "GET /api/v1/tenants/t1/endpoints/e1": { id: "e1", name: "ep", etag: "1", state: "Succeeded", traffic: { blue: 90, green: 10 } },
      "GET /api/v1/tenants/t1/endpoints/e1/deployments": page([BLUE, { ...BLUE, name: "green" }]),
      "GET /api/v1/tenants/t1/endpoints/e1/deployments/blue": BLUE,
      "GET /api/v1/tenants/t1/models/m1": MODEL,
      "GET /api/v1/tenants/t1/models": page([MODEL]),
      "POST /api/v1/tenants/t1/endpoints/e1:score": { predictions: ["setosa"], deployment: "green" },
    });
    const user = userEvent.setup();
    renderScreen(<EndpointPage />, { path: "/endpoints/e1", route: "/endpoints/:id" });
    await user.type(await screen.findByLabelText("x (number)"), "1.5");
    await user.click(screen.getByRole("button", { name: "Score" }));
    const answer = await screen.findByRole("status", { name: "Predictions" });
    expect(answer).toHaveTextContent("setosa");
    expect(within(answer).getByText("green")).toBeInTheDocument();
  });
});

describe("traffic split", () => {
  it("must be whole percents adding up to 100", () => {
    expect(trafficProblem({ blue: 60, green: 40 })).toBeUndefined();
    expect(trafficProblem({ blue: 60, green: 30 })).toMatch(/add up to 90%/);
    expect(trafficProblem({ blue: 100.5 })).toMatch(/whole percent/);
  });

  it("keeps Save disabled until the shares sum to 100, then PATCHes with the ETag", async () => {
    const endpoint = { id: "e1", name: "ep", etag: "W/\"1\"", state: "Succeeded", traffic: { blue: 100 } };
    const calls = fakeApi({
      "GET /api/v1/tenants/t1/endpoints/e1": endpoint,
      // green is not in the traffic map yet: the editor offers it at 0 because the deployments list has it.
      "GET /api/v1/tenants/t1/endpoints/e1/deployments": page([BLUE, { ...BLUE, name: "green" }]),
      "GET /api/v1/tenants/t1/endpoints/e1/deployments/blue": BLUE,
      "GET /api/v1/tenants/t1/models/m1": MODEL,
      "GET /api/v1/tenants/t1/models": page([]),
      "PATCH /api/v1/tenants/t1/endpoints/e1": endpoint,
    });
    const user = userEvent.setup();
    renderScreen(<EndpointPage />, { path: "/endpoints/e1", route: "/endpoints/:id" });
    const blue = await screen.findByRole("spinbutton", { name: "blue (%)" });
    const green = screen.getByRole("spinbutton", { name: "green (%)" });
    await user.clear(green);
    await user.type(green, "20");
    await user.tab();
    expect(await screen.findByText(/add up to 120%/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Save traffic" })).toBeDisabled();
    await user.clear(blue);
    await user.type(blue, "80");
    await user.tab();
    await waitFor(() => expect(screen.getByRole("button", { name: "Save traffic" })).toBeEnabled());
    await user.click(screen.getByRole("button", { name: "Save traffic" }));
    await waitFor(() => expect(calls.some((c) => c.method === "PATCH")).toBe(true));
    const patch = calls.find((c) => c.method === "PATCH")!;
    expect(patch.body).toEqual({ traffic: { blue: 80, green: 20 } });
    expect(patch.headers.get("If-Match")).toBe('W/"1"');
  });
});

describe("scoring playground", () => {
  it("builds its form from the model's input columns and sends typed values", async () => {
    const columns = [
      { name: "sepal_length", type: "number" as const },
      { name: "petals", type: "integer" as const },
      { name: "colour", type: "string" as const },
    ];
    let row: Record<string, unknown> | undefined;
    const user = userEvent.setup();
    renderScreen(<ScoreForm columns={columns} onScore={(r) => (row = r)} />);
    await user.type(screen.getByLabelText("sepal_length (number)"), "5.1");
    await user.type(screen.getByLabelText("petals (integer)"), "3");
    await user.type(screen.getByLabelText("colour (string)"), "blue");
    await user.click(screen.getByRole("button", { name: "Score" }));
    expect(row).toEqual({ sepal_length: 5.1, petals: 3, colour: "blue" });
    expect(typed({ name: "x", type: "boolean" }, "yes")).toBe(true);
    expect(typed({ name: "x", type: "number" }, " ")).toBeNull();
  });
});
