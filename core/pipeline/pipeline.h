#pragma once

// Pipelines: a chain of steps declared under `pipelines:` in cairn.yaml (entry point runs, data
// validation, a model's gate, registration, promotion), run in order by one supervisor process
// that outlives the window that started it. Every step is a run in the store, with its own
// output.log, so the GUI's log panes and `cairn-cli logs` show it like any other run. A failed
// step stops the chain; the pipeline run records which step and why (docs/pipelines.md).

#include "common/error.h"
#include "project/command.h"
#include "project/project.h"
#include "store/database.h"

#include <QByteArrayView>
#include <QDateTime>

#include <expected>
#include <functional>
#include <optional>

namespace cairn::pipeline {

enum class StepStatus
{
    Pending,
    Running,
    Finished,
    Failed,
    Cancelled,
    Skipped // after a failed or cancelled step
};
QString stepStatusName(StepStatus status);

struct StepRecord
{
    int position = 0;
    QString name; // PipelineStep::displayName()
    QString kind; // pipelineStepKindName()
    StepStatus status = StepStatus::Pending;
    std::optional<qint64> runId; // set when the step's run is recorded
    QString message;             // a failed step's reason, or what it produced ("version 4")
};

struct PipelineRunRecord
{
    qint64 id = 0;
    QString pipeline;
    QString status; // as RunStatus names: queued, running, finished, failed, cancelled, lost
    ParamValues params;
    QDateTime created;
    std::optional<QDateTime> started;
    std::optional<QDateTime> ended;
    QString error; // why the chain stopped: "step 3 (gate churn-model) failed: val_auc 0.61 < 0.75"
    QList<StepRecord> steps;
};

// Checks the values against the pipeline's parameters (defaults fill in the rest) and records a
// queued pipeline run with all its steps pending. Nothing is started.
std::expected<PipelineRunRecord, Errors> preparePipeline(const Project &project, Database &db,
                                                         const QString &pipeline,
                                                         const ParamValues &values);

// Runs a prepared pipeline in this process, step after step: each step is prepared as a run and
// supervised in the foreground (superviseRun); a step whose run does not finish with exit code 0
// fails the chain and the remaining steps are skipped. `onStep` is called after every change of
// a step (for cairn-cli's echo); `onOutput` with every chunk of every step's output, as
// SupervisorOptions::onOutput. SIGINT/SIGTERM/SIGHUP cancel the running step and the chain.
Result<PipelineRunRecord> runPipeline(const QString &projectRoot, qint64 pipelineRunId,
                                      const std::function<void(const StepRecord &)> &onStep = {},
                                      const std::function<void(QByteArrayView)> &onOutput = {});

// Starts `cairn-cli pipeline --supervise ID` detached, in its own session (like
// startSupervisor), so the chain outlives the GUI. Returns the supervisor's process id; when it
// cannot start, the queued pipeline run is marked failed with the same error.
Result<qint64> startPipelineSupervisor(const QString &projectRoot, qint64 pipelineRunId);

// Reads a pipeline run with its steps; the newest first for `listPipelineRuns`. A pipeline run
// whose supervisor is gone becomes lost (and its running step's run is reconciled as runs are).
Result<PipelineRunRecord> pipelineRun(Database &db, qint64 id);
Result<QList<PipelineRunRecord>> listPipelineRuns(Database &db, int limit = 50);
// Sends SIGTERM to the pipeline's supervisor, which cancels the running step.
Result<void> cancelPipeline(Database &db, qint64 id);

} // namespace cairn::pipeline
