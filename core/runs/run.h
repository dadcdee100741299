#pragma once

#include "project/command.h"

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

    // Wall time from start to end (or to now while running); 0 before the start.
    qint64 durationMs(const QDateTime &now = QDateTime::currentDateTime()) const;
};

} // namespace cairn
