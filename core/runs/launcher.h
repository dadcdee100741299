#pragma once

#include "project/command.h"
#include "project/project.h"
#include "run.h"
#include "store/database.h"

#include <expected>

namespace cairn {

struct LaunchRequest
{
    QString entryPoint;
    ParamValues values; // parameters the user gave; defaults fill in the rest
    QString name;       // optional run name
    QString note;
    std::optional<qint64> reproduces; // set by Reproduce
};

struct PreparedRun
{
    RunRecord record; // as stored, status queued
    QString runDir;   // <project>/.cairn/runs/<id>
};

// <project>/.cairn/runs/<id>
QString runDirectory(const QString &projectRoot, qint64 id);

// run.json in a run folder; a missing or unreadable file gives an empty spec.
RunSpec readRunSpec(const QString &runDir);

// Writes Cairn's Python helper (`import cairn`) to <project>/.cairn/python and returns that
// folder, which runs get on their PYTHONPATH.
Result<QString> installPythonHelper(const QString &projectRoot);

// Checks the request (entry point, every parameter value against its type, the Python
// interpreter when the command needs one) and records a queued run with its folder, params.json
// and run.json. Nothing is started: a supervisor does that. The run is recorded in the store of
// `storeRoot` (default: the project's own folder); Reproduce runs a project checked out
// elsewhere and records it in the original project.
std::expected<PreparedRun, Errors> prepareRun(const Project &project, Database &db,
                                              const LaunchRequest &request,
                                              const QString &storeRoot = {});

} // namespace cairn
