#!/usr/bin/env python3
"""Train the churn classifier: logistic regression by mini-batch gradient descent.

Reports train/validation loss, accuracy and AUC after every epoch, and writes the model as JSON
(for validate.py) and as safetensors (weights, for diffs between model versions).
"""

import argparse
import datetime
import hashlib
import json
import os
import random
import sys
import time

import churn_model as cm


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", default="data/reference.csv")
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--lr", type=float, default=0.3)
    ap.add_argument("--l2", type=float, default=0.001)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--model", default="models/churn-model.json")
    args = ap.parse_args()
    if args.epochs < 1 or args.batch_size < 1 or args.lr <= 0:
        sys.exit("train.py: --epochs and --batch-size must be at least 1 and --lr positive")

    rows = cm.read_table(args.data)
    if cm.TARGET not in rows[0]:
        sys.exit(f"train.py: {args.data} has no '{cm.TARGET}' column to learn from")
    rng = random.Random(args.seed)
    rng.shuffle(rows)
    cut = int(len(rows) * 0.8)
    train_rows, val_rows = rows[:cut], rows[cut:]
    enc = cm.Encoder().fit(train_rows)
    xtr = [enc.encode(r) for r in train_rows]
    ytr = [int(r[cm.TARGET]) for r in train_rows]
    xva = [enc.encode(r) for r in val_rows]
    yva = [int(r[cm.TARGET]) for r in val_rows]
    n_features = len(xtr[0])
    print(f"Training on {args.data}: {len(xtr)} rows for training, {len(xva)} for validation, "
          f"{n_features} features, churn rate {sum(ytr) / len(ytr):.1%}", flush=True)

    w = [0.0] * n_features
    b = 0.0
    metrics = cm.Metrics()
    order = list(range(len(xtr)))
    batches = (len(order) + args.batch_size - 1) // args.batch_size
    interactive = sys.stdout.isatty() or "CAIRN_RUN_ID" in os.environ
    start = time.time()
    values = {}
    for epoch in range(1, args.epochs + 1):
        rng.shuffle(order)
        for bi in range(batches):
            idx = order[bi * args.batch_size:(bi + 1) * args.batch_size]
            gw = [0.0] * n_features
            gb = 0.0
            for i in idx:
                xi = xtr[i]
                err = cm.predict(w, b, xi) - ytr[i]
                for j in range(n_features):
                    gw[j] += err * xi[j]
                gb += err
            scale = args.lr / len(idx)
            for j in range(n_features):
                w[j] -= scale * gw[j] + args.lr * args.l2 * w[j]
            b -= scale * gb
            if interactive and (bi % 10 == 0 or bi == batches - 1):
                done = (bi + 1) / batches
                bar = "#" * int(done * 30)
                print(f"\r  epoch {epoch:3d}/{args.epochs} [{bar:<30}] {done:4.0%}", end="", flush=True)
        ptr = [cm.predict(w, b, x) for x in xtr]
        pva = [cm.predict(w, b, x) for x in xva]
        values = {
            "loss": cm.log_loss(ptr, ytr),
            "val_loss": cm.log_loss(pva, yva),
            "accuracy": cm.accuracy(ptr, ytr),
            "val_accuracy": cm.accuracy(pva, yva),
            "val_auc": cm.auc(pva, yva),
        }
        for name, value in values.items():
            metrics.log(name, value, step=epoch)
        if interactive:
            print("\r", end="")
        print(f"epoch {epoch:3d}/{args.epochs}  loss {values['loss']:.4f}  "
              f"val_loss {values['val_loss']:.4f}  val_accuracy {values['val_accuracy']:.4f}  "
              f"val_auc {values['val_auc']:.4f}", flush=True)

    with open(args.data, "rb") as f:
        data_sha256 = hashlib.sha256(f.read()).hexdigest()
    model = {
        "format": "cairn-demo-logreg/1",
        "trained_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "data": args.data,
        "data_sha256": data_sha256,
        "params": {"epochs": args.epochs, "lr": args.lr, "l2": args.l2,
                   "batch_size": args.batch_size, "seed": args.seed},
        "features": enc.feature_names(),
        "weights": w,
        "bias": b,
        "encoder": enc.to_json(),
        "metrics": values,
    }
    os.makedirs(os.path.dirname(args.model) or ".", exist_ok=True)
    with open(args.model, "w", encoding="utf-8") as f:
        json.dump(model, f, indent=2)
    tensors_path = os.path.splitext(args.model)[0] + ".safetensors"
    cm.write_safetensors(tensors_path,
                         {"linear.weight": (w, [1, n_features]), "linear.bias": ([b], [1])},
                         {"features": json.dumps(enc.feature_names()), "data_sha256": data_sha256})
    print(f"Wrote {args.model} and {tensors_path} in {time.time() - start:.1f} s: "
          f"val_accuracy {values['val_accuracy']:.4f}, val_auc {values['val_auc']:.4f}", flush=True)


if __name__ == "__main__":
    try:
        main()
    except cm.DataError as e:
        sys.exit(f"train.py: {e}")
