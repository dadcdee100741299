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

// What is wrong with `target` as the target of a `validate:` step, if anything: it must be a
// declared dataset with checks (optionally DATASET@REV) or a file path (optionally PATH@REV)
// inside the project. With `checkFiles` (when the pipeline starts, its values known), a path
// must also name a file that exists and belongs to a dataset with checks, unless
// `mayBeWritten` (an earlier run step may write it). `subject` starts the messages: `pipeline
// "retrain"`, `the step`. Used by the project file's reader for literal targets as well.
std::optional<Error> validateTargetProblem(const Project &project, const QString &target,
                                           const QString &subject, bool checkFiles,
                                           bool mayBeWritten = false);

// Checks the values against the pipeline's parameters (defaults fill in the rest) and records a
// queued pipeline run with all its steps pending. Nothing is started. Targets of validate steps
// that came from the values are checked as validateTargetProblem does.
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

// Records process `pid` (with its start time) as the supervisor of a queued pipeline run, so a
// supervisor that dies before it claims the run (runPipeline) leaves it lost, not queued for
// ever. Does nothing once the run is claimed. cairn-cli's foreground command records itself.
Result<void> recordPipelineSupervisor(Database &db, qint64 pipelineRunId, qint64 pid);

// While one lives, SIGINT, SIGTERM and SIGHUP cancel the pipeline run instead of killing the
// process: a queued one before it is claimed, else before its next step (while a step runs,
// superviseRun cancels the step). runPipeline holds one; cairn-cli's foreground command holds
// one from before preparePipeline, so a Ctrl-C before the claim cancels the run too. Nested
// guards share the request; the outermost clears it.
class PipelineSignalGuard
{
public:
    PipelineSignalGuard();
    ~PipelineSignalGuard();
    PipelineSignalGuard(const PipelineSignalGuard &) = delete;
    PipelineSignalGuard &operator=(const PipelineSignalGuard &) = delete;

private:
    bool m_installed = false;
};

// Starts `cairn-cli pipeline --supervise ID` detached, in its own session (like
// startSupervisor), so the chain outlives the GUI, and records it as the run's supervisor
// (recordPipelineSupervisor). Returns the supervisor's process id; when it cannot start, the
// queued pipeline run is marked failed with the same error.
Result<qint64> startPipelineSupervisor(const QString &projectRoot, qint64 pipelineRunId);

// Reads a pipeline run with its steps; the newest first for `listPipelineRuns`. A pipeline run
// whose supervisor is gone becomes lost (and its running step's run is reconciled as runs are);
// so does a queued one whose recorded supervisor is gone, or that has had no supervisor
// recorded for kUnsupervisedQueuedSecs ("its supervisor never started").
inline constexpr int kUnsupervisedQueuedSecs = 60;
Result<PipelineRunRecord> pipelineRun(Database &db, qint64 id);
Result<QList<PipelineRunRecord>> listPipelineRuns(Database &db, int limit = 50);
// Sends SIGTERM to the pipeline's supervisor, which cancels the running step.
Result<void> cancelPipeline(Database &db, qint64 id);

} // namespace cairn::pipeline
