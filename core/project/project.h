#pragma once

#include "common/error.h"
#include "parameter.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace cairn {

// A regular expression that turns output lines of scripts the user cannot change into metrics.
// Named groups: `value` (required), `name` (or the fixed `metric` name), `step` (optional).
struct MetricPattern
{
    QString regex;
    QString metric; // fixed metric name when the pattern has no `name` group
    SourceLocation location;
};

struct EntryPoint
{
    QString name;
    QString command; // with {param} placeholders, shell syntax
    QString description;
    QString workingDirectory; // relative to the project root; empty = the root
    QList<Parameter> parameters;
    QList<MetricPattern> metricPatterns;
    SourceLocation location;

    const Parameter *parameter(QStringView paramName) const;
};

// What one column of a dataset must satisfy (`checks: columns:` in cairn.yaml). A column named
// here must exist; every other rule is optional.
struct ColumnCheck
{
    QString column;
    QString kind; // "int", "float", "bool", "string", or empty: any
    std::optional<double> min;
    std::optional<double> max;
    std::optional<qint64> maxMissingCount; // `missing: N`
    std::optional<double> maxMissingShare; // `max_missing: 0.01`
    bool unique = false;
    std::optional<QStringList> allowed;
    SourceLocation location;
};

// The dataset's share of drifted columns against a reference stays at most `maxShare`.
struct DriftCheck
{
    double maxShare = 0.5;
    QString test; // empty: the project's drift test, else Evidently's choice per column
    std::optional<double> threshold;
    QString reference; // a dataset name or a path; empty: the project's drift reference
    SourceLocation location;
};

// The validation rules of a dataset (`checks:` in cairn.yaml, docs/project-file.md).
struct DatasetChecks
{
    std::optional<qint64> minRows;
    std::optional<qint64> maxRows;
    QList<ColumnCheck> columns;
    QStringList key; // the dataset's `key:`: its values must be present and unique
    std::optional<DriftCheck> drift;
    SourceLocation location;
};

struct DatasetSpec
{
    QString name;
    QStringList paths; // files or globs relative to the project root
    QStringList key;   // key column(s), may be empty
    QString description;
    SourceLocation location;
    std::optional<DatasetChecks> checks = std::nullopt; // `checks:` in cairn.yaml
};

// One condition of a model gate, as written: `val_auc >= 0.80`,
// `val_auc >= production.val_auc - 0.01`, `validate.accuracy > 0.7` (grammar in
// registry/gatecondition.h and docs/project-file.md).
struct GateCondition
{
    QString text;
    SourceLocation location;
};

// What a run's model must pass to be promoted (`gate:` of a model in cairn.yaml).
struct ModelGate
{
    QList<GateCondition> conditions;
    bool dataChecks = true; // `data_checks:`: the checks of the datasets the run used must pass
    SourceLocation location;
};

struct ModelSpec
{
    QString name;
    QStringList paths; // artifact files or globs relative to the project root
    QString description;
    SourceLocation location;
    std::optional<ModelGate> gate = std::nullopt;
};

// One step of a pipeline (`pipelines:` in cairn.yaml). Values may hold the pipeline's
// {parameters}.
struct PipelineStep
{
    enum class Kind
    {
        Run,      // `run: ENTRY` with `parameters:`: a run of that entry point
        Validate, // `validate: DATASET|PATH`: the dataset's checks (cairn-cli validate)
        Gate,     // `gate: MODEL`: the model's gate on the run of this pipeline that wrote it
        Register, // `register: MODEL`: a registry version from that run
        Promote   // `promote: MODEL` with `to: ALIAS`: the version this pipeline registered
    };
    Kind kind = Kind::Run;
    QString target;                            // entry point, dataset or path, model
    QList<QPair<QString, QString>> parameters; // Run: entry point parameter values, file order
    QString alias;                             // Promote: `to:`
    SourceLocation location;

    // "train", "validate data/reference.csv", "gate churn-model", "promote churn-model → staging"
    QString displayName() const;
};
QString pipelineStepKindName(PipelineStep::Kind kind); // "run", "validate", "gate", ...

struct PipelineSpec
{
    QString name;
    QString description;
    QList<Parameter> parameters; // like an entry point's; {name} in step values
    QList<PipelineStep> steps;
    SourceLocation location;
};

// What to do when drift is found: launch an entry point on the drifted batch. Parameter values
// may hold {current} (the batch, relative to the project root) and {reference}.
struct RetrainSettings
{
    QString entryPoint;                        // one of entryPoint and pipeline is set
    QString pipeline;                          // `pipeline:` a pipeline's name: Retrain starts it
    QList<QPair<QString, QString>> parameters; // in file order
    SourceLocation location;
};

struct DriftSettings
{
    QString reference; // a dataset name or a path relative to the project root
    QString current;   // a dataset name or a glob of batches
    QString test;      // one test for every column instead of Evidently's choice; empty: default
    std::optional<double> threshold;
    double driftShare = 0.5;
    QString binning = QStringLiteral("evidently"); // or "reference" (reference-binned mode)
    QList<QPair<QString, QString>> columnTypes;    // column -> numerical|categorical|text
    QStringList ignore;                            // columns left out of the comparison
    std::optional<RetrainSettings> retrain;
    SourceLocation location;
};

// Where a project's declarations came from.
enum class ProjectFormat
{
    None,
    Cairn,
    MLproject,
    Dvc,
    MlflowStore, // a mirror of an MLflow store (core/mlflow/mlflowimport.h): read-only
};
QString projectFormatName(ProjectFormat format);

// A project folder and what its project file declares. A plain value: loading it never runs
// anything the folder contains.
struct Project
{
    QString rootDir; // absolute, canonical
    QString name;
    QString description;
    ProjectFormat format = ProjectFormat::None;
    QString projectFile; // absolute path of the file the declarations came from
    QList<EntryPoint> entryPoints;
    QList<DatasetSpec> datasets;
    QList<ModelSpec> models;
    std::optional<DriftSettings> drift;
    QList<PipelineSpec> pipelines;
    // Problems that did not stop the project from loading (ignored keys, unresolved
    // templating in dvc.yaml, ...), with file, line and column.
    Errors warnings;

    const EntryPoint *entryPoint(QStringView entryName) const;
    const DatasetSpec *dataset(QStringView datasetName) const;
    const ModelSpec *model(QStringView modelName) const;
    const PipelineSpec *pipeline(QStringView pipelineName) const;

    // The files a dataset or model pattern list matches now, absolute, in natural order.
    QStringList resolveFiles(const QStringList &patterns) const;
    QString absolutePath(const QString &relative) const;
    QString relativePath(const QString &absolute) const;
    // The folder Cairn keeps its own state in (<root>/.cairn).
    QString stateDir() const;
};

} // namespace cairn
