"""Cairn's helper for scripts it runs. Python standard library only.

    import cairn
    cairn.log_metric("loss", 0.31, step=5)

Metrics go to the file Cairn names in $CAIRN_METRICS_FILE, one JSON object per line, written
and flushed at once so that nothing is lost if the process is killed. Outside Cairn (no
$CAIRN_METRICS_FILE) the calls do nothing, so scripts run unchanged on their own.
"""

import json
import os
import threading
import time

__all__ = ["log_metric", "log_metrics", "run_id", "run_dir"]

_lock = threading.Lock()


def run_id():
    """The id of the Cairn run this process belongs to, or None outside Cairn."""
    return os.environ.get("CAIRN_RUN_ID")


def run_dir():
    """The folder Cairn keeps this run's files in, or None outside Cairn."""
    return os.environ.get("CAIRN_RUN_DIR")


def log_metric(name, value, step=None, timestamp=None):
    """Records one value of the metric `name` (at `step`, if given)."""
    log_metrics({name: value}, step=step, timestamp=timestamp)


def log_metrics(values, step=None, timestamp=None):
    """Records several metrics at once: log_metrics({"loss": 0.3, "acc": 0.9}, step=5)."""
    path = os.environ.get("CAIRN_METRICS_FILE")
    if not path:
        return
    ts = int((time.time() if timestamp is None else timestamp) * 1000)
    lines = []
    for name, value in values.items():
        record = {"name": str(name), "value": float(value), "timestamp": ts}
        if step is not None:
            record["step"] = int(step)
        # json.dumps writes NaN, Infinity and -Infinity bare, which Cairn accepts.
        lines.append(json.dumps(record))
    with _lock, open(path, "a", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
        f.flush()
