#pragma once

#include "run.h"

#include <QByteArrayView>

#include <functional>

namespace cairn {

struct SupervisorOptions
{
    // Called with every chunk of output, as it arrives, after it is written to output.log.
    std::function<void(QByteArrayView)> onOutput;
    // Called with each problem the supervisor notices (a bad metrics line, a file it cannot
    // hash); the same text goes to the run's warnings.log.
    std::function<void(const QString &)> onWarning;
    // Called once the run has a slot and its command starts (after waiting in the queue).
    std::function<void(const RunRecord &)> onStarted;
    // How long a cancelled run may take to stop after SIGTERM before it gets SIGKILL.
    int graceMs = 5000;
    // How many runs of the project may run at once; 0 reads the setting.
    int maxConcurrent = 0;
    // How often buffered metrics are written to the store.
    int flushIntervalMs = 200;
};

// Runs the queued run `runId` of the project at `projectRoot` to its end, in this process:
//  - waits in the queue while the project already has `maxConcurrent` runs running;
//  - records the code version (commit, branch, dirty flag, remote; the uncommitted diff as
//    git.patch) and hashes the declared datasets and models ("before");
//  - runs the command under /bin/sh in its own process group, in the run's working directory,
//    with CAIRN_RUN_ID, CAIRN_RUN_DIR, CAIRN_METRICS_FILE, CAIRN_PROJECT_DIR,
//    PYTHONUNBUFFERED=1 and Cairn's helper on PYTHONPATH;
//  - writes stdout and stderr, in arrival order, to .cairn/runs/<id>/output.log as they arrive;
//  - stores metrics from $CAIRN_METRICS_FILE, from `cairn:metric {json}` output lines and from
//    the entry point's patterns, in batches;
//  - SIGINT, SIGTERM or SIGHUP to this process cancel the run: SIGTERM to its process group,
//    then SIGKILL, after the grace period, to every process of the group still running;
//  - at the end hashes the declared files again ("after") and records the status, exit code or
//    signal and times.
// Returns the final record.
Result<RunRecord> superviseRun(const QString &projectRoot, qint64 runId,
                               const SupervisorOptions &options = {});

} // namespace cairn
