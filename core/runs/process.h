#pragma once

#include <QList>

namespace cairn {

// When process `pid` started, in clock ticks since boot (field 22 of /proc/<pid>/stat), or -1
// when there is no such process. With the pid it identifies a process even after pid reuse.
qint64 processStartTime(qint64 pid);

// True when `pid` runs and started at `startTime` (as processStartTime gave it); a zombie
// counts as gone.
bool isProcessAlive(qint64 pid, qint64 startTime);

// The processes of process group `pgid` that still run (zombies do not count).
QList<qint64> liveProcessesInGroup(qint64 pgid);

} // namespace cairn
