// Metric lines as scripts write them, output patterns, and the block store round trip.

#include "metrics/metricparse.h"
#include "metrics/metricstore.h"
#include "runs/runstore.h"
#include "store/projectdb.h"
#include "testsupport.h"

#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cairn;

class TestMetrics : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    std::unique_ptr<Database> m_db;

    qint64 newRun()
    {
        RunRecord r;
        r.entryPoint = "t";
        r.command = "-";
        return *RunStore(*m_db).create(r);
    }

private slots:
    void initTestCase()
    {
        auto db = openProjectDatabase(m_tmp.path());
        QVERIFY(db);
        m_db = std::move(*db);
    }

    void parseLines_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("expected"); // "name=value@step/ts;..." or "error: text"
        QTest::newRow("named") << QByteArray(R"({"name": "loss", "value": 0.31, "step": 5})")
                               << "loss=0.31@5/-";
        QTest::newRow("timestamp ms")
            << QByteArray(R"({"name": "a", "value": 1, "timestamp": 1795000000123})")
            << "a=1@-/1795000000123";
        QTest::newRow("timestamp seconds")
            << QByteArray(R"({"name": "a", "value": 1, "timestamp": 1795000000.5})")
            << "a=1@-/1795000000500";
        QTest::newRow("NaN bare") << QByteArray(R"({"name": "a", "value": NaN})") << "a=nan@-/-";
        QTest::newRow("Infinity bare")
            << QByteArray(R"({"name": "a", "value": -Infinity, "step": 2})") << "a=-inf@2/-";
        QTest::newRow("NaN as string")
            << QByteArray(R"({"name": "a", "value": "nan"})") << "a=nan@-/-";
        QTest::newRow("escaped name")
            << QByteArray(R"({"name": "val\/acc \u00e9", "value": 2})") << "val/acc é=2@-/-";
        QTest::newRow("key alias") << QByteArray(R"({"key": "a", "value": 3})") << "a=3@-/-";
        QTest::newRow("flat") << QByteArray(R"({"loss": 0.5, "acc": 0.9, "step": 7, "note": "x"})")
                              << "loss=0.5@7/-;acc=0.9@7/-";
        QTest::newRow("nested ignored")
            << QByteArray(R"({"name": "a", "value": 1, "extra": {"x": [1, 2]}})") << "a=1@-/-";
        QTest::newRow("whitespace") << QByteArray("  {\"name\":\"a\",\"value\":1}  ") << "a=1@-/-";
        QTest::newRow("no value") << QByteArray(R"({"name": "a"})")
                                  << "error: \"a\" has no \"value\"";
        QTest::newRow("value not a number") << QByteArray(R"({"name": "a", "value": "high"})")
                                            << "error: the value of \"a\" is not a number";
        QTest::newRow("fractional step") << QByteArray(R"({"name": "a", "value": 1, "step": 1.5})")
                                         << "error: \"step\" must be a whole number";
        QTest::newRow("not an object")
            << QByteArray("[1, 2]") << "error: a metric line must be a JSON object";
        QTest::newRow("truncated") << QByteArray(R"({"name": "a", "value": 1)") << "error: ";
        QTest::newRow("trailing text")
            << QByteArray(R"({"name": "a", "value": 1} x)") << "error: text after the closing '}'";
        QTest::newRow("nothing numeric")
            << QByteArray(R"({"note": "hello"})") << "error: no metric in the line";
    }
    void parseLines()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, expected);
        QList<MetricPoint> out;
        QString error;
        const bool ok = parseMetricLine(line, out, &error);
        if (expected.startsWith("error: ")) {
            QVERIFY(!ok);
            QVERIFY(out.isEmpty());
            QVERIFY2(error.startsWith(expected.mid(7)), qPrintable(error));
            return;
        }
        QVERIFY2(ok, qPrintable(error));
        QStringList got;
        for (const MetricPoint &p : out)
            got << QString("%1=%2@%3/%4")
                       .arg(p.name, std::isnan(p.value)   ? QString("nan")
                                    : std::isinf(p.value) ? QString(p.value > 0 ? "inf" : "-inf")
                                                          : QString::number(p.value))
                       .arg(p.step ? QString::number(*p.step) : QString("-"))
                       .arg(p.timestampMs ? QString::number(*p.timestampMs) : QString("-"));
        QCOMPARE(got.join(';'), expected);
    }

    void outputPatterns()
    {
        OutputMetricMatcher m(
            {{QStringLiteral("loss: (?<value>\\S+)"), QStringLiteral("loss"), {}},
             {QStringLiteral(
                  "(?<name>\\w+)=(?<value>[-+0-9.eE]+|nan|inf) \\(step (?<step>\\d+)\\)"),
              {},
              {}}});
        QList<MetricPoint> out;
        m.match(u"epoch 3 loss: 0.25 acc=0.9 (step 3)", out);
        QCOMPARE(out.size(), 2);
        QCOMPARE(out[0].name, QStringLiteral("loss"));
        QCOMPARE(out[0].value, 0.25);
        QCOMPARE(out[1].name, QStringLiteral("acc"));
        QCOMPARE(out[1].step, 3);
        out.clear();
        m.match(u"cairn:metric {\"name\": \"lr\", \"value\": 0.01, \"step\": 4}", out);
        QCOMPARE(out.size(), 1);
        QCOMPARE(out[0].name, QStringLiteral("lr"));
        out.clear();
        m.match(u"loss: not-a-number", out);
        QVERIFY(out.isEmpty());
    }

    void blocksRoundTrip()
    {
        const qint64 run = newRun();
        MetricWriter w(*m_db, run);
        // Small flushes (a live run), then a burst larger than a block.
        QVector<double> expected;
        qint64 step = 0;
        for (int flush = 0; flush < 30; ++flush) {
            for (int i = 0; i < 7; ++i, ++step) {
                w.add(MetricPoint{"loss", double(step) * 0.5, step, 1000 + step}, 0);
                expected.append(double(step) * 0.5);
            }
            QVERIFY(w.flush());
        }
        for (int i = 0; i < 10000; ++i, ++step) {
            w.add(MetricPoint{"loss", double(step) * 0.5, step, 1000 + step}, 0);
            expected.append(double(step) * 0.5);
        }
        w.add(MetricPoint{"loss", std::nan(""), step++, 0}, 0);
        w.add(MetricPoint{"loss", INFINITY, step++, 0}, 0);
        QVERIFY(w.flush());
        MetricStore store(*m_db);
        const auto s = store.series(run, "loss");
        QVERIFY(s);
        QCOMPARE(s->size(), expected.size() + 2);
        QCOMPARE(s->values.mid(0, expected.size()), expected);
        QVERIFY(std::isnan(s->values[expected.size()]));
        QVERIFY(std::isinf(s->values.last()));
        QCOMPARE(s->steps.last(), double(step - 1));
        QCOMPARE(s->timestamps[5], 1005.0);
        // Few rows for many points.
        auto rows =
            m_db->prepare(u"SELECT count(*), sum(count) FROM metric_blocks WHERE run_id = ?1");
        QVERIFY(rows->bind(1, run).step().value_or(false));
        QVERIFY2(rows->int64(0) <= 6, qPrintable(QString::number(rows->int64(0))));
        QCOMPARE(rows->int64(1), qint64(expected.size() + 2));
        const auto latest = store.latest(run);
        QCOMPARE(latest->size(), 1);
        QCOMPARE(latest->first().count, qint64(expected.size() + 2));
        QCOMPARE(latest->first().min, 0.0);
        QCOMPARE(latest->first().max, expected.last());
        QVERIFY(std::isinf(latest->first().value));
    }

    void stepsOutOfOrderAndAutoSteps()
    {
        const qint64 run = newRun();
        MetricWriter w(*m_db, run);
        w.add(MetricPoint{"a", 1, 5, 0}, 0);
        w.add(MetricPoint{"a", 2, 2, 0}, 0);
        w.add(MetricPoint{"a", 3, 5, 0}, 0); // same step again: kept, after the first
        w.add(MetricPoint{"b", 10, std::nullopt, 0}, 0);
        w.add(MetricPoint{"b", 11, std::nullopt, 0}, 0);
        QVERIFY(w.flush());
        // A second writer (a recovery) continues the numbering.
        MetricWriter again(*m_db, run);
        again.add(MetricPoint{"b", 12, std::nullopt, 0}, 0);
        QVERIFY(again.flush());
        MetricStore store(*m_db);
        const auto a = store.series(run, "a");
        QCOMPARE(a->steps, (QVector<double>{2, 5, 5}));
        QCOMPARE(a->values, (QVector<double>{2, 1, 3}));
        const auto b = store.series(run, "b");
        QCOMPARE(b->steps, (QVector<double>{0, 1, 2}));
        QCOMPARE(store.latest(run)->at(0).value, 3.0); // latest = highest step, then last arrived
        QCOMPARE(*store.names(run), (QStringList{"a", "b"}));
    }
};

QTEST_GUILESS_MAIN(TestMetrics)
#include "tst_metrics.moc"
