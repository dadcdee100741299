#pragma once

#include "metricparse.h"
#include "store/database.h"

#include <QHash>
#include <QList>
#include <QVector>

namespace cairn {

// All values of one metric of one run, in step order (ties in arrival order). NaN values are
// kept (SQLite stores them as NULL; they come back as NaN).
struct MetricSeries
{
    qint64 runId = 0;
    QString name;
    QVector<double> steps;
    QVector<double> timestamps; // ms since the epoch
    QVector<double> values;
    qsizetype size() const { return values.size(); }
};

struct LatestMetric
{
    QString name;
    qint64 step = 0;
    qint64 timestampMs = 0;
    double value = 0; // NaN when the latest value was NaN
    double min = 0;   // over the finite values; NaN when there is none
    double max = 0;
    qint64 count = 0;
};

// Buffers a run's metric points and writes them in batches, one transaction each. Steps left
// out are numbered per metric from the last step seen (0, 1, 2, ...). Keeps the per-run
// "latest" table (last by step, then arrival), min, max and count current.
class MetricWriter
{
public:
    MetricWriter(Database &db, qint64 runId);

    // `nowMs` stamps points that carry no timestamp.
    void add(const MetricPoint &point, qint64 nowMs);
    qsizetype pending() const { return m_pending.size(); }
    Result<void> flush();

private:
    struct Pending
    {
        qint64 keyId;
        qint64 step;
        qint64 seq;
        qint64 ts;
        double value;
    };
    struct KeyState
    {
        qint64 id = 0;
        qint64 nextStep = 0;
        bool dirty = false;
        LatestMetric latest;
        bool hasLatest = false;
    };
    Result<KeyState *> key(const QString &name);

    Database &m_db;
    qint64 m_runId;
    qint64 m_seq = 0;
    QHash<QString, KeyState> m_keys;
    QList<Pending> m_pending;
    std::optional<Statement> m_insert;
};

// Reads metrics back.
class MetricStore
{
public:
    explicit MetricStore(Database &db)
        : m_db(db)
    {}

    Result<QStringList> names(qint64 runId);
    Result<MetricSeries> series(qint64 runId, const QString &name);
    Result<QList<LatestMetric>> latest(qint64 runId);
    // Every metric name used by any run, most used first.
    Result<QStringList> allNames(int limit = -1);

private:
    Database &m_db;
};

} // namespace cairn
