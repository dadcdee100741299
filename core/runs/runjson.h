#pragma once

#include "lineage.h"
#include "metrics/metricstore.h"
#include "run.h"

#include <QJsonObject>

namespace cairn {

class Database;

// Where a run imported from another tracker came from (the imported_runs table).
struct ImportedFrom
{
    QString source;      // "mlflow"
    QString sourceRunId; // MLflow's run id
    QString store;       // the mlruns folder or mlflow.db
    QString experimentId;
    QString experimentName;
    QString sourceStatus; // RUNNING, FINISHED, ... as MLflow says it
    QList<std::pair<QString, QString>> tags;
};

// Everything recorded about one run, as `cairn-cli show RUN --json` prints it.
struct RunDetails
{
    RunRecord run;
    QList<LatestMetric> metrics;
    QList<ArtifactRecord> artifacts;
    std::optional<ImportedFrom> imported;
};

Result<RunDetails> loadRunDetails(Database &db, qint64 runId);
QJsonObject runToJson(const RunRecord &run);
QJsonObject runDetailsToJson(const RunDetails &details);
QString runDetailsToText(const RunDetails &details);

// "12", "last" (the newest run) or the first characters of a run's uuid.
Result<qint64> resolveRunId(Database &db, const QString &text);

// A JSON number for a metric value; NaN and infinities, which JSON has no numbers for, become
// the strings "NaN", "Infinity" and "-Infinity".
QJsonValue metricValueToJson(double value);

} // namespace cairn
