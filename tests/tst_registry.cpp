// Model gates and the model registry: the condition parser, `gate:` in cairn.yaml, gates on
// real runs (own metrics, min/max, entry point runs that used the model, aliases, data checks),
// registration (only of a run that wrote the model), promotion with and without a reason, a
// promotion racing another, archiving, the history and the one-holder-per-alias index.
#include "project/projectfile.h"
#include "registry/gate.h"
#include "registry/gatecondition.h"
#include "registry/registry.h"
#include "runs/runstore.h"
#include "runs/supervisor.h"
#include "store/projectdb.h"
#include "testsupport.h"

#include <QDir>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;
using namespace cairn::registry;

namespace {

// A project in a temporary folder, and runs made through the real supervisor.
class Fixture
{
public:
    explicit Fixture(const QByteArray &yaml)
    {
        m_root = QDir(m_tmp.path()).canonicalPath();
        test::writeFile(path(QStringLiteral("cairn.yaml")), yaml);
        test::writeFile(path(QStringLiteral("data/train.csv")), "a,b\n1,2\n3,4\n");
        test::writeFile(path(QStringLiteral("data/other.csv")), "a,b\n1,2\n");
        auto p = loadProject(m_root);
        if (!p)
            qFatal("%s", qPrintable(p.error().first().toString()));
        project = *p;
        auto d = openProjectDatabase(m_root);
        if (!d)
            qFatal("%s", qPrintable(d.error().toString()));
        db = std::move(*d);
    }

    QString path(const QString &rel) const { return m_root + u'/' + rel; }

    // Runs `command` in the project folder as a run of `entry`; metrics are `cairn:metric`
    // lines on its output.
    qint64 run(const QString &entry, const QString &command, const ParamValues &params = {})
    {
        RunRecord r;
        r.entryPoint = entry;
        r.command = command;
        r.workingDir = m_root;
        r.params = params;
        const auto id = RunStore(*db).create(r);
        if (!id)
            qFatal("%s", qPrintable(id.error().toString()));
        const auto done = superviseRun(m_root, *id);
        if (!done)
            qFatal("%s", qPrintable(done.error().toString()));
        return *id;
    }

    // A training run: prints the metrics (a JSON object's members) and writes `model`.
    qint64 train(const QByteArray &metricsJson, const QByteArray &content,
                 const QString &model = QStringLiteral("models/m.json"),
                 const ParamValues &params = {})
    {
        return run(QStringLiteral("train"),
                   QStringLiteral("mkdir -p models && printf '%s\\n' 'cairn:metric %1' && "
                                  "printf '%s' '%2' > %3")
                       .arg(QString::fromUtf8(metricsJson), QString::fromUtf8(content), model),
                   params);
    }

    Project project;
    std::unique_ptr<Database> db;

private:
    QTemporaryDir m_tmp;
    QString m_root;
};

PromoteRequest req(const QString &model, int version, const QString &alias,
                   const QString &reason = {})
{
    return PromoteRequest{model, version, alias, reason};
}

} // namespace

class TestRegistry : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { test::isolateUserDirs(); }

    void parseValid_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("leftRef"); // the left side's reference, as written
        QTest::newRow("number") << "val_accuracy >= 0.75"
                                << "val_accuracy";
        QTest::newRow("exponent") << "loss < 1e-3"
                                  << "loss";
        QTest::newRow("exponent sign") << "loss <= 2.5E+2"
                                       << "loss";
        QTest::newRow("leading dot") << "acc > .5"
                                     << "acc";
        QTest::newRow("alias arithmetic") << "val_auc >= production.val_auc - 0.01"
                                          << "val_auc";
        QTest::newRow("entry") << "validate.auc > 0.7"
                               << "validate.auc";
        QTest::newRow("min") << "min(val_loss) < 0.6"
                             << "min(val_loss)";
        QTest::newRow("max spaced") << "max( val_loss ) != 3"
                                    << "max( val_loss )";
        QTest::newRow("free alias") << "@champion.val_auc == auc"
                                    << "@champion.val_auc";
        QTest::newRow("backquotes") << "`val/acc` >= 0.8"
                                    << "`val/acc`";
        QTest::newRow("backquoted segment") << "staging.`val-acc` < 1"
                                            << "staging.`val-acc`";
        QTest::newRow("parentheses") << "(a + b) / 2 * -c >= -(1 - d)"
                                     << "";
        QTest::newRow("no spaces") << "acc>=0.5"
                                   << "acc";
        QTest::newRow("digit segment") << "top.5 > 0.1"
                                       << "top.5";
    }

    void parseValid()
    {
        QFETCH(QString, text);
        QFETCH(QString, leftRef);
        const auto c = parseGateCondition(text);
        QVERIFY2(c, qPrintable(c ? QString() : c.error().message));
        if (!leftRef.isEmpty()) {
            QCOMPARE(c->left->kind, GateExpr::Kind::Metric);
            QCOMPARE(c->left->ref.text, leftRef);
        } else {
            QCOMPARE(c->left->kind, GateExpr::Kind::Binary);
        }
    }

    void parseStructure()
    {
        const auto c = parseGateCondition(QStringLiteral("a - b * 2 >= 1"));
        QVERIFY(c);
        QCOMPARE(c->op, CompareOp::GreaterEqual);
        QCOMPARE(c->left->op, QChar(u'-')); // a - (b * 2)
        QCOMPARE(c->left->right->op, QChar(u'*'));
        QCOMPARE(c->right->number, 1.0);
        const auto m = parseGateCondition(QStringLiteral("min(loss) < 1e-3"));
        QVERIFY(m);
        QCOMPARE(m->left->ref.aggregate, MetricRef::Aggregate::Min);
        QCOMPARE(m->right->number, 1e-3);
    }

    void resolveReferences_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("scope");
        QTest::addColumn<QString>("alias");
        QTest::addColumn<QString>("entry");
        QTest::addColumn<QString>("metric");
        const int run = int(ResolvedRef::Scope::Run), entry = int(ResolvedRef::Scope::Entry),
                  alias = int(ResolvedRef::Scope::Alias);
        QTest::newRow("own") << "val_auc" << run << ""
                             << ""
                             << "val_auc";
        QTest::newRow("entry") << "validate.auc" << entry << ""
                               << "validate"
                               << "auc";
        QTest::newRow("dotted metric") << "train.loss" << run << ""
                                       << ""
                                       << "train.loss";
        QTest::newRow("production") << "production.auc" << alias << "production"
                                    << ""
                                    << "auc";
        QTest::newRow("alias entry") << "staging.validate.auc" << alias << "staging"
                                     << "validate"
                                     << "validate.auc";
        QTest::newRow("free alias") << "@champion.auc" << alias << "champion"
                                    << ""
                                    << "auc";
        QTest::newRow("backquoted keyword") << "`production`.auc" << run << ""
                                            << ""
                                            << "production.auc";
        QTest::newRow("odd name") << "validate.`a/b`" << entry << ""
                                  << "validate"
                                  << "a/b";
    }

    void resolveReferences()
    {
        QFETCH(QString, text);
        QFETCH(int, scope);
        QFETCH(QString, alias);
        QFETCH(QString, entry);
        QFETCH(QString, metric);
        const auto c = parseGateCondition(text + QStringLiteral(" > 0"));
        QVERIFY2(c, qPrintable(c ? QString() : c.error().message));
        const ResolvedRef r = resolveMetricRef(c->left->ref, {QStringLiteral("validate")});
        QCOMPARE(int(r.scope), scope);
        QCOMPARE(r.alias, alias);
        QCOMPARE(r.entry, entry);
        QCOMPARE(r.metric, metric);
    }

    void parseErrors_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        QTest::newRow("incomplete")
            << "val_auc >= " << 12
            << "gate condition \"val_auc >= \" is incomplete: a value or metric is missing after "
               "\">=\"";
        QTest::newRow("empty") << "" << 1 << "the gate condition is empty";
        QTest::newRow("no comparison") << "val_auc" << 8 << "has no comparison";
        QTest::newRow("twice") << "a >= 0.8 <= 1" << 10 << "compares twice";
        QTest::newRow("single equals") << "a = 0.8" << 3 << "\"=\" in gate condition";
        QTest::newRow("odd character") << "val%acc >= 1" << 4 << "unexpected \"%\"";
        QTest::newRow("unclosed paren") << "(a + b >= 1" << 8 << "is not closed";
        QTest::newRow("unclosed backquote") << "`val/acc >= 1" << 1 << "backquote at column 1";
        QTest::newRow("empty backquotes") << "`` >= 1" << 1 << "empty backquotes";
        QTest::newRow("bad exponent") << "a >= 1e" << 6 << "\"1e\" in gate condition";
        QTest::newRow("number then name") << "a >= 3x" << 6 << "is not a number";
        QTest::newRow("operator after op")
            << "a >= + 1" << 6 << "missing after \">=\", found \"+\"";
        QTest::newRow("starts with operator") << ">= 1" << 1 << "starts with \">\"";
        QTest::newRow("alias alone") << "production >= 1" << 1 << "names an alias but no metric";
        QTest::newRow("dangling dot") << "a >= b." << 8 << "a metric name is missing after \".\"";
        QTest::newRow("min of alias") << "min(production.auc) > 1" << 1 << "keeps latest values";
        QTest::newRow("min of number") << "min(1) > 1" << 5 << "takes one metric name";
        QTest::newRow("min unclosed") << "min(loss > 1" << 10 << "is not closed";
        QTest::newRow("missing after plus") << "a + >= 1" << 5 << "missing after \"+\"";
    }

    void parseErrors()
    {
        QFETCH(QString, text);
        QFETCH(int, column);
        QFETCH(QString, message);
        const auto c = parseGateCondition(text);
        QVERIFY(!c);
        QVERIFY2(c.error().message.contains(message), qPrintable(c.error().message));
        QCOMPARE(c.error().column, column);
    }

    void yamlGate()
    {
        QTemporaryDir dir;
        test::writeFile(dir.filePath(QStringLiteral("cairn.yaml")),
                        "name: t\n"
                        "models:\n"
                        "  a:\n"
                        "    path: a.bin\n"
                        "    gate: [acc >= 0.75, 'min(loss) < 0.6']\n"
                        "  b:\n"
                        "    path: b.bin\n"
                        "    gate:\n"
                        "      metrics:\n"
                        "        - auc >= production.auc - 0.01\n"
                        "      data_checks: false\n"
                        "  c: c.bin\n");
        const auto p = loadProject(dir.path());
        QVERIFY2(p, p ? "" : qPrintable(p.error().first().toString()));
        const ModelSpec *a = p->model(u"a");
        QVERIFY(a && a->gate);
        QCOMPARE(a->gate->conditions.size(), 2);
        QCOMPARE(a->gate->conditions.at(1).text, QStringLiteral("min(loss) < 0.6"));
        QCOMPARE(a->gate->conditions.at(0).location.line, 5);
        QVERIFY(a->gate->dataChecks);
        const ModelSpec *b = p->model(u"b");
        QVERIFY(b && b->gate);
        QCOMPARE(b->gate->conditions.size(), 1);
        QCOMPARE(b->gate->conditions.first().location.line, 10);
        QVERIFY(!b->gate->dataChecks);
        QVERIFY(!p->model(u"c")->gate);
    }

    void yamlErrors_data()
    {
        QTest::addColumn<QByteArray>("gate");
        QTest::addColumn<int>("line");
        QTest::addColumn<int>("column");
        QTest::addColumn<QString>("message");
        // The gate starts on line 4; `    gate:` is at column 5.
        QTest::newRow("bad condition")
            << QByteArray("    gate:\n      metrics:\n        - val_auc >= \n") << 6 << 21
            << "gate condition \"val_auc >=\" is incomplete: a value or metric is missing after "
               "\">=\"";
        QTest::newRow("quoted bad token") << QByteArray("    gate:\n      - \"acc >= 0.8 % 2\"\n")
                                          << 5 << 21 << "unexpected \"%\"";
        QTest::newRow("flow list") << QByteArray("    gate: [acc >= 1, acc => 2]\n") << 4 << 26
                                   << "\"=\" in gate condition \"acc => 2\"";
        QTest::newRow("unknown key")
            << QByteArray("    gate:\n      metric:\n        - acc > 1\n") << 5 << 7 << "metric";
        QTest::newRow("wrong type") << QByteArray("    gate: 3\n") << 4 << 11
                                    << "must be a list of conditions or a mapping";
        QTest::newRow("metrics not a list") << QByteArray("    gate:\n      metrics: acc > 1\n")
                                            << 5 << 16 << "must be a list of conditions";
        QTest::newRow("data_checks") << QByteArray("    gate:\n      data_checks: maybe\n") << 5
                                     << 20 << "must be true or false";
    }

    void yamlErrors()
    {
        QFETCH(QByteArray, gate);
        QFETCH(int, line);
        QFETCH(int, column);
        QFETCH(QString, message);
        QTemporaryDir dir;
        test::writeFile(dir.filePath(QStringLiteral("cairn.yaml")),
                        "name: t\nmodels:\n  m:\n" + gate + "    path: m.bin\n");
        const auto p = loadProject(dir.path());
        QVERIFY(!p);
        const Error &e = p.error().first();
        QVERIFY2(e.message.contains(message), qPrintable(e.toString()));
        QCOMPARE(e.line, line);
        QCOMPARE(e.column, column);
    }

    void gatePassAndFail()
    {
        Fixture f("name: t\n"
                  "entry_points: {train: 'true'}\n"
                  "models:\n"
                  "  m:\n"
                  "    path: models/m.json\n"
                  "    gate: [acc >= 0.75, min(loss) < 0.6, max(loss) <= 0.9]\n");
        const qint64 good =
            f.train(R"({"acc": 0.8, "loss": 0.9}' 'cairn:metric {"loss": 0.5})", "one");
        auto r = evaluateGate(f.project, *f.db, QStringLiteral("m"), good);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().message));
        QVERIFY(r->declared);
        QCOMPARE(r->conditions.size(), 3);
        QVERIFY2(r->passed(), qPrintable(gateReportToText(*r)));
        QCOMPARE(r->conditions.at(0).message, QStringLiteral("acc 0.8000 >= 0.75"));
        QCOMPARE(r->conditions.at(1).left, std::optional<double>(0.5));
        QCOMPARE(r->conditions.at(2).left, std::optional<double>(0.9));
        QVERIFY(gateReportToText(*r).endsWith(QStringLiteral("gate passed\n")));

        const qint64 bad = f.train(R"({"acc": 0.7, "loss": 0.95})", "two");
        r = evaluateGate(f.project, *f.db, QStringLiteral("m"), bad);
        QVERIFY(r);
        QVERIFY(!r->passed());
        QVERIFY(!r->conditions.at(0).passed);
        QCOMPARE(r->conditions.at(0).left, std::optional<double>(0.7));
        QCOMPARE(r->conditions.at(0).right, std::optional<double>(0.75));
        QVERIFY(!r->conditions.at(1).passed);
        QVERIFY(!r->conditions.at(2).passed);
        const QString text = gateReportToText(*r);
        QVERIFY2(text.contains(QStringLiteral("FAIL  acc >= 0.75: acc 0.7000 < 0.75")),
                 qPrintable(text));
        QVERIFY(text.endsWith(QStringLiteral("gate failed\n")));

        // A run that did not finish fails whatever its metrics say.
        const qint64 failed =
            f.run(QStringLiteral("train"), QStringLiteral("printf 'cairn:metric {\"acc\": 0.9, "
                                                          "\"loss\": 0.1}\\n'; exit 3"));
        r = evaluateGate(f.project, *f.db, QStringLiteral("m"), failed);
        QVERIFY(r);
        QVERIFY(r->conditions.at(0).passed);
        QVERIFY(!r->passed());
        QVERIFY2(r->failure.contains(QStringLiteral("failed")), qPrintable(r->failure));

        // The report survives JSON.
        const GateReport back = gateReportFromJson(gateReportToJson(*r));
        QCOMPARE(back.failure, r->failure);
        QCOMPARE(back.conditions.size(), 3);
        QCOMPARE(back.conditions.at(0).left, r->conditions.at(0).left);
        QVERIFY(!back.passed());

        QVERIFY(!evaluateGate(f.project, *f.db, QStringLiteral("m"), 999));
        QVERIFY(!evaluateGate(f.project, *f.db, QStringLiteral("nope"), good));
    }

    void missingAndNanMetrics()
    {
        Fixture f("name: t\n"
                  "entry_points: {train: 'true'}\n"
                  "models:\n"
                  "  m:\n"
                  "    path: models/m.json\n"
                  "    gate: [val_acc >= 0.7, loss < 1]\n");
        const qint64 run = f.train(R"({"val_accuracy": 0.9, "loss": NaN})", "x");
        const auto r = evaluateGate(f.project, *f.db, QStringLiteral("m"), run);
        QVERIFY(r);
        QVERIFY(!r->passed());
        const QString missing = r->conditions.at(0).message;
        QVERIFY2(missing.contains(QStringLiteral("has no metric \"val_acc\"")),
                 qPrintable(missing));
        QVERIFY2(missing.contains(QStringLiteral("val_accuracy")), qPrintable(missing));
        QVERIFY(!r->conditions.at(1).passed);
        QVERIFY2(r->conditions.at(1).message.contains(QStringLiteral("NaN")),
                 qPrintable(r->conditions.at(1).message));
    }

    void noGateDeclared()
    {
        Fixture f("name: t\nentry_points: {train: 'true'}\nmodels:\n  m: models/m.json\n");
        const qint64 run = f.train(R"({"acc": 0.1})", "x");
        const auto r = evaluateGate(f.project, *f.db, QStringLiteral("m"), run);
        QVERIFY(r);
        QVERIFY(!r->declared);
        QVERIFY(r->passed());
        QVERIFY(gateReportToText(*r).contains(QStringLiteral("no gate declared")));
        const auto v = registerVersion(f.project, *f.db, QStringLiteral("m"), run);
        QVERIFY(v);
        QVERIFY(
            promote(f.project, *f.db, req(QStringLiteral("m"), 1, QStringLiteral("production"))));
    }

    void entryPointReference()
    {
        Fixture f("name: t\n"
                  "entry_points: {train: 'true', validate: 'true'}\n"
                  "models:\n"
                  "  m:\n"
                  "    path: models/m.json\n"
                  "    gate: [validate.score > 0.5]\n");
        const qint64 train1 = f.train(R"({"acc": 0.8})", "one");
        auto r = evaluateGate(f.project, *f.db, QStringLiteral("m"), train1);
        QVERIFY(r);
        QVERIFY(!r->passed());
        QVERIFY2(r->conditions.first().message.contains(
                     QStringLiteral("no finished run of entry point \"validate\"")),
                 qPrintable(r->conditions.first().message));

        const ParamValues usesModel{{QStringLiteral("model"), QStringLiteral("models/m.json")}};
        // A validate run that does not name the model does not count.
        f.run(QStringLiteral("validate"),
              QStringLiteral("printf 'cairn:metric {\"score\": 0.9}\\n'"));
        r = evaluateGate(f.project, *f.db, QStringLiteral("m"), train1);
        QVERIFY(!r->passed());
        f.run(QStringLiteral("validate"),
              QStringLiteral("printf 'cairn:metric {\"score\": 0.7}\\n'"), usesModel);
        r = evaluateGate(f.project, *f.db, QStringLiteral("m"), train1);
        QVERIFY(r);
        QVERIFY2(r->passed(), qPrintable(gateReportToText(*r)));
        QCOMPARE(r->conditions.first().message, QStringLiteral("validate.score 0.7000 > 0.5"));
        auto snap = metricsSnapshot(f.project, *f.db, QStringLiteral("m"), train1);
        QVERIFY(snap);
        QCOMPARE(snap->value(QStringLiteral("validate.score")).toDouble(), 0.7);
        QCOMPARE(snap->value(QStringLiteral("acc")).toDouble(), 0.8);

        // A new model content: the validation of the old one no longer speaks for it.
        const qint64 train2 = f.train(R"({"acc": 0.9})", "two");
        r = evaluateGate(f.project, *f.db, QStringLiteral("m"), train2);
        QVERIFY(!r->passed());
        f.run(QStringLiteral("validate"),
              QStringLiteral("printf 'cairn:metric {\"score\": 0.4}\\n'"), usesModel);
        r = evaluateGate(f.project, *f.db, QStringLiteral("m"), train2);
        QVERIFY(!r->passed());
        QCOMPARE(r->conditions.first().left, std::optional<double>(0.4));
        // The first model's gate still reads the validation of its own content.
        r = evaluateGate(f.project, *f.db, QStringLiteral("m"), train1);
        QVERIFY(r->passed());
    }

    void dataChecks()
    {
        Fixture f("name: t\n"
                  "entry_points: {train: 'true'}\n"
                  "datasets:\n"
                  "  train:\n"
                  "    path: data/train.csv\n"
                  "    checks: {rows: {min: 3}}\n"
                  "  other: data/other.csv\n"
                  "models:\n"
                  "  m:\n"
                  "    path: models/m.json\n"
                  "    gate: {metrics: [acc >= 0]}\n"
                  "  n:\n"
                  "    path: models/n.json\n"
                  "    gate: {metrics: [acc >= 0], data_checks: false}\n");
        const ParamValues params{{QStringLiteral("data"), QStringLiteral("data/train.csv")},
                                 {QStringLiteral("other"), QStringLiteral("data/other.csv")}};
        const qint64 run = f.train(R"({"acc": 0.5})", "x", QStringLiteral("models/m.json"), params);
        auto r = evaluateGate(f.project, *f.db, QStringLiteral("m"), run);
        QVERIFY(r);
        QVERIFY(r->conditions.first().passed);
        QCOMPARE(r->data.size(), 1); // other.csv declares no checks
        QCOMPARE(r->data.first().dataset, QStringLiteral("train"));
        QCOMPARE(r->data.first().version, QStringLiteral("data/train.csv@run:%1").arg(run));
        QVERIFY(!r->data.first().passed);
        QVERIFY2(r->data.first().message.startsWith(QStringLiteral("1 of 1 rules failed")),
                 qPrintable(r->data.first().message));
        QVERIFY(!r->passed());

        // The content the run read is checked, not the file as it is now.
        test::writeFile(f.path(QStringLiteral("data/train.csv")), "a,b\n1,2\n3,4\n5,6\n");
        r = evaluateGate(f.project, *f.db, QStringLiteral("m"), run);
        QVERIFY(!r->passed());
        const qint64 later =
            f.train(R"({"acc": 0.5})", "y", QStringLiteral("models/m.json"), params);
        r = evaluateGate(f.project, *f.db, QStringLiteral("m"), later);
        QVERIFY2(r->passed(), qPrintable(gateReportToText(*r)));

        // A content that cannot be read fails its check with the reason.
        QVERIFY(QDir(f.path(QStringLiteral(".cairn/objects"))).removeRecursively());
        r = evaluateGate(f.project, *f.db, QStringLiteral("m"), run);
        QVERIFY(r);
        QCOMPARE(r->data.size(), 1);
        QVERIFY(!r->data.first().passed);
        QVERIFY2(r->data.first().message.startsWith(QStringLiteral("could not be checked: ")),
                 qPrintable(r->data.first().message));

        // data_checks: false
        const qint64 nrun =
            f.train(R"({"acc": 0.5})", "n", QStringLiteral("models/n.json"), params);
        r = evaluateGate(f.project, *f.db, QStringLiteral("n"), nrun);
        QVERIFY(r->data.isEmpty());
    }

    void registerAndPromote()
    {
        Fixture f("name: t\n"
                  "entry_points: {train: 'true'}\n"
                  "models:\n"
                  "  m:\n"
                  "    path: models/m.json\n"
                  "    gate: [auc >= production.auc - 0.01]\n");
        const QString m = QStringLiteral("m");
        const qint64 run1 = f.train(R"({"auc": 0.8})", "one");
        auto r = evaluateGate(f.project, *f.db, m, run1);
        QVERIFY(r && r->passed());
        QVERIFY(r->conditions.first().skipped);
        QCOMPARE(r->conditions.first().message,
                 QStringLiteral("no production version yet: not compared"));

        auto v1 = registerVersion(f.project, *f.db, m, run1, QStringLiteral("first"));
        QVERIFY2(v1, qPrintable(v1 ? QString() : v1.error().message));
        QCOMPARE(v1->version, 1);
        QCOMPARE(v1->files.size(), 1);
        QCOMPARE(v1->files.first().path, QStringLiteral("models/m.json"));
        QCOMPARE(v1->metrics.value(QStringLiteral("auc")).toDouble(), 0.8);
        QVERIFY(v1->gate.passed());
        auto again = registerVersion(f.project, *f.db, m, run1);
        QVERIFY(!again);
        QVERIFY2(again.error().message.contains(QStringLiteral("already registered as version 1")),
                 qPrintable(again.error().message));

        auto t = promote(f.project, *f.db, req(m, 1, QStringLiteral("production")));
        QVERIFY2(t, qPrintable(t ? QString() : t.error().message));
        QCOMPARE(t->gatePassed, std::optional<bool>(true));
        QVERIFY(!t->previousVersion);
        QVERIFY(!t->overridden);

        // Version 2 is worse than production: registered, its gate failed.
        const qint64 run2 = f.train(R"({"auc": 0.75})", "two");
        auto v2 = registerVersion(f.project, *f.db, m, run2);
        QVERIFY(v2);
        QCOMPARE(v2->version, 2);
        QVERIFY(!v2->gate.passed());
        QCOMPARE(v2->gate.conditions.first().message,
                 QStringLiteral("auc 0.7500 < 0.7900 (production.auc 0.8000 - 0.01)"));

        auto refused = promote(f.project, *f.db, req(m, 2, QStringLiteral("production")));
        QVERIFY(!refused);
        QVERIFY(isGateRefusal(refused.error()));
        QVERIFY2(refused.error().message.contains(QStringLiteral("auc >= production.auc - 0.01")),
                 qPrintable(refused.error().message));
        QVERIFY(refused.error().hint.contains(QStringLiteral("--reason")));
        QCOMPARE(versionByAlias(*f.db, m, QStringLiteral("production"))->value().version, 1);

        t = promote(f.project, *f.db,
                    req(m, 2, QStringLiteral("production"), QStringLiteral("hotfix")));
        QVERIFY(t);
        QVERIFY(t->overridden);
        QCOMPARE(t->gatePassed, std::optional<bool>(false));
        QCOMPARE(t->previousVersion, std::optional<int>(1));
        QCOMPARE(versionByAlias(*f.db, m, QStringLiteral("production"))->value().version, 2);
        auto h = history(*f.db, m);
        QVERIFY(h);
        QCOMPARE(h->first().action, QStringLiteral("set"));
        QCOMPARE(h->first().reason, QStringLiteral("hotfix"));
        QVERIFY(h->first().overridden);
        QCOMPARE(h->first().previousVersion, std::optional<int>(1));
        QCOMPARE(h->last().action, QStringLiteral("register"));

        auto holds =
            promote(f.project, *f.db, req(m, 2, QStringLiteral("production"), QStringLiteral("x")));
        QVERIFY(!holds);
        QVERIFY(holds.error().message.contains(QStringLiteral("already holds")));
        QVERIFY(!isGateRefusal(holds.error()));

        const qint64 run3 = f.train(R"({"auc": 0.9})", "three");
        auto v3 = registerVersion(f.project, *f.db, m, run3);
        QVERIFY(v3);
        QCOMPARE(v3->version, 3);

        // v1 to staging: compared with production (v2, 0.75) now, and passes.
        t = promote(f.project, *f.db, req(m, 1, QStringLiteral("staging")));
        QVERIFY2(t, qPrintable(t ? QString() : t.error().message));
        QCOMPARE(t->gatePassed, std::optional<bool>(true));

        // Archiving takes the other aliases away and needs no gate.
        t = promote(f.project, *f.db, req(m, 1, QStringLiteral("archived")));
        QVERIFY(t);
        QVERIFY(!t->gatePassed);
        QCOMPARE(modelVersion(*f.db, m, 1)->aliases, QStringList{QStringLiteral("archived")});
        h = history(*f.db, m);
        QCOMPARE(h->at(0).alias, QStringLiteral("archived"));
        QCOMPARE(h->at(1).action, QStringLiteral("remove"));
        QCOMPARE(h->at(1).alias, QStringLiteral("staging"));
        QCOMPARE(h->at(1).version, 1);

        // A free alias un-archives; moving it records where it was.
        t = promote(f.project, *f.db, req(m, 1, QStringLiteral("champion")));
        QVERIFY(t);
        QCOMPARE(modelVersion(*f.db, m, 1)->aliases, QStringList{QStringLiteral("champion")});
        t = promote(f.project, *f.db, req(m, 3, QStringLiteral("champion")));
        QVERIFY(t);
        QCOMPARE(t->previousVersion, std::optional<int>(1));
        QVERIFY(modelVersion(*f.db, m, 1)->aliases.isEmpty());

        auto models = listModels(*f.db);
        QVERIFY(models);
        QCOMPARE(models->size(), 1);
        QCOMPARE(models->first().versions.size(), 3);
        QCOMPARE(models->first().versions.first().version, 3); // newest first
        QCOMPARE(models->first().aliases.value(QStringLiteral("production")), QList<int>{2});
        const QJsonObject json = modelsToJson(*models);
        const QJsonObject model = json[QStringLiteral("models")].toArray().first().toObject();
        QCOMPARE(model[QStringLiteral("aliases")][QStringLiteral("production")].toInt(), 2);
        QCOMPARE(model[QStringLiteral("aliases")][QStringLiteral("champion")].toInt(), 3);
        QVERIFY(modelsToText(*models).contains(QStringLiteral("v2  production  run #")));

        // Removing an alias is recorded with its reason.
        auto rm = removeAlias(*f.db, m, 3, QStringLiteral("champion"), QStringLiteral("done"));
        QVERIFY(rm);
        QCOMPARE(history(*f.db, m)->first().reason, QStringLiteral("done"));
        QVERIFY(!removeAlias(*f.db, m, 3, QStringLiteral("champion")));

        QVERIFY(!promote(f.project, *f.db, req(m, 9, QStringLiteral("staging"))));
        QVERIFY(
            !promote(f.project, *f.db, req(QStringLiteral("other"), 1, QStringLiteral("staging"))));
    }

    void versionWithoutRun()
    {
        Fixture f("name: t\n"
                  "entry_points: {train: 'true'}\n"
                  "models:\n"
                  "  m:\n"
                  "    path: models/m.json\n"
                  "    gate: [acc >= 0.5]\n");
        const qint64 run = f.train(R"({"acc": 0.9})", "x");
        QVERIFY(registerVersion(f.project, *f.db, QStringLiteral("m"), run));
        auto del = f.db->prepare(QStringLiteral("DELETE FROM runs WHERE id = ?1"));
        QVERIFY(del);
        del->bind(1, run);
        QVERIFY(del->exec());
        const auto v = modelVersion(*f.db, QStringLiteral("m"), 1);
        QVERIFY(v);
        QVERIFY(!v->runId);
        QVERIFY(v->gate.passed()); // as evaluated at registration
        auto refused =
            promote(f.project, *f.db, req(QStringLiteral("m"), 1, QStringLiteral("staging")));
        QVERIFY(!refused);
        QVERIFY(isGateRefusal(refused.error()));
        QVERIFY2(refused.error().message.contains(QStringLiteral("has no run")),
                 qPrintable(refused.error().message));
        auto t = promote(
            f.project, *f.db,
            req(QStringLiteral("m"), 1, QStringLiteral("staging"), QStringLiteral("audited")));
        QVERIFY(t);
        QVERIFY(t->overridden);
        QCOMPARE(t->reason, QStringLiteral("audited"));
    }

    void registerErrors()
    {
        Fixture f("name: t\n"
                  "entry_points: {train: 'true'}\n"
                  "models:\n"
                  "  m: models/m.json\n"
                  "  ghost: models/ghost.json\n");
        const qint64 failed =
            f.run(QStringLiteral("train"),
                  QStringLiteral("mkdir -p models; echo x > models/m.json; exit 1"));
        auto v = registerVersion(f.project, *f.db, QStringLiteral("m"), failed);
        QVERIFY(!v);
        QVERIFY2(v.error().message.contains(QStringLiteral("only a finished run")),
                 qPrintable(v.error().message));
        const qint64 ok = f.train(R"({"acc": 1})", "y");
        v = registerVersion(f.project, *f.db, QStringLiteral("ghost"), ok);
        QVERIFY(!v);
        QVERIFY2(v.error().message.contains(QStringLiteral("recorded no file of model \"ghost\"")),
                 qPrintable(v.error().message));
        QVERIFY(v.error().message.contains(QStringLiteral("models/ghost.json")));
        QVERIFY(!registerVersion(f.project, *f.db, QStringLiteral("nope"), ok));
        QVERIFY(!registerVersion(f.project, *f.db, QStringLiteral("m"), 999));
        QVERIFY(registerVersion(f.project, *f.db, QStringLiteral("m"), ok));
    }

    void promotionRace()
    {
        Fixture f("name: t\n"
                  "entry_points: {train: 'true'}\n"
                  "models:\n"
                  "  m:\n"
                  "    path: models/m.json\n"
                  "    gate: [auc >= production.auc - 0.01]\n");
        const QString m = QStringLiteral("m");
        const QString production = QStringLiteral("production");
        const QString staging = QStringLiteral("staging");
        QVERIFY(registerVersion(f.project, *f.db, m, f.train(R"({"auc": 0.8})", "one")));
        QVERIFY(registerVersion(f.project, *f.db, m, f.train(R"({"auc": 0.85})", "two")));
        QVERIFY(registerVersion(f.project, *f.db, m, f.train(R"({"auc": 0.9})", "three")));
        QVERIFY(promote(f.project, *f.db, req(m, 1, production)));

        // v2 to staging is judged against production = v1 (0.8); v3 takes production before
        // that promotion commits. Nothing moves, and it is not a gate refusal.
        auto prepared = preparePromotion(f.project, *f.db, req(m, 2, staging));
        QVERIFY2(prepared, qPrintable(prepared ? QString() : prepared.error().message));
        QVERIFY(prepared->gate && prepared->gate->passed());
        QCOMPARE(prepared->gate->aliasesRead.value(production, -1), 1);
        QVERIFY(promote(f.project, *f.db, req(m, 3, production)));
        auto t = commitPromotion(*f.db, *prepared);
        QVERIFY(!t);
        QCOMPARE(t.error().message,
                 QStringLiteral("production moved to version 3 while the gate was evaluated; "
                                "promote again"));
        QVERIFY(!isGateRefusal(t.error()));
        QVERIFY(!versionByAlias(*f.db, m, staging)->has_value());
        QCOMPARE(history(*f.db, m)->first().version, 3); // nothing recorded for v2
        // Promoting again compares with v3 (0.9): v2's 0.85 fails.
        auto again = promote(f.project, *f.db, req(m, 2, staging));
        QVERIFY(!again);
        QVERIFY(isGateRefusal(again.error()));

        // The alias taken away meanwhile.
        prepared = preparePromotion(f.project, *f.db, req(m, 3, staging));
        QVERIFY(prepared);
        QVERIFY(removeAlias(*f.db, m, 3, production));
        t = commitPromotion(*f.db, *prepared);
        QVERIFY(!t);
        QCOMPARE(t.error().message,
                 QStringLiteral("production was taken off version 3 while the gate was "
                                "evaluated; promote again"));

        // No production when the gate was evaluated (skipped), one set meanwhile.
        prepared = preparePromotion(f.project, *f.db, req(m, 2, staging));
        QVERIFY(prepared);
        QVERIFY(prepared->gate->conditions.first().skipped);
        QCOMPARE(prepared->gate->aliasesRead.value(production, -1), 0);
        QVERIFY(promote(f.project, *f.db, req(m, 1, production)));
        t = commitPromotion(*f.db, *prepared);
        QVERIFY(!t);
        QVERIFY2(t.error().message.startsWith(QStringLiteral("production moved to version 1")),
                 qPrintable(t.error().message));

        // Unchanged holders: the prepared promotion commits.
        prepared = preparePromotion(f.project, *f.db, req(m, 3, staging));
        QVERIFY(prepared);
        t = commitPromotion(*f.db, *prepared);
        QVERIFY2(t, qPrintable(t ? QString() : t.error().message));
        QCOMPARE(versionByAlias(*f.db, m, staging)->value().version, 3);

        // An alias the version took meanwhile: refused inside the transaction.
        prepared = preparePromotion(f.project, *f.db, req(m, 2, QStringLiteral("champion")));
        QVERIFY(prepared);
        QVERIFY(promote(f.project, *f.db, req(m, 2, QStringLiteral("champion"))));
        t = commitPromotion(*f.db, *prepared);
        QVERIFY(!t);
        QVERIFY2(t.error().message.contains(QStringLiteral("already holds \"champion\"")),
                 qPrintable(t.error().message));

        // Archiving reads the version's aliases inside the transaction: staging, set after the
        // archive was prepared, goes too.
        prepared = preparePromotion(f.project, *f.db, req(m, 1, QStringLiteral("archived")));
        QVERIFY(prepared);
        QVERIFY(!prepared->gate);
        QVERIFY(promote(f.project, *f.db, req(m, 1, staging)));
        QCOMPARE(modelVersion(*f.db, m, 1)->aliases, (QStringList{production, staging}));
        t = commitPromotion(*f.db, *prepared);
        QVERIFY2(t, qPrintable(t ? QString() : t.error().message));
        QCOMPARE(modelVersion(*f.db, m, 1)->aliases, QStringList{QStringLiteral("archived")});
        QVERIFY(!versionByAlias(*f.db, m, staging)->has_value());
        QVERIFY(!versionByAlias(*f.db, m, production)->has_value());
    }

    void onlyRunsThatWroteTheModel()
    {
        Fixture f("name: t\n"
                  "entry_points: {train: 'true', validate: 'true'}\n"
                  "models:\n"
                  "  m:\n"
                  "    path: models/m.json\n"
                  "    gate: [auc >= 0.5]\n"
                  "  n: models/n.json\n");
        const QString m = QStringLiteral("m");
        const ParamValues usesModel{{QStringLiteral("model"), QStringLiteral("models/m.json")}};
        const qint64 train1 = f.train(R"({"auc": 0.8})", "one");
        // An evaluation run: it records the model's files as it left them, unchanged.
        const qint64 validate =
            f.run(QStringLiteral("validate"),
                  QStringLiteral("printf 'cairn:metric {\"auc\": 0.9}\\n'"), usesModel);
        QCOMPARE(runWroteModel(*f.db, m, train1).value(), true);
        QCOMPARE(runWroteModel(*f.db, m, validate).value(), false);

        auto v = registerVersion(f.project, *f.db, m, validate);
        QVERIFY(!v);
        QCOMPARE(v.error().message,
                 QStringLiteral("run #%1 (validate) did not write m's files; run #%2 (train) did")
                     .arg(validate)
                     .arg(train1));
        QVERIFY2(v.error().hint.contains(QStringLiteral("--run %1").arg(train1)),
                 qPrintable(v.error().hint));
        auto r = evaluateGate(f.project, *f.db, m, validate);
        QVERIFY(r);
        QVERIFY(r->conditions.first().passed); // its own auc is 0.9, but:
        QVERIFY(!r->passed());
        QCOMPARE(r->failure, QStringLiteral("run #%1 did not write m's files: a gate judges the "
                                            "run that trained the model")
                                 .arg(validate));
        QVERIFY(gateReportToText(*r).contains(
            QStringLiteral("FAIL  run #%1 did not write").arg(validate)));
        // Without a gate too.
        r = evaluateGate(f.project, *f.db, QStringLiteral("n"), validate);
        QVERIFY(r && !r->declared);
        QVERIFY(!r->passed());

        // A training run that wrote the same bytes again did not write the model either.
        const qint64 train2 = f.train(R"({"auc": 0.7})", "two");
        const qint64 same = f.train(R"({"auc": 0.7})", "two");
        QCOMPARE(runWroteModel(*f.db, m, same).value(), false);
        v = registerVersion(f.project, *f.db, m, same);
        QVERIFY(!v);
        QCOMPARE(v.error().message,
                 QStringLiteral("run #%1 (train) did not write m's files; run #%2 (train) did")
                     .arg(same)
                     .arg(train2));
        const qint64 failed =
            f.run(QStringLiteral("train"), QStringLiteral("printf 'x' > models/m.json; exit 1"));

        auto writers = runsThatWrote(*f.db, f.project, m, 0);
        QVERIFY(writers);
        QCOMPARE(*writers, (QList<qint64>{train2, train1})); // finished only, newest first
        QCOMPARE(runsThatWrote(*f.db, f.project, m, 1).value(), QList<qint64>{train2});
        QCOMPARE(runWroteModel(*f.db, m, failed).value(), true);
        QVERIFY(runsThatWrote(*f.db, f.project, QStringLiteral("n"), 0)->isEmpty());
        QVERIFY(!runsThatWrote(*f.db, f.project, QStringLiteral("nope"), 0));
        QVERIFY(registerVersion(f.project, *f.db, m, train1));
        QVERIFY(registerVersion(f.project, *f.db, m, train2));

        // A file no recorded run wrote.
        test::writeFile(f.path(QStringLiteral("models/m.json")), "by hand");
        const qint64 read = f.run(QStringLiteral("validate"), QStringLiteral("true"), usesModel);
        v = registerVersion(f.project, *f.db, m, read);
        QVERIFY(!v);
        QVERIFY2(v.error().message.endsWith(
                     QStringLiteral("did not write m's files; no recorded run wrote their "
                                    "current content")),
                 qPrintable(v.error().message));
    }

    void aliasReferences()
    {
        Fixture f("name: t\n"
                  "entry_points: {train: 'true'}\n"
                  "models:\n"
                  "  m:\n"
                  "    path: models/m.json\n"
                  "    gate: [auc >= @champion.auc - 0.5, auc >= @champoin.auc - 0.5, "
                  "auc >= staging.auc - 1]\n");
        const QString m = QStringLiteral("m");
        const qint64 run1 = f.train(R"({"auc": 0.8})", "one");
        auto r = evaluateGate(f.project, *f.db, m, run1);
        QVERIFY(r);
        // An alias no version ever held fails; staging is skipped.
        QVERIFY(!r->conditions.at(0).passed);
        QVERIFY(!r->conditions.at(0).skipped);
        QCOMPARE(r->conditions.at(0).message,
                 QStringLiteral("no version of m ever held the alias \"champion\""));
        QVERIFY(r->conditions.at(2).passed);
        QVERIFY(r->conditions.at(2).skipped);
        QCOMPARE(r->conditions.at(2).message,
                 QStringLiteral("no staging version yet: not compared"));

        QVERIFY(registerVersion(f.project, *f.db, m, run1));
        QVERIFY(promote(f.project, *f.db,
                        req(m, 1, QStringLiteral("champion"), QStringLiteral("the first one"))));
        const qint64 run2 = f.train(R"({"auc": 0.85})", "two");
        r = evaluateGate(f.project, *f.db, m, run2);
        QVERIFY(r);
        QVERIFY(r->conditions.at(0).passed);
        QVERIFY(!r->conditions.at(0).skipped);
        QCOMPARE(r->conditions.at(0).right, std::optional<double>(0.8 - 0.5));
        // The misspelling fails for good, with a guess.
        QVERIFY(!r->conditions.at(1).passed);
        QCOMPARE(r->conditions.at(1).message,
                 QStringLiteral("no version of m ever held the alias \"champoin\" (did you mean "
                                "\"champion\"?)"));
        QCOMPARE(r->aliasesRead.value(QStringLiteral("champion"), -1), 1);
        QCOMPARE(r->aliasesRead.value(QStringLiteral("champoin"), -1), 0);
        QCOMPARE(r->aliasesRead.value(QStringLiteral("staging"), -1), 0);

        // Held once, held by none now: skipped.
        QVERIFY(removeAlias(*f.db, m, 1, QStringLiteral("champion")));
        r = evaluateGate(f.project, *f.db, m, run2);
        QVERIFY(r->conditions.at(0).passed);
        QVERIFY(r->conditions.at(0).skipped);
        QCOMPARE(r->conditions.at(0).message,
                 QStringLiteral("no version holds champion now: not compared"));
    }

    void oneHolderPerAlias()
    {
        Fixture f("name: t\nentry_points: {train: 'true'}\nmodels:\n  m: models/m.json\n");
        QVERIFY(f.db->userVersion() >= 6); // the one-holder index exists
        const QString m = QStringLiteral("m");
        QVERIFY(registerVersion(f.project, *f.db, m, f.train(R"({"auc": 0.8})", "one")));
        QVERIFY(registerVersion(f.project, *f.db, m, f.train(R"({"auc": 0.9})", "two")));
        QVERIFY(promote(f.project, *f.db, req(m, 1, QStringLiteral("production"))));
        const auto insert = [&](const char *alias, int version) {
            auto s = f.db->prepare(
                QStringLiteral("INSERT INTO model_aliases (model_id, alias, version, set_ms) "
                               "SELECT id, ?1, ?2, 0 FROM registered_models WHERE name = 'm'"));
            if (!s)
                return false;
            s->bind(1, QString::fromLatin1(alias)).bind(2, version);
            return bool(s->exec());
        };
        QVERIFY(!insert("production", 2)); // a second holder
        QVERIFY(insert("archived", 1));
        QVERIFY(insert("archived", 2)); // any number of archived versions
        QCOMPARE(versionByAlias(*f.db, m, QStringLiteral("production"))->value().version, 1);
    }

    void aliasNames_data()
    {
        QTest::addColumn<QString>("alias");
        QTest::addColumn<bool>("valid");
        QTest::newRow("production") << "production" << true;
        QTest::newRow("free") << "champion-2_b" << true;
        QTest::newRow("upper") << "Prod" << false;
        QTest::newRow("latest") << "latest" << false;
        QTest::newRow("number") << "3" << false;
        QTest::newRow("empty") << "" << false;
        QTest::newRow("space") << "a b" << false;
    }

    void aliasNames()
    {
        QFETCH(QString, alias);
        QFETCH(bool, valid);
        QCOMPARE(checkAliasName(alias).isEmpty(), valid);
    }
};

QTEST_GUILESS_MAIN(TestRegistry)
#include "tst_registry.moc"
