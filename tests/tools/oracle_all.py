#!/usr/bin/python3
"""Runs drift_oracle.py (next to this file) on pairs of CSV files with the default test choice
and with every test forced in turn, in one process, and prints one JSON document:

    {"<ref>|<cur>": {"default": <oracle output>, "methods": {NAME: {column: {...}}},
                     "extras": {column: {"es_singular", "mmd_statistic", "mmd_p", "mmd_p_tol"}}}}

empirical_mmd is forced only on pairs of at most MMD_MAX_ROWS rows.

Usage: oracle_all.py REF1 CUR1 [REF2 CUR2 ...]
Used by tests/tst_driftoracle.cpp to compare Cairn's numbers with scipy's.
"""
import io
import json
import os
import sys
from contextlib import redirect_stdout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import drift_oracle  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from scipy import stats  # noqa: E402

METHODS = ["ks", "wasserstein", "psi", "kl_div", "jensenshannon", "chisquare", "z", "anderson",
           "cramer_von_mises", "ed", "es", "fisher_exact", "g_test", "hellinger", "mannw", "t_test",
           "TVD", "empirical_mmd"]

# The oracle's MMD permutes an N x N kernel 100 times (minutes per column at a few thousand
# rows); it is forced only on pairs this small. tst_numerictests covers it up to N = 1000.
MMD_MAX_ROWS = 1000


def run(args):
    buf = io.StringIO()
    with redirect_stdout(buf):
        drift_oracle.main(args)
    return json.loads(buf.getvalue())


def es_singular(x, y):
    """Whether scipy's Epps-Singleton covariance estimate (as epps_singleton_2samp computes it)
    is singular: its statistic is then rounding noise, and Cairn refuses instead."""
    iqr = stats.iqr(np.hstack((x, y)))
    if iqr == 0:
        return False
    ts = np.reshape(np.array([0.4, 0.8]), (-1, 1)) / (iqr / 2)
    gx = np.vstack((np.cos(ts * x), np.sin(ts * x))).T
    gy = np.vstack((np.cos(ts * y), np.sin(ts * y))).T
    n = len(x) + len(y)
    ev = np.abs(np.linalg.eigvalsh((n / len(x)) * np.cov(gx.T, bias=True) +
                                   (n / len(y)) * np.cov(gy.T, bias=True)))
    return bool(ev.max() <= 1e-10 or ev.min() < 1e-10 * ev.max())


def mmd_tolerant(x, y):
    """drift_oracle.t_mmd with the same seed and permutations, returning (statistic, p, p_tol):
    p_tol counts a permutation whose statistic equals the observed one up to rounding
    (1e-9 of the terms' scale) as >=, which is what the test means; numpy's rounding otherwise
    decides exact ties either way."""
    xs = x.reshape(-1, 1)
    ys = y.reshape(-1, 1)
    if len(xs) + len(ys) > 5000:
        return None

    def sq(a, b):
        return (b ** 2).T - 2 * np.dot(a, b.T) + a ** 2

    dxx = sq(xs, xs)
    s = (0.5 * np.percentile(dxx.flatten(), 50, method="nearest")) ** 0.5
    s = (0.5 * 1) ** 0.5 if s == 0 else float(s)
    g = 1.0 / (2.0 * s ** 2)
    kxx, kxy, kyy = np.exp(-g * dxx), np.exp(-g * sq(xs, ys)), np.exp(-g * sq(ys, ys))
    K = np.concatenate((np.concatenate((kxx, kxy), 1), np.concatenate((kxy.T, kyy), 1)), 0)
    K = K - np.diag(np.diagonal(K))
    ny = ys.shape[0]

    def mmd2(K, permute):
        nx = K.shape[0] - ny
        if permute:
            i = np.random.permutation(K.shape[0])
            K = K[i][:, i]
        xx = K[:-ny, :-ny].sum() / (nx * (nx - 1))
        yy = K[-ny:, -ny:].sum() / (ny * (ny - 1))
        yx = K[-ny:, :-ny].mean()
        return xx + yy - 2.0 * yx, xx + yy + 2.0 * yx

    with np.errstate(all="ignore"):
        np.random.seed(0)
        m, mscale = mmd2(K, False)
        perms = [mmd2(K, True) for _ in range(100)]
    p = float(np.mean([m <= v for v, _ in perms]))
    p_tol = float(np.mean([m <= v + 1e-9 * max(mscale, sc) for v, sc in perms]))
    return float(m), p, p_tol


def extras(ref, cur, default, with_mmd):
    """Per numeric column: the Epps-Singleton singularity flag and the tie-tolerant MMD p-value."""
    ref_df = pd.read_csv(ref, low_memory=False)
    cur_df = pd.read_csv(cur, low_memory=False)
    out = {}
    for name, col in default["columns"].items():
        if col.get("type") != "numerical":
            continue
        x = drift_oracle.clean(ref_df[name]).to_numpy(dtype=float)
        y = drift_oracle.clean(cur_df[name]).to_numpy(dtype=float)
        if len(x) == 0 or len(y) == 0:
            continue
        e = {"es_singular": es_singular(x, y)}
        r = mmd_tolerant(x, y) if with_mmd and len(x) >= 2 and len(y) >= 2 else None
        if r is not None:
            e["mmd_statistic"], e["mmd_p"], e["mmd_p_tol"] = (drift_oracle._strict(v) for v in r)
        out[name] = e
    return out


def main():
    files = sys.argv[1:]
    out = {}
    for ref, cur in zip(files[0::2], files[1::2]):
        entry = {"default": run([ref, cur, "--no-extras"]), "methods": {}}
        rows = sum(1 for _ in open(ref)) + sum(1 for _ in open(cur)) - 2
        with_mmd = rows <= MMD_MAX_ROWS
        for m in METHODS:
            if m == "empirical_mmd" and not with_mmd:
                continue
            entry["methods"][m] = run([ref, cur, "--no-extras", "--method", m])["columns"]
        entry["extras"] = extras(ref, cur, entry["default"], with_mmd)
        out[ref + "|" + cur] = entry
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
