// The validation, registry and pipeline views on the demo project, driven through their widgets:
// a batch that breaks its checks shows red rules with the offending rows; the retrain pipeline
// run end to end shows six green steps, a failing one stops with the reason and grey steps; the
// registry shows the staged version with its alias chip, refuses to promote a version whose gate
// fails until a reason is typed into the override dialog, and records that reason.

#include "demo/demoproject.h"
#include "pipeline/pipeline.h"
#include "project/projectfile.h"
#include "project/snapshot.h"
#include "registry/registry.h"
#include "runs/launcher.h"
#include "runs/supervisor.h"
#include "store/projectdb.h"
#include "testsupport.h"
#include "views/datasetsview.h"
#include "views/gatereportview.h"
#include "views/modelsview.h"
#include "views/pipelinestrip.h"
#include "views/pipelinesview.h"
#include "views/validationpanel.h"

#include <QApplication>
#include <QDialog>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

using namespace cairn;
using namespace cairn::ui;

class TestRegistryView : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_root;
    std::shared_ptr<const Project> m_project;

    std::unique_ptr<Database> db()
    {
        auto d = openProjectDatabase(m_root);
        if (!d)
            qFatal("%s", qPrintable(d.error().toString()));
        return std::move(*d);
    }

    // Runs pipeline `retrain` on `data` in this process; returns its record.
    pipeline::PipelineRunRecord runRetrain(const QString &data)
    {
        auto d = db();
        auto prepared =
            pipeline::preparePipeline(*m_project, *d, QStringLiteral("retrain"), {{"data", data}});
        if (!prepared)
            qFatal("%s", qPrintable(prepared.error().first().toString()));
        d.reset();
        auto done = pipeline::runPipeline(m_root, prepared->id);
        if (!done)
            qFatal("%s", qPrintable(done.error().toString()));
        return *done;
    }

    // A batch with one age out of range and one unknown contract, in its 600th data row.
    void writeBrokenBatch()
    {
        const QByteArray good = test::readFile(m_root + "/data/incoming/batch-06.csv");
        QList<QByteArray> lines = good.split('\n');
        QByteArray out = lines.first() + '\n';
        for (int i = 1; i < 600; ++i)
            out += lines.at(i) + '\n';
        out += "C999001,150,5,69.10,,2,weekly,card,south,true,1\n";
        test::writeFile(m_root + "/data/incoming/batch-07.csv", out);
    }

    static QTreeWidgetItem *ruleRow(QTreeWidget *tree, const QString &rule, const QString &column)
    {
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            QTreeWidgetItem *it = tree->topLevelItem(i);
            if (it->text(0) == rule && it->text(1) == column)
                return it;
        }
        return nullptr;
    }

private slots:
    void initTestCase()
    {
        test::isolateUserDirs();
        QVERIFY(m_tmp.isValid());
        m_root = m_tmp.filePath(QStringLiteral("demo"));
        auto written = writeDemoProject(m_root);
        QVERIFY2(written, written ? "" : qPrintable(written.error().toString()));
        auto project = loadProject(m_root);
        QVERIFY(project);
        m_project = std::make_shared<const Project>(*project);
        writeBrokenBatch();
    }

    void validationPanelShowsEachRule()
    {
        ValidationPanel panel;
        panel.setProject(m_project);
        panel.setTarget(QStringLiteral("data/incoming/batch-06.csv"));
        QSignalSpy finished(&panel, &ValidationPanel::finished);
        panel.validate();
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.first().first().toBool(), true);
        QCOMPARE(panel.results()->topLevelItemCount(), 11);
        QVERIFY2(panel.summary()->text().contains("All 11 rule(s) passed"),
                 qPrintable(panel.summary()->text()));

        panel.setTarget(QStringLiteral("data/incoming/batch-07.csv"));
        QCOMPARE(panel.results()->topLevelItemCount(), 0);
        panel.validate();
        QVERIFY(finished.wait(60000));
        QCOMPARE(finished.last().first().toBool(), false);
        QVERIFY2(panel.summary()->text().contains("2 of 11 rule(s) failed"),
                 qPrintable(panel.summary()->text()));
        QTreeWidgetItem *age = ruleRow(panel.results(), "range", "age");
        QVERIFY(age);
        QCOMPARE(age->text(2), QStringLiteral("1"));
        QCOMPARE(age->childCount(), 1);
        QCOMPARE(age->child(0)->text(0), QStringLiteral("row 600"));
        QCOMPARE(age->child(0)->text(3), QStringLiteral("150"));
        QTreeWidgetItem *contract = ruleRow(panel.results(), "allowed", "contract");
        QVERIFY(contract);
        QCOMPARE(contract->child(0)->text(3), QStringLiteral("weekly"));
        QTreeWidgetItem *rows = ruleRow(panel.results(), "rows", "");
        QVERIFY(rows);
        QCOMPARE(rows->childCount(), 0);

        // A dataset with several files cannot be validated as a whole: the reason is shown.
        panel.setTarget(QStringLiteral("incoming"));
        panel.validate();
        QVERIFY(finished.wait(60000));
        QVERIFY2(panel.summary()->text().contains("Cannot validate incoming"),
                 qPrintable(panel.summary()->text()));
    }

    void datasetsViewKeepsItsValidationOverAReload()
    {
        // A run ending reloads the project: the selected file and its report stay.
        DatasetsView view;
        view.setSnapshot(loadSnapshot(m_root));
        view.selectEntry(QStringLiteral("data/incoming/batch-07.csv"));
        QSignalSpy finished(view.validation(), &ValidationPanel::finished);
        view.validation()->validate();
        QVERIFY(finished.wait(60000));
        QCOMPARE(view.validation()->results()->topLevelItemCount(), 11);
        view.setSnapshot(loadSnapshot(m_root));
        QCOMPARE(view.validation()->results()->topLevelItemCount(), 11);
        QVERIFY(view.validation()->summary()->text().contains("2 of 11 rule(s) failed"));
        QCOMPARE(view.tree()->currentItem()->text(0), QStringLiteral("data/incoming/batch-07.csv"));
        // Another file selected: a new target, nothing validated yet.
        view.selectEntry(QStringLiteral("data/reference.csv"));
        QCOMPARE(view.validation()->results()->topLevelItemCount(), 0);
    }

    void pipelineStripShowsEveryStep()
    {
        const auto failed = runRetrain(QStringLiteral("data/incoming/batch-07.csv"));
        QCOMPARE(failed.status, QStringLiteral("failed"));
        const auto done = runRetrain(QStringLiteral("data/incoming/batch-06.csv"));
        QVERIFY2(done.status == QStringLiteral("finished"), qPrintable(done.error));

        PipelinesView view;
        QSignalSpy refreshed(&view, &PipelinesView::refreshed);
        view.setSnapshot(loadSnapshot(m_root));
        QVERIFY(refreshed.wait(30000));
        QCOMPARE(view.pipelinesTree()->topLevelItemCount(), 1);
        QCOMPARE(view.runsTree()->topLevelItemCount(), 2);
        // The newest run is shown first: every step finished, each with its run.
        QCOMPARE(view.shownRun(), done.id);
        const QList<pipeline::StepRecord> steps = view.strip()->steps();
        QCOMPARE(steps.size(), 6);
        for (const pipeline::StepRecord &s : steps) {
            QCOMPARE(s.status, pipeline::StepStatus::Finished);
            QVERIFY(s.runId.has_value());
        }
        QCOMPARE(steps.at(5).name, QStringLiteral("promote churn-model \u2192 staging"));
        QVERIFY(view.detail()->text().contains("Every step finished"));

        // The failed run: its first step red, the rest skipped, and why in the detail.
        view.runsTree()->setCurrentItem(view.runsTree()->topLevelItem(1));
        QCOMPARE(view.shownRun(), failed.id);
        const QList<pipeline::StepRecord> stopped = view.strip()->steps();
        QCOMPARE(stopped.at(0).status, pipeline::StepStatus::Failed);
        for (int i = 1; i < stopped.size(); ++i)
            QCOMPARE(stopped.at(i).status, pipeline::StepStatus::Skipped);
        QVERIFY2(view.detail()->text().contains("step 1 (validate data/incoming/batch-07.csv)"),
                 qPrintable(view.detail()->text()));
        QCOMPARE(view.runsTree()->topLevelItem(1)->text(2), QStringLiteral("failed"));

        // Clicking a step with a run asks to open it.
        QSignalSpy open(&view, &PipelinesView::openRunRequested);
        view.resize(1200, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QPoint firstChip(view.strip()->width() / 12, view.strip()->height() / 2);
        QTest::mouseClick(view.strip(), Qt::LeftButton, {}, firstChip);
        QCOMPARE(open.size(), 1);
        QCOMPARE(open.first().first().toLongLong(), *stopped.at(0).runId);
    }

    void registryRefusesThenRecordsTheOverride()
    {
        // The pipeline above registered version 1 and staged it.
        ModelsView view;
        QSignalSpy refreshed(&view, &ModelsView::refreshed);
        view.setSnapshot(loadSnapshot(m_root));
        QVERIFY(refreshed.wait(30000));
        QCOMPARE(view.versions()->topLevelItemCount(), 1);
        QTreeWidgetItem *v1 = view.versions()->topLevelItem(0);
        QCOMPARE(v1->text(0), QStringLiteral("v1"));
        QCOMPARE(v1->data(1, Qt::UserRole + 10).toStringList(), QStringList{"staging"});
        QCOMPARE(v1->text(4), QStringLiteral("passed"));

        // A training nobody scored: its gate fails (validate.auc has no value).
        qint64 runId = 0;
        {
            auto d = db();
            LaunchRequest request;
            request.entryPoint = QStringLiteral("train");
            request.values = {{"epochs", "2"}};
            auto prepared = prepareRun(*m_project, *d, request);
            QVERIFY(prepared);
            runId = prepared->record.id;
        }
        auto ran = superviseRun(m_root, runId);
        QVERIFY(ran);
        QCOMPARE(ran->status, RunStatus::Finished);
        QSignalSpy changed(&view, &ModelsView::registryChanged);
        view.registerRun(runId);
        QVERIFY(changed.wait(60000));
        QVERIFY(refreshed.wait(30000));
        QCOMPARE(view.versions()->topLevelItemCount(), 2);
        QCOMPARE(view.versions()->currentItem()->text(0), QStringLiteral("v2"));
        QCOMPARE(view.versions()->currentItem()->text(4), QStringLiteral("failed"));
        QVERIFY(view.gateReport()->topLevelItemCount() > 0);

        // Promote: the gate fails, the dialog asks for a reason; cancelled, nothing moves.
        auto answer = [](bool go) {
            QTimer::singleShot(0, [go] {
                auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget());
                if (!dialog || dialog->objectName() != QStringLiteral("overrideDialog")) {
                    if (dialog)
                        dialog->reject();
                    return;
                }
                if (!go) {
                    dialog->reject();
                    return;
                }
                auto *reason = dialog->findChild<QPlainTextEdit *>("overrideReason");
                auto *button = dialog->findChild<QPushButton *>("overrideButton");
                QVERIFY(!button->isEnabled());
                reason->setPlainText(QStringLiteral("Hotfix while v1 is investigated"));
                QVERIFY(button->isEnabled());
                button->click();
            });
        };
        bool dialogSeen = false;
        // The dialog opens after the gate is evaluated on the thread pool; the timer that finds
        // it answers it, so seeing it and answering it cannot race.
        auto promoteAnswering = [&](bool go) {
            QTimer *watch = new QTimer(&view);
            connect(watch, &QTimer::timeout, [watch, go, answer, &dialogSeen] {
                if (auto *w = QApplication::activeModalWidget();
                    w && w->objectName() == QStringLiteral("overrideDialog")) {
                    dialogSeen = true;
                    watch->stop();
                    watch->deleteLater();
                    answer(go);
                }
            });
            watch->start(10);
            view.promoteSelected(QStringLiteral("production"));
        };
        promoteAnswering(false);
        QTRY_VERIFY_WITH_TIMEOUT(!view.busy() && dialogSeen, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(view.status()->text().contains("Promotion refused"), 30000);
        {
            auto d = db();
            auto prod = registry::versionByAlias(*d, QStringLiteral("churn-model"),
                                                 QStringLiteral("production"));
            QVERIFY(prod);
            QVERIFY(!prod->has_value());
        }

        // Again, with a reason: production moves to v2, and the history keeps the reason.
        dialogSeen = false;
        promoteAnswering(true);
        QVERIFY(changed.wait(60000));
        QVERIFY(dialogSeen);
        QTRY_VERIFY_WITH_TIMEOUT(
            view.versions()->currentItem() &&
                view.versions()->currentItem()->data(1, Qt::UserRole + 10).toStringList() ==
                    QStringList{"production"},
            30000);
        QVERIFY2(view.status()->text().contains("past its failed gate"),
                 qPrintable(view.status()->text()));
        QTreeWidget *history = view.historyTree();
        QVERIFY(history->topLevelItemCount() >= 4);
        QCOMPARE(history->topLevelItem(0)->text(1), QStringLiteral("production \u2192 v2"));
        QCOMPARE(history->topLevelItem(0)->text(2), QStringLiteral("overridden"));
        QCOMPARE(history->topLevelItem(0)->text(3),
                 QStringLiteral("Hotfix while v1 is investigated"));

        // Archive v2: it loses production, and the history says so.
        view.archiveSelected();
        QVERIFY(changed.wait(60000));
        QTRY_VERIFY_WITH_TIMEOUT(
            view.versions()->currentItem() &&
                view.versions()->currentItem()->data(1, Qt::UserRole + 10).toStringList() ==
                    QStringList{"archived"},
            30000);
    }
};

QTEST_MAIN(TestRegistryView)
#include "tst_registryview.moc"
