// The application shell, driven through its widgets as a user would: open the demo project,
// look at the sidebar, click through the sections, run an entry point (trusting the project on
// the first run), see its output, and get clear problems for a broken project file.

#include "charts/metricchart.h"
#include "charts/qcustomplot.h"
#include "demo/demoproject.h"
#include "dialogs/launchdialog.h"
#include "logpanes.h"
#include "logview.h"
#include "mainwindow.h"
#include "problems.h"
#include "registry/registry.h"
#include "runcontroller.h"
#include "runs/runstore.h"
#include "settings/settings.h"
#include "sidebarmodel.h"
#include "store/projectdb.h"
#include "store/projectlist.h"
#include "testsupport.h"
#include "theme.h"
#include "views/driftview.h"
#include "views/entrypointsview.h"
#include "views/pipelinestrip.h"
#include "views/pipelinesview.h"
#include "views/rundetailview.h"
#include "views/runstablemodel.h"
#include "views/runsview.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>

using namespace cairn;
using namespace cairn::ui;

namespace {

// Runs `action` on the next modal dialog of type T as soon as it shows.
template<typename T, typename F>
void whenModal(F action, int attempts = 200)
{
    QTimer::singleShot(50, [action, attempts]() mutable {
        auto *dialog = qobject_cast<T *>(QApplication::activeModalWidget());
        if (!dialog) {
            if (attempts > 0)
                whenModal<T>(action, attempts - 1);
            return;
        }
        action(dialog);
    });
}

QStringList childLabels(QAbstractItemModel *model, const QModelIndex &parent)
{
    QStringList out;
    for (int i = 0; i < model->rowCount(parent); ++i)
        out << model->index(i, 0, parent).data().toString();
    return out;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_demo;

    MainWindow::Options options() const
    {
        MainWindow::Options o;
        o.projectListPath = m_tmp.filePath(QStringLiteral("projects.db"));
        o.restoreLayout = false;
        return o;
    }
    bool openAndWait(MainWindow &w, const QString &path)
    {
        QSignalSpy loaded(&w, &MainWindow::projectLoaded);
        w.openProject(path);
        return loaded.wait(20000);
    }

private slots:
    void initTestCase()
    {
        test::failOnQtWarnings();
        m_demo = QDir(m_tmp.path()).canonicalPath() + QStringLiteral("/churn-demo");
        QVERIFY(writeDemoProject(m_demo));
    }

    void opensDemoWithSidebar()
    {
        MainWindow w(options());
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(openAndWait(w, m_demo));
        QVERIFY(w.snapshot().has_value());
        QVERIFY(w.snapshot()->project.has_value());
        QCOMPARE(w.windowTitle(), QStringLiteral("churn-demo — Cairn"));

        SidebarModel *model = w.sidebarModel();
        const QModelIndex project = model->projectIndex(m_demo);
        QVERIFY(project.isValid());
        QCOMPARE(project.data().toString(), QStringLiteral("churn-demo"));
        QVERIFY(w.sidebar()->isExpanded(project));
        const QModelIndex eps = model->sectionIndex(m_demo, Section::EntryPoints);
        const QModelIndex datasets = model->sectionIndex(m_demo, Section::Datasets);
        QVERIFY(w.sidebar()->isExpanded(eps));
        QVERIFY(w.sidebar()->isExpanded(datasets));
        QCOMPARE(childLabels(model, eps), (QStringList{"train", "validate"}));
        QCOMPARE(childLabels(model, datasets), (QStringList{"reference", "incoming"}));
        // Opening ran nothing: no run recorded, no model written.
        QCOMPARE(w.snapshot()->runCount, 0);
        QVERIFY(!QFile::exists(m_demo + QStringLiteral("/models/churn-model.json")));
        QCOMPARE(w.problems()->rowCount(), 0);

        // Clicking the sections opens their tabs.
        for (Section s : {Section::Runs, Section::Datasets, Section::Models, Section::Drift,
                          Section::EntryPoints, Section::Pipelines}) {
            const QModelIndex idx = model->sectionIndex(m_demo, s);
            const QRect rect = w.sidebar()->visualRect(idx);
            QVERIFY(rect.isValid());
            QTest::mouseClick(w.sidebar()->viewport(), Qt::LeftButton, {}, rect.center());
            QCOMPARE(w.tabs()->tabText(w.tabs()->currentIndex()), sectionTitle(s));
        }
        // An item opens its section with it selected.
        const QModelIndex validate = model->index(1, 0, eps);
        QTest::mouseClick(w.sidebar()->viewport(), Qt::LeftButton, {},
                          w.sidebar()->visualRect(validate).center());
        QCOMPARE(w.entryPointsView()->currentEntryPoint(), QStringLiteral("validate"));
    }

    void runAsksForTrustThenRuns()
    {
        MainWindow w(options());
        w.show();
        QVERIFY(openAndWait(w, m_demo));
        w.openSection(Section::EntryPoints, QStringLiteral("train"));
        auto *runButton =
            w.entryPointsView()->findChild<QPushButton *>(QStringLiteral("runButton"));
        QVERIFY(runButton && runButton->isEnabled());

        // First: a wrong value keeps the launch dialog from running anything.
        bool sawError = false;
        whenModal<LaunchDialog>([&](LaunchDialog *d) {
            auto *epochs = qobject_cast<QLineEdit *>(d->field(QStringLiteral("epochs")));
            epochs->setText(QStringLiteral("ten"));
            auto *ok = d->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
            sawError =
                !ok->isEnabled() && d->findChild<QLabel *>(QStringLiteral("launchError"))
                                        ->text()
                                        .contains(QStringLiteral("\"ten\" is not an integer"));
            d->reject();
        });
        QTest::mouseClick(runButton, Qt::LeftButton);
        QVERIFY(sawError);

        // Then: refuse to trust: nothing runs.
        whenModal<LaunchDialog>([](LaunchDialog *d) {
            qobject_cast<QLineEdit *>(d->field(QStringLiteral("epochs")))
                ->setText(QStringLiteral("3"));
            whenModal<QMessageBox>([](QMessageBox *box) {
                QCOMPARE(box->objectName(), QStringLiteral("trustDialog"));
                box->button(QMessageBox::Cancel)->click();
            });
            d->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        });
        QTest::mouseClick(runButton, Qt::LeftButton);
        QVERIFY(w.runController()->activeRuns().isEmpty());
        QVERIFY(!ProjectList::open(options().projectListPath)->isTrusted(m_demo));

        // Trust and run.
        QSignalSpy launched(&w, &MainWindow::runLaunched);
        QSignalSpy ended(w.runController(), &RunController::runEnded);
        whenModal<LaunchDialog>([](LaunchDialog *d) {
            qobject_cast<QLineEdit *>(d->field(QStringLiteral("epochs")))
                ->setText(QStringLiteral("3"));
            whenModal<QMessageBox>([](QMessageBox *box) {
                box->findChild<QPushButton *>(QStringLiteral("trustButton"))->click();
            });
            d->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        });
        QTest::mouseClick(runButton, Qt::LeftButton);
        QVERIFY2(launched.count() == 1,
                 w.problems()->rowCount() > 0
                     ? qPrintable(w.problems()->problems().first().error.toString())
                     : "no run launched");
        QVERIFY(ProjectList::open(options().projectListPath)->isTrusted(m_demo));
        QVERIFY(ended.wait(60000));
        QCOMPARE(ended.first().at(1).value<RunStatus>(), RunStatus::Finished);
        const qint64 runId = launched.first().at(0).toLongLong();
        auto logText = [&] {
            AnsiLogView *v = w.logPanes()->view(runId);
            return v ? v->buffer().text() : QString();
        };
        QTRY_VERIFY(logText().contains(QStringLiteral("epoch   3/3")));
        // The progress bar's carriage returns rewrote its line instead of piling up.
        QVERIFY(!logText().contains(QStringLiteral("[##")));
        QTRY_VERIFY(logText().contains(QStringLiteral("Wrote models/churn-model.json")));
        QVERIFY(QFile::exists(m_demo + QStringLiteral("/models/churn-model.json")));
        // The runs table shows it.
        w.openSection(Section::Runs);
        QTRY_COMPARE(w.runsView()->model()->rowCount(), 1);
        auto firstStatus = [&] {
            const QVariant v = w.runsView()->model()->index(0, 0).data(RunsTableModel::StatusRole);
            return v.isValid() ? RunStatus(v.toInt()) : RunStatus::Queued;
        };
        QTRY_COMPARE(firstStatus(), RunStatus::Finished);

        // A second run does not ask again.
        QSignalSpy ended2(w.runController(), &RunController::runEnded);
        whenModal<LaunchDialog>([](LaunchDialog *d) {
            d->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        });
        w.requestRun(QStringLiteral("validate"));
        QVERIFY(ended2.wait(60000));
        QTRY_COMPARE(w.runsView()->model()->rowCount(), 2);
    }

    // A run belongs to its supervisor: closing (or losing) the window that started it does not
    // stop it, and a new window attaches to it.
    void runOutlivesTheWindow()
    {
        auto db = openProjectDatabase(m_demo);
        QVERIFY(db);
        qint64 id = -1;
        {
            MainWindow w(options());
            w.show();
            QVERIFY(openAndWait(w, m_demo));
            QVERIFY(ProjectList::open(options().projectListPath)
                        ->isTrusted(m_demo)); // from the test before
            QSignalSpy launched(&w, &MainWindow::runLaunched);
            whenModal<LaunchDialog>([](LaunchDialog *d) {
                qobject_cast<QLineEdit *>(d->field(QStringLiteral("epochs")))
                    ->setText(QStringLiteral("25"));
                d->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
            });
            w.requestRun(QStringLiteral("train"));
            QCOMPARE(launched.count(), 1);
            id = launched.first().at(0).toLongLong();
        } // the window is gone
        QVERIFY(!isTerminal(RunStore(**db).get(id)->status));

        // A new window shows it live, follows its output and sees it end.
        MainWindow again(options());
        QSignalSpy ended(again.runController(), &RunController::runEnded);
        again.show();
        QVERIFY(openAndWait(again, m_demo));
        QVERIFY(again.runController()->activeRuns().contains(id));
        QVERIFY(again.logPanes()->runs().contains(id));
        QVERIFY(ended.wait(60000));
        QCOMPARE(RunStore(**db).get(id)->status, RunStatus::Finished);
        QTRY_VERIFY(
            again.logPanes()->view(id)->buffer().text().contains(QStringLiteral("epoch  25/25")));
    }

    void opensMlflowStoreReadOnly()
    {
        // The real mlruns tree of a public project, opened as it is: its runs show, a filter on
        // MLflow's params and metrics works, and the store is left as it was.
        const QString store = test::fixture(
            QStringLiteral("mlflow/external/2024aa05342-source__heart-mlops-project/mlruns"));
        const auto before = QDir(store).entryList(QDir::AllEntries | QDir::Hidden);
        MainWindow w(options());
        w.show();
        QVERIFY(openAndWait(w, store));
        QVERIFY(w.snapshot().has_value());
        QVERIFY(w.snapshot()->project.has_value());
        QCOMPARE(w.snapshot()->project->format, ProjectFormat::MlflowStore);
        QCOMPARE(w.snapshot()->runCount, 22);
        QVERIFY(w.snapshot()->root != QDir(store).canonicalPath());
        QCOMPARE(QDir(store).entryList(QDir::AllEntries | QDir::Hidden), before);

        w.openSection(Section::Runs);
        RunsView *runs = w.runsView();
        QTRY_COMPARE(runs->model()->rowCount(), 22);
        QCOMPARE(runs->model()->headerData(3, Qt::Horizontal, Qt::DisplayRole).toString(),
                 QStringLiteral("Experiment"));
        QSignalSpy refreshed(runs, &RunsView::refreshed);
        QTest::keyClicks(runs->expressionEdit(), QStringLiteral("accuracy > 0.85"));
        QVERIFY(refreshed.wait(5000));
        const int good = runs->model()->rowCount();
        QVERIFY2(good > 0 && good < 22, qPrintable(QString::number(good)));

        // Reloading reads the store again into the same copy.
        const QString mirror = w.snapshot()->root;
        QSignalSpy reloaded(&w, &MainWindow::projectLoaded);
        w.reload();
        QVERIFY(reloaded.wait(20000));
        QCOMPARE(w.snapshot()->root, mirror);
        QCOMPARE(w.snapshot()->runCount, 22);
        QCOMPARE(w.problems()->rowCount(), 0);

        // File ▸ Import MLflow Runs… into a project of one's own: the runs join its own, and a
        // second import adds nothing.
        const QString project = m_tmp.filePath(QStringLiteral("with-mlflow"));
        QDir().mkpath(project);
        test::writeFile(project + QStringLiteral("/cairn.yaml"), "version: 1\nname: mine\n");
        QVERIFY(openAndWait(w, project));
        QCOMPARE(w.snapshot()->runCount, 0);
        for (const char *expected :
             {"22 new, 0 changed, 0 already", "0 new, 0 changed, 22 already"}) {
            QSignalSpy imported(&w, &MainWindow::mlflowImported);
            QSignalSpy loaded(&w, &MainWindow::projectLoaded);
            w.importMlflow(store);
            QVERIFY(imported.wait(20000));
            QVERIFY2(imported.first().first().toString().contains(QLatin1String(expected)),
                     qPrintable(imported.first().first().toString()));
            QVERIFY(loaded.wait(20000));
            QCOMPARE(w.snapshot()->runCount, 22);
        }
        QCOMPARE(w.problems()->rowCount(), 0);
    }

    void largeStoreShowsNewestRunsFirst()
    {
        // 1,200 runs: the window shows the newest 1,000 at once, then all of them.
        QTemporaryDir dir;
        const QString mlruns = dir.filePath(QStringLiteral("mlruns"));
        test::writeFile(mlruns + QStringLiteral("/3/meta.yaml"), "experiment_id: '3'\nname: big\n");
        for (int i = 0; i < 1200; ++i) {
            const QString id = QStringLiteral("%1").arg(i, 32, 10, QLatin1Char('0'));
            test::writeFile(mlruns + QStringLiteral("/3/") + id + QStringLiteral("/meta.yaml"),
                            "run_id: " + id.toUtf8() +
                                "\nexperiment_id: '3'\nstatus: 3\n"
                                "start_time: " +
                                QByteArray::number(1780000000000LL + i) + "\n");
            test::writeFile(mlruns + QStringLiteral("/3/") + id + QStringLiteral("/metrics/m"),
                            "1780000000000 " + QByteArray::number(i) + " 0\n");
        }
        MainWindow w(options());
        w.show();
        QSignalSpy loaded(&w, &MainWindow::projectLoaded);
        w.openProject(mlruns);
        QVERIFY(loaded.wait(30000));
        QCOMPARE(w.snapshot()->runCount, 1000);
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 2, 30000);
        QCOMPARE(w.snapshot()->runCount, 1200);
        QCOMPARE(w.problems()->rowCount(), 0);
        // Numbered in time order whichever part came first: the newest is #1200.
        w.openSection(Section::Runs);
        QTRY_COMPARE(w.runsView()->model()->rowCount(), 1200);
        const QModelIndex top = w.runsView()->model()->index(0, 0);
        QTRY_VERIFY(top.data(RunsTableModel::LoadedRole).toBool());
        QCOMPARE(top.data().toString(), QStringLiteral("1200"));
    }

    void runsViewFiltersAndRunDetails()
    {
        MainWindow w(options());
        w.show();
        QVERIFY(openAndWait(w, m_demo));
        w.openSection(Section::Runs);
        RunsView *runs = w.runsView();
        QTRY_VERIFY(runs->model()->rowCount() >= 3);
        const int all = runs->model()->rowCount();
        // An expression: only the training runs have a val_accuracy.
        QSignalSpy refreshed(runs, &RunsView::refreshed);
        QTest::keyClicks(runs->expressionEdit(), QStringLiteral("val_accuracy > 0"));
        QVERIFY(refreshed.wait(5000));
        const int trained = runs->model()->rowCount();
        QVERIFY(trained >= 2 && trained < all);
        for (int r = 0; r < trained; ++r) {
            const QModelIndex idx = runs->model()->index(r, 3);
            QTRY_VERIFY(idx.data(RunsTableModel::LoadedRole).toBool());
            QCOMPARE(idx.data().toString(), QStringLiteral("train"));
        }
        // A typo is explained, and the table keeps its last good filter.
        runs->expressionEdit()->clear();
        QTest::keyClicks(runs->expressionEdit(), QStringLiteral("val_acuracy > 0"));
        auto *error = runs->findChild<QLabel *>(QStringLiteral("filterError"));
        QTRY_VERIFY(error->isVisible());
        QVERIFY2(error->text().contains(QStringLiteral("did you mean \"val_accuracy\"")),
                 qPrintable(error->text()));

        // Selecting runs overlays them on the chart.
        runs->expressionEdit()->clear();
        QTRY_COMPARE(runs->model()->rowCount(), all);
        QList<qint64> trainIds;
        for (int r = 0; r < all; ++r) {
            const QModelIndex idx = runs->model()->index(r, 3);
            QTRY_VERIFY(idx.data(RunsTableModel::LoadedRole).toBool());
            if (idx.data().toString() == QStringLiteral("train"))
                trainIds.append(idx.data(RunsTableModel::RunIdRole).toLongLong());
        }
        QSignalSpy charted(runs, &RunsView::chartUpdated);
        runs->setChartMetric(QStringLiteral("val_accuracy"));
        runs->selectRuns(trainIds);
        QTRY_VERIFY(runs->chart()->plot()->legend->visible() || trainIds.size() < 2);
        QTRY_COMPARE(runs->chart()->plot()->graphCount() >= trainIds.size(), true);

        // The details of a run.
        RunDetailView *detail = w.openRun(trainIds.first());
        QVERIFY(detail);
        QSignalSpy loaded(detail, &RunDetailView::loaded);
        QVERIFY(loaded.wait(10000) || detail->details().has_value());
        const RunDetails &d = *detail->details();
        QCOMPARE(d.run.entryPoint, QStringLiteral("train"));
        QVERIFY(!d.run.gitCommit.isEmpty());
        QVERIFY(d.metrics.size() >= 5);
        QVERIFY(!d.artifacts.isEmpty());
        auto *params = detail->findChild<QTableWidget *>(QStringLiteral("runParams"));
        QCOMPARE(params->rowCount(), 7);
        auto *lineage = detail->findChild<QTableWidget *>(QStringLiteral("runLineage"));
        QVERIFY(lineage->rowCount() >= 3);
        detail->showTab(QStringLiteral("output"));
        QTRY_VERIFY(detail->logView()->buffer().text().contains(
            QStringLiteral("Wrote models/churn-model.json")));
        QCOMPARE(w.tabs()->tabText(w.tabs()->currentIndex()),
                 QStringLiteral("Run %1").arg(trainIds.first()));
    }

    void brokenProjectFileShowsProblems()
    {
        QTemporaryDir dir;
        const QString root = QDir(dir.path()).canonicalPath();
        test::writeFile(root + QStringLiteral("/cairn.yaml"),
                        "name: broken\nentry_points:\n  train:\n    comand: python t.py\n");
        MainWindow w(options());
        w.show();
        QSignalSpy loaded(&w, &MainWindow::projectLoaded);
        w.openProject(root);
        QVERIFY(loaded.wait(20000));
        QCOMPARE(loaded.first().at(1).toBool(), false);
        ProblemsModel *problems = w.problems();
        QCOMPARE(problems->errorCount(), 2); // the typo, and the command it leaves missing
        const QString location =
            problems->index(0, ProblemsModel::LocationColumn).data().toString();
        QCOMPARE(location, root + QStringLiteral("/cairn.yaml:4:5"));
        QVERIFY(problems->index(0, ProblemsModel::MessageColumn)
                    .data()
                    .toString()
                    .contains(QStringLiteral("did you mean \"command\"")));
        // The project is still listed, so the user can fix the file and reload.
        QVERIFY(w.sidebarModel()->projectIndex(root).isValid());

        // Fixing the file and reloading clears the problems.
        test::writeFile(root + QStringLiteral("/cairn.yaml"),
                        "name: fixed\nentry_points:\n  train:\n    command: python t.py\n");
        QSignalSpy reloaded(&w, &MainWindow::projectLoaded);
        w.reload();
        QVERIFY(reloaded.wait(20000));
        QTRY_COMPARE(problems->errorCount(), 0);
        QCOMPARE(w.sidebarModel()->projectIndex(root).data().toString(), QStringLiteral("fixed"));
    }

    void settingsAboutAndRecent()
    {
        MainWindow w(options());
        w.show();
        QVERIFY(openAndWait(w, m_demo));
        auto action = [&](const QString &menu, const QString &text) -> QAction * {
            for (QAction *m : w.menuBar()->actions()) {
                if (m->text().remove(QLatin1Char('&')) != menu)
                    continue;
                for (QAction *a : m->menu()->actions()) {
                    if (a->text().remove(QLatin1Char('&')).startsWith(text))
                        return a;
                }
            }
            return nullptr;
        };

        // Settings: typed keys, written on OK.
        QAction *settingsAction = action(QStringLiteral("File"), QStringLiteral("Settings"));
        QVERIFY(settingsAction);
        whenModal<QDialog>([](QDialog *d) {
            QCOMPARE(d->objectName(), QStringLiteral("settingsDialog"));
            auto *theme = d->findChild<QComboBox *>(QStringLiteral("theme"));
            theme->setCurrentIndex(theme->findData(QStringLiteral("dark")));
            d->findChild<QLineEdit *>(QStringLiteral("pythonInterpreter"))
                ->setText(QStringLiteral("/usr/bin/python3"));
            auto *maxFile = d->findChild<QSpinBox *>(QStringLiteral("objectsMaxFileMB"));
            QCOMPARE(maxFile->value(), 256);
            maxFile->setValue(64);
            QCOMPARE(d->findChild<QSpinBox *>(QStringLiteral("objectsMaxTotalMB"))->value(), 2048);
            d->accept();
        });
        settingsAction->trigger();
        QCOMPARE(settings::theme.get(), QStringLiteral("dark"));
        QCOMPARE(settings::pythonInterpreter.get(), QStringLiteral("/usr/bin/python3"));
        QCOMPARE(settings::objectsMaxFileMB.get(), 64);
        settings::objectsMaxFileMB.reset();
        QVERIFY(qApp->palette().color(QPalette::Window).lightness() < 100);
        settings::theme.reset();
        settings::pythonInterpreter.reset();
        applyTheme(Theme::System);

        // About: the versions of the libraries in use.
        int libraries = 0;
        whenModal<QDialog>([&](QDialog *d) {
            QCOMPARE(d->objectName(), QStringLiteral("aboutDialog"));
            auto *table = d->findChild<QTableWidget *>(QStringLiteral("libraryVersions"));
            libraries = table->rowCount();
            for (int i = 0; i < table->rowCount(); ++i)
                QVERIFY(!table->item(i, 1)->text().isEmpty());
            d->reject();
        });
        action(QStringLiteral("Help"), QStringLiteral("About Cairn"))->trigger();
        QCOMPARE(libraries, 5); // Qt, SQLite, libgit2, yaml-cpp, QCustomPlot

        // Open Recent lists the project just opened.
        QMenu *recent = nullptr;
        for (QAction *m : w.menuBar()->actions()) {
            for (QAction *a : m->menu()->actions()) {
                if (a->menu() && a->text().contains(QStringLiteral("Recent")))
                    recent = a->menu();
            }
        }
        QVERIFY(recent);
        emit recent->aboutToShow();
        QVERIFY(!recent->actions().isEmpty());
        QVERIFY(recent->actions().first()->text().contains(m_demo));
    }

    // `cairn --project DIR --screenshot FILE` renders the window to a PNG, without a display.
    void retrainStartsThePipeline()
    {
        // The demo's drift.retrain names the retrain pipeline: the Retrain button asks for its
        // values (the batch filled in), then the six steps run in their own supervisor and the
        // Pipelines section follows them to the end.
        MainWindow w(options());
        w.show();
        QVERIFY(openAndWait(w, m_demo));
        w.openSection(Section::Drift);
        QPushButton *retrain = w.driftView()->retrainButton();
        QTRY_VERIFY_WITH_TIMEOUT(retrain->isEnabled(), 20000);
        QVERIFY2(retrain->toolTip().contains(QStringLiteral("starts the pipeline “retrain”")),
                 qPrintable(retrain->toolTip()));
        QSignalSpy launched(&w, &MainWindow::pipelineLaunched);
        QString title, data, preview;
        whenModal<LaunchDialog>([&](LaunchDialog *d) {
            title = d->windowTitle();
            data = qobject_cast<QLineEdit *>(d->field(QStringLiteral("data")))->text();
            preview = d->findChild<QLabel *>(QStringLiteral("commandPreview"))->text();
            whenModal<QMessageBox>(
                [](QMessageBox *box) {
                    box->findChild<QPushButton *>(QStringLiteral("trustButton"))->click();
                },
                20);
            d->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        });
        QTest::mouseClick(retrain, Qt::LeftButton);
        QCOMPARE(title, QStringLiteral("Start pipeline retrain"));
        QVERIFY2(data.startsWith(QStringLiteral("data/incoming/batch-")), qPrintable(data));
        QVERIFY2(preview.contains(QStringLiteral("4. gate churn-model")), qPrintable(preview));
        QVERIFY2(launched.count() == 1,
                 w.problems()->rowCount() > 0
                     ? qPrintable(w.problems()->problems().first().error.toString())
                     : "no pipeline launched");
        QCOMPARE(w.tabs()->currentWidget(), static_cast<QWidget *>(w.pipelinesView()));

        QSignalSpy ended(w.pipelinesView(), &PipelinesView::pipelineEnded);
        QVERIFY(ended.wait(120000));
        QCOMPARE(ended.first().at(0).toLongLong(), launched.first().at(0).toLongLong());
        const auto record = w.pipelinesView()->shownRecord();
        QVERIFY(record.has_value());
        QVERIFY2(ended.first().at(1).toString() == QStringLiteral("finished"),
                 qPrintable(record->error));
        QCOMPARE(w.pipelinesView()->strip()->steps().size(), 6);
        for (const auto &step : w.pipelinesView()->strip()->steps())
            QCOMPARE(step.status, pipeline::StepStatus::Finished);
        // Each step's run reached the log panes.
        for (const auto &step : record->steps)
            QVERIFY(step.runId.has_value());
        // And the registry has the staged version.
        auto db = openProjectDatabase(m_demo, Database::Mode::ReadOnly);
        QVERIFY(db);
        auto staged = registry::versionByAlias(**db, QStringLiteral("churn-model"),
                                               QStringLiteral("staging"));
        QVERIFY(staged && staged->has_value());
        QCOMPARE((*staged)->runId, record->steps.at(1).runId);
    }

    void screenshotCommand()
    {
        const QString png = m_tmp.filePath(QStringLiteral("shot.png"));
        const auto r = test::runProcess(
            test::guiPath(),
            {QStringLiteral("--project"), m_demo, QStringLiteral("--screenshot"), png}, {}, 60000,
            {QStringLiteral("QT_QPA_PLATFORM=offscreen")});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("Wrote"));
        QImage image(png);
        QCOMPARE(image.size(), QSize(1280, 800));
        // Not a blank image: many distinct colours.
        QSet<QRgb> colours;
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                colours.insert(image.pixel(x, y));
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
        const auto missing =
            test::runProcess(test::guiPath(),
                             {QStringLiteral("--project"), m_tmp.filePath(QStringLiteral("nope")),
                              QStringLiteral("--screenshot"), png},
                             {}, 60000, {QStringLiteral("QT_QPA_PLATFORM=offscreen")});
        QCOMPARE(missing.exitCode, 2);
        QVERIFY(missing.err.contains("is not a folder"));
    }
};

int main(int argc, char **argv)
{
    test::isolateUserDirs();
    QApplication app(argc, argv);
    TestMainWindow t;
    return QTest::qExec(&t, argc, argv);
}
#include "tst_mainwindow.moc"
