import { Button, Dropdown, Field, Option } from "@fluentui/react-components";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate } from "react-router";
import { api, ok } from "../api/client";
import { ApiError } from "../api/errors";
import type { Model } from "../api/types";
import { ErrorNote } from "../components/common";
import { useDatasets } from "../lib/queries";
import { useTenant } from "../lib/tenant";

/** Start a batch job: the model scores every row of a dataset's latest version (202; the job's progress is listed on
 * the Batch jobs page). A dataset without the model's columns is refused with the API's message naming them. */
export function ScoreDataset({ model }: { model: Model }) {
  const { tenant } = useTenant();
  const datasets = useDatasets(tenant);
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [datasetId, setDatasetId] = useState("");
  const chosen = datasets.data?.value.find((d) => d.id === datasetId);
  const start = useMutation({
    mutationFn: () =>
      ok(
        api.POST("/api/v1/tenants/{tenant}/models/{id}:batchScore", {
          params: { path: { tenant, id: model.id } },
          body: { datasetId },
        }),
      ),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: ["batchJobs", tenant] });
      navigate(`/batch-jobs?modelId=${encodeURIComponent(model.id)}`);
    },
  });
  const err = start.error instanceof ApiError ? start.error : undefined;
  const aboutDataset = err?.about("datasetId");
  return (
    <section className="card stack" aria-label="Score a dataset">
      <h2 style={{ fontSize: 16, margin: 0 }}>Score a dataset</h2>
      <p className="muted" style={{ margin: 0 }}>
        Scores every row of the dataset's latest version in a batch job; its CSV downloads from{" "}
        <Link to={`/batch-jobs?modelId=${encodeURIComponent(model.id)}`}>Batch jobs</Link>.
      </p>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          start.mutate();
        }}
      >
        <Field label="Dataset" validationMessage={aboutDataset}>
          <Dropdown
            placeholder={datasets.isLoading ? "Loading…" : "Pick a dataset"}
            value={chosen?.name ?? ""}
            selectedOptions={datasetId ? [datasetId] : []}
            onOptionSelect={(_, d) => {
              setDatasetId(d.optionValue ?? "");
              start.reset();
            }}
          >
            {(datasets.data?.value ?? []).map((d) => (
              <Option key={d.id} value={d.id} text={d.name}>
                {d.name}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Button appearance="primary" type="submit" disabled={!datasetId || start.isPending}>
          {start.isPending ? "Starting…" : "Score it"}
        </Button>
      </form>
      {!aboutDataset ? <ErrorNote error={start.error} title="The batch job was not started" /> : null}
      <ErrorNote error={datasets.error} title="The datasets could not be read" />
    </section>
  );
}
