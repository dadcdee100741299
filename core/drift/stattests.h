#pragma once

// Evidently's tabular drift tests, implemented in C++ with the semantics of
// evidentlyai/evidently@a4aa4c2b (src/evidently/legacy/calculations/stattests/) on top of
// numpy 1.24 / scipy 1.10 behaviour, and checked number by number against
// tools/drift_oracle.py. See ../shared/research/drift.md for the reading of the sources.
//
// Every test takes the cleaned samples (NaN and infinities already removed, both non-empty)
// and a threshold, and returns the drift score Evidently reports (a p-value for p-value tests,
// else the distance) and whether it means drift, using the test's own comparison. A test that
// Evidently would refuse (g_test with unequal sizes, fisher_exact on more than two categories,
// es on a zero IQR, ...) returns an Error saying so, never a made-up number.

#include "common/error.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace cairn::drift {

struct TestResult
{
    double score = 0;                // what Evidently calls drift_score
    std::optional<double> statistic; // the test statistic, when the test has one
    std::optional<double> pValue;    // for p-value tests (== score)
    bool drifted = false;
};

// A categorical column (or a numeric one treated as categorical): the categories of both
// samples, sorted as Python sorts them (numbers numerically, strings by code point), and each
// sample's counts aligned with them. `refCodes`/`curCodes` give each row's category index, in
// row order; only the permutation tests (TVD) need them.
struct CategoricalSample
{
    std::vector<double> refCounts;
    std::vector<double> curCounts;
    std::vector<std::int32_t> refCodes;
    std::vector<std::int32_t> curCodes;
    double nRef() const;
    double nCur() const;
};

// ---- Numeric tests (values: finite doubles, any order) -------------------------------------
// Each returns the Evidently score; thresholds and comparisons as in the table of drift.md.

// scipy.stats.ks_2samp(ref, cur) two-sided, mode "auto" (exact when max(n) <= 10000);
// drift if p <= threshold (0.05).
Result<TestResult> ks(std::span<const double> ref, std::span<const double> cur,
                      double threshold = 0.05);
// scipy.stats.wasserstein_distance / max(np.std(ref), 0.001); drift if >= threshold (0.1).
Result<TestResult> wasserstein(std::span<const double> ref, std::span<const double> cur,
                               double threshold = 0.1);
// scipy.stats.anderson_ksamp([ref, cur]) p-value (capped to [0.001, 0.25]); drift if p < threshold
// (0.1).
Result<TestResult> anderson(std::span<const double> ref, std::span<const double> cur,
                            double threshold = 0.1);
// scipy.stats.cramervonmises_2samp(method="auto"); drift if p <= threshold (0.1).
Result<TestResult> cramerVonMises(std::span<const double> ref, std::span<const double> cur,
                                  double threshold = 0.1);
// scipy.stats.energy_distance (raw units); drift if > threshold (0.1).
Result<TestResult> energyDistance(std::span<const double> ref, std::span<const double> cur,
                                  double threshold = 0.1);
// scipy.stats.epps_singleton_2samp p-value; error when the pooled IQR is 0; drift if p < threshold
// (0.05).
Result<TestResult> eppsSingleton(std::span<const double> ref, std::span<const double> cur,
                                 double threshold = 0.05);
// scipy.stats.mannwhitneyu(ref, cur, alternative="less"), method "auto"; drift if p < threshold
// (0.05).
Result<TestResult> mannWhitney(std::span<const double> ref, std::span<const double> cur,
                               double threshold = 0.05);
// scipy.stats.ttest_ind (Student, equal variances); drift if p < threshold (0.05).
Result<TestResult> tTest(std::span<const double> ref, std::span<const double> cur,
                         double threshold = 0.05);
// Evidently's empirical MMD: RBF kernel with the median heuristic, 100 permutations drawn from
// numpy's legacy RandomState seeded with 0 (the oracle's choice; Evidently leaves it unseeded);
// refused when n_ref + n_cur > 5000 (an N x N kernel); drift if p < threshold (0.1).
Result<TestResult> empiricalMmd(std::span<const double> ref, std::span<const double> cur,
                                double threshold = 0.1);

// The same tests on samples sorted once and shared (sorting dominates the cost of ks,
// wasserstein, anderson, cramer_von_mises, ed, es and mannw on large columns): sort each column
// with sortSample(), then call the overloads below. `values` is a view of the caller's data in row
// order (t_test, es and empirical_mmd sum in row order, as numpy does) and must outlive the
// SortedSample. Non-finite values make every test return an Error.
struct SortedSample
{
    std::span<const double> values; // row order, not owned
    std::span<const double> sorted; // ascending: `storage`, or borrowed (sortedSampleOf)
    std::vector<double> storage;

    SortedSample() = default;
    SortedSample(SortedSample &&) =
        default; // a moved vector keeps its buffer: `sorted` stays valid
    SortedSample &operator=(SortedSample &&) = default;
    SortedSample(const SortedSample &) = delete;
    SortedSample &operator=(const SortedSample &) = delete;
};
SortedSample sortSample(std::span<const double> values);
// Sorts `values` ascending in place with the same radix sort (NaN last, -0.0 before +0.0).
void sortInPlace(std::vector<double> &values);
// A SortedSample of values already ascending (the row order does not matter to the caller),
// borrowing them: `ascending` must outlive it.
SortedSample sortedSampleOf(std::span<const double> ascending);

Result<TestResult> ks(const SortedSample &ref, const SortedSample &cur, double threshold = 0.05);
Result<TestResult> wasserstein(const SortedSample &ref, const SortedSample &cur,
                               double threshold = 0.1);
Result<TestResult> anderson(const SortedSample &ref, const SortedSample &cur,
                            double threshold = 0.1);
Result<TestResult> cramerVonMises(const SortedSample &ref, const SortedSample &cur,
                                  double threshold = 0.1);
Result<TestResult> energyDistance(const SortedSample &ref, const SortedSample &cur,
                                  double threshold = 0.1);
Result<TestResult> eppsSingleton(const SortedSample &ref, const SortedSample &cur,
                                 double threshold = 0.05);
Result<TestResult> mannWhitney(const SortedSample &ref, const SortedSample &cur,
                               double threshold = 0.05);
Result<TestResult> tTest(const SortedSample &ref, const SortedSample &cur, double threshold = 0.05);
Result<TestResult> empiricalMmd(const SortedSample &ref, const SortedSample &cur,
                                double threshold = 0.1);

// ---- Categorical tests ---------------------------------------------------------------------

// scipy.stats.chisquare(cur_counts, ref_counts * n_cur / n_ref); a category missing from the
// reference gives statistic inf and p 0; drift if p < threshold (0.05).
Result<TestResult> chiSquare(const CategoricalSample &s, double threshold = 0.05);
// Two-proportion z-test of "first category" against the rest; drift if p < threshold (0.05).
Result<TestResult> zTest(const CategoricalSample &s, double threshold = 0.05);
// scipy.stats.power_divergence(cur_counts, ref_counts, "log-likelihood"); scipy refuses unequal
// sample sizes, and so does this; drift if p < threshold (0.1).
Result<TestResult> gTest(const CategoricalSample &s, double threshold = 0.1);
// scipy.stats.fisher_exact on Evidently's 2x2 table; refuses more than two categories and
// unequal sample sizes; drift if p < threshold (0.1).
Result<TestResult> fisherExact(const CategoricalSample &s, double threshold = 0.1);
// Total variation distance permutation test: 1000 permutations from numpy's RandomState(0)
// (reproducing Evidently's p-value exactly); drift if p < threshold (0.1).
Result<TestResult> totalVariation(const CategoricalSample &s, double threshold = 0.1);

// ---- Binned distances (numeric or categorical) ---------------------------------------------

// How Evidently bins a column for psi, kl_div and jensenshannon (utils.get_binned_data):
// numeric columns with more than 20 distinct reference values get numpy's Sturges edges over
// ref + cur together; everything else one bin per category. Shares are count / n.
struct Binned
{
    std::vector<double> ref;
    std::vector<double> cur;
    QString mode; // "sturges_combined(19 bins)" or "distinct_values(4 keys)", as the oracle says
};
Binned binNumeric(std::span<const double> ref, std::span<const double> cur);
Binned binCategorical(const CategoricalSample &s);
// Evidently's "feel_zeroes": a zero share becomes min(nonzero)/1e6 if that is <= 1e-4, else
// 1e-4 (not renormalised).
void fillZeroes(std::vector<double> &shares);

// sum((r - c) * ln(r / c)) on zero-filled bins; drift if >= threshold (0.1).
TestResult psi(const Binned &b, double threshold = 0.1);
// scipy.stats.entropy(r, c) on zero-filled bins; drift if >= threshold (0.1).
TestResult klDivergence(const Binned &b, double threshold = 0.1);
// scipy.spatial.distance.jensenshannon(r, c) (natural log) on bins without zero filling;
// drift if >= threshold (0.1).
TestResult jensenShannon(const Binned &b, double threshold = 0.1);
// Evidently's Hellinger distance: categorical from shares; numeric from density histograms
// over Sturges edges computed on the distinct values; drift if >= threshold (0.1).
TestResult hellingerNumeric(std::span<const double> ref, std::span<const double> cur,
                            double threshold = 0.1);
TestResult hellingerCategorical(const CategoricalSample &s, double threshold = 0.1);

// numpy.histogram_bin_edges(values, bins="sturges") and numpy.histogram(values, edges) counts,
// reproducing numpy's edge handling exactly.
std::vector<double> sturgesEdges(std::span<const double> values);
std::vector<double> histogramCounts(std::span<const double> values, std::span<const double> edges);

} // namespace cairn::drift
