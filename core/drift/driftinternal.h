#pragma once

// Pieces of the drift engine shared by its two modes (drift.cpp: Evidently's binning over both
// samples; refbinned.cpp: bins from the reference alone). Not part of the public interface.

#include "drift.h"

#include <QJsonValue>

#include <cstdint>
#include <span>
#include <vector>

namespace cairn::drift::detail {

enum class Applies
{
    Numeric,
    Categorical,
    Both,
    Any
};

struct TestInfo
{
    QStringView name;
    double threshold;
    bool pValue;
    Applies applies;
};

const TestInfo *findTest(QStringView name);
bool applies(const TestInfo &t, ColumnKind kind);
Result<void> checkTestNames(const DriftOptions &options);

// A column's values after Evidently's cleaning (±inf → NaN, dropna).
// A float column with nothing to drop is not copied: `values` then views the column's own data.
struct Cleaned
{
    bool numeric = false;            // numbers (int, float or bool) rather than text
    std::span<const double> values;  // numeric: `owned`, or the column's floats
    std::vector<double> owned;       // the values when cleaning had to convert or drop some
    std::vector<std::int32_t> codes; // text: index into the column's dictionary
    qsizetype rawRows = 0;
    qsizetype missing = 0; // NaN / missing cells (not infinities, as pandas isna)

    Cleaned() = default;
    Cleaned(Cleaned &&) = default; // a moved vector keeps its buffer: `values` stays valid
    Cleaned &operator=(Cleaned &&) = default;
    Cleaned(const Cleaned &) = delete;
    Cleaned &operator=(const Cleaned &) = delete;
    // Makes `values` a copy of its own, to reorder.
    std::vector<double> &own()
    {
        if (values.data() != owned.data() || values.size() != owned.size()) {
            owned.assign(values.begin(), values.end());
            values = owned;
        }
        return owned;
    }
};
Cleaned clean(const Column &c);
// How many distinct values a and b hold together, counted up to limit + 1.
qsizetype distinctUpTo(std::span<const double> a, std::span<const double> b, qsizetype limit);
// How a number is shown as a category: Python's repr for floats that are whole ("1.0" is shown
// as "1"), True/False for booleans.
QString numberLabel(double v, bool isBool);

// The columns both tables share, in the current table's order, minus the ignored ones.
QList<QPair<const Column *, const Column *>>
sharedColumns(const Table &reference, const Table &current, const QStringList &ignore);
// Runs `job(i)` for i in [0, n) on a pool of `threads` threads (0: all cores), reporting
// progress after each; false from `progress` cancels. Fails with "cancelled", or with the message
// of an exception a job threw (the other jobs stop).
Result<void> forEachParallel(int n, int threads, const Progress &progress,
                             const std::function<void(int)> &job);
// Evidently's dataset rule over the tested columns.
void summarise(DriftReport &report, double driftShare);

QJsonValue jsonNumber(double v);
double numberFromJson(const QJsonValue &v);

} // namespace cairn::drift::detail
