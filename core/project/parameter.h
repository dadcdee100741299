#pragma once

#include "common/error.h"

#include <QString>

#include <optional>

namespace cairn {

// The types a parameter can have. `Uri` exists for MLproject files, which declare it.
enum class ParamType
{
    String,
    Int,
    Float,
    Bool,
    Path,
    Uri
};

QString paramTypeName(ParamType type);
std::optional<ParamType> paramTypeFromName(QStringView name);
// The names accepted in cairn.yaml, for error messages: "int, float, string, bool, path".
QString cairnParamTypeNames();

struct SourceLocation
{
    int line = 0; // 1-based, 0 = unknown
    int column = 0;
};

struct Parameter
{
    QString name;
    ParamType type = ParamType::String;
    std::optional<QString> defaultValue; // as written in the project file
    QString description;
    SourceLocation location;

    bool isRequired() const { return !defaultValue.has_value(); }
};

// Checks that `value` is a valid `type` value and returns it as it will be passed to the
// command. Values keep the spelling the user gave (".5" stays ".5", "True" stays "True"), so a
// script sees exactly what was typed. The error message names the parameter and the expected
// form.
Result<QString> checkParameterValue(const Parameter &param, const QString &value);

// POSIX shell quoting with exactly the rules of Python's shlex.quote, so commands built from
// MLproject files are byte-for-byte what `mlflow run` would build.
QString shellQuote(const QString &value);

} // namespace cairn
