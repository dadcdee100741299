#pragma once

#include "jobtracker.h"
#include "project/snapshot.h"
#include "registry/registry.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QToolButton;
class QTreeWidget;

namespace cairn::ui {

class FilesView;
class GateReportView;

// The Models section: the declared models and their files (FilesView) above, the registry
// below: a model's registered versions with their alias chips, the selected version's gate
// report (green or red per condition, with the values) and the history of alias changes, and
// Register / Promote / Archive. The store is read and the gates evaluated on the thread pool.
class ModelsView : public QWidget
{
    Q_OBJECT
public:
    explicit ModelsView(QWidget *parent = nullptr);

    void setSnapshot(const ProjectSnapshot &snapshot);
    void selectEntry(const QString &name);
    // Reloads the registry from the store.
    void refresh();

    // Promotes the selected version to `alias`: the gate is evaluated first; when it fails the
    // user is asked for a reason to override (a dialog), unless `reason` is given.
    void promoteSelected(const QString &alias, const QString &reason = {});
    void archiveSelected();
    // Registers run `runId`'s files of the current model as a new version.
    void registerRun(qint64 runId);
    bool selectVersion(int version);

    QTreeWidget *versions() const { return m_versions; }
    GateReportView *gateReport() const { return m_gate; }
    QTreeWidget *historyTree() const { return m_history; }
    QLabel *status() const { return m_status; }
    bool busy() const { return m_busy; }

signals:
    void refreshed();
    void registryChanged();

private:
    struct Loaded
    {
        QList<registry::RegisteredModel> models;
        QList<registry::Transition> history;
    };
    struct PromoteOutcome
    {
        registry::GateReport gate;
        bool gateEvaluated = false;
        std::optional<registry::Transition> done;
        std::optional<Error> error;
    };
    void showModel();
    void showVersion();
    const registry::ModelVersion *selected() const;
    QString currentModel() const;
    void setBusy(bool busy, const QString &message = {});
    struct VersionRef
    {
        QString model;
        int version = 0;
        std::optional<qint64> runId;
    };
    void promoteVersion(const VersionRef &version, const QString &alias, const QString &reason);
    void askReasonAndPromote(const VersionRef &version, const QString &alias,
                             const QStringList &failed);
    static QStringList failedLines(const registry::GateReport &report);
    void chooseRunToRegister();
    void finishChange(const QString &message);

    FilesView *m_files;
    QComboBox *m_model;
    QTreeWidget *m_versions;
    GateReportView *m_gate;
    QTreeWidget *m_history;
    QLabel *m_status;
    QPushButton *m_register;
    QToolButton *m_promote;
    QPushButton *m_archive;
    QString m_root;
    std::shared_ptr<const Project> m_project;
    Loaded m_loaded;
    bool m_busy = false;
    bool m_readOnly = false; // an MLflow store: its registry is MLflow's, shown as it is
    int m_wantVersion = 0;
    JobTracker m_load{this};
    JobTracker m_change{this};
};

} // namespace cairn::ui
