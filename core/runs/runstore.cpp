#include "runstore.h"

#include "launcher.h"
#include "metrics/metricparse.h"
#include "metrics/metricstore.h"
#include "process.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
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
    "ended_ms, exit_code, exit_signal, error, pid, supervisor_pid, note, git_commit, git_branch, "
    "git_dirty, git_remote, supervisor_start, metrics_offset, reproduces";

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
    r.gitCommit = s.text(16);
    r.gitBranch = s.text(17);
    if (!s.isNull(18))
        r.gitDirty = s.int64(18) != 0;
    r.gitRemote = s.text(19);
    r.supervisorStart = s.optionalInt64(20);
    r.metricsOffset = s.int64(21);
    r.reproduces = s.optionalInt64(22);
    return r;
}

Result<qint64> RunStore::create(const RunRecord &run)
{
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto ins = m_db.prepare(u"INSERT INTO runs (uuid, name, entry_point, command, working_dir, "
                            "status, created_ms, note, reproduces) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
                            "?7, ?8, ?9)");
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
        .bind(8, run.note)
        .bind(9, run.reproduces);
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

Result<void> RunStore::attachSupervisor(qint64 id, qint64 supervisorPid, qint64 supervisorStart)
{
    auto s =
        m_db.prepare(u"UPDATE runs SET supervisor_pid = ?2, supervisor_start = ?3 WHERE id = ?1");
    if (!s)
        return fail(s.error());
    return s->bind(1, id).bind(2, supervisorPid).bind(3, supervisorStart).exec();
}

Result<bool> RunStore::claimSlot(qint64 id, int limit)
{
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto q =
        m_db.prepare(u"SELECT (SELECT count(*) FROM runs WHERE status = 'running' AND id NOT IN "
                     "(SELECT run_id FROM imported_runs)), "
                     "(SELECT count(*) FROM runs WHERE status = 'queued' AND id < ?1 AND "
                     "supervisor_pid IS NOT NULL)");
    if (!q)
        return fail(q.error());
    auto row = q->bind(1, id).step();
    if (!row)
        return fail(row.error());
    if (q->int64(0) >= limit || q->int64(1) > 0)
        return false; // the transaction rolls back
    auto u = m_db.prepare(u"UPDATE runs SET status = 'running', started_ms = ?2 WHERE id = ?1 AND "
                          "status = 'queued'");
    if (!u)
        return fail(u.error());
    if (auto r = u->bind(1, id).bind(2, QDateTime::currentMSecsSinceEpoch()).exec(); !r)
        return fail(r.error());
    const bool claimed = m_db.changes() == 1;
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    return claimed;
}

Result<void> RunStore::setPid(qint64 id, qint64 pid)
{
    auto s = m_db.prepare(u"UPDATE runs SET pid = ?2 WHERE id = ?1");
    if (!s)
        return fail(s.error());
    return s->bind(1, id).bind(2, pid).exec();
}

Result<void> RunStore::setGitState(qint64 id, const GitState &git)
{
    auto s = m_db.prepare(u"UPDATE runs SET git_commit = ?2, git_branch = ?3, git_dirty = ?4, "
                          "git_remote = ?5 WHERE id = ?1");
    if (!s)
        return fail(s.error());
    return s->bind(1, id)
        .bind(2, git.commit)
        .bind(3, git.branch)
        .bind(4, git.dirty)
        .bind(5, git.remoteUrl)
        .exec();
}

Result<void> RunStore::setMetricsOffset(qint64 id, qint64 offset)
{
    auto s = m_db.prepare(u"UPDATE runs SET metrics_offset = ?2 WHERE id = ?1");
    if (!s)
        return fail(s.error());
    return s->bind(1, id).bind(2, offset).exec();
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

Result<QList<qint64>> RunStore::reconcile(const QString &projectRoot)
{
    auto s =
        m_db.prepare(u"SELECT id, supervisor_pid, supervisor_start, created_ms, metrics_offset "
                     "FROM runs WHERE status IN ('queued', 'running') AND id NOT IN "
                     "(SELECT run_id FROM imported_runs)");
    if (!s)
        return fail(s.error());
    struct Candidate
    {
        qint64 id;
        std::optional<qint64> pid;
        qint64 offset;
    };
    QList<Candidate> lost;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    while (true) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        const auto pid = s->optionalInt64(1);
        const auto start = s->optionalInt64(2);
        if (pid && start && isProcessAlive(*pid, *start))
            continue;
        // A run nobody supervises: after its supervisor died, or when the program that
        // recorded it never started one (give it a minute to do so).
        if (!pid && now - s->int64(3) < 60000)
            continue;
        lost.append(Candidate{s->int64(0), pid, s->int64(4)});
    }
    s->reset();
    QList<qint64> ids;
    for (const Candidate &c : std::as_const(lost)) {
        // Store what the script wrote to its metrics file after the supervisor's last batch.
        QFile f(QDir(runDirectory(projectRoot, c.id)).filePath(u"metrics.jsonl"_s));
        qint64 offset = c.offset;
        if (f.open(QIODevice::ReadOnly) && f.size() > offset && f.seek(offset)) {
            MetricWriter writer(m_db, c.id);
            const QByteArray rest = f.readAll();
            const qint64 stamp = QFileInfo(f).lastModified().toMSecsSinceEpoch();
            for (const QByteArray &line : rest.split('\n')) {
                if (auto points = parseMetricLine(line)) {
                    for (const MetricPoint &p : std::as_const(*points))
                        writer.add(p, stamp);
                }
            }
            if (writer.flush())
                offset += rest.size();
            (void)setMetricsOffset(c.id, offset);
        }
        const QString why = c.pid
                                ? u"its supervisor (process %1) stopped without recording an end; "
                                  "the log and metrics up to then are kept"_s.arg(*c.pid)
                                : u"no supervisor ever started it"_s;
        // It ended, at the latest, when it last wrote its log.
        const QFileInfo log(QDir(runDirectory(projectRoot, c.id)).filePath(u"output.log"_s));
        const QDateTime ended = log.exists() ? log.lastModified() : QDateTime::currentDateTime();
        if (auto r = markEnded(c.id, RunStatus::Lost, std::nullopt, std::nullopt, why, ended); !r)
            return fail(r.error());
        ids.append(c.id);
    }
    return ids;
}

Result<std::optional<RunRecord>> RunStore::lastRunOf(const QString &entryPoint)
{
    auto s = m_db.prepare(u"SELECT id FROM runs WHERE entry_point = ?1 AND id NOT IN "
                          "(SELECT run_id FROM imported_runs) ORDER BY id DESC LIMIT 1");
    if (!s)
        return fail(s.error());
    auto row = s->bind(1, entryPoint).step();
    if (!row)
        return fail(row.error());
    if (!*row)
        return std::optional<RunRecord>();
    auto r = get(s->int64(0));
    if (!r)
        return fail(r.error());
    return std::optional<RunRecord>(*r);
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
