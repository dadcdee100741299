// The numeric drift tests, ported from scipy 1.10.1 / numpy 1.24.2 (the versions the oracle runs)
// operation by operation where the rounding can show: numpy's sums are chunked pairwise sums,
// BLAS products are sequential dot products (reference BLAS), integer arithmetic stays exact.
// The scipy function each test reproduces is named above it.

#include "numpyrandom.h"
#include "special.h"
#include "stattests.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>
#include <vector>

using namespace Qt::StringLiterals;

namespace cairn::drift {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// ---- numpy's float64 summation ---------------------------------------------------------------

// np.sum: numpySum (numpyrandom.h), numpy's pairwise summation over its 8192-value buffers.
constexpr std::size_t kNumpyBuffer = 8192;

// The same sum over values added one at a time.
class NumpySummer
{
public:
    void add(double v)
    {
        m_buffer[m_size++] = v;
        if (m_size == kNumpyBuffer)
            flush();
    }
    double total()
    {
        flush();
        return m_total;
    }

private:
    void flush()
    {
        if (m_size > 0)
            m_total += numpySum(std::span<const double>(m_buffer.data(), m_size));
        m_size = 0;
    }
    std::vector<double> m_buffer = std::vector<double>(kNumpyBuffer);
    std::size_t m_size = 0;
    double m_total = 0;
};

double numpyMean(std::span<const double> v)
{
    return numpySum(v) / double(v.size());
}

// numpy's _var(ddof=0): mean, then the mean of the squared deviations.
double numpyVariance(std::span<const double> v)
{
    const double mean = numpyMean(v);
    NumpySummer ss;
    for (const double x : v)
        ss.add((x - mean) * (x - mean));
    return ss.total() / double(v.size());
}

// ---- sorting -----------------------------------------------------------------------------------

// Doubles as unsigned keys in the same order (-0 before +0; NaN beyond the infinities).
std::uint64_t orderKey(double v)
{
    const auto bits = std::bit_cast<std::uint64_t>(v);
    return (bits >> 63) != 0 ? ~bits : bits | (std::uint64_t(1) << 63);
}

double fromOrderKey(std::uint64_t key)
{
    return std::bit_cast<double>((key >> 63) != 0 ? key & ~(std::uint64_t(1) << 63) : ~key);
}

// MSD radix sort of order keys on 8-bit digits from the top (a digit all keys share is skipped;
// runs of at most 64 keys are insertion-sorted). `scratch` has room for n doubles.
void radixSort(std::uint64_t *keys, double *scratch, std::size_t n, int shift)
{
    while (n > 64) {
        std::array<std::size_t, 257> start{};
        for (std::size_t i = 0; i < n; ++i)
            ++start[((keys[i] >> shift) & 0xff) + 1];
        if (std::find(start.begin() + 1, start.end(), n) != start.end()) { // one bucket holds all
            if (shift == 0)
                return;
            shift -= 8;
            continue;
        }
        for (std::size_t b = 1; b <= 256; ++b)
            start[b] += start[b - 1];
        std::array<std::size_t, 256> next{};
        std::copy(start.begin(), start.end() - 1, next.begin());
        for (std::size_t i = 0; i < n; ++i)
            scratch[next[(keys[i] >> shift) & 0xff]++] = std::bit_cast<double>(keys[i]);
        for (std::size_t i = 0; i < n; ++i)
            keys[i] = std::bit_cast<std::uint64_t>(scratch[i]);
        if (shift == 0)
            return;
        for (std::size_t b = 0; b < 256; ++b)
            if (start[b + 1] - start[b] > 1)
                radixSort(keys + start[b], scratch + start[b], start[b + 1] - start[b], shift - 8);
        return;
    }
    for (std::size_t i = 1; i < n; ++i) {
        const std::uint64_t v = keys[i];
        std::size_t j = i;
        for (; j > 0 && keys[j - 1] > v; --j)
            keys[j] = keys[j - 1];
        keys[j] = v;
    }
}

std::vector<double> sortedValues(std::span<const double> values)
{
    const std::size_t n = values.size();
    std::vector<std::uint64_t> keys(n);
    for (std::size_t i = 0; i < n; ++i)
        keys[i] = orderKey(values[i]);
    std::vector<double> out(n);
    radixSort(keys.data(), out.data(), n, 56);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = fromOrderKey(keys[i]);
    return out;
}

Result<void> checkValues(std::span<const double> values, bool finite, const QString &test,
                         const QString &which)
{
    if (values.empty())
        return fail(Error(u"%1: the %2 sample is empty"_s.arg(test, which))
                        .withHint(u"drop empty columns before testing them"_s));
    if (!finite)
        return fail(
            Error(u"%1: the %2 sample contains missing or infinite values"_s.arg(test, which))
                .withHint(u"drop NaN and infinite values first, as Evidently does"_s));
    return ok();
}

// Both samples non-empty and finite (the sorted copy shows non-finite values at its ends).
Result<void> checkSamples(const SortedSample &ref, const SortedSample &cur, const QString &test)
{
    for (const auto *s : {&ref, &cur}) {
        const QString which = s == &ref ? u"reference"_s : u"current"_s;
        if (s->sorted.size() != s->values.size())
            return fail(
                Error(u"%1: the %2 sample was not prepared with sortSample()"_s.arg(test, which)));
        const bool finite = s->sorted.empty() ||
                            (std::isfinite(s->sorted.front()) && std::isfinite(s->sorted.back()));
        if (auto valid = checkValues(s->values, finite, test, which); !valid)
            return valid;
    }
    return ok();
}

// For the tests that only need row order.
Result<void> checkRowSamples(std::span<const double> ref, std::span<const double> cur,
                             const QString &test)
{
    const auto finite = [](std::span<const double> v) {
        return std::all_of(v.begin(), v.end(), [](double x) { return std::isfinite(x); });
    };
    if (auto valid = checkValues(ref, finite(ref), test, u"reference"_s); !valid)
        return valid;
    return checkValues(cur, finite(cur), test, u"current"_s);
}

// Calls f(value, refBefore, refCount, curBefore, curCount) for every distinct value of the two
// sorted samples, in ascending order.
template<typename F>
void forEachDistinct(std::span<const double> a, std::span<const double> b, F &&f)
{
    std::size_t i = 0, j = 0;
    const std::size_t na = a.size(), nb = b.size();
    while (i < na || j < nb) {
        const double v = (j >= nb || (i < na && a[i] < b[j])) ? a[i] : b[j];
        const std::size_t i0 = i, j0 = j;
        while (i < na && a[i] == v)
            ++i;
        while (j < nb && b[j] == v)
            ++j;
        f(v, i0, i - i0, j0, j - j0);
    }
}

TestResult pValueResult(double p, double statistic, bool drifted)
{
    TestResult r;
    r.score = p;
    r.pValue = p;
    r.statistic = statistic;
    r.drifted = drifted;
    return r;
}

// ---- ks_2samp's exact two-sided p-value ---------------------------------------------------------

// scipy.stats._stats_py._compute_prob_outside_square
double probOutsideSquare(std::int64_t n, std::int64_t h)
{
    double P = 0.0;
    for (std::int64_t k = n / h; k >= 0; --k) {
        double p1 = 1.0;
        for (std::int64_t j = 0; j < h; ++j)
            p1 = double(n - k * h - j) * p1 / double(n + k * h + j + 1);
        P = p1 * (1.0 - P);
    }
    return 2 * P;
}

// scipy.stats._stats_pythran._compute_outer_prob_inside_method (Viehmann's recursion for 1 - p)
double outerProbInside(std::int64_t m, std::int64_t n, std::int64_t g, std::int64_t h)
{
    if (m < n)
        std::swap(m, n);
    const std::int64_t mg = m / g;
    const std::int64_t ng = n / g;
    std::int64_t minj = 0;
    std::int64_t maxj =
        std::min<std::int64_t>(std::int64_t(std::ceil(double(h) / double(mg))), n + 1);
    std::int64_t curlen = maxj - minj;
    const std::int64_t lenA = std::min(2 * maxj + 2, n + 1);
    std::vector<double> A(std::size_t(lenA), 1.0);
    std::fill(A.begin(), A.begin() + std::min(maxj, lenA), 0.0);
    for (std::int64_t i = 1; i <= m; ++i) {
        const std::int64_t lastminj = minj;
        const std::int64_t lastlen = curlen;
        minj = std::max<std::int64_t>(std::int64_t(std::floor(double(ng * i - h) / double(mg))) + 1,
                                      0);
        minj = std::min(minj, n);
        maxj =
            std::min<std::int64_t>(std::int64_t(std::ceil(double(ng * i + h) / double(mg))), n + 1);
        if (maxj <= minj)
            return 1.0;
        double val = minj == 0 ? 0.0 : 1.0;
        for (std::int64_t jj = 0; jj < maxj - minj; ++jj) {
            const std::int64_t j = jj + minj;
            const std::int64_t src = jj + minj - lastminj;
            if (src < 0 || src >= lenA || jj >= lenA)
                return kNaN; // cannot happen for valid input; falls back to the asymptotic p
            val = (A[std::size_t(src)] * double(i) + val * double(j)) / double(i + j);
            A[std::size_t(jj)] = val;
        }
        curlen = maxj - minj;
        if (lastlen > curlen)
            std::fill(A.begin() + std::min(curlen, lenA),
                      A.begin() + std::min(curlen + lastlen - curlen, lenA), 1.0);
    }
    return A[std::size_t(maxj - minj - 1)];
}

} // namespace

SortedSample sortSample(std::span<const double> values)
{
    SortedSample s;
    s.values = values;
    s.storage = sortedValues(values);
    s.sorted = s.storage;
    return s;
}

void sortInPlace(std::vector<double> &values)
{
    const std::size_t n = values.size();
    std::vector<std::uint64_t> keys(n);
    for (std::size_t i = 0; i < n; ++i)
        keys[i] = orderKey(values[i]);
    radixSort(keys.data(), values.data(), n, 56);
    for (std::size_t i = 0; i < n; ++i)
        values[i] = fromOrderKey(keys[i]);
}

SortedSample sortedSampleOf(std::span<const double> ascending)
{
    SortedSample s;
    s.values = ascending;
    s.sorted = ascending;
    return s;
}

// scipy.stats.ks_2samp(ref, cur), alternative="two-sided", method="auto"
Result<TestResult> ks(const SortedSample &ref, const SortedSample &cur, double threshold)
{
    if (auto valid = checkSamples(ref, cur, u"ks"_s); !valid)
        return fail(valid.error());
    const auto n1 = std::int64_t(ref.sorted.size());
    const auto n2 = std::int64_t(cur.sorted.size());
    double maxS = -kInf;
    double minDiff = kInf;
    forEachDistinct(ref.sorted, cur.sorted,
                    [&](double, std::size_t rb, std::size_t rc, std::size_t cb, std::size_t cc) {
                        const double diff =
                            double(rb + rc) / double(n1) - double(cb + cc) / double(n2);
                        maxS = std::max(maxS, diff);
                        minDiff = std::min(minDiff, diff);
                    });
    const double minS = std::clamp(-minDiff, 0.0, 1.0);
    double d = minS > maxS ? minS : maxS;
    const std::int64_t g = std::gcd(n1, n2);
    double prob = kNaN;
    bool exact = std::max(n1, n2) <= 10000;
    if (exact) { // _attempt_exact_2kssamp
        const std::int64_t lcm = (n1 / g) * n2;
        const auto h = std::int64_t(std::nearbyint(d * double(lcm)));
        d = double(h) * 1.0 / double(lcm);
        if (h == 0)
            prob = 1.0;
        else
            prob = n1 == n2 ? probOutsideSquare(n1, h) : outerProbInside(n1, n2, g, h);
        exact = 0 <= prob && prob <= 1; // else scipy warns and falls back to 'asymp'
    }
    if (!exact) {
        const double m = double(std::max(n1, n2));
        const double n = double(std::min(n1, n2));
        const double en = m * n / (m + n);
        prob = kolmogorovSmirnovSf(std::int64_t(std::nearbyint(en)), d);
    }
    prob = std::clamp(prob, 0.0, 1.0);
    return pValueResult(prob, d, prob <= threshold);
}

namespace {

// scipy.stats._stats_py._cdf_distance over sorted samples: the sum over the N-1 gaps of the
// merged sample, zero gaps included, in numpy's summation order. p is 1 or 2.
double cdfDistance(std::span<const double> u, std::span<const double> v, int p)
{
    const std::size_t nu = u.size(), nv = v.size();
    NumpySummer sum;
    std::size_t i = 0, j = 0;
    while (true) {
        const double value = (j >= nv || (i < nu && u[i] < v[j])) ? u[i] : v[j];
        const std::size_t i0 = i, j0 = j;
        while (i < nu && u[i] == value)
            ++i;
        while (j < nv && v[j] == value)
            ++j;
        for (std::size_t k = (i - i0) + (j - j0); k > 1; --k)
            sum.add(0.0); // |U - V| * 0 between equal values
        if (i >= nu && j >= nv)
            break;
        const double next = (j >= nv || (i < nu && u[i] < v[j])) ? u[i] : v[j];
        const double diff = double(i) / double(nu) - double(j) / double(nv);
        const double delta = next - value;
        sum.add(p == 1 ? std::fabs(diff) * delta : (diff * diff) * delta);
    }
    return p == 1 ? sum.total() : std::sqrt(sum.total());
}

// ---- Wasserstein-1 without sorting
// ----------------------------------------------------------------
//
// W1 = integral of |F_u(t) - F_v(t)| dt, the same number scipy gets by merging the sorted
// samples. Sorting is what costs on a million values; this avoids it. Over a stretch [e0, e1]
// where D = F_u - F_v keeps one sign, the integral of |D| is the absolute value of the integral
// of D, and that needs only each sample's count and sum in the stretch (a value x adds
// e1 - x there). So the values' range is cut into K equal buckets; one pass counts and sums per
// bucket; a bucket whose sign cannot change (D at its left edge is further from 0 than the
// bucket's values can move it) is integrated from its sums, and the other buckets' values are
// gathered and looked into the same way; a handful of values is sorted and walked. On real data
// most buckets are settled at the first level, so this reads each sample about three times.

struct CdfSplit
{
    double wu; // 1 / n_u
    double wv; // 1 / n_v
    double gap(std::size_t cu, std::size_t cv) const { return double(cu) * wu - double(cv) * wv; }
};

// The smallest and largest of u and v together, and whether a NaN is among them (four
// independent lanes: a single running minimum is one long dependency chain).
struct Extremes
{
    double lo;
    double hi;
    bool nan;
};
Extremes extremes(std::span<const double> u, std::span<const double> v)
{
    std::array<double, 4> lo{kInf, kInf, kInf, kInf};
    std::array<double, 4> hi{-kInf, -kInf, -kInf, -kInf};
    bool nan = false;
    for (const auto s : {u, v}) {
        std::size_t i = 0;
        for (; i + 4 <= s.size(); i += 4) {
            for (std::size_t l = 0; l < 4; ++l) {
                lo[l] = std::min(lo[l], s[i + l]);
                hi[l] = std::max(hi[l], s[i + l]);
                nan |= s[i + l] != s[i + l];
            }
        }
        for (; i < s.size(); ++i) {
            lo[0] = std::min(lo[0], s[i]);
            hi[0] = std::max(hi[0], s[i]);
            nan |= s[i] != s[i];
        }
    }
    return {std::min(std::min(lo[0], lo[1]), std::min(lo[2], lo[3])),
            std::max(std::max(hi[0], hi[1]), std::max(hi[2], hi[3])), nan};
}

// The integral of |D| over [a, b], where positions are offsets from `origin` (y = x - origin: the
// buckets' edges are then exact to the offsets' precision, not to that of the values, which may be
// large), u and v are the values of each sample in [a, b], and cu0, cv0 count those below a.
double absCdfGapIntegral(std::span<const double> u, std::span<const double> v, double origin,
                         double a, double b, std::size_t cu0, std::size_t cv0, const CdfSplit &w,
                         int depth)
{
    const double d0 = w.gap(cu0, cv0);
    const std::size_t m = u.size() + v.size();
    if (m == 0)
        return std::fabs(d0) * (b - a);
    const auto [xlo, xhi, nan] = extremes(u, v);
    const double lo = xlo - origin; // subtraction is monotonic: the offsets' extremes
    const double hi = xhi - origin;
    const double dEnd = w.gap(cu0 + u.size(), cv0 + v.size());
    double total = std::fabs(d0) * std::max(0.0, lo - a) + std::fabs(dEnd) * std::max(0.0, b - hi);
    if (lo == hi)
        return total;

    const double range = hi - lo;
    const std::size_t buckets = std::clamp<std::size_t>(m / 32, 16, 16384);
    const double scale = double(buckets) / range;
    if (m <= 64 || depth >= 8 || !std::isfinite(scale) || !(range / double(buckets) > 0)) {
        // Few values (or a range too narrow to cut again): sort them and walk.
        std::vector<double> su(u.begin(), u.end());
        std::vector<double> sv(v.begin(), v.end());
        std::sort(su.begin(), su.end());
        std::sort(sv.begin(), sv.end());
        std::size_t i = 0, j = 0;
        double at = lo;
        while (i < su.size() || j < sv.size()) {
            const bool fromU = j >= sv.size() || (i < su.size() && su[i] <= sv[j]);
            const double t = (fromU ? su[i] : sv[j]) - origin;
            total += std::fabs(w.gap(cu0 + i, cv0 + j)) * (t - at);
            at = t;
            (fromU ? i : j)++;
        }
        return total;
    }

    auto bucketOf = [&](double y) {
        return std::min(buckets - 1, std::size_t(std::max(0.0, (y - lo) * scale)));
    };
    std::vector<std::uint32_t> countU(buckets), countV(buckets);
    std::vector<double> sumU(buckets), sumV(buckets); // of y - lo
    for (const double x : u) {
        const double y = x - origin;
        const std::size_t k = bucketOf(y);
        ++countU[k];
        sumU[k] += y - lo;
    }
    for (const double x : v) {
        const double y = x - origin;
        const std::size_t k = bucketOf(y);
        ++countV[k];
        sumV[k] += y - lo;
    }

    const double width = range / double(buckets);
    auto right = [&](std::size_t k) { return k + 1 == buckets ? range : double(k + 1) * width; };
    std::vector<std::uint8_t> open(buckets); // D may change sign: look inside
    std::vector<std::size_t> belowU(buckets), belowV(buckets);
    std::size_t cu = cu0, cv = cv0, openU = 0, openV = 0;
    for (std::size_t k = 0; k < buckets; ++k) {
        belowU[k] = cu;
        belowV[k] = cv;
        const double d = w.gap(cu, cv);
        const double nu = double(countU[k]), nv = double(countV[k]);
        if (d - nv * w.wv >= 0 || d + nu * w.wu <= 0) {
            const double r0 = double(k) * width, r1 = right(k);
            total +=
                std::fabs(d * (r1 - r0) + w.wu * (nu * r1 - sumU[k]) - w.wv * (nv * r1 - sumV[k]));
        } else {
            open[k] = 1;
            openU += countU[k];
            openV += countV[k];
        }
        cu += countU[k];
        cv += countV[k];
    }
    if (openU + openV == 0)
        return total;

    // Gather the open buckets' values, bucket by bucket, and look inside each.
    std::vector<std::size_t> startU(buckets + 1), startV(buckets + 1);
    for (std::size_t k = 0; k < buckets; ++k) {
        startU[k + 1] = startU[k] + (open[k] ? countU[k] : 0);
        startV[k + 1] = startV[k] + (open[k] ? countV[k] : 0);
    }
    std::vector<double> gathered(openU + openV);
    double *gu = gathered.data();
    double *gv = gathered.data() + openU;
    {
        std::vector<std::size_t> next(startU.begin(), startU.end() - 1);
        for (const double x : u) {
            const std::size_t k = bucketOf(x - origin);
            if (open[k])
                gu[next[k]++] = x;
        }
        next.assign(startV.begin(), startV.end() - 1);
        for (const double x : v) {
            const std::size_t k = bucketOf(x - origin);
            if (open[k])
                gv[next[k]++] = x;
        }
    }
    for (std::size_t k = 0; k < buckets; ++k) {
        if (!open[k])
            continue;
        total += absCdfGapIntegral(
            std::span<const double>(gu + startU[k], startU[k + 1] - startU[k]),
            std::span<const double>(gv + startV[k], startV[k + 1] - startV[k]), origin,
            lo + double(k) * width, lo + right(k), belowU[k], belowV[k], w, depth + 1);
    }
    return total;
}

// Evidently's score: the distance over the reference's standard deviation (at least 0.001).
TestResult normedWasserstein(double raw, std::span<const double> ref, double threshold)
{
    const double norm = std::max(std::sqrt(numpyVariance(ref)), 0.001);
    TestResult r;
    r.score = raw / norm;
    r.statistic = raw;
    r.drifted = r.score >= threshold;
    return r;
}

// scipy.stats.wasserstein_distance(u, v) of finite, non-empty samples in any order, whose
// smallest and largest values are lo and hi.
double wassersteinUnsorted(std::span<const double> u, std::span<const double> v, double lo,
                           double hi)
{
    // A range so wide that a bucket's sum could overflow: sort and merge, as scipy does.
    if (!std::isfinite(double(u.size() + v.size()) * (hi - lo)))
        return cdfDistance(sortedValues(u), sortedValues(v), 1);
    const CdfSplit w{1.0 / double(u.size()), 1.0 / double(v.size())};
    return absCdfGapIntegral(u, v, lo, 0, hi - lo, 0, 0, w, 0);
}

} // namespace

// scipy.stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
Result<TestResult> wasserstein(const SortedSample &ref, const SortedSample &cur, double threshold)
{
    if (auto valid = checkSamples(ref, cur, u"wasserstein"_s); !valid)
        return fail(valid.error());
    return normedWasserstein(cdfDistance(ref.sorted, cur.sorted, 1), ref.values, threshold);
}

// scipy.stats.energy_distance(ref, cur)
Result<TestResult> energyDistance(const SortedSample &ref, const SortedSample &cur,
                                  double threshold)
{
    if (auto valid = checkSamples(ref, cur, u"ed"_s); !valid)
        return fail(valid.error());
    const double d = std::sqrt(2.0) * cdfDistance(ref.sorted, cur.sorted, 2);
    TestResult r;
    r.score = d;
    r.statistic = d;
    r.drifted = d > threshold;
    return r;
}

// scipy.stats.ttest_ind(ref, cur) (equal_var=True)
Result<TestResult> tTest(std::span<const double> ref, std::span<const double> cur, double threshold)
{
    if (auto valid = checkRowSamples(ref, cur, u"t_test"_s); !valid)
        return fail(valid.error());
    const double n1 = double(ref.size());
    const double n2 = double(cur.size());
    if (ref.size() < 2 || cur.size() < 2)
        return fail(
            Error(u"t_test needs at least two values in each sample (scipy returns NaN)"_s));
    // _var(ddof=1) = mean of squared deviations * n / (n - 1)
    const double v1 = numpyVariance(ref) * (n1 / (n1 - 1));
    const double v2 = numpyVariance(cur) * (n2 / (n2 - 1));
    const double m1 = numpyMean(ref);
    const double m2 = numpyMean(cur);
    const double df = n1 + n2 - 2.0;
    const double svar = ((n1 - 1) * v1 + (n2 - 1) * v2) / df;
    const double denom = std::sqrt(svar * (1.0 / n1 + 1.0 / n2));
    const double t = (m1 - m2) / denom;
    if (std::isnan(t))
        return fail(Error(
            u"t_test is undefined: both samples are constant and have the same mean (scipy returns NaN)"_s));
    const double p = std::clamp(studentTSf(std::fabs(t), df) * 2, 0.0, 1.0);
    return pValueResult(p, t, p < threshold);
}

namespace {

// np.polyfit(x, y, 2): least squares on the column-scaled Vandermonde matrix (Householder QR in
// long double), coefficients highest power first.
std::array<double, 3> polyfit2(std::span<const double> x, std::span<const double> y)
{
    const std::size_t n = x.size();
    std::vector<std::array<long double, 3>> A(n);
    std::vector<long double> b(y.begin(), y.end());
    std::array<long double, 3> scale{};
    for (std::size_t i = 0; i < n; ++i) {
        A[i] = {static_cast<long double>(x[i]) * x[i], static_cast<long double>(x[i]), 1.0L};
        for (int c = 0; c < 3; ++c)
            scale[c] += A[i][c] * A[i][c];
    }
    for (auto &sc : scale)
        sc = std::sqrt(sc);
    for (auto &row : A)
        for (int c = 0; c < 3; ++c)
            row[c] /= scale[c];
    for (int c = 0; c < 3; ++c) {
        long double norm = 0;
        for (std::size_t i = c; i < n; ++i)
            norm += A[i][c] * A[i][c];
        norm = std::sqrt(norm);
        const long double alpha = A[c][c] > 0 ? -norm : norm;
        std::vector<long double> v(n, 0.0L);
        for (std::size_t i = c; i < n; ++i)
            v[i] = A[i][c];
        v[c] -= alpha;
        long double vv = 0;
        for (std::size_t i = c; i < n; ++i)
            vv += v[i] * v[i];
        for (int cc = c; cc < 3; ++cc) {
            long double dot = 0;
            for (std::size_t i = c; i < n; ++i)
                dot += v[i] * A[i][cc];
            for (std::size_t i = c; i < n; ++i)
                A[i][cc] -= 2 * dot / vv * v[i];
        }
        long double dot = 0;
        for (std::size_t i = c; i < n; ++i)
            dot += v[i] * b[i];
        for (std::size_t i = c; i < n; ++i)
            b[i] -= 2 * dot / vv * v[i];
    }
    std::array<long double, 3> coef{};
    for (int c = 2; c >= 0; --c) {
        long double sum = b[c];
        for (int cc = c + 1; cc < 3; ++cc)
            sum -= A[c][cc] * coef[cc];
        coef[c] = sum / A[c][c];
    }
    return {double(coef[0] / scale[0]), double(coef[1] / scale[1]), double(coef[2] / scale[2])};
}

} // namespace

// scipy.stats.anderson_ksamp([ref, cur]) (midrank): the normalised statistic and the p-value
// interpolated from Scholz and Stephens' table, capped to [0.001, 0.25].
Result<TestResult> anderson(const SortedSample &ref, const SortedSample &cur, double threshold)
{
    if (auto valid = checkSamples(ref, cur, u"anderson"_s); !valid)
        return fail(valid.error());
    const std::int64_t n[2] = {std::int64_t(ref.sorted.size()), std::int64_t(cur.sorted.size())};
    const std::int64_t N = n[0] + n[1];
    const double Nd = double(N);
    // _anderson_ksamp_midrank; without ties lj is 1 and the formula is the same.
    NumpySummer inner[2];
    std::size_t distinct = 0;
    forEachDistinct(ref.sorted, cur.sorted,
                    [&](double, std::size_t rb, std::size_t rc, std::size_t cb, std::size_t cc) {
                        const std::size_t lj = rc + cc;
                        const double Bj = double(rb + cb) + double(lj) / 2.;
                        const std::size_t before[2] = {rb, cb}, fij[2] = {rc, cc};
                        for (int s = 0; s < 2; ++s) {
                            const double Mij = double(before[s] + fij[s]) - double(fij[s]) / 2.;
                            const double diff = Nd * Mij - Bj * double(n[s]);
                            inner[s].add(double(lj) / Nd * (diff * diff) /
                                         (Bj * (Nd - Bj) - double(N * std::int64_t(lj)) / 4.));
                        }
                        ++distinct;
                    });
    if (distinct < 2)
        return fail(Error(u"anderson needs more than one distinct value (scipy raises)"_s));
    if (N < 3)
        return fail(Error(u"anderson needs at least three values in total (scipy raises)"_s));
    double A2akN = 0.;
    for (int s = 0; s < 2; ++s)
        A2akN += inner[s].total() / double(n[s]);
    A2akN *= (Nd - 1.) / Nd;

    const double H = (0. + 1. / double(n[0])) + 1. / double(n[1]);
    double hsCs = 0; // running cumsum of 1 / (N-1), 1 / (N-2), ..., 1 / 2
    NumpySummer gSum;
    for (std::int64_t step = 0; step < N - 2; ++step) {
        hsCs += 1. / double(N - 1 - step);
        gSum.add(hsCs / double(step + 2));
    }
    const double g = gSum.total();
    const double h = hsCs + 1;
    const double k = 2;
    const double a = (4 * g - 6) * (k - 1) + (10 - 6 * g) * H;
    const double b =
        (2 * g - 4) * (k * k) + 8 * h * k + (2 * g - 14 * h - 4) * H - 8 * h + 4 * g - 6;
    const double c =
        (6 * h + 2 * g - 2) * (k * k) + (4 * h - 4 * g + 6) * k + (2 * h - 6) * H + 4 * h;
    const double d = (2 * h + 6) * (k * k) - 4 * h * k;
    // Python multiplies by the exact integers N**3 and N**2.
    const double N3 = double(static_cast<long double>(N) * N * N);
    const double N2 = double(static_cast<long double>(N) * N);
    const double sigmasq = (a * N3 + b * N2 + c * Nd + d) / ((Nd - 1.) * (Nd - 2.) * (Nd - 3.));
    if (sigmasq < 0)
        return fail(Error(
            u"anderson: the variance of the statistic is negative for these sample sizes (scipy raises)"_s));
    const double A2 = (A2akN - 1) / std::sqrt(sigmasq);

    static const double b0[] = {0.675, 1.281, 1.645, 1.96, 2.326, 2.573, 3.085};
    static const double b1[] = {-0.245, 0.25, 0.678, 1.149, 1.822, 2.364, 3.615};
    static const double b2[] = {-0.105, -0.305, -0.362, -0.391, -0.396, -0.345, -0.154};
    static const double sig[] = {0.25, 0.1, 0.05, 0.025, 0.01, 0.005, 0.001};
    static const std::array<double, 7> critical = [] {
        std::array<double, 7> cr{};
        for (int i = 0; i < 7; ++i)
            cr[i] = b0[i] + b1[i] / 1.0 + b2[i] / 1;
        return cr;
    }();
    static const std::array<double, 3> pf = [] {
        std::array<double, 7> logSig{};
        for (int i = 0; i < 7; ++i)
            logSig[i] = std::log(sig[i]);
        return polyfit2(critical, logSig);
    }();
    double p;
    if (A2 < *std::min_element(critical.begin(), critical.end()))
        p = 0.25;
    else if (A2 > *std::max_element(critical.begin(), critical.end()))
        p = 0.001;
    else
        p = std::exp(((0.0 * A2 + pf[0]) * A2 + pf[1]) * A2 + pf[2]);
    if (std::isnan(p))
        return fail(
            Error(u"anderson: the statistic is undefined for these samples (scipy gives NaN)"_s));
    return pValueResult(p, A2, p < threshold);
}

namespace {

// scipy.stats._hypotests._pval_cvm_2samp_exact: the frequency table of Xiao, Gordon and
// Yakovlev's algorithm, in exact integers.
double cvmExactPValue(double u, std::int64_t m, std::int64_t n)
{
    const std::int64_t lcm = std::lcm(m, n);
    const std::int64_t a = lcm / m;
    const std::int64_t b = lcm / n;
    const std::int64_t mn = m * n;
    // zeta = lcm^2 (m + n) (6u - mn(4mn - 1)) // (6 mn^2), u a multiple of 1/4 (midranks)
    const auto u4 = std::int64_t(std::llround(u * 4));
    if (std::fabs(u * 4 - double(u4)) > 1e-6)
        return kNaN;
    const std::int64_t num4 = lcm * lcm * (m + n) * (6 * u4 - 4 * mn * (4 * mn - 1));
    const std::int64_t den4 = 4 * 6 * mn * mn;
    std::int64_t zeta = num4 / den4;
    if ((num4 % den4 != 0) && ((num4 < 0) != (den4 < 0)))
        --zeta;

    using Table = std::vector<std::pair<std::int64_t, std::int64_t>>; // (value, frequency), sorted
    std::vector<Table> gs(std::size_t(m + 1));
    gs[0] = {{0, 1}};
    Table merged;
    for (std::int64_t uu = 0; uu <= n; ++uu) {
        std::vector<Table> next(std::size_t(m + 1));
        Table tmp;
        for (std::int64_t v = 0; v <= m; ++v) {
            const Table &g = gs[std::size_t(v)];
            merged.clear();
            std::size_t i = 0, j = 0;
            while (i < tmp.size() || j < g.size()) {
                if (j >= g.size() || (i < tmp.size() && tmp[i].first < g[j].first))
                    merged.push_back(tmp[i++]);
                else if (i >= tmp.size() || g[j].first < tmp[i].first)
                    merged.push_back(g[j++]);
                else {
                    merged.emplace_back(tmp[i].first, tmp[i].second + g[j].second);
                    ++i;
                    ++j;
                }
            }
            const std::int64_t shift = (a * v - b * uu) * (a * v - b * uu);
            for (auto &entry : merged)
                entry.first += shift;
            tmp = merged;
            next[std::size_t(v)] = tmp;
        }
        gs = std::move(next);
    }
    std::int64_t count = 0;
    for (const auto &[value, freq] : gs[std::size_t(m)])
        if (value >= zeta)
            count += freq;
    // comb(m + n, m), exact
    std::int64_t combinations = 1;
    for (std::int64_t i = 1; i <= std::min(m, n); ++i)
        combinations = combinations * (m + n - std::min(m, n) + i) / i;
    return double(count) / double(combinations);
}

} // namespace

// scipy.stats.cramervonmises_2samp(ref, cur, method="auto"): exact when both samples have at
// most 20 values, else the asymptotic distribution.
Result<TestResult> cramerVonMises(const SortedSample &ref, const SortedSample &cur,
                                  double threshold)
{
    if (auto valid = checkSamples(ref, cur, u"cramer_von_mises"_s); !valid)
        return fail(valid.error());
    const auto nx = std::int64_t(ref.sorted.size());
    const auto ny = std::int64_t(cur.sorted.size());
    if (nx <= 1 || ny <= 1)
        return fail(
            Error(u"cramer_von_mises needs at least two values in each sample (scipy raises)"_s));
    // Midranks of the pooled sample (scipy.stats.rankdata, method="average"), and
    // u = nx * sum((rx - arange(1, nx+1))**2) + ny * sum((ry - arange(1, ny+1))**2)
    NumpySummer squares[2];
    forEachDistinct(ref.sorted, cur.sorted,
                    [&](double, std::size_t rb, std::size_t rc, std::size_t cb, std::size_t cc) {
                        const auto start = std::int64_t(rb + cb);
                        const auto c = std::int64_t(rc + cc);
                        const double rank = .5 * double((start + c) + start + 1);
                        for (std::size_t i = rb; i < rb + rc; ++i)
                            squares[0].add((rank - double(i + 1)) * (rank - double(i + 1)));
                        for (std::size_t i = cb; i < cb + cc; ++i)
                            squares[1].add((rank - double(i + 1)) * (rank - double(i + 1)));
                    });
    double u = double(nx) * squares[0].total();
    u += double(ny) * squares[1].total();
    const std::int64_t k = nx * ny;
    const std::int64_t N = nx + ny;
    const double t = u / double(k * N) - double(4 * k - 1) / double(6 * N);
    double p;
    if (std::max(nx, ny) <= 20) {
        p = cvmExactPValue(u, nx, ny);
    } else {
        const double Nd = double(N);
        const double et = (1 + 1 / Nd) / 6;
        const long double vtNum = static_cast<long double>(N + 1) *
                                  (4.0L * k * N - 3.0L * (nx * nx + ny * ny) - 2.0L * k);
        const long double vtDen = 45.0L * N * N * 4 * k;
        const double vt = double(vtNum / vtDen);
        const double tn = 1. / 6 + (t - et) / std::sqrt(45 * vt);
        p = tn < 0.003 ? 1.0 : std::max(0.0, 1. - cramerVonMisesInfCdf(tn));
    }
    if (std::isnan(p))
        return fail(Error(u"cramer_von_mises: the p-value could not be computed"_s));
    return pValueResult(p, t, p <= threshold);
}

namespace {

// k-th smallest (0-based) of the union of two sorted vectors.
double kthOfUnion(std::span<const double> a, std::span<const double> b, std::size_t k)
{
    std::size_t lo = k + 1 > b.size() ? k + 1 - b.size() : 0; // values taken from a
    std::size_t hi = std::min(k + 1, a.size());
    while (lo < hi) {
        const std::size_t i = lo + (hi - lo) / 2;
        const std::size_t j = k + 1 - i;
        if (j > 0 && i < a.size() && b[j - 1] > a[i])
            lo = i + 1;
        else
            hi = i;
    }
    const std::size_t j = k + 1 - lo;
    double v = -kInf;
    if (lo > 0)
        v = a[lo - 1];
    if (j > 0)
        v = std::max(v, b[j - 1]);
    return v;
}

// numpy.percentile(values, q, method="linear") of the pooled sorted samples.
double pooledPercentile(std::span<const double> a, std::span<const double> b, double quantile)
{
    const std::size_t n = a.size() + b.size();
    const double vi = double(n - 1) * quantile;
    if (vi >= double(n - 1))
        return kthOfUnion(a, b, n - 1);
    const auto prev = std::size_t(std::floor(vi));
    const double lower = kthOfUnion(a, b, prev);
    const double upper = kthOfUnion(a, b, prev + 1);
    const double gamma = vi - double(prev);
    const double diff = upper - lower;
    return gamma >= 0.5 ? upper - diff * (1 - gamma) : lower + diff * gamma;
}

using Matrix4 = std::array<std::array<double, 4>, 4>;

// Cyclic Jacobi eigen decomposition of a symmetric 4x4 matrix: a = V diag(values) V^T.
void symmetricEigen(Matrix4 a, std::array<double, 4> &values, Matrix4 &vectors)
{
    vectors = {};
    for (int i = 0; i < 4; ++i)
        vectors[i][i] = 1;
    for (int sweep = 0; sweep < 100; ++sweep) {
        double off = 0;
        for (int p = 0; p < 4; ++p)
            for (int q = p + 1; q < 4; ++q)
                off += a[p][q] * a[p][q];
        if (off == 0 || !std::isfinite(off))
            break;
        for (int p = 0; p < 4; ++p)
            for (int q = p + 1; q < 4; ++q) {
                if (a[p][q] == 0)
                    continue;
                const double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                const double t = std::fabs(theta) > 1e150
                                     ? 0.5 / theta
                                     : (theta >= 0 ? 1.0 : -1.0) /
                                           (std::fabs(theta) + std::sqrt(theta * theta + 1));
                const double c = 1 / std::sqrt(t * t + 1);
                const double s = t * c;
                for (int k = 0; k < 4; ++k) { // A <- A J
                    const double akp = a[k][p], akq = a[k][q];
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for (int k = 0; k < 4; ++k) { // A <- J^T A
                    const double apk = a[p][k], aqk = a[q][k];
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                a[p][q] = a[q][p] = 0;
                for (int k = 0; k < 4; ++k) {
                    const double vkp = vectors[k][p], vkq = vectors[k][q];
                    vectors[k][p] = c * vkp - s * vkq;
                    vectors[k][q] = s * vkp + c * vkq;
                }
            }
    }
    for (int i = 0; i < 4; ++i)
        values[i] = a[i][i];
}

struct EsFeatures
{
    std::array<double, 4> mean{};
    Matrix4 cov{}; // np.cov(g.T, bias=True)
};

EsFeatures esFeatures(std::span<const double> x, const std::array<double, 2> &ts)
{
    const std::size_t n = x.size();
    std::array<std::vector<double>, 4> rows; // cos(t0 x), cos(t1 x), sin(t0 x), sin(t1 x)
    for (auto &row : rows)
        row.resize(n);
    for (std::size_t l = 0; l < n; ++l) {
        rows[0][l] = std::cos(ts[0] * x[l]);
        rows[1][l] = std::cos(ts[1] * x[l]);
        rows[2][l] = std::sin(ts[0] * x[l]);
        rows[3][l] = std::sin(ts[1] * x[l]);
    }
    EsFeatures f;
    for (int j = 0; j < 4; ++j) {
        f.mean[j] = numpyMean(rows[j]);
        for (double &v : rows[j])
            v -= f.mean[j];
    }
    const double invN = 1.0 / double(n);
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j <= i; ++j) {
            double s = 0; // reference BLAS dsyrk: a sequential dot product
            for (std::size_t l = 0; l < n; ++l)
                s = s + rows[i][l] * rows[j][l];
            f.cov[i][j] = f.cov[j][i] = s * invN;
        }
    return f;
}

} // namespace

// scipy.stats.epps_singleton_2samp(ref, cur, t=(0.4, 0.8)); refused when the pooled IQR is 0
Result<TestResult> eppsSingleton(const SortedSample &ref, const SortedSample &cur, double threshold)
{
    if (auto valid = checkSamples(ref, cur, u"es"_s); !valid)
        return fail(valid.error());
    const std::size_t nx = ref.sorted.size(), ny = cur.sorted.size();
    if (nx < 5 || ny < 5)
        return fail(Error(u"es needs at least five values in each sample (scipy raises)"_s));
    const double iqr = pooledPercentile(ref.sorted, cur.sorted, 0.75) -
                       pooledPercentile(ref.sorted, cur.sorted, 0.25);
    if (iqr == 0)
        return fail(
            Error(u"es: the interquartile range of the pooled samples is 0 (Evidently raises)"_s)
                .withHint(
                    u"use a test that handles constant or heavily tied data, such as wasserstein"_s));
    const double sigma = iqr / 2;
    const std::array<double, 2> ts = {0.4 / sigma, 0.8 / sigma};
    const EsFeatures fx = esFeatures(ref.values, ts);
    const EsFeatures fy = esFeatures(cur.values, ts);
    const double n = double(nx + ny);
    Matrix4 cov{};
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            cov[i][j] = (n / double(nx)) * fx.cov[i][j] + (n / double(ny)) * fy.cov[i][j];
    // np.linalg.pinv (rcond 1e-15 of the largest singular value) and matrix_rank of the result.
    std::array<double, 4> lambda{};
    Matrix4 V{};
    symmetricEigen(cov, lambda, V);
    double largest = 0, smallest = kInf;
    for (double l : lambda) {
        largest = std::max(largest, std::fabs(l));
        smallest = std::min(smallest, std::fabs(l));
    }
    // A (numerically) singular estimate: scipy still inverts it, keeping or dropping noise-level
    // eigenvalues at random, and its statistic is then dominated by rounding error.
    if (largest <= 1e-10)
        return fail(
            Error(u"es: neither sample varies (the test's covariance estimate is zero)"_s)
                .withHint(u"use a test that handles constant samples, such as wasserstein"_s));
    if (smallest < 1e-10 * largest)
        return fail(Error(u"es: the test's covariance estimate is singular for these values (too "
                          u"few distinct "
                          u"values), so scipy's statistic would be rounding noise"_s)
                        .withHint(u"use ks, wasserstein or a categorical test for such columns"_s));
    Matrix4 pinv{};
    for (int e = 0; e < 4; ++e) {
        if (!(std::fabs(lambda[e]) > 1e-15 * largest))
            continue;
        for (int i = 0; i < 4; ++i)
            for (int j = 0; j < 4; ++j)
                pinv[i][j] += V[i][e] * V[j][e] / lambda[e];
    }
    std::array<double, 4> mu{};
    Matrix4 W{};
    symmetricEigen(pinv, mu, W);
    double muMax = 0;
    for (double m : mu)
        muMax = std::max(muMax, std::fabs(m));
    int rank = 0;
    for (double m : mu)
        rank += std::fabs(m) > muMax * 4 * std::numeric_limits<double>::epsilon() ? 1 : 0;
    std::array<double, 4> gDiff{};
    for (int j = 0; j < 4; ++j)
        gDiff[j] = fx.mean[j] - fy.mean[j];
    std::array<double, 4> pg{};
    for (int i = 0; i < 4; ++i) {
        double s = 0;
        for (int j = 0; j < 4; ++j)
            s = s + pinv[i][j] * gDiff[j];
        pg[i] = s;
    }
    double quad = 0;
    for (int j = 0; j < 4; ++j)
        quad = quad + gDiff[j] * pg[j];
    double w = n * quad;
    if (std::max(nx, ny) < 25) {
        const double corr =
            1.0 / (1.0 + std::pow(n, -0.45) +
                   10.1 * (std::pow(double(nx), -1.7) + std::pow(double(ny), -1.7)));
        w = corr * w;
    }
    const double p = chi2Sf(w, rank);
    if (std::isnan(p))
        return fail(Error(u"es: the statistic is undefined for these samples (scipy gives NaN)"_s));
    return pValueResult(p, w, p < threshold);
}

namespace {

// scipy.special.binom for integer arguments (the product formula).
double binomial(std::int64_t n, std::int64_t k)
{
    if (k > n / 2)
        k = n - k;
    double num = 1.0, den = 1.0;
    for (std::int64_t i = 1; i < 1 + k; ++i) {
        num *= double(i + n - k);
        den *= double(i);
        if (std::fabs(num) > 1e50) {
            num /= den;
            den = 1.0;
        }
    }
    return num / den;
}

// P(U <= k) for the Mann-Whitney U of samples of sizes m and n without ties: the coefficients
// of the Gaussian binomial [m + n choose m]_q (what scipy's _MWU recursion counts), up to the
// shorter tail.
double mannWhitneyExactCdf(std::int64_t k, std::int64_t m, std::int64_t n)
{
    const std::int64_t total = m * n;
    if (k < 0)
        return 0;
    if (k >= total)
        return 1;
    if (m > n)
        std::swap(m, n);
    const bool upper = k > total - k - 1;
    const std::int64_t K = upper ? total - k - 1 : k;
    std::vector<double> c(std::size_t(K + 1), 0.0);
    c[0] = 1;
    for (std::int64_t i = 1; i <= m; ++i) // prod 1 / (1 - q^i)
        for (std::int64_t j = i; j <= K; ++j)
            c[std::size_t(j)] += c[std::size_t(j - i)];
    for (std::int64_t i = 1; i <= m; ++i) // prod (1 - q^(n + i))
        for (std::int64_t j = K; j >= n + i; --j)
            c[std::size_t(j)] -= c[std::size_t(j - n - i)];
    double sum = 0;
    for (double v : c)
        sum += v;
    const double cdf = sum / binomial(m + n, m);
    return upper ? 1 - cdf : cdf;
}

} // namespace

// scipy.stats.mannwhitneyu(ref, cur, alternative="less"), method "auto": exact when one sample
// has at most 8 values and there are no ties, else normal with tie and continuity corrections.
Result<TestResult> mannWhitney(const SortedSample &ref, const SortedSample &cur, double threshold)
{
    if (auto valid = checkSamples(ref, cur, u"mannw"_s); !valid)
        return fail(valid.error());
    const auto n1 = std::int64_t(ref.sorted.size());
    const auto n2 = std::int64_t(cur.sorted.size());
    double R1 = 0; // half-integers below 2^52: exact in any order
    bool ties = false;
    std::uint64_t tieTerm = 0; // numpy int64 arithmetic (wraps like numpy)
    forEachDistinct(ref.sorted, cur.sorted,
                    [&](double, std::size_t rb, std::size_t rc, std::size_t cb, std::size_t cc) {
                        const std::uint64_t c = rc + cc;
                        const std::uint64_t start = rb + cb;
                        R1 += double(rc) * (.5 * double((start + c) + start + 1));
                        ties = ties || c > 1;
                        tieTerm += c * c * c - c;
                    });
    const double U1 = R1 - double(n1 * (n1 + 1)) / 2;
    const double U2 = double(n1 * n2) - U1;
    double p;
    if (!(n1 > 8 && n2 > 8) && !ties) {
        p = mannWhitneyExactCdf(n1 * n2 - std::int64_t(U2), n1, n2);
    } else {
        const double mu = double(n1 * n2) / 2;
        const std::int64_t n = n1 + n2;
        const double s =
            std::sqrt(double(n1 * n2) / 12 *
                      (double(n + 1) - double(std::int64_t(tieTerm)) / double(n * (n - 1))));
        const double z = (U2 - mu - 0.5) / s;
        p = normalSf(z);
    }
    p = std::clamp(p, 0.0, 1.0);
    return pValueResult(p, U1, p < threshold);
}

namespace {

// k-th smallest (0-based) of value(i, j) over i, j < n without storing the n*n values: a radix
// select on the order keys, 16 bits per pass.
template<typename Value>
double kthSmallestOfGrid(std::size_t n, std::uint64_t k, Value &&value)
{
    std::uint64_t prefix = 0;
    std::vector<std::uint64_t> hist(65536);
    for (int pass = 0; pass < 4; ++pass) {
        const int shift = 48 - 16 * pass;
        std::fill(hist.begin(), hist.end(), 0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                const std::uint64_t key = orderKey(value(i, j));
                if (pass == 0 || (key >> (shift + 16)) == (prefix >> (shift + 16)))
                    ++hist[(key >> shift) & 0xffff];
            }
        for (std::uint64_t bucket = 0; bucket < 65536; ++bucket) {
            if (k < hist[bucket]) {
                prefix |= bucket << shift;
                break;
            }
            k -= hist[bucket];
        }
    }
    return fromOrderKey(prefix);
}

} // namespace

// The oracle's t_mmd (Evidently's mmd_stattest with np.random.seed(0)).
Result<TestResult> empiricalMmd(std::span<const double> ref, std::span<const double> cur,
                                double threshold)
{
    if (auto valid = checkRowSamples(ref, cur, u"empirical_mmd"_s); !valid)
        return fail(valid.error());
    const std::size_t nx = ref.size(), ny = cur.size(), N = nx + ny;
    if (N > 5000)
        return fail(
            Error(u"empirical_mmd builds an N x N kernel; N = %1 > 5000 values is refused"_s.arg(N))
                .withHint(u"sample the column down, or use wasserstein or ks"_s));
    if (nx < 2 || ny < 2)
        return fail(Error(
            u"empirical_mmd needs at least two values in each sample (its statistic is NaN)"_s));
    std::vector<double> v(ref.begin(), ref.end());
    v.insert(v.end(), cur.begin(), cur.end());
    // sq(a, b) = (b**2).T - 2 * np.dot(a, b.T) + a**2, entry (p, q)
    const auto D = [&v](std::size_t p, std::size_t q) {
        return (v[q] * v[q] - 2 * (v[p] * v[q])) + v[p] * v[p];
    };
    // sigma: 0.5 * percentile(dxx, 50, method="nearest"), then ** 0.5
    const auto medianIndex = std::uint64_t(std::nearbyint(double(nx * nx - 1) * 0.5));
    const double median = kthSmallestOfGrid(nx, medianIndex, D);
    double sigma = std::pow(0.5 * median, 0.5);
    if (sigma == 0)
        sigma = std::pow(0.5 * 1, 0.5);
    if (!std::isfinite(sigma))
        return fail(
            Error(u"empirical_mmd: the median heuristic gives no kernel width for these values"_s));
    const double gamma = 1.0 / (2.0 * std::pow(sigma, 2.0));
    // K with a zero diagonal; entry (p, q) and (q, p) computed once (numpy's two orientations of
    // the within-sample blocks differ only in rounding).
    std::vector<double> K(N * N, 0.0);
    for (std::size_t p = 0; p < N; ++p)
        for (std::size_t q = p + 1; q < N; ++q)
            K[p * N + q] = K[q * N + p] = std::exp(-gamma * D(p, q));
    std::vector<long double> colSum(N, 0.0L);
    for (std::size_t p = 0; p < N; ++p)
        for (std::size_t q = 0; q < N; ++q)
            colSum[q] += K[p * N + q];

    // mmd2 for the split "inX": K[X,X] / (nx (nx-1)) + K[Y,Y] / (ny (ny-1)) - 2 mean(K[Y,X]).
    // The rows of the smaller side are accumulated in index order, so that equal splits give
    // bit-identical statistics.
    std::vector<double> rows(N);
    std::vector<char> inX(N);
    auto mmd2 = [&](double &scale) {
        const bool fromX = nx <= ny;
        std::fill(rows.begin(), rows.end(), 0.0);
        for (std::size_t p = 0; p < N; ++p) {
            if (bool(inX[p]) != fromX)
                continue;
            const double *row = K.data() + p * N;
            for (std::size_t q = 0; q < N; ++q)
                rows[q] += row[q];
        }
        long double sxx = 0, syy = 0, syx = 0;
        for (std::size_t q = 0; q < N; ++q) {
            // rows[q]: column q summed over the rows of one side; colSum[q] - rows[q]: the other
            // side
            const long double own = rows[q];
            const long double other = colSum[q] - own;
            const long double fromXRows = fromX ? own : other;
            const long double fromYRows = fromX ? other : own;
            if (inX[q]) {
                sxx += fromXRows;
                syx += fromYRows;
            } else {
                syy += fromYRows;
            }
        }
        const double xx = double(sxx / ((long double)(nx) * (nx - 1)));
        const double yy = double(syy / ((long double)(ny) * (ny - 1)));
        const double yx = double(syx / ((long double)(ny)*nx));
        scale = xx + yy + 2.0 * yx;
        return xx + yy - 2.0 * yx;
    };
    std::fill(inX.begin(), inX.begin() + std::ptrdiff_t(nx), char(1));
    double scale = 0;
    const double observed = mmd2(scale);
    if (!std::isfinite(observed))
        return fail(
            Error(
                u"empirical_mmd: the kernel overflows for these values (their differences are lost "
                u"to rounding at their magnitude; the oracle's statistic is NaN)"_s)
                .withHint(u"center or rescale the column, or use wasserstein"_s));
    // p = mean(observed <= permuted) over 100 permutations; a permuted statistic that equals the
    // observed one mathematically counts (numpy's own rounding decides those ties at random).
    NumpyRandomState rng(0);
    int notSmaller = 0;
    for (int it = 0; it < 100; ++it) {
        const std::vector<std::int64_t> perm = rng.permutation(std::int64_t(N));
        std::fill(inX.begin(), inX.end(), char(0));
        for (std::size_t r = 0; r < nx; ++r)
            inX[std::size_t(perm[r])] = 1;
        double permScale = 0;
        const double permuted = mmd2(permScale);
        if (observed <= permuted + 1e-9 * std::max(scale, permScale))
            ++notSmaller;
    }
    const double p = double(notSmaller) / 100.0;
    return pValueResult(p, observed, p < threshold);
}

// ---- convenience overloads: sort here -------------------------------------------------------

Result<TestResult> ks(std::span<const double> ref, std::span<const double> cur, double threshold)
{
    return ks(sortSample(ref), sortSample(cur), threshold);
}

Result<TestResult> wasserstein(std::span<const double> ref, std::span<const double> cur,
                               double threshold)
{
    // The extremes show whether every value is finite: no separate pass to check.
    const Extremes e = extremes(ref, cur);
    if (ref.empty() || cur.empty() || e.nan || !std::isfinite(e.lo) || !std::isfinite(e.hi)) {
        if (auto valid = checkRowSamples(ref, cur, u"wasserstein"_s); !valid)
            return fail(valid.error());
    }
    return normedWasserstein(wassersteinUnsorted(ref, cur, e.lo, e.hi), ref, threshold);
}

Result<TestResult> anderson(std::span<const double> ref, std::span<const double> cur,
                            double threshold)
{
    return anderson(sortSample(ref), sortSample(cur), threshold);
}

Result<TestResult> cramerVonMises(std::span<const double> ref, std::span<const double> cur,
                                  double threshold)
{
    return cramerVonMises(sortSample(ref), sortSample(cur), threshold);
}

Result<TestResult> energyDistance(std::span<const double> ref, std::span<const double> cur,
                                  double threshold)
{
    return energyDistance(sortSample(ref), sortSample(cur), threshold);
}

Result<TestResult> eppsSingleton(std::span<const double> ref, std::span<const double> cur,
                                 double threshold)
{
    return eppsSingleton(sortSample(ref), sortSample(cur), threshold);
}

Result<TestResult> mannWhitney(std::span<const double> ref, std::span<const double> cur,
                               double threshold)
{
    return mannWhitney(sortSample(ref), sortSample(cur), threshold);
}

Result<TestResult> tTest(const SortedSample &ref, const SortedSample &cur, double threshold)
{
    return tTest(ref.values, cur.values, threshold);
}

Result<TestResult> empiricalMmd(const SortedSample &ref, const SortedSample &cur, double threshold)
{
    return empiricalMmd(ref.values, cur.values, threshold);
}

} // namespace cairn::drift
