#include "runcontroller.h"

#include "runs/runstore.h"
#include "runs/supervisorprocess.h"
#include "store/projectdb.h"

#include <QDir>
#include <QFileInfo>

namespace cairn::ui {

RunController::RunController(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(150);
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
    auto q = m_db->prepare(u"SELECT id FROM runs WHERE status IN ('queued', 'running')");
    while (q && q->step().value_or(false))
        follow(q->int64(0));
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
    follow(id);
    emit runStarted(id, prepared->record.entryPoint);
    emit runsChanged();
    return id;
}

void RunController::follow(qint64 id)
{
    if (m_active.contains(id))
        return;
    m_active.insert(id,
                    LogTail(QDir(runDirectory(m_root, id)).filePath(QStringLiteral("output.log"))));
    if (!m_timer.isActive())
        m_timer.start();
}

void RunController::poll()
{
    // Output every tick; the status from the store every few ticks.
    const bool checkStatus = (++m_tick % 4) == 0;
    const auto ids = m_active.keys();
    bool changed = false;
    for (qint64 id : ids) {
        LogTail &tail = m_active[id];
        const QByteArray chunk = tail.readNew();
        if (!chunk.isEmpty())
            emit runOutput(id, chunk);
        if (!checkStatus || !m_db)
            continue;
        auto run = RunStore(*m_db).get(id);
        if (!run || !isTerminal(run->status))
            continue;
        const QByteArray rest = tail.readNew(std::numeric_limits<qint64>::max());
        if (!rest.isEmpty())
            emit runOutput(id, rest);
        m_active.remove(id);
        changed = true;
        emit runEnded(id, run->status);
    }
    if (changed)
        emit runsChanged();
    if (m_active.isEmpty())
        m_timer.stop();
}

} // namespace cairn::ui
