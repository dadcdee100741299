// The item models of the shell, each under QAbstractItemModelTester.

#include "problems.h"
#include "sidebarmodel.h"
#include "testsupport.h"
#include "views/runsmodel.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;
using namespace cairn::ui;

static ProjectSnapshot snapshotOf(const QString &root, const QByteArray &yaml)
{
    test::writeFile(root + QStringLiteral("/cairn.yaml"), yaml);
    return loadSnapshot(root);
}

class TestModels : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { test::failOnQtWarnings(); }

    void sidebar()
    {
        QTemporaryDir a, b;
        SidebarModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setProjects({TrackedProject{a.path(), QStringLiteral("A"), {}, {}, false},
                           TrackedProject{b.path(), QStringLiteral("B"), {}, {}, false}});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.rowCount(model.index(0, 0)), 0); // not loaded yet

        const auto snap = snapshotOf(QDir(a.path()).canonicalPath(),
                                     "name: alpha\nentry_points:\n  train: echo\n  test: echo\n"
                                     "datasets:\n  d: x.csv\nmodels:\n  m: m.bin\n");
        model.setSnapshot(snap);
        model.setCurrentProject(snap.root);
        const QModelIndex p = model.projectIndex(snap.root);
        QVERIFY(p.isValid());
        QCOMPARE(p.data().toString(), QStringLiteral("alpha"));
        QVERIFY(p.data(SidebarModel::CurrentRole).toBool());
        QCOMPARE(model.rowCount(p), 7);
        QStringList sections;
        for (int i = 0; i < model.rowCount(p); ++i)
            sections << model.index(i, 0, p).data().toString();
        QCOMPARE(sections, (QStringList{"Runs (0)", "Datasets (1)", "Models (1)", "Versions",
                                        "Diff", "Drift", "Entry points (2)"}));
        const QModelIndex eps = model.sectionIndex(snap.root, Section::EntryPoints);
        QCOMPARE(model.rowCount(eps), 2);
        QCOMPARE(model.index(1, 0, eps).data(SidebarModel::ItemNameRole).toString(),
                 QStringLiteral("test"));
        QCOMPARE(model.index(1, 0, eps).parent(), eps);

        // Reloading replaces the children; a broken file leaves the sections with counts of 0.
        model.setSnapshot(snapshotOf(snap.root, "name: alpha\nentry_points: [oops]\n"));
        QCOMPARE(model.rowCount(model.sectionIndex(snap.root, Section::EntryPoints)), 0);
        QVERIFY(!model.projectIndex(snap.root).data(Qt::ToolTipRole).toString().isEmpty());

        model.removeProject(snap.root);
        QCOMPARE(model.rowCount(), 1);
    }

    void problems()
    {
        ProblemsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.add(ProblemsModel::Severity::Error,
                  Error(QStringLiteral("bad"), QStringLiteral("/p/cairn.yaml"), 3, 4),
                  QStringLiteral("/p"));
        model.add(ProblemsModel::Severity::Warning, Error(QStringLiteral("meh")),
                  QStringLiteral("/q"));
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.errorCount(), 1);
        QCOMPARE(model.index(0, ProblemsModel::LocationColumn).data().toString(),
                 QStringLiteral("/p/cairn.yaml:3:4"));
        QCOMPARE(model.index(0, ProblemsModel::MessageColumn).data(ProblemsModel::LineRole).toInt(),
                 3);
        model.clearSource(QStringLiteral("/p"));
        QCOMPARE(model.rowCount(), 1);
        model.clear();
        QCOMPARE(model.rowCount(), 0);
    }

    void runs()
    {
        RunsModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        RunRecord a;
        a.id = 1;
        a.entryPoint = QStringLiteral("train");
        a.status = RunStatus::Finished;
        a.created = QDateTime::currentDateTime().addSecs(-100);
        a.started = a.created;
        a.ended = a.started.addSecs(75);
        a.exitCode = 0;
        RunRecord b = a;
        b.id = 2;
        b.status = RunStatus::Failed;
        b.exitCode.reset();
        b.exitSignal = 9;
        model.setRuns({a, b});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, RunsModel::DurationColumn).data().toString(),
                 QStringLiteral("1 min 15 s"));
        QCOMPARE(model.index(1, RunsModel::ExitColumn).data().toString(),
                 QStringLiteral("signal 9"));
        QCOMPARE(model.index(1, RunsModel::StatusColumn).data().toString(),
                 QStringLiteral("failed"));
        QCOMPARE(model.run(2)->exitSignal, 9);
        QCOMPARE(formatDuration(450), QStringLiteral("450 ms"));
        QCOMPARE(formatDuration(7'320'000), QStringLiteral("2 h 2 min"));
    }
};

QTEST_MAIN(TestModels)
#include "tst_models.moc"
