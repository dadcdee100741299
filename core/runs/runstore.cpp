#include "runstore.h"

#include <QUuid>

using namespace Qt::StringLiterals;

namespace cairn {

static std::optional<int> optionalInt(const Statement &s, int col)
{
    if (s.isNull(col))
        return std::nullopt;
    return int(s.int64(col));
}

static QDateTime msToTime(const Statement &s, int col)
{
    return s.isNull(col) ? QDateTime() : QDateTime::fromMSecsSinceEpoch(s.int64(col));
}

static constexpr auto runColumns =
    u"id, uuid, name, entry_point, command, working_dir, status, created_ms, started_ms, "
    "ended_ms, exit_code, exit_signal, error, pid, supervisor_pid, note";

static RunRecord readRun(const Statement &s)
{
    RunRecord r;
    r.id = s.int64(0);
    r.uuid = s.text(1);
    r.name = s.text(2);
    r.entryPoint = s.text(3);
    r.command = s.text(4);
    r.workingDir = s.text(5);
    r.status = runStatusFromName(s.text(6)).value_or(RunStatus::Lost);
    r.created = msToTime(s, 7);
    r.started = msToTime(s, 8);
    r.ended = msToTime(s, 9);
    r.exitCode = optionalInt(s, 10);
    r.exitSignal = optionalInt(s, 11);
    r.error = s.text(12);
    r.pid = s.optionalInt64(13);
    r.supervisorPid = s.optionalInt64(14);
    r.note = s.text(15);
    return r;
}

Result<qint64> RunStore::create(const RunRecord &run)
{
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto ins = m_db.prepare(u"INSERT INTO runs (uuid, name, entry_point, command, working_dir, "
                            "status, created_ms, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    if (!ins)
        return fail(ins.error());
    const QString uuid = run.uuid.isEmpty() ? QUuid::createUuid().toString(QUuid::Id128) : run.uuid;
    const QDateTime created = run.created.isValid() ? run.created : QDateTime::currentDateTime();
    ins->bind(1, uuid)
        .bind(2, run.name)
        .bind(3, run.entryPoint)
        .bind(4, run.command)
        .bind(5, run.workingDir)
        .bind(6, runStatusName(run.status))
        .bind(7, created.toMSecsSinceEpoch())
        .bind(8, run.note);
    if (auto r = ins->exec(); !r)
        return fail(r.error());
    const qint64 id = m_db.lastInsertId();
    auto p =
        m_db.prepare(u"INSERT INTO params (run_id, key, value, position) VALUES (?1, ?2, ?3, ?4)");
    if (!p)
        return fail(p.error());
    int position = 0;
    for (const auto &[k, v] : run.params) {
        if (auto r = p->bind(1, id).bind(2, k).bind(3, v).bind(4, position++).exec(); !r)
            return fail(r.error());
    }
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    return id;
}

Result<void> RunStore::markRunning(qint64 id, qint64 pid, qint64 supervisorPid,
                                   const QDateTime &started)
{
    auto s = m_db.prepare(u"UPDATE runs SET status = 'running', pid = ?2, supervisor_pid = ?3, "
                          "started_ms = ?4 WHERE id = ?1");
    if (!s)
        return fail(s.error());
    return s->bind(1, id)
        .bind(2, pid)
        .bind(3, supervisorPid)
        .bind(4, started.toMSecsSinceEpoch())
        .exec();
}

Result<void> RunStore::markEnded(qint64 id, RunStatus status, std::optional<int> exitCode,
                                 std::optional<int> exitSignal, const QString &error,
                                 const QDateTime &ended)
{
    auto s = m_db.prepare(u"UPDATE runs SET status = ?2, exit_code = ?3, exit_signal = ?4, "
                          "error = ?5, ended_ms = ?6 WHERE id = ?1");
    if (!s)
        return fail(s.error());
    return s->bind(1, id)
        .bind(2, runStatusName(status))
        .bind(3, exitCode)
        .bind(4, exitSignal)
        .bind(5, error)
        .bind(6, ended.toMSecsSinceEpoch())
        .exec();
}

Result<RunRecord> RunStore::get(qint64 id)
{
    auto s = m_db.prepare(QString(u"SELECT "_s + runColumns + u" FROM runs WHERE id = ?1"_s));
    if (!s)
        return fail(s.error());
    s->bind(1, id);
    auto row = s->step();
    if (!row)
        return fail(row.error());
    if (!*row)
        return fail(Error(u"there is no run %1 in this project"_s.arg(id))
                        .withHint(u"List the runs with `cairn-cli runs`"_s));
    RunRecord r = readRun(*s);
    auto p = params(id);
    if (!p)
        return fail(p.error());
    r.params = *p;
    return r;
}

Result<QList<RunRecord>> RunStore::list(int limit)
{
    auto s = m_db.prepare(
        QString(u"SELECT "_s + runColumns + u" FROM runs ORDER BY id DESC LIMIT ?1"_s));
    if (!s)
        return fail(s.error());
    s->bind(1, qint64(limit));
    QList<RunRecord> out;
    while (true) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        out.append(readRun(*s));
    }
    return out;
}

Result<ParamValues> RunStore::params(qint64 id)
{
    auto s = m_db.prepare(u"SELECT key, value FROM params WHERE run_id = ?1 ORDER BY position"_s);
    if (!s)
        return fail(s.error());
    s->bind(1, id);
    ParamValues out;
    while (true) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        out.append({s->text(0), s->text(1)});
    }
    return out;
}

Result<qint64> RunStore::count()
{
    auto s = m_db.prepare(u"SELECT count(*) FROM runs");
    if (!s)
        return fail(s.error());
    auto row = s->step();
    if (!row)
        return fail(row.error());
    return s->int64(0);
}

} // namespace cairn
