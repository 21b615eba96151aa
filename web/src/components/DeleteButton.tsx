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
 * then follow its progress on the Operations page. */
export function DeleteButton({
  what,
  run,
}: {
  what: string;
  run: () => Promise<{ error?: unknown; response: Response }>;
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
      await queries.invalidateQueries({ queryKey: ["operations", tenant] });
      navigate("/operations?kind=delete");
    },
  });
  return (
    <>
      <Dialog>
        <DialogTrigger disableButtonEnhancement>
          <Button appearance="subtle">Delete</Button>
        </DialogTrigger>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Delete {what}?</DialogTitle>
            <DialogContent>
              It disappears at once; its children are removed in the background (follow it on the Operations page).
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
