#pragma once

// What differs between two runs: their parameters (added, removed, changed, the same), their
// metrics (the last value of each on each side and the change), and what they ran (entry point,
// status, git commit, duration). Shown beside a model diff, for the runs that produced the two
// versions (versioning/versions.h: findVersion gives a content's producing run).

#include "common/error.h"
#include "store/database.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace cairn {

enum class ChangeKind
{
    Same,
    Changed,
    Added,   // only on side b
    Removed, // only on side a
};
QString changeKindName(ChangeKind kind); // "same", "changed", "added", "removed"

struct ParamChange
{
    QString key;
    ChangeKind kind = ChangeKind::Same;
    std::optional<QString> before; // on side a
    std::optional<QString> after;  // on side b
};

struct MetricChange
{
    QString name;
    ChangeKind kind = ChangeKind::Same;
    std::optional<double> before; // the last value on side a
    std::optional<double> after;  // the last value on side b
    std::optional<qint64> stepBefore;
    std::optional<qint64> stepAfter;
    // after - before when both sides have a finite value.
    std::optional<double> delta() const;
};

struct RunSummary
{
    qint64 id = 0;
    QString name;
    QString entryPoint;
    QString status;
    QString gitCommit;
    std::optional<bool> gitDirty;
    qint64 createdMs = 0;
    qint64 durationMs = 0; // 0 before the start
};

struct RunDiff
{
    RunSummary a;
    RunSummary b;
    QList<ParamChange> params;   // in a's order, then b's new keys
    QList<MetricChange> metrics; // sorted by name
    bool sameEntryPoint() const { return a.entryPoint == b.entryPoint; }
    bool sameCommit() const { return a.gitCommit == b.gitCommit; }
    int changedParams() const;  // changed, added or removed
    int changedMetrics() const; // changed, added or removed
};

// Compares runs `a` and `b` of the project database `db`.
Result<RunDiff> diffRuns(Database &db, qint64 a, qint64 b);

QJsonObject runDiffJson(const RunDiff &diff);
// Aligned text; `all` lists the parameters and metrics that did not change too.
QString runDiffText(const RunDiff &diff, bool all = false);

} // namespace cairn
