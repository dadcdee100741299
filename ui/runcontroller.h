#pragma once

#include "project/project.h"
#include "runs/launcher.h"
#include "runs/logtail.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <expected>
#include <memory>

namespace cairn {
class Database;
}

namespace cairn::ui {

// Starts runs through detached supervisors and follows them: the GUI only reads what the
// supervisor writes (output.log, the database), so it can close or crash without touching a run.
class RunController : public QObject
{
    Q_OBJECT
public:
    explicit RunController(QObject *parent = nullptr);
    ~RunController() override;

    // Follows the queued and running runs of the project at `root` (for example after a restart).
    void setProject(const QString &root);
    const QString &projectRoot() const { return m_root; }

    // Checks and records the run, then starts its supervisor. Returns the run id.
    std::expected<qint64, Errors> launch(const Project &project, const LaunchRequest &request);

    QList<qint64> activeRuns() const { return m_active.keys(); }
    // Follows a run started elsewhere (Reproduce, cairn-cli run --detach) from its start.
    void watch(qint64 id);

signals:
    void runStarted(qint64 id, const QString &entryPoint);
    void runOutput(qint64 id, const QByteArray &chunk);
    void runEnded(qint64 id, cairn::RunStatus status);
    void runsChanged();
    // New metric values of an active run were stored (checked about once a second).
    void metricsChanged(qint64 id);

private:
    // Follows run `id`'s output; `fromStart` false starts near the end of what is written (a
    // run that was already going when the project opened).
    void follow(qint64 id, bool fromStart = true);
    void poll();

    QString m_root;
    std::unique_ptr<Database> m_db; // read-only view of the store
    QHash<qint64, LogTail> m_active;
    QHash<qint64, qint64> m_metricCounts;
    QHash<qint64, RunStatus> m_ended; // ended runs whose output is still being shown
    QTimer m_timer;
    int m_tick = 0;
};

} // namespace cairn::ui
