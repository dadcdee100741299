// The versions and diff views, driven as a user drives them on the demo project: the refresh
// commit of the reference extract compared with and without its key (counts, colours, old → new
// cells, the changed-rows filter, schema and statistics panels), two safetensors files compared
// tensor by tensor (figures, sorting, filter), errors and Cancel, and the versions timeline
// after two training runs opening its versions in the diff view.

#include "charts/versiontimeline.h"
#include "demo/demoproject.h"
#include "diff/safetensors.h"
#include "mainwindow.h"
#include "project/snapshot.h"
#include "testsupport.h"
#include "theme.h"
#include "views/diffrowsmodel.h"
#include "views/diffview.h"
#include "views/tensortablemodel.h"
#include "views/versionsview.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QTreeWidget>

#include <cmath>
#include <cstring>

using namespace cairn;
using namespace cairn::ui;
using namespace Qt::StringLiterals;

namespace {

constexpr int kTimeout = 120000;

bool compareAndWait(DiffView &view)
{
    QSignalSpy done(&view, &DiffView::comparisonFinished);
    view.compare();
    if (!done.wait(kTimeout))
        return false;
    return done.first().first().toBool();
}

// A safetensors file of F32 tensors (name -> values, each a vector).
QByteArray safetensors(const QList<QPair<QString, QList<float>>> &tensors)
{
    QJsonObject header;
    QByteArray data;
    for (const auto &[name, values] : tensors) {
        const qint64 begin = data.size();
        for (float v : values)
            data.append(reinterpret_cast<const char *>(&v), sizeof v);
        header.insert(name, QJsonObject{{u"dtype"_s, u"F32"_s},
                                        {u"shape"_s, QJsonArray{qint64(values.size())}},
                                        {u"data_offsets"_s, QJsonArray{begin, data.size()}}});
    }
    QByteArray json = QJsonDocument(header).toJson(QJsonDocument::Compact);
    while (json.size() % 8)
        json.append(' ');
    QByteArray out(8, '\0');
    const quint64 n = quint64(json.size());
    std::memcpy(out.data(), &n, 8);
    return out + json + data;
}

// Shows the project and waits until the view knows its declared files and versions.
bool openProject(DiffView &view, const QString &dir)
{
    QSignalSpy loaded(&view, &DiffView::versionsLoaded);
    view.setSnapshot(loadSnapshot(dir));
    return loaded.wait(kTimeout);
}

// The field `column` of the record whose first field is `key`, in CSV text without quotes.
QByteArray csvField(const QByteArray &csv, const QByteArray &key, const QByteArray &column)
{
    const QList<QByteArray> lines = csv.split('\n');
    const qsizetype c = lines.first().trimmed().split(',').indexOf(column);
    for (const QByteArray &line : lines)
        if (line.startsWith(QByteArray(key + ',')))
            return line.trimmed().split(',').value(c);
    return {};
}

int findRow(QAbstractItemModel *model, int column, const QString &text)
{
    for (int r = 0; r < model->rowCount(); ++r)
        if (model->index(r, column).data().toString() == text)
            return r;
    return -1;
}

} // namespace

class TestDiffView : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_demo;

private slots:
    void initTestCase()
    {
        test::failOnQtWarnings();
        QVERIFY(m_dir.isValid());
        m_demo = m_dir.filePath(u"demo"_s);
        auto written = writeDemoProject(m_demo);
        QVERIFY2(written, qPrintable(written ? QString() : written.error().toString()));
    }

    // The demo's refresh commit: 25 test accounts dropped, 120 total_charges corrected, 1,000
    // customers added (the counts tst_cli checks with cairn-cli).
    void tableDiffWithDeclaredKey()
    {
        DiffView view;
        view.resize(1200, 800);
        view.show();
        QVERIFY(openProject(view, m_demo));
        view.setSides(u"data/reference.csv@HEAD~2"_s, u"data/reference.csv"_s);
        // The dataset declares its key; the view takes it.
        QCOMPARE(view.findChild<QLineEdit *>(u"diffKeys"_s)->text(), u"customer_id"_s);
        QVERIFY(compareAndWait(view));
        const QString summary = view.summaryLabel()->text();
        QVERIFY2(summary.contains(u"25 removed"_s) && summary.contains(u"120 modified"_s) &&
                     summary.contains(u"1,000 added"_s) && summary.contains(u"2,855 unchanged"_s),
                 qPrintable(summary));
        QVERIFY(summary.contains(u"data/reference.csv at HEAD~2"_s));

        QAbstractItemModel *rows = view.rowTable()->model();
        QAbstractItemModelTester tester(rows,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(rows->rowCount(), 25 + 120 + 1000);
        const int totalCharges = [&] {
            for (int c = 0; c < rows->columnCount(); ++c)
                if (rows->headerData(c, Qt::Horizontal).toString() == u"total_charges"_s)
                    return c;
            return -1;
        }();
        QVERIFY(totalCharges > 0);
        int modified = 0, added = 0, removed = 0;
        for (int r = 0; r < rows->rowCount(); ++r) {
            const QString kind = rows->index(r, 0).data(DiffRowsModel::RowKindRole).toString();
            const QModelIndex cell = rows->index(r, totalCharges);
            if (kind == u"modified"_s) {
                ++modified;
                QCOMPARE(rows->index(r, 0).data().toString(), u"→"_s);
                // Only total_charges was corrected: it shows old → new, amber.
                QVERIFY(cell.data(DiffRowsModel::CellChangedRole).toBool());
                const QStringList parts = cell.data().toString().split(u" → "_s);
                QCOMPARE(parts.size(), 2);
                QVERIFY(parts[0] != parts[1]);
                QCOMPARE(cell.data(Qt::BackgroundRole).value<QBrush>().color(),
                         diffColor(DiffColor::Changed));
                QVERIFY(!rows->index(r, totalCharges - 1)
                             .data(DiffRowsModel::CellChangedRole)
                             .toBool());
            } else if (kind == u"added"_s) {
                ++added;
                QCOMPARE(rows->index(r, 0).data().toString(), u"+++"_s);
                QCOMPARE(cell.data(Qt::BackgroundRole).value<QBrush>().color(),
                         diffColor(DiffColor::Added));
            } else {
                QCOMPARE(kind, u"removed"_s);
                ++removed;
                QVERIFY(rows->index(r, 1).data().toString().startsWith(u"TEST-"_s));
                QVERIFY(rows->headerData(r, Qt::Vertical).toString().startsWith(u"a "_s));
            }
        }
        QCOMPARE(modified, 120);
        // One corrected customer, against the two files' own text.
        const auto oldCsv =
            test::runProcess(u"git"_s, {u"show"_s, u"HEAD~2:data/reference.csv"_s}, m_demo);
        const QByteArray newCsv = test::readFile(m_demo + u"/data/reference.csv"_s);
        const int c100013 = findRow(rows, 1, u"C100013"_s);
        QVERIFY(c100013 >= 0);
        const QString shown = rows->index(c100013, totalCharges).data().toString();
        const QByteArray oldTc = csvField(oldCsv.out, "C100013", "total_charges");
        const QByteArray newTc = csvField(newCsv, "C100013", "total_charges");
        QVERIFY(!oldTc.isEmpty() && !newTc.isEmpty() && oldTc != newTc);
        QCOMPARE(shown.split(u" → "_s).value(0).toDouble(), oldTc.toDouble());
        QCOMPARE(shown.split(u" → "_s).value(1).toDouble(), newTc.toDouble());
        QCOMPARE(added, 1000);
        QCOMPARE(removed, 25);

        // All rows: the unchanged ones too, in the new file's order.
        view.changedRowsOnly()->setChecked(false);
        QCOMPARE(rows->rowCount(), 4000);
        QCOMPARE(rows->headerData(0, Qt::Vertical).toString(), u"1"_s);

        // Schema: the same ten columns, customer_id the key; statistics show the change of
        // total_charges (its mean moved) and none for age.
        QCOMPARE(view.schemaTree()->topLevelItemCount(), rows->columnCount() - 1);
        QCOMPARE(view.schemaTree()->topLevelItem(0)->text(1), u"key"_s);
        const auto stats = view.statisticsTree();
        QTreeWidgetItem *tc = nullptr;
        QTreeWidgetItem *age = nullptr;
        for (int i = 0; i < stats->topLevelItemCount(); ++i) {
            if (stats->topLevelItem(i)->text(0) == u"total_charges"_s)
                tc = stats->topLevelItem(i);
            if (stats->topLevelItem(i)->text(0) == u"age"_s)
                age = stats->topLevelItem(i);
        }
        QVERIFY(tc && age);
        QVERIFY(tc->text(5).contains(u"→"_s)); // mean
        // Values present in each version, counted here from the files' text.
        auto agesPresent = [](const QByteArray &csv) {
            const QList<QByteArray> lines = csv.trimmed().split('\n');
            const int column = int(lines.first().trimmed().split(',').indexOf("age"));
            qint64 n = 0;
            for (qsizetype i = 1; i < lines.size(); ++i)
                n += lines[i].trimmed().split(',').value(column).isEmpty() ? 0 : 1;
            return n;
        };
        const auto old =
            test::runProcess(u"git"_s, {u"show"_s, u"HEAD~2:data/reference.csv"_s}, m_demo);
        QCOMPARE(old.exitCode, 0);
        const qint64 before = agesPresent(old.out);
        const qint64 after = agesPresent(test::readFile(m_demo + u"/data/reference.csv"_s));
        QVERIFY(before != after);
        QCOMPARE(age->text(1), QLocale().toString(before) + u" → "_s + QLocale().toString(after));
    }

    // Without a key the rows are paired by content: the same counts, no false pairing.
    void tableDiffWithoutKey()
    {
        DiffView view;
        QVERIFY(openProject(view, m_demo));
        view.setSides(u"data/reference.csv@HEAD~2"_s, u"data/reference.csv"_s);
        view.setKeys({});
        QVERIFY(compareAndWait(view));
        const QString summary = view.summaryLabel()->text();
        QVERIFY2(summary.contains(u"25 removed"_s) && summary.contains(u"120 modified"_s) &&
                     summary.contains(u"1,000 added"_s) && summary.contains(u"paired by content"_s),
                 qPrintable(summary));
    }

    // A second comparison starts clean: the first one's key does not carry over to other files,
    // and a failed comparison does not leave the previous result on screen.
    void secondComparisonStartsClean()
    {
        test::writeFile(m_dir.filePath(u"p-a.csv"_s), "x,y\n1,a\n2,b\n");
        test::writeFile(m_dir.filePath(u"p-b.csv"_s), "x,y\n1,a\n3,c\n");
        DiffView view;
        QVERIFY(openProject(view, m_demo));
        view.setSides(u"data/reference.csv@HEAD~2"_s, u"data/reference.csv"_s);
        QVERIFY(compareAndWait(view));
        QCOMPARE(view.rowTable()->model()->rowCount(), 1145);
        view.setSides(m_dir.filePath(u"p-a.csv"_s), m_dir.filePath(u"p-b.csv"_s));
        QCOMPARE(view.findChild<QLineEdit *>(u"diffKeys"_s)->text(), QString());
        QVERIFY(compareAndWait(view));
        // (2, b) and (3, c) share no value: one removed and one added row, not a modified one.
        QCOMPARE(view.rowTable()->model()->rowCount(), 2);
        view.setSides(m_dir.filePath(u"p-a.csv"_s), m_dir.filePath(u"missing.csv"_s));
        QVERIFY(!compareAndWait(view));
        QCOMPARE(view.rowTable()->model()->rowCount(), 0);
        QVERIFY(view.summaryLabel()->text().isEmpty());
    }

    void errorsAreShownNotThrown()
    {
        DiffView view;
        QVERIFY(openProject(view, m_demo));
        view.setSides(u"data/reference.csv@no-such-branch"_s, u"data/reference.csv"_s);
        QVERIFY(!compareAndWait(view));
        auto *error = view.findChild<QLabel *>(u"diffError"_s);
        QVERIFY(!error->isHidden());
        QVERIFY2(error->text().contains(u"no-such-branch"_s), qPrintable(error->text()));
        // A key the file lacks names it.
        view.setSides(u"data/reference.csv@HEAD~2"_s, u"data/reference.csv"_s);
        view.setKeys({u"nope"_s});
        QVERIFY(!compareAndWait(view));
        QVERIFY2(error->text().contains(u"nope"_s), qPrintable(error->text()));
    }

    void cancelStopsTheJob()
    {
        // Large enough that reading takes a while even on a fast machine.
        QByteArray big = "id,x,y\n";
        for (int i = 0; i < 400000; ++i)
            big += QByteArray::number(i) + ',' + QByteArray::number(i * 0.5) + ",abc\n";
        test::writeFile(m_dir.filePath(u"big-a.csv"_s), big);
        test::writeFile(m_dir.filePath(u"big-b.csv"_s), big);
        DiffView view;
        QVERIFY(openProject(view, m_demo));
        view.setSides(m_dir.filePath(u"big-a.csv"_s), m_dir.filePath(u"big-b.csv"_s));
        QSignalSpy done(&view, &DiffView::comparisonFinished);
        view.compare();
        QVERIFY(view.isBusy());
        QVERIFY(view.cancelButton()->isVisibleTo(&view));
        view.cancel();
        QCOMPARE(done.count(), 1);
        QCOMPARE(done.first().first().toBool(), false);
        QVERIFY(!view.isBusy());
        QVERIFY(view.findChild<QLabel *>(u"diffError"_s)->text().contains(u"Cancelled"_s));
        // The cancelled job's result never arrives, even once the job has ended.
        QVERIFY(QThreadPool::globalInstance()->waitForDone(kTimeout));
        QCoreApplication::processEvents();
        QCOMPARE(done.count(), 1);
        QVERIFY(view.summaryLabel()->text().isEmpty());
    }

    void modelDiffTensorTable()
    {
        const QString a = m_dir.filePath(u"a.safetensors"_s);
        const QString b = m_dir.filePath(u"b.safetensors"_s);
        test::writeFile(a, safetensors({{u"w"_s, {3, 4}}, {u"same"_s, {1, 2, 3}}}));
        test::writeFile(b,
                        safetensors({{u"w"_s, {3, 5}}, {u"same"_s, {1, 2, 3}}, {u"extra"_s, {7}}}));
        DiffView view;
        QVERIFY(openProject(view, m_demo));
        view.setSides(a, b);
        QCOMPARE(view.findChild<QComboBox *>(u"diffKind"_s)->currentText(), u"Model"_s);
        QVERIFY(compareAndWait(view));
        QAbstractItemModel *t = view.tensorTable()->model();
        QCOMPARE(t->rowCount(), 3);
        // Sorted by relative change, largest first: w changed by ‖(0,1)‖ / ‖(3,4)‖ = 0.2.
        QCOMPARE(t->index(0, TensorTableModel::Name).data().toString(), u"w"_s);
        QCOMPARE(t->index(0, TensorTableModel::Status).data().toString(), u"changed"_s);
        QCOMPARE(t->index(0, TensorTableModel::RelL2).data().toString(), u"0.2"_s);
        QCOMPARE(t->index(0, TensorTableModel::MaxAbsDiff).data().toString(), u"1"_s);
        const double cosine = (9.0 + 20.0) / (5.0 * std::sqrt(34.0));
        QCOMPARE(t->index(0, TensorTableModel::Cosine).data().toString(), formatFigure(cosine));
        QCOMPARE(t->index(0, TensorTableModel::RelL2).data(TensorTableModel::BarRole).toDouble(),
                 1.0);
        const int extra = findRow(t, TensorTableModel::Name, u"extra"_s);
        QVERIFY(extra >= 0);
        QCOMPARE(t->index(extra, TensorTableModel::Status).data().toString(), u"added"_s);
        QVERIFY(!t->index(extra, TensorTableModel::RelL2).data().isValid());
        // Sorting by name, then only the changed tensors.
        view.tensorTable()->sortByColumn(TensorTableModel::Name, Qt::AscendingOrder);
        QCOMPARE(t->index(0, TensorTableModel::Name).data().toString(), u"extra"_s);
        view.findChild<QCheckBox *>(u"diffChangedTensorsOnly"_s)->setChecked(true);
        QCOMPARE(t->rowCount(), 2);
        QCOMPARE(findRow(t, TensorTableModel::Name, u"same"_s), -1);
        QVERIFY(view.summaryLabel()->text().contains(u"Tensors: 1 changed"_s));
    }

    // After two training runs the model has two versions, each made by its run; comparing them
    // from the versions view shows the weights that moved.
    void versionsTimelineOpensDiff()
    {
        for (const QString &lr : {u"lr=0.3"_s, u"lr=0.05"_s}) {
            const auto run = test::runProcess(
                test::cliPath(), {u"run"_s, u"train"_s, u"-P"_s, lr, u"-P"_s, u"epochs=3"_s},
                m_demo);
            QVERIFY2(run.exitCode == 0, run.err.constData());
        }
        MainWindow window(MainWindow::Options{m_dir.filePath(u"projects.json"_s), false});
        window.resize(1400, 900);
        window.show();
        QSignalSpy loaded(&window, &MainWindow::projectLoaded);
        window.openProject(m_demo);
        QVERIFY(loaded.wait(kTimeout));
        VersionsView *versions = window.versionsView();
        QSignalSpy versionsLoaded(versions, &VersionsView::loaded);
        window.openSection(Section::Versions, u"models/churn-model.safetensors"_s);
        QVERIFY(versionsLoaded.wait(kTimeout));
        QCOMPARE(versions->versionTable()->topLevelItemCount(), 2);
        QVERIFY2(versions->versionTable()->topLevelItem(0)->text(4) == u"#1 train"_s,
                 qPrintable(versions->versionTable()->topLevelItem(0)->text(4)));
        QVERIFY(versions->versionTable()->topLevelItem(1)->text(4) == u"#2 train"_s);
        QCOMPARE(versions->versionTable()->topLevelItem(1)->text(6), u"yes"_s);
        QCOMPARE(versions->timeline()->selected(), 1);
        // What the selected version holds, described in the background.
        if (!versions->details()->text().contains(u"tensors"_s))
            QVERIFY(QSignalSpy(versions, &VersionsView::detailsShown).wait(kTimeout));
        QVERIFY2(versions->details()->text().contains(u"2 tensors, 20 parameters (F32)"_s),
                 qPrintable(versions->details()->text()));

        // Recording a dataset's current content by hand.
        versions->selectFile(u"data/incoming/batch-01.csv"_s);
        QCOMPARE(versions->versionTable()->topLevelItemCount(), 1);
        QCOMPARE(versions->versionTable()->topLevelItem(0)->text(4), u"outside Cairn"_s);
        QSignalSpy reloaded(versions, &VersionsView::loaded);
        versions->findChild<QPushButton *>(u"versionRegister"_s)->click();
        QVERIFY(reloaded.wait(kTimeout));
        QCOMPARE(versions->versionTable()->topLevelItem(0)->text(4), u"recorded by hand"_s);
        versions->selectFile(u"models/churn-model.safetensors"_s);

        QSignalSpy compared(window.diffView(), &DiffView::comparisonFinished);
        versions->findChild<QPushButton *>(u"versionComparePrevious"_s)->click();
        QVERIFY(compared.wait(kTimeout));
        QVERIFY(window.diffView()->sideA().startsWith(u"models/churn-model.safetensors@xxh128:"_s));
        QCOMPARE(window.diffView()->sideB(), u"models/churn-model.safetensors"_s);
        QVERIFY2(compared.first().first().toBool(),
                 qPrintable(window.diffView()->findChild<QLabel *>(u"diffError"_s)->text()));
        QAbstractItemModel *t = window.diffView()->tensorTable()->model();
        QVERIFY(t->rowCount() > 0);
        QCOMPARE(t->index(0, TensorTableModel::Status).data().toString(), u"changed"_s);

        // Beside it, the runs that made the two versions: only lr differs among the parameters.
        QTreeWidget *runs = window.diffView()->runsTree();
        QVERIFY(runs->topLevelItem(0)->text(1).startsWith(u"#1"_s));
        QVERIFY(runs->topLevelItem(0)->text(2).startsWith(u"#2"_s));
        QTreeWidgetItem *params = nullptr;
        for (int i = 0; i < runs->topLevelItemCount(); ++i)
            if (runs->topLevelItem(i)->text(0).startsWith(u"Parameters"_s))
                params = runs->topLevelItem(i);
        QVERIFY(params);
        QCOMPARE(params->text(0), u"Parameters (1 changed)"_s);
        bool lr = false;
        for (int i = 0; i < params->childCount(); ++i) {
            const QTreeWidgetItem *p = params->child(i);
            if (p->text(0) == u"lr"_s) {
                lr = true;
                QCOMPARE(p->text(1), u"0.3"_s);
                QCOMPARE(p->text(2), u"0.05"_s);
                QCOMPARE(p->text(3), u"changed"_s);
            } else {
                QCOMPARE(p->text(1), p->text(2));
            }
        }
        QVERIFY(lr);

        // cairn-cli says the same in JSON.
        const auto cli =
            test::runProcess(test::cliPath(),
                             {u"diff"_s, u"model"_s, u"models/churn-model.safetensors@run:1"_s,
                              u"models/churn-model.safetensors"_s, u"--json"_s},
                             m_demo);
        QCOMPARE(cli.exitCode, 1);
        const QJsonObject json = QJsonDocument::fromJson(cli.out).object();
        const QJsonObject made = json.value(u"runs"_s).toObject();
        QCOMPARE(made.value(u"a"_s).toObject().value(u"id"_s).toInt(), 1);
        QCOMPARE(made.value(u"b"_s).toObject().value(u"id"_s).toInt(), 2);
        QVERIFY2(QJsonDocument(made.value(u"diff"_s).toObject()).toJson().contains("\"lr\""),
                 cli.out.constData());
    }
};

int main(int argc, char **argv)
{
    test::isolateUserDirs();
    QApplication app(argc, argv);
    TestDiffView t;
    return QTest::qExec(&t, argc, argv);
}

#include "tst_diffview.moc"
