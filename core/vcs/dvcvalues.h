#pragma once

// Readers behind dvcexp.h: params and metrics files flattened to keys, plots files to records,
// dvc.yaml (dvcpipeline.cpp) and dvc.lock.

#include "dvcexp.h"

#include <yaml-cpp/yaml.h>

namespace cairn::dvc::detail {

// The flattened values of a params or metrics file, by its suffix: .json, .toml (a subset:
// tables, key = value, one-line arrays), .py (literal assignments, top-level and in classes),
// anything else YAML 1.2. `label` names the file in errors ("abc1234:params.yaml").
Result<QList<FlatValue>> parseValuesFile(const QByteArray &bytes, const QString &path,
                                         const QString &label);

// Appends the values below `node`, keys prefixed with `prefix` and a dot.
void flattenYaml(const YAML::Node &node, const QString &prefix, QList<FlatValue> &out);
// A YAML node as a typed JSON value (YAML 1.2 core schema) and as text.
QJsonValue yamlToJson(const YAML::Node &node);
QString yamlText(const YAML::Node &node);

// The records of a plots file, by its suffix: .csv, .tsv, .json, else YAML.
Result<DvcPlot> parsePlotFile(const QByteArray &bytes, const QString &path, const QString &label);

inline const QString kParamsYaml = QStringLiteral("params.yaml");

// A stage of dvc.yaml.
struct StageDef
{
    QString name;
    QString cmd;
    QString wdir;               // dvc.lock's paths are relative to it
    bool templated = false;     // foreach/matrix: expanded into "name@key" stages by DVC
    bool alwaysChanged = false; // `always_changed: true`: never up to date
    QList<std::pair<QString, QStringList>> params; // file → keys (empty: the whole file)
    QStringList deps;
    QStringList outs; // outs, metrics and plots
};

struct DvcYaml
{
    QStringList paramsFiles; // top-level `params:`
    QStringList metrics;
    QStringList plots;
    QList<StageDef> stages;
};

// A stage's path relative to the project: `path` below `wdir`.
QString joinWdir(const QString &wdir, const QString &path);
// Appends `item` unless it is empty, templated (`${…}`) or there already.
void appendUnique(QStringList &list, const QString &item);
// dvc.yaml: the params, metrics and plots files it names and its stages. Syntax errors are
// appended to `warnings`.
DvcYaml parseDvcYaml(const QByteArray &bytes, const QString &label, Errors &warnings);
// dvc.lock's stages (schema 2.0, or 1.x with the stages at the top level).
QList<DvcStage> parseLock(const QByteArray &bytes, const QString &label, Errors &warnings);

// The 1-based line and column of `offset` in `bytes`.
std::pair<int, int> lineColumnAt(const QByteArray &bytes, qsizetype offset);

} // namespace cairn::dvc::detail
