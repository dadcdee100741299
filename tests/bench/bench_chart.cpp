// How long a metric chart takes to show big series: from setSeries() to the first replotted()
// (decimated off the GUI thread, handed to QCustomPlot and drawn), and to redraw after a zoom.
// Prints the command that reproduces it first. Not a test: figures go to docs/benchmarks.md.

#include "charts/metricchart.h"
#include "charts/qcustomplot.h"
#include "testsupport.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QRegularExpression>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace cairn;
using namespace cairn::ui;

namespace {

constexpr int kRepeats = 5;

double noise(qint64 i)
{
    quint64 h = quint64(i) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return double(h % 200001) / 100000.0 - 1.0;
}

// A loss curve with noise, one point per step, a second apart.
ChartSeries lossCurve(qint64 runId, int n)
{
    ChartSeries s;
    s.runId = runId;
    s.label = QStringLiteral("run %1").arg(runId);
    s.steps.resize(n);
    s.timestamps.resize(n);
    s.values.resize(n);
    for (int i = 0; i < n; ++i) {
        s.steps[i] = i;
        s.timestamps[i] = 1.7e12 + i * 1000.0;
        s.values[i] =
            (0.3 + runId * 0.05) + 2.0 * std::exp(-i * 5.0 / n) + 0.15 * noise(i + runId * 7919);
    }
    return s;
}

// Runs `action` and returns the ms until the chart's next replotted().
double timeToReplot(MetricChart &chart, const std::function<void()> &action,
                    double *actionMs = nullptr)
{
    bool done = false;
    QEventLoop loop;
    const auto conn = QObject::connect(&chart, &MetricChart::replotted, &loop, [&] {
        done = true;
        loop.quit();
    });
    QTimer::singleShot(60000, &loop, &QEventLoop::quit);
    QElapsedTimer timer;
    timer.start();
    action();
    if (actionMs)
        *actionMs = timer.nsecsElapsed() / 1e6;
    if (!done)
        loop.exec();
    const double ms = timer.nsecsElapsed() / 1e6;
    QObject::disconnect(conn);
    if (!done) {
        std::fprintf(stderr, "no replotted() within 60 s\n");
        std::exit(1);
    }
    return ms;
}

void settle(MetricChart &chart)
{
    if (!QTest::qWaitFor([&] { return !chart.updatePending(); }, 60000)) {
        std::fprintf(stderr, "the chart did not settle within 60 s\n");
        std::exit(1);
    }
}

struct Stats
{
    double median = 0;
    double max = 0;
};

Stats stats(QList<double> v)
{
    std::sort(v.begin(), v.end());
    return {v[v.size() / 2], v.constLast()};
}

void row(const char *what, const QList<double> &ms, const QList<double> &guiMs, int points)
{
    const Stats s = stats(ms);
    const Stats g = stats(guiMs);
    std::printf("%-34s %6.1f %8.1f %12.2f %9d\n", what, s.median, s.max, g.max, points);
}

QString buildType()
{
    QFile cache(QCoreApplication::applicationDirPath() + QStringLiteral("/../../CMakeCache.txt"));
    if (cache.open(QIODevice::ReadOnly)) {
        const QString text = QString::fromUtf8(cache.readAll());
        const auto m =
            QRegularExpression(QStringLiteral("CMAKE_BUILD_TYPE:STRING=(\\S*)")).match(text);
        if (m.hasMatch())
            return m.captured(1);
    }
    return QStringLiteral("unknown");
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);

    const QString exe = QCoreApplication::applicationFilePath();
    const QString build =
        QDir::cleanPath(QCoreApplication::applicationDirPath() + QStringLiteral("/../.."));
    std::printf("command: cmake -S %s -B %s -G Ninja -DCMAKE_BUILD_TYPE=%s && cmake --build %s "
                "--target bench_chart && QT_QPA_PLATFORM=%s %s\n",
                qPrintable(test::sourceDir()), qPrintable(build), qPrintable(buildType()),
                qPrintable(build), qPrintable(qEnvironmentVariable("QT_QPA_PLATFORM")),
                qPrintable(exe));

    MetricChart chart;
    chart.setTitle(QStringLiteral("loss"));
    chart.resize(1200, 700);
    chart.show();
    if (!QTest::qWaitForWindowExposed(&chart)) {
        std::fprintf(stderr, "the chart window was not exposed\n");
        return 1;
    }
    chart.setSeries({lossCurve(1, 10)});
    settle(chart);
    std::printf("build type %s, Qt %s, platform %s, %d threads; chart 1200x700, plot area %d px "
                "wide; %d runs each, times in ms\n\n",
                qPrintable(buildType()), qVersion(), qPrintable(QGuiApplication::platformName()),
                QThread::idealThreadCount(), chart.plot()->axisRect()->width(), kRepeats);
    std::printf("%-34s %6s %8s %12s %9s\n", "scenario", "median", "max", "GUI-thread", "points");

    struct Scenario
    {
        const char *name;
        int series;
        int points;
        double smoothing;
    };
    const Scenario scenarios[] = {{"setSeries 1 x 1,000,000", 1, 1'000'000, 0},
                                  {"setSeries 10 x 100,000", 10, 100'000, 0},
                                  {"setSeries 1 x 1,000,000, smoothed", 1, 1'000'000, 0.6},
                                  {"setSeries 10 x 100,000, smoothed", 10, 100'000, 0.6}};
    for (const Scenario &sc : scenarios) {
        QList<ChartSeries> data;
        for (int r = 0; r < sc.series; ++r)
            data.append(lossCurve(r + 1, sc.points));
        chart.setSmoothing(sc.smoothing);
        QList<double> ms, gui;
        int points = 0;
        for (int rep = 0; rep < kRepeats; ++rep) {
            chart.clear();
            settle(chart);
            double setMs = 0;
            ms.append(timeToReplot(
                chart, [&] { chart.setSeries(data); }, &setMs));
            gui.append(setMs);
            settle(chart);
            points = 0;
            for (int r = 0; r < sc.series; ++r)
                points += chart.plottedPointCount(r + 1);
        }
        row(sc.name, ms, gui, points);

        // Zoom: a new x range, decimated again from the full data.
        QList<double> zoomMs, zoomGui;
        for (int rep = 0; rep < kRepeats; ++rep) {
            QTest::qWait(60); // past the 40 ms throttle: the first change after a pause
            const double lo = sc.points * (0.1 + 0.15 * rep);
            double setMs = 0;
            zoomMs.append(timeToReplot(
                chart, [&] { chart.plot()->xAxis->setRange(lo, lo + sc.points * 0.05); }, &setMs));
            zoomGui.append(setMs);
            settle(chart);
        }
        points = 0;
        for (int r = 0; r < sc.series; ++r)
            points += chart.plottedPointCount(r + 1);
        row("  zoom to 5% of the steps", zoomMs, zoomGui, points);

        // Live: 100 more points on every run while it is being watched.
        QList<double> liveMs, liveGui;
        chart.resetView();
        settle(chart);
        for (int rep = 0; rep < kRepeats; ++rep) {
            QTest::qWait(60);
            double setMs = 0;
            liveMs.append(timeToReplot(
                chart,
                [&] {
                    for (int r = 0; r < sc.series; ++r) {
                        const ChartSeries more = lossCurve(r + 1, 100);
                        QVector<double> steps = more.steps;
                        for (double &s : steps)
                            s += sc.points + rep * 100;
                        chart.appendPoints(r + 1, steps, more.timestamps, more.values);
                    }
                },
                &setMs));
            liveGui.append(setMs);
            settle(chart);
        }
        points = 0;
        for (int r = 0; r < sc.series; ++r)
            points += chart.plottedPointCount(r + 1);
        row("  append 100 points per run (live)", liveMs, liveGui, points);
    }
    std::printf("\nmedian/max: setSeries() (or the zoom, or the append) to the first replotted(): "
                "decimation on the thread pool, setData, replot. GUI-thread: the longest the call "
                "itself blocked the GUI thread. points: what QCustomPlot holds.\n");
    return 0;
}
