"""Batch scoring on Azure ML serverless compute (uploaded as the command job's code; runs in the AutoML environment).

python score.py --model <MLflow model folder> --data <CSV file> --output <folder>
Reads the CSV in chunks, predicts with the MLflow model's underlying estimator (probabilities too, when it has them),
appends each chunk to <output>/predictions.csv and logs the rows scored so far as the metric `rows_scored`.
"""

import argparse
import os

import mlflow
import pandas as pd

CHUNK_ROWS = 5000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    model = mlflow.sklearn.load_model(args.model)
    classes = list(getattr(model, "classes_", []) or [])
    out = os.path.join(args.output, "predictions.csv")
    done = 0
    for chunk in pd.read_csv(args.data, chunksize=CHUNK_ROWS):
        result = chunk.copy()
        result["prediction"] = model.predict(chunk)
        if classes and hasattr(model, "predict_proba"):
            probabilities = model.predict_proba(chunk)
            for i, c in enumerate(classes):
                result[f"probability_{c}"] = probabilities[:, i].round(6)
        result.to_csv(out, mode="a", header=done == 0, index=False)
        done += len(chunk)
        mlflow.log_metric("rows_scored", done, step=done)


if __name__ == "__main__":
    main()
