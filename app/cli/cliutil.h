#pragma once

#include "common/error.h"
#include "project/project.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

#include <optional>

namespace cairn::cli {

void printErr(const QString &text);
void printOut(const QString &text);
int reportErrors(const Errors &errors);
int reportError(const Error &e);

// Parses `args` with `parser`; on a usage problem prints it and returns false with the exit
// code in `exitCode` (2, or 0 for --help).
bool parse(QCommandLineParser &parser, const QString &command, const QStringList &args,
           int *exitCode);

extern const QCommandLineOption projectOption;

// The folder given with --project, else the current folder or its nearest parent that holds a
// project file or a .cairn folder.
QString projectRoot(const QCommandLineParser &parser);
std::optional<Project> load(const QCommandLineParser &parser, int *exitCode);
QString formatDuration(qint64 ms);

} // namespace cairn::cli
