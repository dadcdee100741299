// Evidently's categorical drift tests (chisquare, z, g_test, fisher_exact, TVD) with the
// arithmetic of scipy 1.10 / numpy 1.24, as tools/drift_oracle.py computes them. Sums go
// through numpySum (numpy's pairwise summation) so the rounding matches numpy's.

#include "numpyrandom.h"
#include "special.h"
#include "stattests.h"

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace cairn::drift {

namespace {

constexpr double NaN = std::numeric_limits<double>::quiet_NaN();
constexpr double Inf = std::numeric_limits<double>::infinity();

// The categories present in at least one sample (Evidently works on the union of the values
// it sees), in the caller's order, with the row codes renumbered to match.
struct Table
{
    std::vector<double> ref;
    std::vector<double> cur;
    std::vector<std::int32_t> newIndex; // caller's category index -> index here, -1 if absent
    double nRef = 0;
    double nCur = 0;
    std::size_t size() const { return ref.size(); }
};

Result<Table> compact(const CategoricalSample &s, const QString &test)
{
    if (s.refCounts.size() != s.curCounts.size())
        return fail(u"%1: the reference has %2 category counts and the current sample %3"_s.arg(
            test, QString::number(s.refCounts.size()), QString::number(s.curCounts.size())));
    Table t;
    t.newIndex.assign(s.refCounts.size(), -1);
    for (std::size_t i = 0; i < s.refCounts.size(); ++i) {
        const double r = s.refCounts[i];
        const double c = s.curCounts[i];
        for (const double v : {r, c}) {
            if (!std::isfinite(v) || v < 0 || v != std::floor(v))
                return fail(u"%1: category counts must be whole numbers >= 0, got %2"_s.arg(
                    test, QString::number(v)));
        }
        if (r == 0 && c == 0)
            continue;
        t.newIndex[i] = static_cast<std::int32_t>(t.ref.size());
        t.ref.push_back(r);
        t.cur.push_back(c);
        t.nRef += r;
        t.nCur += c;
    }
    if (t.nRef == 0 || t.nCur == 0)
        return fail(
            u"%1: the %2 sample is empty"_s.arg(test, t.nRef == 0 ? u"reference"_s : u"current"_s));
    return t;
}

// scipy.stats.chi2.sf(stat, dof) with scipy's answers at the edges: no degrees of freedom gives
// nan (a single category), an infinite statistic gives 0.
double chi2PValue(double stat, double dof)
{
    if (!(dof > 0) || std::isnan(stat))
        return NaN;
    if (stat == Inf)
        return 0.0;
    return chi2Sf(stat, dof);
}

// power_divergence refuses observed and expected frequencies whose sums differ by more than
// 1e-8 relative (scipy >= 1.9).
bool sumsAgree(std::span<const double> observed, std::span<const double> expected)
{
    const double o = numpySum(observed);
    const double e = numpySum(expected);
    const double relative = std::fabs(o - e) / std::min(o, e);
    return !(relative > 1e-8);
}

// scipy.special.xlogy
double xlogy(double x, double y)
{
    if (x == 0 && !std::isnan(y))
        return 0;
    return x * std::log(y);
}

// ---- Hypergeometric distribution -------------------------------------------------------------
// scipy 1.10 evaluates hypergeom.pmf/cdf/sf with Boost.Math. The pmf here is Loader's saddle
// point form (the one R's dhyper uses), accurate to a few ulps like Boost's, which matters
// because fisher_exact compares probabilities with a 1e-14 relative tolerance. The cdf and sf
// are Boost's summations (hypergeometric_cdf_imp), term by term.

// Stirling's error log(n!) - log(sqrt(2 pi n) (n/e)^n) for n = 0..15.
constexpr std::array<double, 16> StirlingErrors = {
    0.0,
    0.08106146679532726,
    0.0413406959554093,
    0.02767792568499834,
    0.020790672103765093,
    0.016644691189821193,
    0.013876128823070748,
    0.01189670994589177,
    0.010411265261972096,
    0.009255462182712733,
    0.00833056343336287,
    0.007573675487951841,
    0.00694284010720953,
    0.006408994188004207,
    0.0059513701127588475,
    0.005554733551962801,
};

double stirlingError(double n) // n is a whole number >= 0
{
    if (n <= 15.0)
        return StirlingErrors[static_cast<std::size_t>(n)];
    constexpr double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680,
                     s4 = 1.0 / 1188;
    const double nn = n * n;
    if (n > 500)
        return (s0 - s1 / nn) / n;
    if (n > 80)
        return (s0 - (s1 - s2 / nn) / nn) / n;
    if (n > 35)
        return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n;
    return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n;
}

// x log(x / m) + m - x, without cancellation when x is close to m.
double deviance(double x, double m)
{
    if (std::fabs(x - m) < 0.1 * (x + m)) {
        double v = (x - m) / (x + m);
        double s = (x - m) * v;
        if (std::fabs(s) < DBL_MIN)
            return s;
        double ej = 2 * x * v;
        v *= v;
        for (int j = 1; j < 1000; ++j) {
            ej *= v;
            const double next = s + ej / (2 * j + 1);
            if (next == s)
                return next;
            s = next;
        }
    }
    return x * std::log(x / m) + m - x;
}

// Binomial probability of x successes in n trials with success probability p = 1 - q.
double binomialPmf(double x, double n, double p, double q)
{
    constexpr double ln2pi = 1.837877066409345483560659472811;
    if (p == 0)
        return x == 0 ? 1 : 0;
    if (q == 0)
        return x == n ? 1 : 0;
    if (x == 0) {
        if (n == 0)
            return 1;
        return std::exp(p < 0.1 ? -deviance(n, n * q) - n * p : n * std::log(q));
    }
    if (x == n)
        return std::exp(q < 0.1 ? -deviance(n, n * p) - n * q : n * std::log(p));
    if (x < 0 || x > n)
        return 0;
    const double lc = stirlingError(n) - stirlingError(x) - stirlingError(n - x) -
                      deviance(x, n * p) - deviance(n - x, n * q);
    const double lf = ln2pi + std::log(x) + std::log1p(-x / n);
    return std::exp(lc - 0.5 * lf);
}

class Hypergeometric
{
public:
    // `draws` items taken without replacement from `total`, of which `good` are good.
    Hypergeometric(std::int64_t total, std::int64_t good, std::int64_t draws)
        : m_total(total)
        , m_good(good)
        , m_draws(draws)
        , m_low(std::max<std::int64_t>(0, draws - (total - good)))
        , m_high(std::min(good, draws))
    {}

    double pmf(std::int64_t k) const
    {
        if (k < m_low || k > m_high)
            return 0;
        if (m_draws == 0)
            return k == 0 ? 1 : 0;
        const double total = static_cast<double>(m_total);
        const double p = static_cast<double>(m_draws) / total;
        const double q = static_cast<double>(m_total - m_draws) / total;
        const double p1 = binomialPmf(static_cast<double>(k), static_cast<double>(m_good), p, q);
        const double p2 = binomialPmf(static_cast<double>(m_draws - k),
                                      static_cast<double>(m_total - m_good), p, q);
        const double p3 = binomialPmf(static_cast<double>(m_draws), total, p, q);
        return std::clamp(p1 * p2 / p3, 0.0, 1.0);
    }

    // scipy's rv_discrete.cdf / sf: 0 and 1 outside the support, Boost inside.
    double cdf(std::int64_t k) const
    {
        if (k < m_low)
            return 0;
        if (k >= m_high)
            return 1;
        return boostCdf(k, false);
    }

    double sf(std::int64_t k) const
    {
        if (k < m_low)
            return 1;
        if (k >= m_high)
            return 0;
        return boostCdf(k, true);
    }

private:
    // boost/math/distributions/detail/hypergeometric_cdf.hpp, hypergeometric_cdf_imp: sums the
    // shorter side of the mode by the pmf recurrence; `invert` asks for the complement.
    double boostCdf(std::int64_t x, bool invert) const
    {
        constexpr double eps = std::numeric_limits<double>::epsilon();
        const std::int64_t r = m_good;
        const std::int64_t n = m_draws;
        const std::int64_t total = m_total;
        const double mode = std::floor(static_cast<double>(r + 1) * static_cast<double>(n + 1) /
                                       static_cast<double>(total + 2));
        double result = 0;
        if (static_cast<double>(x) < mode) {
            result = pmf(x);
            double diff = result;
            while (diff > (invert ? 1.0 : result) * eps) {
                diff = static_cast<double>(x) * static_cast<double>((total + x) - n - r) * diff /
                       (static_cast<double>(1 + n - x) * static_cast<double>(1 + r - x));
                result += diff;
                if (x == m_low)
                    break;
                --x;
            }
        } else {
            invert = !invert;
            if (x != m_high) {
                ++x;
                result = pmf(x);
                double diff = result;
                while (x <= m_high && diff > (invert ? 1.0 : result) * eps) {
                    diff =
                        static_cast<double>(n - x) * static_cast<double>(r - x) * diff /
                        (static_cast<double>(x + 1) * static_cast<double>((total + x + 1) - n - r));
                    result += diff;
                    ++x;
                }
            }
        }
        if (invert)
            result = 1 - result;
        return std::clamp(result, 0.0, 1.0);
    }

    std::int64_t m_total;
    std::int64_t m_good;
    std::int64_t m_draws;
    std::int64_t m_low;
    std::int64_t m_high;
};

// scipy's _binomtest._binary_search_for_binom_tst: i in [lo - 1, hi] with a(i) <= d < a(i + 1)
// for a function ascending on [lo, hi].
template<typename F>
std::int64_t binarySearch(F a, double d, std::int64_t lo, std::int64_t hi)
{
    while (lo < hi) {
        const std::int64_t mid = lo + (hi - lo) / 2;
        const double midval = a(mid);
        if (midval < d)
            lo = mid + 1;
        else if (midval > d)
            hi = mid - 1;
        else
            return mid;
    }
    return a(lo) <= d ? lo : lo - 1;
}

// scipy.stats.fisher_exact(table, alternative="two-sided") p-value (scipy 1.10).
double fisherTwoSided(std::int64_t c00, std::int64_t c01, std::int64_t c10, std::int64_t c11)
{
    if (c00 + c10 == 0 || c01 + c11 == 0 || c00 + c01 == 0 || c10 + c11 == 0)
        return 1.0; // an empty row or column
    const std::int64_t n1 = c00 + c01;
    const std::int64_t n2 = c10 + c11;
    const std::int64_t n = c00 + c10;
    const Hypergeometric h(n1 + n2, n1, n);
    const auto pmf = [&h](std::int64_t x) { return h.pmf(x); };

    const auto mode = static_cast<std::int64_t>(static_cast<double>((n + 1) * (n1 + 1)) /
                                                static_cast<double>(n1 + n2 + 2));
    const double pexact = h.pmf(c00);
    const double pmode = h.pmf(mode);
    constexpr double epsilon = 1e-14;
    constexpr double gamma = 1 + epsilon;
    if (std::fabs(pexact - pmode) / std::max(pexact, pmode) <= epsilon)
        return 1.0;
    double pvalue = 0;
    if (c00 < mode) {
        const double plower = h.cdf(c00);
        if (h.pmf(n) > pexact * gamma)
            return plower;
        const std::int64_t guess =
            binarySearch([&pmf](std::int64_t x) { return -pmf(x); }, -pexact * gamma, mode, n);
        pvalue = plower + h.sf(guess);
    } else {
        const double pupper = h.sf(c00 - 1);
        if (h.pmf(0) > pexact * gamma)
            return pupper;
        const std::int64_t guess = binarySearch(pmf, pexact * gamma, 0, mode);
        pvalue = pupper + h.cdf(guess);
    }
    return std::min(pvalue, 1.0);
}

// 0.5 * sum |r / sum(r) - c / sum(c)| as the oracle's _tvd_counts computes it.
double tvdCounts(std::span<const double> r, std::span<const double> c, std::vector<double> &work)
{
    const double rs = numpySum(r);
    const double cs = numpySum(c);
    work.resize(r.size());
    for (std::size_t i = 0; i < r.size(); ++i)
        work[i] = std::fabs(r[i] / rs - c[i] / cs);
    return 0.5 * numpySum(work);
}

QString rows(double n)
{
    return QString::number(static_cast<qint64>(n));
}

TestResult pValueResult(double p, std::optional<double> statistic, double threshold)
{
    TestResult r;
    r.score = p;
    r.pValue = p;
    r.statistic = statistic;
    r.drifted = p < threshold;
    return r;
}

} // namespace

Result<TestResult> chiSquare(const CategoricalSample &s, double threshold)
{
    auto t = compact(s, u"chisquare"_s);
    if (!t)
        return fail(t.error());
    // chisquare_stattest.py: f_exp = ref * (n_cur / n_ref), then scipy.stats.chisquare.
    const double k = t->nCur / t->nRef;
    std::vector<double> expected(t->size());
    for (std::size_t i = 0; i < t->size(); ++i)
        expected[i] = t->ref[i] * k;
    if (!sumsAgree(t->cur, expected))
        return fail(u"chisquare: observed and expected frequencies do not sum to the same total"_s);
    std::vector<double> terms(t->size());
    for (std::size_t i = 0; i < t->size(); ++i) {
        const double d = t->cur[i] - expected[i];
        terms[i] = expected[i] == 0 ? (d == 0 ? NaN : Inf) : d * d / expected[i];
    }
    const double stat = numpySum(terms);
    const double p = chi2PValue(stat, static_cast<double>(t->size()) - 1);
    return pValueResult(p, stat, threshold);
}

Result<TestResult> zTest(const CategoricalSample &s, double threshold)
{
    auto t = compact(s, u"z"_s);
    if (!t)
        return fail(t.error());
    if (t->size() == 1)
        return pValueResult(1.0, 0.0, threshold); // one and the same value on both sides
    // z_stattest.py: rows equal to the first (sorted) category map to 0, the others to 1.
    const double n1 = t->nRef;
    const double n2 = t->nCur;
    const double p1 = (n1 - t->ref[0]) / n1;
    const double p2 = (n2 - t->cur[0]) / n2;
    const double pooled = (p1 * n1 + p2 * n2) / (n1 + n2);
    const double z = (p1 - p2) / std::sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2));
    const double p = std::isnan(z) ? NaN : 2 * (1 - normalCdf(std::fabs(z)));
    return pValueResult(p, z, threshold);
}

Result<TestResult> gTest(const CategoricalSample &s, double threshold)
{
    auto t = compact(s, u"g_test"_s);
    if (!t)
        return fail(t.error());
    // g_stattest.py: power_divergence(cur, f_exp=ref, lambda_="log-likelihood"), ref not rescaled.
    if (!sumsAgree(t->cur, t->ref)) {
        return fail(
            Error(u"g_test needs samples of the same size (reference %1 rows, current %2): "
                  u"scipy's power_divergence refuses frequencies with different totals"_s.arg(
                      rows(t->nRef), rows(t->nCur)))
                .withHint(u"Use chisquare, or compare samples of equal size"_s));
    }
    std::vector<double> terms(t->size());
    for (std::size_t i = 0; i < t->size(); ++i)
        terms[i] = 2.0 * xlogy(t->cur[i], t->cur[i] / t->ref[i]);
    const double stat = numpySum(terms);
    const double p = chi2PValue(stat, static_cast<double>(t->size()) - 1);
    return pValueResult(p, stat, threshold);
}

Result<TestResult> fisherExact(const CategoricalSample &s, double threshold)
{
    auto t = compact(s, u"fisher_exact"_s);
    if (!t)
        return fail(t.error());
    if (t->size() > 2) {
        return fail(
            Error(u"fisher_exact needs a column with at most two values, found %1"_s.arg(t->size()))
                .withHint(u"Use chisquare or jensenshannon for this column"_s));
    }
    if (t->nRef != t->nCur) {
        return fail(Error(u"fisher_exact needs samples of the same size (reference %1 rows, "
                          u"current %2), as Evidently requires"_s.arg(rows(t->nRef), rows(t->nCur)))
                        .withHint(u"Use the z test, or compare samples of equal size"_s));
    }
    double p = 1.0; // a single value: Evidently adds a placeholder, the table has an empty column
    if (t->size() == 2) {
        // utils.generate_fisher2x2_contingency_table: [[ones_cur, zeros_cur], [ones_ref,
        // zeros_ref]]. Which value counts as "one" follows Python's set order in Evidently; the
        // two-sided p-value does not depend on it.
        const auto c1 = static_cast<std::int64_t>(t->cur[1]);
        const auto r1 = static_cast<std::int64_t>(t->ref[1]);
        const auto nc = static_cast<std::int64_t>(t->nCur);
        const auto nr = static_cast<std::int64_t>(t->nRef);
        p = fisherTwoSided(c1, nc - c1, r1, nr - r1);
    }
    return pValueResult(p, std::nullopt, threshold);
}

Result<TestResult> totalVariation(const CategoricalSample &s, double threshold)
{
    auto t = compact(s, u"TVD"_s);
    if (!t)
        return fail(t.error());
    const auto nRef = static_cast<std::size_t>(t->nRef);
    if (s.refCodes.size() != nRef || s.curCodes.size() != static_cast<std::size_t>(t->nCur))
        return fail(
            u"TVD: the row codes (%1 + %2) do not match the category counts (%3 + %4)"_s.arg(
                rows(static_cast<double>(s.refCodes.size())),
                rows(static_cast<double>(s.curCodes.size())), rows(t->nRef), rows(t->nCur)));
    // The combined sample, reference rows then current rows, as category indices.
    std::vector<std::int32_t> codes;
    codes.reserve(s.refCodes.size() + s.curCodes.size());
    for (const bool isRef : {true, false}) {
        std::vector<double> counted(t->size(), 0.0);
        for (const std::int32_t c : isRef ? s.refCodes : s.curCodes) {
            const auto index = static_cast<std::size_t>(c);
            if (c < 0 || index >= t->newIndex.size() || t->newIndex[index] < 0)
                return fail(u"TVD: a row code (%1) names no counted category"_s.arg(c));
            codes.push_back(t->newIndex[index]);
            counted[static_cast<std::size_t>(codes.back())] += 1;
        }
        if (counted != (isRef ? t->ref : t->cur))
            return fail(u"TVD: the row codes do not match the category counts"_s);
    }
    std::vector<double> total(t->size());
    for (std::size_t i = 0; i < t->size(); ++i)
        total[i] = t->ref[i] + t->cur[i]; // np.bincount of all codes

    std::vector<double> work;
    const double observed = tvdCounts(t->ref, t->cur, work);
    // utils.permutation_test: np.random.seed(0), then 1000 times choice(combined, n_ref,
    // replace=False), which is permutation(N)[:n_ref]; shuffling the codes themselves with the
    // same swaps gives codes[permutation(N)].
    constexpr int iterations = 1000;
    NumpyRandomState rng(0);
    std::vector<std::int32_t> shuffled(codes.size());
    std::vector<double> nr(t->size());
    std::vector<double> nc(t->size());
    int atLeast = 0;
    for (int it = 0; it < iterations; ++it) {
        std::copy(codes.begin(), codes.end(), shuffled.begin());
        rng.shuffle(std::span<std::int32_t>(shuffled));
        std::fill(nr.begin(), nr.end(), 0.0);
        for (std::size_t i = 0; i < nRef; ++i)
            nr[static_cast<std::size_t>(shuffled[i])] += 1;
        for (std::size_t i = 0; i < t->size(); ++i)
            nc[i] = total[i] - nr[i];
        if (observed <= std::fabs(tvdCounts(nr, nc, work)))
            ++atLeast;
    }
    const double p = static_cast<double>(atLeast) / iterations;
    return pValueResult(p, observed, threshold);
}

} // namespace cairn::drift
