// The drift engine around the statistics: column kinds and overrides, ignored columns, missing-
// share drift, empty and all-missing columns, cancel, the reference-binned mode and its stored
// profile, drift over time kept in the project database, Retrain parameters, and cairn-cli drift
// as a pipeline uses it (exit codes, --fail-on-drift, --html, profiles, errors in words).

#include "data/table.h"
#include "drift/drift.h"
#include "drift/history.h"
#include "drift/htmlreport.h"
#include "drift/referenceprofile.h"
#include "project/projectfile.h"
#include "store/projectdb.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>
#include <random>

using namespace cairn;
using namespace cairn::drift;

namespace {

// A reference and a current table as CSV text: `shift` moves the numeric column.
QByteArray table(int rows, double shift, double missingIncome, std::uint64_t seed,
                 bool newRegion = false)
{
    std::mt19937_64 g(seed);
    std::normal_distribution<double> normal(0, 1);
    std::uniform_real_distribution<double> u(0, 1);
    QByteArray out = "id,age,income,region,visits,premium\n";
    const char *regions[] = {"north", "south", "east", "west"};
    for (int i = 0; i < rows; ++i) {
        const double age = 40 + 10 * normal(g) + shift;
        const QByteArray income = u(g) < missingIncome
                                      ? QByteArray()
                                      : QByteArray::number(3000 + 500 * normal(g), 'f', 2);
        const char *region = newRegion && u(g) < 0.3 ? "space" : regions[int(u(g) * 4)];
        const int visits = int(u(g) * 4);
        out += "U" + QByteArray::number(seed * 100000 + quint64(i)) + "," +
               QByteArray::number(age, 'f', 3) + "," + income + "," + region + "," +
               QByteArray::number(visits) + "," + (u(g) < 0.5 ? "true" : "false") + "\n";
    }
    return out;
}

const ColumnDrift *column(const DriftReport &r, const QString &name)
{
    for (const ColumnDrift &c : r.columns) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

Table parse(const QByteArray &csv, const QString &name)
{
    auto t = readTableBytes(csv, name);
    if (!t)
        qFatal("%s", qPrintable(t.error().toString()));
    return *t;
}

} // namespace

class TestDrift : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;

    test::ProcessResult cli(const QStringList &args, const QString &cwd = {})
    {
        return test::runProcess(test::cliPath(), args, cwd.isEmpty() ? m_tmp.path() : cwd, 180000);
    }

private slots:
    void initTestCase() { test::isolateUserDirs(); }

    void kindsAndVerdicts()
    {
        const Table ref = parse(table(3000, 0, 0.02, 1), "ref.csv");
        const Table cur = parse(table(2000, 6, 0.02, 2), "cur.csv");
        auto r = computeDrift(ref, cur);
        QVERIFY(r);
        QCOMPARE(r->columns.size(), 6);
        // Evidently's kinds: unique strings are text; 4 integers are categorical; floats numerical;
        // booleans categorical.
        QCOMPARE(column(*r, "id")->kind, ColumnKind::Text);
        QVERIFY(!column(*r, "id")->skipped.isEmpty());
        QCOMPARE(column(*r, "age")->kind, ColumnKind::Numerical);
        QCOMPARE(column(*r, "region")->kind, ColumnKind::Categorical);
        QCOMPARE(column(*r, "visits")->kind, ColumnKind::Categorical);
        QCOMPARE(column(*r, "premium")->kind, ColumnKind::Categorical);
        // More than 1000 reference rows: Wasserstein for numbers, Jensen-Shannon for categories.
        QCOMPARE(column(*r, "age")->test, QStringLiteral("wasserstein"));
        QCOMPARE(column(*r, "region")->test, QStringLiteral("jensenshannon"));
        QVERIFY(column(*r, "age")->drifted());     // shifted by 0.6 standard deviations
        QVERIFY(!column(*r, "region")->drifted()); // same distribution
        QVERIFY(!column(*r, "income")->drifted());
        QCOMPARE(r->dataset.columns, 5);
        QCOMPARE(r->dataset.driftedColumns, 1);
        QVERIFY(!r->dataset.drifted);
        // Profiles for charts: shared edges and shares that sum to one.
        const ColumnProfile &p = column(*r, "age")->profile;
        QCOMPARE(p.edges.size(), p.refShares.size() + 1);
        double sum = 0;
        for (double s : p.curShares)
            sum += s;
        QVERIFY(std::abs(sum - 1) < 1e-9);
        QVERIFY(!p.refEcdfX.empty());
        QCOMPARE(column(*r, "region")->profile.categories.size(), 4);
    }

    void overridesAndIgnore()
    {
        const Table ref = parse(table(500, 0, 0, 3), "ref.csv");
        const Table cur = parse(table(500, 0, 0, 4), "cur.csv");
        DriftOptions o;
        o.kinds.insert("visits", ColumnKind::Numerical);
        o.ignore = {"premium"};
        auto r = computeDrift(ref, cur, o);
        QVERIFY(r);
        QCOMPARE(column(*r, "visits")->kind, ColumnKind::Numerical);
        QCOMPARE(column(*r, "visits")->test, QStringLiteral("chisquare")); // 4 values, ≤ 1000 rows
        QVERIFY(!column(*r, "premium"));
        // A forced test that is not for the column's kind is refused, as Evidently refuses it.
        o.test = "ks";
        auto forced = computeDrift(ref, cur, o);
        QVERIFY(forced);
        QVERIFY(column(*forced, "region")->error.contains("not a test for categorical"));
        QVERIFY(column(*forced, "age")->result.has_value());
    }

    void missingShareAndEmptyColumns()
    {
        const Table ref = parse(table(800, 0, 0.02, 5), "ref.csv");
        // income: 2% missing in the reference, 30% in the current; values unchanged.
        const Table cur = parse(table(800, 0, 0.30, 6), "cur.csv");
        DriftOptions o;
        o.extraTests = {"missing_share"};
        auto r = computeDrift(ref, cur, o);
        QVERIFY(r);
        const ColumnDrift *income = column(*r, "income");
        QVERIFY(income->missingDrifted);
        QVERIFY(std::abs(income->missingShareCur - 0.30) < 0.05);
        QCOMPARE(r->dataset.missingDriftedColumns, 1);
        bool found = false;
        for (const TestOutcome &t : income->tests) {
            if (t.name == "missing_share") {
                found = true;
                QVERIFY(t.result && t.result->drifted);
            }
        }
        QVERIFY(found);

        // An all-missing column is reported, not a reason to abort the report.
        QByteArray emptyIncome = "id,age,income\nA,1.5,\nB,2.5,\nC,3.5,\n";
        QByteArray someIncome = "id,age,income\nD,1.0,10.5\nE,2.0,11.5\nF,3.0,12.5\n";
        auto r2 = computeDrift(parse(someIncome, "ref.csv"), parse(emptyIncome, "cur.csv"));
        QVERIFY(r2);
        QVERIFY(column(*r2, "income")->error.contains("empty in the current"));
        QVERIFY(column(*r2, "age")->result.has_value());
    }

    void cancel()
    {
        const Table ref = parse(table(2000, 0, 0, 7), "ref.csv");
        const Table cur = parse(table(2000, 1, 0, 8), "cur.csv");
        auto r = computeDrift(ref, cur, {}, [](qint64, qint64) { return false; });
        QVERIFY(!r);
        QCOMPARE(r.error().message, QStringLiteral("cancelled"));
    }

    void overflowingRangeIsAColumnErrorNotACrash()
    {
        // -1.7e308 .. 1.5e308: max - min overflows, numpy cannot bin (it raises); Cairn says so
        // for the binned tests and still charts and tests the column otherwise.
        QByteArray csv = "x,y\n-1.7e308,1\n1.5e308,2\n";
        for (int i = 0; i < 40; ++i)
            csv += QByteArray::number(i * 0.25) + "," + QByteArray::number(i % 3) + "\n";
        const Table t = parse(csv, "huge.csv");
        for (const char *test : {"psi", "hellinger", "jensenshannon", "kl_div"}) {
            DriftOptions o;
            o.test = test;
            auto r = computeDrift(t, t, o);
            QVERIFY(r);
            QVERIFY(!column(*r, "x")->result);
            QVERIFY2(column(*r, "x")->error.contains("cannot bin"),
                     qPrintable(column(*r, "x")->error));
        }
        auto ks = computeDrift(t, t); // default: ks, and chart profiles
        QVERIFY(ks);
        QVERIFY(column(*ks, "x")->result);
        QCOMPARE(column(*ks, "x")->profile.edges.size(), std::size_t(2)); // one bin
        DriftOptions ref;
        ref.binning = Binning::Reference;
        QVERIFY(buildReferenceProfile(t, ref));
    }

    void referenceBinned()
    {
        const Table ref = parse(table(3000, 0, 0.05, 9), "ref.csv");
        const Table same = parse(table(3000, 0, 0.05, 10), "same.csv");
        const Table shifted = parse(table(3000, 30, 0.05, 11, true), "shifted.csv");
        DriftOptions o;
        o.binning = Binning::Reference;
        auto profile = buildReferenceProfile(ref, o);
        QVERIFY(profile);
        const ReferenceColumnProfile *age = profile->column(u"age");
        QVERIFY(age && !age->byValue);
        QCOMPARE(age->counts.size(), age->edges.size() + 1); // underflow, ranges, overflow
        QCOMPARE(age->counts.front(), 0.0);
        QCOMPARE(age->counts.back(), 0.0);
        const ReferenceColumnProfile *region = profile->column(u"region");
        QVERIFY(region && region->byValue);
        QCOMPARE(region->labels, (QStringList{"east", "north", "south", "west"}));

        // Round trip through JSON gives the same verdicts.
        auto again = profileFromJson(profileToJson(*profile), "profile.json");
        QVERIFY(again);
        auto a = computeDriftAgainstProfile(*again, shifted, o);
        auto b = computeDriftAgainstProfile(*profile, shifted, o);
        QVERIFY(a && b);
        QCOMPARE(column(*a, "age")->result->score, column(*b, "age")->result->score);
        QCOMPARE(column(*a, "age")->test, QStringLiteral("psi"));
        QVERIFY(column(*a, "age")->drifted());
        // Shifted by 3 standard deviations: values land in the overflow bin, which charts show.
        QVERIFY(column(*a, "age")->profile.edges.back() > age->edges.back());
        // A category the reference never had goes to the overflow bin.
        QVERIFY(column(*a, "region")->drifted());
        QVERIFY(column(*a, "region")->profile.categories.contains("(not in reference)"));
        auto c = computeDriftAgainstProfile(*profile, same, o);
        QVERIFY(c);
        QVERIFY(!column(*c, "age")->drifted());
        QVERIFY(!c->dataset.drifted);
        // PSI by hand on by-value bins: the reference has a and b, the current adds c, which
        // lands in the "(not in reference)" bin; empty shares become 0.0001 (Evidently's PSI).
        {
            QByteArray refCsv = "k\n", curCsv = "k\n";
            for (int i = 0; i < 100; ++i)
                refCsv += i % 2 ? "a\n" : "b\n";
            for (int i = 0; i < 100; ++i)
                curCsv += i < 25 ? "a\n" : i < 50 ? "b\n" : "c\n";
            DriftOptions po;
            po.binning = Binning::Reference;
            auto p = buildReferenceProfile(parse(refCsv, "r.csv"), po);
            QVERIFY(p);
            auto r = computeDriftAgainstProfile(*p, parse(curCsv, "c.csv"), po);
            QVERIFY(r);
            const auto term = [](double c0, double r0) { return (c0 - r0) * std::log(c0 / r0); };
            const double want = 2 * term(0.25, 0.5) + term(0.5, 0.0001);
            QVERIFY(column(*r, "k")->result);
            QVERIFY2(std::abs(column(*r, "k")->result->score - want) < 1e-12 * want,
                     qPrintable(QString::number(column(*r, "k")->result->score, 'g', 17)));
        }
        // Tests that need every reference value are refused in this mode, in words.
        o.test = "ks";
        auto refused = computeDriftAgainstProfile(*profile, same, o);
        QVERIFY(!refused);
        QVERIFY(refused.error().message.contains("reference-binned"));
        // A profile from another version is an error naming the file.
        QJsonObject bad = profileToJson(*profile);
        bad.insert("cairn_reference_profile", 99);
        auto old = profileFromJson(bad, "old.json");
        QVERIFY(!old);
        QCOMPARE(old.error().file, QStringLiteral("old.json"));
    }

    void historyKeptAndRecomputedOnChange()
    {
        const QString root = m_tmp.filePath("history");
        QDir().mkpath(root + "/data/incoming");
        test::writeFile(root + "/cairn.yaml",
                        "name: h\n"
                        "entry_points:\n"
                        "  train:\n"
                        "    command: python train.py --data {data}\n"
                        "    parameters: {data: {type: path, default: data/ref.csv}}\n"
                        "datasets:\n"
                        "  reference: data/ref.csv\n"
                        "  incoming: data/incoming/*.csv\n"
                        "drift:\n"
                        "  reference: reference\n"
                        "  current: incoming\n"
                        "  ignore: [id]\n"
                        "  retrain: {entry_point: train, parameters: {data: \"{current}\"}}\n");
        test::writeFile(root + "/data/ref.csv", table(1500, 0, 0.02, 20));
        for (int i = 1; i <= 3; ++i)
            test::writeFile(root + QString("/data/incoming/batch-%1.csv").arg(i),
                            table(600, 3.0 * (i - 1), 0.02, 20 + quint64(i)));
        auto project = loadProject(root);
        QVERIFY(project);
        auto drift = resolveProjectDrift(*project);
        QVERIFY2(drift, drift ? "" : qPrintable(drift.error().toString()));
        QCOMPARE(drift->batches.size(), 3);
        QCOMPARE(drift->options.ignore, QStringList{"id"});
        auto db = openProjectDatabase(root);
        QVERIFY(db);
        auto first = computeDriftHistory(*project, **db, *drift);
        QVERIFY2(first, first ? "" : qPrintable(first.error().toString()));
        QCOMPARE(first->computed, 3);
        QCOMPARE(first->batches.size(), 3);
        QVERIFY(!column(*first->batches[0].report, "age")->drifted());
        QVERIFY(column(*first->batches[2].report, "age")->drifted());
        QVERIFY(!column(*first->batches[0].report, "id")); // ignored

        // Nothing changed: everything comes from the store, with the same numbers.
        auto second = computeDriftHistory(*project, **db, *drift);
        QVERIFY(second);
        QCOMPARE(second->computed, 0);
        QVERIFY(second->batches[2].fromStore);
        QCOMPARE(column(*second->batches[2].report, "age")->result->score,
                 column(*first->batches[2].report, "age")->result->score);

        // One batch changes: only it is computed again.
        test::writeFile(root + "/data/incoming/batch-1.csv", table(600, 9.0, 0.02, 99));
        auto third = computeDriftHistory(*project, **db, *drift);
        QVERIFY(third);
        QCOMPARE(third->computed, 1);
        QVERIFY(!third->batches[0].fromStore);
        QVERIFY(column(*third->batches[0].report, "age")->drifted());
        // Other settings: computed again rather than reused.
        drift->options.threshold = 0.5;
        auto fourth = computeDriftHistory(*project, **db, *drift);
        QVERIFY(fourth);
        QCOMPARE(fourth->computed, 3);
        // Cancel reaches inside a batch: the loop asks once per batch, with done = index; every
        // further question with done = 1 comes from hashing, reading or comparing batch 1, and
        // saying stop there fails the whole job as cancelled (otherwise it would run to the end).
        drift->options.threshold = 0.25;
        int askedDuringFirst = 0;
        auto cancelled = computeDriftHistory(*project, **db, *drift, [&](qint64 done, qint64) {
            return done != 1 || ++askedDuringFirst < 2;
        });
        QVERIFY(!cancelled);
        QCOMPARE(cancelled.error().message, QStringLiteral("cancelled"));
        QCOMPARE(askedDuringFirst, 2);
        // Reference-binned mode stores the reference's profile once.
        drift->options.binning = Binning::Reference;
        drift->options.threshold.reset();
        auto binned = computeDriftHistory(*project, **db, *drift);
        QVERIFY(binned);
        auto count = (*db)->prepare(QStringLiteral("SELECT count(*) FROM drift_profiles"));
        QVERIFY(count && *count->step());
        QCOMPARE(count->int64(0), 1);

        // Retrain launches the training entry point on the batch.
        auto params = retrainParameters(*project, drift->batches[2], drift->referenceFile);
        QVERIFY(params);
        QCOMPARE(*params, (ParamValues{{"data", "data/incoming/batch-3.csv"}}));

        // The HTML report holds the over-time chart and the column charts, inline.
        HtmlReportInput in;
        in.history = &*third;
        in.report = &*third->batches[0].report; // computed now: it has its charts' profiles
        in.options = drift->options;
        in.title = "Drift";
        const QString html = driftReportHtml(in);
        QVERIFY(html.contains("<svg"));
        QVERIFY(html.contains("Share of drifted columns per batch"));
        QVERIFY(html.contains("batch-3"));
        QVERIFY(!third->batches[0].report->columns.isEmpty());
        QVERIFY(html.contains("Empirical CDF of age"));
        QVERIFY(!html.contains("http://") ||
                html.count("http://") == html.count("http://www.w3.org/2000/svg"));
    }

    void resolveDataArguments()
    {
        const QString root = m_tmp.filePath("history");
        auto project = loadProject(root);
        QVERIFY(project);
        auto ref = resolveDataFile(&*project, "reference", root);
        QVERIFY(ref);
        QVERIFY(ref->endsWith("data/ref.csv"));
        auto many = resolveDataFile(&*project, "incoming", root);
        QVERIFY(!many);
        QVERIFY(many.error().message.contains("has 3 files"));
        auto missing = resolveDataFile(&*project, "nope.csv", root);
        QVERIFY(!missing);
        QVERIFY(missing.error().hint.contains("reference, incoming"));
    }

    void cliExitCodesAndFormats()
    {
        const QString dir = m_tmp.filePath("cli");
        QDir().mkpath(dir);
        test::writeFile(dir + "/ref.csv", table(1200, 0, 0.02, 30));
        test::writeFile(dir + "/same.csv", table(1000, 0, 0.02, 31));
        test::writeFile(dir + "/shifted.csv", table(1000, 8, 0.4, 32, true));

        auto same = cli({"drift", "ref.csv", "same.csv", "--fail-on-drift"}, dir);
        QCOMPARE(same.exitCode, 0);
        QVERIFY(same.out.contains("no dataset drift"));
        auto shifted = cli({"drift", "ref.csv", "shifted.csv", "--fail-on-drift", "--drift-share",
                            "0.4", "--html", "report.html"},
                           dir);
        QCOMPARE(shifted.exitCode, 1);
        QVERIFY(shifted.out.contains("DATASET DRIFT"));
        QVERIFY(shifted.out.contains("missing-share drift")); // income: 2% → 40% missing
        const QByteArray html = test::readFile(dir + "/report.html");
        QVERIFY(html.contains("<svg"));
        QVERIFY(html.contains("Dataset drift"));

        // JSON with a forced test, extra tests, a threshold and a column type.
        auto json = cli({"drift", "ref.csv", "shifted.csv", "--json", "--test", "psi", "--tests",
                         "ks,chisquare", "--threshold", "0.2", "--column-type", "visits=numerical",
                         "--drift-share", "0.25"},
                        dir);
        QVERIFY2(json.exitCode == 0, json.err.constData());
        const QJsonObject root = QJsonDocument::fromJson(json.out).object();
        QCOMPARE(root.value("reference").toString(), QStringLiteral("ref.csv"));
        QCOMPARE(root.value("dataset").toObject().value("drift_share").toDouble(), 0.25);
        bool sawAge = false;
        for (const QJsonValue &v : root.value("columns").toArray()) {
            const QJsonObject c = v.toObject();
            if (c.value("name") == "age") {
                sawAge = true;
                QCOMPARE(c.value("test").toString(), QStringLiteral("psi"));
                QCOMPARE(c.value("threshold").toDouble(), 0.2);
                QVERIFY(c.value("p_value").isNull());
                const QJsonObject tests = c.value("tests").toObject();
                QCOMPARE(tests.keys(), (QStringList{"ks", "psi"})); // chisquare is not for numbers
                QVERIFY(tests.value("ks").toObject().value("p_value").isDouble());
            }
            if (c.value("name") == "visits")
                QCOMPARE(c.value("type").toString(), QStringLiteral("numerical"));
        }
        QVERIFY(sawAge);

        // Reference-binned mode from a saved profile.
        auto save = cli({"drift", "ref.csv", "--save-profile", "ref.profile.json"}, dir);
        QVERIFY2(save.exitCode == 0, save.err.constData());
        auto fromProfile = cli({"drift", "ref.profile.json", "shifted.csv", "--json"}, dir);
        QVERIFY2(fromProfile.exitCode == 0, fromProfile.err.constData());
        QVERIFY(fromProfile.out.contains("\"psi\""));

        // Usage errors: exit 2, in words.
        auto unknownTest = cli({"drift", "ref.csv", "same.csv", "--test", "kss"}, dir);
        QCOMPARE(unknownTest.exitCode, 2);
        QVERIFY(unknownTest.err.contains("unknown test(s): kss"));
        auto badType = cli({"drift", "ref.csv", "same.csv", "--column-type", "age"}, dir);
        QCOMPARE(badType.exitCode, 2);
        QVERIFY(badType.err.contains("COLUMN=KIND"));
        auto oneFile = cli({"drift", "ref.csv"}, dir);
        QCOMPARE(oneFile.exitCode, 2);
        auto missing = cli({"drift", "ref.csv", "nope.csv"}, dir);
        QCOMPARE(missing.exitCode, 2); // not 1: that is --fail-on-drift's
        QVERIFY(missing.err.contains("no such file or dataset: nope.csv"));
    }

    void cliColumnsInOneFileAndNothingTestable()
    {
        const QString dir = m_tmp.filePath("onesided");
        QDir().mkpath(dir);
        test::writeFile(dir + "/ref.csv", "a,b,only_ref\n1,2,3\n2,3,4\n3,4,5\n");
        test::writeFile(dir + "/cur.csv", "a,only_cur,b\n1,9,2\n2,9,3\n3,9,4\n");
        auto r = cli({"drift", "ref.csv", "cur.csv", "--json"}, dir);
        QCOMPARE(r.exitCode, 0);
        QVERIFY2(r.err.contains("only in the reference, not compared: only_ref"),
                 r.err.constData());
        QVERIFY2(r.err.contains("only in the current table, not compared: only_cur"),
                 r.err.constData());
        // Every value of the current is missing: no column can be tested, so no verdict (2),
        // never a silent "no drift" (0) that --fail-on-drift would pass.
        test::writeFile(dir + "/empty.csv", "a,b\n,\n,\n");
        auto none = cli({"drift", "ref.csv", "empty.csv", "--fail-on-drift"}, dir);
        QCOMPARE(none.exitCode, 2);
        QVERIFY2(none.err.contains("no column could be tested"), none.err.constData());
    }

    void cliMalformedFiles_data()
    {
        QTest::addColumn<QByteArray>("csv");
        QTest::addColumn<QString>("where");
        QTest::newRow("ragged row") << QByteArray("a,b\n1,2\n3,4,5\n") << QString(":3:");
        QTest::newRow("short row") << QByteArray("a,b\n1,2\n3\n5,6\n") << QString(":3:2:");
        QTest::newRow("unterminated quote") << QByteArray("a,b\n1,\"two\n3,4\n") << QString(":2:");
        QTest::newRow("not utf-8") << QByteArray("a,b\n1,caf\xe9\n") << QString(":2:");
    }
    void cliMalformedFiles()
    {
        QFETCH(QByteArray, csv);
        QFETCH(QString, where);
        const QString dir = m_tmp.filePath("bad");
        QDir().mkpath(dir);
        test::writeFile(dir + "/good.csv", "a,b\n1,2\n3,4\n");
        test::writeFile(dir + "/bad.csv", csv);
        auto r = cli({"drift", "good.csv", "bad.csv"}, dir);
        QCOMPARE(r.exitCode, 2);
        const QString err = QString::fromUtf8(r.err);
        QVERIFY2(err.contains("bad.csv" + where), qPrintable(err));
        QVERIFY2(r.out.isEmpty(), r.out.constData());
    }

    void cliHistory()
    {
        const QString root = m_tmp.filePath("history");
        auto first = cli({"drift", "--history", "--json", "--project", root});
        QVERIFY2(first.exitCode == 0, first.err.constData());
        const QJsonObject json = QJsonDocument::fromJson(first.out).object();
        QCOMPARE(json.value("batches").toArray().size(), 3);
        auto failing = cli(
            {"drift", "--history", "--fail-on-drift", "--drift-share", "0.2", "--project", root});
        QCOMPARE(failing.exitCode, 1); // age drifts in batches 1 and 3: one column of four
        auto passing = cli({"drift", "--history", "--fail-on-drift", "--project", root});
        QCOMPARE(passing.exitCode, 0);
        QVERIFY(failing.out.contains("from the store"));
    }
};

QTEST_GUILESS_MAIN(TestDrift)
#include "tst_drift.moc"
