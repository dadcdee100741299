#pragma once

#include "run.h"

#include <QByteArrayView>

#include <functional>

namespace cairn {

struct SupervisorOptions
{
    // Called with every chunk of output, as it arrives, after it is written to output.log.
    std::function<void(QByteArrayView)> onOutput;
    // How long a cancelled run may take to stop after SIGTERM before it gets SIGKILL.
    int graceMs = 5000;
};

// Runs the queued run `runId` of the project at `projectRoot` to its end, in this process:
//  - the command runs under /bin/sh in its own process group, in the run's working directory,
//    with CAIRN_RUN_ID, CAIRN_RUN_DIR, CAIRN_METRICS_FILE, CAIRN_PROJECT_DIR,
//    PYTHONUNBUFFERED=1 and Cairn's helper on PYTHONPATH;
//  - stdout and stderr go, in arrival order, to .cairn/runs/<id>/output.log, written as they
//    arrive so that killing Cairn loses nothing the script wrote;
//  - SIGINT, SIGTERM or SIGHUP to this process cancel the run: SIGTERM to its process group,
//    then SIGKILL after the grace period, to every process of the group still running;
//  - the status, exit code or signal and times are recorded in the project database.
// Returns the final record.
// The processes of process group `pgid` that are still running (zombies, which have ended but
// wait for their parent to collect them, do not count). Linux /proc.
QList<qint64> liveProcessesInGroup(qint64 pgid);

Result<RunRecord> superviseRun(const QString &projectRoot, qint64 runId,
                               const SupervisorOptions &options = {});

} // namespace cairn
