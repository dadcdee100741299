#pragma once

#include "run.h"
#include "store/database.h"
#include "vcs/git.h"

#include <QList>

namespace cairn {

// Typed queries over the runs, params and tags tables of a project database.
class RunStore
{
public:
    explicit RunStore(Database &db)
        : m_db(db)
    {}

    // Inserts a queued run with its parameters; returns its id.
    Result<qint64> create(const RunRecord &run);
    // The supervisor that owns the run (its pid and start time, see process.h).
    Result<void> attachSupervisor(qint64 id, qint64 supervisorPid, qint64 supervisorStart);
    // Atomically moves the run from queued to running if fewer than `limit` runs are running
    // and no older queued run waits; true when it did.
    Result<bool> claimSlot(qint64 id, int limit);
    Result<void> setPid(qint64 id, qint64 pid);
    Result<void> setGitState(qint64 id, const GitState &git);
    Result<void> setMetricsOffset(qint64 id, qint64 offset);
    Result<void> markRunning(qint64 id, qint64 pid, qint64 supervisorPid, const QDateTime &started);
    Result<void> markEnded(qint64 id, RunStatus status, std::optional<int> exitCode,
                           std::optional<int> exitSignal, const QString &error,
                           const QDateTime &ended);

    Result<RunRecord> get(qint64 id);
    // Newest first. `limit` < 0 means all.
    Result<QList<RunRecord>> list(int limit = -1);
    Result<ParamValues> params(qint64 id);
    Result<qint64> count();
    // Queued and running runs whose supervisor is gone become lost; the metrics they wrote after
    // the last batch are stored. Returns the ids of the runs marked lost.
    Result<QList<qint64>> reconcile(const QString &projectRoot);
    // The newest run of an entry point, for prefilling the launch dialog.
    Result<std::optional<RunRecord>> lastRunOf(const QString &entryPoint);

private:
    Database &m_db;
};

} // namespace cairn
