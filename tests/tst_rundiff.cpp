// Runs diff: parameters (added, removed, changed, same), the last value of each metric and the
// change, what each run ran; JSON and text.
#include "metrics/metricstore.h"
#include "runs/rundiff.h"
#include "runs/runstore.h"
#include "store/projectdb.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cairn;

class TestRunDiff : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    std::unique_ptr<Database> m_db;

    qint64 addRun(const QString &entryPoint, const ParamValues &params, const QString &commit,
                  const QList<MetricPoint> &points, qint64 durationMs)
    {
        RunStore store(*m_db);
        RunRecord r;
        r.name = entryPoint + QStringLiteral("-run");
        r.entryPoint = entryPoint;
        r.command = QStringLiteral("true");
        r.params = params;
        const auto id = store.create(r);
        if (!id)
            qFatal("%s", qPrintable(id.error().toString()));
        GitState git;
        git.isRepository = true;
        git.commit = commit;
        (void)store.setGitState(*id, git);
        const QDateTime start = QDateTime::fromMSecsSinceEpoch(1700000000000);
        (void)store.markRunning(*id, 1, 1, start);
        (void)store.markEnded(*id, RunStatus::Finished, 0, std::nullopt, QString(),
                              start.addMSecs(durationMs));
        MetricWriter w(*m_db, *id);
        for (const MetricPoint &p : points)
            w.add(p, 1700000000000);
        if (auto f = w.flush(); !f)
            qFatal("%s", qPrintable(f.error().toString()));
        return *id;
    }

    static MetricPoint point(const char *name, double value, qint64 step)
    {
        return MetricPoint{QString::fromLatin1(name), value, step, std::nullopt};
    }

private slots:
    void initTestCase()
    {
        test::isolateUserDirs();
        auto db = openProjectDatabase(m_tmp.path());
        QVERIFY(db);
        m_db = std::move(*db);
    }

    void paramsMetricsAndRunFields()
    {
        const qint64 a =
            addRun(QStringLiteral("train"),
                   {{QStringLiteral("lr"), QStringLiteral("0.01")},
                    {QStringLiteral("epochs"), QStringLiteral("10")},
                    {QStringLiteral("seed"), QStringLiteral("42")}},
                   QStringLiteral("aaaaaaa1111"),
                   {point("loss", 0.9, 0), point("loss", 0.5, 1), point("accuracy", 0.80, 1),
                    point("only_a", 1, 0), point("same", 3, 0)},
                   12000);
        const qint64 b =
            addRun(QStringLiteral("train"),
                   {{QStringLiteral("lr"), QStringLiteral("0.02")},
                    {QStringLiteral("epochs"), QStringLiteral("10")},
                    {QStringLiteral("dropout"), QStringLiteral("0.1")}},
                   QStringLiteral("bbbbbbb2222"),
                   {point("loss", 0.7, 0), point("loss", 0.25, 5), point("accuracy", 0.85, 5),
                    point("only_b", 2, 0), point("same", 3, 0)},
                   14500);
        const auto d = diffRuns(*m_db, a, b);
        QVERIFY2(d, qPrintable(d ? QString() : d.error().toString()));

        QCOMPARE(d->params.size(), 4);
        QCOMPARE(d->params[0].key, QStringLiteral("lr"));
        QCOMPARE(d->params[0].kind, ChangeKind::Changed);
        QCOMPARE(*d->params[0].before, QStringLiteral("0.01"));
        QCOMPARE(*d->params[0].after, QStringLiteral("0.02"));
        QCOMPARE(d->params[1].kind, ChangeKind::Same);
        QCOMPARE(d->params[2].key, QStringLiteral("seed"));
        QCOMPARE(d->params[2].kind, ChangeKind::Removed);
        QVERIFY(!d->params[2].after);
        QCOMPARE(d->params[3].key, QStringLiteral("dropout"));
        QCOMPARE(d->params[3].kind, ChangeKind::Added);
        QCOMPARE(d->changedParams(), 3);

        // Metrics by name: the last value on each side and the change.
        QCOMPARE(d->metrics.size(), 5);
        QHash<QString, MetricChange> m;
        for (const MetricChange &c : d->metrics)
            m.insert(c.name, c);
        QCOMPARE(m[QStringLiteral("loss")].kind, ChangeKind::Changed);
        QCOMPARE(*m[QStringLiteral("loss")].before, 0.5);
        QCOMPARE(*m[QStringLiteral("loss")].after, 0.25);
        QCOMPARE(*m[QStringLiteral("loss")].stepAfter, 5);
        QCOMPARE(*m[QStringLiteral("loss")].delta(), -0.25);
        QVERIFY(std::abs(*m[QStringLiteral("accuracy")].delta() - 0.05) < 1e-12);
        QCOMPARE(m[QStringLiteral("only_a")].kind, ChangeKind::Removed);
        QVERIFY(!m[QStringLiteral("only_a")].delta());
        QCOMPARE(m[QStringLiteral("only_b")].kind, ChangeKind::Added);
        QCOMPARE(m[QStringLiteral("same")].kind, ChangeKind::Same);
        QCOMPARE(d->changedMetrics(), 4);

        QCOMPARE(d->a.entryPoint, QStringLiteral("train"));
        QVERIFY(d->sameEntryPoint());
        QVERIFY(!d->sameCommit());
        QCOMPARE(d->a.status, QStringLiteral("finished"));
        QCOMPARE(d->a.durationMs, 12000);
        QCOMPARE(d->b.durationMs, 14500);

        const QJsonObject json = runDiffJson(*d);
        QCOMPARE(json.value(QStringLiteral("a")).toObject().value(QStringLiteral("id")).toInteger(),
                 a);
        QCOMPARE(json.value(QStringLiteral("b"))
                     .toObject()
                     .value(QStringLiteral("git_commit"))
                     .toString(),
                 QStringLiteral("bbbbbbb2222"));
        const QJsonArray params = json.value(QStringLiteral("params")).toArray();
        QCOMPARE(params.size(), 4);
        QCOMPARE(params[0].toObject().value(QStringLiteral("status")).toString(),
                 QStringLiteral("changed"));
        QCOMPARE(params[3].toObject().value(QStringLiteral("a")).type(), QJsonValue::Null);
        bool sawLoss = false;
        for (const QJsonValue &v : json.value(QStringLiteral("metrics")).toArray()) {
            const QJsonObject o = v.toObject();
            if (o.value(QStringLiteral("name")).toString() == QStringLiteral("loss")) {
                sawLoss = true;
                QCOMPARE(o.value(QStringLiteral("delta")).toDouble(), -0.25);
                QCOMPARE(o.value(QStringLiteral("b_step")).toInt(), 5);
            }
        }
        QVERIFY(sawLoss);

        const QString text = runDiffText(*d);
        QVERIFY2(text.contains(QStringLiteral("0.01 → 0.02")), qPrintable(text));
        QVERIFY(text.contains(QStringLiteral("+ dropout")));
        QVERIFY(text.contains(QStringLiteral("- seed")));
        QVERIFY(text.contains(QStringLiteral("0.5 → 0.25  (-0.25)")));
        QVERIFY(text.contains(QStringLiteral("aaaaaaa")));
        QVERIFY(text.contains(QStringLiteral("12.0 s")));
        QVERIFY(!text.contains(QStringLiteral("epochs"))); // unchanged: only with `all`
        QVERIFY(runDiffText(*d, true).contains(QStringLiteral("epochs")));
    }

    void nanMetricsAndUnknownRun()
    {
        const qint64 a = addRun(QStringLiteral("x"), {}, QString(), {point("v", NAN, 0)}, 0);
        const qint64 b = addRun(QStringLiteral("y"), {}, QString(), {point("v", NAN, 0)}, 0);
        const auto d = diffRuns(*m_db, a, b);
        QVERIFY(d);
        QCOMPARE(d->metrics.size(), 1);
        QCOMPARE(d->metrics[0].kind, ChangeKind::Same); // NaN and NaN: no change
        QVERIFY(!d->metrics[0].delta());
        QVERIFY(!d->sameEntryPoint());
        QCOMPARE(runDiffJson(*d)
                     .value(QStringLiteral("metrics"))
                     .toArray()[0]
                     .toObject()
                     .value(QStringLiteral("a"))
                     .toString(),
                 QStringLiteral("nan"));

        const auto missing = diffRuns(*m_db, a, 9999);
        QVERIFY(!missing);
        QVERIFY(missing.error().message.contains(QStringLiteral("no run 9999")));
    }
};

QTEST_GUILESS_MAIN(TestRunDiff)
#include "tst_rundiff.moc"
