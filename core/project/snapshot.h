#pragma once

#include "project/project.h"
#include "runs/run.h"
#include "vcs/git.h"

#include <optional>

namespace cairn {

// Everything a view shows about a project at one moment, loaded in one go off the GUI thread.
// A project whose file has errors still has a snapshot: the errors say what to fix.
struct ProjectSnapshot
{
    QString root;                   // absolute folder path
    QString name;                   // from the project file, else the folder name
    std::optional<Project> project; // missing when the project file has errors
    Errors errors;                  // why the project file could not be read
    GitState git;
    qint64 runCount = 0;
    qint64 activeRunCount = 0;   // queued or running
    QList<qint64> lostRuns;      // runs found without a supervisor at this load
    QList<RunRecord> recentRuns; // the newest few, for the overview
};

// Loads the project file, the git state and the run counts. Never runs project code.
ProjectSnapshot loadSnapshot(const QString &dir);

} // namespace cairn
