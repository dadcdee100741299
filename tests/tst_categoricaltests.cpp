// Cairn's categorical and binned drift tests against numpy/scipy: the cases are generated here
// with fixed seeds, one Python process (tests/tools/categorical_reference.py, which calls
// tools/drift_oracle.py) computes the same numbers, and every number is compared.

#include "drift/numpyrandom.h"
#include "drift/stattests.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <numeric>

using namespace cairn;
using namespace cairn::drift;

namespace {

// splitmix64: test data that is the same on every platform.
class Gen
{
public:
    explicit Gen(std::uint64_t seed)
        : m_state(seed)
    {}
    std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    std::int64_t between(std::int64_t lo, std::int64_t hi)
    {
        return lo + static_cast<std::int64_t>(next() % static_cast<std::uint64_t>(hi - lo + 1));
    }
    std::int64_t logBetween(double lo, double hi)
    {
        return std::llround(std::exp(std::log(lo) + uniform() * (std::log(hi) - std::log(lo))));
    }
    double normal()
    {
        return std::sqrt(-2 * std::log1p(-uniform())) * std::cos(6.283185307179586 * uniform());
    }

private:
    std::uint64_t m_state;
};

double parseExact(const QJsonValue &v) // float.hex() text, "inf" or "nan"
{
    QByteArray b = v.toString().toLatin1();
    const bool negative = b.startsWith('-');
    if (negative)
        b.remove(0, 1);
    const bool hex = b.startsWith("0x");
    if (hex)
        b.remove(0, 2);
    double x = std::nan("");
    std::from_chars(b.constData(), b.constData() + b.size(), x,
                    hex ? std::chars_format::hex : std::chars_format::general);
    return negative ? -x : x;
}

struct Case
{
    QString name;
    CategoricalSample sample;     // categorical cases
    std::vector<double> ref, cur; // numeric cases
    QStringList tests;
};

constexpr double Relative = 1e-6;
constexpr double SmallPValue = 1e-6;
constexpr double SmallPTolerance = 1e-9;

} // namespace

class TestCategoricalTests : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::vector<double> m_blob;
    QJsonObject m_manifest{{"categorical", QJsonArray()},
                           {"numeric", QJsonArray()},
                           {"histograms", QJsonArray()},
                           {"sums", QJsonArray()},
                           {"rng", QJsonArray()}};
    std::vector<Case> m_categorical;
    std::vector<Case> m_numeric;
    std::map<QString, std::pair<std::vector<double>, std::vector<double>>> m_histograms;
    std::map<QString, std::vector<double>> m_sums;
    QJsonObject m_expected;
    std::map<QString, std::pair<double, QString>> m_worst; // test -> largest relative error, case

    QJsonArray store(std::span<const double> v)
    {
        const QJsonArray slice{qint64(m_blob.size()), qint64(v.size())};
        m_blob.insert(m_blob.end(), v.begin(), v.end());
        return slice;
    }
    void append(const char *section, const QJsonObject &o)
    {
        QJsonArray a = m_manifest[QLatin1String(section)].toArray();
        a.append(o);
        m_manifest[QLatin1String(section)] = a;
    }

    // Rows drawn from per-category weights. Python gets the present categories as 0..m-1 (so
    // its set order is ascending, like Cairn's); Cairn's sample gets `extra` empty categories
    // in between, which the tests must ignore.
    void addCategorical(const QString &name, Gen &g, const std::vector<double> &wRef,
                        const std::vector<double> &wCur, std::int64_t nRef, std::int64_t nCur,
                        int extra, QStringList tests)
    {
        const auto draw = [&g](const std::vector<double> &w, std::int64_t n) {
            std::vector<double> cum(w.size());
            std::partial_sum(w.begin(), w.end(), cum.begin());
            std::vector<int> rows(static_cast<std::size_t>(n));
            for (int &r : rows) {
                const double u = g.uniform() * cum.back();
                r = static_cast<int>(std::upper_bound(cum.begin(), cum.end(), u) - cum.begin());
                r = std::min<int>(r, static_cast<int>(w.size()) - 1);
                while (w[static_cast<std::size_t>(r)] == 0)
                    r = (r + 1) % static_cast<int>(w.size());
            }
            return rows;
        };
        addRows(name, g, draw(wRef, nRef), draw(wCur, nCur), extra, std::move(tests));
    }

    void addRows(const QString &name, Gen &g, const std::vector<int> &ref,
                 const std::vector<int> &cur, int extra, QStringList tests)
    {
        std::map<int, int> label; // present category -> 0..m-1
        for (const auto *side : {&ref, &cur})
            for (int c : *side)
                label[c] = 0;
        int m = 0;
        for (auto &[c, l] : label)
            l = m++;
        std::vector<int> slot(static_cast<std::size_t>(m + extra)); // Cairn's category indices
        std::iota(slot.begin(), slot.end(), 0);
        for (int i = 0; i < extra; ++i)
            slot.erase(slot.begin() + g.between(0, static_cast<std::int64_t>(slot.size()) - 1));
        Case c{name, {}, {}, {}, tests};
        c.sample.refCounts.assign(static_cast<std::size_t>(m + extra), 0.0);
        c.sample.curCounts = c.sample.refCounts;
        QJsonObject o{{"name", name}, {"tests", QJsonArray::fromStringList(tests)}};
        for (const bool isRef : {true, false}) {
            std::vector<double> labels;
            for (int v : isRef ? ref : cur) {
                const int l = label[v];
                labels.push_back(l);
                const int s = slot[static_cast<std::size_t>(l)];
                (isRef ? c.sample.refCodes : c.sample.curCodes).push_back(s);
                (isRef ? c.sample.refCounts : c.sample.curCounts)[static_cast<std::size_t>(s)] += 1;
            }
            o[isRef ? "ref" : "cur"] = store(labels);
        }
        append("categorical", o);
        m_categorical.push_back(std::move(c));
    }

    void addNumeric(const QString &name, std::vector<double> ref, std::vector<double> cur,
                    QStringList tests = {"psi", "kl_div", "jensenshannon", "hellinger"})
    {
        append("numeric", QJsonObject{{"name", name},
                                      {"tests", QJsonArray::fromStringList(tests)},
                                      {"ref", store(ref)},
                                      {"cur", store(cur)}});
        m_numeric.push_back(Case{name, {}, std::move(ref), std::move(cur), tests});
    }

    void addHistogram(const QString &name, std::vector<double> base, std::vector<double> values)
    {
        append("histograms",
               QJsonObject{{"name", name}, {"base", store(base)}, {"values", store(values)}});
        m_histograms[name] = {std::move(base), std::move(values)};
    }

    void generate();

    // Compares one number, remembering the largest relative difference per test.
    void check(const QString &test, const QString &what, const QString &caseName, double ours,
               double theirs, bool pValue)
    {
        const QString where = caseName + QLatin1Char(' ') + test + QLatin1Char(' ') + what;
        if (std::isnan(theirs) || std::isinf(theirs)) {
            QVERIFY2(ours == theirs || (std::isnan(ours) && std::isnan(theirs)),
                     qPrintable(where + QStringLiteral(": %1 vs %2").arg(ours).arg(theirs)));
            return;
        }
        const double diff = std::fabs(ours - theirs);
        const bool small = pValue && std::fabs(theirs) < SmallPValue;
        const double rel = theirs == 0 ? diff : diff / std::fabs(theirs);
        const QString key = test + QLatin1Char('/') + what;
        if (!small && (m_worst.find(key) == m_worst.end() || rel > m_worst[key].first))
            m_worst[key] = {rel, caseName};
        const bool ok = small ? diff <= SmallPTolerance : (rel <= Relative || diff <= 1e-15);
        QVERIFY2(ok, qPrintable(where + QStringLiteral(": ours %1, scipy %2 (relative %3)")
                                            .arg(ours, 0, 'g', 17)
                                            .arg(theirs, 0, 'g', 17)
                                            .arg(rel)));
    }

    void compare(const QString &caseName, const QString &test, const Result<TestResult> &ours,
                 const QJsonObject &theirs, double threshold, const QString &binning = {})
    {
        if (theirs.contains(QLatin1String("error"))) {
            QVERIFY2(!ours, qPrintable(caseName + QStringLiteral(": scipy refuses (") +
                                       theirs[QLatin1String("error")].toString() +
                                       QStringLiteral("), we return ") +
                                       (ours ? QString::number(ours->score) : QString())));
            QVERIFY(!ours.error().message.isEmpty());
            return;
        }
        QVERIFY2(ours, qPrintable(caseName + QStringLiteral(": ") +
                                  (ours ? QString() : ours.error().message)));
        const bool pValue = ours->pValue.has_value();
        const double score = parseExact(theirs[QLatin1String("score")]);
        if (test == QLatin1String("TVD")) // the same permutations: the very same p-value
            QVERIFY2(ours->score == score,
                     qPrintable(caseName +
                                QStringLiteral(": TVD p %1 vs %2").arg(ours->score).arg(score)));
        check(test, QStringLiteral("score"), caseName, ours->score, score, pValue);
        if (pValue)
            QCOMPARE(*ours->pValue, ours->score);
        if (theirs.contains(QLatin1String("statistic"))) {
            QVERIFY(ours->statistic.has_value());
            check(test, QStringLiteral("statistic"), caseName, *ours->statistic,
                  parseExact(theirs[QLatin1String("statistic")]), false);
        }
        if (std::fabs(score - threshold) > 1e-6 * threshold && !std::isnan(score))
            QCOMPARE(ours->drifted, theirs[QLatin1String("drifted")].toBool());
        if (!binning.isEmpty())
            QCOMPARE(binning, theirs[QLatin1String("binning")].toString());
    }

private slots:
    void initTestCase();
    void rngMatchesNumpy();
    void numpySumMatchesNumpy();
    void sturgesAndHistogram_data();
    void sturgesAndHistogram();
    void categorical_data();
    void categorical();
    void numeric_data();
    void numeric();
    void refusals();
    void largeColumnsAreFast();
    void cleanupTestCase();
};

void TestCategoricalTests::generate()
{
    Gen g(20240611);
    const QStringList allCat{"chisquare",     "z",        "g_test", "psi", "kl_div",
                             "jensenshannon", "hellinger"};
    const auto weights = [&g](int k, double zeroShare) {
        std::vector<double> w(static_cast<std::size_t>(k));
        for (double &x : w)
            x = g.uniform() < zeroShare ? 0 : 0.05 + g.uniform() * g.uniform();
        if (std::all_of(w.begin(), w.end(), [](double x) { return x == 0; }))
            w[0] = 1;
        return w;
    };
    const auto drifted = [&g](std::vector<double> w, double amount) {
        for (double &x : w)
            x = x == 0 ? 0 : x * std::exp(amount * g.normal());
        return w;
    };
    // Random tables: 2..30 categories, sizes from 5 to 20000, new and missing categories.
    for (int i = 0; i < 90; ++i) {
        const int k = static_cast<int>(g.between(2, 30));
        const std::int64_t nRef = g.logBetween(5, 20000);
        const std::int64_t nCur = i % 3 == 0 ? nRef : g.logBetween(5, 20000);
        const std::vector<double> wRef = weights(k, i % 4 == 1 ? 0.25 : 0.0);
        std::vector<double> wCur = drifted(wRef, std::array{0.0, 0.05, 0.5}[i % 3]);
        if (i % 4 == 1 || i % 4 == 2)
            for (double &x : wCur) // new categories and categories gone missing
                x = g.uniform() < 0.2 ? (x == 0 ? 0.3 : 0) : (x == 0 ? 0.2 * g.uniform() : x);
        if (std::all_of(wCur.begin(), wCur.end(), [](double x) { return x == 0; }))
            wCur[0] = 1;
        QStringList tests = allCat;
        if (nRef + nCur <= 2500)
            tests << "TVD";
        addCategorical(QStringLiteral("table%1 k=%2 n=%3/%4").arg(i).arg(k).arg(nRef).arg(nCur), g,
                       wRef, wCur, nRef, nCur, i % 5, tests);
    }
    // Binary columns (z, fisher): equal sizes for fisher, every size from 1 row up.
    for (int i = 0; i < 50; ++i) {
        const std::int64_t n = i < 6 ? i + 1 : g.logBetween(5, 200000);
        const double p = g.uniform();
        const double q = i % 3 == 0 ? p : std::clamp(p + 0.1 * g.normal(), 0.0, 1.0);
        QStringList tests = allCat;
        tests << "fisher_exact";
        if (n <= 1000)
            tests << "TVD";
        addCategorical(QStringLiteral("binary%1 n=%2").arg(i).arg(n), g, {p, 1 - p}, {q, 1 - q}, n,
                       i % 7 == 6 ? n + 1 : n, i % 2, tests);
    }
    // Every 2x2 table with rows of n <= 8: fisher's ties on both sides of the mode.
    for (int n = 1; n <= 8; ++n)
        for (int a = 0; a <= n; ++a)
            for (int b = 0; b <= n; ++b) {
                std::vector<int> ref(static_cast<std::size_t>(n), 0);
                std::vector<int> cur(static_cast<std::size_t>(n), 0);
                std::fill_n(ref.begin(), a, 1);
                std::fill_n(cur.begin(), b, 1);
                addRows(QStringLiteral("2x2 %1:%2/%3").arg(n).arg(a).arg(b), g, ref, cur, 0,
                        {"fisher_exact", "z", "g_test"});
            }
    // Special shapes: one value, disjoint values, identical samples, big samples.
    const std::vector<int> ones(40, 1);
    const std::vector<int> twos(40, 2);
    addRows("one value", g, ones, std::vector<int>(25, 1), 1,
            allCat + QStringList{"fisher_exact", "TVD"});
    addRows("one value equal sizes", g, ones, ones, 2, allCat + QStringList{"fisher_exact", "TVD"});
    addRows("disjoint", g, ones, twos, 1, allCat + QStringList{"fisher_exact", "TVD"});
    std::vector<int> mixed;
    for (int i = 0; i < 600; ++i)
        mixed.push_back(static_cast<int>(g.between(0, 9)));
    std::vector<int> shuffled = mixed;
    std::reverse(shuffled.begin(), shuffled.end());
    addRows("identical", g, mixed, shuffled, 3, allCat + QStringList{"TVD"});
    addCategorical("TVD long stream", g, weights(6, 0), weights(6, 0), 9000, 7000, 0, {"TVD"});
    const std::vector<double> w5 = weights(5, 0);
    const std::vector<double> w30 = weights(30, 0);
    addCategorical("big k=5", g, w5, drifted(w5, 0.02), 1000000, 1000000, 1, allCat);
    addCategorical("big unequal k=30", g, w30, w30, 1000000, 700000, 0, allCat);

    // Numeric samples for the binned distances.
    const auto sample = [](std::int64_t n, auto f) {
        std::vector<double> v(static_cast<std::size_t>(n));
        for (double &x : v)
            x = f();
        return v;
    };
    const auto normal = [&g](double mu, double sigma) {
        return [&g, mu, sigma] { return mu + sigma * g.normal(); };
    };
    const auto ints = [&g](int lo, int hi) {
        return [&g, lo, hi] { return double(g.between(lo, hi)); };
    };
    for (int i = 0; i < 30; ++i) {
        const std::int64_t nRef = g.logBetween(21, 50000);
        const std::int64_t nCur = g.logBetween(2, 50000);
        addNumeric(QStringLiteral("normal%1 n=%2/%3").arg(i).arg(nRef).arg(nCur),
                   sample(nRef, normal(0, 1)),
                   sample(nCur, normal(std::array{0.0, 0.1, 1.0}[i % 3], i % 2 ? 1.0 : 1.5)));
    }
    for (int i = 0; i < 20; ++i) { // few distinct values: one bin per value
        const int k = static_cast<int>(g.between(0, 19));
        const std::int64_t nRef = g.logBetween(20, 20000);
        const std::int64_t nCur = g.logBetween(1, 20000);
        std::vector<double> cur = i % 5 == 4 ? sample(nCur, normal(5, 3)) // many new values
                                             : sample(nCur, ints(i % 2, k + i % 3));
        addNumeric(QStringLiteral("values%1 k=%2 n=%3/%4").arg(i).arg(k + 1).arg(nRef).arg(nCur),
                   sample(nRef, ints(0, k)), cur);
    }
    std::vector<double> twenty = sample(400, ints(0, 19));
    std::iota(twenty.begin(), twenty.begin() + 20, 0.0);
    std::vector<double> twentyOne = twenty;
    twentyOne.push_back(20.5);
    addNumeric("20 distinct", twenty, sample(300, ints(0, 25)));
    addNumeric("21 distinct", twentyOne, sample(300, ints(0, 25)));
    addNumeric("grid ties", sample(1000, [&g] { return 0.25 * double(g.between(0, 100)); }),
               sample(1000, [&g] { return 0.25 * double(g.between(0, 100)); }));
    addNumeric("integer ties", sample(2000, ints(0, 100)), sample(48, ints(0, 100)));
    addNumeric("constant same", std::vector<double>(50, 3.5), std::vector<double>(30, 3.5));
    addNumeric("constant different", std::vector<double>(50, 3.5), std::vector<double>(30, -1.0));
    addNumeric("constant vs normal", std::vector<double>(50, 0.0), sample(500, normal(0, 1)));
    addNumeric("one row each", {2.0}, {7.0});
    addNumeric("signed zeros", {0.0, -0.0, 0.0, 1.0, -0.0, 2.0}, {-0.0, 1.0, 1.0});
    addNumeric(
        "cauchy", sample(3000, [&g] { return std::tan(3.141592653589793 * (g.uniform() - 0.5)); }),
        sample(2000, [&g] { return 2 * std::tan(3.141592653589793 * (g.uniform() - 0.5)); }));
    addNumeric("lognormal", sample(5000, [&g] { return std::exp(3 * g.normal()); }),
               sample(4000, [&g] { return std::exp(0.2 + 3 * g.normal()); }));
    addNumeric("outliers", sample(5000, [&g] { return g.uniform() < 0.001 ? 1e12 : g.normal(); }),
               sample(5000, [&g] { return g.uniform() < 0.002 ? -1e12 : g.normal(); }));
    for (const std::int64_t total : {1024, 2048, 4096, 65536}) // log2(n) + 1 is a whole number
        addNumeric(QStringLiteral("power of two %1").arg(total), sample(total / 4, normal(0, 1)),
                   sample(total - total / 4, normal(0.3, 1)));
    addNumeric("big normal", sample(1000000, normal(0, 1)), sample(1000000, normal(0.05, 1)),
               {"psi", "kl_div", "jensenshannon"});
    addNumeric("big five values", sample(1000000, ints(1, 5)), sample(1000000, ints(1, 5)));

    // Sturges edges and histogram counts, with values on and next to the edges.
    const auto around = [](std::vector<double> values, const std::vector<double> &edges) {
        for (const double e : edges)
            for (const double v : {e, std::nextafter(e, -INFINITY), std::nextafter(e, INFINITY)})
                values.push_back(v);
        return values;
    };
    std::vector<std::pair<QString, std::vector<double>>> bases{
        {"normal 1000", sample(1000, normal(0, 1))},
        {"uniform 1024", sample(1024, [&g] { return g.uniform(); })},
        {"ints 4096", sample(4096, ints(-7, 7))},
        {"two values", {1.0, 2.0}},
        {"constant", {5.0, 5.0, 5.0}},
        {"one value", {-3.0}},
        {"tiny range", {1.0, 1.0 + 0x1p-52, 1.0 + 0x1p-51}},
        {"denormals", {0.0, 5e-324, 1e-323}},
        {"huge", {-1e300, 1e300, 3e299}},
        {"tenths", sample(333, [&g] { return 0.1 * double(g.between(0, 30)); })}};
    for (auto &[name, base] : bases)
        addHistogram(name, base, around(base, sturgesEdges(base)));

    for (int i = 0; i < 300; ++i) // numpy's pairwise summation
        m_sums[QStringLiteral("sum%1").arg(i)] =
            sample(i % 150 == 0 ? 1000 + i : i % 300 + 1, [&g] {
                return (g.uniform() < 0.5 ? -1 : 1) *
                       std::ldexp(g.uniform(), int(g.between(-40, 40)));
            });
    for (const auto &[name, v] : m_sums)
        append("sums", QJsonObject{{"name", name}, {"values", store(v)}});

    // numpy's RandomState streams.
    QJsonArray intervals;
    for (const double e : {0., 1., 2., 3., 5., 10., 100., 255., 256., 1000.})
        intervals.append(QJsonArray{"interval", QString::number(e), 50});
    for (const char *mx : {"2147483647", "2147483648", "4294967294", "4294967295", "4294967296",
                           "4294967297", "1099511627779", "9007199254740992", "9223372036854775807",
                           "9223372036854775808", "18446744073709551615"})
        intervals.append(QJsonArray{"interval", mx, 50});
    QJsonArray ops{QJsonArray{"u32", 1000}, QJsonArray{"u64", 500}};
    for (const auto &op : intervals)
        ops.append(op);
    for (const int n : {0, 1, 2, 10, 1000})
        ops.append(QJsonArray{"perm", n});
    ops.append(QJsonArray{"permdigest", 100000});
    ops.append(QJsonArray{"u32digest", 3000000});
    append("rng", QJsonObject{{"seed", 0}, {"ops", ops}});
    append("rng", QJsonObject{{"seed", 1234567},
                              {"ops", QJsonArray{QJsonArray{"u32", 700}, QJsonArray{"perm", 50}}}});
    append("rng", QJsonObject{{"seed", 4294967295.0},
                              {"ops", QJsonArray{QJsonArray{"u32", 10}, QJsonArray{"perm", 20}}}});
}

void TestCategoricalTests::rngMatchesNumpy()
{
    const QJsonArray specs = m_manifest["rng"].toArray();
    const QJsonArray results = m_expected["rng"].toArray();
    QCOMPARE(results.size(), specs.size());
    for (qsizetype s = 0; s < specs.size(); ++s) {
        const QJsonObject spec = specs[s].toObject();
        NumpyRandomState rng(static_cast<std::uint32_t>(spec["seed"].toDouble()));
        const QJsonArray ops = spec["ops"].toArray();
        for (qsizetype i = 0; i < ops.size(); ++i) {
            const QJsonArray op = ops[i].toArray();
            const QString kind = op[0].toString();
            const QJsonArray want = results[s].toArray()[i].toArray();
            const auto u64 = [&want](qsizetype k) { return want[k].toString().toULongLong(); };
            const QString where =
                QStringLiteral("seed %1 op %2 (%3)").arg(spec["seed"].toDouble()).arg(i).arg(kind);
            if (kind == "u32" || kind == "u64" || kind == "interval") {
                const int count = (kind == "interval" ? op[2] : op[1]).toInt();
                QCOMPARE(want.size(), count);
                const std::uint64_t mx = kind == "interval" ? op[1].toString().toULongLong() : 0;
                for (int k = 0; k < count; ++k) {
                    const std::uint64_t got = kind == "u32"   ? rng.nextUInt32()
                                              : kind == "u64" ? rng.nextUInt64()
                                                              : rng.randomInterval(mx);
                    QVERIFY2(got == u64(k), qPrintable(where + QStringLiteral(" draw %1").arg(k)));
                }
            } else if (kind == "perm") {
                const std::vector<std::int64_t> p = rng.permutation(op[1].toInt());
                QCOMPARE(qsizetype(p.size()), want.size());
                for (std::size_t k = 0; k < p.size(); ++k)
                    QVERIFY2(std::uint64_t(p[k]) == u64(qsizetype(k)), qPrintable(where));
            } else if (kind == "permdigest") {
                const std::vector<std::int64_t> p = rng.permutation(op[1].toInt());
                std::uint64_t w = 0;
                for (std::size_t k = 0; k < p.size(); ++k)
                    w += std::uint64_t(p[k]) * k;
                QCOMPARE(w, u64(0));
                for (qsizetype k = 0; k < 5; ++k)
                    QCOMPARE(std::uint64_t(p[std::size_t(k)]), u64(k + 1));
            } else if (kind == "u32digest") {
                std::uint64_t sum = 0, x = 0, last = 0;
                for (int k = 0; k < op[1].toInt(); ++k) {
                    last = rng.nextUInt32();
                    sum += last;
                    x ^= last;
                }
                QCOMPARE(sum, u64(0));
                QCOMPARE(x, u64(1));
                QCOMPARE(last, u64(2));
            }
        }
    }
}

void TestCategoricalTests::numpySumMatchesNumpy()
{
    const QJsonObject sums = m_expected["sums"].toObject();
    QCOMPARE(qsizetype(m_sums.size()), sums.size());
    for (const auto &[name, values] : m_sums) // bit for bit
        QCOMPARE(numpySum(values), parseExact(sums[name]));
}

void TestCategoricalTests::sturgesAndHistogram_data()
{
    QTest::addColumn<QString>("name");
    for (const auto &[name, data] : m_histograms)
        QTest::newRow(qPrintable(name)) << name;
}

void TestCategoricalTests::sturgesAndHistogram()
{
    QFETCH(QString, name);
    const auto &[base, values] = m_histograms[name];
    const QJsonObject want = m_expected["histograms"].toObject()[name].toObject();
    const std::vector<double> edges = sturgesEdges(base);
    const QJsonArray wantEdges = want["edges"].toArray();
    QCOMPARE(qsizetype(edges.size()), wantEdges.size());
    for (std::size_t i = 0; i < edges.size(); ++i) // bit for bit
        QCOMPARE(edges[i], parseExact(wantEdges[qsizetype(i)]));
    const std::vector<double> counts = histogramCounts(values, edges);
    const QJsonArray wantCounts = want["counts"].toArray();
    QCOMPARE(qsizetype(counts.size()), wantCounts.size());
    for (std::size_t i = 0; i < counts.size(); ++i)
        QCOMPARE(counts[i], wantCounts[qsizetype(i)].toString().toDouble());
}

static Result<TestResult> runCategorical(const QString &test, const CategoricalSample &s)
{
    if (test == "chisquare")
        return chiSquare(s);
    if (test == "z")
        return zTest(s);
    if (test == "g_test")
        return gTest(s);
    if (test == "fisher_exact")
        return fisherExact(s);
    if (test == "TVD")
        return totalVariation(s);
    if (test == "psi")
        return psi(binCategorical(s));
    if (test == "kl_div")
        return klDivergence(binCategorical(s));
    if (test == "jensenshannon")
        return jensenShannon(binCategorical(s));
    return hellingerCategorical(s);
}

static double threshold(const QString &test)
{
    return test == "chisquare" || test == "z" ? 0.05 : 0.1;
}

void TestCategoricalTests::categorical_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<QString>("test");
    for (std::size_t i = 0; i < m_categorical.size(); ++i)
        for (const QString &t : m_categorical[i].tests)
            QTest::newRow(qPrintable(m_categorical[i].name + QLatin1Char(' ') + t)) << int(i) << t;
}

void TestCategoricalTests::categorical()
{
    QFETCH(int, index);
    QFETCH(QString, test);
    const Case &c = m_categorical[std::size_t(index)];
    const QJsonObject theirs =
        m_expected["categorical"].toObject()[c.name].toObject()[test].toObject();
    const bool binned = test == "psi" || test == "kl_div" || test == "jensenshannon";
    compare(c.name, test, runCategorical(test, c.sample), theirs, threshold(test),
            binned ? binCategorical(c.sample).mode : QString());
}

void TestCategoricalTests::numeric_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<QString>("test");
    for (std::size_t i = 0; i < m_numeric.size(); ++i)
        for (const QString &t : m_numeric[i].tests)
            QTest::newRow(qPrintable(m_numeric[i].name + QLatin1Char(' ') + t)) << int(i) << t;
}

void TestCategoricalTests::numeric()
{
    QFETCH(int, index);
    QFETCH(QString, test);
    const Case &c = m_numeric[std::size_t(index)];
    const QJsonObject theirs = m_expected["numeric"].toObject()[c.name].toObject()[test].toObject();
    if (test == "hellinger") {
        compare(c.name, test, hellingerNumeric(c.ref, c.cur), theirs, 0.1);
        return;
    }
    const Binned b = binNumeric(c.ref, c.cur);
    const TestResult r = test == "psi"      ? psi(b)
                         : test == "kl_div" ? klDivergence(b)
                                            : jensenShannon(b);
    compare(c.name, test, r, theirs, 0.1, b.mode);
}

void TestCategoricalTests::refusals()
{
    CategoricalSample s{{3, 4, 5}, {4, 4, 4}, {}, {}};
    QVERIFY(chiSquare(s) && gTest(s)); // equal sizes
    QVERIFY(!fisherExact(s));
    QVERIFY(fisherExact(s).error().message.contains("two values"));
    s.curCounts = {4, 4, 5};
    const auto g = gTest(s);
    QVERIFY(!g);
    QVERIFY(g.error().message.contains("same size"));
    QVERIFY(!g.error().hint.isEmpty());
    QVERIFY(fisherExact(CategoricalSample{{3, 0, 5}, {4, 0, 4}, {}, {}}).has_value()); // 2 present
    QVERIFY(!fisherExact(CategoricalSample{{3, 4}, {4, 4}, {}, {}}));         // 7 vs 8 rows
    QVERIFY(!totalVariation(s));                                              // no row codes
    QVERIFY(!chiSquare(CategoricalSample{{1, 2}, {1}, {}, {}}));              // misaligned
    QVERIFY(!chiSquare(CategoricalSample{{1.5, 2}, {1, 2}, {}, {}}));         // not a count
    QVERIFY(!zTest(CategoricalSample{{0, 0}, {1, 2}, {}, {}}));               // empty reference
    QVERIFY(!totalVariation(CategoricalSample{{1, 1}, {1, 0}, {0, 0}, {1}})); // codes != counts
}

void TestCategoricalTests::largeColumnsAreFast()
{
    for (const char *name : {"big normal", "big five values"}) {
        const auto it = std::find_if(m_numeric.begin(), m_numeric.end(),
                                     [&](const Case &c) { return c.name == name; });
        QVERIFY(it != m_numeric.end());
        QElapsedTimer timer;
        timer.start();
        const Binned b = binNumeric(it->ref, it->cur);
        const qint64 binning = timer.nsecsElapsed();
        const double score = psi(b).score + jensenShannon(b).score;
        const qint64 total = timer.nsecsElapsed();
        qInfo("%s (1,000,000 + 1,000,000 values, %s): binning %.1f ms, binning + psi + "
              "jensenshannon %.1f ms",
              name, qPrintable(b.mode), binning / 1e6, total / 1e6);
        QVERIFY(score > 0);
        QVERIFY2(total < 2'000'000'000, "binning a 2M-value column should take milliseconds");
    }
}

void TestCategoricalTests::cleanupTestCase()
{
    for (const auto &[key, worst] : m_worst)
        qInfo("%-26s largest relative difference %.3g (%s)", qPrintable(key), worst.first,
              qPrintable(worst.second));
}

void TestCategoricalTests::initTestCase()
{
    QVERIFY(m_dir.isValid());
    generate();
    const QString manifest = m_dir.filePath(QStringLiteral("manifest.json"));
    const QString data = m_dir.filePath(QStringLiteral("data.f64"));
    const QString out = m_dir.filePath(QStringLiteral("expected.json"));
    test::writeFile(manifest, QJsonDocument(m_manifest).toJson(QJsonDocument::Compact));
    test::writeFile(data, QByteArray(reinterpret_cast<const char *>(m_blob.data()),
                                     qsizetype(m_blob.size() * sizeof(double))));
    const QString script =
        test::sourceDir() + QStringLiteral("/tests/tools/categorical_reference.py");
    QElapsedTimer timer;
    timer.start();
    const auto r = test::runProcess(test::python(), {script, manifest, data, out}, {}, 280000);
    QVERIFY2(r.started && r.exitStatus == QProcess::NormalExit && r.exitCode == 0,
             r.err.constData());
    m_expected = QJsonDocument::fromJson(test::readFile(out)).object();
    QVERIFY(!m_expected.isEmpty());
    qInfo(
        "scipy/numpy reference (%s) computed in %lld ms: %zu categorical, %zu numeric cases",
        qPrintable(QString::fromUtf8(QJsonDocument(m_expected[QLatin1String("versions")].toObject())
                                         .toJson(QJsonDocument::Compact))),
        timer.elapsed(), m_categorical.size(), m_numeric.size());
}

QTEST_GUILESS_MAIN(TestCategoricalTests)
#include "tst_categoricaltests.moc"
