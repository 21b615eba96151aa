import { Button, Checkbox, Combobox, Field, Option, Text } from "@fluentui/react-components";
import { useState } from "react";
import type { ConsoleConfig } from "../auth/config";
import { devSignIn, recentUsers, type Session } from "../auth/session";
import { ErrorNote } from "../components/common";

export function SignIn({ config, onSignedIn }: { config: ConsoleConfig; onSignedIn: (s: Session) => void }) {
  const [user, setUser] = useState(recentUsers()[0] ?? "");
  const [admin, setAdmin] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  if (config.authMode === "entra") {
    return (
      <main className="stack" style={{ maxWidth: 420, margin: "10vh auto", padding: 16 }}>
        <h1 style={{ fontSize: 24 }}>AutoML Functions</h1>
        <Text>Sign in with your organisation's Microsoft Entra ID account.</Text>
        <ErrorNote error={error} />
        <Button
          appearance="primary"
          onClick={async () => {
            try {
              const { entraSignIn } = await import("../auth/entra");
              await entraSignIn(config);
            } catch (e) {
              setError(e);
            }
          }}
        >
          Sign in with Microsoft
        </Button>
      </main>
    );
  }

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await devSignIn(user, admin));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main style={{ maxWidth: 420, margin: "10vh auto", padding: 16 }}>
      <form className="stack" onSubmit={submit} aria-label="Sign in">
        <h1 style={{ fontSize: 24, margin: 0 }}>AutoML Functions</h1>
        <Text className="muted">
          Local sign-in: pick a user. The local host mints a dev token for it (loopback only, never in Azure).
        </Text>
        <Field label="User" required validationMessage={error ? undefined : undefined}>
          <Combobox
            freeform
            placeholder="alice"
            value={user}
            onChange={(e) => setUser(e.target.value)}
            onOptionSelect={(_, d) => setUser(d.optionValue ?? "")}
            aria-label="User"
          >
            {recentUsers().map((u) => (
              <Option key={u}>{u}</Option>
            ))}
          </Combobox>
        </Field>
        <Checkbox
          label="Platform administrator (may create tenants)"
          checked={admin}
          onChange={(_, d) => setAdmin(!!d.checked)}
        />
        <ErrorNote error={error} title="Sign-in refused" />
        <Button appearance="primary" type="submit" disabled={busy || !user.trim()}>
          {busy ? "Signing in…" : "Sign in"}
        </Button>
      </form>
    </main>
  );
}
