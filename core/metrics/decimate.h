#pragma once

#include <QVector>

#include <cmath>
#include <optional>
#include <span>

// Plain functions that turn a metric series into what a line chart draws: x values for the
// chosen x axis, TensorBoard-style smoothing, and min/max decimation per pixel column, so a
// million-point series is drawn from a few thousand points and still looks exactly the same.
// No event loop, no widgets: the chart runs these on the thread pool.

namespace cairn {

inline std::span<const double> spanOf(const QVector<double> &v)
{
    return {v.constData(), static_cast<std::size_t>(v.size())};
}

// Which values count as drawable. Everything else is skipped and, between two drawable points,
// becomes a gap in the line. FinitePositive is what a logarithmic axis can show.
enum class ValueFilter
{
    Finite,
    FinitePositive
};

inline bool isDrawable(double v, ValueFilter filter)
{
    return filter == ValueFilter::Finite ? std::isfinite(v) : (std::isfinite(v) && v > 0);
}

// The points to hand to the plot, in ascending x. A NaN in `y` is a gap marker: the plot breaks
// the line there (QCustomPlot draws no segment to or from a NaN value).
struct DecimatedSeries
{
    QVector<double> x;
    QVector<double> y;
    qsizetype gaps = 0; // number of NaN gap markers in y

    qsizetype size() const { return x.size(); }
    qsizetype points() const { return x.size() - gaps; }
};

// Min/max ("M4") decimation for a line chart whose visible x range [xMin, xMax] is `columns`
// pixels wide. `x` must be ascending (ties allowed) and finite; `y` may hold NaN and inf.
// Points beyond the shorter of the two spans are ignored.
//
// For every pixel column (column k holds xMin + k·w <= x < xMin + (k+1)·w, w = (xMax−xMin) /
// columns, and x == xMax belongs to the last column) it keeps the first, the minimum, the
// maximum and the last drawable point, in x order; a column with at most 4 drawable points
// keeps all of them. The polyline through the kept points therefore covers, in every column,
// exactly the vertical extent of the full polyline, and joins neighbouring columns with the
// same segments. The nearest point outside each edge is kept too (when it is drawable), so
// lines run to the border of the plot.
//
// Non-drawable values (see ValueFilter) are skipped. A run of them between two drawable points
// becomes one NaN gap marker (x = the first skipped point's x) when it separates points that are
// kept on both sides: between columns, at the edges, and inside columns of at most 4 drawable
// points. Inside a denser column a gap narrower than the pixel is not shown; the column's
// extent is drawn whole, as the full polyline would look at that size.
//
// Output: at most 4 drawable points per column plus the 2 edge points, and at most one gap
// marker before each of them. O(log n) to find the range, then one pass over the visible points.
// Returns nothing for empty input, columns < 1, or xMin > xMax (or NaN bounds); xMin == xMax is
// one column.
DecimatedSeries decimateMinMax(std::span<const double> x, std::span<const double> y, double xMin,
                               double xMax, int columns, ValueFilter filter = ValueFilter::Finite);

// Debiased exponential moving average, as TensorBoard and MLflow smooth metric charts:
//   last = last·w + (1−w)·v,   smoothed = last / (1 − w^k)
// where k counts the finite values so far (so the first finite value is returned as is).
// Non-finite values (NaN, ±inf) pass through unchanged and do not advance k. weight <= 0 (or
// NaN) returns the input; weight is capped at 0.999. Like TensorBoard, a series whose finite
// values are all equal is returned unchanged (no rounding noise on a flat line).
QVector<double> emaSmooth(std::span<const double> y, double weight);

// What the chart's x axis shows.
enum class XAxisMode
{
    Step,         // the step, as logged
    WallTime,     // seconds since the epoch (for QCPAxisTickerDateTime)
    RelativeTime, // seconds since the series' earliest timestamp, so it starts at 0
};

// The x value of every point of a series for `mode`. Step returns `steps` itself (shared, no
// copy); the time modes convert `timestampsMs` (ms since the epoch). Non-finite timestamps
// stay NaN. The result may be unsorted (wall time in step order need not ascend): check with
// isAscending() and reorder with ascendingOrder().
QVector<double> xValues(XAxisMode mode, const QVector<double> &steps,
                        const QVector<double> &timestampsMs);

// True when every x is finite and x[i] <= x[i+1].
bool isAscending(std::span<const double> x);

// The indices of the finite x values in ascending x order; ties keep their original order.
QVector<qsizetype> ascendingOrder(std::span<const double> x);

// v[order[0]], v[order[1]], ...
QVector<double> permuted(std::span<const double> v, const QVector<qsizetype> &order);

// The index of the drawable point (by `filter`) whose x is nearest to `key`, for a hover
// read-out; the earlier one on a tie. `x` ascending. -1 when there is none.
qsizetype nearestPoint(std::span<const double> x, std::span<const double> y, double key,
                       ValueFilter filter = ValueFilter::Finite);

// Lowest and highest drawable y among the points with xMin <= x <= xMax (`x` ascending).
struct ValueRange
{
    double min = 0;
    double max = 0;
};
std::optional<ValueRange> valueRange(std::span<const double> x, std::span<const double> y,
                                     double xMin, double xMax,
                                     ValueFilter filter = ValueFilter::Finite);

// How many finite values are <= 0, i.e. cannot be shown on a logarithmic axis.
qsizetype countNonPositive(std::span<const double> y);

} // namespace cairn
