// The Experiments section (ui/views/dvcview.h) on a DVC project built by hand in a temporary git
// repository: three commits with params.yaml, metrics.json, a CSV plot and dvc.lock, and a
// workspace whose new learning rate makes the train stage stale.

#include "charts/qcustomplot.h"
#include "mainwindow.h"
#include "problems.h"
#include "sidebarmodel.h"
#include "testsupport.h"
#include "vcs/git.h"
#include "views/dvcexpmodel.h"
#include "views/dvcview.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QHeaderView>
#include <QLabel>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QTreeWidget>

using namespace cairn;
using namespace cairn::ui;
using namespace Qt::StringLiterals;

namespace {

// md5("a,b\n1,2\n"), md5("raw\n"), md5("MODEL1") (as in tst_dvcexp).
const QByteArray kTrainMd5 = "e5ebd4c02cefbe7955977c67ada242b7";
const QByteArray kRawMd5 = "2306b4377429730ee03a806cff76e92b";
const QByteArray kModelMd5 = "20870408b57ab6f8d1c503b63724c090";

const QByteArray kDvcYaml = R"(plots:
- loss.csv:
    x: step
    y: loss
stages:
  prepare:
    cmd: python prepare.py
    deps:
    - data/raw.txt
    outs:
    - data/train.csv
  train:
    cmd: python train.py
    deps:
    - data/train.csv
    params:
    - train.lr
    outs:
    - model.bin
    metrics:
    - metrics.json:
        cache: false
)";

QByteArray dvcLock(const QByteArray &lr)
{
    return "schema: '2.0'\nstages:\n  prepare:\n    cmd: python prepare.py\n    deps:\n"
           "    - path: data/raw.txt\n      hash: md5\n      md5: " +
           kRawMd5 +
           "\n    outs:\n    - path: data/train.csv\n      hash: md5\n      md5: " + kTrainMd5 +
           "\n  train:\n    cmd: python train.py\n    deps:\n"
           "    - path: data/train.csv\n      hash: md5\n      md5: " +
           kTrainMd5 + "\n    params:\n      params.yaml:\n        train.lr: " + lr +
           "\n    outs:\n    - path: model.bin\n      hash: md5\n      md5: " + kModelMd5 + "\n";
}

QByteArray paramsYaml(const QByteArray &lr)
{
    return "train:\n  lr: " + lr + "\n  epochs: 10\n";
}

QTreeWidgetItem *childWithText(QTreeWidgetItem *parent, int column, const QString &text)
{
    for (int i = 0; i < parent->childCount(); ++i) {
        if (parent->child(i)->text(column) == text)
            return parent->child(i);
    }
    return nullptr;
}

QTreeWidgetItem *topLevelWithText(QTreeWidget *tree, int column, const QString &text)
{
    for (int i = 0; i < tree->topLevelItemCount(); ++i) {
        if (tree->topLevelItem(i)->text(column) == text)
            return tree->topLevelItem(i);
    }
    return nullptr;
}

} // namespace

class TestDvcView : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_root;
    QStringList m_commits; // oldest first

    void write(const QString &rel, const QByteArray &bytes)
    {
        test::writeFile(QDir(m_root).filePath(rel), bytes);
    }
    void commit(const QString &message, int day)
    {
        GitSignature sig;
        sig.when = QDateTime(QDate(2026, 1, day), QTime(10, 0), QTimeZone(0));
        const auto id = gitCommitAll(m_root, message, sig);
        QVERIFY2(id, qPrintable(id ? QString() : id.error().toString()));
        m_commits << *id;
    }
    // The table row (in the view's order) of a revision.
    static int rowOf(DvcView &view, const QString &rev)
    {
        QAbstractItemModel *m = view.table()->model();
        for (int r = 0; r < m->rowCount(); ++r) {
            if (m->index(r, 0).data(DvcExpModel::RevRole).toString() == rev)
                return r;
        }
        return -1;
    }
    static QString cell(DvcView &view, const QString &rev, int column)
    {
        QAbstractItemModel *m = view.table()->model();
        return m->index(rowOf(view, rev), column).data().toString();
    }
    bool load(DvcView &view)
    {
        QSignalSpy loaded(&view, &DvcView::loaded);
        ProjectSnapshot s;
        s.root = m_root;
        s.name = u"dvc-project"_s;
        view.setSnapshot(s);
        return loaded.wait(30000) && loaded.first().first().toBool();
    }

private slots:
    void initTestCase()
    {
        test::failOnQtWarnings();
        QVERIFY(m_dir.isValid());
        m_root = QDir(m_dir.path()).canonicalPath() + u"/project"_s;
        QVERIFY(QDir().mkpath(m_root));
        QVERIFY(gitInit(m_root));
        write(u"dvc.yaml"_s, kDvcYaml);
        write(u"data/raw.txt"_s, "raw\n");
        write(u"data/train.csv"_s, "a,b\n1,2\n");
        write(u"model.bin"_s, "MODEL1");

        write(u"params.yaml"_s, paramsYaml("0.01"));
        write(u"metrics.json"_s, R"({"acc": 0.8, "loss": 0.5})");
        write(u"loss.csv"_s, "step,loss\n1,0.9\n2,0.7\n");
        write(u"dvc.lock"_s, dvcLock("0.01"));
        commit(u"baseline"_s, 2);

        write(u"params.yaml"_s, paramsYaml("0.02"));
        write(u"metrics.json"_s, R"({"acc": 0.85, "loss": 0.45})");
        write(u"loss.csv"_s, "step,loss\n1,0.9\n2,0.6\n3,0.5\n");
        write(u"dvc.lock"_s, dvcLock("0.02"));
        commit(u"lr 0.02"_s, 3);

        write(u"params.yaml"_s, paramsYaml("0.03"));
        write(u"metrics.json"_s, R"({"acc": 0.9, "loss": 0.4, "f1": 0.88})");
        write(u"loss.csv"_s, "step,loss\n1,0.8\n2,0.6\n3,0.45\n4,0.4\n");
        write(u"dvc.lock"_s, dvcLock("0.03"));
        commit(u"lr 0.03, f1"_s, 4);

        // The workspace: a new learning rate that dvc.lock has not seen: train is stale.
        write(u"params.yaml"_s, paramsYaml("0.05"));
    }

    void tableLikeExpShow()
    {
        DvcView view;
        QAbstractItemModelTester modelTester(view.model());
        QAbstractItemModelTester proxyTester(view.table()->model());
        view.resize(1200, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(load(view));

        DvcExpModel *model = view.model();
        QCOMPARE(model->rowCount(), 4); // the workspace and three commits
        QCOMPARE(view.table()->model()->rowCount(), 4);
        QVERIFY(model->rows().at(0).workspace);
        QCOMPARE(model->rows().at(1).rev, m_commits[2]);

        // The workspace differs from HEAD, and says so.
        const QString ws = cell(view, u"workspace"_s, DvcExpModel::ExperimentColumn);
        QCOMPARE(ws, u"workspace (modified)"_s);
        // HEAD shows its branch.
        const QStringList refs = model->rows().at(1).refs;
        QCOMPARE(refs.size(), 1);
        QCOMPARE(cell(view, m_commits[2], DvcExpModel::ExperimentColumn),
                 m_commits[2].left(7) + u" ("_s + refs.first() + u')');
        QCOMPARE(cell(view, m_commits[0], DvcExpModel::SummaryColumn), u"baseline"_s);

        // One metrics file: its keys are the headers; the params likewise.
        const int acc = model->columnOf(true, u"acc"_s);
        const int f1 = model->columnOf(true, u"f1"_s);
        const int lr = model->columnOf(false, u"train.lr"_s);
        QVERIFY(acc > 0 && f1 > 0 && lr > 0);
        QCOMPARE(model->headerData(acc, Qt::Horizontal, Qt::ToolTipRole).toString(),
                 u"Metric metrics.json:acc"_s);
        QCOMPARE(cell(view, m_commits[2], acc), u"0.9"_s);
        QCOMPARE(cell(view, m_commits[0], acc), u"0.8"_s);
        QCOMPARE(cell(view, m_commits[0], f1), u"-"_s); // not in that commit
        QCOMPARE(cell(view, u"workspace"_s, lr), u"0.05"_s);
        QCOMPARE(cell(view, m_commits[1], lr), u"0.02"_s);
        const QModelIndex number = view.table()->model()->index(rowOf(view, m_commits[0]), acc);
        QVERIFY(Qt::Alignment(number.data(Qt::TextAlignmentRole).toInt()) & Qt::AlignRight);

        // Sorting by a metric sorts numerically; the Experiment column restores the order.
        view.table()->sortByColumn(acc, Qt::AscendingOrder);
        QCOMPARE(view.table()->model()->index(0, 0).data(DvcExpModel::RevRole).toString(),
                 m_commits[0]);
        view.table()->sortByColumn(DvcExpModel::ExperimentColumn, Qt::AscendingOrder);
        QCOMPARE(view.table()->model()->index(0, 0).data(DvcExpModel::RevRole).toString(),
                 u"workspace"_s);

        // No file is unreadable.
        QVERIFY(view.warningLabel()->isHidden());
    }

    void stagesComparisonAndChart()
    {
        DvcView view;
        view.resize(1200, 800);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(load(view));

        // The workspace's stages against dvc.lock.
        QTreeWidgetItem *train = topLevelWithText(view.stagesTree(), 0, u"train"_s);
        QTreeWidgetItem *prepare = topLevelWithText(view.stagesTree(), 0, u"prepare"_s);
        QVERIFY(train && prepare);
        QCOMPARE(train->text(1), u"changed"_s);
        QVERIFY2(train->text(2).contains(u"param params.yaml:train.lr: modified"_s),
                 qPrintable(train->text(2)));
        QCOMPARE(prepare->text(1), u"up to date"_s);
        QVERIFY(prepare->text(2).isEmpty());

        // Nothing selected: HEAD against the workspace, as DVC does.
        QVERIFY(view.compareTitle()->text().contains(m_commits[2].left(7)));
        QVERIFY(view.compareTitle()->text().contains(u"workspace"_s));
        QTreeWidgetItem *params = view.compareTree()->topLevelItem(1);
        QVERIFY(params);
        QTreeWidgetItem *lrItem = childWithText(params, 1, u"train.lr"_s);
        QVERIFY(lrItem);
        QCOMPARE(lrItem->text(2), u"0.03"_s);
        QCOMPARE(lrItem->text(3), u"0.05"_s);

        // Two rows, selected newest first: A is the older one.
        QSignalSpy plotted(&view, &DvcView::plotted);
        view.selectRevisions({m_commits[2], m_commits[0]});
        QCOMPARE(view.table()->selectionModel()->selectedRows().size(), 2);
        QVERIFY(view.compareTitle()->text().indexOf(m_commits[0].left(7)) <
                view.compareTitle()->text().indexOf(m_commits[2].left(7)));
        QTreeWidgetItem *metrics = view.compareTree()->topLevelItem(0);
        QTreeWidgetItem *acc = childWithText(metrics, 1, u"acc"_s);
        QVERIFY(acc);
        QCOMPARE(acc->text(0), u"metrics.json"_s);
        QCOMPARE(acc->text(2), u"0.8"_s);
        QCOMPARE(acc->text(3), u"0.9"_s);
        QCOMPARE(acc->text(4), u"+0.1"_s);
        QTreeWidgetItem *loss = childWithText(metrics, 1, u"loss"_s);
        QVERIFY(loss);
        QCOMPARE(loss->text(4), u"-0.1"_s);
        QTreeWidgetItem *f1 = childWithText(metrics, 1, u"f1"_s);
        QVERIFY(f1);
        QCOMPARE(f1->text(2), u"-"_s);
        QCOMPARE(childWithText(view.compareTree()->topLevelItem(1), 1, u"train.lr"_s)->text(2),
                 u"0.01"_s);

        // The plot: one line per selected revision.
        QCOMPARE(view.plotFileBox()->currentText(), u"loss.csv"_s);
        QTRY_COMPARE_WITH_TIMEOUT(view.plot()->graphCount(), 2, 30000);
        QCOMPARE(view.plotYBox()->currentText(), u"loss"_s);
        QStringList names;
        for (int i = 0; i < view.plot()->graphCount(); ++i)
            names << view.plot()->graph(i)->name();
        QVERIFY2(names.first().startsWith(m_commits[2].left(7)), qPrintable(names.join(u',')));
        QCOMPARE(names.last(), m_commits[0].left(7));
        QCOMPARE(view.plot()->graph(0)->data()->size(), 4);
        QCOMPARE(view.plot()->graph(1)->data()->size(), 2);
        QCOMPARE(view.plot()->graph(0)->data()->at(3)->value, 0.4);
        QCOMPARE(view.plot()->xAxis->label(), u"step"_s);

        // One row: compared with the workspace.
        view.selectRevisions({m_commits[1]});
        QVERIFY(view.compareTitle()->text().contains(u"workspace"_s));
        QCOMPARE(childWithText(view.compareTree()->topLevelItem(1), 1, u"train.lr"_s)->text(2),
                 u"0.02"_s);
        QTRY_COMPARE_WITH_TIMEOUT(view.plot()->graphCount(), 1, 30000);

        // Fewer commits.
        QSignalSpy loaded(&view, &DvcView::loaded);
        view.commitsBox()->setValue(1);
        QVERIFY(loaded.wait(30000));
        QCOMPARE(view.model()->rowCount(), 2);
        // The selected commit is no longer read: nothing is selected.
        QVERIFY(view.table()->selectionModel()->selectedRows().isEmpty());
        view.allCommitsBox()->setChecked(true);
        QVERIFY(loaded.wait(30000));
        QCOMPARE(view.model()->rowCount(), 4);
    }

    void unreadableMetricsIsAWarning()
    {
        write(u"metrics.json"_s, "{\"acc\": 0.9,\n  \"loss\": oops}\n");
        DvcView view;
        QSignalSpy warnings(&view, &DvcView::warningsChanged);
        view.show();
        QVERIFY(load(view));
        QVERIFY(view.warningLabel()->isVisible());
        QVERIFY2(view.warningLabel()->text().contains(u"workspace:metrics.json:2:"_s) ||
                     view.warningLabel()->text().contains(u"metrics.json:2:11"_s),
                 qPrintable(view.warningLabel()->text()));
        QVERIFY(!warnings.isEmpty());
        QCOMPARE(warnings.last().first().value<Errors>().size(), 1);
        write(u"metrics.json"_s, R"({"acc": 0.9, "loss": 0.4, "f1": 0.88})");
    }

    void sectionInMainWindow()
    {
        MainWindow::Options o;
        o.projectListPath = m_dir.filePath(u"projects.db"_s);
        o.restoreLayout = false;
        MainWindow w(o);
        w.resize(1300, 850);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QSignalSpy opened(&w, &MainWindow::projectLoaded);
        w.openProject(m_root);
        QVERIFY(opened.wait(30000));
        const QModelIndex section = w.sidebarModel()->sectionIndex(m_root, Section::Experiments);
        QVERIFY(section.isValid());
        QCOMPARE(section.data().toString(), u"Experiments"_s);

        // Read when the section opens; a file that cannot be read is listed in Problems.
        write(u"metrics.json"_s, "{\"acc\": 0.9,\n  \"loss\": oops}\n");
        QSignalSpy loaded(w.dvcView(), &DvcView::loaded);
        w.openSection(Section::Experiments, m_commits[0].left(7) + u',' + m_commits[2]);
        QCOMPARE(w.tabs()->currentWidget(), w.dvcView());
        QCOMPARE(w.tabs()->tabText(w.tabs()->currentIndex()), u"Experiments"_s);
        QVERIFY(loaded.wait(30000));
        write(u"metrics.json"_s, R"({"acc": 0.9, "loss": 0.4, "f1": 0.88})");
        QCOMPARE(w.dvcView()->model()->rowCount(), 4);
        // The rows named when opening are selected once read.
        QCOMPARE(w.dvcView()->table()->selectionModel()->selectedRows().size(), 2);
        QVERIFY(w.dvcView()->compareTitle()->text().contains(m_commits[0].left(7)));
        bool listed = false;
        for (const ProblemsModel::Problem &p : w.problems()->problems()) {
            listed = listed || (p.severity == ProblemsModel::Severity::Warning &&
                                p.error.file == u"metrics.json"_s && p.error.line == 2);
        }
        QVERIFY(listed);
    }
};

int main(int argc, char **argv)
{
    test::isolateUserDirs();
    QApplication app(argc, argv);
    TestDvcView t;
    return QTest::qExec(&t, argc, argv);
}

#include "tst_dvcview.moc"
