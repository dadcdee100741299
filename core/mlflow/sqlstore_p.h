#pragma once

// Internals of the MLflow SQL store reader (sqlstore.cpp): the reader, which reads one table per
// query and stitches rows to runs and models by id; the metrics table's scan on threads of its own
// (sqlstoremetrics.cpp); the registry and logged models (sqlstoremodels.cpp).

#include "sqlstore.h"
#include "store/database.h"

#include <QByteArray>
#include <QHash>
#include <QSet>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

namespace cairn::mlflow::sql {

// How MLflow stores ±inf (sqlalchemy_store.py, sanitize_metric_value).
constexpr double kStoredInfinity = 1.7976931348623157e308;
constexpr qint64 kProgressEvery = 8192;      // rows between progress calls
constexpr qint64 kSplitMetricsAbove = 16384; // rowids: read the metrics table in two halves

// A metric value as MLflow stored it: NaN when `isNanColumn` (-1 for none) says so or the value
// is NULL (SQLite's NaN), ±inf for ±kStoredInfinity.
double metricValue(const Statement &s, int valueColumn, int isNanColumn);
// MLflow's "latest": the maximum by (step, timestamp, value), NaN ranking as the 0 MLflow stores.
bool isLater(const MlflowMetricPoint &a, const MlflowMetricPoint &b);

// Equal UTF-8 texts read as one shared QString: keys repeat from run to run.
class TextCache
{
public:
    QString get(QByteArrayView utf8)
    {
        const auto it = m_texts.constFind(QByteArray::fromRawData(utf8.data(), utf8.size()));
        if (it != m_texts.cend())
            return it.value();
        QString text = QString::fromUtf8(utf8);
        m_texts.insert(utf8.toByteArray(), text);
        return text;
    }

private:
    QHash<QByteArray, QString> m_texts;
};

// The metrics of one run or logged model while rows arrive in table order: found by their UTF-8
// key without building a QString per row.
struct MetricSet
{
    QList<MlflowMetric> metrics;
    QList<QByteArray> keys;       // UTF-8 of metrics[i].key
    QHash<QByteArray, int> index; // once there are many keys
    int lastHit = -1;

    // The metric `key`, made when new with room for `expectedPoints` and its name from `names`.
    MlflowMetric &get(QByteArrayView key, qsizetype expectedPoints = 0, TextCache *names = nullptr);
    // Points in (step, timestamp) order, the latest by MLflow's rule, metrics by key.
    QList<MlflowMetric> finish();
};

// A row lookup by an id column, remembering the last hit (rows come grouped by run).
class IdIndex
{
public:
    void insert(const QString &id, qsizetype at) { m_index.insert(id.toUtf8(), at); }
    qsizetype find(QByteArrayView id)
    {
        if (m_last >= -1 && m_lastId == id)
            return m_last;
        m_lastId.resize(id.size()); // keeps its capacity: no allocation per run
        if (!id.isEmpty())
            std::memcpy(m_lastId.data(), id.data(), size_t(id.size()));
        m_last = m_index.value(m_lastId, -1);
        return m_last;
    }

private:
    QHash<QByteArray, qsizetype> m_index;
    QByteArray m_lastId;
    qsizetype m_last = -2; // nothing looked up yet
};

// The metrics table, by far the largest, read on connections and threads of their own (one per
// half of its rowids when it is large) while the caller's thread reads the rest.
struct MetricsScan
{
    QString path;
    bool immutable = false;
    QString sql;
    std::optional<std::pair<qint64, qint64>> rowids; // bound to ?1 and ?2 when set
    IdIndex runs;                                    // a copy: its lookups remember their last hit
    QList<MetricSet> sets;                           // one per run
    TextCache names;                                 // the metrics' keys
    qint64 orphaned = 0;
    std::optional<Error> error;
};

// Runs `scan` on a connection of its own, adding to `done` now and then; stops when `cancel` or
// `stop` says so.
void scanMetrics(MetricsScan &scan, std::atomic<qint64> &done, const std::atomic<bool> &cancel,
                 const std::stop_token &stop);

class Reader
{
public:
    Reader(Database &db, const QString &path, bool immutable, const Progress &progress)
        : m_db(db)
        , m_path(path)
        , m_immutable(immutable)
        , m_progress(progress)
    {}

    Result<MlflowStore> read();

private:
    bool has(const QString &table) const { return m_schema.contains(table); }
    bool has(const QString &table, const QString &column) const
    {
        return m_schema.value(table).contains(column);
    }
    // `column` when `table` has it, else `fallback` (SQL text; NULL when empty).
    QString col(const QString &table, const QString &column, const QString &fallback = {}) const;
    // The column naming the run: run_uuid, or run_id.
    QString runColumn(const QString &table) const;

    Result<void> readSchema();
    Result<void> countRows();
    // Runs `sql`, calling `fn` with each row and reporting progress.
    template<typename RowFn>
    Result<void> forEachRow(const QString &sql, RowFn &&fn)
    {
        auto statement = m_db.prepare(sql);
        if (!statement)
            return fail(statement.error());
        qint64 rows = 0;
        for (;;) {
            const auto row = statement->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            fn(*statement);
            if (++rows % kProgressEvery == 0) {
                m_done += kProgressEvery;
                if (!report())
                    return fail(cancelled());
            }
        }
        m_done += rows % kProgressEvery;
        return ok();
    }
    // Calls `progress` (on the caller's thread only); false when cancelled.
    bool report();
    Error cancelled() const;
    Error notMlflow(const QString &what) const;
    void orphans(qint64 count, const QString &table, const QString &owner);

    Result<void> readExperiments();
    Result<void> readRuns();
    Result<void> readParamsAndTags();
    using MetricsWorkers = std::array<std::jthread, 2>;
    void startMetrics(MetricsWorkers &workers);
    Result<void> finishMetrics(MetricsWorkers &workers);
    void finishRuns();
    Result<void> readRegistry();
    Result<void> readLoggedModels();

    Database &m_db;
    QString m_path;
    bool m_immutable = false;
    const Progress &m_progress;
    QHash<QString, QSet<QString>> m_schema; // table → columns, lower case
    std::atomic<qint64> m_done = 0;         // rows read, by every thread
    qint64 m_total = 0;
    std::atomic<bool> m_cancel = false;
    MlflowStore m_store;
    QHash<QString, qsizetype> m_experimentIndex;
    IdIndex m_runIndex;
    TextCache m_keys; // of params and tags
    std::array<MetricsScan, 2> m_scans;
    int m_scanCount = 0;
    std::mutex m_scansMutex;
    std::condition_variable m_scanFinished;
    int m_scansDone = 0; // under m_scansMutex
};

} // namespace cairn::mlflow::sql
