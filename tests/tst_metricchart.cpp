// The metric chart widget: decimation at the plot's pixel width, zoom, smoothing, log scale,
// x-axis modes, legend, hover read-out, live series and export, driven through its widgets.

#include "charts/metricchart.h"
#include "charts/qcustomplot.h"
#include "metrics/decimate.h"
#include "testsupport.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QSignalSpy>
#include <QSlider>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <functional>
#include <limits>

using namespace cairn;
using namespace cairn::ui;

namespace {

constexpr double kT0 = 1'700'000'000'000; // ms since the epoch

ChartSeries makeSeries(qint64 runId, int n, const std::function<double(int)> &value,
                       double firstStep = 0, double msPerStep = 1500)
{
    ChartSeries s;
    s.runId = runId;
    s.label = QStringLiteral("run %1").arg(runId);
    s.steps.resize(n);
    s.timestamps.resize(n);
    s.values.resize(n);
    for (int i = 0; i < n; ++i) {
        s.steps[i] = firstStep + i;
        s.timestamps[i] = kT0 + i * msPerStep;
        s.values[i] = value(i);
    }
    return s;
}

// Deterministic noise in [-1, 1].
double noise(int i)
{
    quint32 h = quint32(i) * 2654435761u;
    h ^= h >> 15;
    h *= 2246822519u;
    h ^= h >> 13;
    return (h % 20001) / 10000.0 - 1.0;
}

bool settle(const MetricChart &chart)
{
    return QTest::qWaitFor([&] { return !chart.updatePending(); }, 30000);
}

QVector<double> keys(const QCPGraph *g)
{
    QVector<double> out;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
        out.append(it->key);
    return out;
}

QVector<double> values(const QCPGraph *g)
{
    QVector<double> out;
    for (auto it = g->data()->constBegin(); it != g->data()->constEnd(); ++it)
        out.append(it->value);
    return out;
}

int plotWidth(const MetricChart &chart)
{
    return chart.plot()->axisRect()->width();
}

// The vertical extent of the pixels in `color`, per pixel column of `rect`.
QVector<QPair<int, int>> envelope(const QImage &image, const QRect &rect, QRgb color)
{
    QVector<QPair<int, int>> out;
    for (int x = rect.left(); x <= rect.right(); ++x) {
        int top = -1, bottom = -1;
        for (int y = rect.top(); y <= rect.bottom(); ++y) {
            if ((image.pixel(x, y) & 0xffffff) == (color & 0xffffff)) {
                if (top < 0)
                    top = y;
                bottom = y;
            }
        }
        out.append({top, bottom});
    }
    return out;
}

} // namespace

class TestMetricChart : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { test::failOnQtWarnings(); }

    void millionPointsThenZoom()
    {
        MetricChart chart;
        chart.resize(1000, 600);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        constexpr int n = 1'000'000;
        const ChartSeries s =
            makeSeries(1, n, [](int i) { return std::exp(-i / 2e5) + noise(i) * 0.1; });
        QSignalSpy replotted(&chart, &MetricChart::replotted);
        chart.setSeries({s});
        QVERIFY(settle(chart));
        QVERIFY(replotted.count() >= 1);

        const int width = plotWidth(chart);
        QVERIFY(width > 500);
        const int count = chart.plottedPointCount(1);
        QVERIFY2(count <= 4 * width + 2,
                 qPrintable(QStringLiteral("%1 points for %2 px").arg(count).arg(width)));
        QVERIFY2(count >= 2 * width,
                 qPrintable(QString::number(count))); // dense: several per column
        // Dense lines are drawn with a 1 px (cosmetic) pen: a wider pen is stroked as a path,
        // which takes seconds for the up-and-down line of a dense column.
        QVERIFY(chart.graph(1)->pen().widthF() <= 1.0);
        QCOMPARE(chart.plot()->xAxis->range().lower, 0.0);
        QCOMPARE(chart.plot()->xAxis->range().upper, double(n - 1));

        // Exact where it matters: the plotted extremes are the data's extremes, and the y axis
        // shows them.
        const QVector<double> v = values(chart.graph(1));
        const auto [pMin, pMax] = std::minmax_element(v.cbegin(), v.cend());
        const auto [dMin, dMax] = std::minmax_element(s.values.cbegin(), s.values.cend());
        QCOMPARE(*pMin, *dMin);
        QCOMPARE(*pMax, *dMax);
        QVERIFY(chart.plot()->yAxis->range().contains(*dMin));
        QVERIFY(chart.plot()->yAxis->range().contains(*dMax));

        // Zoom to 1% of the steps: the chart decimates again for that range.
        chart.plot()->xAxis->setRange(250000, 260000);
        QVERIFY(settle(chart));
        QCOMPARE(chart.plot()->xAxis->range().lower, 250000.0);
        QCOMPARE(chart.plot()->xAxis->range().upper, 260000.0);
        const QVector<double> k = keys(chart.graph(1));
        const QVector<double> zv = values(chart.graph(1));
        QVERIFY(k.size() <= 4 * width + 2);
        QVERIFY2(k.size() >= 2 * width, qPrintable(QString::number(k.size())));
        QCOMPARE(k.constFirst(), 249999.0); // edge points: the line runs to both borders
        QCOMPARE(k.constLast(), 260001.0);
        double zMin = std::numeric_limits<double>::infinity(), zMax = -zMin;
        for (int i = 250000; i <= 260000; ++i) {
            zMin = std::min(zMin, s.values[i]);
            zMax = std::max(zMax, s.values[i]);
        }
        const auto [zpMin, zpMax] = std::minmax_element(zv.cbegin() + 1, zv.cend() - 1);
        QCOMPARE(*zpMin, zMin);
        QCOMPARE(*zpMax, zMax);
        // ... and the y axis fits the visible data, not the whole series.
        QVERIFY(chart.plot()->yAxis->range().upper < *dMax);

        // The wheel zooms in on x (around the mouse) and the point count stays bounded.
        const QPoint centre = chart.plot()->axisRect()->rect().center();
        QWheelEvent wheel(centre, chart.plot()->mapToGlobal(centre), QPoint(), QPoint(0, 240),
                          Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(chart.plot(), &wheel);
        QVERIFY(settle(chart));
        QVERIFY(chart.plot()->xAxis->range().size() < 10000);
        QVERIFY(chart.plot()->xAxis->range().contains(255000));
        QVERIFY(chart.plottedPointCount(1) <= 4 * width + 2);

        // Dragging pans.
        const QCPRange before = chart.plot()->xAxis->range();
        QTest::mousePress(chart.plot(), Qt::LeftButton, {}, centre);
        QTest::mouseMove(chart.plot(), centre + QPoint(100, 0));
        QTest::mouseRelease(chart.plot(), Qt::LeftButton, {}, centre + QPoint(100, 0));
        QVERIFY(settle(chart));
        QVERIFY2(chart.plot()->xAxis->range().lower < before.lower,
                 qPrintable(QString::number(chart.plot()->xAxis->range().lower)));
        QVERIFY(std::abs(chart.plot()->xAxis->range().size() - before.size()) <
                1e-6 * before.size());

        // A double-click shows everything again.
        QTest::mouseDClick(chart.plot(), Qt::LeftButton, {}, centre);
        QVERIFY(settle(chart));
        QCOMPARE(chart.plot()->xAxis->range().lower, 0.0);
        QCOMPARE(chart.plot()->xAxis->range().upper, double(n - 1));
    }

    // What the plot draws from the decimated points is what it would draw from all of them: in
    // every pixel column the line covers the same vertical extent. Compared on aliased lines,
    // pixel by pixel. The data's extremes are kept exactly (tst_decimate); what remains is how
    // Qt's line rasterizer ends and joins segments, which moves an end pixel by one or two in a
    // few columns. Dropping a column's min or max would show as a far larger difference (the
    // noise spans ~30 px per column, the spikes ~100 px).
    void decimatedDrawingMatchesFull()
    {
        QCustomPlot plot;
        plot.resize(700, 400);
        plot.show();
        QVERIFY(QTest::qWaitForWindowExposed(&plot));
        plot.setAntialiasedElements(QCP::aeNone);
        plot.setNotAntialiasedElements(QCP::aeAll);
        plot.xAxis->setVisible(false);
        plot.yAxis->setVisible(false);
        plot.axisRect()->setAutoMargins(QCP::msNone);
        plot.axisRect()->setMargins(QMargins(20, 20, 20, 20));
        plot.xAxis->grid()->setVisible(false);
        plot.yAxis->grid()->setVisible(false);
        QCPGraph *g = plot.addGraph();
        g->setAdaptiveSampling(false);
        g->setPen(QPen(Qt::red, 0));
        QVector<double> x, y;
        for (int i = 0; i < 200000; ++i) {
            x.append(i * 0.37);
            y.append(std::sin(i / 3000.0) + noise(i) * 0.3 + (i % 9973 == 0 ? 2.5 : 0));
        }
        const double xMin = x[20000], xMax = x[180000];
        plot.xAxis->setRange(xMin, xMax);
        plot.yAxis->setRange(-2, 4);
        plot.replot();
        const QRect rect = plot.axisRect()->rect();
        QCOMPARE(rect.width(), 660);

        g->setData(x, y, true);
        const QImage full = plot.toPixmap(700, 400).toImage();
        const DecimatedSeries d = decimateMinMax(spanOf(x), spanOf(y), xMin, xMax, rect.width());
        QVERIFY(d.size() <= 4 * rect.width() + 2);
        g->setData(d.x, d.y, true);
        const QImage decimated = plot.toPixmap(700, 400).toImage();

        const auto a = envelope(full, rect, QColor(Qt::red).rgb());
        const auto b = envelope(decimated, rect, QColor(Qt::red).rgb());
        int differing = 0;
        for (int c = 0; c < a.size(); ++c) {
            QVERIFY(a[c].first >= 0); // the line crosses every column
            const QString where = QStringLiteral("column %1: full %2..%3, decimated %4..%5")
                                      .arg(c)
                                      .arg(a[c].first)
                                      .arg(a[c].second)
                                      .arg(b[c].first)
                                      .arg(b[c].second);
            QVERIFY2(std::abs(a[c].first - b[c].first) <= 2, qPrintable(where));
            QVERIFY2(std::abs(a[c].second - b[c].second) <= 2, qPrintable(where));
            differing += a[c] != b[c] ? 1 : 0;
        }
        QVERIFY2(
            differing <= a.size() / 20,
            qPrintable(QStringLiteral("%1 of %2 columns differ").arg(differing).arg(a.size())));
    }

    void smoothing()
    {
        MetricChart chart;
        chart.resize(900, 500);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        const ChartSeries s =
            makeSeries(3, 200, [](int i) { return 1.0 / (1 + i) + noise(i) * 0.2; });
        chart.setSeries({s});
        QVERIFY(settle(chart));
        QCOMPARE(values(chart.graph(3)), s.values); // 200 points on ~800 px: all of them
        QVERIFY(!chart.rawGraph(3)->visible());

        auto *slider = chart.findChild<QSlider *>(QStringLiteral("smoothing"));
        QVERIFY(slider);
        QSignalSpy changed(&chart, &MetricChart::smoothingChanged);
        slider->setValue(60);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(chart.smoothing(), 0.6);
        QVERIFY(settle(chart));
        const QVector<double> smoothed = emaSmooth(spanOf(s.values), 0.6);
        QVERIFY(smoothed != s.values);
        QCOMPARE(values(chart.graph(3)), smoothed);
        QVERIFY(chart.rawGraph(3)->visible()); // the raw values stay, faintly
        QCOMPARE(values(chart.rawGraph(3)), s.values);
        QVERIFY(chart.rawGraph(3)->pen().color().alpha() < 255);

        chart.setSmoothing(0);
        QCOMPARE(slider->value(), 0);
        QVERIFY(settle(chart));
        QCOMPARE(values(chart.graph(3)), s.values);
        QVERIFY(!chart.rawGraph(3)->visible());
    }

    void logScale()
    {
        MetricChart chart;
        chart.resize(900, 500);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        // A loss that reaches 0 twice and goes negative once.
        ChartSeries s = makeSeries(1, 100, [](int i) { return 10.0 * std::exp(-i / 20.0); });
        s.values[30] = 0;
        s.values[31] = -0.5;
        s.values[70] = 0;
        chart.setSeries({s});
        QVERIFY(settle(chart));
        QCOMPARE(chart.plot()->yAxis->scaleType(), QCPAxis::stLinear);
        auto *note = chart.findChild<QLabel *>(QStringLiteral("logNote"));
        QVERIFY(note);
        QVERIFY(!note->isVisible());

        auto *box = chart.findChild<QCheckBox *>(QStringLiteral("logScale"));
        QVERIFY(box);
        QTest::mouseClick(box, Qt::LeftButton);
        QVERIFY(chart.logScale());
        QVERIFY(settle(chart));
        QCOMPARE(chart.plot()->yAxis->scaleType(), QCPAxis::stLogarithmic);
        QVERIFY(chart.plot()->yAxis->ticker().dynamicCast<QCPAxisTickerLog>());
        QCOMPARE(chart.hiddenValueCount(), 3);
        QVERIFY(note->isVisible());
        QVERIFY2(note->text().contains(QLatin1String("3")), qPrintable(note->text()));
        const QVector<double> v = values(chart.graph(1));
        for (double y : v)
            QVERIFY(std::isnan(y) || y > 0); // hidden, as gaps
        QVERIFY(std::count_if(v.cbegin(), v.cend(), [](double y) { return std::isnan(y); }) == 2);
        QVERIFY(chart.plot()->yAxis->range().lower > 0);

        QTest::mouseClick(box, Qt::LeftButton);
        QVERIFY(settle(chart));
        QCOMPARE(chart.plot()->yAxis->scaleType(), QCPAxis::stLinear);
        QVERIFY(!note->isVisible());
        QCOMPARE(values(chart.graph(1)), s.values);
    }

    void xAxisModes()
    {
        MetricChart chart;
        chart.resize(900, 500);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setSeries({makeSeries(
            1, 50, [](int i) { return i * 0.5; }, /*firstStep*/ 5)});
        QVERIFY(settle(chart));
        QCOMPARE(keys(chart.graph(1)).constFirst(), 5.0);
        QCOMPARE(chart.plot()->xAxis->range().lower, 5.0);
        QCOMPARE(chart.plot()->xAxis->label(), QStringLiteral("Step"));

        auto *combo = chart.findChild<QComboBox *>(QStringLiteral("xAxisMode"));
        QVERIFY(combo);
        combo->setCurrentIndex(combo->findData(int(XAxisMode::WallTime)));
        QCOMPARE(chart.xAxisMode(), XAxisMode::WallTime);
        QVERIFY(settle(chart));
        QCOMPARE(keys(chart.graph(1)).constFirst(), kT0 / 1000);
        QCOMPARE(keys(chart.graph(1)).constLast(), kT0 / 1000 + 49 * 1.5);
        QCOMPARE(chart.plot()->xAxis->range().lower, kT0 / 1000);
        QVERIFY(chart.plot()->xAxis->ticker().dynamicCast<QCPAxisTickerDateTime>());

        combo->setCurrentIndex(combo->findData(int(XAxisMode::RelativeTime)));
        QVERIFY(settle(chart));
        QCOMPARE(keys(chart.graph(1)).constFirst(), 0.0);
        QCOMPARE(keys(chart.graph(1)).constLast(), 49 * 1.5);
        QCOMPARE(chart.plot()->xAxis->range().lower, 0.0);
        QVERIFY(chart.plot()->xAxis->ticker().dynamicCast<QCPAxisTickerTime>());

        chart.setXAxisMode(XAxisMode::Step);
        QCOMPARE(combo->currentData().toInt(), int(XAxisMode::Step));
        QVERIFY(settle(chart));
        QCOMPARE(keys(chart.graph(1)).constFirst(), 5.0);
    }

    void legendAndColours()
    {
        MetricChart chart;
        chart.resize(900, 500);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setSeries({makeSeries(7, 20, [](int i) { return i; })});
        QVERIFY(settle(chart));
        QVERIFY(!chart.plot()->legend->visible());
        QCOMPARE(chart.graph(7)->pen().color(), MetricChart::colorForRun(7));

        ChartSeries a = makeSeries(7, 20, [](int i) { return i; });
        ChartSeries b = makeSeries(8, 20, [](int i) { return 2 * i; });
        b.label = QStringLiteral("baseline");
        chart.setSeries({b, a});
        QVERIFY(settle(chart));
        QVERIFY(chart.plot()->legend->visible());
        QCOMPARE(chart.plot()->legend->itemCount(), 2);
        QVERIFY(chart.plot()->legend->hasItemWithPlottable(chart.graph(7)));
        QVERIFY(chart.plot()->legend->hasItemWithPlottable(chart.graph(8)));
        QVERIFY(!chart.plot()->legend->hasItemWithPlottable(chart.rawGraph(7)));
        QCOMPARE(chart.graph(8)->name(), QStringLiteral("baseline"));
        // A run keeps its colour whatever else is shown, and two runs differ.
        QCOMPARE(chart.graph(7)->pen().color(), MetricChart::colorForRun(7));
        QVERIFY(chart.graph(8)->pen().color() != chart.graph(7)->pen().color());
        // The legend takes no room in the plot area: it sits below the axis rect.
        QVERIFY(chart.plot()->legend->outerRect().top() >=
                chart.plot()->axisRect()->outerRect().bottom());

        chart.setSeries({a});
        QVERIFY(settle(chart));
        QVERIFY(!chart.plot()->legend->visible());
    }

    void hoverReadout()
    {
        MetricChart chart;
        chart.resize(900, 500);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setSeries({makeSeries(1, 101, [](int i) { return 1000 + i; }),
                         makeSeries(2, 101, [](int i) { return 2000 + 2 * i; })});
        QVERIFY(settle(chart));
        QVERIFY(chart.hoverText().isEmpty());

        QCustomPlot *plot = chart.plot();
        const int px = qRound(plot->xAxis->coordToPixel(40));
        const int py = plot->axisRect()->rect().center().y();
        QTest::mouseMove(plot, QPoint(px, py));
        QTRY_VERIFY(!chart.hoverText().isEmpty());
        const QString text = chart.hoverText();
        QVERIFY2(text.contains(QLatin1String("1040")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("2080")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("step 40")), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String("run 1")) && text.contains(QLatin1String("run 2")),
                 qPrintable(text));

        // Nearest, not interpolated: a little to the right of step 62 reads step 62.
        QTest::mouseMove(plot, QPoint(qRound(plot->xAxis->coordToPixel(62.2)), py));
        QTRY_VERIFY(chart.hoverText().contains(QLatin1String("1062")));

        // Off the axis rect (on the tick labels) it goes away.
        QTest::mouseMove(plot, QPoint(plot->axisRect()->left() - 5, py));
        QTRY_VERIFY(chart.hoverText().isEmpty());
    }

    void liveSeriesGrows()
    {
        MetricChart chart;
        chart.resize(900, 500);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setSeries({makeSeries(4, 100, [](int i) { return std::sqrt(i); })});
        QVERIFY(settle(chart));
        QCOMPARE(chart.plottedPointCount(4), 100);
        QCOMPARE(chart.plot()->xAxis->range().upper, 99.0);

        QVector<double> steps, ts, vals;
        for (int i = 100; i < 150; ++i) {
            steps.append(i);
            ts.append(kT0 + i * 1500);
            vals.append(std::sqrt(i));
        }
        chart.appendPoints(4, steps, ts, vals);
        QVERIFY(settle(chart));
        QCOMPARE(chart.plottedPointCount(4), 150);
        QCOMPARE(chart.plot()->xAxis->range().upper, 149.0); // the view follows the run
        QCOMPARE(values(chart.graph(4)).constLast(), std::sqrt(149.0));

        // Once the user zooms, new points do not move the view.
        chart.plot()->xAxis->setRange(10, 50);
        QVERIFY(settle(chart));
        chart.appendPoints(4, {150, 151}, {}, {1, 2});
        QVERIFY(settle(chart));
        QCOMPARE(chart.plot()->xAxis->range().upper, 50.0);
        chart.resetView();
        QVERIFY(settle(chart));
        QCOMPARE(chart.plot()->xAxis->range().upper, 151.0);

        // A burst of small appends (a run logging fast) is coalesced and loses nothing.
        QVector<double> expected = values(chart.graph(4));
        for (int burst = 0; burst < 30; ++burst) {
            QVector<double> bSteps, bValues;
            for (int i = 0; i < 7; ++i) {
                bSteps.append(152 + burst * 7 + i);
                bValues.append(100 + burst * 7 + i);
            }
            chart.appendPoints(4, bSteps, {}, bValues);
            expected.append(bValues);
            if (burst % 10 == 9)
                QTest::qWait(5);
        }
        QVERIFY(settle(chart));
        QCOMPARE(values(chart.graph(4)), expected);
        QCOMPARE(keys(chart.graph(4)).constLast(), 152.0 + 30 * 7 - 1);

        // Points of a run not shown yet start its series (and the legend appears).
        chart.appendPoints(5, {0, 1, 2}, {}, {3, 2, 1});
        QVERIFY(settle(chart));
        QCOMPARE(chart.plottedPointCount(5), 3);
        QVERIFY(chart.plot()->legend->visible());
    }

    void staleResultsAreDropped()
    {
        MetricChart chart;
        chart.resize(900, 500);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        // A slow job for a big series, replaced at once by a small one of the same run: the
        // big one's result must never reach the plot.
        QList<int> seen; // what the plot held at every redraw
        connect(&chart, &MetricChart::replotted, this,
                [&] { seen.append(chart.plottedPointCount(1)); });
        chart.setSeries({makeSeries(1, 2'000'000, [](int) { return 5.0; })});
        chart.setSeries({makeSeries(1, 10, [](int) { return 7.0; })});
        QVERIFY(settle(chart));
        QTest::qWait(300); // time for a stale result to arrive, were it not dropped
        QVERIFY(!seen.isEmpty());
        for (int count : std::as_const(seen))
            QCOMPARE(count, 10);
        QCOMPARE(chart.plottedPointCount(1), 10);
        for (double v : values(chart.graph(1)))
            QCOMPARE(v, 7.0);
        QCOMPARE(chart.plot()->xAxis->range().upper, 9.0);
    }

    void exportFormats()
    {
        MetricChart chart;
        chart.resize(800, 450);
        chart.show();
        QVERIFY(QTest::qWaitForWindowExposed(&chart));
        chart.setTitle(QStringLiteral("val_loss"));
        chart.setSeries({makeSeries(1, 500, [](int i) { return 1.0 / (1 + i); }),
                         makeSeries(2, 500, [](int i) { return 1.5 / (1 + i); })});
        QVERIFY(settle(chart));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());

        const QString png = dir.filePath(QStringLiteral("chart.png"));
        QVERIFY(chart.exportTo(png));
        const QByteArray pngBytes = test::readFile(png);
        QVERIFY(pngBytes.startsWith("\x89PNG"));
        QImage image;
        QVERIFY(image.loadFromData(pngBytes));
        QVERIFY(image.width() >= chart.plot()->width());

        const QString svg = dir.filePath(QStringLiteral("chart.SVG"));
        QVERIFY(chart.exportTo(svg));
        const QByteArray svgBytes = test::readFile(svg);
        QVERIFY(svgBytes.contains("<svg"));
        QVERIFY(svgBytes.contains("val_loss"));
        QVERIFY(svgBytes.contains("<path") || svgBytes.contains("<polyline"));

        const QString pdf = dir.filePath(QStringLiteral("chart.pdf"));
        QVERIFY(chart.exportTo(pdf));
        const QByteArray pdfBytes = test::readFile(pdf);
        QVERIFY(pdfBytes.startsWith("%PDF"));
        QVERIFY(pdfBytes.size() > 1000);

        const QString txt = dir.filePath(QStringLiteral("chart.txt"));
        QVERIFY(!chart.exportTo(txt));
        QVERIFY(!QFile::exists(txt));
    }
};

QTEST_MAIN(TestMetricChart)
#include "tst_metricchart.moc"
