"""Feature encoding and the logistic model shared by train.py and validate.py.

Python standard library only, so the demo runs on any machine with python3.
"""

import csv
import json
import math
import os
import struct

NUMERIC = ["age", "tenure_months", "monthly_charges", "total_charges", "support_calls"]
CATEGORICAL = ["contract", "payment_method", "region", "has_partner"]
TARGET = "churned"
MISSING = {"", "NA", "N/A", "NaN", "nan", "null", "NULL", "None"}


class DataError(Exception):
    """A problem with the input table, with the file and line it is at."""


def read_table(path):
    """Reads a CSV file into a list of dicts, checking the columns the model needs."""
    if not os.path.exists(path):
        raise DataError(f"{path}: no such file; give an existing CSV file with --data")
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in NUMERIC + CATEGORICAL if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{path}:1: missing column(s) {', '.join(missing)}")
        rows = []
        for row in reader:
            if None in row or any(v is None for v in row.values()):
                raise DataError(f"{path}:{reader.line_num}: row has a different number of fields than the header")
            rows.append(row)
    if not rows:
        raise DataError(f"{path}: the table has no rows")
    return rows


def number(text):
    return None if text.strip() in MISSING else float(text)


class Encoder:
    """Standardises numeric features (missing values become the mean, plus a flag) and one-hot
    encodes categorical ones. Categories unseen in training map to all zeros."""

    def __init__(self, means=None, stds=None, categories=None):
        self.means = means or {}
        self.stds = stds or {}
        self.categories = categories or {}

    def fit(self, rows):
        for col in NUMERIC:
            values = [v for v in (number(r[col]) for r in rows) if v is not None]
            mean = sum(values) / len(values) if values else 0.0
            var = sum((v - mean) ** 2 for v in values) / len(values) if values else 1.0
            self.means[col] = mean
            self.stds[col] = math.sqrt(var) or 1.0
        for col in CATEGORICAL:
            self.categories[col] = sorted({r[col] for r in rows if r[col] not in MISSING})
        return self

    def feature_names(self):
        names = [f"{c}" for c in NUMERIC] + ["total_charges_missing"]
        for col in CATEGORICAL:
            names += [f"{col}={v}" for v in self.categories[col]]
        return names

    def encode(self, row):
        x = []
        for col in NUMERIC:
            v = number(row[col])
            x.append(0.0 if v is None else (v - self.means[col]) / self.stds[col])
        x.append(1.0 if number(row["total_charges"]) is None else 0.0)
        for col in CATEGORICAL:
            x += [1.0 if row[col] == v else 0.0 for v in self.categories[col]]
        return x

    def to_json(self):
        return {"means": self.means, "stds": self.stds, "categories": self.categories}

    @classmethod
    def from_json(cls, d):
        return cls(d["means"], d["stds"], d["categories"])


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def predict(weights, bias, x):
    return sigmoid(bias + sum(w * v for w, v in zip(weights, x)))


def log_loss(probs, labels):
    eps = 1e-12
    return -sum(y * math.log(max(p, eps)) + (1 - y) * math.log(max(1 - p, eps))
                for p, y in zip(probs, labels)) / len(labels)


def accuracy(probs, labels, threshold=0.5):
    return sum((p >= threshold) == (y == 1) for p, y in zip(probs, labels)) / len(labels)


def auc(probs, labels):
    """Area under the ROC curve (Mann-Whitney U with average ranks for ties)."""
    order = sorted(range(len(probs)), key=lambda i: probs[i])
    ranks = [0.0] * len(probs)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and probs[order[j + 1]] == probs[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2.0 + 1.0
        i = j + 1
    pos = sum(labels)
    neg = len(labels) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    return (sum(r for r, y in zip(ranks, labels) if y == 1) - pos * (pos + 1) / 2.0) / (pos * neg)


def precision_recall(probs, labels, threshold=0.5):
    tp = sum(1 for p, y in zip(probs, labels) if p >= threshold and y == 1)
    fp = sum(1 for p, y in zip(probs, labels) if p >= threshold and y == 0)
    fn = sum(1 for p, y in zip(probs, labels) if p < threshold and y == 1)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return precision, recall


def write_safetensors(path, tensors, metadata):
    """Writes float32 tensors in the safetensors format (8-byte header length, JSON header,
    little-endian data), so Cairn's model diff can compare weights tensor by tensor."""
    header = {"__metadata__": {k: str(v) for k, v in metadata.items()}}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        values, shape = tensors[name]
        data = struct.pack(f"<{len(values)}f", *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def load_model(path):
    if not os.path.exists(path):
        raise DataError(f"{path}: no such model; run the train entry point first")
    with open(path, encoding="utf-8") as f:
        m = json.load(f)
    return m["weights"], m["bias"], Encoder.from_json(m["encoder"]), m


class Metrics:
    """Reports metrics to Cairn when run by it, else just prints them.

    Cairn sets CAIRN_METRICS_FILE and puts its `cairn` helper module on PYTHONPATH."""

    def __init__(self):
        try:
            import cairn  # noqa: F401  (the helper Cairn provides)
            self._cairn = cairn
        except ImportError:
            self._cairn = None
        self._path = os.environ.get("CAIRN_METRICS_FILE")

    def log(self, name, value, step=None):
        if self._cairn is not None:
            self._cairn.log_metric(name, value, step=step)
        elif self._path:
            record = {"name": name, "value": value}
            if step is not None:
                record["step"] = step
            with open(self._path, "a", encoding="utf-8") as f:
                f.write(json.dumps(record) + "\n")
