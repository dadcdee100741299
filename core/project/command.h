#pragma once

#include "project.h"

#include <QList>
#include <QString>

#include <expected>
#include <utility>

namespace cairn {

using ParamValues = QList<std::pair<QString, QString>>; // in the order the user gave them

struct CommandOptions
{
    // When not empty, a `python` or `python3` word that starts a command (or a part of it after
    // &&, ||, ;, | or a parenthesis) runs this interpreter instead, so projects written for a
    // machine with `python` on PATH run with the interpreter chosen in the settings.
    QString pythonInterpreter;
};

// What to run for one launch of an entry point.
struct LaunchCommand
{
    QString entryPoint;
    QString shellCommand;     // for /bin/sh -c
    QString workingDirectory; // absolute
    ParamValues parameters;   // every value used, declared ones first, unquoted
};

// Resolves the entry point, checks every value against its declared type, fills in defaults
// and substitutes the placeholders with shell-quoted values. Reports all problems at once:
// missing values, values of the wrong type, unknown parameters.
//
// MLproject semantics (mlflow/projects/_project_spec.py): undeclared parameters are appended
// as `--key value`; a `path` value must exist and becomes absolute; an entry point that is not
// declared but names a .py or .sh file in the project runs that file. In cairn.yaml projects an
// undeclared parameter is an error, so a typo never goes unnoticed.
std::expected<LaunchCommand, Errors> buildLaunchCommand(const Project &project,
                                                        const QString &entryPoint,
                                                        const ParamValues &values,
                                                        const CommandOptions &options = {});

// True when the command starts a `python` or `python3` program (see CommandOptions).
bool commandUsesPython(const QString &command);

// Splits "key=value" arguments (as given to `cairn-cli run -P`). Errors name the argument.
std::expected<ParamValues, Error> parseParamAssignments(const QStringList &assignments);

} // namespace cairn
