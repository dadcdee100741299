#pragma once

#include "project/command.h"
#include "project/project.h"

#include <QDateTime>
#include <QString>

#include <optional>

namespace cairn {

enum class RunStatus
{
    Queued,
    Running,
    Finished,
    Failed,
    Cancelled,
    Lost
};

QString runStatusName(RunStatus status);
std::optional<RunStatus> runStatusFromName(QStringView name);
// Finished, failed, cancelled and lost runs never change status again.
bool isTerminal(RunStatus status);

// One run as the store records it.
struct RunRecord
{
    qint64 id = 0;
    QString uuid;
    QString name;
    QString entryPoint;
    QString command;    // the exact shell command, placeholders substituted
    QString workingDir; // absolute
    RunStatus status = RunStatus::Queued;
    QDateTime created;
    QDateTime started; // invalid until the process starts
    QDateTime ended;   // invalid until it ends
    std::optional<int> exitCode;
    std::optional<int> exitSignal;
    QString error; // why Cairn could not start or supervise it, if so
    std::optional<qint64> pid;
    std::optional<qint64> supervisorPid;
    QString note;
    ParamValues params;
    // Code version at the start (empty outside a git repository).
    QString gitCommit;
    QString gitBranch;
    std::optional<bool> gitDirty;
    QString gitRemote;
    std::optional<qint64> supervisorStart; // identifies the supervisor process with its pid
    qint64 metricsOffset = 0;              // bytes of metrics.jsonl already stored
    std::optional<qint64> reproduces;      // the run this one reproduces

    // Wall time from start to end (or to now while running); 0 before the start.
    qint64 durationMs(const QDateTime &now = QDateTime::currentDateTime()) const;
};

// What a run was launched with that the supervisor needs and the store does not keep:
// .cairn/runs/<id>/run.json.
struct RunSpec
{
    QList<MetricPattern> metricPatterns;
};

} // namespace cairn
