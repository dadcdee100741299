// The drift view, driven as a user drives it: a small project whose newest batch has a clearly
// shifted numeric column and an unchanged categorical one; the view computes on show, the
// table says which column drifted and sorts numerically, the charts show both distributions,
// the drift over time has one line per feature and one point per batch, the HTML export embeds
// the charts, Retrain asks for the launch of the retrain entry point on the batch, and a broken
// file is an error naming its line.

#include "charts/driftcharts.h"
#include "charts/qcustomplot.h"
#include "dialogs/launchdialog.h"
#include "mainwindow.h"
#include "problems.h"
#include "project/snapshot.h"
#include "runcontroller.h"
#include "store/projectlist.h"
#include "testsupport.h"
#include "views/drifttablemodel.h"
#include "views/driftview.h"
#include "views/runsview.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace cairn;
using namespace cairn::ui;

namespace {

constexpr int kTimeout = 60000;

// Runs `action` on the next modal dialog of type T as soon as it shows.
template<typename T, typename F>
void whenModal(F action, int attempts = 400)
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

// 300 rows: a unique id (text), a numeric column shifted by `shift`, and a categorical column
// with the same mix of colours in every file.
QByteArray table(double shift, int rows = 300)
{
    QByteArray out = "id,x,color\n";
    const char *colours[] = {"red", "green", "blue"};
    for (int i = 0; i < rows; ++i) {
        const double x = double((i * 37) % rows) / 10.0 + 0.05 + shift;
        out += QStringLiteral("r%1,%2,%3\n")
                   .arg(i, 4, 10, QLatin1Char('0'))
                   .arg(x, 0, 'f', 2)
                   .arg(QLatin1String(colours[i % 3]))
                   .toUtf8();
    }
    return out;
}

QString cell(QAbstractItemModel *model, int row, int column)
{
    return model->index(row, column).data().toString();
}

QStringList namesInOrder(QAbstractItemModel *model)
{
    QStringList out;
    for (int r = 0; r < model->rowCount(); ++r)
        out << cell(model, r, DriftTableModel::NameColumn);
    return out;
}

bool waitIdle(DriftView &view, int ms = kTimeout)
{
    return QTest::qWaitFor([&] { return !view.isBusy(); }, ms);
}

} // namespace

class TestDriftView : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_root;

    QString path(const QString &relative) const { return m_root + QLatin1Char('/') + relative; }

    // A view showing the project, its first comparison and drift over time done.
    std::unique_ptr<DriftView> openView()
    {
        auto view = std::make_unique<DriftView>();
        view->resize(1300, 800);
        view->setSnapshot(loadSnapshot(m_root));
        view->show();
        if (!QTest::qWaitForWindowExposed(view.get()) || !waitIdle(*view))
            return nullptr;
        return view;
    }

    MainWindow::Options options() const
    {
        MainWindow::Options o;
        o.projectListPath = m_tmp.filePath(QStringLiteral("projects.db"));
        o.restoreLayout = false;
        return o;
    }

private slots:
    void initTestCase()
    {
        test::failOnQtWarnings();
        if (QFileInfo(test::cliPath()).isExecutable())
            qputenv("CAIRN_CLI", test::cliPath().toLocal8Bit());
        m_root = QDir(m_tmp.path()).canonicalPath() + QStringLiteral("/project");
        test::writeFile(path("cairn.yaml"), R"(version: 1
name: drift-test
entry_points:
  train:
    description: Retrain on a batch
    command: echo retraining on {data}
    parameters:
      data: {type: path, default: data/ref.csv}
datasets:
  ref:
    path: data/ref.csv
  batches:
    path: data/batches/batch-*.csv
drift:
  reference: ref
  current: batches
  retrain:
    entry_point: train
    parameters: {data: "{current}"}
)");
        test::writeFile(path("data/ref.csv"), table(0));
        test::writeFile(path("data/batches/batch-1.csv"), table(0));
        test::writeFile(path("data/batches/batch-2.csv"), table(4));
        test::writeFile(path("data/batches/batch-3.csv"), table(15));
        // Line 3 has a field more than the header.
        test::writeFile(path("data/bad.csv"), "id,x,color\nb1,1.5,red\nb2,2.5,blue,extra\n");
    }

    void comparesNewestBatchWhenShown()
    {
        DriftView view;
        QAbstractItemModelTester modelTester(
            view.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QAbstractItemModelTester proxyTester(
            view.proxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy compared(&view, &DriftView::comparisonFinished);
        view.resize(1300, 800);
        view.setSnapshot(loadSnapshot(m_root));
        // Defaults from the drift settings: the reference and the newest batch.
        QCOMPARE(view.referenceText(), QStringLiteral("ref"));
        QCOMPARE(view.currentText(), QStringLiteral("data/batches/batch-3.csv"));
        // The choices: the single-file dataset by name, every batch by path.
        const QComboBox *box = view.currentBox();
        QVERIFY(box->findText(QStringLiteral("ref")) >= 0);
        QVERIFY(box->findText(QStringLiteral("data/batches/batch-1.csv")) >= 0);
        QVERIFY(box->findText(QStringLiteral("data/batches/batch-3.csv")) >= 0);
        QCOMPARE(compared.count(), 0); // nothing before the view is shown

        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QVERIFY(view.isBusy());
        QVERIFY(compared.wait(kTimeout));
        QCOMPARE(compared.first().first().toBool(), true);
        QVERIFY(waitIdle(view));
        QVERIFY(!view.progressBar()->isVisible());

        DriftTableModel *model = view.model();
        QCOMPARE(model->rowCount(), 3);
        const auto status = [&](const QString &name) {
            return DriftTableModel::Status(
                model->index(model->rowOf(name), 0).data(DriftTableModel::StatusRole).toInt());
        };
        QCOMPARE(status(QStringLiteral("x")), DriftTableModel::Status::Drifted);
        QCOMPARE(status(QStringLiteral("color")), DriftTableModel::Status::Stable);
        QCOMPARE(status(QStringLiteral("id")), DriftTableModel::Status::Skipped);
        const int x = model->rowOf(QStringLiteral("x"));
        const int color = model->rowOf(QStringLiteral("color"));
        const int id = model->rowOf(QStringLiteral("id"));
        QCOMPARE(cell(model, x, DriftTableModel::TestColumn), QStringLiteral("ks"));
        QCOMPARE(cell(model, color, DriftTableModel::TestColumn), QStringLiteral("chisquare"));
        QCOMPARE(cell(model, x, DriftTableModel::DriftedColumn), QStringLiteral("Drifted"));
        QCOMPARE(cell(model, color, DriftTableModel::DriftedColumn), QStringLiteral("No drift"));
        QVERIFY(!cell(model, x, DriftTableModel::PValueColumn).isEmpty());
        QCOMPARE(cell(model, x, DriftTableModel::NRefColumn), QStringLiteral("300"));
        QCOMPARE(cell(model, x, DriftTableModel::MissingColumn), QStringLiteral("0% → 0%"));
        // Verdicts are coloured; the untested text column is greyed with its reason.
        QCOMPARE(model->index(x, DriftTableModel::DriftedColumn)
                     .data(Qt::BackgroundRole)
                     .value<QColor>(),
                 driftBadgeColor(true));
        QCOMPARE(model->index(color, DriftTableModel::DriftedColumn)
                     .data(Qt::BackgroundRole)
                     .value<QColor>(),
                 driftBadgeColor(false));
        QVERIFY(model->index(id, 0).data(Qt::ToolTipRole).toString().contains("text"));
        QVERIFY(model->index(id, 0).data(Qt::ForegroundRole).isValid());
        QVERIFY(cell(model, id, DriftTableModel::ScoreColumn).isEmpty());

        const QString summary = view.summaryText();
        QVERIFY2(summary.contains("1 of 2 columns drifted (50%)"), qPrintable(summary));
        QVERIFY2(summary.contains("dataset drift at 50%"), qPrintable(summary));

        // Sorting by score is numeric (x's tiny p-value first although "3e-50" > "1" as text),
        // and the untested column stays last in both directions.
        QTableView *table = view.table();
        QAbstractItemModel *shown = table->model();
        table->sortByColumn(DriftTableModel::ScoreColumn, Qt::AscendingOrder);
        QCOMPARE(namesInOrder(shown), (QStringList{"x", "color", "id"}));
        QVERIFY(cell(shown, 0, DriftTableModel::ScoreColumn) >
                cell(shown, 1, DriftTableModel::ScoreColumn));
        table->sortByColumn(DriftTableModel::ScoreColumn, Qt::DescendingOrder);
        QCOMPARE(namesInOrder(shown), (QStringList{"color", "x", "id"}));
        table->sortByColumn(DriftTableModel::NameColumn, Qt::AscendingOrder);
        QCOMPARE(namesInOrder(shown), (QStringList{"color", "id", "x"}));
        // Drifted only.
        view.findChild<QCheckBox *>(QStringLiteral("driftedOnly"))->setChecked(true);
        QCOMPARE(namesInOrder(shown), (QStringList{"x"}));
        view.findChild<QCheckBox *>(QStringLiteral("driftedOnly"))->setChecked(false);
        QCOMPARE(shown->rowCount(), 3);
    }

    void columnDetailShowsBothDistributions()
    {
        auto view = openView();
        QVERIFY(view);
        QTableView *table = view->table();
        DriftColumnChart *chart = view->columnChart();

        // Click the numeric column's row.
        view->selectColumn(QStringLiteral("color")); // away first, so the click changes it
        const QModelIndex xIndex = view->proxy()->mapFromSource(
            view->model()->index(view->model()->rowOf(QStringLiteral("x")), 0));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                          table->visualRect(xIndex).center());
        QCOMPARE(chart->columnName(), QStringLiteral("x"));
        const drift::ColumnDrift *x =
            view->model()->columnAt(view->model()->rowOf(QStringLiteral("x")));
        const int bins = int(x->profile.edges.size()) - 1;
        QVERIFY(bins >= 5);
        QVERIFY(!chart->isCategorical());
        QCOMPARE(chart->referenceBars().size(), 1); // equal-width bins: one series per side
        QCOMPARE(chart->currentBars().size(), 1);
        QCOMPARE(chart->barCount(true), bins);
        QCOMPARE(chart->barCount(false), bins);
        QVERIFY(chart->referenceBars().first()->name().startsWith("Reference"));
        QVERIFY(chart->currentBars().first()->name().startsWith("Current"));
        QVERIFY(chart->referenceBars().first()->brush().color().alpha() < 255); // see-through
        QVERIFY(chart->hasEcdf());
        QVERIFY(chart->ecdfPlot()->isVisible());
        QVERIFY(chart->referenceEcdf()->dataCount() >= 2);
        QVERIFY(chart->title().contains("ks"));
        QVERIFY(chart->title().contains("drifted"));
        // The shares shown add up to 1 on each side.
        double sum = 0;
        for (auto it = chart->referenceBars().first()->data()->constBegin();
             it != chart->referenceBars().first()->data()->constEnd(); ++it)
            sum += it->value;
        QVERIFY(qAbs(sum - 1.0) < 1e-9);

        // The categorical column: grouped bars per category, no ECDF.
        const QModelIndex colorIndex = view->proxy()->mapFromSource(
            view->model()->index(view->model()->rowOf(QStringLiteral("color")), 0));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {},
                          table->visualRect(colorIndex).center());
        QCOMPARE(chart->columnName(), QStringLiteral("color"));
        QVERIFY(chart->isCategorical());
        QCOMPARE(chart->barCount(true), 3);
        QCOMPARE(chart->barCount(false), 3);
        QVERIFY(!chart->ecdfPlot()->isVisible());
        QVERIFY(chart->title().contains("no drift"));
    }

    void driftOverTime()
    {
        auto view = openView();
        QVERIFY(view);
        QVERIFY(view->history().has_value());
        DriftHistoryChart *chart = view->historyChart();
        QCOMPARE(chart->batchCount(), 3);
        QCOMPARE(chart->batchLabels(), (QStringList{"batch-1", "batch-2", "batch-3"}));
        // One line per tested feature, one point per batch; p-value tests on a log axis only.
        QCOMPARE(chart->featureNames(), (QStringList{"x", "color"}));
        QCOMPARE(chart->featureGraphs().size(), 2);
        for (QCPGraph *g : chart->featureGraphs())
            QCOMPARE(g->dataCount(), 3);
        QVERIFY(chart->pValueRect());
        QVERIFY(!chart->distanceRect());
        QCOMPARE(chart->pValueRect()->axis(QCPAxis::atLeft)->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(chart->shareRect());
        // The numeric column drifts more with every batch; the first batch is the reference.
        QCPGraph *xGraph = chart->featureGraphs().first();
        QVERIFY(xGraph->data()->at(0)->value > 0.05);
        QVERIFY(xGraph->data()->at(2)->value < 0.05);
        QVERIFY(chart->describeBatch(2, chart->shareRect()).contains("1 of 2 columns drifted"));
        QCOMPARE(chart->selectedBatch(), 2); // the batch compared in the other tab

        // Clicking the first batch compares it.
        view->showTab(QStringLiteral("over-time"));
        chart->plot()->replot();
        QCPAxisRect *share = chart->shareRect();
        const QPoint at(int(share->axis(QCPAxis::atBottom)->coordToPixel(0)), share->center().y());
        QCOMPARE(chart->batchAt(at.x()), 0);
        QSignalSpy compared(view.get(), &DriftView::comparisonFinished);
        QTest::mouseClick(chart->plot(), Qt::LeftButton, {}, at);
        QVERIFY(compared.wait(kTimeout));
        QCOMPARE(view->currentText(), QStringLiteral("data/batches/batch-1.csv"));
        QCOMPARE(view->tabs()->currentIndex(), 0);
        QCOMPARE(view->report()->dataset.driftedColumns, 0);
        QCOMPARE(chart->selectedBatch(), 0);
    }

    void exportsHtmlReport()
    {
        auto view = openView();
        QVERIFY(view);
        const QString file = m_tmp.filePath(QStringLiteral("report.html"));
        QSignalSpy exported(view.get(), &DriftView::htmlExported);
        QSignalSpy failed(view.get(), &DriftView::exportFailed);
        view->exportHtml(file);
        QVERIFY(exported.wait(kTimeout));
        QCOMPARE(failed.count(), 0);
        const QString html = QString::fromUtf8(test::readFile(file));
        QVERIFY(html.startsWith("<!DOCTYPE html>"));
        for (const char *name : {">x<", ">color<", ">id<", "batch-3.csv", "ks", "chisquare",
                                 "1 of 2 tested columns drifted (50.0%", "Drift over time"})
            QVERIFY2(html.contains(QLatin1String(name)), name);
        // Inline charts: x's histogram and ECDF, color's bars, the drift over time (two).
        QVERIFY(html.count("<svg ") >= 5);
        // Self-contained: nothing is fetched (the SVG namespace URI is a name, not a link).
        for (const char *link : {"src=\"http", "href=\"http", "url(http", "<script", "<link"})
            QVERIFY2(!html.contains(QLatin1String(link)), link);
        // An unwritable place is an error, not a crash.
        view->exportHtml(m_tmp.filePath(QStringLiteral("no/such/folder/report.html")));
        QVERIFY(failed.wait(kTimeout));
        QVERIFY(failed.first().first().toString().contains("report.html"));
    }

    void retrainAsksToLaunchOnTheBatch()
    {
        auto view = openView();
        QVERIFY(view);
        QPushButton *retrain = view->retrainButton();
        QVERIFY(retrain->isEnabled());
        QVERIFY2(retrain->toolTip().contains("“train”"), qPrintable(retrain->toolTip()));
        QVERIFY(retrain->toolTip().contains("data=data/batches/batch-3.csv"));
        QVERIFY(retrain->toolTip().contains("echo retraining on"));
        QSignalSpy requested(view.get(), &DriftView::retrainRequested);
        QTest::mouseClick(retrain, Qt::LeftButton);
        QCOMPARE(requested.count(), 1);
        QCOMPARE(requested.first().at(0).toString(), QStringLiteral("train"));
        const auto values = requested.first().at(1).value<ParamValues>();
        QCOMPARE(values, (ParamValues{{"data", "data/batches/batch-3.csv"}}));

        // Another batch chosen: Retrain follows it.
        view->setCurrent(QStringLiteral("data/batches/batch-2.csv"));
        QTest::mouseClick(retrain, Qt::LeftButton);
        QCOMPARE(requested.count(), 2);
        QCOMPARE(requested.last().at(1).value<ParamValues>(),
                 (ParamValues{{"data", "data/batches/batch-2.csv"}}));
        // No such file: nothing to retrain on.
        view->setCurrent(QStringLiteral("data/none.csv"));
        QVERIFY(!retrain->isEnabled());
    }

    void malformedCurrentIsAnErrorWithItsLine()
    {
        auto view = openView();
        QVERIFY(view);
        QSignalSpy compared(view.get(), &DriftView::comparisonFinished);
        view->setCurrent(QStringLiteral("data/bad.csv"));
        QTest::mouseClick(view->compareButton(), Qt::LeftButton);
        QVERIFY(compared.wait(kTimeout));
        QCOMPARE(compared.first().first().toBool(), false);
        const QString error = view->errorText();
        QVERIFY2(error.contains(QDir::toNativeSeparators(path("data/bad.csv")) + ":3:"),
                 qPrintable(error));
        QCOMPARE(view->model()->rowCount(), 0);
        QVERIFY(!view->report().has_value());

        // A name that is neither a dataset nor a file.
        view->setCurrent(QStringLiteral("nope.csv"));
        view->compare();
        QVERIFY(compared.wait(kTimeout));
        QVERIFY2(view->errorText().contains("no such file or dataset: nope.csv"),
                 qPrintable(view->errorText()));

        // And back: the error goes away.
        view->setCurrent(QStringLiteral("data/batches/batch-2.csv"));
        view->compare();
        QVERIFY(compared.wait(kTimeout));
        QVERIFY(view->errorText().isEmpty());
        QCOMPARE(view->model()->rowCount(), 3);
    }

    void cancelDropsTheResult()
    {
        auto view = openView();
        QVERIFY(view);
        QSignalSpy compared(view.get(), &DriftView::comparisonFinished);
        QSignalSpy busy(view.get(), &DriftView::busyChanged);
        view->setCurrent(QStringLiteral("data/batches/batch-2.csv"));
        view->compare();
        QVERIFY(view->isBusy());
        QVERIFY(view->progressBar()->isVisible());
        QTest::mouseClick(view->cancelButton(), Qt::LeftButton);
        QVERIFY(!view->isBusy());
        QVERIFY(!view->progressBar()->isVisible());
        QCOMPARE(busy.count(), 2);
        QCOMPARE(busy.last().first().toBool(), false);
        QVERIFY(!compared.wait(500));
        QCOMPARE(view->errorText(), QStringLiteral("Cancelled."));
    }

    void droppedFilesAreCompared()
    {
        auto view = openView();
        QVERIFY(view);
        QSignalSpy compared(view.get(), &DriftView::comparisonFinished);
        auto drop = [&](QWidget *target, const QStringList &files) {
            QMimeData mime;
            QList<QUrl> urls;
            for (const QString &f : files)
                urls << QUrl::fromLocalFile(path(f));
            mime.setUrls(urls);
            const QPoint pos = target->rect().center();
            QDragEnterEvent enter(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(target, &enter);
            if (!enter.isAccepted())
                return false;
            QDropEvent dropEvent(QPointF(pos), Qt::CopyAction, &mime, Qt::LeftButton,
                                 Qt::NoModifier);
            QApplication::sendEvent(target, &dropEvent);
            return dropEvent.isAccepted();
        };
        // Two files anywhere on the view: the first is the reference, the second the current.
        QVERIFY(drop(view.get(), {"data/batches/batch-1.csv", "data/batches/batch-2.csv"}));
        QCOMPARE(view->referenceText(), QStringLiteral("data/batches/batch-1.csv"));
        QCOMPARE(view->currentText(), QStringLiteral("data/batches/batch-2.csv"));
        QVERIFY(compared.wait(kTimeout));
        QCOMPARE(view->report()->reference, QStringLiteral("data/batches/batch-1.csv"));
        QCOMPARE(view->report()->current, QStringLiteral("data/batches/batch-2.csv"));
        // One file on the reference box sets the reference only.
        QVERIFY(drop(view->referenceBox()->lineEdit(), {"data/ref.csv"}));
        QCOMPARE(view->referenceText(), QStringLiteral("data/ref.csv"));
        QCOMPARE(view->currentText(), QStringLiteral("data/batches/batch-2.csv"));
        QVERIFY(compared.wait(kTimeout));
        // Text is not a file: not accepted.
        QMimeData text;
        text.setText(QStringLiteral("hello"));
        QDragEnterEvent enter(QPoint(5, 5), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(view.get(), &enter);
        QVERIFY(!enter.isAccepted());
    }

    void retrainGoesThroughTheLaunchDialogAndTrust()
    {
        MainWindow w(options());
        w.show();
        QSignalSpy loaded(&w, &MainWindow::projectLoaded);
        w.openProject(m_root);
        QVERIFY(loaded.wait(kTimeout));
        w.openSection(Section::Drift);
        DriftView *view = w.driftView();
        QCOMPARE(w.tabs()->currentWidget(), view);
        QVERIFY(QTest::qWaitFor([&] { return view->report().has_value(); }, kTimeout));
        QVERIFY(waitIdle(*view));
        QSignalSpy launched(&w, &MainWindow::runLaunched);

        // The launch dialog comes prefilled with the batch; refusing trust runs nothing.
        QString prefilled;
        bool askedTrust = false;
        whenModal<LaunchDialog>([&](LaunchDialog *d) {
            for (const auto &[name, value] : d->values()) {
                if (name == "data")
                    prefilled = value;
            }
            whenModal<QMessageBox>([&](QMessageBox *box) {
                askedTrust = box->objectName() == "trustDialog";
                box->button(QMessageBox::Cancel)->click();
            });
            d->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        });
        QTest::mouseClick(view->retrainButton(), Qt::LeftButton);
        QCOMPARE(prefilled, QStringLiteral("data/batches/batch-3.csv"));
        QVERIFY(askedTrust);
        QCOMPARE(launched.count(), 0);
        QCOMPARE(w.tabs()->currentWidget(), view);

        if (!QFileInfo(qEnvironmentVariable("CAIRN_CLI")).isExecutable())
            QSKIP("cairn-cli is not built: the run itself cannot start");
        // Trusted: the run starts and Runs shows it.
        QSignalSpy ended(w.runController(), &RunController::runEnded);
        whenModal<LaunchDialog>([](LaunchDialog *d) {
            whenModal<QMessageBox>([](QMessageBox *box) {
                box->findChild<QPushButton *>(QStringLiteral("trustButton"))->click();
            });
            d->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        });
        QTest::mouseClick(view->retrainButton(), Qt::LeftButton);
        QVERIFY2(launched.count() == 1,
                 w.problems()->rowCount() > 0
                     ? qPrintable(w.problems()->problems().first().error.toString())
                     : "no run launched");
        QCOMPARE(w.tabs()->currentWidget(), w.runsView());
        const qint64 id = launched.first().first().toLongLong();
        QTRY_COMPARE_WITH_TIMEOUT(w.runsView()->selectedRuns(), QList<qint64>{id}, kTimeout);
        QVERIFY(ended.wait(kTimeout) || ended.count() > 0);
    }
};

int main(int argc, char **argv)
{
    test::isolateUserDirs();
    QApplication app(argc, argv);
    TestDriftView t;
    return QTest::qExec(&t, argc, argv);
}
#include "tst_driftview.moc"
