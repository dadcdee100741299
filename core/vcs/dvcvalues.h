#pragma once

// Readers behind dvcexp.h: params and metrics files flattened to keys, plots files to records.

#include "dvcexp.h"

#include <yaml-cpp/yaml.h>

namespace cairn::dvc::detail {

// The flattened values of a params or metrics file, by its suffix: .json, .toml (a subset:
// tables, key = value, one-line arrays), .py (not supported: an error saying so), anything else
// YAML 1.2. `label` names the file in errors ("abc1234:params.yaml").
Result<QList<FlatValue>> parseValuesFile(const QByteArray &bytes, const QString &path,
                                         const QString &label);

// Appends the values below `node`, keys prefixed with `prefix` and a dot.
void flattenYaml(const YAML::Node &node, const QString &prefix, QList<FlatValue> &out);
// A YAML node as a typed JSON value (YAML 1.2 core schema) and as text.
QJsonValue yamlToJson(const YAML::Node &node);
QString yamlText(const YAML::Node &node);

// The records of a plots file, by its suffix: .csv, .tsv, .json, else YAML.
Result<DvcPlot> parsePlotFile(const QByteArray &bytes, const QString &path, const QString &label);

// The 1-based line and column of `offset` in `bytes`.
std::pair<int, int> lineColumnAt(const QByteArray &bytes, qsizetype offset);

} // namespace cairn::dvc::detail
