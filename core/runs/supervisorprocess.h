#pragma once

#include "common/error.h"

namespace cairn {

// The cairn-cli executable that supervises runs: $CAIRN_CLI if set, else the one next to the
// running program, else the first on PATH.
QString supervisorExecutable();

// Starts `cairn-cli supervise` for a queued run as a detached process in its own session, so the
// run outlives the program that started it. Returns the supervisor's process id.
Result<qint64> startSupervisor(const QString &projectRoot, qint64 runId);

} // namespace cairn
