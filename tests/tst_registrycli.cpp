// cairn-cli gate, register, promote and models as a user (or a pipeline step) runs them: the
// output and the exit codes 0 (done, gate passed), 1 (gate failed, promotion refused) and 2
// (usage, or nothing to evaluate).

#include "testsupport.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;

class TestRegistryCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_root;

    test::ProcessResult cli(const QStringList &args)
    {
        return test::runProcess(test::cliPath(), args, m_root, 180000);
    }

    void train(const QString &auc)
    {
        const auto r = cli({QStringLiteral("run"), QStringLiteral("train"), QStringLiteral("-P"),
                            QStringLiteral("auc=") + auc});
        QVERIFY2(r.exitCode == 0, r.err.constData());
    }

private slots:
    void initTestCase()
    {
        test::isolateUserDirs();
        QVERIFY2(QFile::exists(test::cliPath()), qPrintable(test::cliPath()));
        m_root = QDir(m_tmp.path()).canonicalPath();
        test::writeFile(m_root + QStringLiteral("/cairn.yaml"),
                        "name: registry-cli\n"
                        "entry_points:\n"
                        "  train:\n"
                        "    command: sh train.sh {auc}\n"
                        "    parameters: {auc: float}\n"
                        "models:\n"
                        "  m:\n"
                        "    path: models/m.json\n"
                        "    gate: [auc >= 0.75, auc >= production.auc - 0.01]\n"
                        "  other: models/other.json\n");
        test::writeFile(m_root + QStringLiteral("/train.sh"),
                        "mkdir -p models\n"
                        "echo \"cairn:metric {\\\"auc\\\": $1}\"\n"
                        "echo \"auc $1\" > models/m.json\n");
    }

    void lifecycle()
    {
        train(QStringLiteral("0.8"));
        const auto gate = cli({QStringLiteral("gate"), QStringLiteral("last")});
        QVERIFY2(gate.exitCode == 0, QByteArray(gate.out + gate.err).constData());
        QVERIFY2(gate.out.contains("PASS  auc >= 0.75: auc 0.8000 >= 0.75"), gate.out.constData());
        QVERIFY(gate.out.contains("SKIP  auc >= production.auc - 0.01: no production version yet"));
        QVERIFY(gate.out.endsWith("gate passed\n"));

        const auto reg = cli({QStringLiteral("register"), QStringLiteral("m"),
                              QStringLiteral("--run"), QStringLiteral("1")});
        QVERIFY2(reg.exitCode == 0, reg.err.constData());
        QCOMPARE(reg.out, QByteArray("registered m version 1 (from run #1), gate passed\n"));
        const auto again = cli({QStringLiteral("register"), QStringLiteral("m"),
                                QStringLiteral("--run"), QStringLiteral("1")});
        QCOMPARE(again.exitCode, 2);
        QVERIFY2(again.err.contains("already registered as version 1"), again.err.constData());

        const auto prod = cli({QStringLiteral("promote"), QStringLiteral("m"), QStringLiteral("1"),
                               QStringLiteral("--to"), QStringLiteral("production")});
        QVERIFY2(prod.exitCode == 0, prod.err.constData());
        QVERIFY(prod.out.contains("m version 1 is now \"production\""));

        train(QStringLiteral("0.7"));
        const auto failed = cli({QStringLiteral("gate"), QStringLiteral("2"),
                                 QStringLiteral("--model"), QStringLiteral("m")});
        QCOMPARE(failed.exitCode, 1);
        QVERIFY(failed.out.contains("FAIL  auc >= 0.75"));
        QVERIFY(failed.out.contains("auc 0.7000 < 0.7900 (production.auc 0.8000 - 0.01)"));
        QVERIFY(failed.out.endsWith("gate failed\n"));
        const auto gateJson =
            cli({QStringLiteral("gate"), QStringLiteral("2"), QStringLiteral("--json")});
        QCOMPARE(gateJson.exitCode, 1);
        const QJsonObject report = QJsonDocument::fromJson(gateJson.out).object();
        QCOMPARE(report[QStringLiteral("passed")].toBool(true), false);
        QCOMPARE(report[QStringLiteral("conditions")].toArray().size(), 2);

        // Registration is not promotion: a failed gate still registers (exit 0).
        const auto reg2 =
            cli({QStringLiteral("register"), QStringLiteral("m"), QStringLiteral("--run"),
                 QStringLiteral("2"), QStringLiteral("--note"), QStringLiteral("worse")});
        QCOMPARE(reg2.exitCode, 0);
        QVERIFY2(
            reg2.out.startsWith("registered m version 2 (from run #2), gate failed: auc >= 0.75"),
            reg2.out.constData());

        const auto refused =
            cli({QStringLiteral("promote"), QStringLiteral("m"), QStringLiteral("2"),
                 QStringLiteral("--to"), QStringLiteral("production")});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY(refused.err.contains("auc >= 0.75"));
        QVERIFY(refused.err.contains("Pass --reason"));
        const auto forced =
            cli({QStringLiteral("promote"), QStringLiteral("m"), QStringLiteral("2"),
                 QStringLiteral("--to"), QStringLiteral("production"), QStringLiteral("--reason"),
                 QStringLiteral("rollback test")});
        QVERIFY2(forced.exitCode == 0, forced.err.constData());
        QVERIFY(forced.out.contains("(was version 1)"));
        QVERIFY(forced.out.contains("overridden: rollback test"));

        const auto models = cli({QStringLiteral("models"), QStringLiteral("--json")});
        QCOMPARE(models.exitCode, 0);
        const QJsonArray list =
            QJsonDocument::fromJson(models.out).object()[QStringLiteral("models")].toArray();
        QCOMPARE(list.size(), 1);
        const QJsonObject m = list.first().toObject();
        QCOMPARE(m[QStringLiteral("aliases")].toObject()[QStringLiteral("production")].toInt(), 2);
        const QJsonArray versions = m[QStringLiteral("versions")].toArray();
        QCOMPARE(versions.size(), 2);
        QCOMPARE(versions[0].toObject()[QStringLiteral("version")].toInt(), 2);
        QCOMPARE(versions[0].toObject()[QStringLiteral("note")].toString(),
                 QStringLiteral("worse"));
        QCOMPARE(versions[1].toObject()[QStringLiteral("run")].toInt(), 1);

        const auto text = cli({QStringLiteral("models"), QStringLiteral("m")});
        QCOMPARE(text.exitCode, 0);
        QVERIFY2(text.out.contains("v2  production  run #2"), text.out.constData());
        const auto hist = cli({QStringLiteral("models"), QStringLiteral("--history")});
        QCOMPARE(hist.exitCode, 0);
        QVERIFY2(hist.out.contains("(overridden): rollback test"), hist.out.constData());

        const auto rm =
            cli({QStringLiteral("promote"), QStringLiteral("m"), QStringLiteral("2"),
                 QStringLiteral("--to"), QStringLiteral("production"), QStringLiteral("--remove")});
        QCOMPARE(rm.exitCode, 0);
        QVERIFY(rm.out.contains("removed \"production\" from m version 2"));
    }

    void usageAndErrors()
    {
        const auto help = cli({QStringLiteral("--help")});
        for (const char *line : {"gate RUN [--model NAME]", "register MODEL --run RUN",
                                 "promote MODEL VERSION --to ALIAS", "models [MODEL] [--json]"})
            QVERIFY2(help.out.contains(line), line);
        const QStringList bad[] = {
            {QStringLiteral("gate")},
            {QStringLiteral("gate"), QStringLiteral("999")},
            {QStringLiteral("gate"), QStringLiteral("1"), QStringLiteral("--model"),
             QStringLiteral("nope")},
            {QStringLiteral("register"), QStringLiteral("m")},
            {QStringLiteral("register"), QStringLiteral("nope"), QStringLiteral("--run"),
             QStringLiteral("1")},
            {QStringLiteral("register"), QStringLiteral("other"), QStringLiteral("--run"),
             QStringLiteral("1")},
            {QStringLiteral("promote"), QStringLiteral("m"), QStringLiteral("1")},
            {QStringLiteral("promote"), QStringLiteral("m"), QStringLiteral("x"),
             QStringLiteral("--to"), QStringLiteral("staging")},
            {QStringLiteral("promote"), QStringLiteral("m"), QStringLiteral("9"),
             QStringLiteral("--to"), QStringLiteral("staging")},
            {QStringLiteral("promote"), QStringLiteral("m"), QStringLiteral("1"),
             QStringLiteral("--to"), QStringLiteral("Bad")},
            {QStringLiteral("models"), QStringLiteral("nope")},
        };
        for (const QStringList &args : bad) {
            const auto r = cli(args);
            QVERIFY2(r.exitCode == 2,
                     qPrintable(args.join(u' ') + QStringLiteral(": ") +
                                QString::number(r.exitCode) + u' ' + QString::fromUtf8(r.err)));
            QVERIFY2(!r.err.isEmpty(), qPrintable(args.join(u' ')));
        }
    }

    // A run that wrote the model's bytes again (same content) did not write the model: `gate`
    // shows why it fails, `register` names the run that did write it.
    void runThatDidNotWrite()
    {
        train(QStringLiteral("0.7")); // the content run #2 wrote
        const auto which = cli({QStringLiteral("gate"), QStringLiteral("last")});
        QCOMPARE(which.exitCode, 2); // two models declared: which one?
        QVERIFY2(which.err.contains("wrote no declared model"), which.err.constData());
        const auto gate = cli({QStringLiteral("gate"), QStringLiteral("last"),
                               QStringLiteral("--model"), QStringLiteral("m")});
        QCOMPARE(gate.exitCode, 1);
        QVERIFY2(gate.out.contains("did not write m's files: a gate judges the run that trained "
                                   "the model"),
                 gate.out.constData());
        QVERIFY(gate.out.endsWith("gate failed\n"));
        const auto reg = cli({QStringLiteral("register"), QStringLiteral("m"),
                              QStringLiteral("--run"), QStringLiteral("last")});
        QCOMPARE(reg.exitCode, 2);
        QVERIFY2(reg.err.contains("(train) did not write m's files; run #2 (train) did"),
                 reg.err.constData());

        // One model declared: `gate last` picks it, and the failure shows.
        QTemporaryDir other;
        const QString root = QDir(other.path()).canonicalPath();
        test::writeFile(root + QStringLiteral("/cairn.yaml"),
                        "name: one-model\n"
                        "entry_points: {train: 'mkdir -p models && echo same > models/m.json'}\n"
                        "models:\n"
                        "  m:\n"
                        "    path: models/m.json\n"
                        "    gate: [1 > 0]\n");
        for (int i = 0; i < 2; ++i) {
            const auto r = test::runProcess(
                test::cliPath(), {QStringLiteral("run"), QStringLiteral("train")}, root, 180000);
            QVERIFY2(r.exitCode == 0, r.err.constData());
        }
        const auto first = test::runProcess(
            test::cliPath(), {QStringLiteral("gate"), QStringLiteral("1")}, root, 180000);
        QVERIFY2(first.exitCode == 0, QByteArray(first.out + first.err).constData());
        const auto last = test::runProcess(
            test::cliPath(), {QStringLiteral("gate"), QStringLiteral("last")}, root, 180000);
        QCOMPARE(last.exitCode, 1);
        QVERIFY2(last.out.contains("FAIL  run #2 did not write m's files"), last.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestRegistryCli)
#include "tst_registrycli.moc"
