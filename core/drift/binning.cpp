// Evidently's binned distances (psi, kl_div, jensenshannon, hellinger) over its binning
// (utils.get_binned_data), with numpy 1.24's Sturges edges and histogram counts and scipy
// 1.10's entropy and jensenshannon, as tools/drift_oracle.py computes them.

#include "numpyrandom.h"
#include "stattests.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>

using namespace Qt::StringLiterals;

namespace cairn::drift {

namespace {

// scipy.special.rel_entr
double relEntr(double x, double y)
{
    if (std::isnan(x) || std::isnan(y))
        return std::numeric_limits<double>::quiet_NaN();
    if (x > 0 && y > 0)
        return x * std::log(x / y);
    if (x == 0 && y >= 0)
        return 0;
    return std::numeric_limits<double>::infinity();
}

// x / np.sum(x)
std::vector<double> normalised(std::vector<double> x)
{
    const double sum = numpySum(x);
    for (double &v : x)
        v /= sum;
    return x;
}

TestResult distanceResult(double score, double threshold)
{
    TestResult r;
    r.score = score;
    r.drifted = score >= threshold;
    return r;
}

// numpy.histogram_bin_edges(a, bins="sturges") from the sample's size, minimum and maximum:
// width = ptp / (log2(n) + 1), ceil(ptp / width) bins, edges by np.linspace.
std::vector<double> sturgesFromRange(std::size_t n, double lo, double hi)
{
    if (n == 0) {
        lo = 0; // numpy's range for an empty array
        hi = 1;
    }
    const double ptp = hi - lo;
    if (!std::isfinite(ptp)) // the range overflows: one bin (numpy raises; drift.cpp refuses first)
        return {lo, hi};
    if (lo == hi) {
        lo -= 0.5;
        hi += 0.5;
    }
    std::size_t bins = 1;
    if (n > 0) {
        const double width = ptp / (std::log2(static_cast<double>(n)) + 1.0);
        if (width != 0)
            bins = static_cast<std::size_t>(std::ceil((hi - lo) / width));
    }
    // np.linspace(lo, hi, bins + 1): i * step + lo (i / bins * delta + lo when the step
    // underflows to 0), the last edge exactly hi.
    std::vector<double> edges;
    edges.reserve(bins + 1);
    const double delta = hi - lo;
    const double step = delta / static_cast<double>(bins);
    for (std::size_t i = 0; i < bins; ++i) {
        const double x = static_cast<double>(i);
        edges.push_back(step == 0 ? x / static_cast<double>(bins) * delta + lo : x * step + lo);
    }
    edges.push_back(hi);
    return edges;
}

// Widens [lo, hi] to the values' minimum and maximum (branch-free, four lanes).
void extendRange(std::span<const double> values, double &lo, double &hi)
{
    std::array<double, 4> mins{lo, lo, lo, lo};
    std::array<double, 4> maxs{hi, hi, hi, hi};
    std::size_t i = 0;
    for (; i + 4 <= values.size(); i += 4) {
        for (std::size_t j = 0; j < 4; ++j) {
            mins[j] = std::min(mins[j], values[i + j]);
            maxs[j] = std::max(maxs[j], values[i + j]);
        }
    }
    for (; i < values.size(); ++i) {
        mins[0] = std::min(mins[0], values[i]);
        maxs[0] = std::max(maxs[0], values[i]);
    }
    lo = std::min(std::min(mins[0], mins[1]), std::min(mins[2], mins[3]));
    hi = std::max(std::max(maxs[0], maxs[1]), std::max(maxs[2], maxs[3]));
}

// Counts of a few distinct values (pandas' value_counts): an open-addressing table on the
// values' bits, so a million values are counted in a few milliseconds. 0.0 and -0.0 are one
// value, as in pandas.
class FewValues
{
public:
    static constexpr std::size_t Limit = 20; // Evidently: more distinct values get Sturges bins

    // The slot of `v`, adding it if `add`; -1 if absent (or if adding would exceed Limit).
    int find(double v, bool add)
    {
        const std::uint64_t bits = std::bit_cast<std::uint64_t>(v == 0 ? 0.0 : v);
        std::size_t h = static_cast<std::size_t>((bits * 0x9e3779b97f4a7c15ULL) >> 58);
        for (;; h = (h + 1) % Slots) {
            if (m_index[h] < 0) {
                if (!add || keys.size() == Limit)
                    return -1;
                m_bits[h] = bits;
                m_index[h] = static_cast<int>(keys.size());
                keys.push_back(v == 0 ? 0.0 : v);
                counts.push_back(0);
                return m_index[h];
            }
            if (m_bits[h] == bits)
                return m_index[h];
        }
    }

    std::vector<double> keys; // in order of appearance
    std::vector<double> counts;

private:
    static constexpr std::size_t Slots = 64;
    std::array<std::uint64_t, Slots> m_bits{};
    std::array<int, Slots> m_index = [] {
        std::array<int, Slots> a{};
        a.fill(-1);
        return a;
    }();
};

// value_counts() of both samples over the union of their values, in ascending order, when the
// reference has at most FewValues::Limit distinct values; nothing otherwise. Values only in
// the current sample (there may be many) are sorted and counted separately.
struct DistinctCounts
{
    std::vector<double> ref;
    std::vector<double> cur;
};

std::optional<DistinctCounts> distinctCounts(std::span<const double> ref,
                                             std::span<const double> cur)
{
    FewValues table;
    for (const double v : ref) {
        const int i = table.find(v, true);
        if (i < 0)
            return std::nullopt;
        table.counts[static_cast<std::size_t>(i)] += 1;
    }
    std::vector<double> curCounts(table.keys.size(), 0.0);
    std::vector<double> others;
    for (const double v : cur) {
        const int i = table.find(v, false);
        if (i >= 0)
            curCounts[static_cast<std::size_t>(i)] += 1;
        else
            others.push_back(v);
    }
    std::sort(others.begin(), others.end());
    std::vector<std::size_t> order(table.keys.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(),
              [&table](std::size_t a, std::size_t b) { return table.keys[a] < table.keys[b]; });

    DistinctCounts d; // merge the reference's keys with the other values, both sorted
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < order.size() || j < others.size()) {
        if (j == others.size() || (i < order.size() && table.keys[order[i]] < others[j])) {
            d.ref.push_back(table.counts[order[i]]);
            d.cur.push_back(curCounts[order[i]]);
            ++i;
        } else {
            std::size_t k = j + 1;
            while (k < others.size() && others[k] == others[j])
                ++k;
            d.ref.push_back(0);
            d.cur.push_back(static_cast<double>(k - j));
            j = k;
        }
    }
    return d;
}

std::vector<double> shares(std::vector<double> counts, double n)
{
    for (double &c : counts)
        c /= n;
    return counts;
}

// The Bhattacharyya coefficient turned into Evidently's Hellinger distance.
double hellingerFromCoefficient(double bc)
{
    return std::sqrt(1 - std::clamp(bc, 0.0, 1.0));
}

} // namespace

std::vector<double> sturgesEdges(std::span<const double> values)
{
    if (values.empty())
        return sturgesFromRange(0, 0, 1);
    double lo = values.front();
    double hi = values.front();
    extendRange(values, lo, hi);
    return sturgesFromRange(values.size(), lo, hi);
}

std::vector<double> histogramCounts(std::span<const double> values, std::span<const double> edges)
{
    // np.histogram(values, bins=edges): bin i holds edges[i] <= x < edges[i + 1], the last bin
    // also x == edges[-1], values outside are dropped (numpy's searchsorted path). The bin is
    // first estimated as for uniform edges, then corrected against the edges themselves.
    if (edges.size() < 2)
        return {};
    const std::size_t bins = edges.size() - 1;
    const auto lastBin = static_cast<std::int64_t>(bins) - 1;
    std::vector<std::uint64_t> counts(bins, 0);
    const double first = edges.front();
    const double last = edges.back();
    const double norm = static_cast<double>(bins) / (last - first);
    for (const double x : values) {
        if (!(x >= first && x <= last))
            continue;
        const double estimate = (x - first) * norm; // NaN if the edges are all equal
        std::int64_t i =
            estimate < static_cast<double>(bins) ? static_cast<std::int64_t>(estimate) : lastBin;
        if (x < edges[static_cast<std::size_t>(i)])
            --i; // i > 0 here, since x >= edges[0]
        else if (i < lastBin && x >= edges[static_cast<std::size_t>(i + 1)])
            ++i;
        if (x < edges[static_cast<std::size_t>(i)] ||
            (i < lastBin && x >= edges[static_cast<std::size_t>(i + 1)])) {
            // far from uniform edges: search
            const auto it = std::upper_bound(edges.begin(), edges.end() - 1, x);
            i = (it - edges.begin()) - 1;
        }
        ++counts[static_cast<std::size_t>(i)];
    }
    return std::vector<double>(counts.begin(), counts.end());
}

Binned binNumeric(std::span<const double> ref, std::span<const double> cur)
{
    Binned b;
    const double nRef = static_cast<double>(ref.size());
    const double nCur = static_cast<double>(cur.size());
    std::optional<DistinctCounts> distinct = distinctCounts(ref, cur);
    if (!distinct) {
        // Sturges edges over ref + cur together.
        double lo = std::numeric_limits<double>::infinity();
        double hi = -lo;
        extendRange(ref, lo, hi);
        extendRange(cur, lo, hi);
        const std::vector<double> edges = sturgesFromRange(ref.size() + cur.size(), lo, hi);
        b.ref = shares(histogramCounts(ref, edges), nRef);
        b.cur = shares(histogramCounts(cur, edges), nCur);
        b.mode = u"sturges_combined(%1 bins)"_s.arg(edges.size() - 1);
    } else {
        b.mode = u"distinct_values(%1 keys)"_s.arg(distinct->ref.size());
        b.ref = shares(std::move(distinct->ref), nRef);
        b.cur = shares(std::move(distinct->cur), nCur);
    }
    return b;
}

Binned binCategorical(const CategoricalSample &s)
{
    Binned b;
    const double nRef = s.nRef();
    const double nCur = s.nCur();
    const std::size_t n = std::min(s.refCounts.size(), s.curCounts.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (s.refCounts[i] == 0 && s.curCounts[i] == 0)
            continue; // not a value of either sample
        b.ref.push_back(s.refCounts[i] / nRef);
        b.cur.push_back(s.curCounts[i] / nCur);
    }
    b.mode = u"distinct_values(%1 keys)"_s.arg(b.ref.size());
    return b;
}

void fillZeroes(std::vector<double> &shares)
{
    double smallest = std::numeric_limits<double>::infinity();
    for (const double v : shares) {
        if (v != 0)
            smallest = std::min(smallest, v);
    }
    if (smallest == std::numeric_limits<double>::infinity())
        return; // nothing but zeros: the oracle leaves them
    const double fill = smallest <= 0.0001 ? smallest / 1e6 : 0.0001;
    for (double &v : shares) {
        if (v == 0)
            v = fill;
    }
}

TestResult psi(const Binned &b, double threshold)
{
    std::vector<double> r = b.ref;
    std::vector<double> c = b.cur;
    fillZeroes(r);
    fillZeroes(c);
    std::vector<double> terms(r.size());
    for (std::size_t i = 0; i < r.size(); ++i)
        terms[i] = (r[i] - c[i]) * std::log(r[i] / c[i]);
    return distanceResult(numpySum(terms), threshold);
}

TestResult klDivergence(const Binned &b, double threshold)
{
    std::vector<double> r = b.ref;
    std::vector<double> c = b.cur;
    fillZeroes(r);
    fillZeroes(c);
    // scipy.stats.entropy(pk, qk): both renormalised, then sum(rel_entr(pk, qk)).
    const std::vector<double> pk = normalised(std::move(r));
    const std::vector<double> qk = normalised(std::move(c));
    std::vector<double> terms(pk.size());
    for (std::size_t i = 0; i < pk.size(); ++i)
        terms[i] = relEntr(pk[i], qk[i]);
    return distanceResult(numpySum(terms), threshold);
}

TestResult jensenShannon(const Binned &b, double threshold)
{
    // scipy.spatial.distance.jensenshannon(p, q, base=None)
    const std::vector<double> p = normalised(b.ref);
    const std::vector<double> q = normalised(b.cur);
    std::vector<double> left(p.size());
    std::vector<double> right(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
        const double m = (p[i] + q[i]) / 2.0;
        left[i] = relEntr(p[i], m);
        right[i] = relEntr(q[i], m);
    }
    const double js = numpySum(left) + numpySum(right);
    return distanceResult(std::sqrt(js / 2.0), threshold);
}

TestResult hellingerNumeric(std::span<const double> ref, std::span<const double> cur,
                            double threshold)
{
    // hellinger_distance.py: Sturges edges over the distinct values of both samples, density
    // histograms, sum(sqrt(h1 * h2)) times the mean bin width.
    std::vector<double> all(ref.begin(), ref.end());
    all.insert(all.end(), cur.begin(), cur.end());
    std::sort(all.begin(), all.end());
    const std::size_t distinct =
        static_cast<std::size_t>(std::unique(all.begin(), all.end()) - all.begin());
    const std::vector<double> edges =
        all.empty() ? sturgesEdges({}) : sturgesFromRange(distinct, all.front(), all[distinct - 1]);

    const auto density = [&edges](std::span<const double> values) {
        std::vector<double> h = histogramCounts(values, edges);
        double total = 0; // np.sum of integer counts: exact
        for (const double c : h)
            total += c;
        for (std::size_t i = 0; i < h.size(); ++i)
            h[i] = h[i] / (edges[i + 1] - edges[i]) / total;
        return h;
    };
    const std::vector<double> h1 = density(ref);
    const std::vector<double> h2 = density(cur);
    std::vector<double> roots(h1.size());
    for (std::size_t i = 0; i < h1.size(); ++i)
        roots[i] = std::sqrt(h1[i] * h2[i]);
    const double width = (edges.back() - edges.front()) / static_cast<double>(edges.size() - 1);
    return distanceResult(hellingerFromCoefficient(numpySum(roots) * width), threshold);
}

TestResult hellingerCategorical(const CategoricalSample &s, double threshold)
{
    // sum(sqrt(p * q)) over the categories, summed one after the other as Python's sum() does.
    const double nRef = s.nRef();
    const double nCur = s.nCur();
    const std::size_t n = std::min(s.refCounts.size(), s.curCounts.size());
    double bc = 0;
    for (std::size_t i = 0; i < n; ++i)
        bc += std::sqrt((s.refCounts[i] / nRef) * (s.curCounts[i] / nCur));
    return distanceResult(hellingerFromCoefficient(bc), threshold);
}

} // namespace cairn::drift
