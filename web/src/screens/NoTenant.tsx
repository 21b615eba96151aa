import { Button, Field, Input } from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ok } from "../api/client";
import type { ApiError } from "../api/errors";
import { EmptyState, ErrorNote } from "../components/common";
import { keys } from "../lib/queries";

/** A signed-in user without a tenant: a platform admin creates one (and owns it); anyone else asks an owner. */
export function NoTenant({ platformAdmin, onCreated }: { platformAdmin: boolean; onCreated: (t: string) => void }) {
  const [name, setName] = useState("");
  const queries = useQueryClient();
  const create = useMutation({
    mutationFn: async () => {
      const me = await ok(api.GET("/api/v1/me"));
      return ok(api.POST("/api/v1/tenants", { body: { name, ownerUserId: me.userId } }));
    },
    onSuccess: async (t) => {
      await queries.invalidateQueries({ queryKey: keys.me });
      onCreated(t.id);
    },
  });
  if (!platformAdmin) {
    return (
      <EmptyState title="You are not a member of any tenant yet">
        Ask a tenant owner to add your user id on their Members page, then reload. A platform administrator can
        create a tenant for you.
      </EmptyState>
    );
  }
  const err = create.error as ApiError | null;
  return (
    <EmptyState title="No tenant yet: create the first one">
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Field label="Tenant name" required validationMessage={err?.about?.("name")}>
          <Input value={name} onChange={(_, d) => setName(d.value)} placeholder="acme" />
        </Field>
        <Button appearance="primary" type="submit" disabled={!name || create.isPending}>
          Create tenant (you become its owner)
        </Button>
      </form>
      <ErrorNote error={create.error} />
    </EmptyState>
  );
}
