#pragma once

// The drift view's background work as plain functions: compare two files, or every batch of
// the project with its reference. They run on the thread pool (see DriftView), report progress
// through atomics the view reads on a timer, and stop early when `cancelled` is set.

#include "data/table.h"
#include "drift/drift.h"
#include "drift/history.h"
#include "project/command.h"
#include "project/project.h"

#include <atomic>
#include <memory>
#include <optional>

namespace cairn::ui {

enum class DriftStage
{
    Starting,
    ReadingReference,
    ReadingCurrent,
    Comparing,
    Batches
};

struct DriftProgress
{
    std::atomic<int> permille{0};
    std::atomic<int> stage{int(DriftStage::Starting)};
};

struct ComparisonRequest
{
    Project project;
    QString referenceArgument; // a dataset name or a path (relative to the project root)
    QString currentArgument;
    drift::DriftOptions options;
    // The reference read by an earlier comparison, reused when `cachedKey` still matches.
    std::shared_ptr<const Table> cachedReference;
    QString cachedKey;
};

struct ComparisonResult
{
    std::optional<Error> error;
    drift::DriftReport report; // reference and current relative to the project root
    QString referenceFile;     // absolute
    QString currentFile;
    std::shared_ptr<const Table> referenceTable;
    QString referenceKey;
    qint64 elapsedMs = 0;
};

ComparisonResult runComparison(const ComparisonRequest &request, const std::atomic_bool &cancelled,
                               DriftProgress &progress);

struct HistoryResult
{
    std::optional<Error> error;
    std::optional<drift::DriftHistory> history;
    qint64 elapsedMs = 0;
};

// Every batch against the reference, with the project database opened on this thread.
HistoryResult runHistory(const Project &project, const drift::ProjectDrift &drift,
                         const std::atomic_bool &cancelled, DriftProgress &progress);

// The Retrain launch for the files the user named: the retrain entry point and its parameters
// with {current} and {reference} filled in. Errors say what is missing.
struct RetrainLaunch
{
    QString entryPoint; // one of entryPoint and pipeline is set (drift.retrain in cairn.yaml)
    QString pipeline;
    ParamValues values;
    QString batch; // relative to the project root
};
Result<RetrainLaunch> retrainLaunch(const Project &project, const QString &currentArgument,
                                    const QString &referenceArgument);
// What Retrain runs, for its tooltip: the entry point, the parameters and the command line.
QString describeRetrain(const Project &project, const QString &currentArgument,
                        const QString &referenceArgument);

// What identifies a file's content cheaply: its path, size and modification time.
QString fileKey(const QString &path);

} // namespace cairn::ui
