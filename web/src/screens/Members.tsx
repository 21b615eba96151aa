import {
  Button,
  Dropdown,
  Field,
  Input,
  Option,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ok } from "../api/client";
import { ApiError } from "../api/errors";
import type { Role } from "../api/types";
import { EmptyState, ErrorNote, Loading, PageTitle, when } from "../components/common";
import { enumOf } from "../lib/contract";
import { keys, useMembers } from "../lib/queries";
import { can, useTenant } from "../lib/tenant";

const ROLES = (enumOf("MemberPut", "role") ?? ["reader", "contributor", "owner"]) as Role[];

export function Members() {
  const { tenant, role } = useTenant();
  const list = useMembers(tenant);
  const queries = useQueryClient();
  const owner = can(role, "owner");
  const [user, setUser] = useState("");
  const [newRole, setNewRole] = useState<Role>("reader");
  const refresh = () => queries.invalidateQueries({ queryKey: keys.members(tenant) });
  const put = useMutation({
    mutationFn: (v: { userId: string; role: Role }) =>
      ok(
        api.PUT("/api/v1/tenants/{tenant}/members/{userId}", {
          params: { path: { tenant, userId: v.userId } },
          body: { role: v.role },
        }),
      ),
    onSuccess: () => {
      setUser("");
      return refresh();
    },
  });
  const remove = useMutation({
    mutationFn: (userId: string) =>
      ok(api.DELETE("/api/v1/tenants/{tenant}/members/{userId}", { params: { path: { tenant, userId } } })),
    onSuccess: refresh,
  });
  const items = list.data?.value ?? [];
  const err = put.error instanceof ApiError ? put.error : undefined;
  return (
    <>
      <PageTitle title="Members and roles" />
      {owner ? (
        <form
          className="row card"
          aria-label="Add a member"
          onSubmit={(e) => {
            e.preventDefault();
            put.mutate({ userId: user, role: newRole });
          }}
        >
          <Field label="User id" required validationMessage={err?.about("userId")}>
            <Input value={user} onChange={(_, d) => setUser(d.value)} placeholder="bob" />
          </Field>
          <Field label="Role" validationMessage={err?.about("role")}>
            <Dropdown
              aria-label="Role"
              value={newRole}
              selectedOptions={[newRole]}
              onOptionSelect={(_, d) => setNewRole((d.optionValue ?? "reader") as Role)}
            >
              {ROLES.map((r) => (
                <Option key={r}>{r}</Option>
              ))}
            </Dropdown>
          </Field>
          <Button appearance="primary" type="submit" disabled={!user || put.isPending}>
            Add or change
          </Button>
        </form>
      ) : null}
      <ErrorNote error={put.error} title="The member was not changed" />
      <ErrorNote error={remove.error} title="The member was not removed" />
      <ErrorNote error={list.error} />
      {list.isLoading ? <Loading /> : null}
      {list.isSuccess && items.length === 0 ? <EmptyState title="No members">Add one above.</EmptyState> : null}
      {items.length > 0 ? (
        <Table aria-label="Members" style={{ marginTop: 12 }}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>User</TableHeaderCell>
              <TableHeaderCell>Role</TableHeaderCell>
              <TableHeaderCell>Since</TableHeaderCell>
              {owner ? <TableHeaderCell>Change</TableHeaderCell> : null}
            </TableRow>
          </TableHeader>
          <TableBody>
            {items.map((m) => (
              <TableRow key={m.userId}>
                <TableCell>{m.displayName ?? m.userId}</TableCell>
                <TableCell>{m.role}</TableCell>
                <TableCell>{when(m.createdAt)}</TableCell>
                {owner ? (
                  <TableCell>
                    <div className="row">
                      {ROLES.filter((r) => r !== m.role).map((r) => (
                        <Button key={r} size="small" onClick={() => put.mutate({ userId: m.userId, role: r })}>
                          make {r}
                        </Button>
                      ))}
                      <Button size="small" appearance="subtle" onClick={() => remove.mutate(m.userId)}>
                        Remove
                      </Button>
                    </div>
                  </TableCell>
                ) : null}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
    </>
  );
}
