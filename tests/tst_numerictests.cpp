// The numeric drift tests and special functions against scipy 1.10 / numpy 1.24, number by number.
// Sample pairs are generated here with fixed seeds (normal, shifted, scaled, lognormal, uniform,
// Cauchy, Student-t(2), integer ties, constants, signed zeros, extreme magnitudes; sizes 1..30 up
// to 100k), written to a binary file, and one /usr/bin/python3 process
// computes every statistic and p-value with tests/tools/drift_oracle.py (Evidently's semantics
// on scipy), writing them with float.hex() so they arrive bit for bit.
// Acceptance: 1e-6 relative for scores, statistics and p-values (1e-9 absolute for p-values
// below 1e-6); an Error exactly where scipy raises or returns NaN.

#include "drift/special.h"
#include "drift/stattests.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>

using namespace cairn;
using namespace cairn::drift;

namespace {

// splitmix64: a tiny generator whose stream is the same on every platform.
class Rng
{
public:
    explicit Rng(std::uint64_t seed)
        : m_state(seed)
    {}
    std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double uniform() { return (double(next() >> 11) + 0.5) * 0x1p-53; } // (0, 1)
    double normal() { return std::sqrt(-2 * std::log(uniform())) * std::cos(2 * M_PI * uniform()); }

private:
    std::uint64_t m_state;
};

using Sampler = std::function<double(Rng &)>;

struct Variant
{
    const char *name;
    Sampler ref;
    Sampler cur;
};

const std::vector<Variant> &variants()
{
    static const std::vector<Variant> v = {
        {"normal", [](Rng &r) { return r.normal(); }, [](Rng &r) { return r.normal(); }},
        {"shifted", [](Rng &r) { return r.normal(); }, [](Rng &r) { return 0.5 + r.normal(); }},
        {"scaled", [](Rng &r) { return r.normal(); }, [](Rng &r) { return 2 * r.normal(); }},
        {"lognormal", [](Rng &r) { return std::exp(0.5 * r.normal()); },
         [](Rng &r) { return std::exp(0.6 * r.normal()); }},
        {"uniform", [](Rng &r) { return r.uniform(); }, [](Rng &r) { return 0.1 + r.uniform(); }},
        {"cauchy", [](Rng &r) { return std::tan(M_PI * (r.uniform() - 0.5)); },
         [](Rng &r) { return 1 + 2 * std::tan(M_PI * (r.uniform() - 0.5)); }},
        {"int-ties", [](Rng &r) { return std::floor(5 * r.uniform()); },
         [](Rng &r) { return std::floor(6 * r.uniform()); }},
        {"rounded", [](Rng &r) { return std::round(10 * r.normal()) / 10; },
         [](Rng &r) { return std::round(10 * (0.2 + r.normal())) / 10; }},
        {"student2", [](Rng &r) { return r.normal() / std::sqrt(-std::log(r.uniform())); },
         [](Rng &r) { return r.normal(); }},
        {"const-vs-normal", [](Rng &) { return 3.0; }, [](Rng &r) { return 3 + r.normal(); }},
        {"const-equal", [](Rng &) { return 2.5; }, [](Rng &) { return 2.5; }},
        {"const-different", [](Rng &) { return 1.0; }, [](Rng &) { return 2.0; }},
        {"separated", [](Rng &r) { return r.uniform(); }, [](Rng &r) { return 2 + r.uniform(); }},
        {"binary", [](Rng &r) { return r.uniform() < 0.3 ? 1.0 : 0.0; },
         [](Rng &r) { return r.uniform() < 0.5 ? 1.0 : 0.0; }},
        {"large-offset", [](Rng &r) { return 1e12 + 1e3 * r.normal(); },
         [](Rng &r) { return 1e12 + 1e3 * (0.1 + r.normal()); }},
        {"tiny", [](Rng &r) { return 1e-300 * r.normal(); },
         [](Rng &r) { return 1e-300 * (0.3 + r.normal()); }},
        {"signed-zeros",
         [](Rng &r) {
             const double u = r.uniform();
             return u < 0.4 ? -0.0 : (u < 0.8 ? 0.0 : 1.0);
         },
         [](Rng &r) {
             const double u = r.uniform();
             return u < 0.3 ? 0.0 : (u < 0.5 ? -0.0 : 1.0);
         }},
        {"exponential", [](Rng &r) { return -std::log(r.uniform()); },
         [](Rng &r) { return -1.2 * std::log(r.uniform()); }},
    };
    return v;
}

int variantIndex(const char *name)
{
    for (std::size_t i = 0; i < variants().size(); ++i)
        if (std::string_view(variants()[i].name) == name)
            return int(i);
    return -1;
}

const QStringList allTests = {"ks", "wasserstein", "anderson", "cramer_von_mises", "ed",
                              "es", "mannw",       "t_test",   "empirical_mmd"};

struct Case
{
    QString name;
    std::vector<double> ref;
    std::vector<double> cur;
    QStringList tests;
};

using TestFn = Result<TestResult> (*)(std::span<const double>, std::span<const double>, double);

TestFn testFunction(const QString &name)
{
    static const std::map<QString, TestFn> fns = {{"ks", &ks},
                                                  {"wasserstein", &wasserstein},
                                                  {"anderson", &anderson},
                                                  {"cramer_von_mises", &cramerVonMises},
                                                  {"ed", &energyDistance},
                                                  {"es", &eppsSingleton},
                                                  {"mannw", &mannWhitney},
                                                  {"t_test", &tTest},
                                                  {"empirical_mmd", &empiricalMmd}};
    return fns.at(name);
}

double defaultThreshold(const QString &test)
{
    if (test == "ks" || test == "es" || test == "mannw" || test == "t_test")
        return 0.05;
    return 0.1;
}

QString hex(double v)
{
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%a", v);
    return QString::fromLatin1(buffer);
}

double fromHex(const QJsonValue &v)
{
    return std::strtod(v.toString().toLatin1().constData(), nullptr);
}

// Relative error, or absolute error where the expected value is 0.
double relError(double actual, double expected)
{
    if (std::isnan(actual) && std::isnan(expected))
        return 0;
    if (actual == expected)
        return 0;
    const double diff = std::fabs(actual - expected);
    return expected == 0 ? diff : diff / std::fabs(expected);
}

// The acceptance rule for p-values and scores.
bool pValueClose(double actual, double expected)
{
    if (std::isinf(expected) || std::isinf(actual))
        return actual == expected;
    if (std::fabs(expected) < 1e-6)
        return std::fabs(actual - expected) <= 1e-9;
    return std::fabs(actual - expected) <= 1e-6 * std::fabs(expected);
}

bool statisticClose(double actual, double expected, double absolute)
{
    if (std::isinf(expected) || std::isinf(actual))
        return actual == expected;
    return std::fabs(actual - expected) <= 1e-6 * std::fabs(expected) + absolute;
}

const char *const harness = R"PY(
import json, math, sys, warnings
import numpy as np
import pandas as pd
from scipy import special, stats
from scipy.stats import _hypotests

manifest_path, data_path, out_path = sys.argv[1:4]
man = json.load(open(manifest_path))
sys.path.insert(0, man["tools"])
import drift_oracle as oracle  # noqa: E402
import oracle_all  # noqa: E402

data = np.fromfile(data_path, dtype="<f8")
NUM = "numerical"


def h(x):
    return float(x).hex()


def mmd(x, y, with_oracle_check):
    # oracle.t_mmd with its permuted statistics kept, to also count near-ties (oracle_all.py)
    if len(x) + len(y) > 5000:
        raise ValueError("N > 5000")
    m, p, p_tol = oracle_all.mmd_tolerant(x, y)
    out = {"score": h(p), "stat": h(m), "p_tol": h(p_tol), "drifted": bool(p < 0.1)}
    if with_oracle_check:
        o = oracle.t_mmd(pd.Series(x), pd.Series(y), NUM)
        out["oracle_agrees"] = bool(o["score"] == p and (o["statistic"] == m or (math.isnan(m) and math.isnan(o["statistic"]))))
    return out


def run(name, x, y, first_mmd):
    r, c = pd.Series(x), pd.Series(y)
    if name == "ks":
        o = oracle.t_ks(r, c, NUM)
        return {"score": h(o["score"]), "stat": h(o["statistic"]), "drifted": o["drifted"]}
    if name == "wasserstein":
        o = oracle.t_wasserstein(r, c, NUM)
        return {"score": h(o["score"]), "stat": h(o["raw"]), "drifted": o["drifted"]}
    if name in ("anderson", "cramer_von_mises"):
        o = (oracle.t_anderson if name == "anderson" else oracle.t_cvm)(r, c, NUM)
        return {"score": h(o["score"]), "stat": h(o["statistic"]), "drifted": o["drifted"]}
    if name == "ed":
        o = oracle.t_ed(r, c, NUM)
        return {"score": h(o["score"]), "stat": h(o["score"]), "drifted": o["drifted"]}
    if name == "es":
        o = oracle.t_es(r, c, NUM)
        out = {"score": h(o["score"]), "stat": h(stats.epps_singleton_2samp(x, y)[0]), "drifted": o["drifted"]}
        # scipy's covariance estimate singular: its statistic is rounding noise (oracle_all.py)
        out["singular"] = oracle_all.es_singular(x, y)
        return out
    if name == "mannw":
        o = oracle.t_mannw(r, c, NUM)
        stat = stats.mannwhitneyu(x, y, alternative="less").statistic
        return {"score": h(o["score"]), "stat": h(stat), "drifted": o["drifted"]}
    if name == "t_test":
        o = oracle.t_ttest(r, c, NUM)
        return {"score": h(o["score"]), "stat": h(stats.ttest_ind(x, y)[0]), "drifted": o["drifted"]}
    if name == "empirical_mmd":
        return mmd(x, y, first_mmd)
    raise KeyError(name)


out = {"cases": {}, "special": {}}
first_mmd = True
for case in man["cases"]:
    x = data[case["ref"][0]:case["ref"][0] + case["ref"][1]].copy()
    y = data[case["cur"][0]:case["cur"][0] + case["cur"][1]].copy()
    res = {}
    for t in case["tests"]:
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                res[t] = run(t, x, y, t == "empirical_mmd" and first_mmd)
                if t == "empirical_mmd":
                    first_mmd = False
        except Exception as e:
            res[t] = {"error": f"{type(e).__name__}: {e}"}
    out["cases"][case["name"]] = res

FUNCS = {
    "normalCdf": lambda x: stats.norm.cdf(x),
    "normalSf": lambda x: stats.norm.sf(x),
    "gammaP": lambda a, x: special.gammainc(a, x),
    "gammaQ": lambda a, x: special.gammaincc(a, x),
    "chi2Sf": lambda x, k: stats.chi2.sf(x, k),
    "betaInc": lambda a, b, x: special.betainc(a, b, x),
    "studentTSf": lambda t, df: stats.t.sf(t, df),
    "lnGamma": lambda x: special.gammaln(x),
    "besselK": lambda nu, x: special.kv(nu, x),
    "smirnovSf": lambda n, d: special.smirnov(int(n), d),
    "kolmogorovSmirnovSf": lambda n, d: stats.kstwo.sf(d, int(n)),
    "cramerVonMisesInfCdf": lambda x: _hypotests._cdf_cvm_inf(x),
}
with warnings.catch_warnings(), np.errstate(all="ignore"):
    warnings.simplefilter("ignore")
    for name, points in man["special"].items():
        out["special"][name] = [h(FUNCS[name](*[float.fromhex(a) for a in p])) for p in points]
json.dump(out, open(out_path, "w"))
)PY";

} // namespace

class TestNumericTests : public QObject
{
    Q_OBJECT

    std::vector<Case> m_cases;
    QJsonObject m_oracle;
    std::map<QString, std::vector<std::vector<double>>> m_special;

    void addCase(const QString &name, int variant, std::size_t n1, std::size_t n2,
                 std::uint64_t seed, QStringList tests = allTests)
    {
        Rng rng(seed);
        Case c;
        c.name = name;
        for (std::size_t i = 0; i < n1; ++i)
            c.ref.push_back(variants()[std::size_t(variant)].ref(rng));
        for (std::size_t i = 0; i < n2; ++i)
            c.cur.push_back(variants()[std::size_t(variant)].cur(rng));
        if (variants()[std::size_t(variant)].name == std::string_view("normal") && (seed % 3) == 0)
            c.cur = std::vector<double>(c.ref.begin(),
                                        c.ref.begin() + std::ptrdiff_t(std::min(n1, n2)));
        // scipy's exact Mann-Whitney recursion is slow for a large second sample.
        const bool tieFree = [&] {
            std::vector<double> all = c.ref;
            all.insert(all.end(), c.cur.begin(), c.cur.end());
            std::sort(all.begin(), all.end());
            return std::adjacent_find(all.begin(), all.end()) == all.end();
        }();
        if (std::min(n1, n2) <= 8 && tieFree && std::max(n1, n2) > 60)
            tests.removeAll("mannw");
        // The oracle's kernel test copies the N x N kernel twice per permutation: keep it small.
        if (n1 + n2 > 400 && tests.size() > 1)
            tests.removeAll("empirical_mmd");
        c.tests = tests;
        m_cases.push_back(std::move(c));
    }

    void generateCases();
    void generateSpecialPoints();

private slots:
    void initTestCase();
    void specialFunctions_data();
    void specialFunctions();
    void numericTests_data();
    void numericTests();
    void sortedSampleOverloads();
    void refusals();
    void radixSortMatchesStdSort();
    void wassersteinWithoutSortingMatchesMerge();
};

void TestNumericTests::generateCases()
{
    const int nv = int(variants().size());
    std::uint64_t seed = 1;
    // Tiny samples: every size 1..30 against itself and against another size.
    for (std::size_t n = 1; n <= 30; ++n) {
        addCase(QString("small-%1-%2-%3").arg(n).arg(n).arg(variants()[n % nv].name), int(n % nv),
                n, n, seed++);
        const std::size_t m = (n * 7) % 30 + 1;
        addCase(QString("small-%1-%2-%3").arg(n).arg(m).arg(variants()[(n + 5) % nv].name),
                int((n + 5) % nv), n, m, seed++);
    }
    // Exact Mann-Whitney and Cramer-von Mises territory (no ties).
    for (std::size_t n1 : {1, 2, 3, 5, 8})
        for (std::size_t n2 : {1, 3, 8, 9, 20, 50})
            addCase(QString("exact-%1-%2").arg(n1).arg(n2), variantIndex("shifted"), n1, n2,
                    seed++);
    for (std::size_t n : {9, 15, 20})
        addCase(QString("exact-%1-21").arg(n), variantIndex("uniform"), n, 21, seed++);
    // Every variant at a few sizes.
    for (int v = 0; v < nv; ++v) {
        addCase(QString("v-%1-50-50").arg(variants()[v].name), v, 50, 50, seed++);
        addCase(QString("v-%1-200-999").arg(variants()[v].name), v, 200, 999, seed++);
        addCase(QString("v-%1-1001-50").arg(variants()[v].name), v, 1001, 50, seed++);
        addCase(QString("v-%1-5000-5000").arg(variants()[v].name), v, 5000, 5000, seed++);
    }
    addCase("medium-999-1001", variantIndex("shifted"), 999, 1001, seed++);
    addCase("medium-1001-1001", variantIndex("normal"), 1001, 1001, seed++);
    addCase("medium-200-200-lognormal", variantIndex("lognormal"), 200, 200, seed++);
    // Kolmogorov-Smirnov: the exact path at its limit and every asymptotic branch of kolmogn.
    addCase("ks-10000-9999", variantIndex("scaled"), 10000, 9999, seed++, {"ks", "wasserstein"});
    addCase("ks-10000-10000", variantIndex("shifted"), 10000, 10000, seed++, {"ks"});
    addCase("ks-3000-7000", variantIndex("rounded"), 3000, 7000, seed++, {"ks"});
    for (std::size_t n2 : {1, 2, 3, 5, 20, 50, 141, 200, 1000, 10001}) {
        addCase(QString("asym-10001-%1-shift").arg(n2), variantIndex("shifted"), 10001, n2, seed++);
        addCase(QString("asym-10001-%1-same").arg(n2), variantIndex("normal"), 10001, n2, seed++);
    }
    addCase("asym-10001-200-separated", variantIndex("separated"), 10001, 200, seed++);
    addCase("asym-10001-10001-ties", variantIndex("int-ties"), 10001, 10001, seed++);
    addCase("large-100000-100000-shift", variantIndex("shifted"), 100000, 100000, seed++);
    addCase("large-100000-100000-same", variantIndex("normal"), 100000, 100000, seed++);
    addCase("large-100000-10001-rounded", variantIndex("rounded"), 100000, 10001, seed++);
    addCase("large-100000-100000-cauchy", variantIndex("cauchy"), 100000, 100000, seed++);
    addCase("large-100000-100000-const", variantIndex("const-vs-normal"), 100000, 100000, seed++);
    addCase("large-100000-3", variantIndex("lognormal"), 100000, 3, seed++);
    // Kernel test around the oracle's size limit.
    addCase("mmd-499-501", variantIndex("shifted"), 499, 501, seed++, {"empirical_mmd"});
    addCase("mmd-300-300-ties", variantIndex("int-ties"), 300, 300, seed++, {"empirical_mmd"});
}

void TestNumericTests::generateSpecialPoints()
{
    auto &s = m_special;
    for (double x = -40; x <= 40; x += 0.37) {
        s["normalCdf"].push_back({x});
        s["normalSf"].push_back({x});
    }
    for (double x : {0.0, -0.0, 1e-300, -1e-10, 0.7071, -0.7072, 8.3, -38.4, 38.4})
        s["normalCdf"].push_back({x});
    for (double a :
         {1e-3, 0.1, 0.5, 1.0, 1.5, 2.0, 5.0, 10.0, 20.5, 100.0, 1000.0, 1e4, 1e5, 2.5e6})
        for (double f : {1e-3, 0.1, 0.5, 0.9, 0.99, 1.0, 1.01, 1.1, 2.0, 5.0, 10.0}) {
            s["gammaP"].push_back({a, a * f});
            s["gammaQ"].push_back({a, a * f});
        }
    for (double a : {10.0, 100.0, 1e4, 1e6})
        for (double k : {-8.0, -3.0, -1.0, 0.5, 2.0, 6.0, 20.0}) {
            s["gammaP"].push_back({a, std::max(1e-3, a + k * std::sqrt(a))});
            s["gammaQ"].push_back({a, std::max(1e-3, a + k * std::sqrt(a))});
        }
    for (double k : {1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 30.0, 100.0, 1000.0, 1e4})
        for (double x : {0.0, 1e-8, 0.01, 0.5, 1.0, 2.0, 3.84, 7.8, 15.0, 40.0, 100.0, 300.0,
                         1000.0, 1100.0, 1e4, 1.2e4})
            s["chi2Sf"].push_back({x, k});
    for (double a : {0.1, 0.5, 1.0, 2.5, 10.0, 100.0, 1000.0, 1e5})
        for (double b : {0.1, 0.5, 1.0, 2.5, 10.0, 100.0, 1000.0, 1e5})
            for (double x : {0.0, 1e-10, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 1 - 1e-10, 1.0})
                s["betaInc"].push_back({a, b, x});
    for (double df : {1.0, 2.0, 3.0, 4.5, 10.0, 30.0, 100.0, 1000.0, 1e5, 2e6})
        for (double t : {-40.0, -7.0, -3.0, -1.5, -0.3, 0.0, 1e-5, 0.3, 1.0, 1.96, 2.5, 4.0, 6.0,
                         10.0, 30.0, 100.0})
            s["studentTSf"].push_back({t, df});
    for (double x : {1e-10, 0.1,  0.5,   1.0,    1.5, 2.0, 2.5,  3.0,  7.3,   10.0,  12.9,
                     13.0,  50.0, 999.0, 1000.0, 1e5, 1e9, -0.5, -1.5, -35.5, -100.3})
        s["lnGamma"].push_back({x});
    for (double e = -5; e <= 2.8; e += 0.1)
        s["besselK"].push_back({0.25, std::pow(10.0, e)});
    for (double x : {0.5, 3.0, 700.0})
        s["besselK"].push_back({0.75, x});
    for (double n :
         {1.0, 2.0, 5.0, 10.0, 100.0, 1000.0, 1012.0, 1013.0, 10000.0, 1e5, 5e5, 1e6, 2e6})
        for (double d :
             {0.0, 1e-4, 0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.95, 0.999, 1.0}) {
            s["smirnovSf"].push_back({n, d});
            s["kolmogorovSmirnovSf"].push_back({n, d});
        }
    for (double n :
         {1.0, 2.0, 3.0, 7.0, 40.0, 140.0, 141.0, 500.0, 5000.0, 1e5, 100001.0, 5e5, 2e6}) {
        // around the branch points of kolmogn: t = 1, nx^2 = 0.754693 / 2.2 / 4 / 18 / 370, x = 0.5
        for (double t : {0.5, 0.75, 1.0, 1.5})
            s["kolmogorovSmirnovSf"].push_back({n, t / n});
        for (double q :
             {0.3, 0.754, 0.7547, 1.0, 2.19, 2.21, 3.9, 4.1, 10.0, 17.9, 18.1, 100.0, 369.0, 371.0})
            s["kolmogorovSmirnovSf"].push_back({n, std::min(0.9999, std::sqrt(q / n))});
        s["kolmogorovSmirnovSf"].push_back({n, 0.4999});
        s["kolmogorovSmirnovSf"].push_back({n, 0.5});
        s["kolmogorovSmirnovSf"].push_back({n, 1 - 1 / n});
    }
    for (double x :
         {0.003, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.461, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0})
        s["cramerVonMisesInfCdf"].push_back({x});
}

void TestNumericTests::initTestCase()
{
    generateCases();
    generateSpecialPoints();
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    dir.setAutoRemove(qEnvironmentVariableIsEmpty("CAIRN_KEEP_ORACLE_FILES"));
    if (!dir.autoRemove())
        qInfo("oracle files kept in %s", qPrintable(dir.path()));
    QByteArray data;
    QJsonArray cases;
    qint64 offset = 0;
    auto put = [&](const std::vector<double> &v) {
        const qint64 at = offset;
        data.append(reinterpret_cast<const char *>(v.data()), qsizetype(v.size() * sizeof(double)));
        offset += qint64(v.size());
        return QJsonArray{at, qint64(v.size())};
    };
    for (const Case &c : m_cases) {
        QJsonObject o;
        o["name"] = c.name;
        o["ref"] = put(c.ref);
        o["cur"] = put(c.cur);
        o["tests"] = QJsonArray::fromStringList(c.tests);
        cases.append(o);
    }
    QJsonObject special;
    for (const auto &[name, points] : m_special) {
        QJsonArray list;
        for (const auto &p : points) {
            QJsonArray args;
            for (double a : p)
                args.append(hex(a));
            list.append(args);
        }
        special[name] = list;
    }
    QJsonObject manifest;
    manifest["tools"] = QString(test::sourceDir() + "/tests/tools");
    manifest["cases"] = cases;
    manifest["special"] = special;
    const QString manifestPath = dir.filePath("manifest.json");
    const QString dataPath = dir.filePath("data.f64");
    const QString scriptPath = dir.filePath("harness.py");
    const QString outPath = dir.filePath("out.json");
    test::writeFile(manifestPath, QJsonDocument(manifest).toJson(QJsonDocument::Compact));
    test::writeFile(dataPath, data);
    test::writeFile(scriptPath, QByteArray(harness));
    QElapsedTimer timer;
    timer.start();
    const auto r =
        test::runProcess(test::python(), {scriptPath, manifestPath, dataPath, outPath}, {}, 250000);
    QVERIFY2(r.started && r.exitCode == 0,
             qPrintable("the scipy oracle failed:\n" + QString::fromUtf8(r.err)));
    qInfo("scipy oracle: %zu cases, %.1f s", m_cases.size(), double(timer.elapsed()) / 1000);
    QJsonParseError error;
    m_oracle = QJsonDocument::fromJson(test::readFile(outPath), &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
}

void TestNumericTests::specialFunctions_data()
{
    QTest::addColumn<QString>("function");
    for (const auto &[name, points] : m_special)
        QTest::newRow(qPrintable(name)) << name;
}

void TestNumericTests::specialFunctions()
{
    QFETCH(QString, function);
    using F = std::function<double(const std::vector<double> &)>;
    static const std::map<QString, F> fns = {
        {"normalCdf", [](const auto &a) { return normalCdf(a[0]); }},
        {"normalSf", [](const auto &a) { return normalSf(a[0]); }},
        {"gammaP", [](const auto &a) { return gammaP(a[0], a[1]); }},
        {"gammaQ", [](const auto &a) { return gammaQ(a[0], a[1]); }},
        {"chi2Sf", [](const auto &a) { return chi2Sf(a[0], a[1]); }},
        {"betaInc", [](const auto &a) { return betaInc(a[0], a[1], a[2]); }},
        {"studentTSf", [](const auto &a) { return studentTSf(a[0], a[1]); }},
        {"lnGamma", [](const auto &a) { return lnGamma(a[0]); }},
        {"besselK", [](const auto &a) { return besselK(a[0], a[1]); }},
        {"smirnovSf", [](const auto &a) { return smirnovSf(std::int64_t(a[0]), a[1]); }},
        {"kolmogorovSmirnovSf",
         [](const auto &a) { return kolmogorovSmirnovSf(std::int64_t(a[0]), a[1]); }},
        {"cramerVonMisesInfCdf", [](const auto &a) { return cramerVonMisesInfCdf(a[0]); }},
    };
    const QJsonArray expected = m_oracle["special"].toObject()[function].toArray();
    const auto &points = m_special.at(function);
    QCOMPARE(qsizetype(points.size()), expected.size());
    double worst = 0;
    int failures = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
        const double want = fromHex(expected[qsizetype(i)]);
        const double got = fns.at(function)(points[i]);
        // 1e-7 relative (scipy's gammainc is off by 1.1e-8 at a = 1e6, x = 0.992e6, where mpmath
        // agrees with Cairn); values below 1e-280 (scipy's underflow region) absolutely.
        const bool ok = (std::isnan(want) && std::isnan(got)) || got == want ||
                        std::fabs(got - want) <= 1e-7 * std::fabs(want) ||
                        std::fabs(got - want) <= 1e-280;
        if (std::fabs(want) > 1e-280)
            worst = std::max(worst, relError(got, want));
        if (!ok && ++failures <= 10) {
            QString args;
            for (double a : points[i])
                args += QString::number(a, 'g', 17) + " ";
            qWarning("%s(%s) = %.17g, scipy %.17g", qPrintable(function), qPrintable(args), got,
                     want);
        }
    }
    qInfo("%s: %zu points, largest relative error %.3g", qPrintable(function), points.size(),
          worst);
    QCOMPARE(failures, 0);
}

void TestNumericTests::numericTests_data()
{
    QTest::addColumn<QString>("test");
    for (const QString &t : allTests)
        QTest::newRow(qPrintable(t)) << t;
}

void TestNumericTests::numericTests()
{
    QFETCH(QString, test);
    const QJsonObject results = m_oracle["cases"].toObject();
    int compared = 0, errors = 0, failures = 0, tieDeviations = 0, noise = 0;
    double worstScore = 0, worstStat = 0;
    for (const Case &c : m_cases) {
        if (!c.tests.contains(test))
            continue;
        const QJsonObject want = results[c.name].toObject()[test].toObject();
        const Result<TestResult> got = testFunction(test)(c.ref, c.cur, defaultThreshold(test));
        const double score = want.contains("score") ? fromHex(want["score"]) : std::nan("");
        // Cairn refuses where scipy raises or gives NaN; the oracle's MMD turns a NaN statistic
        // (a sample with one value) into p = 0, which Cairn refuses too.
        bool expectError = want.contains("error") || std::isnan(score);
        if (test == "empirical_mmd" &&
            (c.ref.size() < 2 || c.cur.size() < 2 || std::isnan(fromHex(want["stat"]))))
            expectError = true;
        // Epps-Singleton on a singular covariance estimate: scipy's statistic is rounding noise.
        if (test == "es" && want["singular"].toBool()) {
            ++noise;
            expectError = true;
        }
        auto report = [&](const QString &what) {
            if (++failures <= 12)
                qWarning("%s %s: %s", qPrintable(test), qPrintable(c.name), qPrintable(what));
        };
        if (expectError) {
            ++errors;
            if (got)
                report(QString("scipy: %1, Cairn: score %2")
                           .arg(want["error"].toString())
                           .arg(got->score, 0, 'g', 17));
            continue;
        }
        if (!got) {
            report("Cairn refused: " + got.error().message);
            continue;
        }
        ++compared;
        double wantScore = score;
        if (test == "empirical_mmd") {
            wantScore = fromHex(want["p_tol"]); // see empiricalMmd: mathematically equal ties count
            if (wantScore != score)
                ++tieDeviations;
        }
        const double wantStat = fromHex(want["stat"]);
        worstScore =
            std::max(worstScore, std::fabs(wantScore) < 1e-6 ? std::fabs(got->score - wantScore)
                                                             : relError(got->score, wantScore));
        if (!pValueClose(got->score, wantScore))
            report(QString("score %1, scipy %2")
                       .arg(got->score, 0, 'g', 17)
                       .arg(wantScore, 0, 'g', 17));
        QVERIFY(got->statistic.has_value());
        const double absStat = test == "empirical_mmd" ? 1e-9 : 1e-12;
        if (std::fabs(wantStat) > absStat)
            worstStat = std::max(worstStat, relError(*got->statistic, wantStat));
        if (!statisticClose(*got->statistic, wantStat, absStat))
            report(QString("statistic %1, scipy %2")
                       .arg(*got->statistic, 0, 'g', 17)
                       .arg(wantStat, 0, 'g', 17));
        const bool p = test != "wasserstein" && test != "ed";
        if (p && (!got->pValue || *got->pValue != got->score))
            report("pValue is not the score");
        // The drift flag agrees unless the score sits on the threshold within the tolerance.
        const bool wantDrift = test == "empirical_mmd" ? wantScore < 0.1 : want["drifted"].toBool();
        if (got->drifted != wantDrift && !pValueClose(wantScore, defaultThreshold(test)))
            report(QString("drifted %1, scipy %2").arg(got->drifted).arg(wantDrift));
    }
    if (test == "empirical_mmd") {
        for (const auto &v : results)
            if (v.toObject()[test].toObject().contains("oracle_agrees"))
                QVERIFY2(v.toObject()[test].toObject()["oracle_agrees"].toBool(),
                         "the harness's MMD must be the oracle's");
    }
    QString note;
    if (test == "empirical_mmd")
        note = QString(" (%1 cases where numpy's rounding breaks exact ties)").arg(tieDeviations);
    if (test == "es")
        note = QString(" (%1 of the refusals: singular covariance, scipy's number is noise)")
                   .arg(noise);
    qInfo("%s: %d cases compared, %d refusals agreed, largest score error %.3g, statistic %.3g%s",
          qPrintable(test), compared, errors, worstScore, worstStat, qPrintable(note));
    QVERIFY(compared > 20);
    QCOMPARE(failures, 0);
}

void TestNumericTests::sortedSampleOverloads()
{
    for (const Case &c : m_cases) {
        if (c.ref.size() > 20000 || c.ref.size() + c.cur.size() > 2000)
            continue;
        const SortedSample r = sortSample(c.ref);
        const SortedSample s = sortSample(c.cur);
        QVERIFY(std::is_sorted(r.sorted.begin(), r.sorted.end()));
        const std::pair<Result<TestResult> (*)(const SortedSample &, const SortedSample &, double),
                        QString>
            fns[] = {{&ks, "ks"},
                     {&wasserstein, "wasserstein"},
                     {&anderson, "anderson"},
                     {&cramerVonMises, "cramer_von_mises"},
                     {&energyDistance, "ed"},
                     {&eppsSingleton, "es"},
                     {&mannWhitney, "mannw"},
                     {&tTest, "t_test"},
                     {&empiricalMmd, "empirical_mmd"}};
        for (const auto &[fn, name] : fns) {
            const auto a = fn(r, s, 0.05);
            const auto b = testFunction(name)(c.ref, c.cur, 0.05);
            QCOMPARE(a.has_value(), b.has_value());
            if (a)
                QCOMPARE(a->score, b->score);
        }
    }
}

void TestNumericTests::refusals()
{
    const std::vector<double> empty;
    const std::vector<double> some = {1, 2, 3, 4, 5, 6};
    const std::vector<double> withNan = {1, 2, std::nan(""), 4, 5, 6};
    const std::vector<double> withInf = {1, 2, 3, HUGE_VAL, 5, 6};
    for (const QString &t : allTests) {
        const TestFn fn = testFunction(t);
        QVERIFY2(!fn(empty, some, 0.1), qPrintable(t));
        QVERIFY2(!fn(some, empty, 0.1), qPrintable(t));
        QVERIFY2(!fn(withNan, some, 0.1), qPrintable(t));
        QVERIFY2(!fn(some, withInf, 0.1), qPrintable(t));
        const auto e = fn(some, withNan, 0.1);
        QVERIFY(!e);
        QVERIFY2(e.error().message.contains("missing or infinite"), qPrintable(e.error().message));
    }
    // Evidently's refusals, with a message a user can act on.
    const std::vector<double> constant(100, 7.0);
    const auto es = eppsSingleton(constant, constant);
    QVERIFY(!es);
    QVERIFY(es.error().message.contains("interquartile range"));
    std::vector<double> big(2600, 1.0), other(2401, 2.0);
    const auto mmd = empiricalMmd(big, other);
    QVERIFY(!mmd);
    QVERIFY(mmd.error().message.contains("5000"));
    const auto t = tTest(constant, constant);
    QVERIFY(!t);
}

void TestNumericTests::radixSortMatchesStdSort()
{
    Rng rng(99);
    for (std::size_t n : {0, 1, 5, 1023, 1024, 5000, 100000}) {
        std::vector<double> v;
        for (std::size_t i = 0; i < n; ++i) {
            const double u = rng.uniform();
            v.push_back(u < 0.1   ? -0.0
                        : u < 0.2 ? 0.0
                        : u < 0.3 ? std::ldexp(rng.normal(), -1070)
                                  : rng.normal() * std::pow(10.0, 300 * (rng.uniform() - 0.5)));
        }
        std::vector<double> want = v;
        std::sort(want.begin(), want.end());
        const SortedSample s = sortSample(v);
        QCOMPARE(s.sorted.size(), want.size());
        for (std::size_t i = 0; i < n; ++i)
            QVERIFY(s.sorted[i] == want[i]); // -0 and +0 compare equal, as in numpy
    }
}

// wasserstein(span, span) integrates bucket by bucket without sorting; the sorted overload merges
// the sorted samples as scipy does. Shapes meant to push the bucketing to its corners: ties,
// values a few ulps apart (the recursion's depth limit), two far clusters, subnormals, a range
// near the largest double, identical samples, a constant against a spread.
void TestNumericTests::wassersteinWithoutSortingMatchesMerge()
{
    Rng rng(7);
    struct Shape
    {
        const char *name;
        std::function<double(bool)> draw; // argument: the current sample
    };
    const std::vector<Shape> shapes = {
        {"normal-shifted", [&](bool c) { return rng.normal() + (c ? 0.05 : 0); }},
        {"few-ties", [&](bool c) { return std::floor(rng.uniform() * (c ? 7 : 6)); }},
        {"ulps-apart",
         [&](bool c) {
             return 1.0 + double(int(rng.uniform() * 40) + (c ? 1 : 0)) * 2.220446049250313e-16;
         }},
        {"far-clusters",
         [&](bool c) {
             return (rng.uniform() < (c ? 0.4 : 0.5) ? -1e6 : 1e6) + rng.normal() * 1e-6;
         }},
        {"subnormal", [&](bool c) { return std::ldexp(rng.normal() + (c ? 0.1 : 0), -1060); }},
        {"huge-range", [&](bool c) { return (rng.uniform() - (c ? 0.45 : 0.5)) * 1.5e308; }},
        {"cauchy", [&](bool c) { return std::tan(3.14159 * (rng.uniform() - 0.5)) + (c ? 1 : 0); }},
        {"constant-vs-spread", [&](bool c) { return c ? rng.normal() : 3.0; }},
        {"mostly-one-value", [&](bool c) { return rng.uniform() < 0.98 ? 0.5 : rng.normal() + c; }},
    };
    for (const Shape &shape : shapes) {
        for (const auto &[n1, n2] : std::vector<std::pair<int, int>>{
                 {1, 1}, {3, 70}, {65, 65}, {1000, 999}, {50000, 70000}, {200000, 3}}) {
            std::vector<double> ref, cur;
            for (int i = 0; i < n1; ++i)
                ref.push_back(shape.draw(false));
            for (int i = 0; i < n2; ++i)
                cur.push_back(shape.draw(true));
            for (const bool same : {false, true}) {
                const std::vector<double> &other = same ? ref : cur;
                const auto merged = wasserstein(sortSample(ref), sortSample(other), 0.1);
                const auto bucketed = wasserstein(ref, other, 0.1);
                QVERIFY(merged && bucketed);
                const double want = merged->statistic.value_or(-1);
                const double got = bucketed->statistic.value_or(-2);
                const QString what = QString("%1 %2x%3%4: merged %5, bucketed %6")
                                         .arg(shape.name)
                                         .arg(n1)
                                         .arg(n2)
                                         .arg(same ? " (same sample)" : "")
                                         .arg(want, 0, 'g', 17)
                                         .arg(got, 0, 'g', 17);
                if (same)
                    QVERIFY2(got == 0, qPrintable(what));
                else
                    QVERIFY2(std::abs(got - want) <= 1e-9 * std::abs(want), qPrintable(what));
            }
        }
    }
}

QTEST_GUILESS_MAIN(TestNumericTests)
#include "tst_numerictests.moc"
