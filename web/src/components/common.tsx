import {
  Badge,
  Button,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Spinner,
  Text,
} from "@fluentui/react-components";
import type { ReactNode } from "react";
import { ApiError, plainMessage } from "../api/errors";

/** The API's error, in its own words, where the action that caused it is. */
export function ErrorNote({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  return (
    <MessageBar intent="error" role="alert">
      <MessageBarBody>
        {title ? <MessageBarTitle>{title}</MessageBarTitle> : null}
        {plainMessage(error)}
        {error instanceof ApiError && error.status >= 500 && error.requestId && !error.message.includes(error.requestId) ? (
          <span className="muted"> (request id {error.requestId})</span>
        ) : null}
      </MessageBarBody>
    </MessageBar>
  );
}

/** An empty list says what to do next. */
export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="card stack" role="status" aria-label={title}>
      <Text weight="semibold" size={400}>
        {title}
      </Text>
      {children ? <Text className="muted">{children}</Text> : null}
      {action ? <div>{action}</div> : null}
    </div>
  );
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return <Spinner size="small" label={label} labelPosition="after" />;
}

export function PageTitle({ title, actions }: { title: string; actions?: ReactNode }) {
  return (
    <div className="row" style={{ justifyContent: "space-between", alignItems: "center", marginBottom: 12 }}>
      <h1 style={{ fontSize: 22, margin: 0 }}>{title}</h1>
      <div className="row">{actions}</div>
    </div>
  );
}

/** A labelled progress bar; `value` is 0..1, undefined = indeterminate. */
export function Progress({ value, label }: { value?: number; label: string }) {
  return (
    <div className="stack" style={{ gap: 4, minWidth: 140 }}>
      <ProgressBar
        value={value}
        max={1}
        thickness="large"
        aria-label={label}
        aria-valuetext={value === undefined ? label : `${Math.round(value * 100)}%`}
      />
      <Text size={200} className="muted">
        {label}
      </Text>
    </div>
  );
}

const COLORS: Record<string, "success" | "danger" | "warning" | "informative" | "subtle" | "brand"> = {
  Completed: "success",
  Succeeded: "success",
  Failed: "danger",
  Canceled: "subtle",
  CancelRequested: "warning",
  Running: "brand",
  Creating: "brand",
  Updating: "brand",
  Finalizing: "brand",
  Deleting: "warning",
};

export function StatusBadge({ status }: { status?: string | null }) {
  if (!status) return null;
  return (
    <Badge appearance="tint" color={COLORS[status] ?? "informative"} aria-label={`status ${status}`}>
      {status}
    </Badge>
  );
}

export function Refresh({ onClick, busy }: { onClick: () => void; busy?: boolean }) {
  return (
    <Button appearance="subtle" onClick={onClick} disabled={busy}>
      Refresh
    </Button>
  );
}

export function when(iso?: string | null): string {
  if (!iso) return "—";
  return new Date(iso).toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" });
}

export function fmt(value?: number | null, digits = 4): string {
  return value === undefined || value === null ? "—" : Number(value).toFixed(digits).replace(/\.?0+$/, "");
}
