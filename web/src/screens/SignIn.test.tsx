import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeApi, json, renderScreen } from "../test/render";
import { SignIn } from "./SignIn";

describe("local sign-in", () => {
  it("mints a dev token for the picked user and hands back a session", async () => {
    const calls = fakeApi({
      "POST /.devhost/token": () => json({ token: "tok-alice", user: "alice", platformAdmin: true, expiresIn: 3600 }),
    });
    const signedIn = vi.fn();
    const user = userEvent.setup();
    renderScreen(<SignIn config={{ authMode: "dev", apiBase: "/api/v1" }} onSignedIn={signedIn} />);
    await user.type(screen.getByRole("combobox", { name: "User" }), "alice");
    await user.click(screen.getByRole("checkbox", { name: /Platform administrator/ }));
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(signedIn).toHaveBeenCalled());
    expect(calls[0]!.body).toEqual({ user: "alice", platformAdmin: true });
    const session = signedIn.mock.calls[0]![0];
    expect(session.user).toBe("alice");
    expect(await session.getToken()).toBe("tok-alice");
  });

  it("shows the local host's refusal in its words", async () => {
    fakeApi({
      "POST /.devhost/token": () =>
        json({ error: { code: "DevTokenRefused", message: "Dev tokens are minted for loopback clients only." } }, 403),
    });
    const user = userEvent.setup();
    renderScreen(<SignIn config={{ authMode: "dev", apiBase: "/api/v1" }} onSignedIn={() => {}} />);
    await user.type(screen.getByRole("combobox", { name: "User" }), "bob");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Dev tokens are minted for loopback clients only.");
  });
});
