#include "metricstore.h"

#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace cairn {

static constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

MetricWriter::MetricWriter(Database &db, qint64 runId)
    : m_db(db)
    , m_runId(runId)
{
    // Resume after what is stored (a supervisor taking over, or a recovery).
    if (auto s = m_db.prepare(u"SELECT coalesce(max(seq), -1) FROM metrics WHERE run_id = ?1");
        s && s->bind(1, runId).step().value_or(false))
        m_seq = s->int64(0) + 1;
}

Result<MetricWriter::KeyState *> MetricWriter::key(const QString &name)
{
    auto it = m_keys.find(name);
    if (it != m_keys.end())
        return &*it;
    auto ins =
        m_db.prepare(u"INSERT INTO metric_keys (name) VALUES (?1) ON CONFLICT (name) DO NOTHING");
    if (!ins)
        return fail(ins.error());
    if (auto r = ins->bind(1, name).exec(); !r)
        return fail(r.error());
    auto sel = m_db.prepare(u"SELECT id FROM metric_keys WHERE name = ?1");
    if (!sel)
        return fail(sel.error());
    auto row = sel->bind(1, name).step();
    if (!row || !*row)
        return fail(row ? Error(u"metric key vanished"_s) : row.error());
    KeyState state;
    state.id = sel->int64(0);
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
    return &*m_keys.insert(name, state);
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
    const qint64 seq = m_seq++;
    m_pending.append(Pending{state.id, step, seq, ts, point.value});

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
    state.dirty = true;
}

Result<void> MetricWriter::flush()
{
    if (m_pending.isEmpty())
        return ok();
    Transaction tx(m_db);
    if (auto r = tx.begin(); !r)
        return r;
    if (!m_insert) {
        auto s = m_db.prepare(u"INSERT INTO metrics (run_id, key_id, step, seq, ts, value) "
                              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        if (!s)
            return fail(s.error());
        m_insert = std::move(*s);
    }
    for (const Pending &p : std::as_const(m_pending)) {
        m_insert->bind(1, m_runId).bind(2, p.keyId).bind(3, p.step).bind(4, p.seq).bind(5, p.ts);
        if (std::isnan(p.value))
            m_insert->bindNull(6);
        else
            m_insert->bind(6, p.value);
        if (auto r = m_insert->exec(); !r)
            return r;
    }
    auto up = m_db.prepare(
        u"INSERT INTO latest_metrics (run_id, key_id, step, ts, value, min, max, count) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (run_id, key_id) DO UPDATE SET "
        "step = excluded.step, ts = excluded.ts, value = excluded.value, min = excluded.min, "
        "max = excluded.max, count = excluded.count");
    if (!up)
        return fail(up.error());
    for (KeyState &k : m_keys) {
        if (!k.dirty)
            continue;
        const LatestMetric &l = k.latest;
        up->bind(1, m_runId).bind(2, k.id).bind(3, l.step).bind(4, l.timestampMs);
        std::isnan(l.value) ? up->bindNull(5) : up->bind(5, l.value);
        std::isnan(l.min) ? up->bindNull(6) : up->bind(6, l.min);
        std::isnan(l.max) ? up->bindNull(7) : up->bind(7, l.max);
        up->bind(8, l.count);
        if (auto r = up->exec(); !r)
            return r;
        k.dirty = false;
    }
    if (auto r = tx.commit(); !r)
        return r;
    m_pending.clear();
    return ok();
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
    auto s =
        m_db.prepare(u"SELECT m.step, m.ts, m.value FROM metrics m JOIN metric_keys k ON "
                     "k.id = m.key_id WHERE m.run_id = ?1 AND k.name = ?2 ORDER BY m.step, m.seq");
    if (!s)
        return fail(s.error());
    s->bind(1, runId).bind(2, name);
    while (true) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        out.steps.append(double(s->int64(0)));
        out.timestamps.append(double(s->int64(1)));
        out.values.append(s->optionalReal(2).value_or(kNaN));
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
