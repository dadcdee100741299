#pragma once

#include <QStringList>

namespace cairn::cli {

// Each command takes its own arguments (without the command name) and returns the process
// exit code: 0 success, 1 failure, 2 usage error.
int cmdInit(const QStringList &args);
int cmdDemo(const QStringList &args);
int cmdProject(const QStringList &args);
int cmdRun(const QStringList &args);
int cmdRuns(const QStringList &args);
int cmdShow(const QStringList &args);
int cmdMetrics(const QStringList &args);
int cmdLogs(const QStringList &args);
int cmdCancel(const QStringList &args);
int cmdSupervise(const QStringList &args);
int cmdDrift(const QStringList &args);
int cmdDiff(const QStringList &args);
int cmdVersions(const QStringList &args);
int cmdValidate(const QStringList &args);
int cmdGate(const QStringList &args);     // registrycommands.cpp
int cmdRegister(const QStringList &args); // registrycommands.cpp
int cmdPromote(const QStringList &args);  // registrycommands.cpp
int cmdModels(const QStringList &args);   // registrycommands.cpp
int cmdPipeline(const QStringList &args); // pipelinecommand.cpp
int cmdImport(const QStringList &args);   // importcommand.cpp
int cmdDvc(const QStringList &args);      // dvccommand.cpp

QString usage();

} // namespace cairn::cli
