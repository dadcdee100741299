#!/usr/bin/python3
"""Computes with numpy/scipy, through drift_oracle.py (next to this file), the numbers that
tests/tst_categoricaltests.cpp checks Cairn's categorical and binned drift tests against.

Usage: categorical_reference.py MANIFEST.json DATA.f64 OUT.json

MANIFEST describes the cases; every array is a slice [offset, length] of DATA, little-endian
float64. Categorical codes are whole numbers 0..m-1 (so Python's set order is ascending). The
output holds, per case and test, the oracle's dict (or {"error": ...}); floats are written with
float.hex() so they survive the trip bit for bit, 64-bit integers as decimal strings.
"""
import json
import os
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drift_oracle as oracle  # noqa: E402


def exact(x):
    if isinstance(x, dict):
        return {k: exact(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [exact(v) for v in x]
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    if isinstance(x, (float, np.floating)):
        return float(x).hex()
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    return x


def run_tests(ref, cur, ftype, tests):
    out = {}
    for name in tests:
        fn = oracle.REGISTRY[name][0]
        try:
            with np.errstate(all="ignore"):
                out[name] = fn(ref, cur, ftype)
        except Exception as e:  # the oracle raises where Evidently raises
            out[name] = {"error": f"{type(e).__name__}: {e}"}
    return out


def rng_ops(spec):
    """Replays the manifest's draws on numpy's legacy global RandomState."""
    np.random.seed(int(spec["seed"]))
    out = []
    for op in spec["ops"]:
        kind = op[0]
        if kind == "u32":
            out.append(np.random.randint(0, 2**32, size=op[1], dtype=np.uint64).tolist())
        elif kind == "u64":
            out.append(np.random.randint(0, 2**64 - 1, size=op[1], dtype=np.uint64).tolist())
        elif kind == "interval":  # random_interval(max) == randint(0, max + 1), masked
            mx = int(op[1])
            out.append(np.random.randint(0, mx + 1, size=op[2], dtype=np.uint64).tolist())
        elif kind == "perm":
            out.append(np.random.permutation(op[1]).tolist())
        elif kind == "u32digest":  # a long stream: sum mod 2**64, xor and the last value
            x = np.random.randint(0, 2**32, size=op[1], dtype=np.uint64)
            out.append([int(x.sum(dtype=np.uint64)), int(np.bitwise_xor.reduce(x)), int(x[-1])])
        elif kind == "permdigest":  # sum(i * p[i]) mod 2**64 and the first values
            p = np.random.permutation(op[1]).astype(np.uint64)
            w = (p * np.arange(op[1], dtype=np.uint64)).sum(dtype=np.uint64)
            out.append([int(w)] + p[:5].tolist())
        else:
            raise ValueError(f"unknown rng op {kind}")
    return out


def main():
    manifest_path, data_path, out_path = sys.argv[1:4]
    with open(manifest_path) as f:
        manifest = json.load(f)
    data = np.fromfile(data_path, dtype="<f8")

    def arr(spec):
        off, n = spec
        return data[off:off + n]

    out = {"versions": {"numpy": np.__version__, "scipy": __import__("scipy").__version__,
                        "pandas": pd.__version__},
           "categorical": {}, "numeric": {}, "histograms": {}, "sums": {}, "rng": []}
    for case in manifest["categorical"]:
        ref = pd.Series(arr(case["ref"]).astype(np.int64))
        cur = pd.Series(arr(case["cur"]).astype(np.int64))
        out["categorical"][case["name"]] = run_tests(ref, cur, oracle.CAT, case["tests"])
    for case in manifest["numeric"]:
        ref = pd.Series(arr(case["ref"]))
        cur = pd.Series(arr(case["cur"]))
        out["numeric"][case["name"]] = run_tests(ref, cur, oracle.NUM, case["tests"])
    for case in manifest["histograms"]:
        # what binned() and t_hellinger() do: edges from one array, counts of another
        edges = np.histogram_bin_edges(arr(case["base"]), bins="sturges")
        counts = np.histogram(arr(case["values"]), edges)[0]
        out["histograms"][case["name"]] = {"edges": edges.tolist(), "counts": counts.tolist()}
    for case in manifest["sums"]:
        out["sums"][case["name"]] = float(np.sum(arr(case["values"])))
    for spec in manifest["rng"]:
        out["rng"].append(rng_ops(spec))
    with open(out_path, "w") as f:
        json.dump(exact(out), f)


if __name__ == "__main__":
    main()
