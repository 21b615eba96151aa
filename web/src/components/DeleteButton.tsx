import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  DialogTrigger,
} from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "react-router";
import { ApiError } from "../api/errors";
import type { ErrorBody } from "../api/types";
import { useTenant } from "../lib/tenant";
import { ErrorNote } from "./common";

/** Delete a resource whose children the API removes in a long operation (202 + Operation-Location): confirm, start,
 * then follow its progress on the Operations page. A resource deleted at once (204) passes `onDeleted` and `detail`
 * instead; `label` names the button where a list shows many. */
export function DeleteButton({
  what,
  run,
  label,
  detail = "It disappears at once; its children are removed in the background (follow it on the Operations page).",
  onDeleted,
}: {
  what: string;
  run: () => Promise<{ error?: unknown; response: Response }>;
  label?: string;
  detail?: string;
  onDeleted?: () => void | Promise<unknown>;
}) {
  const { tenant } = useTenant();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const remove = useMutation({
    mutationFn: async () => {
      const { error, response } = await run();
      if (!response.ok) {
        const body = (error as { error?: ErrorBody } | undefined)?.error;
        throw new ApiError(response.status, body, `HTTP ${response.status}`);
      }
      return response;
    },
    onSuccess: async () => {
      if (onDeleted) return onDeleted();
      await queries.invalidateQueries({ queryKey: ["operations", tenant] });
      navigate("/operations?kind=delete");
    },
  });
  return (
    <>
      <Dialog>
        <DialogTrigger disableButtonEnhancement>
          <Button appearance="subtle" aria-label={label}>
            Delete
          </Button>
        </DialogTrigger>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Delete {what}?</DialogTitle>
            <DialogContent>
              {detail}
              <ErrorNote error={remove.error} title="Not deleted" />
            </DialogContent>
            <DialogActions>
              <DialogTrigger disableButtonEnhancement>
                <Button appearance="secondary">Keep it</Button>
              </DialogTrigger>
              <Button appearance="primary" onClick={() => remove.mutate()} disabled={remove.isPending}>
                Delete
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}
