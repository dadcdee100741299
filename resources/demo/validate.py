#!/usr/bin/env python3
"""Score a trained churn model on a table: accuracy, AUC, log loss, precision and recall."""

import argparse
import sys

import churn_model as cm


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default="data/incoming/batch-06.csv")
    ap.add_argument("--model", default="models/churn-model.json")
    args = ap.parse_args()

    w, b, enc, model = cm.load_model(args.model)
    rows = cm.read_table(args.data)
    if cm.TARGET not in rows[0]:
        sys.exit(f"validate.py: {args.data} has no '{cm.TARGET}' column to score against")
    probs = [cm.predict(w, b, enc.encode(r)) for r in rows]
    labels = [int(r[cm.TARGET]) for r in rows]
    precision, recall = cm.precision_recall(probs, labels)
    values = {
        "accuracy": cm.accuracy(probs, labels),
        "auc": cm.auc(probs, labels),
        "log_loss": cm.log_loss(probs, labels),
        "precision": precision,
        "recall": recall,
        "churn_rate": sum(labels) / len(labels),
    }
    metrics = cm.Metrics()
    for name, value in values.items():
        metrics.log(name, value)
    print(f"Scored the model trained on {model.get('data', '?')} against {args.data} "
          f"({len(rows)} rows):")
    for name, value in values.items():
        print(f"  {name:<11} {value:.4f}")


if __name__ == "__main__":
    try:
        main()
    except cm.DataError as e:
        sys.exit(f"validate.py: {e}")
