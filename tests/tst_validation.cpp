// Data validation: each rule of a dataset's `checks:` broken (exact counts and example rows),
// a table passing all of them, drift against a reference, typos in cairn.yaml reported with
// their line and column, a version at HEAD~1, and `cairn-cli validate`'s exit codes and JSON.

#include "data/table.h"
#include "demo/demoproject.h"
#include "project/projectfile.h"
#include "testsupport.h"
#include "validation/datavalidation.h"
#include "vcs/git.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;
using namespace cairn::validation;

namespace {

const QByteArray kBad = "id,age,fee,plan,name,code\n"
                        "1,25,10.5,a,x,10\n"
                        "2,17,20.0,b,y,11\n"
                        "2,30,,c,z,x1\n"
                        "4,101,-1.0,a,x,13\n"
                        "5,40,5.0,,w,14\n"
                        "6,35,7.5,b,v,15\n";

const QByteArray kGood = "id,age,fee,plan,name,code\n"
                         "1,25,10.5,a,x,10\n"
                         "2,18,20.0,b,y,11\n"
                         "3,30,0,a,z,12\n"
                         "4,100,5.0,b,w,1\n";

// The checks both files are held to; the bad file breaks every rule.
const QByteArray kProject = "name: validation\n"
                            "datasets:\n"
                            "  people:\n"
                            "    path: data/people.csv\n"
                            "    key: id\n"
                            "    checks:\n"
                            "      rows: {min: 4, max: 5}\n"
                            "      columns:\n"
                            "        id: {kind: int}\n"
                            "        age: {kind: int, min: 18, max: 100}\n"
                            "        fee: {kind: float, min: 0, max_missing: 0.1}\n"
                            "        plan: {allowed: [a, b], missing: 0}\n"
                            "        name: {kind: string, unique: true}\n"
                            "        code: {kind: int, min: 0, max: 12}\n"
                            "  unchecked:\n"
                            "    path: data/people.csv\n";

Table table(const QByteArray &csv)
{
    auto t = readTableBytes(csv, QStringLiteral("test.csv"));
    if (!t)
        qFatal("%s", qPrintable(t.error().toString()));
    return *t;
}

DatasetChecks checksOf(const QByteArray &yaml, const QString &dataset = QStringLiteral("people"))
{
    const auto p =
        parseCairnYaml(QStringLiteral("/tmp/v/cairn.yaml"), yaml, QStringLiteral("/tmp/v"));
    if (!p)
        qFatal("%s", qPrintable(p.error().first().toString()));
    return *p->dataset(dataset)->checks;
}

const RuleResult *rule(const ValidationReport &r, const QString &name, const QString &column = {})
{
    for (const RuleResult &x : r.rules) {
        if (x.rule == name && x.column == column)
            return &x;
    }
    return nullptr;
}

QList<qint64> rowsOf(const RuleResult &r)
{
    QList<qint64> rows;
    for (const Example &e : r.examples)
        rows.append(e.row);
    return rows;
}

QStringList valuesOf(const RuleResult &r)
{
    QStringList values;
    for (const Example &e : r.examples)
        values.append(e.value.value_or(QStringLiteral("<missing>")));
    return values;
}

} // namespace

class TestValidation : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_repo;

private slots:
    void initTestCase();
    void everyRuleBroken();
    void everyRulePasses();
    void missingColumnAndManyExamples();
    void drift();
    void typos_data();
    void typos();
    void datasetAtRevision();
    void demoProjectAndDriftReference();
    void cli();
};

void TestValidation::initTestCase()
{
    test::isolateUserDirs();
    QVERIFY(m_tmp.isValid());
    // A project whose data/people.csv is good at HEAD~1 and bad at HEAD.
    m_repo = QDir(m_tmp.path()).canonicalPath() + QStringLiteral("/repo");
    QVERIFY(QDir().mkpath(m_repo + QStringLiteral("/data")));
    QVERIFY(gitInit(m_repo));
    test::writeFile(m_repo + QStringLiteral("/cairn.yaml"), kProject);
    test::writeFile(m_repo + QStringLiteral("/data/people.csv"), kGood);
    QVERIFY(gitCommitAll(m_repo, QStringLiteral("good")));
    test::writeFile(m_repo + QStringLiteral("/data/people.csv"), kBad);
    QVERIFY(gitCommitAll(m_repo, QStringLiteral("bad")));
}

void TestValidation::everyRuleBroken()
{
    const ValidationReport r = validateTable(table(kBad), checksOf(kProject));
    QVERIFY(!r.passed());
    QCOMPARE(r.rows, 6);

    const RuleResult *rows = rule(r, QStringLiteral("rows"));
    QVERIFY(rows && !rows->passed);
    QCOMPARE(rows->message, QStringLiteral("6 rows, more than the maximum of 5"));

    const RuleResult *age = rule(r, QStringLiteral("range"), QStringLiteral("age"));
    QVERIFY(age && !age->passed);
    QCOMPARE(age->offendingRows, 2);
    QCOMPARE(rowsOf(*age), (QList<qint64>{2, 4}));
    QCOMPARE(valuesOf(*age), (QStringList{QStringLiteral("17"), QStringLiteral("101")}));
    QCOMPARE(age->message, QStringLiteral("2 rows below 18 or above 100"));
    QVERIFY(rule(r, QStringLiteral("kind"), QStringLiteral("age"))->passed);

    // A float column with a missing value: the range ignores it, the missing share counts it.
    const RuleResult *fee = rule(r, QStringLiteral("range"), QStringLiteral("fee"));
    QVERIFY(fee && !fee->passed);
    QCOMPARE(fee->offendingRows, 1);
    QCOMPARE(rowsOf(*fee), QList<qint64>{4});
    QCOMPARE(valuesOf(*fee), QStringList{QStringLiteral("-1.0")});
    const RuleResult *feeMissing = rule(r, QStringLiteral("missing"), QStringLiteral("fee"));
    QVERIFY(feeMissing && !feeMissing->passed);
    QCOMPARE(feeMissing->offendingRows, 1);
    QCOMPARE(rowsOf(*feeMissing), QList<qint64>{3});
    QVERIFY(!feeMissing->examples.first().value);
    QCOMPARE(feeMissing->message, QStringLiteral("1 row missing (16.67%), at most 10% allowed"));

    const RuleResult *plan = rule(r, QStringLiteral("allowed"), QStringLiteral("plan"));
    QVERIFY(plan && !plan->passed);
    QCOMPARE(plan->offendingRows, 1);
    QCOMPARE(rowsOf(*plan), QList<qint64>{3});
    QCOMPARE(valuesOf(*plan), QStringList{QStringLiteral("c")});
    const RuleResult *planMissing = rule(r, QStringLiteral("missing"), QStringLiteral("plan"));
    QVERIFY(planMissing && !planMissing->passed);
    QCOMPARE(planMissing->offendingRows, 1);
    QCOMPARE(rowsOf(*planMissing), QList<qint64>{5});

    const RuleResult *name = rule(r, QStringLiteral("unique"), QStringLiteral("name"));
    QVERIFY(name && !name->passed);
    QCOMPARE(name->offendingRows, 2);
    QCOMPARE(rowsOf(*name), (QList<qint64>{1, 4}));
    QCOMPARE(valuesOf(*name), (QStringList{QStringLiteral("x"), QStringLiteral("x")}));

    // The dataset's key must be unique too.
    const RuleResult *key = rule(r, QStringLiteral("key"), QStringLiteral("id"));
    QVERIFY(key && !key->passed);
    QCOMPARE(key->offendingRows, 2);
    QCOMPARE(rowsOf(*key), (QList<qint64>{2, 3}));
    QCOMPARE(valuesOf(*key), (QStringList{QStringLiteral("2"), QStringLiteral("2")}));

    // "x1" makes the column text: the kind rule names that row, the range rule fails clearly.
    const RuleResult *codeKind = rule(r, QStringLiteral("kind"), QStringLiteral("code"));
    QVERIFY(codeKind && !codeKind->passed);
    QCOMPARE(codeKind->offendingRows, 1);
    QCOMPARE(rowsOf(*codeKind), QList<qint64>{3});
    QCOMPARE(valuesOf(*codeKind), QStringList{QStringLiteral("x1")});
    const RuleResult *codeRange = rule(r, QStringLiteral("range"), QStringLiteral("code"));
    QVERIFY(codeRange && !codeRange->passed);
    QCOMPARE(codeRange->offendingRows, 4);
    QCOMPARE(rowsOf(*codeRange), (QList<qint64>{3, 4, 5, 6}));
    QVERIFY2(codeRange->message.startsWith(
                 QStringLiteral("a range needs numbers, but the column is read as string")),
             qPrintable(codeRange->message));

    int failed = 0;
    for (const RuleResult &x : r.rules)
        failed += x.passed ? 0 : 1;
    QCOMPARE(failed, 10);

    // The JSON form.
    QJsonObject json = validationReportToJson(r);
    QCOMPARE(json.value(QStringLiteral("passed")).toBool(), false);
    const QJsonArray rules = json.value(QStringLiteral("rules")).toArray();
    QCOMPARE(rules.size(), r.rules.size());
    bool sawMissing = false;
    for (const QJsonValue &v : rules) {
        const QJsonObject o = v.toObject();
        if (o.value(QStringLiteral("rule")).toString() == QStringLiteral("missing") &&
            o.value(QStringLiteral("column")).toString() == QStringLiteral("fee")) {
            sawMissing = true;
            QCOMPARE(o.value(QStringLiteral("offending_rows")).toInt(), 1);
            const QJsonObject e = o.value(QStringLiteral("examples")).toArray().first().toObject();
            QCOMPARE(e.value(QStringLiteral("row")).toInt(), 3);
            QVERIFY(e.value(QStringLiteral("value")).isNull());
        }
    }
    QVERIFY(sawMissing);
    QVERIFY(validationReportToText(r).contains(QStringLiteral("10 of ")));
}

void TestValidation::everyRulePasses()
{
    const ValidationReport r = validateTable(table(kGood), checksOf(kProject));
    for (const RuleResult &x : r.rules)
        QVERIFY2(x.passed, qPrintable(x.rule + u' ' + x.column + u' ' + x.message));
    QVERIFY(r.passed());
    QCOMPARE(r.rules.size(), 14);
    for (const RuleResult &x : r.rules) {
        QCOMPARE(x.offendingRows, 0);
        QVERIFY(x.examples.isEmpty());
    }
    QVERIFY(validationReportToText(r).contains(QStringLiteral("All 14 rules passed.")));
}

void TestValidation::missingColumnAndManyExamples()
{
    QByteArray csv = "v\n";
    for (int i = 1; i <= 20; ++i)
        csv += QByteArray::number(i * 10) + '\n';
    const QByteArray yaml = "datasets:\n"
                            "  d:\n"
                            "    path: d.csv\n"
                            "    checks:\n"
                            "      columns:\n"
                            "        v: {max: 100}\n"
                            "        w:\n"
                            "        b: {min: 0}\n";
    const ValidationReport r = validateTable(table(csv), checksOf(yaml, QStringLiteral("d")));
    const RuleResult *v = rule(r, QStringLiteral("range"), QStringLiteral("v"));
    QVERIFY(v);
    QCOMPARE(v->offendingRows, 10);
    QCOMPARE(rowsOf(*v), (QList<qint64>{11, 12, 13, 14, 15})); // five examples at most
    const RuleResult *w = rule(r, QStringLiteral("column"), QStringLiteral("w"));
    QVERIFY(w && !w->passed);
    QCOMPARE(w->message, QStringLiteral("the column is missing from the table"));
    QVERIFY(rule(r, QStringLiteral("column"), QStringLiteral("b")));

    // A range on a bool column fails, it does not crash.
    const ValidationReport rb =
        validateTable(table("b\ntrue\nfalse\n"), checksOf(yaml, QStringLiteral("d")));
    const RuleResult *b = rule(rb, QStringLiteral("range"), QStringLiteral("b"));
    QVERIFY(b && !b->passed);
    QCOMPARE(b->offendingRows, 2);
}

void TestValidation::drift()
{
    QByteArray ref = "x,y\n", same = "x,y\n", shifted = "x,y\n";
    for (int i = 0; i < 300; ++i) {
        ref += QByteArray::number(i % 100) + ',' + QByteArray::number((i * 7) % 50) + '\n';
        same += QByteArray::number((i * 3) % 100) + ',' + QByteArray::number((i * 11) % 50) + '\n';
        shifted += QByteArray::number(i % 100 + 60) + ',' + QByteArray::number((i * 7) % 50) + '\n';
    }
    const QByteArray yaml =
        "datasets:\n"
        "  d:\n"
        "    path: d.csv\n"
        "    checks:\n"
        "      drift: {max_share: 0.4, test: ks, threshold: 0.05, reference: r}\n";
    const DatasetChecks checks = checksOf(yaml, QStringLiteral("d"));
    QCOMPARE(checks.drift->test, QStringLiteral("ks"));
    QCOMPARE(checks.drift->reference, QStringLiteral("r"));
    const Table reference = table(ref);
    const DriftReference dr{&reference, QStringLiteral("r"), {}};

    const ValidationReport pass = validateTable(table(same), checks, dr);
    QVERIFY2(pass.passed(), qPrintable(pass.rules.first().message));
    QCOMPARE(pass.rules.first().message,
             QStringLiteral("0 of 2 columns drifted against r (0.0%, at most 40% allowed)"));

    // One of two columns drifts: 50% is above 40%.
    const ValidationReport fail = validateTable(table(shifted), checks, dr);
    QVERIFY(!fail.passed());
    QCOMPARE(fail.rules.first().rule, QStringLiteral("drift"));
    QCOMPARE(fail.rules.first().message,
             QStringLiteral("1 of 2 columns drifted against r (50.0%, at most 40% allowed): x"));

    // No reference given: a failure that says so.
    const ValidationReport none = validateTable(table(same), checks);
    QVERIFY(!none.passed());
    QCOMPARE(none.rules.first().message, QStringLiteral("no reference to compare with"));
}

void TestValidation::typos_data()
{
    QTest::addColumn<QByteArray>("checks");
    QTest::addColumn<int>("line");
    QTest::addColumn<int>("column");
    QTest::addColumn<QString>("message");
    // `checks:` is line 5; its keys start on line 6, indented by six spaces.
    QTest::newRow("unknown key") << QByteArray(
                                        "      columns:\n        age: {kind: int, uniq: true}\n")
                                 << 7 << 26 << QStringLiteral("unknown key \"uniq\"");
    QTest::newRow("unknown kind") << QByteArray("      columns:\n        age: {kind: integer}\n")
                                  << 7 << 21
                                  << QStringLiteral(
                                         "column kind \"integer\" is not one Cairn knows");
    QTest::newRow("min above max") << QByteArray("      columns:\n        age: {min: 10, max: 5}\n")
                                   << 7 << 20 << QStringLiteral("min (10) is above max (5)");
    QTest::newRow("not a number") << QByteArray(
                                         "      columns:\n        age:\n          max: ten\n")
                                  << 8 << 16
                                  << QStringLiteral("the max of column \"age\" must be a number");
    QTest::newRow("share above one")
        << QByteArray("      columns:\n        age: {max_missing: 5}\n") << 7 << 28
        << QStringLiteral("is a share from 0 to 1");
    QTest::newRow("allowed not a list")
        << QByteArray("      columns:\n        plan: {allowed: a}\n") << 7 << 25
        << QStringLiteral("must be a list");
    QTest::newRow("unique not bool")
        << QByteArray("      columns:\n        id: {unique: yes please}\n") << 7 << 22
        << QStringLiteral("must be true or false");
    QTest::newRow("negative rows") << QByteArray("      rows: {min: -1}\n") << 6 << 19
                                   << QStringLiteral("must be a whole number from 0");
    QTest::newRow("rows min above max") << QByteArray("      rows: {min: 10, max: 2}\n") << 6 << 19
                                        << QStringLiteral("min (10) is above max (2)");
    QTest::newRow("unknown block")
        << QByteArray("      colums: {}\n") << 6 << 7 << QStringLiteral("unknown key \"colums\"");
    QTest::newRow("drift test") << QByteArray("      drift: {test: kss}\n") << 6 << 21
                                << QStringLiteral("unknown drift test \"kss\"");
    QTest::newRow("drift key") << QByteArray("      drift: {max_shar: 0.2}\n") << 6 << 15
                               << QStringLiteral("unknown key \"max_shar\"");
    QTest::newRow("columns a list")
        << QByteArray("      columns: [age]\n") << 6 << 16
        << QStringLiteral("\"columns\" must be a mapping of keys to values");
}

void TestValidation::typos()
{
    QFETCH(QByteArray, checks);
    QFETCH(int, line);
    QFETCH(int, column);
    QFETCH(QString, message);
    const QByteArray yaml = "name: t\n"
                            "datasets:\n"
                            "  people:\n"
                            "    path: data/people.csv\n"
                            "    checks:\n" +
                            checks;
    const auto p =
        parseCairnYaml(QStringLiteral("/tmp/v/cairn.yaml"), yaml, QStringLiteral("/tmp/v"));
    QVERIFY(!p);
    const Error &e = p.error().first();
    QVERIFY2(e.message.contains(message), qPrintable(e.toString()));
    QCOMPARE(e.file, QStringLiteral("/tmp/v/cairn.yaml"));
    QCOMPARE(e.line, line);
    QCOMPARE(e.column, column);
}

void TestValidation::datasetAtRevision()
{
    const auto project = loadProject(m_repo);
    QVERIFY2(project, project ? "" : qPrintable(project.error().first().toString()));
    const auto now = validateDataset(*project, QStringLiteral("people"));
    QVERIFY2(now, now ? "" : qPrintable(now.error().toString()));
    QVERIFY(!now->passed());
    QCOMPARE(now->version, QStringLiteral("data/people.csv"));
    const auto before = validateDataset(*project, QStringLiteral("people@HEAD~1"));
    QVERIFY2(before, before ? "" : qPrintable(before.error().toString()));
    QVERIFY(before->passed());
    QCOMPARE(before->dataset, QStringLiteral("people"));
    QCOMPARE(before->version, QStringLiteral("data/people.csv@HEAD~1"));
    QCOMPARE(before->rows, 4);
    // By path: the rules of the first dataset that holds the file.
    const auto byPath = validateDataset(*project, QStringLiteral("data/people.csv@HEAD~1"));
    QVERIFY2(byPath, byPath ? "" : qPrintable(byPath.error().toString()));
    QVERIFY(byPath->passed());

    const auto unknown = validateDataset(*project, QStringLiteral("nosuch"));
    QVERIFY(!unknown);
    QVERIFY2(unknown.error().message.contains(QStringLiteral("\"nosuch\"")),
             qPrintable(unknown.error().toString()));
    const auto unchecked = validateDataset(*project, QStringLiteral("unchecked"));
    QVERIFY(!unchecked);
    QCOMPARE(unchecked.error().message, QStringLiteral("dataset \"unchecked\" declares no checks"));
    const auto badRev = validateDataset(*project, QStringLiteral("people@nope"));
    QVERIFY(!badRev);
}

// The demo's reference passes the checks the demo declares; a drift check without a reference
// of its own uses the project's drift reference and settings.
void TestValidation::demoProjectAndDriftReference()
{
    const QString dir = m_tmp.filePath(QStringLiteral("demo"));
    DemoOptions options;
    options.git = false;
    QVERIFY(writeDemoProject(dir, options));
    {
        const auto project = loadProject(dir);
        QVERIFY2(project, project ? "" : qPrintable(project.error().first().toString()));
        const auto r = validateDataset(*project, QStringLiteral("reference"));
        QVERIFY2(r, r ? "" : qPrintable(r.error().toString()));
        for (const RuleResult &x : r->rules)
            QVERIFY2(x.passed, qPrintable(x.rule + u' ' + x.column + u' ' + x.message));
        QCOMPARE(r->rules.size(), 11);
        QCOMPARE(r->rows, 3975);
        // A glob of six batches: validate one of them by path.
        const auto batches = validateDataset(*project, QStringLiteral("incoming"));
        QVERIFY(!batches);
        QCOMPARE(batches.error().message,
                 QStringLiteral("dataset \"incoming\" matches 6 files now, not one"));
    }
    test::writeFile(dir + QStringLiteral("/cairn.yaml"), "name: d\n"
                                                         "datasets:\n"
                                                         "  reference: {path: data/reference.csv}\n"
                                                         "  early:\n"
                                                         "    path: data/incoming/batch-01.csv\n"
                                                         "    checks:\n"
                                                         "      drift: {max_share: 0.3}\n"
                                                         "  late:\n"
                                                         "    path: data/incoming/batch-06.csv\n"
                                                         "    checks:\n"
                                                         "      drift: {max_share: 0.3}\n"
                                                         "drift:\n"
                                                         "  reference: reference\n"
                                                         "  current: data/incoming/*.csv\n");
    const auto project = loadProject(dir);
    QVERIFY2(project, project ? "" : qPrintable(project.error().first().toString()));
    const auto early = validateDataset(*project, QStringLiteral("early"));
    QVERIFY2(early, early ? "" : qPrintable(early.error().toString()));
    QVERIFY(early->passed());
    QCOMPARE(
        early->rules.first().message,
        QStringLiteral("0 of 10 columns drifted against reference (0.0%, at most 30% allowed)"));
    const auto late = validateDataset(*project, QStringLiteral("late"));
    QVERIFY2(late, late ? "" : qPrintable(late.error().toString()));
    QVERIFY(!late->passed());
    QVERIFY2(late->rules.first().message.startsWith(QStringLiteral(
                 "7 of 10 columns drifted against reference (70.0%, at most 30% allowed): ")),
             qPrintable(late->rules.first().message));
}

void TestValidation::cli()
{
    auto run = [&](const QStringList &args) {
        return test::runProcess(test::cliPath(), QStringList{QStringLiteral("validate")} + args,
                                m_repo);
    };
    const auto fail = run({QStringLiteral("people"), QStringLiteral("--json")});
    QCOMPARE(fail.exitCode, 1);
    const QJsonObject o = QJsonDocument::fromJson(fail.out).object();
    QCOMPARE(o.value(QStringLiteral("dataset")).toString(), QStringLiteral("people"));
    QCOMPARE(o.value(QStringLiteral("version")).toString(), QStringLiteral("data/people.csv"));
    QCOMPARE(o.value(QStringLiteral("passed")).toBool(true), false);
    QCOMPARE(o.value(QStringLiteral("rules")).toArray().size(), 14);
    const QJsonObject first = o.value(QStringLiteral("rules")).toArray().first().toObject();
    for (const QString &key :
         {QStringLiteral("rule"), QStringLiteral("column"), QStringLiteral("passed"),
          QStringLiteral("offending_rows"), QStringLiteral("examples"), QStringLiteral("message")})
        QVERIFY2(first.contains(key), qPrintable(key));

    const auto pass = run({QStringLiteral("people@HEAD~1")});
    QCOMPARE(pass.exitCode, 0);
    QVERIFY2(pass.out.contains("All 14 rules passed."), pass.out.constData());

    const auto text = run({QStringLiteral("people")});
    QCOMPARE(text.exitCode, 1);
    QVERIFY(text.out.contains("FAIL  range age  2 rows below 18 or above 100"));
    QVERIFY(text.out.contains("        row 2: 17"));

    QCOMPARE(run({QStringLiteral("nosuch")}).exitCode, 2);
    const auto unchecked = run({QStringLiteral("unchecked")});
    QCOMPARE(unchecked.exitCode, 2);
    QVERIFY(unchecked.err.contains("declares no checks"));
    QCOMPARE(run({}).exitCode, 2);
    const auto help = test::runProcess(test::cliPath(), {QStringLiteral("--help")}, m_repo);
    QVERIFY(help.out.contains("validate DATASET[@REV]"));
}

QTEST_GUILESS_MAIN(TestValidation)
#include "tst_validation.moc"
