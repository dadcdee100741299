#include "sqlstore_p.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace cairn::mlflow::sql {

double metricValue(const Statement &s, int valueColumn, int isNanColumn)
{
    if ((isNanColumn >= 0 && s.int64(isNanColumn) != 0) || s.isNull(valueColumn))
        return std::numeric_limits<double>::quiet_NaN();
    const double v = s.real(valueColumn);
    if (v >= kStoredInfinity)
        return std::numeric_limits<double>::infinity();
    if (v <= -kStoredInfinity)
        return -std::numeric_limits<double>::infinity();
    return v;
}

namespace {

// MLflow's SQL store compares the stored value, which is 0 for NaN.
double rank(double value)
{
    return std::isnan(value) ? 0.0 : value;
}

} // namespace

bool isLater(const MlflowMetricPoint &a, const MlflowMetricPoint &b)
{
    if (a.step != b.step)
        return a.step > b.step;
    if (a.timestamp != b.timestamp)
        return a.timestamp > b.timestamp;
    return rank(a.value) > rank(b.value);
}

MlflowMetric &MetricSet::get(QByteArrayView key, qsizetype expectedPoints, TextCache *names)
{
    if (lastHit >= 0 && keys[lastHit] == key)
        return metrics[lastHit];
    int i = -1;
    if (!index.isEmpty()) {
        i = index.value(QByteArray::fromRawData(key.data(), key.size()), -1);
    } else {
        for (int j = 0; j < keys.size(); ++j) {
            if (keys[j] == key) {
                i = j;
                break;
            }
        }
    }
    if (i < 0) {
        i = int(metrics.size());
        keys.append(key.toByteArray());
        MlflowMetric metric;
        metric.key = names ? names->get(key) : QString::fromUtf8(key);
        metric.points.reserve(expectedPoints);
        metrics.append(std::move(metric));
        if (!index.isEmpty()) {
            index.insert(keys.last(), i);
        } else if (keys.size() > 16) {
            for (int j = 0; j < keys.size(); ++j)
                index.insert(keys[j], j);
        }
    }
    lastHit = i;
    return metrics[i];
}

QList<MlflowMetric> MetricSet::finish()
{
    const auto before = [](const MlflowMetricPoint &a, const MlflowMetricPoint &b) {
        if (a.step != b.step)
            return a.step < b.step;
        return a.timestamp < b.timestamp;
    };
    for (MlflowMetric &metric : metrics) {
        // Usually logged in order already; stable_sort would allocate a buffer regardless.
        if (!std::is_sorted(metric.points.cbegin(), metric.points.cend(), before))
            std::stable_sort(metric.points.begin(), metric.points.end(), before);
        for (qsizetype i = 0; i < metric.points.size(); ++i) {
            if (i == 0 || isLater(metric.points[i], metric.latest))
                metric.latest = metric.points[i];
        }
    }
    std::sort(metrics.begin(), metrics.end(),
              [](const MlflowMetric &a, const MlflowMetric &b) { return a.key < b.key; });
    return std::move(metrics);
}

void scanMetrics(MetricsScan &scan, std::atomic<qint64> &done, const std::atomic<bool> &cancel,
                 const std::stop_token &stop)
{
    auto db = Database::openExternal(scan.path, scan.immutable);
    if (!db) {
        scan.error = db.error();
        return;
    }
    auto s = (*db)->prepare(scan.sql);
    if (!s) {
        scan.error = s.error();
        return;
    }
    if (scan.rowids)
        s->bind(1, scan.rowids->first).bind(2, scan.rowids->second);
    qint64 rows = 0;
    qint64 metrics = 0; // made so far: their average length is room for the next one
    for (;;) {
        const auto row = s->step();
        if (!row) {
            scan.error = row.error();
            return;
        }
        if (!*row)
            break;
        const qsizetype i = scan.runs.find(s->utf8(0));
        if (i < 0) {
            ++scan.orphaned;
        } else {
            MlflowMetricPoint point;
            point.value = metricValue(*s, 2, 5);
            point.timestamp = s->int64(3);
            point.step = s->int64(4);
            MetricSet &set = scan.sets[i];
            const qsizetype known = set.metrics.size();
            set.get(s->utf8(1), metrics == 0 ? 0 : std::min<qint64>(rows / metrics, 32),
                    &scan.names)
                .points.append(point);
            metrics += set.metrics.size() - known;
        }
        if (++rows % kProgressEvery == 0) {
            done += kProgressEvery;
            if (cancel || stop.stop_requested()) {
                scan.error = Error(u"cancelled"_s, scan.path);
                return;
            }
        }
    }
    done += rows % kProgressEvery;
}

void Reader::startMetrics(MetricsWorkers &workers)
{
    if (!has(u"metrics"_s))
        return;
    const QString t = u"metrics"_s;
    // Table order (rowid), which is the order MLflow logged them; sorted per metric later.
    QString sql = u"SELECT %1, key, value, timestamp, %2, %3 FROM metrics"_s.arg(
        runColumn(t), col(t, u"step"_s, u"0"_s), col(t, u"is_nan"_s, u"0"_s));
    std::optional<std::pair<qint64, qint64>> halves[2];
    m_scanCount = 1;
    // Not counted as rows read. A table without rowids (not MLflow's) is read in one piece.
    if (auto range = m_db.prepare(u"SELECT min(rowid), max(rowid) FROM metrics"_s)) {
        const auto row = range->step();
        if (row && *row && !range->isNull(0)) {
            const qint64 lo = range->int64(0);
            const qint64 hi = range->int64(1);
            if (hi - lo > kSplitMetricsAbove) {
                const qint64 mid = lo + (hi - lo) / 2;
                halves[0] = std::pair(lo, mid);
                halves[1] = std::pair(mid + 1, hi);
                sql += u" WHERE rowid BETWEEN ?1 AND ?2"_s;
                m_scanCount = 2;
            }
        }
    }
    for (int i = 0; i < m_scanCount; ++i) {
        MetricsScan &scan = m_scans[i];
        scan.path = m_path;
        scan.immutable = m_immutable;
        scan.sql = sql;
        scan.rowids = halves[i];
        scan.runs = m_runIndex;
        scan.sets.resize(m_store.runs.size());
        workers[i] = std::jthread([this, &scan](std::stop_token stop) {
            scanMetrics(scan, m_done, m_cancel, stop);
            const std::lock_guard lock(m_scansMutex);
            ++m_scansDone;
            m_scanFinished.notify_all();
        });
    }
}

Result<void> Reader::finishMetrics(MetricsWorkers &workers)
{
    if (m_scanCount == 0)
        return ok();
    for (;;) {
        {
            std::unique_lock lock(m_scansMutex);
            if (m_scanFinished.wait_for(lock, std::chrono::milliseconds(50),
                                        [this] { return m_scansDone == m_scanCount; }))
                break;
        }
        report(); // a cancel reaches the scans through m_cancel
    }
    for (std::jthread &worker : workers) {
        if (worker.joinable())
            worker.join();
    }
    qint64 orphaned = 0;
    for (int i = 0; i < m_scanCount; ++i) {
        if (m_scans[i].error)
            return fail(*m_scans[i].error);
        orphaned += m_scans[i].orphaned;
    }
    orphans(orphaned, u"metrics"_s, u"run"_s);
    for (qsizetype i = 0; i < m_store.runs.size(); ++i) {
        MetricSet &first = m_scans[0].sets[i];
        if (m_scanCount == 2) {
            // The second half's rows come after the first's: appended, then sorted as one.
            MetricSet &second = m_scans[1].sets[i];
            for (qsizetype j = 0; j < second.metrics.size(); ++j)
                first.get(second.keys[j]).points.append(std::move(second.metrics[j].points));
        }
        m_store.runs[i].metrics = first.finish();
    }
    for (MetricsScan &scan : m_scans)
        scan.sets.clear();
    return ok();
}

} // namespace cairn::mlflow::sql
