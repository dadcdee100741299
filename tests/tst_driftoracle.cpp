// Cairn's drift numbers against tools/drift_oracle.py (scipy): the oracle and Cairn run on the
// same generated files — ties, constant columns, tiny samples, NaN-heavy and all-missing columns,
// new categories, skewed and heavy-tailed numbers, infinities, binary and few-valued columns —
// with Evidently's default test choice and with every test forced in turn, and every number the
// oracle reports is compared: scores and p-values to 1e-6 relative (1e-9 absolute below 1e-6),
// statistics, verdicts, column types, test choices, sample sizes, missing shares and the
// dataset verdict.

#include "data/table.h"
#include "drift/drift.h"
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>
#include <numbers>
#include <random>

using namespace cairn;
using namespace cairn::drift;

namespace {

// One generated column: a name and a way to draw a cell (text as pandas would read it).
struct Generator
{
    QString name;
    std::function<QString(std::mt19937_64 &, bool current)> cell;
};

QString fixed(double v, int decimals = 6)
{
    return QString::number(v, 'f', decimals);
}

double uniform(std::mt19937_64 &g)
{
    return std::uniform_real_distribution<double>(0.0, 1.0)(g);
}

double normal(std::mt19937_64 &g, double mean, double sd)
{
    return std::normal_distribution<double>(mean, sd)(g);
}

QString pick(std::mt19937_64 &g, const QStringList &values, const std::vector<double> &weights)
{
    std::discrete_distribution<int> d(weights.begin(), weights.end());
    return values[d(g)];
}

QList<Generator> generators(bool tiny)
{
    QList<Generator> out;
    out.append({"normal_shift", [](auto &g, bool cur) {
                    return fixed(normal(g, cur ? 0.3 : 0.0, cur ? 1.2 : 1.0));
                }});
    out.append({"lognormal", [](auto &g, bool cur) {
                    return fixed(std::exp(normal(g, cur ? 0.1 : 0.0, 1.0)), 5);
                }});
    out.append({"cauchy", [](auto &g, bool) {
                    return QString::number(std::tan(std::numbers::pi * (uniform(g) - 0.5)), 'g', 9);
                }});
    out.append({"ties", [](auto &g, bool cur) {
                    return fixed(std::round(normal(g, cur ? 51 : 50, 6)) / 2.0, 1);
                }});
    out.append({"int_small", [](auto &g, bool cur) {
                    return pick(g, {"0", "1", "2", "3", "4"},
                                cur ? std::vector<double>{3, 3, 2, 1, 1}
                                    : std::vector<double>{4, 3, 1, 1, 1});
                }});
    out.append({"int_wide", [](auto &g, bool cur) {
                    return QString::number(int(std::floor(uniform(g) * (cur ? 220 : 200))));
                }});
    out.append({"few_values", [](auto &g, bool cur) {
                    return pick(g, {"1.5", "2.5", "3.5"},
                                cur ? std::vector<double>{1, 1, 2} : std::vector<double>{2, 1, 1});
                }});
    out.append({"binary_float",
                [](auto &g, bool cur) { return uniform(g) < (cur ? 0.45 : 0.3) ? "1.0" : "0.0"; }});
    out.append({"constant", [](auto &, bool) { return QString("7.0"); }});
    out.append({"const_ref", [](auto &g, bool cur) {
                    return cur ? fixed(normal(g, 3, 0.5), 3) : QString("3.0");
                }});
    out.append({"nan_heavy", [](auto &g, bool cur) {
                    return uniform(g) < (cur ? 0.2 : 0.7) ? QString() : fixed(normal(g, 10, 2), 4);
                }});
    out.append({"all_missing_cur",
                [](auto &g, bool cur) { return cur ? QString() : fixed(normal(g, 0, 1), 3); }});
    out.append({"with_inf", [](auto &g, bool cur) {
                    const double u = uniform(g);
                    if (u < 0.03)
                        return QString("inf");
                    if (u < 0.05)
                        return QString("-inf");
                    return fixed(normal(g, cur ? 0.5 : 0, 1), 4);
                }});
    out.append({"cat", [](auto &g, bool cur) {
                    return pick(g, {"alpha", "beta", "gamma", "delta", "epsilon"},
                                cur ? std::vector<double>{2, 2, 3, 2, 1}
                                    : std::vector<double>{3, 3, 2, 1, 1});
                }});
    out.append({"cat_new", [](auto &g, bool cur) {
                    return pick(g, {"x", "y", "z", "w"},
                                cur ? std::vector<double>{3, 3, 3, 1}
                                    : std::vector<double>{1, 1, 1, 0});
                }});
    out.append({"cat_missing", [](auto &g, bool cur) {
                    const double u = uniform(g);
                    if (u < (cur ? 0.1 : 0.3))
                        return pick(g, {"NA", "", "null", "N/A"}, {1, 1, 1, 1});
                    return pick(g, {"red", "green", "blue"}, {1, 1, 1});
                }});
    out.append({"binary_cat",
                [](auto &g, bool cur) { return uniform(g) < (cur ? 0.6 : 0.5) ? "yes" : "no"; }});
    out.append({"flag", [](auto &g, bool cur) {
                    return uniform(g) < (cur ? 0.4 : 0.5) ? "True" : "False";
                }});
    out.append({"customer_id",
                [](auto &g, bool) { return QString("C%1").arg(quint64(g() % 100000000000ULL)); }});
    if (tiny) {
        // Tiny samples make some columns all-distinct (text) or single-valued; both are fine.
        out.append(
            {"tiny_int", [](auto &g, bool) { return QString::number(int(uniform(g) * 3)); }});
    }
    return out;
}

void writeCsv(const QString &path, const QList<Generator> &gens, int rows, bool current,
              std::uint64_t seed)
{
    std::mt19937_64 g(seed);
    QString text;
    QStringList header;
    for (const Generator &c : gens)
        header.append(c.name);
    text += header.join(',') + '\n';
    for (int r = 0; r < rows; ++r) {
        QStringList cells;
        for (const Generator &c : gens)
            cells.append(c.cell(g, current));
        text += cells.join(',') + '\n';
    }
    test::writeFile(path, text.toUtf8());
}

// A column where the binary text column must have both categories in both files, and an equal
// number of rows for g_test and fisher_exact.
struct Case
{
    QString name;
    int refRows;
    int curRows;
    bool tiny = false;
    QStringList only; // the columns to generate; empty: all
};

double jsonNumber(const QJsonValue &v)
{
    if (v.isDouble())
        return v.toDouble();
    const QString s = v.toString();
    if (s == "Infinity")
        return std::numeric_limits<double>::infinity();
    if (s == "-Infinity")
        return -std::numeric_limits<double>::infinity();
    return std::numeric_limits<double>::quiet_NaN();
}

bool close(double ours, double theirs)
{
    if (std::isnan(ours) || std::isnan(theirs))
        return std::isnan(ours) && std::isnan(theirs);
    if (std::isinf(ours) || std::isinf(theirs))
        return ours == theirs;
    const double diff = std::abs(ours - theirs);
    if (std::abs(theirs) < 1e-6)
        return diff <= 1e-9 || diff <= 1e-6 * std::abs(theirs);
    return diff <= 1e-6 * std::abs(theirs);
}

// Whether a verdict may differ because the score sits on the threshold (within the tolerance).
bool onThreshold(double score, double threshold)
{
    return std::abs(score - threshold) <= 1e-6 * std::max(std::abs(threshold), 1e-9);
}

struct Comparison
{
    QStringList mismatches;
    int numbers = 0;  // numbers compared
    int verdicts = 0; // drift verdicts compared
    int errors = 0;   // cases where both refused
    int skipped = 0;  // forced tests Cairn refuses for the column's kind (Evidently does too)

    void number(const QString &where, double ours, double theirs)
    {
        ++numbers;
        if (!close(ours, theirs))
            mismatches.append(QString("%1: Cairn %2, scipy %3")
                                  .arg(where)
                                  .arg(ours, 0, 'g', 17)
                                  .arg(theirs, 0, 'g', 17));
    }
    void same(const QString &where, const QString &ours, const QString &theirs)
    {
        if (ours != theirs)
            mismatches.append(QString("%1: Cairn \"%2\", scipy \"%3\"").arg(where, ours, theirs));
    }
};

// Compares one column of one run: Cairn's ColumnDrift against the oracle's entry.
// `extra` holds what oracle_all.py adds for a numeric column: whether scipy's Epps-Singleton
// covariance is singular (its statistic is then rounding noise, and Cairn refuses), and the MMD
// p-value that counts permutations tying the observed statistic up to rounding (numpy's rounding
// decides such exact ties either way; Cairn counts them, as the test means).
void compareColumn(Comparison &cmp, const QString &where, const ColumnDrift &ours,
                   QJsonObject theirs, bool forced, const QJsonObject &extra = {})
{
    const QString type = theirs.value("type").toString();
    cmp.same(where + " type", kindName(ours.kind), type);
    if (type != "numerical" && type != "categorical")
        return; // text and unknown columns are listed, not tested, by both
    if (theirs.contains("nan_share_ref")) {
        cmp.number(where + " missing share ref", ours.missingShareRef,
                   jsonNumber(theirs.value("nan_share_ref")));
        cmp.number(where + " missing share cur", ours.missingShareCur,
                   jsonNumber(theirs.value("nan_share_cur")));
    }
    if (theirs.contains("n_ref")) {
        cmp.same(where + " n_ref", QString::number(ours.nRef),
                 QString::number(theirs.value("n_ref").toInteger()));
        cmp.same(where + " n_cur", QString::number(ours.nCur),
                 QString::number(theirs.value("n_cur").toInteger()));
    }
    const bool theirError = theirs.contains("error");
    if (forced && !ours.error.isEmpty() && ours.error.contains("is not a test for")) {
        ++cmp.skipped;
        return;
    }
    if (!theirs.contains("stattest")) {
        // Empty after dropping missing values: both report the column instead of a score.
        if (ours.result)
            cmp.mismatches.append(where + ": Cairn scored a column the oracle could not (" +
                                  theirs.value("error").toString() + ")");
        else
            ++cmp.errors;
        return;
    }
    cmp.same(where + " test", ours.test, theirs.value("stattest").toString());
    const QString test = theirs.value("stattest").toString();
    // Where scipy's answer is NaN (a t-test of two constant samples, an MMD whose statistic is
    // NaN and which the oracle turns into p = 0) or rounding noise (a singular Epps-Singleton
    // covariance), Cairn reports the column as not testable instead of a number.
    const bool nanAnswer = !theirError && std::isnan(jsonNumber(theirs.value("drift_score")));
    const bool nanMmd =
        test == "empirical_mmd" && !theirError &&
        (ours.nRef < 2 || ours.nCur < 2 ||
         std::isnan(jsonNumber(theirs.value("details").toObject().value("statistic"))));
    const bool esNoise = test == "es" && extra.value("es_singular").toBool();
    if (nanAnswer || nanMmd || esNoise) {
        if (ours.result)
            cmp.mismatches.append(QString("%1: scipy's answer is %2 but Cairn scored %3")
                                      .arg(where, esNoise ? "rounding noise" : "NaN")
                                      .arg(ours.result->score));
        else
            ++cmp.errors;
        return;
    }
    if (test == "empirical_mmd" && extra.contains("mmd_p_tol")) {
        // The oracle's own p-value must be the one the tie-aware harness reproduces.
        if (!close(jsonNumber(extra.value("mmd_p")), jsonNumber(theirs.value("drift_score"))))
            cmp.mismatches.append(where + ": the harness's MMD is not the oracle's");
        const double pTol = jsonNumber(extra.value("mmd_p_tol"));
        theirs["drift_score"] = pTol;
        theirs["p_value"] = pTol;
        theirs["drift_detected"] = pTol < theirs.value("threshold").toDouble();
    }
    if (theirError) {
        if (ours.result)
            cmp.mismatches.append(QString("%1: scipy refused (%2) but Cairn scored %3")
                                      .arg(where, theirs.value("error").toString())
                                      .arg(ours.result->score));
        else
            ++cmp.errors;
        return;
    }
    if (!ours.result) {
        cmp.mismatches.append(QString("%1: Cairn refused (%2) but scipy scored %3")
                                  .arg(where, ours.error)
                                  .arg(jsonNumber(theirs.value("drift_score"))));
        return;
    }
    const double score = jsonNumber(theirs.value("drift_score"));
    cmp.number(where + " score", ours.result->score, score);
    cmp.number(where + " threshold", ours.threshold, jsonNumber(theirs.value("threshold")));
    if (theirs.contains("p_value")) {
        if (!ours.result->pValue)
            cmp.mismatches.append(where + ": Cairn gives no p-value");
        else
            cmp.number(where + " p-value", *ours.result->pValue,
                       jsonNumber(theirs.value("p_value")));
    } else if (ours.result->pValue) {
        cmp.mismatches.append(where + ": Cairn gives a p-value for a distance");
    }
    const QJsonObject details = theirs.value("details").toObject();
    if (details.contains("statistic")) {
        if (!ours.result->statistic)
            cmp.mismatches.append(where + ": Cairn gives no statistic");
        else
            cmp.number(where + " statistic", *ours.result->statistic,
                       jsonNumber(details.value("statistic")));
    }
    if (!onThreshold(ours.result->score, ours.threshold)) {
        ++cmp.verdicts;
        cmp.same(where + " drifted", ours.result->drifted ? "true" : "false",
                 theirs.value("drift_detected").toBool() ? "true" : "false");
    }
}

} // namespace

class TestDriftOracle : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void againstScipy();
    void cliJsonAgainstScipy();

private:
    QTemporaryDir m_dir;
    QList<QPair<QString, QString>> m_pairs;
    QJsonObject m_oracle;
};

void TestDriftOracle::initTestCase()
{
    QVERIFY(m_dir.isValid());
    const QList<Case> cases = {
        {"small", 300, 250, false, {}},
        {"tiny", 6, 4, true, {}},
        {"equal", 400, 400, false, {}},
        {"medium", 1500, 1200, false, {}},
        // Above 10,000 values KS switches to its asymptotic distribution; a few columns keep the
        // oracle's permutation tests quick.
        {"large",
         12000,
         11000,
         false,
         {"normal_shift", "lognormal", "ties", "int_small", "cat", "nan_heavy"}},
    };
    QStringList args{QDir(test::sourceDir()).filePath("tests/tools/oracle_all.py")};
    std::uint64_t seed = 20261127;
    for (const Case &c : cases) {
        QList<Generator> gens = generators(c.tiny);
        if (!c.only.isEmpty())
            gens.removeIf([&](const Generator &g) { return !c.only.contains(g.name); });
        const QString ref = m_dir.filePath(c.name + "-ref.csv");
        const QString cur = m_dir.filePath(c.name + "-cur.csv");
        writeCsv(ref, gens, c.refRows, false, ++seed);
        writeCsv(cur, gens, c.curRows, true, ++seed);
        m_pairs.append({ref, cur});
        args << ref << cur;
    }
    QElapsedTimer timer;
    timer.start();
    const test::ProcessResult r = test::runProcess(test::python(), args, {}, 600000);
    qInfo("the scipy oracle took %.1f s", double(timer.elapsed()) / 1000);
    if (!r.started || r.exitCode != 0) {
        const QString why =
            QString("the oracle (python3 with numpy, scipy and pandas) did not run: %1")
                .arg(QString::fromLocal8Bit(r.err.right(2000)));
        if (qEnvironmentVariableIsSet("CI"))
            QFAIL(qPrintable(why));
        QSKIP(qPrintable(
            why +
            " — install the test dependencies: packaging/install-deps.sh --with-python-tests"));
    }
    QJsonParseError error;
    m_oracle = QJsonDocument::fromJson(r.out, &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QCOMPARE(m_oracle.size(), m_pairs.size());
}

void TestDriftOracle::againstScipy()
{
    Comparison cmp;
    int columnsTested = 0;
    int mmdPairs = 0;
    for (const auto &[refPath, curPath] : m_pairs) {
        const QString pairName = QFileInfo(refPath).completeBaseName().section('-', 0, 0);
        const auto ref = readTable(refPath);
        QVERIFY2(ref, qPrintable(ref ? QString() : ref.error().toString()));
        const auto cur = readTable(curPath);
        QVERIFY2(cur, qPrintable(cur ? QString() : cur.error().toString()));
        const QJsonObject entry = m_oracle.value(refPath + "|" + curPath).toObject();
        QVERIFY(!entry.isEmpty());

        // Evidently's default choice per column, and the dataset verdict.
        const auto report = computeDrift(*ref, *cur);
        QVERIFY2(report, qPrintable(report ? QString() : report.error().toString()));
        const QJsonObject oracleDefault = entry.value("default").toObject();
        const QJsonObject columns = oracleDefault.value("columns").toObject();
        QCOMPARE(report->columns.size(), columns.size());
        const QJsonObject extras = entry.value("extras").toObject();
        for (const ColumnDrift &c : report->columns) {
            QVERIFY2(columns.contains(c.name), qPrintable(c.name));
            compareColumn(cmp, QString("%1/default/%2").arg(pairName, c.name), c,
                          columns.value(c.name).toObject(), false, extras.value(c.name).toObject());
            columnsTested += c.result ? 1 : 0;
        }
        const QJsonObject ds = oracleDefault.value("dataset").toObject();
        cmp.same(pairName + " dataset columns", QString::number(report->dataset.columns),
                 QString::number(ds.value("number_of_columns").toInt()));
        cmp.same(pairName + " dataset drifted columns",
                 QString::number(report->dataset.driftedColumns),
                 QString::number(ds.value("number_of_drifted_columns").toInt()));
        cmp.number(pairName + " dataset share", report->dataset.shareDrifted,
                   ds.value("share_of_drifted_columns").toDouble());
        cmp.same(pairName + " dataset drift", report->dataset.drifted ? "true" : "false",
                 ds.value("dataset_drift").toBool() ? "true" : "false");

        // Every test forced on every column.
        const QJsonObject methods = entry.value("methods").toObject();
        // Every test but empirical_mmd (whose oracle needs minutes above a thousand rows) on
        // every pair; empirical_mmd on the small ones.
        QVERIFY(methods.size() == 18 ||
                (methods.size() == 17 && !methods.contains("empirical_mmd")));
        mmdPairs += methods.contains("empirical_mmd") ? 1 : 0;
        for (auto it = methods.begin(); it != methods.end(); ++it) {
            DriftOptions options;
            options.test = it.key();
            const auto forced = computeDrift(*ref, *cur, options);
            QVERIFY2(forced, qPrintable(forced ? QString() : forced.error().toString()));
            const QJsonObject oc = it.value().toObject();
            for (const ColumnDrift &c : forced->columns)
                compareColumn(cmp, QString("%1/%2/%3").arg(pairName, it.key(), c.name), c,
                              oc.value(c.name).toObject(), true, extras.value(c.name).toObject());
        }
    }
    qInfo("compared %d numbers and %d verdicts; %d refusals agreed; %d forced tests not for the "
          "column's kind",
          cmp.numbers, cmp.verdicts, cmp.errors, cmp.skipped);
    // Enough was compared for the test to mean something.
    QVERIFY(cmp.numbers > 2000);
    QVERIFY(columnsTested > 40);
    QVERIFY(mmdPairs >= 2);
    if (!cmp.mismatches.isEmpty()) {
        const QStringList shown = cmp.mismatches.mid(0, 60);
        QFAIL(qPrintable(QString("%1 mismatch(es) with scipy:\n  %2")
                             .arg(cmp.mismatches.size())
                             .arg(shown.join("\n  "))));
    }
}

void TestDriftOracle::cliJsonAgainstScipy()
{
    // The command line's --json, as a pipeline would read it, against the oracle's default run.
    const auto &[ref, cur] = m_pairs.first();
    const test::ProcessResult r =
        test::runProcess(test::cliPath(), {"drift", ref, cur, "--json"}, m_dir.path());
    QVERIFY2(r.exitCode == 0, r.err.constData());
    QJsonParseError error;
    const QJsonObject json = QJsonDocument::fromJson(r.out, &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    QCOMPARE(QStringList(json.keys()), (QStringList{"columns", "current", "dataset", "reference"}));
    const QJsonObject oracle =
        m_oracle.value(ref + "|" + cur).toObject().value("default").toObject();
    const QJsonObject oc = oracle.value("columns").toObject();
    Comparison cmp;
    for (const QJsonValue &v : json.value("columns").toArray()) {
        const QJsonObject c = v.toObject();
        QCOMPARE(QStringList(c.keys()),
                 (QStringList{"drifted", "missing_share_cur", "missing_share_ref", "n_cur", "n_ref",
                              "name", "p_value", "score", "test", "tests", "threshold", "type"}));
        const QString name = c.value("name").toString();
        const QJsonObject o = oc.value(name).toObject();
        cmp.same(name + " type", c.value("type").toString(), o.value("type").toString());
        if (!o.contains("drift_score"))
            continue;
        cmp.same(name + " test", c.value("test").toString(), o.value("stattest").toString());
        cmp.number(name + " score", jsonNumber(c.value("score")),
                   jsonNumber(o.value("drift_score")));
        if (o.contains("p_value"))
            cmp.number(name + " p_value", jsonNumber(c.value("p_value")),
                       jsonNumber(o.value("p_value")));
        else
            QVERIFY2(c.value("p_value").isNull(), qPrintable(name));
        const QJsonObject tests = c.value("tests").toObject();
        QVERIFY2(tests.contains(c.value("test").toString()), qPrintable(name));
        cmp.number(name + " tests.score",
                   jsonNumber(tests.value(c.value("test").toString()).toObject().value("score")),
                   jsonNumber(o.value("drift_score")));
        cmp.same(name + " drifted", c.value("drifted").toBool() ? "y" : "n",
                 o.value("drift_detected").toBool() ? "y" : "n");
    }
    const QJsonObject ds = json.value("dataset").toObject();
    QCOMPARE(QStringList(ds.keys()), (QStringList{"columns", "drift_share", "drifted",
                                                  "drifted_columns", "share_drifted"}));
    cmp.same("dataset drifted", ds.value("drifted").toBool() ? "y" : "n",
             oracle.value("dataset").toObject().value("dataset_drift").toBool() ? "y" : "n");
    QVERIFY(cmp.numbers > 10);
    QVERIFY2(cmp.mismatches.isEmpty(), qPrintable(cmp.mismatches.join('\n')));
}

QTEST_GUILESS_MAIN(TestDriftOracle)
#include "tst_driftoracle.moc"
