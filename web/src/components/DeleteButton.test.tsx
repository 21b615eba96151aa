import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { api } from "../api/client";
import { Operations } from "../screens/Operations";
import { fakeApi, json, renderScreen } from "../test/render";
import { DeleteButton } from "./DeleteButton";

const del = () => api.DELETE("/api/v1/tenants/{tenant}/runs/{id}", { params: { path: { tenant: "t1", id: "r1" } } });

describe("deleting with a long operation", () => {
  it("confirms, starts the cascade and follows its progress on the Operations page", async () => {
    sessionStorage.clear();
    fakeApi({
      "DELETE /api/v1/tenants/t1/runs/r1": () =>
        json({ id: "op1", kind: "delete", status: "Running", target: "run/r1", progress: { done: 1, total: 4, percent: 25 } }, 202, {
          "Operation-Location": "/api/v1/tenants/t1/operations/op1",
        }),
      "GET /api/v1/tenants/t1/operations/op1": {
        id: "op1", kind: "delete", status: "Running", target: "run/r1", progress: { done: 1, total: 4, percent: 25 },
      },
    });
    const user = userEvent.setup({ pointerEventsCheck: 0 });
    renderScreen(
      <>
        <DeleteButton what="run r1" run={del} />
        <Operations />
      </>,
    );
    expect(screen.getByText("No long operations started here")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Delete" }));
    await user.click((await screen.findAllByRole("button", { name: "Delete", hidden: true })).at(-1)!);
    await waitFor(() => expect(sessionStorage.getItem("automl.operations")).toContain("op1"));
    expect(JSON.parse(sessionStorage.getItem("automl.operations")!)[0]).toMatchObject({ id: "op1", what: "delete run r1" });
    expect(await screen.findByText(/25%|delete: Running/)).toBeInTheDocument(); // the Operations list follows it
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

