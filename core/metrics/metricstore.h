#pragma once

#include "metricparse.h"
#include "store/database.h"

#include <QHash>
#include <QList>
#include <QVector>

#include <array>
#include <memory>
#include <vector>

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

// Buffers a run's metric points and writes them in batches, one transaction each, as blocks of
// up to 4,096 points per metric (see metric_blocks in store/projectdb.cpp). Steps left out are
// numbered per metric from the last step seen (0, 1, 2, ...). Keeps the per-run "latest" table
// (last by step, then arrival), min, max and count current.
class MetricWriter
{
public:
    MetricWriter(Database &db, qint64 runId);

    // `nowMs` stamps points that carry no timestamp.
    void add(const MetricPoint &point, qint64 nowMs);
    qsizetype pending() const { return m_pendingTotal; }
    Result<void> flush();

private:
    struct KeyState
    {
        qint64 id = 0;
        qint64 nextStep = 0;
        LatestMetric latest;
        bool hasLatest = false;
        // Points not written yet, packed as in metric_blocks.data.
        QByteArray pending;
        qsizetype pendingCount = 0;
        qint64 pendingSeq = 0;
        qint64 pendingMinStep = 0;
        qint64 pendingMaxStep = 0;
        // The block this writer wrote last for the key, rewritten while it is small.
        QByteArray block;
        int blockCount = 0;
        qint64 blockSeq = 0;
        qint64 blockMinStep = 0;
        qint64 blockMaxStep = 0;
    };
    Result<KeyState *> key(const QString &name);

    Database &m_db;
    qint64 m_runId;
    qint64 m_seq = 0;
    qsizetype m_pendingTotal = 0;
    std::vector<std::unique_ptr<KeyState>> m_states;
    QHash<QString, KeyState *> m_keys;
    // Names repeat on every line and usually share their data (see parseMetricLine): a lookup
    // by data pointer avoids hashing the string. Each entry holds a copy of the name, so its
    // data cannot be freed and reused by another string while it is cached.
    struct Recent
    {
        QString name;
        KeyState *state = nullptr;
    };
    std::array<Recent, 16> m_recent{};
    std::size_t m_recentNext = 0;
    std::optional<Statement> m_insert;
};

// Writes whole series at once, for imports: the statements are prepared once for every run, the
// points arrive in order and complete. The caller holds the transaction. Series of a run written
// earlier are removed with clearRun first. The latest value follows MetricWriter's rule (the last
// point of the highest step).
class MetricSeriesWriter
{
public:
    struct Point
    {
        qint64 step = 0;
        qint64 timestampMs = 0;
        double value = 0;
    };

    explicit MetricSeriesWriter(Database &db)
        : m_db(db)
    {}

    Result<void> clearRun(qint64 runId);
    Result<void> write(qint64 runId, const QString &name, const QList<Point> &points);

private:
    Result<qint64> keyId(const QString &name);

    Database &m_db;
    QHash<QString, qint64> m_keyIds;
    std::optional<Statement> m_block, m_latest, m_clearBlocks, m_clearLatest;
    QByteArray m_buffer;
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
