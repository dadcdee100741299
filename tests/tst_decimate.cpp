// Min/max decimation, EMA smoothing and the x-axis helpers behind the metric charts.

#include "metrics/decimate.h"
#include "testsupport.h"

#include <QRandomGenerator>
#include <QTest>

#include <cmath>
#include <limits>

using namespace cairn;

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr double Inf = std::numeric_limits<double>::infinity();

int columnOf(double x, double xMin, double xMax, int columns)
{
    if (xMax == xMin)
        return 0;
    return std::min(int(std::floor((x - xMin) / (xMax - xMin) * columns)), columns - 1);
}

// A noisy random walk on ascending x with repeated x values, occasional spikes and plateaus.
void randomSeries(quint32 seed, int n, QVector<double> &x, QVector<double> &y)
{
    QRandomGenerator rng(seed);
    x.resize(n);
    y.resize(n);
    double xv = rng.bounded(10.0);
    double yv = 0;
    for (int i = 0; i < n; ++i) {
        const int kind = rng.bounded(20);
        xv += kind == 0 ? 0.0 : rng.bounded(2.0); // ties now and then
        if (kind == 1)
            yv += rng.bounded(200.0) - 100.0; // spike
        else if (kind != 2)                   // kind 2: plateau
            yv += rng.bounded(2.0) - 1.0;
        x[i] = xv;
        y[i] = yv;
    }
}

} // namespace

class TestDecimate : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase() { test::failOnQtWarnings(); }

    void exactness_data()
    {
        QTest::addColumn<quint32>("seed");
        QTest::addColumn<int>("n");
        QTest::addColumn<int>("columns");
        QTest::addColumn<double>("from"); // visible range as fractions of the data's x range
        QTest::addColumn<double>("to");
        QTest::newRow("dense, all") << 1u << 100000 << 640 << 0.0 << 1.0;
        QTest::newRow("dense, narrow") << 2u << 100000 << 800 << 0.41 << 0.43;
        QTest::newRow("dense, one column") << 3u << 20000 << 1 << 0.0 << 1.0;
        QTest::newRow("odd columns") << 4u << 5000 << 7 << 0.1 << 0.9;
        QTest::newRow("sparse") << 5u << 300 << 1000 << 0.0 << 1.0;
        QTest::newRow("mixed density") << 6u << 3000 << 999 << 0.2 << 0.8;
        QTest::newRow("very narrow") << 7u << 100000 << 500 << 0.5 << 0.50001;
    }

    // For every pixel column, the decimated points have exactly the raw points' min and max,
    // start with the column's first point and end with its last, so the drawn envelope is the
    // same; the nearest points outside the range are kept; the size stays bounded.
    void exactness()
    {
        QFETCH(quint32, seed);
        QFETCH(int, n);
        QFETCH(int, columns);
        QFETCH(double, from);
        QFETCH(double, to);
        QVector<double> x, y;
        randomSeries(seed, n, x, y);
        const double span = x.constLast() - x.constFirst();
        const double xMin = x.constFirst() + from * span;
        const double xMax = x.constFirst() + to * span;

        const DecimatedSeries d = decimateMinMax(spanOf(x), spanOf(y), xMin, xMax, columns);
        QCOMPARE(d.gaps, 0);
        QCOMPARE(d.x.size(), d.y.size());
        QVERIFY2(d.size() <= 4 * qsizetype(columns) + 2, qPrintable(QString::number(d.size())));
        QVERIFY(std::is_sorted(d.x.cbegin(), d.x.cend()));

        // The true per-column first, last, min and max.
        struct Col
        {
            qsizetype first = -1, last = -1;
            double min = Inf, max = -Inf;
        };
        QVector<Col> truth(columns);
        qsizetype before = -1, after = -1;
        for (qsizetype i = 0; i < x.size(); ++i) {
            if (x[i] < xMin) {
                before = i;
                continue;
            }
            if (x[i] > xMax) {
                if (after < 0)
                    after = i;
                continue;
            }
            Col &c = truth[columnOf(x[i], xMin, xMax, columns)];
            if (c.first < 0)
                c.first = i;
            c.last = i;
            c.min = std::min(c.min, y[i]);
            c.max = std::max(c.max, y[i]);
        }

        // Edges.
        qsizetype inside = 0;
        qsizetype end = d.size();
        if (before >= 0) {
            QCOMPARE(d.x.constFirst(), x[before]);
            QCOMPARE(d.y.constFirst(), y[before]);
            inside = 1;
        }
        if (after >= 0) {
            QCOMPARE(d.x.constLast(), x[after]);
            QCOMPARE(d.y.constLast(), y[after]);
            end = d.size() - 1;
        }

        // Every kept point is a raw point; collect what each column got.
        QVector<Col> got(columns);
        QVector<QList<QPair<double, double>>> kept(columns);
        for (qsizetype k = inside; k < end; ++k) {
            QVERIFY(d.x[k] >= xMin && d.x[k] <= xMax);
            const auto lo = std::lower_bound(x.cbegin(), x.cend(), d.x[k]);
            bool found = false;
            for (auto it = lo; it != x.cend() && *it == d.x[k]; ++it)
                found = found || y[it - x.cbegin()] == d.y[k];
            QVERIFY2(found, "a decimated point that is not in the data");
            const int c = columnOf(d.x[k], xMin, xMax, columns);
            got[c].min = std::min(got[c].min, d.y[k]);
            got[c].max = std::max(got[c].max, d.y[k]);
            kept[c].append({d.x[k], d.y[k]});
        }
        for (int c = 0; c < columns; ++c) {
            const Col &t = truth[c];
            if (t.first < 0) {
                QVERIFY(kept[c].isEmpty());
                continue;
            }
            QCOMPARE(got[c].min, t.min);
            QCOMPARE(got[c].max, t.max);
            QCOMPARE(kept[c].constFirst(), qMakePair(x[t.first], y[t.first]));
            QCOMPARE(kept[c].constLast(), qMakePair(x[t.last], y[t.last]));
            const qsizetype rawCount = t.last - t.first + 1;
            if (rawCount <= 4)
                QCOMPARE(kept[c].size(), rawCount); // sparse columns keep everything
            else
                QVERIFY(kept[c].size() <= 4);
        }
    }

    void gapsSparse()
    {
        // Few points per column: every finite point is kept, and each run of non-finite values
        // becomes exactly one NaN at the run's first x.
        QVector<double> x, y;
        for (int i = 0; i < 100; ++i) {
            x.append(i);
            y.append(i >= 20 && i < 30 ? NaN : i == 50 ? Inf : i * 0.5);
        }
        const DecimatedSeries d = decimateMinMax(spanOf(x), spanOf(y), 0, 99, 1000);
        QCOMPARE(d.gaps, 2);
        QCOMPARE(d.points(), 100 - 11);
        QCOMPARE(d.size(), 100 - 11 + 2);
        const qsizetype g1 =
            std::find_if(d.y.cbegin(), d.y.cend(), [](double v) { return std::isnan(v); }) -
            d.y.cbegin();
        QCOMPARE(d.x[g1], 20.0);
        QCOMPARE(d.x[g1 - 1], 19.0);
        QCOMPARE(d.x[g1 + 1], 30.0);
        const qsizetype g2 = std::find_if(d.y.cbegin() + g1 + 1, d.y.cend(),
                                          [](double v) { return std::isnan(v); }) -
                             d.y.cbegin();
        QCOMPARE(d.x[g2], 50.0);
        QCOMPARE(d.x[g2 - 1], 49.0);
        QCOMPARE(d.x[g2 + 1], 51.0);
        for (double v : d.y)
            QVERIFY(std::isnan(v) || std::isfinite(v)); // no inf reaches the plot
    }

    void gapsDense()
    {
        // 100 points per column; a 400-point hole spanning several columns is one gap with the
        // points on both sides of it kept.
        QVector<double> x, y;
        for (int i = 0; i < 10000; ++i) {
            x.append(i);
            y.append(i >= 5000 && i < 5400 ? NaN : std::sin(i * 0.01));
        }
        const DecimatedSeries d = decimateMinMax(spanOf(x), spanOf(y), 0, 9999, 100);
        QCOMPARE(d.gaps, 1);
        const qsizetype g =
            std::find_if(d.y.cbegin(), d.y.cend(), [](double v) { return std::isnan(v); }) -
            d.y.cbegin();
        QCOMPARE(d.x[g], 5000.0);
        QCOMPARE(d.x[g - 1], 4999.0);
        QCOMPARE(d.x[g + 1], 5400.0);
        QVERIFY(d.size() <= 4 * 100 + 2 + 1);
    }

    void gapsAtEndsAndInsideDenseColumn()
    {
        QVector<double> x, y;
        for (int i = 0; i < 1000; ++i) {
            x.append(i);
            y.append(i < 10 || i >= 990 ? NaN : double(i % 7));
        }
        // Leading and trailing NaNs break nothing: no marker.
        DecimatedSeries d = decimateMinMax(spanOf(x), spanOf(y), 0, 999, 10);
        QCOMPARE(d.gaps, 0);
        QCOMPARE(d.x.constFirst(), 10.0);
        QCOMPARE(d.x.constLast(), 989.0);

        // A one-point hole inside a 100-point column is narrower than the pixel: the column's
        // extent is drawn whole (documented), while the same hole in a sparse view is a gap.
        y[450] = NaN;
        d = decimateMinMax(spanOf(x), spanOf(y), 0, 999, 10);
        QCOMPARE(d.gaps, 0);
        d = decimateMinMax(spanOf(x), spanOf(y), 440, 460, 100);
        QCOMPARE(d.gaps, 1);

        // A gap just outside the visible range still breaks the line to the border.
        y[460] = NaN;
        d = decimateMinMax(spanOf(x), spanOf(y), 455, 459.5, 100);
        QCOMPARE(d.x.constLast(), 459.0); // x = 460 is NaN: no edge point, no line out
        d = decimateMinMax(spanOf(x), spanOf(y), 451.5, 458, 100);
        QCOMPARE(d.x.constFirst(), 451.0);
        y[451] = NaN;
        y[452] = NaN;
        d = decimateMinMax(spanOf(x), spanOf(y), 451.5, 458, 100);
        QCOMPARE(d.x.constFirst(), 453.0); // the left edge is NaN: nothing runs in from it
        QCOMPARE(d.gaps, 0);
    }

    void emptyAndDegenerate()
    {
        const QVector<double> none;
        QCOMPARE(decimateMinMax(spanOf(none), spanOf(none), 0, 1, 100).size(), 0);

        const QVector<double> x1{5}, y1{2.5};
        DecimatedSeries d = decimateMinMax(spanOf(x1), spanOf(y1), 0, 10, 100);
        QCOMPARE(d.x, QVector<double>{5});
        QCOMPARE(d.y, QVector<double>{2.5});
        d = decimateMinMax(spanOf(x1), spanOf(y1), 5, 5, 100); // zero-width range
        QCOMPARE(d.x, QVector<double>{5});
        d = decimateMinMax(spanOf(x1), spanOf(y1), 6, 10, 100); // only a left edge
        QCOMPARE(d.x, QVector<double>{5});

        const QVector<double> x{0, 1, 2}, y{1, 2, 3};
        QCOMPARE(decimateMinMax(spanOf(x), spanOf(y), 0, 2, 0).size(), 0);
        QCOMPARE(decimateMinMax(spanOf(x), spanOf(y), 2, 0, 10).size(), 0);
        QCOMPARE(decimateMinMax(spanOf(x), spanOf(y), NaN, 2, 10).size(), 0);
        const QVector<double> allNaN{NaN, NaN, NaN};
        QCOMPARE(decimateMinMax(spanOf(x), spanOf(allNaN), 0, 2, 10).size(), 0);
        // Mismatched lengths: the extra x values are ignored.
        const QVector<double> y2{1, 2};
        QCOMPARE(decimateMinMax(spanOf(x), spanOf(y2), 0, 2, 10).size(), 2);

        // Many points on one x value (zero-width range) reduce to first, min, max, last.
        QVector<double> same(1000, 3.0), vals;
        for (int i = 0; i < 1000; ++i)
            vals.append(std::cos(i));
        d = decimateMinMax(spanOf(same), spanOf(vals), 3, 3, 500);
        QVERIFY(d.size() <= 4);
        QCOMPARE(d.y.constFirst(), vals.constFirst());
        QCOMPARE(d.y.constLast(), vals.constLast());
    }

    void narrowRange()
    {
        QVector<double> x, y;
        for (int i = 0; i < 1000; ++i) {
            x.append(i);
            y.append(i * i);
        }
        const DecimatedSeries d = decimateMinMax(spanOf(x), spanOf(y), 100.5, 200.5, 800);
        QCOMPARE(d.x.constFirst(), 100.0); // edges: the line runs to both borders
        QCOMPARE(d.x.constLast(), 201.0);
        QCOMPARE(d.size(), 100 + 2); // sparse: every visible point
        for (qsizetype k = 1; k + 1 < d.size(); ++k)
            QVERIFY(d.x[k] >= 101 && d.x[k] <= 200);
        // Entirely between two points: just the two points, so the line crosses the view.
        const DecimatedSeries between = decimateMinMax(spanOf(x), spanOf(y), 10.2, 10.8, 800);
        QCOMPARE(between.x, (QVector<double>{10, 11}));
    }

    void logFilter()
    {
        // On a log axis non-positive values are hidden like NaN: a gap, not a dive to zero.
        const QVector<double> x{0, 1, 2, 3, 4, 5}, y{1, -1, 2, 0, 3, 4};
        const DecimatedSeries d =
            decimateMinMax(spanOf(x), spanOf(y), 0, 5, 100, ValueFilter::FinitePositive);
        QCOMPARE(d.x, (QVector<double>{0, 1, 2, 3, 4, 5}));
        QCOMPARE(d.gaps, 2);
        QCOMPARE(d.y[0], 1.0);
        QVERIFY(std::isnan(d.y[1]));
        QCOMPARE(d.y[2], 2.0);
        QVERIFY(std::isnan(d.y[3]));
        QCOMPARE(countNonPositive(spanOf(y)), 2);
        const QVector<double> withNaN{NaN, -Inf, 0.0, 1.0};
        QCOMPARE(countNonPositive(spanOf(withNaN)), 1);
        const auto r = valueRange(spanOf(x), spanOf(y), 0, 5, ValueFilter::FinitePositive);
        QVERIFY(r);
        QCOMPARE(r->min, 1.0);
        QCOMPARE(r->max, 4.0);
        const auto all = valueRange(spanOf(x), spanOf(y), 1, 3);
        QVERIFY(all);
        QCOMPARE(all->min, -1.0);
        QCOMPARE(all->max, 2.0);
        QVERIFY(!valueRange(spanOf(x), spanOf(y), 6, 9));
    }

    void ema_data()
    {
        QTest::addColumn<QVector<double>>("input");
        QTest::addColumn<double>("weight");
        QTest::addColumn<QVector<double>>("expected");
        // Worked by hand: last = last*w + (1-w)*v; smoothed = last / (1 - w^k).
        //   w = 0.5: 0.5/0.5 = 1; 1.25/0.75 = 1.666...; 2.125/0.875 = 2.428571...
        QTest::newRow("w=0.5") << QVector<double>{1, 2, 3} << 0.5
                               << QVector<double>{1, 5.0 / 3.0, 17.0 / 7.0};
        // NaN passes through and does not count: the third value is debiased with k = 2
        // (MLflow's index-based debias would give 1.25/0.875 = 1.4286 here).
        QTest::newRow("NaN skipped")
            << QVector<double>{1, NaN, 2} << 0.5 << QVector<double>{1, NaN, 5.0 / 3.0};
        QTest::newRow("inf passes") << QVector<double>{4, Inf, 4, 8} << 0.5
                                    << QVector<double>{4, Inf, 4, 4 + 4 * 0.5 / 0.875};
        // Debiasing: without it the second value would be 0.099, not 4.97.
        //   w = 0.99: last1 = 0.1 -> 0.1/0.01 = 10; last2 = 0.099 -> 0.099/0.0199
        QTest::newRow("debiased") << QVector<double>{10, 0} << 0.99
                                  << QVector<double>{10, 0.099 / 0.0199};
        QTest::newRow("w=0 is identity")
            << QVector<double>{3, -1, 7} << 0.0 << QVector<double>{3, -1, 7};
        QTest::newRow("flat stays flat") << QVector<double>{0.1, 0.1, NaN, 0.1, 0.1} << 0.9
                                         << QVector<double>{0.1, 0.1, NaN, 0.1, 0.1};
        QTest::newRow("empty") << QVector<double>{} << 0.6 << QVector<double>{};
    }

    void ema()
    {
        QFETCH(QVector<double>, input);
        QFETCH(double, weight);
        QFETCH(QVector<double>, expected);
        const QVector<double> out = emaSmooth(spanOf(input), weight);
        QCOMPARE(out.size(), expected.size());
        for (qsizetype i = 0; i < out.size(); ++i) {
            if (std::isnan(expected[i]) || std::isinf(expected[i])) {
                QCOMPARE(std::isnan(out[i]), std::isnan(expected[i]));
                QCOMPARE(out[i] == expected[i], !std::isnan(expected[i]));
            } else {
                QVERIFY2(std::abs(out[i] - expected[i]) <=
                             1e-12 * std::max(1.0, std::abs(expected[i])),
                         qPrintable(QStringLiteral("at %1: %2 != %3")
                                        .arg(i)
                                        .arg(out[i], 0, 'g', 17)
                                        .arg(expected[i], 0, 'g', 17)));
            }
        }
    }

    void emaTracksLevel()
    {
        // A noisy series around 5: smoothing keeps the level and removes most of the noise.
        QRandomGenerator rng(42);
        QVector<double> y;
        for (int i = 0; i < 5000; ++i)
            y.append(5 + rng.bounded(2.0) - 1.0);
        const QVector<double> s = emaSmooth(spanOf(y), 0.95);
        double rawDev = 0, smoothDev = 0;
        for (int i = 1000; i < 5000; ++i) {
            rawDev += std::abs(y[i] - 5);
            smoothDev += std::abs(s[i] - 5);
        }
        QVERIFY(smoothDev < rawDev / 4);
        QCOMPARE(s[0], y[0]);
    }

    void xModes()
    {
        const QVector<double> steps{0, 1, 2, 3};
        const QVector<double> ts{1'700'000'002'000, 1'700'000'001'000, 1'700'000'003'500, NaN};
        const QVector<double> st = xValues(XAxisMode::Step, steps, ts);
        QCOMPARE(st, steps);
        QCOMPARE(st.constData(), steps.constData()); // shared, not copied

        const QVector<double> wall = xValues(XAxisMode::WallTime, steps, ts);
        QCOMPARE(wall[0], 1'700'000'002.0);
        QCOMPARE(wall[2], 1'700'000'003.5);
        QVERIFY(std::isnan(wall[3]));

        // Relative to the earliest timestamp, so it starts at 0 even when logged out of order.
        const QVector<double> rel = xValues(XAxisMode::RelativeTime, steps, ts);
        QCOMPARE(rel[0], 1.0);
        QCOMPARE(rel[1], 0.0);
        QCOMPARE(rel[2], 2.5);
        QVERIFY(std::isnan(rel[3]));

        QVERIFY(isAscending(spanOf(steps)));
        QVERIFY(!isAscending(spanOf(rel)));
        const QVector<double> ties{1, 1, 2};
        QVERIFY(isAscending(spanOf(ties)));
    }

    void ordering()
    {
        const QVector<double> x{3, 1, NaN, 2, 1, 3};
        const QVector<qsizetype> order = ascendingOrder(spanOf(x));
        QCOMPARE(order, (QVector<qsizetype>{1, 4, 3, 0, 5})); // stable; NaN dropped
        const QVector<double> v{30, 10, 99, 20, 11, 31};
        QCOMPARE(permuted(spanOf(v), order), (QVector<double>{10, 11, 20, 30, 31}));
        QCOMPARE(permuted(spanOf(x), order), (QVector<double>{1, 1, 2, 3, 3}));
    }

    void nearest()
    {
        const QVector<double> x{0, 10, 20, 30, 40};
        const QVector<double> y{1, NaN, -2, 4, 5};
        QCOMPARE(nearestPoint(spanOf(x), spanOf(y), 12), 2); // 10 is NaN: 20 (or 0) wins
        QCOMPARE(nearestPoint(spanOf(x), spanOf(y), 9), 0);  // 0 is 9 away, 20 is 11
        QCOMPARE(nearestPoint(spanOf(x), spanOf(y), 25), 2); // a tie goes to the earlier
        QCOMPARE(nearestPoint(spanOf(x), spanOf(y), 26), 3);
        QCOMPARE(nearestPoint(spanOf(x), spanOf(y), -100), 0); // before the data
        QCOMPARE(nearestPoint(spanOf(x), spanOf(y), 1000), 4); // after it
        QCOMPARE(nearestPoint(spanOf(x), spanOf(y), 20, ValueFilter::FinitePositive), 3);
        QCOMPARE(nearestPoint(spanOf(x), spanOf(y), NaN), -1);
        const QVector<double> none;
        QCOMPARE(nearestPoint(spanOf(none), spanOf(none), 1), -1);
        const QVector<double> allNaN(5, NaN);
        QCOMPARE(nearestPoint(spanOf(x), spanOf(allNaN), 1), -1);
    }
};

QTEST_GUILESS_MAIN(TestDecimate)
#include "tst_decimate.moc"
