#include "metricstore.h"

#include <QtEndian>

#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

using namespace Qt::StringLiterals;

namespace cairn {

static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// A block takes points until it holds this many; a block written by an earlier flush keeps
// taking points (it is rewritten) while it holds fewer than kReopenLimit.
static constexpr int kBlockPoints = 4096;
static constexpr int kReopenLimit = 1024;
static constexpr int kPointBytes = 24;

static void appendPoint(QByteArray &data, qint64 step, qint64 ts, double value)
{
    const qsizetype at = data.size();
    data.resize(at + kPointBytes); // within the reserved capacity: no copy
    char *buf = data.data() + at;
    qToLittleEndian<qint64>(step, buf);
    qToLittleEndian<qint64>(ts, buf + 8);
    quint64 bits;
    std::memcpy(&bits, &value, sizeof bits);
    qToLittleEndian<quint64>(bits, buf + 16);
}

// The id of a metric name, made when new.
static Result<qint64> metricKeyId(Database &db, const QString &name)
{
    auto ins =
        db.prepare(u"INSERT INTO metric_keys (name) VALUES (?1) ON CONFLICT (name) DO NOTHING");
    if (!ins)
        return fail(ins.error());
    if (auto r = ins->bind(1, name).exec(); !r)
        return fail(r.error());
    auto sel = db.prepare(u"SELECT id FROM metric_keys WHERE name = ?1");
    if (!sel)
        return fail(sel.error());
    auto row = sel->bind(1, name).step();
    if (!row || !*row)
        return fail(row ? Error(u"metric key vanished"_s) : row.error());
    return sel->int64(0);
}

MetricWriter::MetricWriter(Database &db, qint64 runId)
    : m_db(db)
    , m_runId(runId)
{
    // Resume after what is stored (a recovery after the supervisor died).
    if (auto s = m_db.prepare(
            u"SELECT coalesce(max(seq + count), 0) FROM metric_blocks WHERE run_id = ?1");
        s && s->bind(1, runId).step().value_or(false))
        m_seq = s->int64(0);
}

Result<MetricWriter::KeyState *> MetricWriter::key(const QString &name)
{
    for (const Recent &r : m_recent) {
        if (r.state && r.name.constData() == name.constData() && r.name.size() == name.size())
            return r.state;
    }
    auto remember = [&](KeyState *state) {
        m_recent[m_recentNext++ % m_recent.size()] = Recent{name, state};
        return state;
    };
    if (auto it = m_keys.constFind(name); it != m_keys.constEnd())
        return remember(*it);
    auto id = metricKeyId(m_db, name);
    if (!id)
        return fail(id.error());
    KeyState state;
    state.id = *id;
    auto last = m_db.prepare(u"SELECT step, ts, value, min, max, count FROM latest_metrics "
                             "WHERE run_id = ?1 AND key_id = ?2");
    if (last && last->bind(1, m_runId).bind(2, state.id).step().value_or(false)) {
        state.hasLatest = true;
        state.latest.name = name;
        state.latest.step = last->int64(0);
        state.latest.timestampMs = last->int64(1);
        state.latest.value = last->optionalReal(2).value_or(kNaN);
        state.latest.min = last->optionalReal(3).value_or(kNaN);
        state.latest.max = last->optionalReal(4).value_or(kNaN);
        state.latest.count = last->int64(5);
        state.nextStep = state.latest.step + 1;
    }
    state.pending.reserve(64 * 1024);
    m_states.push_back(std::make_unique<KeyState>(std::move(state)));
    m_keys.insert(name, m_states.back().get());
    return remember(m_states.back().get());
}

void MetricWriter::add(const MetricPoint &point, qint64 nowMs)
{
    auto k = key(point.name);
    if (!k)
        return;
    KeyState &state = **k;
    const qint64 step = point.step.value_or(state.nextStep);
    state.nextStep = std::max(state.nextStep, step + 1);
    const qint64 ts = point.timestampMs.value_or(nowMs);
    if (state.pendingCount == 0) {
        state.pendingSeq = m_seq;
        state.pendingMinStep = step;
        state.pendingMaxStep = step;
    }
    ++m_seq;
    appendPoint(state.pending, step, ts, point.value);
    ++state.pendingCount;
    state.pendingMinStep = std::min(state.pendingMinStep, step);
    state.pendingMaxStep = std::max(state.pendingMaxStep, step);
    ++m_pendingTotal;

    LatestMetric &l = state.latest;
    if (!state.hasLatest) {
        state.hasLatest = true;
        l = LatestMetric{point.name, step, ts, point.value, kNaN, kNaN, 0};
    } else if (step >= l.step) {
        l.step = step;
        l.timestampMs = ts;
        l.value = point.value;
    }
    if (std::isfinite(point.value)) {
        l.min = std::isnan(l.min) ? point.value : std::min(l.min, point.value);
        l.max = std::isnan(l.max) ? point.value : std::max(l.max, point.value);
    }
    ++l.count;
}

Result<void> MetricWriter::flush()
{
    if (m_pendingTotal == 0)
        return ok();
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return r;
    if (!m_insert) {
        auto s = m_db.prepare(u"INSERT OR REPLACE INTO metric_blocks (run_id, key_id, seq, count, "
                              "min_step, max_step, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        if (!s)
            return fail(s.error());
        m_insert = std::move(*s);
    }
    auto writeBlock = [&](const KeyState &k) {
        return m_insert->bind(1, m_runId)
            .bind(2, k.id)
            .bind(3, k.blockSeq)
            .bind(4, qint64(k.blockCount))
            .bind(5, k.blockMinStep)
            .bind(6, k.blockMaxStep)
            .bind(7, k.block)
            .exec();
    };
    for (const auto &kp : m_states) {
        KeyState &k = *kp;
        if (k.pendingCount == 0)
            continue;
        qsizetype used = 0; // pending points moved into blocks
        const qsizetype total = k.pendingCount;
        // Top up the block written last time while it is small.
        if (k.blockCount > 0 && k.blockCount < kReopenLimit) {
            const qsizetype take = std::min<qsizetype>(total, kBlockPoints - k.blockCount);
            k.block.append(k.pending.constData(), take * kPointBytes);
            k.blockCount += int(take);
            k.blockMinStep = std::min(k.blockMinStep, k.pendingMinStep);
            k.blockMaxStep = std::max(k.blockMaxStep, k.pendingMaxStep);
            used = take;
            if (auto r = writeBlock(k); !r)
                return r;
        }
        while (used < total) {
            const qsizetype take = std::min<qsizetype>(total - used, kBlockPoints);
            k.block = QByteArray(k.pending.constData() + used * kPointBytes, take * kPointBytes);
            k.blockCount = int(take);
            k.blockSeq = k.pendingSeq + used;
            // The exact step range of this slice.
            k.blockMinStep = std::numeric_limits<qint64>::max();
            k.blockMaxStep = std::numeric_limits<qint64>::min();
            for (qsizetype i = 0; i < take; ++i) {
                const qint64 step =
                    qFromLittleEndian<qint64>(k.block.constData() + i * kPointBytes);
                k.blockMinStep = std::min(k.blockMinStep, step);
                k.blockMaxStep = std::max(k.blockMaxStep, step);
            }
            used += take;
            if (auto r = writeBlock(k); !r)
                return r;
        }
    }
    auto up = m_db.prepare(
        u"INSERT INTO latest_metrics (run_id, key_id, step, ts, value, min, max, count) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (run_id, key_id) DO UPDATE SET "
        "step = excluded.step, ts = excluded.ts, value = excluded.value, min = excluded.min, "
        "max = excluded.max, count = excluded.count");
    if (!up)
        return fail(up.error());
    for (const auto &kp : m_states) {
        KeyState &k = *kp;
        if (k.pendingCount == 0)
            continue;
        const LatestMetric &l = k.latest;
        up->bind(1, m_runId).bind(2, k.id).bind(3, l.step).bind(4, l.timestampMs);
        std::isnan(l.value) ? up->bindNull(5) : up->bind(5, l.value);
        std::isnan(l.min) ? up->bindNull(6) : up->bind(6, l.min);
        std::isnan(l.max) ? up->bindNull(7) : up->bind(7, l.max);
        up->bind(8, l.count);
        if (auto r = up->exec(); !r)
            return r;
    }
    if (auto r = tx.commit(); !r)
        return r;
    for (const auto &kp : m_states) {
        kp->pending.resize(0); // keeps its capacity
        kp->pendingCount = 0;
    }
    m_pendingTotal = 0;
    return ok();
}

Result<void> MetricSeriesWriter::clearRun(qint64 runId)
{
    if (!m_clearBlocks) {
        auto b = m_db.prepare(u"DELETE FROM metric_blocks WHERE run_id = ?1");
        auto l = m_db.prepare(u"DELETE FROM latest_metrics WHERE run_id = ?1");
        if (!b || !l)
            return fail(b ? l.error() : b.error());
        m_clearBlocks = std::move(*b);
        m_clearLatest = std::move(*l);
    }
    if (auto r = m_clearBlocks->bind(1, runId).exec(); !r)
        return r;
    return m_clearLatest->bind(1, runId).exec();
}

Result<qint64> MetricSeriesWriter::keyId(const QString &name)
{
    if (auto it = m_keyIds.constFind(name); it != m_keyIds.constEnd())
        return *it;
    auto id = metricKeyId(m_db, name);
    if (id)
        m_keyIds.insert(name, *id);
    return id;
}

Result<void> MetricSeriesWriter::write(qint64 runId, const QString &name,
                                       const QList<Point> &points)
{
    if (points.isEmpty())
        return ok();
    auto key = keyId(name);
    if (!key)
        return fail(key.error());
    if (!m_block) {
        auto b = m_db.prepare(u"INSERT OR REPLACE INTO metric_blocks (run_id, key_id, seq, count, "
                              "min_step, max_step, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        auto l = m_db.prepare(
            u"INSERT OR REPLACE INTO latest_metrics (run_id, key_id, step, ts, value, min, max, "
            "count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        if (!b || !l)
            return fail(b ? l.error() : b.error());
        m_block = std::move(*b);
        m_latest = std::move(*l);
    }
    LatestMetric latest{
        name, points.front().step, points.front().timestampMs, points.front().value, kNaN, kNaN, 0};
    for (qsizetype from = 0; from < points.size(); from += kBlockPoints) {
        const qsizetype take = std::min<qsizetype>(points.size() - from, kBlockPoints);
        m_buffer.resize(0);
        m_buffer.reserve(take * kPointBytes);
        qint64 minStep = std::numeric_limits<qint64>::max();
        qint64 maxStep = std::numeric_limits<qint64>::min();
        for (qsizetype i = from; i < from + take; ++i) {
            const Point &p = points[i];
            appendPoint(m_buffer, p.step, p.timestampMs, p.value);
            minStep = std::min(minStep, p.step);
            maxStep = std::max(maxStep, p.step);
            if (p.step >= latest.step) {
                latest.step = p.step;
                latest.timestampMs = p.timestampMs;
                latest.value = p.value;
            }
            if (std::isfinite(p.value)) {
                latest.min = std::isnan(latest.min) ? p.value : std::min(latest.min, p.value);
                latest.max = std::isnan(latest.max) ? p.value : std::max(latest.max, p.value);
            }
        }
        // A block's seq is the arrival index of its first point, as MetricWriter numbers them
        // within a run; series of one run never share a key, so per-key numbering is enough.
        if (auto r = m_block->bind(1, runId)
                         .bind(2, *key)
                         .bind(3, qint64(from))
                         .bind(4, qint64(take))
                         .bind(5, minStep)
                         .bind(6, maxStep)
                         .bind(7, m_buffer)
                         .exec();
            !r)
            return r;
    }
    latest.count = points.size();
    m_latest->bind(1, runId).bind(2, *key).bind(3, latest.step).bind(4, latest.timestampMs);
    std::isnan(latest.value) ? m_latest->bindNull(5) : m_latest->bind(5, latest.value);
    std::isnan(latest.min) ? m_latest->bindNull(6) : m_latest->bind(6, latest.min);
    std::isnan(latest.max) ? m_latest->bindNull(7) : m_latest->bind(7, latest.max);
    m_latest->bind(8, latest.count);
    return m_latest->exec();
}

Result<QStringList> MetricStore::names(qint64 runId)
{
    auto s =
        m_db.prepare(u"SELECT k.name FROM latest_metrics l JOIN metric_keys k ON k.id = l.key_id "
                     "WHERE l.run_id = ?1 ORDER BY k.name");
    if (!s)
        return fail(s.error());
    s->bind(1, runId);
    QStringList out;
    while (true) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        out.append(s->text(0));
    }
    return out;
}

Result<MetricSeries> MetricStore::series(qint64 runId, const QString &name)
{
    MetricSeries out;
    out.runId = runId;
    out.name = name;
    auto s = m_db.prepare(u"SELECT b.data, b.count FROM metric_blocks b JOIN metric_keys k ON "
                          "k.id = b.key_id WHERE b.run_id = ?1 AND k.name = ?2 ORDER BY b.seq");
    if (!s)
        return fail(s.error());
    s->bind(1, runId).bind(2, name);
    // Size the vectors once: growing them block by block would copy them again and again.
    if (auto c = m_db.prepare(
            u"SELECT coalesce(sum(b.count), 0) FROM metric_blocks b JOIN metric_keys k ON "
            "k.id = b.key_id WHERE b.run_id = ?1 AND k.name = ?2");
        c && c->bind(1, runId).bind(2, name).step().value_or(false)) {
        const qsizetype total = qsizetype(c->int64(0));
        out.steps.reserve(total);
        out.timestamps.reserve(total);
        out.values.reserve(total);
    }
    bool sorted = true;
    double lastStep = -std::numeric_limits<double>::infinity();
    while (true) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        const QByteArray data = s->blob(0);
        const qsizetype n = std::min<qsizetype>(s->int64(1), data.size() / kPointBytes);
        const char *p = data.constData();
        for (qsizetype i = 0; i < n; ++i, p += kPointBytes) {
            const double step = double(qFromLittleEndian<qint64>(p));
            const quint64 bits = qFromLittleEndian<quint64>(p + 16);
            double value;
            std::memcpy(&value, &bits, sizeof value);
            sorted = sorted && step >= lastStep;
            lastStep = step;
            out.steps.append(step);
            out.timestamps.append(double(qFromLittleEndian<qint64>(p + 8)));
            out.values.append(value);
        }
    }
    if (!sorted) {
        // Steps logged out of order: by step, keeping the arrival order of equal steps.
        QVector<qsizetype> order(out.steps.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](qsizetype a, qsizetype b) { return out.steps[a] < out.steps[b]; });
        MetricSeries sortedSeries{out.runId, out.name, {}, {}, {}};
        for (qsizetype i : order) {
            sortedSeries.steps.append(out.steps[i]);
            sortedSeries.timestamps.append(out.timestamps[i]);
            sortedSeries.values.append(out.values[i]);
        }
        return sortedSeries;
    }
    return out;
}

Result<QList<LatestMetric>> MetricStore::latest(qint64 runId)
{
    auto s =
        m_db.prepare(u"SELECT k.name, l.step, l.ts, l.value, l.min, l.max, l.count FROM "
                     "latest_metrics l JOIN metric_keys k ON k.id = l.key_id WHERE l.run_id = ?1 "
                     "ORDER BY k.name");
    if (!s)
        return fail(s.error());
    s->bind(1, runId);
    QList<LatestMetric> out;
    while (true) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        out.append(LatestMetric{
            s->text(0), s->int64(1), s->int64(2), s->optionalReal(3).value_or(kNaN),
            s->optionalReal(4).value_or(kNaN), s->optionalReal(5).value_or(kNaN), s->int64(6)});
    }
    return out;
}

Result<QStringList> MetricStore::allNames(int limit)
{
    auto s =
        m_db.prepare(u"SELECT k.name FROM metric_keys k JOIN latest_metrics l ON l.key_id = k.id "
                     "GROUP BY k.id ORDER BY count(*) DESC, k.name LIMIT ?1");
    if (!s)
        return fail(s.error());
    s->bind(1, qint64(limit));
    QStringList out;
    while (true) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        out.append(s->text(0));
    }
    return out;
}

} // namespace cairn
