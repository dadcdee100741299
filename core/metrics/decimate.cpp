#include "decimate.h"

#include <algorithm>
#include <array>
#include <limits>

namespace cairn {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Builds the output of decimateMinMax column by column.
class ColumnWriter
{
public:
    ColumnWriter(std::span<const double> x, std::span<const double> y, DecimatedSeries &out)
        : m_x(x)
        , m_y(y)
        , m_out(out)
    {}

    // A drawable point outside the visible range (the edges).
    void edge(qsizetype i, bool gapBefore, double gapKey)
    {
        if (gapBefore)
            gap(gapKey);
        point(i);
    }

    // A drawable point inside the range, in column `column` (columns arrive in ascending order).
    void add(int column, qsizetype i, bool gapBefore, double gapKey)
    {
        if (column != m_column) {
            flush();
            m_column = column;
            m_count = 0;
            m_first = m_min = m_max = i;
        } else {
            if (m_y[i] < m_y[m_min])
                m_min = i;
            if (m_y[i] > m_y[m_max])
                m_max = i;
        }
        if (m_count < static_cast<int>(m_kept.size()))
            m_kept[m_count] = {i, gapBefore, gapKey};
        ++m_count;
        m_last = i;
    }

    void flush()
    {
        if (m_count == 0)
            return;
        if (m_count <= static_cast<int>(m_kept.size())) {
            // Sparse column: every point and every gap between them, exactly.
            for (int k = 0; k < m_count; ++k) {
                if (m_kept[k].gapBefore)
                    gap(m_kept[k].gapKey);
                point(m_kept[k].index);
            }
        } else {
            // Dense column: first, min, max, last in x order (index order, as x ascends).
            if (m_kept[0].gapBefore)
                gap(m_kept[0].gapKey);
            const std::array<qsizetype, 4> order = {m_first, std::min(m_min, m_max),
                                                    std::max(m_min, m_max), m_last};
            qsizetype previous = -1;
            for (const qsizetype i : order) {
                if (i != previous)
                    point(i);
                previous = i;
            }
        }
        m_count = 0;
    }

private:
    struct Kept
    {
        qsizetype index = 0;
        bool gapBefore = false;
        double gapKey = 0;
    };

    void point(qsizetype i)
    {
        m_out.x.append(m_x[i]);
        m_out.y.append(m_y[i]);
        m_wroteDrawable = true;
    }
    void gap(double key)
    {
        // A gap before the first drawn point would break nothing.
        if (!m_wroteDrawable)
            return;
        m_out.x.append(key);
        m_out.y.append(kNaN);
        ++m_out.gaps;
    }

    std::span<const double> m_x;
    std::span<const double> m_y;
    DecimatedSeries &m_out;
    int m_column = -1;
    int m_count = 0;
    qsizetype m_first = 0;
    qsizetype m_min = 0;
    qsizetype m_max = 0;
    qsizetype m_last = 0;
    std::array<Kept, 4> m_kept{};
    bool m_wroteDrawable = false;
};

} // namespace

DecimatedSeries decimateMinMax(std::span<const double> x, std::span<const double> y, double xMin,
                               double xMax, int columns, ValueFilter filter)
{
    DecimatedSeries out;
    const auto n = static_cast<qsizetype>(std::min(x.size(), y.size()));
    if (n == 0 || columns < 1 || !(xMin <= xMax))
        return out;
    x = x.first(static_cast<std::size_t>(n));
    y = y.first(static_cast<std::size_t>(n));

    const qsizetype lo = std::lower_bound(x.begin(), x.end(), xMin) - x.begin();
    const qsizetype hi = std::upper_bound(x.begin() + lo, x.end(), xMax) - x.begin();
    const double width = xMax - xMin;
    const double scale = width > 0 ? columns / width : 0.0;
    const qsizetype visible = hi - lo;
    const qsizetype expected = std::min<qsizetype>(visible, 4 * qsizetype(columns)) + 4;
    out.x.reserve(expected);
    out.y.reserve(expected);

    ColumnWriter writer(x, y, out);
    if (lo > 0 && isDrawable(y[lo - 1], filter))
        writer.edge(lo - 1, false, 0);

    bool gap = false; // skipped values since the last drawable point
    double gapKey = 0;
    for (qsizetype i = lo; i < hi; ++i) {
        if (!isDrawable(y[i], filter)) {
            if (!gap)
                gapKey = x[i];
            gap = true;
            continue;
        }
        const double position = (x[i] - xMin) * scale;
        const int column = std::min(static_cast<int>(position), columns - 1);
        writer.add(column, i, gap, gapKey);
        gap = false;
    }
    writer.flush();

    if (hi < n && isDrawable(y[hi], filter))
        writer.edge(hi, gap, gapKey);
    return out;
}

QVector<double> emaSmooth(std::span<const double> y, double weight)
{
    QVector<double> out(y.begin(), y.end());
    if (!(weight > 0))
        return out;
    const double w = std::min(weight, 0.999);

    // A flat series stays flat (TensorBoard does the same).
    const auto firstFinite =
        std::find_if(y.begin(), y.end(), [](double v) { return std::isfinite(v); });
    if (firstFinite == y.end() || std::all_of(firstFinite, y.end(), [&](double v) {
            return !std::isfinite(v) || v == *firstFinite;
        }))
        return out;

    double last = 0;
    double wPow = 1; // w^k, k = finite values so far
    double *o = out.data();
    for (qsizetype i = 0; i < out.size(); ++i) {
        const double v = o[i];
        if (!std::isfinite(v))
            continue;
        last = last * w + (1 - w) * v;
        // w^k soon no longer changes 1 - w^k; stop there, or it sinks into denormals and
        // sticks at the smallest one, where every multiplication is ~30 times slower.
        wPow = wPow > 1e-30 ? wPow * w : 0.0;
        o[i] = last / (1 - wPow);
    }
    return out;
}

QVector<double> xValues(XAxisMode mode, const QVector<double> &steps,
                        const QVector<double> &timestampsMs)
{
    if (mode == XAxisMode::Step)
        return steps;
    double origin = 0;
    if (mode == XAxisMode::RelativeTime) {
        origin = std::numeric_limits<double>::infinity();
        for (const double t : timestampsMs) {
            if (std::isfinite(t))
                origin = std::min(origin, t);
        }
    }
    QVector<double> out;
    out.resize(timestampsMs.size());
    for (qsizetype i = 0; i < timestampsMs.size(); ++i) {
        const double t = timestampsMs[i];
        out[i] = std::isfinite(t) ? (t - origin) / 1000.0 : kNaN;
    }
    return out;
}

bool isAscending(std::span<const double> x)
{
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (!std::isfinite(x[i]) || (i > 0 && x[i] < x[i - 1]))
            return false;
    }
    return true;
}

QVector<qsizetype> ascendingOrder(std::span<const double> x)
{
    QVector<qsizetype> order;
    order.reserve(static_cast<qsizetype>(x.size()));
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (std::isfinite(x[i]))
            order.append(static_cast<qsizetype>(i));
    }
    std::stable_sort(order.begin(), order.end(), [&](qsizetype a, qsizetype b) {
        return x[static_cast<std::size_t>(a)] < x[static_cast<std::size_t>(b)];
    });
    return order;
}

QVector<double> permuted(std::span<const double> v, const QVector<qsizetype> &order)
{
    QVector<double> out;
    out.resize(order.size());
    for (qsizetype i = 0; i < order.size(); ++i)
        out[i] = v[static_cast<std::size_t>(order[i])];
    return out;
}

qsizetype nearestPoint(std::span<const double> x, std::span<const double> y, double key,
                       ValueFilter filter)
{
    const auto n = static_cast<qsizetype>(std::min(x.size(), y.size()));
    if (n == 0 || std::isnan(key))
        return -1;
    const qsizetype at = std::lower_bound(x.begin(), x.begin() + n, key) - x.begin();
    qsizetype right = at;
    while (right < n && !isDrawable(y[right], filter))
        ++right;
    qsizetype left = at - 1;
    while (left >= 0 && !isDrawable(y[left], filter))
        --left;
    if (left < 0)
        return right < n ? right : -1;
    if (right >= n)
        return left;
    return (key - x[left]) <= (x[right] - key) ? left : right;
}

std::optional<ValueRange> valueRange(std::span<const double> x, std::span<const double> y,
                                     double xMin, double xMax, ValueFilter filter)
{
    const auto n = static_cast<qsizetype>(std::min(x.size(), y.size()));
    const qsizetype lo = std::lower_bound(x.begin(), x.begin() + n, xMin) - x.begin();
    std::optional<ValueRange> range;
    for (qsizetype i = lo; i < n && x[i] <= xMax; ++i) {
        const double v = y[i];
        if (!isDrawable(v, filter))
            continue;
        if (!range)
            range = ValueRange{v, v};
        range->min = std::min(range->min, v);
        range->max = std::max(range->max, v);
    }
    return range;
}

qsizetype countNonPositive(std::span<const double> y)
{
    return std::count_if(y.begin(), y.end(), [](double v) { return std::isfinite(v) && v <= 0; });
}

} // namespace cairn
