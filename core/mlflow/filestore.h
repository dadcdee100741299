#pragma once

// MLflow's file store (`mlruns/`), read without MLflow: experiments, runs, params, tags,
// metrics, the model registry under `mlruns/models/` and MLflow 3 logged models. Layout and
// vintages: ../shared/research/mlflow.md §1. Lenient where MLflow's writers were: missing keys,
// missing folders (git drops empty `metrics/` and `params/`), empty files; a malformed metrics
// line or meta.yaml is a warning, not an error.

#include "common/error.h"
#include "data/rowcount.h"

#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace cairn {

// MLflow's RunStatus (mlflow/protos/service.proto).
enum class MlflowRunStatus
{
    Running = 1,
    Scheduled = 2,
    Finished = 3,
    Failed = 4,
    Killed = 5,
};
// "RUNNING", "FINISHED", …; the number for a status MLflow does not know.
QString mlflowRunStatusName(int status);

// Where a metric value was logged when the line says more than "ts value step": the dataset of
// a 5-field run metric line, and the run of a logged model's 4- or 6-field line.
struct MlflowMetricContext
{
    QString runId;
    QString datasetName;
    QString datasetDigest;
    bool operator==(const MlflowMetricContext &) const = default;
};

struct MlflowMetricPoint
{
    qint64 timestamp = 0; // ms since the epoch
    double value = 0;     // may be NaN or ±inf
    qint64 step = 0;      // 0 for 2-field (legacy) lines
    int context = -1;     // index into MlflowMetric::contexts, -1 for none
};

// One metrics file: every line in file order, and the latest value by MLflow's rule, the
// maximum by (step, timestamp, value).
struct MlflowMetric
{
    QString key; // '/' in a key is a sub-folder of metrics/
    QList<MlflowMetricPoint> points;
    QList<MlflowMetricContext> contexts;
    MlflowMetricPoint latest; // meaningful when points is not empty
};

using MlflowKeyValues = QMap<QString, QString>; // params and tags: file name → raw content

struct MlflowExperiment
{
    QString id; // "0", "269502884478771284", … (int ids of old files as text)
    QString name;
    QString artifactLocation; // a path or a URI, as written
    QString lifecycleStage;   // "active" when not written
    qint64 creationTime = 0;  // ms, 0 when not written
    qint64 lastUpdateTime = 0;
    MlflowKeyValues tags;
    bool deleted = false; // under .trash/ or lifecycle_stage deleted
    QString dir;          // the experiment's folder
};

struct MlflowRun
{
    QString id; // run_id, or run_uuid of older files, or the folder name
    QString experimentId;
    QString name;   // run_name, else the mlflow.runName tag
    int status = 1; // MlflowRunStatus as int; missing = RUNNING
    qint64 startTime = 0;
    std::optional<qint64> endTime;
    std::optional<qint64> deletedTime;
    QString lifecycleStage; // "active" when not written
    bool deleted = false;   // lifecycle_stage deleted or its experiment is in .trash
    QString userId;         // user_id, else the mlflow.user tag
    QString artifactUri;
    QString sourceName;  // tag mlflow.source.name
    QString sourceType;  // tag mlflow.source.type
    QString gitCommit;   // tag mlflow.source.git.commit
    QString parentRunId; // tag mlflow.parentRunId (nested runs)
    MlflowKeyValues params;
    MlflowKeyValues tags;
    QList<MlflowMetric> metrics; // sorted by key
    QString dir;
};

struct MlflowModelVersion
{
    QString version; // "1", "2", …
    qint64 creationTime = 0;
    qint64 lastUpdatedTime = 0;
    QString description;
    QString userId;
    QString currentStage; // None, Staging, Production, Archived; Deleted_Internal = deleted
    QString source;
    QString runId;
    QString status; // READY, PENDING_REGISTRATION, FAILED_REGISTRATION (as written)
    QString statusMessage;
    QString storageLocation;
    QString modelId; // MLflow 3: the logged model
    MlflowKeyValues tags;
    QStringList aliases; // from the model's aliases/<alias> files naming this version
    bool deleted = false;
};

struct MlflowRegisteredModel
{
    QString name;
    qint64 creationTime = 0;
    qint64 lastUpdatedTime = 0;
    QString description;
    MlflowKeyValues tags;
    QMap<QString, QString> aliases;     // alias → version
    QList<MlflowModelVersion> versions; // by version number
    QString dir;
};

// An MLflow 3 logged model: <exp>/models/m-<hex>/.
struct MlflowLoggedModel
{
    QString id; // model_id, else the folder name
    QString experimentId;
    QString name;
    QString artifactLocation;
    QString lifecycleStage;
    QString modelType;
    QString sourceRunId;
    int status = 0; // 0 unspecified, 1 PENDING, 2 READY, 3 FAILED
    QString statusMessage;
    qint64 creationTime = 0;
    qint64 lastUpdatedTime = 0;
    MlflowKeyValues params;
    MlflowKeyValues tags;
    QList<MlflowMetric> metrics;
    QString dir;
};

struct MlflowStore
{
    QString root;
    QList<MlflowExperiment> experiments; // active ones by id, then those in .trash
    QList<MlflowRun> runs;               // by experiment (their order), newest first
    QList<MlflowRegisteredModel> registeredModels;
    QList<MlflowLoggedModel> loggedModels;
    Errors warnings; // malformed lines and files, with file and line; the rest was read
};

// Shared by both stores' readers. The order of experiment and version ids: numeric ids by value,
// before any other. The index of `context` in the metric's contexts, added when new.
bool mlflowIdLess(const QString &a, const QString &b);
int mlflowContextIndex(MlflowMetric &metric, MlflowMetricContext context);

// Reads the file store at `mlrunsDir` (the `mlruns` folder). Fails only when the folder is not
// an MLflow store at all, or when `progress` (runs read, runs found) cancels.
Result<MlflowStore> readMlflowFileStore(const QString &mlrunsDir, const Progress &progress = {});

} // namespace cairn
