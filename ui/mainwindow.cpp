#include "mainwindow.h"

#include "demo/demoproject.h"
#include "dialogs/aboutdialog.h"
#include "dialogs/launchdialog.h"
#include "dialogs/settingsdialog.h"
#include "logpanes.h"
#include "mlflow/mlflowimport.h"
#include "pipeline/pipeline.h"
#include "problems.h"
#include "runcontroller.h"
#include "runs/reproduce.h"
#include "runs/runcontrol.h"
#include "runs/runstore.h"
#include "runs/supervisorprocess.h"
#include "settings/settings.h"
#include "store/projectdb.h"
#include "views/datasetsview.h"
#include "views/diffview.h"
#include "views/driftview.h"
#include "views/dvcview.h"
#include "views/entrypointsview.h"
#include "views/filesview.h"
#include "views/modelsview.h"
#include "views/overviewview.h"
#include "views/pipelinesview.h"
#include "views/rundetailview.h"
#include "views/runsview.h"
#include "views/versionsview.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QFileSystemWatcher>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cairn::ui {

MainWindow::MainWindow(const Options &options, QWidget *parent)
    : QMainWindow(parent)
    , m_sidebarModel(new SidebarModel(this))
    , m_sidebar(new QTreeView)
    , m_tabs(new QTabWidget)
    , m_problems(new ProblemsModel(this))
    , m_logPanes(new LogPanes)
    , m_runs(new RunController(this))
    , m_runsView(new RunsView)
    , m_datasetsView(new DatasetsView)
    , m_modelsView(new ModelsView)
    , m_pipelinesView(new PipelinesView)
    , m_dvcView(new DvcView)
    , m_versionsView(new VersionsView)
    , m_diffView(new DiffView)
    , m_driftView(new DriftView)
    , m_entryPointsView(new EntryPointsView)
    , m_statusProject(new QLabel)
    , m_statusGit(new QLabel)
    , m_statusRuns(new QLabel)
    , m_watcher(new QFileSystemWatcher(this))
{
    m_overview = new OverviewView;
    setWindowTitle(tr("Cairn"));
    setWindowIcon(QIcon(QStringLiteral(":/cairn/icons/cairn.svg")));
    setObjectName(QStringLiteral("mainWindow"));

    if (auto list = ProjectList::open(options.projectListPath))
        m_projectList = std::move(*list);
    else
        m_problems->add(ProblemsModel::Severity::Warning, list.error());

    // Sidebar | tabs
    auto *sidebarPane = new QWidget;
    auto *sideLayout = new QVBoxLayout(sidebarPane);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->setSpacing(2);
    auto *sideHeader = new QHBoxLayout;
    sideHeader->setContentsMargins(6, 4, 2, 0);
    auto *projectsLabel = new QLabel(tr("Projects"));
    QFont bold = projectsLabel->font();
    bold.setBold(true);
    projectsLabel->setFont(bold);
    sideHeader->addWidget(projectsLabel, 1);
    auto *addButton = new QToolButton;
    addButton->setText(QStringLiteral("+"));
    addButton->setToolTip(tr("Open a project folder"));
    addButton->setAutoRaise(true);
    connect(addButton, &QToolButton::clicked, this, &MainWindow::chooseFolder);
    sideHeader->addWidget(addButton);
    sideLayout->addLayout(sideHeader);
    m_sidebar->setObjectName(QStringLiteral("sidebar"));
    m_sidebar->setModel(m_sidebarModel);
    m_sidebar->setHeaderHidden(true);
    m_sidebar->setUniformRowHeights(true);
    m_sidebar->setExpandsOnDoubleClick(false);
    m_sidebar->setContextMenuPolicy(Qt::CustomContextMenu);
    sideLayout->addWidget(m_sidebar);

    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int i) { m_tabs->removeTab(i); });

    auto *welcome = new QLabel(tr("<h2>Welcome to Cairn</h2><p>Open a project folder (File ▸ "
                                  "Open Folder…), or create the demo project (File ▸ New Demo "
                                  "Project…) to look around.</p>"));
    welcome->setObjectName(QStringLiteral("welcome"));
    welcome->setAlignment(Qt::AlignCenter);
    welcome->setWordWrap(true);
    m_tabs->addTab(welcome, tr("Welcome"));

    auto *splitter = new QSplitter;
    splitter->addWidget(sidebarPane);
    splitter->addWidget(m_tabs);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({240, 900});
    setCentralWidget(splitter);

    buildDocks();
    buildMenus();

    statusBar()->addWidget(m_statusProject, 1);
    m_loadCancel = new QPushButton(tr("Cancel"));
    m_loadCancel->setObjectName(QStringLiteral("loadCancel"));
    m_loadCancel->hide();
    connect(m_loadCancel, &QPushButton::clicked, this, [this] {
        ++m_progressGeneration; // progress already posted is not shown
        m_loader.cancel();
        m_importer.cancel();
        m_mirrorFinisher.cancel();
        m_loadCancel->hide();
        if (m_importRunning) {
            // The runs imported before the cancel are kept: show them.
            m_importRunning = false;
            statusBar()->showMessage(tr("Import cancelled; the runs imported so far are kept"),
                                     8000);
            reload();
        } else {
            statusBar()->showMessage(tr("Cancelled"), 5000);
        }
    });
    statusBar()->addPermanentWidget(m_loadCancel);
    statusBar()->addPermanentWidget(m_statusGit);
    statusBar()->addPermanentWidget(m_statusRuns);
    updateStatusBar();

    connect(m_sidebar, &QTreeView::clicked, this, [this](const QModelIndex &idx) {
        const auto kind = SidebarModel::Kind(idx.data(SidebarModel::KindRole).toInt());
        const QString path = idx.data(SidebarModel::ProjectPathRole).toString();
        if (kind == SidebarModel::Kind::Project) {
            if (path != m_currentPath)
                openProject(path);
            else
                openSection(Section::Overview);
            return;
        }
        if (path != m_currentPath)
            return;
        openSection(Section(idx.data(SidebarModel::SectionRole).toInt()),
                    idx.data(SidebarModel::ItemNameRole).toString());
    });
    connect(m_sidebar, &QWidget::customContextMenuRequested, this, [this](const QPoint &pos) {
        const QModelIndex idx = m_sidebar->indexAt(pos);
        if (!idx.isValid() || SidebarModel::Kind(idx.data(SidebarModel::KindRole).toInt()) !=
                                  SidebarModel::Kind::Project)
            return;
        const QString path = idx.data(SidebarModel::ProjectPathRole).toString();
        QMenu menu;
        menu.addAction(tr("Open"), this, [this, path] { openProject(path); });
        menu.addAction(tr("Remove from List"), this, [this, path] {
            if (m_projectList)
                (void)m_projectList->remove(path);
            m_sidebarModel->removeProject(path);
        });
        menu.exec(m_sidebar->viewport()->mapToGlobal(pos));
    });

    connect(m_entryPointsView, &EntryPointsView::runRequested, this, &MainWindow::requestRun);
    connect(m_overview, &OverviewView::runRequested, this, &MainWindow::requestRun);
    connect(m_overview, &OverviewView::sectionRequested, this,
            [this](int s, const QString &item) { openSection(Section(s), item); });
    connect(m_overview, &OverviewView::runActivated, this, &MainWindow::openRun);
    connect(m_runsView, &RunsView::runActivated, this, &MainWindow::openRun);
    connect(m_driftView, &DriftView::retrainRequested, this, &MainWindow::retrain);
    connect(m_driftView, &DriftView::retrainPipelineRequested, this,
            [this](const QString &pipeline, const ParamValues &values) {
                requestPipeline(pipeline, values, m_retrainWithoutAsking);
            });
    connect(m_pipelinesView, &PipelinesView::startRequested, this,
            [this](const QString &pipeline) { requestPipeline(pipeline, {}, false); });
    connect(m_pipelinesView, &PipelinesView::stepRunStarted, this, [this](qint64 id) {
        m_runs->watch(id);
        m_runsView->refresh();
    });
    connect(m_pipelinesView, &PipelinesView::openRunRequested, this, &MainWindow::openRun);
    connect(m_pipelinesView, &PipelinesView::pipelineEnded, this,
            [this](qint64 id, const QString &status) {
                m_runsView->refresh();
                m_modelsView->refresh();
                statusBar()->showMessage(tr("Pipeline run %1 %2").arg(id).arg(status), 10000);
            });
    connect(m_versionsView, &VersionsView::compareRequested, this, &MainWindow::compareVersions);
    // Files of some revisions that could not be read: listed in Problems, replaced at each read.
    connect(m_dvcView, &DvcView::warningsChanged, this, [this](const Errors &warnings) {
        if (!m_snapshot)
            return;
        const QString source = m_snapshot->root + QStringLiteral("#dvc");
        m_problems->clearSource(source);
        for (const Error &w : warnings)
            m_problems->add(ProblemsModel::Severity::Warning, w, source);
    });
    connect(m_runsView, &RunsView::rerunRequested, this, &MainWindow::rerun);
    connect(m_runsView, &RunsView::reproduceRequested, this, &MainWindow::reproduce);
    connect(m_runsView, &RunsView::cancelRequested, this, &MainWindow::cancelRun);
    connect(m_runsView, &RunsView::outputRequested, this, &MainWindow::showRunOutput);
    connect(m_runs, &RunController::runOutput, m_logPanes, &LogPanes::appendOutput);
    connect(m_runs, &RunController::runStarted, this, [this](qint64 id, const QString &ep) {
        const QString log = QDir(m_runs->projectRoot())
                                .filePath(QStringLiteral(".cairn/runs/%1/output.log").arg(id));
        m_logPanes->showRun(id, tr("Run %1 · %2").arg(id).arg(ep), log);
        m_logPanes->setRunStatus(id, tr("running"), false);
        revealDock(m_logDock);
        emit runLaunched(id);
    });
    connect(m_runs, &RunController::runEnded, this, [this](qint64 id, RunStatus status) {
        m_logPanes->setRunStatus(id, runStatusName(status), true);
        statusBar()->showMessage(tr("Run %1 %2").arg(id).arg(runStatusName(status)), 8000);
        for (int i = 0; i < m_tabs->count(); ++i) {
            if (auto *d = qobject_cast<RunDetailView *>(m_tabs->widget(i)); d && d->runId() == id)
                d->refresh();
        }
    });
    connect(m_runs, &RunController::metricsChanged, this, [this](qint64 id) {
        for (int i = 0; i < m_tabs->count(); ++i) {
            if (auto *d = qobject_cast<RunDetailView *>(m_tabs->widget(i)); d && d->runId() == id)
                d->refresh();
        }
        if (m_tabs->currentWidget() == m_runsView)
            m_runsView->refresh();
    });
    connect(m_runs, &RunController::runsChanged, this, [this] {
        m_runsView->refresh();
        reload();
    });
    connect(m_watcher, &QFileSystemWatcher::fileChanged, this, [this] {
        // Editors replace files; give them a moment, then re-read and re-watch.
        QTimer::singleShot(200, this, &MainWindow::reload);
    });
    connect(m_problems, &ProblemsModel::problemAdded, this,
            [this](const ProblemsModel::Problem &p) {
                if (p.severity == ProblemsModel::Severity::Error && m_problemsDock)
                    revealDock(m_problemsDock);
                updateStatusBar();
            });

    refreshProjectList();
    resize(1280, 800);
    if (options.restoreLayout) {
        restoreGeometry(settings::windowGeometry.get());
        restoreState(settings::windowState.get());
    }
}

MainWindow::~MainWindow() = default;

void MainWindow::buildDocks()
{
    m_logDock = new QDockWidget(tr("Output"), this);
    m_logDock->setObjectName(QStringLiteral("outputDock"));
    m_logDock->setWidget(m_logPanes);
    addDockWidget(Qt::BottomDockWidgetArea, m_logDock);

    m_problemsDock = new QDockWidget(tr("Problems"), this);
    m_problemsDock->setObjectName(QStringLiteral("problemsDock"));
    m_problemsDock->setWidget(new ProblemsView(m_problems));
    addDockWidget(Qt::BottomDockWidgetArea, m_problemsDock);
    tabifyDockWidget(m_logDock, m_problemsDock);
    m_logDock->raise();
    // Until there is something to show, the work area has the whole height: a run shows the
    // Output dock, an error the Problems dock, and View toggles both. A saved layout (restored
    // after this) keeps the user's choice.
    m_logDock->hide();
    m_problemsDock->hide();
}

void MainWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    if (!m_shownOnce && settings::windowState.get().isEmpty()) {
        // First start: the docks take a quarter of the height, the work area the rest.
        resizeDocks({m_logDock}, {height() / 4}, Qt::Vertical);
    }
    m_shownOnce = true;
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *open = file->addAction(style()->standardIcon(QStyle::SP_DirOpenIcon),
                                    tr("&Open Folder…"), this, &MainWindow::chooseFolder);
    open->setShortcut(QKeySequence::Open);
    // A folder opens an mlruns store as well; an mlflow.db is a file.
    file->addAction(tr("Open MLflow &Database…"), this, [this] {
        const QString f = QFileDialog::getOpenFileName(
            this, tr("Open MLflow Database"),
            m_currentPath.isEmpty() ? QDir::homePath() : m_currentPath,
            tr("MLflow databases (*.db *.sqlite *.sqlite3);;All files (*)"));
        if (!f.isEmpty())
            openProject(f);
    });
    m_importAction = file->addAction(tr("&Import MLflow Runs…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(
            this, tr("Import MLflow Runs: an mlruns folder, or the folder holding mlflow.db"),
            m_currentPath.isEmpty() ? QDir::homePath() : m_currentPath);
        if (!dir.isEmpty())
            importMlflow(dir);
    });
    m_importAction->setEnabled(false);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    connect(m_recentMenu, &QMenu::aboutToShow, this, [this] {
        m_recentMenu->clear();
        const auto recent = m_projectList ? m_projectList->recent(10)
                                          : Result<QList<TrackedProject>>(QList<TrackedProject>{});
        if (!recent || recent->isEmpty()) {
            m_recentMenu->addAction(tr("No recent projects"))->setEnabled(false);
            return;
        }
        for (const TrackedProject &p : *recent) {
            QAction *a = m_recentMenu->addAction(
                QStringLiteral("%1 — %2").arg(p.name, QDir::toNativeSeparators(p.path)));
            connect(a, &QAction::triggered, this, [this, path = p.path] { openProject(path); });
        }
    });
    file->addAction(tr("New &Demo Project…"), this, &MainWindow::createDemo);
    file->addSeparator();
    QAction *reloadAction = file->addAction(style()->standardIcon(QStyle::SP_BrowserReload),
                                            tr("Re&load Project"), this, &MainWindow::reload);
    reloadAction->setShortcut(QKeySequence::Refresh);
    file->addSeparator();
    QAction *prefs =
        file->addAction(tr("&Settings…"), this, [this] { SettingsDialog(this).exec(); });
    prefs->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Comma));
    prefs->setMenuRole(QAction::PreferencesRole);
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    for (Section s : {Section::Overview, Section::Runs, Section::Datasets, Section::Models,
                      Section::Drift, Section::EntryPoints, Section::Pipelines}) {
        view->addAction(sectionTitle(s), this, [this, s] { openSection(s); });
    }
    view->addSeparator();
    view->addAction(m_logDock->toggleViewAction());
    view->addAction(m_problemsDock->toggleViewAction());

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    run->addAction(
        QIcon(QStringLiteral(":/cairn/icons/pipeline.svg")), tr("Start &Pipeline…"), this, [this] {
            if (!m_snapshot || !m_snapshot->project || m_snapshot->project->pipelines.isEmpty()) {
                statusBar()->showMessage(
                    tr("The project declares no pipelines (pipelines: in cairn.yaml)"), 8000);
                return;
            }
            openSection(Section::Pipelines);
            const QTreeWidgetItem *it = m_pipelinesView->pipelinesTree()->currentItem();
            requestPipeline(it ? it->text(0) : m_snapshot->project->pipelines.first().name, {},
                            false);
        });
    QAction *runAction = run->addAction(
        QIcon(QStringLiteral(":/cairn/icons/run.svg")), tr("&Run Entry Point…"), this, [this] {
            openSection(Section::EntryPoints);
            const QString ep = m_entryPointsView->currentEntryPoint();
            if (!ep.isEmpty())
                requestRun(ep);
        });
    runAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Cairn"), this, [this] { AboutDialog(this).exec(); });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);

    QToolBar *tools = addToolBar(tr("Main"));
    tools->setObjectName(QStringLiteral("mainToolBar"));
    tools->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    tools->addAction(open);
    tools->addAction(runAction);
    tools->addAction(reloadAction);
}

void MainWindow::refreshProjectList()
{
    if (!m_projectList)
        return;
    auto all = m_projectList->all();
    if (!all) {
        m_problems->add(ProblemsModel::Severity::Warning, all.error());
        return;
    }
    m_sidebarModel->setProjects(*all);
    if (m_snapshot)
        m_sidebarModel->setSnapshot(*m_snapshot);
}

void MainWindow::chooseFolder()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open Project Folder"),
                                                          m_currentPath.isEmpty() ? QDir::homePath()
                                                                                  : m_currentPath);
    if (!dir.isEmpty())
        openProject(dir);
}

void MainWindow::createDemo()
{
    const QString dir =
        QFileDialog::getSaveFileName(this, tr("Folder for the Demo Project"),
                                     QDir::home().filePath(QStringLiteral("churn-demo")), QString(),
                                     nullptr, QFileDialog::ShowDirsOnly);
    if (dir.isEmpty())
        return;
    statusBar()->showMessage(tr("Writing the demo project…"));
    m_loader.run([dir](const std::atomic_bool &) { return writeDemoProject(dir); },
                 [this, dir](Result<QString> result) {
                     statusBar()->clearMessage();
                     if (!result) {
                         m_problems->add(ProblemsModel::Severity::Error, result.error());
                         return;
                     }
                     openProject(dir);
                 });
}

// The snapshot of a project folder. An MLflow store, or the mirror of one (reopened from the
// project list or reloaded), is read into its mirror first (core/mlflow/mlflowimport.h), which
// is what opens: `percent` reports the reading, `cancelled` stops it. A large store's first
// opening imports its newest runs only; `pending` then imports the rest.
struct LoadedProject
{
    ProjectSnapshot snapshot;
    std::shared_ptr<MlflowMirrorSync> pending;
};

// The runs a large store's first opening shows before the rest is read in.
static constexpr int kNewestFirst = 1000;

static LoadedProject loadProjectOrStore(const QString &path, const std::atomic_bool &cancelled,
                                        const std::function<void(int)> &percent)
{
    QString target = path;
    const auto mirrored = mirroredMlflowStore(path);
    if (mirrored)
        target = mirrored->path;
    if (!opensAsMlflowStore(target))
        return {loadSnapshot(path), nullptr};
    auto sync = beginMlflowMirrorSync(
        target,
        [&](qint64 done, qint64 total) {
            if (total > 0)
                percent(int(100 * done / total));
            return !cancelled;
        },
        kNewestFirst);
    if (!sync) {
        // The mirror of the last opening still shows; the problem says why it may be behind.
        ProjectSnapshot s = mirrored ? loadSnapshot(path) : ProjectSnapshot{};
        if (!mirrored)
            s.root = path;
        s.errors.append(sync.error());
        return {s, nullptr};
    }
    const MlflowMirror &mirror = sync->mirror;
    ProjectSnapshot s = loadSnapshot(mirror.root);
    if (s.project) {
        const qsizetype shown = std::min<qsizetype>(mirror.warnings.size(), 50);
        s.project->warnings.append(mirror.warnings.mid(0, shown));
        if (mirror.warnings.size() > shown)
            s.project->warnings.append(Error(
                QCoreApplication::translate("MainWindow", "%n more unreadable part(s) of the store",
                                            nullptr, int(mirror.warnings.size() - shown)),
                mirror.store.path));
    }
    std::shared_ptr<MlflowMirrorSync> pending;
    if (sync->remaining > 0)
        pending = std::make_shared<MlflowMirrorSync>(std::move(*sync));
    return {s, pending};
}

void MainWindow::openProject(const QString &path)
{
    const QFileInfo fi(path);
    const QString root = fi.canonicalFilePath().isEmpty() ? QDir::cleanPath(fi.absoluteFilePath())
                                                          : fi.canonicalFilePath();
    m_currentPath = root;
    m_sidebarModel->setCurrentProject(root);
    statusBar()->showMessage(tr("Loading %1…").arg(QDir::toNativeSeparators(root)));
    startLoad(root);
}

void MainWindow::importMlflow(const QString &path)
{
    if (!m_snapshot || !m_snapshot->project ||
        m_snapshot->project->format == ProjectFormat::MlflowStore)
        return;
    const QString root = m_snapshot->root;
    auto last = std::make_shared<std::atomic_int>(-1);
    QPointer<MainWindow> self(this);
    const quint64 gen = ++m_progressGeneration;
    m_importRunning = true;
    auto percent = [self, last, gen](int p) {
        if (last->exchange(p) == p)
            return;
        QMetaObject::invokeMethod(qApp, [self, p, gen] {
            if (!self || self->m_progressGeneration != gen)
                return;
            self->m_loadCancel->show();
            self->statusBar()->showMessage(tr("Importing MLflow runs… %1%").arg(p));
        });
    };
    statusBar()->showMessage(
        tr("Reading the MLflow store %1…").arg(QDir::toNativeSeparators(path)));
    m_importer.run(
        [path, root, percent](const std::atomic_bool &cancelled) -> Result<QString> {
            const auto store = findMlflowStore(path);
            if (!store)
                return std::unexpected(
                    Error(tr("not an MLflow store"), path)
                        .withHint(tr("Choose an mlruns folder (experiment folders with "
                                     "meta.yaml), or the folder that holds mlruns or mlflow.db")));
            if (isInsideMlflowStore(root, *store))
                return std::unexpected(
                    Error(tr("the project is inside the MLflow store: importing would write into "
                             "the store"),
                          root));
            // Half the bar for reading, half for writing.
            auto read = readMlflowStore(*store, [&](qint64 done, qint64 total) {
                if (total > 0)
                    percent(int(50 * done / total));
                return !cancelled;
            });
            if (!read)
                return std::unexpected(read.error());
            auto db = openProjectDatabase(root);
            if (!db)
                return std::unexpected(db.error());
            auto s = importMlflowRuns(**db, *read, {}, [&](qint64 done, qint64 total) {
                if (total > 0)
                    percent(50 + int(50 * done / total));
                return !cancelled;
            });
            if (!s)
                return std::unexpected(s.error());
            return tr("Imported from %1: %2 new, %3 changed, %4 already imported run(s)")
                .arg(QDir::toNativeSeparators(store->path), QString::number(s->added),
                     QString::number(s->updated), QString::number(s->unchanged));
        },
        [this](Result<QString> result) {
            m_importRunning = false;
            m_loadCancel->hide();
            if (!result) {
                statusBar()->clearMessage();
                m_problems->add(ProblemsModel::Severity::Error, result.error());
                revealDock(m_problemsDock);
                return;
            }
            statusBar()->showMessage(*result, 15000);
            emit mlflowImported(*result);
            reload();
        });
}

void MainWindow::reload()
{
    if (!m_currentPath.isEmpty())
        startLoad(m_currentPath);
}

void MainWindow::startLoad(const QString &root)
{
    // Progress of a long load (a large MLflow store) in the status bar, with Cancel.
    auto last = std::make_shared<std::atomic_int>(-1);
    QPointer<MainWindow> self(this);
    const quint64 gen = ++m_progressGeneration;
    auto percent = [self, last, root, gen](int p) {
        if (last->exchange(p) == p)
            return;
        QMetaObject::invokeMethod(qApp, [self, p, root, gen] {
            if (!self || self->m_currentPath != root || self->m_progressGeneration != gen)
                return;
            self->m_loadCancel->show();
            self->statusBar()->showMessage(
                tr("Reading the MLflow store %1… %2%").arg(QDir::toNativeSeparators(root)).arg(p));
        });
    };
    // A store's copy being finished holds its lock: let it go first.
    m_mirrorFinisher.cancel();
    m_loader.run(
        [root, percent](const std::atomic_bool &cancelled) {
            return loadProjectOrStore(root, cancelled, percent);
        },
        [this](LoadedProject loaded) {
            m_loadCancel->hide();
            const QString mirror = loaded.snapshot.root;
            applySnapshot(std::move(loaded.snapshot));
            if (loaded.pending)
                finishMirror(mirror, loaded.pending);
        });
}

void MainWindow::finishMirror(const QString &root, std::shared_ptr<MlflowMirrorSync> pending)
{
    // The newest runs show; the rest of the store is read in the background, then the project
    // is shown again whole.
    const int shown = pending->mirror.summary.added + pending->mirror.summary.unchanged;
    const int all = shown + pending->remaining;
    auto last = std::make_shared<std::atomic_int>(-1);
    QPointer<MainWindow> self(this);
    const quint64 gen = ++m_progressGeneration;
    auto percent = [self, last, root, shown, all, gen](int p) {
        if (last->exchange(p) == p)
            return;
        QMetaObject::invokeMethod(qApp, [self, p, root, shown, all, gen] {
            if (!self || self->m_currentPath != root || self->m_progressGeneration != gen)
                return;
            self->m_loadCancel->show();
            self->statusBar()->showMessage(
                tr("Showing the newest %1 of %2 runs; reading the rest of the MLflow store… %3%")
                    .arg(QLocale().toString(shown), QLocale().toString(all))
                    .arg(p));
        });
    };
    m_mirrorFinisher.run(
        [root, pending, percent](const std::atomic_bool &cancelled) -> Result<ProjectSnapshot> {
            auto done = finishMlflowMirrorSync(*pending, [&](qint64 d, qint64 t) {
                if (t > 0)
                    percent(int(100 * d / t));
                return !cancelled;
            });
            if (!done)
                return std::unexpected(done.error());
            return loadSnapshot(root);
        },
        [this](Result<ProjectSnapshot> s) {
            m_loadCancel->hide();
            if (!s) {
                statusBar()->clearMessage();
                m_problems->add(ProblemsModel::Severity::Error, s.error());
                return;
            }
            applySnapshot(std::move(*s));
        });
}

void MainWindow::applySnapshot(ProjectSnapshot s)
{
    statusBar()->clearMessage();
    if (!s.project && !s.errors.isEmpty() && !QFileInfo(s.root).isDir()) {
        // An MLflow store that could not be read (and had no mirror yet).
        for (const Error &e : std::as_const(s.errors))
            m_problems->add(ProblemsModel::Severity::Error, e, s.root);
        emit projectLoaded(s.root, false);
        return;
    }
    m_currentPath = s.root; // a store opens as its mirror: reloads read the store again
    m_importAction->setEnabled(s.project && s.project->format != ProjectFormat::MlflowStore);
    if (!QFileInfo(s.root).isDir()) {
        m_problems->add(ProblemsModel::Severity::Error,
                        Error(tr("the project folder does not exist"), s.root)
                            .withHint(tr("Remove it from the list, or restore the folder")),
                        s.root);
        emit projectLoaded(s.root, false);
        return;
    }
    const bool first = !m_snapshot || m_snapshot->root != s.root;
    m_snapshot = s;
    if (m_projectList) {
        if (first)
            (void)m_projectList->touch(s.root, s.name);
        refreshProjectList();
    }
    m_sidebarModel->setSnapshot(s);
    m_sidebarModel->setCurrentProject(s.root);
    const QModelIndex projectIdx = m_sidebarModel->projectIndex(s.root);
    m_sidebar->expand(projectIdx);
    for (Section sec : {Section::Datasets, Section::EntryPoints})
        m_sidebar->expand(m_sidebarModel->sectionIndex(s.root, sec));

    m_problems->clearSource(s.root);
    for (const Error &e : s.errors)
        m_problems->add(ProblemsModel::Severity::Error, e, s.root);
    if (s.project) {
        for (const Error &w : s.project->warnings)
            m_problems->add(ProblemsModel::Severity::Warning, w, s.root);
    }

    m_overview->setSnapshot(s);
    m_entryPointsView->setSnapshot(s);
    m_datasetsView->setSnapshot(s);
    m_modelsView->setSnapshot(s);
    m_pipelinesView->setSnapshot(s);
    m_versionsView->setSnapshot(s);
    m_diffView->setSnapshot(s);
    m_driftView->setSnapshot(s);
    m_dvcView->setSnapshot(s);
    if (!first)
        m_runsView->refresh(); // a reloaded store brings runs of its own
    if (first) {
        m_runsView->setProjectRoot(s.root);
        m_runs->setProject(s.root);
        settings::lastProject.set(s.root);
        setWindowTitle(tr("%1 — Cairn").arg(s.name));
        // Show the project: its overview and entry points, nothing else from a previous one.
        while (m_tabs->count() > 0)
            m_tabs->removeTab(0);
        openSection(Section::Overview);
        openSection(Section::EntryPoints);
        m_tabs->setCurrentIndex(0);
    }
    const QStringList watched = m_watcher->files();
    if (!watched.isEmpty())
        m_watcher->removePaths(watched);
    // A store opened read-only changes while MLflow writes to it: Reload reads it again, not
    // every write.
    if (s.project && !s.project->projectFile.isEmpty() &&
        s.project->format != ProjectFormat::MlflowStore)
        m_watcher->addPath(s.project->projectFile);
    else if (!s.errors.isEmpty() && !s.errors.first().file.isEmpty() &&
             QFileInfo(s.errors.first().file).isFile())
        m_watcher->addPath(s.errors.first().file);
    updateStatusBar();
    emit projectLoaded(s.root, s.project.has_value());
}

QWidget *MainWindow::viewFor(Section section) const
{
    switch (section) {
    case Section::Overview:
        return m_overview;
    case Section::Runs:
        return m_runsView;
    case Section::Datasets:
        return m_datasetsView;
    case Section::Models:
        return m_modelsView;
    case Section::Versions:
        return m_versionsView;
    case Section::Diff:
        return m_diffView;
    case Section::Drift:
        return m_driftView;
    case Section::EntryPoints:
        return m_entryPointsView;
    case Section::Pipelines:
        return m_pipelinesView;
    case Section::Experiments:
        return m_dvcView;
    }
    return nullptr;
}

void MainWindow::openSection(Section section, const QString &item)
{
    if (!m_snapshot)
        return;
    QWidget *view = viewFor(section);
    int index = m_tabs->indexOf(view);
    if (index < 0) {
        static const char *icons[] = {"overview", "runs",  "dataset",    "model",    "versions",
                                      "diff",     "drift", "entrypoint", "pipeline", "experiments"};
        index = m_tabs->addTab(
            view,
            QIcon(
                QStringLiteral(":/cairn/icons/%1.svg").arg(QLatin1StringView(icons[int(section)]))),
            sectionTitle(section));
    }
    m_tabs->setCurrentIndex(index);
    if (item.isEmpty())
        return;
    if (section == Section::EntryPoints)
        m_entryPointsView->selectEntryPoint(item);
    else if (section == Section::Datasets)
        m_datasetsView->selectEntry(item);
    else if (section == Section::Models)
        m_modelsView->selectEntry(item);
    else if (section == Section::Versions)
        m_versionsView->selectFile(item);
    else if (section == Section::Pipelines)
        m_pipelinesView->selectPipeline(item);
    else if (section == Section::Experiments)
        m_dvcView->selectRevisions(item.split(QLatin1Char(',')));
}

void MainWindow::compareVersions(const QString &a, const QString &b)
{
    openSection(Section::Diff);
    m_diffView->setSides(a, b);
    m_diffView->compare();
}

bool MainWindow::ensureTrusted(const Project &project, const QString &command)
{
    if (m_projectList && m_projectList->isTrusted(project.rootDir))
        return true;
    QMessageBox box(QMessageBox::Warning, tr("Trust this project?"),
                    tr("<p>This is the first time you run a command of <b>%1</b>.</p>"
                       "<p>Its commands come from %2 and run on this computer with your "
                       "permissions. Run them only if you trust where this project came from.</p>")
                        .arg(project.name.toHtmlEscaped(),
                             QDir::toNativeSeparators(project.projectFile).toHtmlEscaped()),
                    QMessageBox::Cancel, this);
    box.setObjectName(QStringLiteral("trustDialog"));
    box.setInformativeText(tr("Command: %1").arg(command));
    QPushButton *trust = box.addButton(tr("Trust and Run"), QMessageBox::AcceptRole);
    trust->setObjectName(QStringLiteral("trustButton"));
    box.setDefaultButton(QMessageBox::Cancel);
    box.exec();
    if (box.clickedButton() != trust)
        return false;
    if (m_projectList) {
        if (auto r = m_projectList->setTrusted(project.rootDir, true); !r)
            m_problems->add(ProblemsModel::Severity::Warning, r.error());
    }
    return true;
}

void MainWindow::requestRun(const QString &entryPoint)
{
    ParamValues last;
    if (m_snapshot && QFileInfo::exists(projectDatabasePath(m_snapshot->root))) {
        // Prefill from the newest run of this entry point.
        if (auto db = openProjectDatabase(m_snapshot->root, Database::Mode::ReadOnly)) {
            if (auto run = RunStore(**db).lastRunOf(entryPoint); run && *run)
                last = (*run)->params;
        }
    }
    requestRunWith(entryPoint, last);
}

void MainWindow::requestRunWith(const QString &entryPoint, const ParamValues &values)
{
    if (!m_snapshot || !m_snapshot->project)
        return;
    // A copy: the dialogs below run event loops, during which a reload replaces the snapshot.
    const Project project = *m_snapshot->project;
    const EntryPoint *ep = project.entryPoint(entryPoint);
    if (!ep) {
        m_problems->add(ProblemsModel::Severity::Error,
                        Error(tr("the project has no entry point \"%1\" any more").arg(entryPoint),
                              project.projectFile));
        return;
    }
    LaunchDialog dialog(project, *ep, this);
    dialog.setValues(values);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const ParamValues chosen = dialog.values();
    const auto preview = buildLaunchCommand(project, entryPoint, chosen);
    if (!ensureTrusted(project, preview ? preview->shellCommand : ep->command))
        return;
    const auto id =
        m_runs->launch(project, LaunchRequest{entryPoint, chosen, dialog.runName(), {}, {}});
    if (!id) {
        for (const Error &e : id.error())
            m_problems->add(ProblemsModel::Severity::Error, e, project.rootDir);
        statusBar()->showMessage(tr("The run could not start; see Problems"), 8000);
    }
}

void MainWindow::retrain(const QString &entryPoint, const ParamValues &values)
{
    // requestRunWith is synchronous: runLaunched fires inside it when the user went ahead.
    qint64 launched = 0;
    const auto connection =
        connect(this, &MainWindow::runLaunched, this, [&launched](qint64 id) { launched = id; });
    if (m_retrainWithoutAsking)
        launchNow(entryPoint, values);
    else
        requestRunWith(entryPoint, values);
    disconnect(connection);
    if (launched == 0)
        return;
    openSection(Section::Runs);
    connect(
        m_runsView, &RunsView::refreshed, this,
        [this, launched] { m_runsView->selectRuns({launched}); }, Qt::SingleShotConnection);
    m_runsView->refresh();
    statusBar()->showMessage(tr("Retraining: run %1 started").arg(launched), 8000);
}

void MainWindow::requestPipeline(const QString &name, const ParamValues &values, bool withoutAsking)
{
    if (!m_snapshot || !m_snapshot->project)
        return;
    // Copies: the dialogs below run event loops, during which a reload replaces the snapshot.
    const Project project = *m_snapshot->project;
    const PipelineSpec *spec = project.pipeline(name);
    if (!spec) {
        m_problems->add(ProblemsModel::Severity::Error,
                        Error(tr("the project has no pipeline \"%1\" any more").arg(name),
                              project.projectFile));
        return;
    }
    ParamValues chosen = values;
    if (!withoutAsking) {
        LaunchDialog dialog(project, *spec, this);
        dialog.setValues(values);
        if (dialog.exec() != QDialog::Accepted)
            return;
        chosen = dialog.values();
    }
    QStringList steps;
    for (const PipelineStep &step : spec->steps)
        steps.append(step.displayName());
    // Asking is skipped only for --retrain on the command line, which is the go-ahead.
    if (!withoutAsking &&
        !ensureTrusted(project, tr("pipeline %1: %2").arg(name, steps.join(QStringLiteral(" → ")))))
        return;
    auto db = openProjectDatabase(project.rootDir);
    if (!db) {
        m_problems->add(ProblemsModel::Severity::Error, db.error(), project.rootDir);
        return;
    }
    const auto prepared = pipeline::preparePipeline(project, **db, name, chosen);
    if (!prepared) {
        for (const Error &e : prepared.error())
            m_problems->add(ProblemsModel::Severity::Error, e, project.rootDir);
        statusBar()->showMessage(tr("The pipeline could not start; see Problems"), 8000);
        return;
    }
    if (auto pid = pipeline::startPipelineSupervisor(project.rootDir, prepared->id); !pid) {
        m_problems->add(ProblemsModel::Severity::Error, pid.error(), project.rootDir);
        statusBar()->showMessage(tr("The pipeline could not start; see Problems"), 8000);
        return;
    }
    openSection(Section::Pipelines);
    m_pipelinesView->follow(prepared->id);
    statusBar()->showMessage(
        tr("Pipeline %1 started (pipeline run %2)").arg(name).arg(prepared->id), 8000);
    emit pipelineLaunched(prepared->id);
}

void MainWindow::retrainNow()
{
    openSection(Section::Drift);
    m_retrainWithoutAsking = true;
    m_driftView->requestRetrain();
    m_retrainWithoutAsking = false;
}

void MainWindow::launchNow(const QString &entryPoint, const ParamValues &values)
{
    if (!m_snapshot || !m_snapshot->project)
        return;
    const auto id =
        m_runs->launch(*m_snapshot->project, LaunchRequest{entryPoint, values, {}, {}, {}});
    if (!id) {
        for (const Error &e : id.error())
            m_problems->add(ProblemsModel::Severity::Error, e, m_snapshot->root);
    }
}

RunDetailView *MainWindow::openRun(qint64 id)
{
    if (!m_snapshot)
        return nullptr;
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (auto *d = qobject_cast<RunDetailView *>(m_tabs->widget(i)); d && d->runId() == id) {
            m_tabs->setCurrentIndex(i);
            return d;
        }
    }
    auto *view = new RunDetailView(m_snapshot->root, id);
    view->setAttribute(Qt::WA_DeleteOnClose);
    connect(view, &RunDetailView::rerunRequested, this, &MainWindow::rerun);
    connect(view, &RunDetailView::reproduceRequested, this, &MainWindow::reproduce);
    connect(view, &RunDetailView::cancelRequested, this, &MainWindow::cancelRun);
    const int index =
        m_tabs->addTab(view, QIcon(QStringLiteral(":/cairn/icons/runs.svg")), tr("Run %1").arg(id));
    m_tabs->setCurrentIndex(index);
    return view;
}

void MainWindow::rerun(qint64 id)
{
    if (!m_snapshot)
        return;
    auto db = openProjectDatabase(m_snapshot->root, Database::Mode::ReadOnly);
    if (!db)
        return;
    auto run = RunStore(**db).get(id);
    if (!run) {
        m_problems->add(ProblemsModel::Severity::Error, run.error(), m_snapshot->root);
        return;
    }
    requestRunWith(run->entryPoint, run->params);
}

void MainWindow::reproduce(qint64 id)
{
    if (!m_snapshot || !m_snapshot->project)
        return;
    const QString root = m_snapshot->root;
    QMessageBox box(
        QMessageBox::Question, tr("Reproduce run %1?").arg(id),
        tr("Cairn checks out the commit run %1 ran at into a separate git work tree under "
           ".cairn/worktrees, applies the uncommitted changes it ran with, and runs the "
           "same entry point with the same parameters there. Your working copy is not "
           "touched.")
            .arg(id),
        QMessageBox::Cancel, this);
    QPushButton *go = box.addButton(tr("Reproduce"), QMessageBox::AcceptRole);
    box.exec();
    if (box.clickedButton() != go)
        return;
    if (!ensureTrusted(*m_snapshot->project, tr("the commands of run %1").arg(id)))
        return;
    statusBar()->showMessage(tr("Preparing the reproduction of run %1…").arg(id));
    using Outcome = std::expected<Reproduction, Errors>;
    m_reproducer.run(
        [root, id](const std::atomic_bool &) -> Outcome {
            auto db = openProjectDatabase(root);
            if (!db)
                return std::unexpected(Errors{db.error()});
            return prepareReproduction(root, **db, id);
        },
        [this, root](Outcome r) {
            statusBar()->clearMessage();
            if (!r) {
                for (const Error &e : r.error())
                    m_problems->add(ProblemsModel::Severity::Error, e, root);
                return;
            }
            for (const QString &w : r->warnings)
                m_problems->add(ProblemsModel::Severity::Warning, Error(w), root);
            if (auto pid = startSupervisor(root, r->run.record.id); !pid) {
                m_problems->add(ProblemsModel::Severity::Error, pid.error(), root);
                return;
            }
            m_runs->watch(r->run.record.id);
        });
}

void MainWindow::cancelRun(qint64 id)
{
    if (!m_snapshot)
        return;
    auto db = openProjectDatabase(m_snapshot->root);
    if (!db)
        return;
    if (auto r = cairn::cancelRun(**db, id); !r)
        m_problems->add(ProblemsModel::Severity::Warning, r.error(), m_snapshot->root);
    else
        statusBar()->showMessage(tr("Cancelling run %1…").arg(id), 5000);
}

void MainWindow::showRunOutput(qint64 id)
{
    if (!m_snapshot)
        return;
    QString entryPoint;
    if (auto db = openProjectDatabase(m_snapshot->root, Database::Mode::ReadOnly)) {
        if (auto run = RunStore(**db).get(id))
            entryPoint = run->entryPoint;
    }
    const QString log =
        QDir(m_snapshot->root).filePath(QStringLiteral(".cairn/runs/%1/output.log").arg(id));
    const bool known = m_logPanes->runs().contains(id);
    m_logPanes->showRun(id, tr("Run %1 · %2").arg(id).arg(entryPoint), log);
    if (!known && !m_runs->activeRuns().contains(id))
        m_logPanes->loadLogTail(id);
    revealDock(m_logDock);
}

void MainWindow::revealDock(QDockWidget *dock)
{
    const bool wasHidden = dock->isHidden();
    dock->show();
    dock->raise();
    if (wasHidden)
        resizeDocks({dock}, {height() / 4}, Qt::Vertical);
}

void MainWindow::updateStatusBar()
{
    if (!m_snapshot) {
        m_statusProject->setText(tr("No project open"));
        m_statusGit->clear();
        m_statusRuns->clear();
        return;
    }
    const ProjectSnapshot &s = *m_snapshot;
    m_statusProject->setText(QDir::toNativeSeparators(s.root));
    if (s.git.isRepository)
        m_statusGit->setText(QStringLiteral("%1 @ %2%3")
                                 .arg(s.git.branch.isEmpty() ? tr("detached") : s.git.branch,
                                      s.git.commit.left(8),
                                      s.git.dirty ? tr(" (modified)") : QString()));
    else
        m_statusGit->setText(tr("no git"));
    m_statusRuns->setText(
        tr("%n run(s)", nullptr, int(s.runCount)) +
        (s.activeRunCount > 0 ? tr(", %1 active").arg(s.activeRunCount) : QString()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // Runs belong to their supervisors and go on after the window closes.
    settings::windowGeometry.set(saveGeometry());
    settings::windowState.set(saveState());
    event->accept();
}

} // namespace cairn::ui
