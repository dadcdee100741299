#pragma once

#include "common/error.h"
#include "run.h"

namespace cairn {

class Database;

// Asks a run to stop: its supervisor gets SIGTERM (it then stops the run's process group, see
// supervisor.h). A queued run nobody supervises yet is marked cancelled directly. Cancelling a
// run that has ended is an error that says how it ended.
Result<void> cancelRun(Database &db, qint64 runId);

// Waits until the run has ended (polling the store), at most `timeoutMs` (< 0: no limit).
Result<RunRecord> waitForRun(Database &db, qint64 runId, int timeoutMs = -1);

} // namespace cairn
