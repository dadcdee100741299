#pragma once

#include "jobtracker.h"
#include "project/command.h"
#include "project/snapshot.h"
#include "sidebarmodel.h"
#include "store/projectlist.h"

#include <QMainWindow>

#include <optional>

class QAction;
class QFileSystemWatcher;
class QLabel;
class QMenu;
class QPushButton;
class QTabWidget;
class QTreeView;

namespace cairn {
struct MlflowMirrorSync;
}

namespace cairn::ui {

class DiffView;
class DvcView;
class DriftView;
class EntryPointsView;
class DatasetsView;
class FilesView;
class ModelsView;
class PipelinesView;
class LogPanes;
class RunDetailView;
class OverviewView;
class ProblemsModel;
class RunController;
class RunsView;
class VersionsView;

class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    struct Options
    {
        QString projectListPath = ProjectList::defaultPath();
        bool restoreLayout = true;
    };

    explicit MainWindow(const Options &options, QWidget *parent = nullptr);
    explicit MainWindow(QWidget *parent = nullptr)
        : MainWindow(Options{}, parent)
    {}
    ~MainWindow() override;

    // Loads the project in the background and shows it; emits projectLoaded when done. Never
    // runs anything from the project.
    void openProject(const QString &path);
    void openSection(Section section, const QString &item = {});
    const std::optional<ProjectSnapshot> &snapshot() const { return m_snapshot; }

    SidebarModel *sidebarModel() const { return m_sidebarModel; }
    QTreeView *sidebar() const { return m_sidebar; }
    QTabWidget *tabs() const { return m_tabs; }
    ProblemsModel *problems() const { return m_problems; }
    LogPanes *logPanes() const { return m_logPanes; }
    RunController *runController() const { return m_runs; }
    RunsView *runsView() const { return m_runsView; }
    EntryPointsView *entryPointsView() const { return m_entryPointsView; }
    DriftView *driftView() const { return m_driftView; }
    VersionsView *versionsView() const { return m_versionsView; }
    DiffView *diffView() const { return m_diffView; }
    DatasetsView *datasetsView() const { return m_datasetsView; }
    ModelsView *modelsView() const { return m_modelsView; }
    PipelinesView *pipelinesView() const { return m_pipelinesView; }
    DvcView *dvcView() const { return m_dvcView; }
    // Opens the diff view on two versions and compares them.
    void compareVersions(const QString &a, const QString &b);

public slots:
    // Asks for parameter values (and, the first time, for trust in the project), then starts
    // the run and follows its output.
    void requestRun(const QString &entryPoint);
    // The same, with the fields filled from `values` (Re-run).
    void requestRunWith(const QString &entryPoint, const ParamValues &values);
    // Starts an entry point with `values` without asking (the user named it on the command
    // line). Errors go to Problems.
    void launchNow(const QString &entryPoint, const ParamValues &values);
    // Opens a tab with everything about run `id`.
    RunDetailView *openRun(qint64 id);
    void rerun(qint64 id);
    // Runs `id` again at its recorded commit with its recorded changes, in a git work tree.
    void reproduce(qint64 id);
    void cancelRun(qint64 id);
    // Shows the run's output in the bottom dock (the end of its log, then what it adds).
    void showRunOutput(qint64 id);
    void reload();
    // Retrain from the drift view: asks for the parameters (prefilled with `values`) and the
    // trust like every launch, then shows the run in Runs.
    void retrain(const QString &entryPoint, const ParamValues &values);
    // Asks for the pipeline's values (unless `withoutAsking`), checks trust, records the
    // pipeline run and starts its detached supervisor; the Pipelines section follows it.
    void requestPipeline(const QString &pipeline, const ParamValues &values, bool withoutAsking);
    // Presses the drift view's Retrain without asking for the parameters (the GUI's --retrain:
    // naming it on the command line is the go-ahead, as with --launch).
    void retrainNow();
    // Imports the runs of the MLflow store at `path` (core's importMlflowRuns) into the open
    // project on the thread pool, with progress and Cancel in the status bar, then reloads.
    void importMlflow(const QString &path);

signals:
    // An import finished: what it did, as the status bar says it.
    void mlflowImported(const QString &summary);
    void projectLoaded(const QString &root, bool ok);
    void runLaunched(qint64 id);
    // A pipeline run was recorded and its supervisor started.
    void pipelineLaunched(qint64 id);

protected:
    void closeEvent(QCloseEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    bool m_retrainWithoutAsking = false;
    void buildMenus();
    void buildDocks();
    void applySnapshot(ProjectSnapshot snapshot);
    void refreshProjectList();
    void chooseFolder();
    void createDemo();
    bool ensureTrusted(const Project &project, const QString &command);
    QWidget *viewFor(Section section) const;
    void updateStatusBar();
    void startLoad(const QString &root);
    void finishMirror(const QString &root, std::shared_ptr<MlflowMirrorSync> pending);
    // Shows a bottom dock (a quarter of the height when it was hidden) in front of its tabs.
    void revealDock(QDockWidget *dock);

    std::optional<ProjectList> m_projectList;
    std::optional<ProjectSnapshot> m_snapshot;
    QString m_currentPath;
    SidebarModel *m_sidebarModel;
    QTreeView *m_sidebar;
    QTabWidget *m_tabs;
    ProblemsModel *m_problems;
    LogPanes *m_logPanes;
    RunController *m_runs;
    RunsView *m_runsView;
    OverviewView *m_overview = nullptr;
    DatasetsView *m_datasetsView;
    ModelsView *m_modelsView;
    PipelinesView *m_pipelinesView;
    DvcView *m_dvcView;
    VersionsView *m_versionsView;
    DiffView *m_diffView;
    DriftView *m_driftView;
    EntryPointsView *m_entryPointsView;
    QMenu *m_recentMenu = nullptr;
    QLabel *m_statusProject;
    QLabel *m_statusGit;
    QLabel *m_statusRuns;
    QPushButton *m_loadCancel = nullptr;
    QFileSystemWatcher *m_watcher;
    QDockWidget *m_logDock = nullptr;
    QDockWidget *m_problemsDock = nullptr;
    JobTracker m_loader{this};
    JobTracker m_reproducer{this};
    JobTracker m_importer{this};
    JobTracker m_mirrorFinisher{this};
    QAction *m_importAction = nullptr;
    quint64 m_progressGeneration = 0; // a posted progress message of another generation is stale
    bool m_importRunning = false;
    bool m_shownOnce = false;
};

} // namespace cairn::ui
