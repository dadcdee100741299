#pragma once

#include "launcher.h"

namespace cairn {

struct Reproduction
{
    PreparedRun run;      // queued; start it with startSupervisor
    QString worktree;     // where it runs
    QStringList warnings; // data that could not be put back as it was
};

// Prepares a run that reproduces run `runId` of the project at `projectRoot`: a git work tree
// under <project>/.cairn/worktrees/ checked out at the recorded commit with the recorded
// uncommitted changes (git.patch) applied; the entry point as the project file declared it at
// that commit, with the recorded parameter values. Declared datasets that git does not hold
// (ignored or DVC-tracked files) are linked in from the project when their content still has
// the hash the run recorded; otherwise a warning says which data differs.
std::expected<Reproduction, Errors> prepareReproduction(const QString &projectRoot, Database &db,
                                                        qint64 runId);

} // namespace cairn
