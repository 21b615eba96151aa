import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeApi, page, renderScreen } from "../test/render";
import { ModelPage } from "./Models";
import { TenantsAdmin } from "./Tenants";

const tenant = (id: string, name: string, displayName: string | null) => ({
  id,
  name,
  displayName,
  state: "Active",
  quotas: { maxConcurrentRuns: 2, maxTrialsPerRun: 100, maxTimeoutMinutes: 60, maxBatchRows: 1000000 },
  createdAt: "2026-01-01T00:00:00Z",
});

describe("platform admin: every tenant", () => {
  it("lists tenants by name prefix and marks those the admin belongs to", async () => {
    const calls = fakeApi({
      "GET /api/v1/tenants": (req: Request) => {
        const prefix = new URL(req.url).searchParams.get("namePrefix");
        const all = [tenant("t1", "acme", "Acme Corp"), tenant("t2", "globex", null)];
        return new Response(JSON.stringify(page(all.filter((t) => !prefix || t.name.startsWith(prefix)))));
      },
    });
    const user = userEvent.setup();
    renderScreen(<TenantsAdmin platformAdmin memberOf={["t1"]} />, { platformAdmin: true });
    const table = await screen.findByRole("table", { name: "Tenants" });
    expect(within(table).getAllByRole("row")).toHaveLength(3);
    expect(within(table).getByText("Acme Corp")).toBeInTheDocument();
    expect(within(table).getAllByText("member")).toHaveLength(1);
    await user.type(screen.getByRole("textbox", { name: "Name starts with" }), "glo");
    await waitFor(() => expect(within(screen.getByRole("table", { name: "Tenants" })).getAllByRole("row")).toHaveLength(2));
    expect(calls.at(-1)!.url.searchParams.get("namePrefix")).toBe("glo");
  });

  it("is for platform administrators only", () => {
    fakeApi({});
    renderScreen(<TenantsAdmin platformAdmin={false} memberOf={[]} />);
    expect(screen.getByText("Platform administrators only")).toBeInTheDocument();
  });
});

describe("a model's page", () => {
  it("shows its score and every version of its name; removing a tag sends null (merge patch)", async () => {
    const m = (id: string, version: number, score: number) => ({
      id, name: "iris-best", version, score, primaryMetric: "accuracy", runId: `run${version}`, trialId: null,
      inputColumns: [], tags: { stage: "prod" }, etag: "e", createdAt: "2026-01-01T00:00:00Z", description: null,
    });
    const calls = fakeApi({
      "GET /api/v1/tenants/t1/models/m2": m("m2", 2, 0.97),
      "GET /api/v1/tenants/t1/models": page([m("m2", 2, 0.97), m("m1", 1, 0.93)]),
      "PATCH /api/v1/tenants/t1/models/m2": m("m2", 2, 0.97),
    });
    const user = userEvent.setup();
    renderScreen(<ModelPage />, { path: "/models/m2", route: "/models/:id" });
    expect(await screen.findByText(/score 0.97 accuracy/)).toBeInTheDocument();
    const versions = await screen.findByRole("table", { name: "Model versions" });
    expect(within(versions).getByText("v2 (this one)")).toBeInTheDocument();
    expect(within(versions).getByRole("link", { name: "v1" })).toHaveAttribute("href", "/models/m1");
    expect(calls.find((c) => c.path === "/api/v1/tenants/t1/models")!.url.searchParams.get("name")).toBe("iris-best");
    await user.click(screen.getByRole("button", { name: "Remove tag stage" }));
    await waitFor(() => expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ tags: { stage: null } }));
  });
});
