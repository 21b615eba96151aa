// The run's leaderboard: live while the run trains, sorted by any recorded metric (orderby), a page at a time
// (top + continuation from nextLink).
import {
  Button,
  Dropdown,
  Option,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
} from "@fluentui/react-components";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api, ok } from "../api/client";
import type { Trial } from "../api/types";
import { EmptyState, ErrorNote, fmt, StatusBadge } from "../components/common";
import { nextParam } from "../lib/paging";
import { keys, LIVE_MS } from "../lib/queries";

export const PAGE = 25;

/** The sort keys a leaderboard offers: the primary metric first, every metric the trials recorded, then duration. */
export function sortKeys(primary: string, trials: Trial[]): string[] {
  const recorded = new Set<string>();
  for (const t of trials) for (const k of Object.keys(t.metrics ?? {})) recorded.add(k);
  recorded.delete(primary);
  return [primary, ...[...recorded].sort(), "durationSeconds"];
}

/** A trial's value for a sort key. */
export function valueOf(t: Trial, key: string, primary: string): number | null | undefined {
  if (key === primary || key === "score") return t.score ?? t.metrics?.[primary];
  if (key === "durationSeconds") return t.durationSeconds;
  return t.metrics?.[key];
}

export function useLeaderboard(tenant: string, runId: string, live: boolean, orderby: string) {
  return useInfiniteQuery({
    queryKey: [...keys.trials(tenant, runId, orderby), "pages"],
    initialPageParam: "",
    queryFn: ({ pageParam }) =>
      ok(
        api.GET("/api/v1/tenants/{tenant}/runs/{id}/trials", {
          params: {
            path: { tenant, id: runId },
            query: { top: PAGE, ...(orderby ? { orderby } : {}), ...(pageParam ? { continuation: pageParam } : {}) },
          },
        }),
      ),
    getNextPageParam: (last) => nextParam(last.nextLink, "continuation"),
    refetchInterval: live ? LIVE_MS : false,
    placeholderData: (previous) => previous,
  });
}

export function Leaderboard({
  tenant,
  runId,
  primary,
  live,
  canRegister,
  onRegister,
}: {
  tenant: string;
  runId: string;
  primary: string;
  live: boolean;
  canRegister: boolean;
  onRegister: (trialId: string) => void;
}) {
  const [sort, setSort] = useState(primary);
  const board = useLeaderboard(tenant, runId, live, sort === primary ? "" : sort);
  const trials = board.data?.pages.flatMap((p) => p.value) ?? [];
  const options = sortKeys(primary, trials);
  const extra = sort !== primary ? sort : undefined;
  return (
    <>
      <div className="row" style={{ alignItems: "center" }}>
        <label htmlFor="leaderboard-sort">Sort by</label>
        <Dropdown
          id="leaderboard-sort"
          aria-label="Sort the leaderboard by"
          value={sort}
          selectedOptions={[sort]}
          onOptionSelect={(_, d) => setSort(d.optionValue ?? primary)}
        >
          {options.map((k) => (
            <Option key={k} value={k}>
              {k}
            </Option>
          ))}
        </Dropdown>
        <span className="muted">best first</span>
      </div>
      <ErrorNote error={board.error} title="The leaderboard could not be read" />
      {board.isSuccess && trials.length === 0 ? (
        <EmptyState title={live ? "Trials appear here as the run records them" : "No trials recorded"}>
          {live
            ? "Each trial shows within seconds of finishing; the first ones come after the data is prepared."
            : "This run ended without a trial. Check the log tail below, then start another run."}
        </EmptyState>
      ) : null}
      {trials.length > 0 ? (
        <Table aria-label="Leaderboard" size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>#</TableHeaderCell>
              <TableHeaderCell>Algorithm</TableHeaderCell>
              <TableHeaderCell>{primary}</TableHeaderCell>
              {extra ? <TableHeaderCell>{extra}</TableHeaderCell> : null}
              <TableHeaderCell className="wide-only">Duration (s)</TableHeaderCell>
              {canRegister ? <TableHeaderCell>Model</TableHeaderCell> : null}
            </TableRow>
          </TableHeader>
          <TableBody>
            {trials.map((t, i) => (
              <TableRow key={t.trialId}>
                <TableCell title={t.trialId}>{i + 1}</TableCell>
                <TableCell title={t.algorithm}>
                  {t.algorithm} {t.status !== "Completed" ? <StatusBadge status={t.status} /> : null}
                </TableCell>
                <TableCell>{fmt(valueOf(t, primary, primary))}</TableCell>
                {extra ? <TableCell>{fmt(valueOf(t, extra, primary))}</TableCell> : null}
                <TableCell className="wide-only">{fmt(t.durationSeconds, 2)}</TableCell>
                {canRegister ? (
                  <TableCell>
                    <Button size="small" onClick={() => onRegister(t.trialId)} aria-label={`Register trial ${i + 1}`}>
                      Register
                    </Button>
                  </TableCell>
                ) : null}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : null}
      {board.hasNextPage ? (
        <div>
          <Button onClick={() => board.fetchNextPage()} disabled={board.isFetchingNextPage}>
            Show {PAGE} more trials
          </Button>
        </div>
      ) : null}
    </>
  );
}
