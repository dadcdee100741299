#include "runcontrol.h"

#include "process.h"
#include "runstore.h"

#include <QElapsedTimer>
#include <QThread>

#include <csignal>

using namespace Qt::StringLiterals;

namespace cairn {

Result<void> cancelRun(Database &db, qint64 runId)
{
    RunStore store(db);
    auto run = store.get(runId);
    if (!run)
        return fail(run.error());
    if (isTerminal(run->status))
        return fail(Error(
            u"run %1 has already ended: it is %2"_s.arg(runId).arg(runStatusName(run->status))));
    // A run imported from another tracker runs (or ran) elsewhere: Cairn cannot stop it.
    if (auto q = db.prepare(u"SELECT source FROM imported_runs WHERE run_id = ?1");
        q && q->bind(1, runId).step().value_or(false))
        return fail(Error(u"run %1 was imported from %2: Cairn did not start it and cannot stop "
                          "it"_s.arg(QString::number(runId),
                                     q->text(0) == u"mlflow"_s ? u"MLflow"_s : q->text(0)))
                        .withHint(u"Stop it where it runs; the next import or opening of the "
                                  "store shows its new status"_s));
    if (run->supervisorPid && run->supervisorStart &&
        isProcessAlive(*run->supervisorPid, *run->supervisorStart)) {
        if (::kill(pid_t(*run->supervisorPid), SIGTERM) != 0)
            return fail(
                Error(u"cannot signal the supervisor of run %1 (process %2)"_s.arg(runId).arg(
                    *run->supervisorPid)));
        return ok();
    }
    if (run->status == RunStatus::Queued && !run->supervisorPid)
        return store.markEnded(runId, RunStatus::Cancelled, std::nullopt, std::nullopt,
                               u"cancelled before it started"_s, QDateTime::currentDateTime());
    // Its supervisor is gone: record that, rather than pretending to cancel.
    return fail(Error(u"run %1 has no supervisor any more; it is marked lost when the project is "
                      "next opened"_s.arg(runId)));
}

Result<RunRecord> waitForRun(Database &db, qint64 runId, int timeoutMs)
{
    RunStore store(db);
    QElapsedTimer t;
    t.start();
    while (true) {
        auto run = store.get(runId);
        if (!run)
            return run;
        if (isTerminal(run->status))
            return run;
        if (timeoutMs >= 0 && t.elapsed() > timeoutMs)
            return fail(Error(u"run %1 is still %2"_s.arg(runId).arg(runStatusName(run->status))));
        QThread::msleep(100);
    }
}

} // namespace cairn
