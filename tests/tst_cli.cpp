// cairn-cli as a user runs it: help, version, init, demo, project show, run, runs, and errors
// on stderr with a non-zero exit.

#include "common/version.h"
#include "testsupport.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace cairn;

class TestCli : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_demo;

    test::ProcessResult cli(const QStringList &args, const QString &cwd = {})
    {
        return test::runProcess(test::cliPath(), args, cwd.isEmpty() ? m_tmp.path() : cwd, 180000);
    }

private slots:
    void initTestCase()
    {
        test::isolateUserDirs();
        QVERIFY2(QFile::exists(test::cliPath()), qPrintable(test::cliPath()));
        m_demo = m_tmp.filePath(QStringLiteral("demo"));
    }

    void versionAndHelp()
    {
        const auto v = cli({QStringLiteral("--version")});
        QCOMPARE(v.exitCode, 0);
        QCOMPARE(v.out, QStringLiteral("cairn %1\n").arg(cairnVersion()).toUtf8());
        const auto h = cli({QStringLiteral("--help")});
        QCOMPARE(h.exitCode, 0);
        for (const char *word : {"init", "demo", "project show", "run ENTRY", "--project"})
            QVERIFY2(h.out.contains(word), word);
        const auto none = cli({});
        QCOMPARE(none.exitCode, 2);
        QVERIFY(none.err.contains("Usage: cairn-cli"));
        const auto unknown = cli({QStringLiteral("frobnicate")});
        QCOMPARE(unknown.exitCode, 2);
        QVERIFY(unknown.err.contains("unknown command \"frobnicate\""));
        const auto badOption =
            cli({QStringLiteral("project"), QStringLiteral("show"), QStringLiteral("--bogus")});
        QCOMPARE(badOption.exitCode, 2);
        QVERIFY(badOption.err.contains("bogus"));
    }

    void initCommand()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("fresh"));
        const auto r = cli({QStringLiteral("init"), dir});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(QFile::exists(dir + QStringLiteral("/cairn.yaml")));
        const auto show = cli(
            {QStringLiteral("project"), QStringLiteral("show"), QStringLiteral("--project"), dir});
        QCOMPARE(show.exitCode, 0);
        QVERIFY(show.out.contains("Project fresh"));
        const auto again = cli({QStringLiteral("init"), dir});
        QCOMPARE(again.exitCode, 1);
        QVERIFY(again.err.contains("a cairn.yaml exists already"));
        QVERIFY(again.out.isEmpty());
    }

    void demoAndShow()
    {
        const auto r = cli({QStringLiteral("demo"), m_demo});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("Wrote the churn demo project"));
        const auto again = cli({QStringLiteral("demo"), m_demo});
        QCOMPARE(again.exitCode, 1);
        QVERIFY(again.err.contains("the folder is not empty"));
        QCOMPARE(cli({QStringLiteral("demo")}).exitCode, 2);

        const auto text = cli({QStringLiteral("project"), QStringLiteral("show")},
                              m_demo + QStringLiteral("/data"));
        QCOMPARE(text.exitCode, 0); // found from a subfolder, like git
        QVERIFY(text.out.contains("Entry points (2)"));
        QVERIFY(text.out.contains("incoming: data/incoming/batch-*.csv (6 files"));
        QVERIFY(text.out.contains("checks: rows, age, monthly_charges, total_charges, contract, "
                                  "churned (cairn-cli validate reference)"));
        QVERIFY(text.out.contains("(cairn-cli validate FILE)")); // incoming has six files
        QVERIFY(text.out.contains("gate: val_accuracy >= 0.65; "));

        const auto json = cli({QStringLiteral("project"), QStringLiteral("show"),
                               QStringLiteral("--json"), QStringLiteral("--project"), m_demo});
        QCOMPARE(json.exitCode, 0);
        QJsonParseError perr;
        const QJsonObject o = QJsonDocument::fromJson(json.out, &perr).object();
        QCOMPARE(perr.error, QJsonParseError::NoError);
        QCOMPARE(o.value(QStringLiteral("name")).toString(), QStringLiteral("churn-demo"));
        QCOMPARE(o.value(QStringLiteral("format")).toString(), QStringLiteral("cairn.yaml"));
        const QJsonArray eps = o.value(QStringLiteral("entry_points")).toArray();
        QCOMPARE(eps.size(), 2);
        QCOMPARE(eps[0].toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("train"));
        const QJsonArray params = eps[0].toObject().value(QStringLiteral("parameters")).toArray();
        QCOMPARE(params[2].toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("lr"));
        QCOMPARE(params[2].toObject().value(QStringLiteral("type")).toString(),
                 QStringLiteral("float"));
        QCOMPARE(params[2].toObject().value(QStringLiteral("default")).toString(),
                 QStringLiteral("0.3"));
        const QJsonArray datasets = o.value(QStringLiteral("datasets")).toArray();
        QCOMPARE(datasets.size(), 2);
        QCOMPARE(datasets[1].toObject().value(QStringLiteral("files")).toArray().size(), 6);
        QCOMPARE(o.value(QStringLiteral("models")).toArray().size(), 1);
        const QJsonObject checks =
            datasets[0].toObject().value(QStringLiteral("checks")).toObject();
        QCOMPARE(checks.value("columns").toObject().value("age").toObject().value("max").toDouble(),
                 100.0);
        QCOMPARE(checks.value("rows").toObject().value("min").toDouble(), 1000.0);
        const QJsonObject gate = o.value(QStringLiteral("models"))
                                     .toArray()[0]
                                     .toObject()
                                     .value(QStringLiteral("gate"))
                                     .toObject();
        QCOMPARE(gate.value("metrics").toArray().size(), 3);
        QVERIFY(gate.value("data_checks").toBool());
        QCOMPARE(
            o.value(QStringLiteral("drift")).toObject().value(QStringLiteral("current")).toString(),
            QStringLiteral("incoming"));
    }

    void ctrlCCancelsAForegroundRun()
    {
        const QString dir = m_tmp.filePath("sleepy");
        test::writeFile(dir + "/cairn.yaml",
                        "name: sleepy\nentry_points:\n  nap: \"echo napping; sleep 60\"\n"
                        "  quick: \"echo quick; exit 7\"\n");
        QProcess p;
        p.setWorkingDirectory(dir);
        p.start(test::cliPath(), {"run", "nap"});
        QVERIFY(p.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT((p.waitForReadyRead(100), p.peek(100).contains("napping")), 20000);
        ::kill(pid_t(p.processId()), SIGINT);
        QVERIFY(p.waitForFinished(20000));
        QCOMPARE(p.exitCode(), 130);
        QVERIFY(p.readAllStandardError().contains("was cancelled"));
        const auto show = cli({"show", "last", "--json"}, dir);
        QCOMPARE(QJsonDocument::fromJson(show.out).object().value("status").toString(),
                 QString("cancelled"));

        // The exit code is the run's own.
        const auto quick = cli({"run", "quick"}, dir);
        QCOMPARE(quick.exitCode, 7);
        QVERIFY(quick.err.startsWith("cairn-cli: run 2 of quick"));
    }

    void detachLogsShowMetricsCancel()
    {
        const QString dir = m_tmp.filePath("detached");
        test::writeFile(dir + "/cairn.yaml", "name: detached\nentry_points:\n"
                                             "  count: sh count.sh\n"
                                             "  long: \"sleep 60\"\n");
        test::writeFile(dir + "/count.sh",
                        "for i in 1 2 3; do\n"
                        "  echo tick $i\n"
                        "  echo \"cairn:metric {\\\"name\\\": \\\"i\\\", \\\"value\\\": $i}\"\n"
                        "  sleep 0.3\n"
                        "done\n");
        const auto start = cli({"run", "count", "--detach"}, dir);
        QCOMPARE(start.exitCode, 0);
        const QString id = QString::fromUtf8(start.out).trimmed();
        QCOMPARE(id, QString("1"));
        const auto logs = cli({"logs", id, "--follow"}, dir);
        QCOMPARE(logs.exitCode, 0);
        QCOMPARE(logs.out.count("tick "), 3);
        QVERIFY(logs.err.contains("run 1 finished"));
        const auto metrics = cli({"metrics", "last", "--name", "i", "--json"}, dir);
        QCOMPARE(metrics.exitCode, 0);
        const QJsonArray points = QJsonDocument::fromJson(metrics.out).array();
        QCOMPARE(points.size(), 3);
        QCOMPARE(points[2].toObject().value("value").toDouble(), 3.0);
        const auto table = cli({"metrics", "1"}, dir);
        QVERIFY(table.out.contains("i "));
        const auto missing = cli({"metrics", "1", "--name", "loss"}, dir);
        QCOMPARE(missing.exitCode, 1);
        QVERIFY(missing.err.contains("run 1 has no metric \"loss\""));
        const auto show = cli({"show", "1"}, dir);
        QVERIFY(show.out.contains("Run 1 — finished"));
        const auto bad = cli({"show", "99"}, dir);
        QCOMPARE(bad.exitCode, 1);
        QVERIFY(bad.err.contains("there is no run 99"));

        const auto longRun = cli({"run", "long", "--detach"}, dir);
        const QString longId = QString::fromUtf8(longRun.out).trimmed();
        QTest::qWait(500);
        const auto cancel = cli({"cancel", longId}, dir);
        QCOMPARE(cancel.exitCode, 0);
        QVERIFY(cancel.out.contains("was cancelled"));
        const auto again = cli({"cancel", longId}, dir);
        QCOMPARE(again.exitCode, 1);
        QVERIFY(again.err.contains("has already ended"));
    }

    void malformedProjectFile()
    {
        const QString dir = m_tmp.filePath(QStringLiteral("broken"));
        test::writeFile(dir + QStringLiteral("/cairn.yaml"),
                        "name: broken\nentry_points:\n  train:\n    command: python t.py {epochs}\n"
                        "    parameters:\n      epochs: {type: int, default: many}\n");
        const auto r = cli(
            {QStringLiteral("project"), QStringLiteral("show"), QStringLiteral("--project"), dir});
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.out.isEmpty());
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(
            err.contains(
                dir + QStringLiteral("/cairn.yaml:6:36: the default of parameter \"epochs\" is int "
                                     "but \"many\" is not an integer")),
            qPrintable(err));
    }

    void runTrainAndList()
    {
        if (!QFile::exists(m_demo + QStringLiteral("/cairn.yaml")))
            QSKIP("needs demoAndShow");
        const auto bad = cli({QStringLiteral("run"), QStringLiteral("train"), QStringLiteral("-P"),
                              QStringLiteral("lr=abc")},
                             m_demo);
        QCOMPARE(bad.exitCode, 1);
        QVERIFY(bad.err.contains("parameter \"lr\" is float but \"abc\" is not a number"));
        const auto noEq = cli({QStringLiteral("run"), QStringLiteral("train"), QStringLiteral("-P"),
                               QStringLiteral("lr")},
                              m_demo);
        QCOMPARE(noEq.exitCode, 1);
        QVERIFY(noEq.err.contains("is not a parameter assignment"));

        const auto run = cli({QStringLiteral("run"), QStringLiteral("train"), QStringLiteral("-P"),
                              QStringLiteral("epochs=3")},
                             m_demo);
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(run.out.contains("epoch   3/3"));
        QVERIFY(run.err.contains("run 1 finished after"));
        QVERIFY(QFile::exists(m_demo + QStringLiteral("/models/churn-model.json")));

        const auto fail = cli({QStringLiteral("run"), QStringLiteral("validate"),
                               QStringLiteral("-P"), QStringLiteral("model=models/none.json")},
                              m_demo);
        QCOMPARE(fail.exitCode, 1);
        QVERIFY(fail.err.contains("run 2 failed with exit code 1"));

        const auto list = cli({QStringLiteral("runs"), QStringLiteral("--json")}, m_demo);
        QCOMPARE(list.exitCode, 0);
        const QJsonArray runs = QJsonDocument::fromJson(list.out).array();
        QCOMPARE(runs.size(), 2);
        QCOMPARE(runs[0].toObject().value(QStringLiteral("status")).toString(),
                 QStringLiteral("failed"));
        QCOMPARE(runs[0].toObject().value(QStringLiteral("exit_code")).toInt(), 1);
        QCOMPARE(runs[1].toObject().value(QStringLiteral("status")).toString(),
                 QStringLiteral("finished"));
        const auto table = cli({QStringLiteral("runs")}, m_demo);
        QVERIFY(table.out.contains("finished"));
    }

    // The demo's history refreshed the reference extract in one commit: "drop 25 internal TEST-
    // accounts, fix 120 rows whose total_charges were copied from monthly_charges, add 1,000
    // customers". The diff must find exactly that, with the key and without one.
    void diffDataAcrossGitHistory()
    {
        if (!QFile::exists(m_demo + QStringLiteral("/cairn.yaml")))
            QSKIP("needs demoAndShow");
        const QString before = QStringLiteral("data/reference.csv@HEAD~2");
        const QString now = QStringLiteral("data/reference.csv");
        for (const bool keyed : {true, false}) {
            QStringList args{QStringLiteral("diff"), QStringLiteral("data"), before, now,
                             QStringLiteral("--json")};
            if (keyed)
                args << QStringLiteral("--key") << QStringLiteral("customer_id");
            const auto r = cli(args, m_demo);
            QVERIFY2(r.exitCode == 1, r.err.constData()); // 1: the versions differ
            const QJsonObject o = QJsonDocument::fromJson(r.out).object();
            const QJsonObject rows = o.value(QStringLiteral("rows")).toObject();
            QCOMPARE(rows.value(QStringLiteral("removed")).toInt(), 25);
            QCOMPARE(rows.value(QStringLiteral("modified")).toInt(), 120);
            QCOMPARE(rows.value(QStringLiteral("added")).toInt(), 1000);
            QCOMPARE(rows.value(QStringLiteral("unchanged")).toInt(), 2855);
            QCOMPARE(o.value(QStringLiteral("cells_changed")).toInt(), 120);
            const QJsonObject schema = o.value(QStringLiteral("schema")).toObject();
            QVERIFY(schema.value(QStringLiteral("added_columns")).toArray().isEmpty());
            QVERIFY(schema.value(QStringLiteral("removed_columns")).toArray().isEmpty());
        }
        const auto same = cli({QStringLiteral("diff"), QStringLiteral("data"),
                               QStringLiteral("data/reference.csv@HEAD"), now},
                              m_demo);
        QCOMPARE(same.exitCode, 0);
        const auto daff =
            cli({QStringLiteral("diff"), QStringLiteral("data"), before, now,
                 QStringLiteral("--key"), QStringLiteral("customer_id"), QStringLiteral("--format"),
                 QStringLiteral("daff"), QStringLiteral("--context"), QStringLiteral("0")},
                m_demo);
        QCOMPARE(daff.exitCode, 1);
        QVERIFY(daff.out.startsWith("@@,customer_id,"));
        QCOMPARE(daff.out.count("\n---,"), 25);
        QCOMPARE(daff.out.count("\n+++,"), 1000);
        QCOMPARE(daff.out.count("\n->,"), 120);
        const auto badRev = cli({QStringLiteral("diff"), QStringLiteral("data"),
                                 QStringLiteral("data/reference.csv@nope"), now},
                                m_demo);
        QCOMPARE(badRev.exitCode, 2);
        QVERIFY(badRev.err.contains("unknown revision \"nope\""));
        const auto badKey = cli({QStringLiteral("diff"), QStringLiteral("data"), before, now,
                                 QStringLiteral("--key"), QStringLiteral("id")},
                                m_demo);
        QCOMPARE(badKey.exitCode, 2);
        QVERIFY(badKey.err.contains("id"));

        // Files compared a few columns at a time (what large files get): the same counts, the
        // rows not listed, and no daff output rather than a wrong one.
        const auto old = test::runProcess(
            QStringLiteral("git"),
            {QStringLiteral("show"), QStringLiteral("HEAD~2:data/reference.csv")}, m_demo);
        QCOMPARE(old.exitCode, 0);
        const QString oldFile = m_demo + QStringLiteral("/../reference-old.csv");
        test::writeFile(oldFile, old.out);
        for (const bool keyed : {true, false}) {
            QStringList args{QStringLiteral("diff"),
                             QStringLiteral("data"),
                             oldFile,
                             now,
                             QStringLiteral("--engine"),
                             QStringLiteral("columns"),
                             QStringLiteral("--json")};
            if (keyed)
                args << QStringLiteral("--key") << QStringLiteral("customer_id");
            const auto r = cli(args, m_demo);
            QVERIFY2(r.exitCode == 1, r.err.constData());
            const QJsonObject o = QJsonDocument::fromJson(r.out).object();
            const QJsonObject rows = o.value(QStringLiteral("rows")).toObject();
            QCOMPARE(rows.value(QStringLiteral("removed")).toInt(), 25);
            QCOMPARE(rows.value(QStringLiteral("modified")).toInt(), 120);
            QCOMPARE(rows.value(QStringLiteral("added")).toInt(), 1000);
            QCOMPARE(rows.value(QStringLiteral("unchanged")).toInt(), 2855);
            QVERIFY(o.value(QStringLiteral("changes")).toArray().isEmpty());
            QVERIFY(
                o.value(QStringLiteral("rows_not_listed")).toString().contains("--engine whole"));
        }
        const auto text = cli({QStringLiteral("diff"), QStringLiteral("data"), oldFile, now,
                               QStringLiteral("--engine"), QStringLiteral("columns")},
                              m_demo);
        QCOMPARE(text.exitCode, 1);
        QVERIFY2(text.out.contains("changed rows not listed"), text.out.constData());
        const auto noDaff = cli({QStringLiteral("diff"), QStringLiteral("data"), oldFile, now,
                                 QStringLiteral("--engine"), QStringLiteral("columns"),
                                 QStringLiteral("--format"), QStringLiteral("daff")},
                                m_demo);
        QCOMPARE(noDaff.exitCode, 2);
        QVERIFY(noDaff.err.contains("--engine whole"));
    }

    // After runTrainAndList: run 1 (train) wrote the model, so it produced the current version.
    void versionsWithLineage()
    {
        if (!QFile::exists(m_demo + QStringLiteral("/models/churn-model.json")))
            QSKIP("needs runTrainAndList");
        const auto r = cli({QStringLiteral("versions"), QStringLiteral("--json")}, m_demo);
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonArray versions =
            QJsonDocument::fromJson(r.out).object().value(QStringLiteral("versions")).toArray();
        bool model = false;
        bool reference = false;
        for (const QJsonValue &v : versions) {
            const QJsonObject o = v.toObject();
            if (o.value(QStringLiteral("kind")).toString() == QStringLiteral("model")) {
                model = true;
                QVERIFY(o.value(QStringLiteral("current")).toBool());
                QCOMPARE(o.value(QStringLiteral("produced_by"))
                             .toObject()
                             .value(QStringLiteral("id"))
                             .toInt(),
                         1);
                QVERIFY(o.value(QStringLiteral("hash")).toString().startsWith(u"xxh128:"));
            }
            if (o.value(QStringLiteral("name")).toString() == QStringLiteral("reference")) {
                reference = true;
                QVERIFY(o.value(QStringLiteral("current")).toBool());
                QVERIFY(o.value(QStringLiteral("seen_by_runs")).toInt() >= 1);
            }
        }
        QVERIFY(model && reference);

        // A second training run rewrites the model: it produced the new version and replaced,
        // not used, the one before (its parameters name the model's path as an output).
        const auto again = cli({QStringLiteral("run"), QStringLiteral("train"),
                                QStringLiteral("-P"), QStringLiteral("epochs=2")},
                               m_demo);
        QVERIFY2(again.exitCode == 0, again.err.constData());
        const auto after = cli(
            {QStringLiteral("versions"), QStringLiteral("churn-model"), QStringLiteral("--json")},
            m_demo);
        QCOMPARE(after.exitCode, 0);
        int producedBy3 = 0;
        for (const QJsonValue &v : QJsonDocument::fromJson(after.out)
                                       .object()
                                       .value(QStringLiteral("versions"))
                                       .toArray()) {
            const QJsonObject o = v.toObject();
            const int producer = o.value(QStringLiteral("produced_by"))
                                     .toObject()
                                     .value(QStringLiteral("id"))
                                     .toInt();
            for (const QJsonValue &u : o.value(QStringLiteral("used_by")).toArray())
                QVERIFY(u.toObject().value(QStringLiteral("id")).toInt() != 3);
            if (producer == 3) {
                ++producedBy3;
                QVERIFY(o.value(QStringLiteral("current")).toBool());
            } else {
                QVERIFY(!o.value(QStringLiteral("current")).toBool());
            }
        }
        QCOMPARE(producedBy3, 2); // the .json and the .safetensors

        const auto text = cli({QStringLiteral("versions"), QStringLiteral("reference")}, m_demo);
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains("dataset reference (data/reference.csv)"));
        QVERIFY(!text.out.startsWith("model") && !text.out.contains("\nmodel "));
        const auto unknown = cli({QStringLiteral("versions"), QStringLiteral("nope")}, m_demo);
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY(unknown.err.contains("no dataset or model named \"nope\""));
    }

    // After versionsWithLineage: runs 1 and 3 trained the model, so their versions are kept in
    // the object store and can be named by run or by hash after the file changed.
    void recordedVersionsByRunAndHash()
    {
        if (!QFile::exists(m_demo + QStringLiteral("/models/churn-model.json")))
            QSKIP("needs versionsWithLineage");
        const QString model = QStringLiteral("models/churn-model.safetensors");
        const auto byRun = cli({QStringLiteral("diff"), QStringLiteral("model"),
                                model + QStringLiteral("@run:1"), model + QStringLiteral("@run:3")},
                               m_demo);
        QVERIFY2(byRun.exitCode == 1, byRun.err.constData()); // different weights
        QVERIFY2(byRun.out.contains("from Cairn's object store"), byRun.out.constData());
        const auto same = cli({QStringLiteral("diff"), QStringLiteral("model"),
                               model + QStringLiteral("@run:3"), model},
                              m_demo);
        QCOMPARE(same.exitCode, 0);

        // Register the reference, then describe its versions.
        const auto reg = cli(
            {QStringLiteral("versions"), QStringLiteral("--register"), QStringLiteral("reference")},
            m_demo);
        QVERIFY2(reg.exitCode == 0, reg.err.constData());
        QVERIFY2(reg.out.contains("registered"), reg.out.constData());
        const auto described = cli({QStringLiteral("versions"), QStringLiteral("reference"),
                                    QStringLiteral("--describe"), QStringLiteral("--json")},
                                   m_demo);
        QCOMPARE(described.exitCode, 0);
        const QJsonObject v = QJsonDocument::fromJson(described.out)
                                  .object()
                                  .value(QStringLiteral("versions"))
                                  .toArray()
                                  .first()
                                  .toObject();
        QVERIFY(v.value(QStringLiteral("registered_ms")).isDouble());
        QVERIFY(v.value(QStringLiteral("stored")).toBool());
        const QJsonObject d = v.value(QStringLiteral("description")).toObject();
        QVERIFY2(d.value(QStringLiteral("rows")).toInt() > 1000, described.out.constData());
        QCOMPARE(d.value(QStringLiteral("schema"))
                     .toArray()
                     .first()
                     .toObject()
                     .value(QStringLiteral("name")),
                 QStringLiteral("customer_id"));
        const QString hash = v.value(QStringLiteral("hash")).toString();
        const auto byHash = cli({QStringLiteral("diff"), QStringLiteral("data"),
                                 QStringLiteral("data/reference.csv@") + hash.left(7 + 12),
                                 QStringLiteral("data/reference.csv")},
                                m_demo);
        QVERIFY2(byHash.exitCode == 0, byHash.err.constData());
        const auto tooMany =
            cli({QStringLiteral("versions"), QStringLiteral("a"), QStringLiteral("b")}, m_demo);
        QCOMPARE(tooMany.exitCode, 1);
    }

    // diff model on two real ONNX models (libonnx-testdata): exit 1 and the JSON keys, exit 0
    // for a model against itself, exit 2 for a damaged one.
    void diffModelOnnx()
    {
        const QString data = QStringLiteral("/usr/share/libonnx-testdata/data/pytorch-converted");
        if (!QFileInfo::exists(data))
            QSKIP("the ONNX test models are missing: install Debian's libonnx-testdata");
        const QString a = data + QStringLiteral("/test_Conv2d/model.onnx");
        const QString b = data + QStringLiteral("/test_Conv2d_strided/model.onnx");
        const auto diff =
            cli({QStringLiteral("diff"), QStringLiteral("model"), a, b, QStringLiteral("--json")});
        QCOMPARE(diff.exitCode, 1);
        const QJsonObject o = QJsonDocument::fromJson(diff.out).object();
        QCOMPARE(o.value(QStringLiteral("format")).toString(), QStringLiteral("onnx"));
        const QJsonArray tensors = o.value(QStringLiteral("tensors")).toArray();
        QVERIFY(!tensors.isEmpty());
        for (const char *key : {"name", "status", "shape_a", "shape_b", "dtype_a", "dtype_b",
                                "l2_diff", "rel_l2", "max_abs_diff", "cosine"})
            QVERIFY2(tensors[0].toObject().contains(QLatin1StringView(key)), key);
        QVERIFY(o.value(QStringLiteral("summary")).isObject());
        const QJsonObject graph = o.value(QStringLiteral("graph")).toObject();
        const QJsonArray changed = graph.value(QStringLiteral("nodes"))
                                       .toObject()
                                       .value(QStringLiteral("changed"))
                                       .toArray();
        QCOMPARE(changed.size(), 1);
        QVERIFY(QJsonDocument(changed[0].toObject()).toJson().contains("attribute strides"));

        const auto same = cli({QStringLiteral("diff"), QStringLiteral("model"), a, a});
        QCOMPARE(same.exitCode, 0);
        QVERIFY(same.out.contains("ONNX model diff"));

        test::writeFile(m_tmp.filePath(QStringLiteral("cut.onnx")), test::readFile(a).left(100));
        const auto cut = cli({QStringLiteral("diff"), QStringLiteral("model"), a,
                              m_tmp.filePath(QStringLiteral("cut.onnx"))});
        QCOMPARE(cut.exitCode, 2);
        QVERIFY2(cut.err.contains("not an ONNX model"), cut.err.constData());
    }
};

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
