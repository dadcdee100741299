#include "runcontroller.h"

#include "runs/runstore.h"
#include "runs/supervisorprocess.h"
#include "store/projectdb.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>

namespace cairn::ui {

RunController::RunController(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(100);
    connect(&m_timer, &QTimer::timeout, this, &RunController::poll);
}

RunController::~RunController() = default;

void RunController::setProject(const QString &root)
{
    if (root == m_root)
        return;
    m_root = root;
    m_active.clear();
    m_db.reset();
    m_timer.stop();
    if (root.isEmpty() || !QFileInfo::exists(projectDatabasePath(root)))
        return;
    auto db = openProjectDatabase(root, Database::Mode::ReadOnly);
    if (!db)
        return;
    m_db = std::move(*db);
    auto q = m_db->prepare(u"SELECT id FROM runs WHERE status IN ('queued', 'running') AND id "
                           "NOT IN (SELECT run_id FROM imported_runs)");
    while (q && q->step().value_or(false))
        follow(q->int64(0), false);
}

std::expected<qint64, Errors> RunController::launch(const Project &project,
                                                    const LaunchRequest &request)
{
    auto db = openProjectDatabase(project.rootDir);
    if (!db)
        return std::unexpected(Errors{db.error()});
    auto prepared = prepareRun(project, **db, request);
    if (!prepared)
        return std::unexpected(prepared.error());
    const qint64 id = prepared->record.id;
    auto pid = startSupervisor(project.rootDir, id);
    if (!pid) {
        (void)RunStore(**db).markEnded(id, RunStatus::Failed, std::nullopt, std::nullopt,
                                       pid.error().message, QDateTime::currentDateTime());
        emit runsChanged();
        return std::unexpected(Errors{pid.error()});
    }
    if (m_root != project.rootDir || !m_db) {
        m_root.clear();
        setProject(project.rootDir);
    }
    follow(id); // from its start, even if setProject already attached to it
    emit runsChanged();
    return id;
}

void RunController::follow(qint64 id, bool fromStart)
{
    if (m_active.contains(id)) {
        if (fromStart && m_active[id].offset() > 0)
            m_active[id] = LogTail(m_active[id].path());
        return;
    }
    const QString log = QDir(runDirectory(m_root, id)).filePath(QStringLiteral("output.log"));
    LogTail tail(log);
    if (!fromStart)
        tail.skipTo(std::max<qint64>(0, QFileInfo(log).size() - (8LL << 20)));
    m_active.insert(id, tail);
    QString entryPoint;
    if (m_db) {
        if (auto q = m_db->prepare(u"SELECT entry_point FROM runs WHERE id = ?1");
            q && q->bind(1, id).step().value_or(false))
            entryPoint = q->text(0);
    }
    emit runStarted(id, entryPoint);
    if (!m_timer.isActive())
        m_timer.start();
}

void RunController::watch(qint64 id)
{
    if (!m_db && !m_root.isEmpty()) {
        const QString root = m_root;
        m_root.clear();
        setProject(root);
    }
    follow(id);
    emit runsChanged();
}

void RunController::poll()
{
    // Output every tick, in bounded pieces so the GUI thread never parses more than a few MB at
    // once; the status from the store every few ticks. A run that writes faster than the pane
    // can show skips ahead: the pane is a live view, output.log keeps every byte.
    constexpr qint64 kPerTick = 2LL << 20;
    constexpr qint64 kMaxBacklog = 48LL << 20;
    const bool checkStatus = (++m_tick % 4) == 0;
    const auto ids = m_active.keys();
    bool changed = false;
    for (qint64 id : ids) {
        LogTail &tail = m_active[id];
        const qint64 size = QFileInfo(tail.path()).size();
        if (size - tail.offset() > kMaxBacklog) {
            const qint64 from = tail.offset();
            tail.skipTo(size - (8LL << 20));
            emit runOutput(id, tr("\n[cairn: %1 of output skipped in this view to keep up; "
                                  "output.log has all of it]\n")
                                   .arg(QLocale().formattedDataSize(tail.offset() - from))
                                   .toUtf8());
        }
        const QByteArray chunk = tail.readNew(kPerTick);
        if (!chunk.isEmpty())
            emit runOutput(id, chunk);
        const bool caughtUp = tail.offset() >= size;
        if (m_ended.contains(id)) {
            // Ended: stop following once everything is shown.
            if (caughtUp) {
                m_active.remove(id);
                emit runEnded(id, m_ended.take(id));
                changed = true;
            }
            continue;
        }
        if (!checkStatus || !m_db)
            continue;
        if (auto q = m_db->prepare(
                u"SELECT coalesce(sum(count), 0) FROM latest_metrics WHERE run_id = ?1");
            q && q->bind(1, id).step().value_or(false)) {
            const qint64 n = q->int64(0);
            if (n != m_metricCounts.value(id, 0)) {
                m_metricCounts.insert(id, n);
                emit metricsChanged(id);
            }
        }
        auto run = RunStore(*m_db).get(id);
        if (!run || !isTerminal(run->status))
            continue;
        m_metricCounts.remove(id);
        m_ended.insert(id, run->status);
    }
    if (changed)
        emit runsChanged();
    if (m_active.isEmpty())
        m_timer.stop();
}

} // namespace cairn::ui
