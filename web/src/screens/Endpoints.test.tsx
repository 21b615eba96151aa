import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeApi, page, renderScreen } from "../test/render";
import { EndpointPage, trafficProblem } from "./Endpoints";
import { ScoreForm, typed } from "./Playground";

describe("traffic split", () => {
  it("must be whole percents adding up to 100", () => {
    expect(trafficProblem({ blue: 60, green: 40 })).toBeUndefined();
    expect(trafficProblem({ blue: 60, green: 30 })).toMatch(/add up to 90%/);
    expect(trafficProblem({ blue: 100.5 })).toMatch(/whole percent/);
  });

  it("keeps Save disabled until the shares sum to 100, then PATCHes with the ETag", async () => {
    const endpoint = { id: "e1", name: "ep", etag: "W/\"1\"", state: "Succeeded", traffic: { blue: 100, green: 0 } };
    const calls = fakeApi({
      "GET /api/v1/tenants/t1/endpoints/e1": endpoint,
      "GET /api/v1/tenants/t1/endpoints/e1/deployments/blue": { name: "blue", state: "Succeeded", modelId: "m1" },
      "GET /api/v1/tenants/t1/endpoints/e1/deployments/green": { name: "green", state: "Succeeded", modelId: "m1" },
      "GET /api/v1/tenants/t1/models/m1": { id: "m1", name: "best", version: "1", inputColumns: [] },
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
