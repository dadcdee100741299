#pragma once

// The pipeline_runs and pipeline_steps tables (schema v5, store/projectdb.cpp): typed writes
// for the pipeline supervisor and reads for everyone. Used by pipeline.cpp; readers go through
// pipelineRun()/listPipelineRuns(), which also notice lost supervisors.

#include "pipeline.h"

#include <QJsonObject>

namespace cairn::pipeline {

StepStatus stepStatusFromName(QStringView name);

// <project>/.cairn/pipelines/<id>: steps.json (the steps with their values substituted, as the
// pipeline was at launch) and the detached supervisor's stderr.
QString pipelineDirectory(const QString &projectRoot, qint64 id);
// A step of steps.json.
QJsonObject stepToJson(const PipelineStep &step);
PipelineStep stepFromJson(const QJsonObject &o);

class PipelineStore
{
public:
    explicit PipelineStore(Database &db)
        : m_db(db)
    {}

    // Inserts a queued pipeline run with its steps; returns its id.
    Result<qint64> create(const PipelineRunRecord &record);
    // Moves a queued pipeline run to running, owned by this supervisor; false when it was not
    // queued (cancelled before it started, or started by someone else).
    Result<bool> claim(qint64 id, qint64 supervisorPid, qint64 supervisorStart);
    // Records the supervisor of a pipeline run that is still queued (before claim() takes it).
    Result<void> recordSupervisor(qint64 id, qint64 supervisorPid, qint64 supervisorStart);
    Result<void> setStep(qint64 id, const StepRecord &step);
    // Ends the pipeline run: status, error, end time; steps still pending become skipped.
    Result<void> end(qint64 id, const QString &status, const QString &error);
    // Ends a pipeline run only if it is still `fromStatus` (for cancel and lost, which race
    // with the supervisor); true when it did.
    Result<bool> endIf(qint64 id, const QString &fromStatus, const QString &status,
                       const QString &error);

    Result<PipelineRunRecord> get(qint64 id);
    Result<QList<qint64>> newestIds(int limit);
    // The supervisor recorded by claim(), if any.
    Result<std::optional<std::pair<qint64, qint64>>> supervisor(qint64 id);

private:
    Database &m_db;
};

} // namespace cairn::pipeline
