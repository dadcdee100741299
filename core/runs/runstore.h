#pragma once

#include "run.h"
#include "store/database.h"

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
    Result<void> markRunning(qint64 id, qint64 pid, qint64 supervisorPid, const QDateTime &started);
    Result<void> markEnded(qint64 id, RunStatus status, std::optional<int> exitCode,
                           std::optional<int> exitSignal, const QString &error,
                           const QDateTime &ended);

    Result<RunRecord> get(qint64 id);
    // Newest first. `limit` < 0 means all.
    Result<QList<RunRecord>> list(int limit = -1);
    Result<ParamValues> params(qint64 id);
    Result<qint64> count();

private:
    Database &m_db;
};

} // namespace cairn
