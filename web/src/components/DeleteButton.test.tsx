import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { api } from "../api/client";
import { Operations } from "../screens/Operations";
import { fakeApi, json, renderScreen } from "../test/render";
import { DeleteButton } from "./DeleteButton";

const del = () => api.DELETE("/api/v1/tenants/{tenant}/runs/{id}", { params: { path: { tenant: "t1", id: "r1" } } });

describe("deleting with a long operation", () => {
  it("confirms, starts the cascade and follows its progress on the Operations page (the API's list)", async () => {
    let deleted = false;
    const op = { id: "op1", kind: "delete", status: "Running", target: "/api/v1/tenants/t1/runs/r1",
      progress: { done: 1, total: 4, percent: 25, message: null }, createdAt: "2026-01-01T00:00:00Z", error: null };
    const calls = fakeApi({
      "DELETE /api/v1/tenants/t1/runs/r1": () => {
        deleted = true;
        return json(op, 202, { "Operation-Location": "/api/v1/tenants/t1/operations/op1" });
      },
      "GET /api/v1/tenants/t1/operations": () => json({ value: deleted ? [op] : [], nextLink: null }),
    });
    const user = userEvent.setup({ pointerEventsCheck: 0 });
    renderScreen(
      <>
        <DeleteButton what="run r1" run={del} />
        <Operations />
      </>,
    );
    expect(await screen.findByText("No long operations yet")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Delete" }));
    await user.click((await screen.findAllByRole("button", { name: "Delete", hidden: true })).at(-1)!);
    // the Operations list shows it (asserted on the current document: the list re-renders as it refreshes)
    await waitFor(() => {
      expect(screen.getByText("25% · 1/4")).toBeInTheDocument();
      expect(screen.getByText("runs/r1")).toBeInTheDocument();
    });
    await waitFor(() => {
      const listed = calls.filter((c) => c.path === "/api/v1/tenants/t1/operations");
      expect(listed.some((c) => c.url.searchParams.get("kind") === "delete")).toBe(true);
      expect(listed.every((c) => c.url.searchParams.get("orderby") === "createdAt desc")).toBe(true);
    });
  });

  it("shows why the API refused", async () => {
    fakeApi({
      "DELETE /api/v1/tenants/t1/runs/r1": () =>
        json({ error: { code: "PreconditionFailed", message: "The run changed meanwhile." } }, 412),
    });
    const user = userEvent.setup({ pointerEventsCheck: 0 });
    renderScreen(<DeleteButton what="run r1" run={del} />);
    await user.click(screen.getByRole("button", { name: "Delete" }));
    await user.click((await screen.findAllByRole("button", { name: "Delete", hidden: true })).at(-1)!);
    expect(await screen.findByText("The run changed meanwhile.")).toBeInTheDocument();
  });
});

