#include "rundiff.h"

#include "metrics/metricstore.h"
#include "runstore.h"

#include <QJsonArray>
#include <QLocale>
#include <QMap>

#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

RunSummary summaryOf(const RunRecord &r)
{
    RunSummary s;
    s.id = r.id;
    s.name = r.name;
    s.entryPoint = r.entryPoint;
    s.status = runStatusName(r.status);
    s.gitCommit = r.gitCommit;
    s.gitDirty = r.gitDirty;
    s.createdMs = r.created.toMSecsSinceEpoch();
    s.durationMs = r.durationMs();
    return s;
}

bool sameValue(double x, double y)
{
    return x == y || (std::isnan(x) && std::isnan(y));
}

QString number(double v)
{
    if (std::isnan(v))
        return u"nan"_s;
    if (std::isinf(v))
        return v > 0 ? u"inf"_s : u"-inf"_s;
    return QString::number(v, 'g', 6);
}

QJsonValue jsonNumber(const std::optional<double> &v)
{
    if (!v || !std::isfinite(*v))
        return v ? QJsonValue(number(*v)) : QJsonValue();
    return *v;
}

QJsonObject summaryJson(const RunSummary &s)
{
    return QJsonObject{
        {u"id"_s, s.id},
        {u"name"_s, s.name},
        {u"entry_point"_s, s.entryPoint},
        {u"status"_s, s.status},
        {u"git_commit"_s, s.gitCommit.isEmpty() ? QJsonValue() : QJsonValue(s.gitCommit)},
        {u"git_dirty"_s, s.gitDirty ? QJsonValue(*s.gitDirty) : QJsonValue()},
        {u"created_ms"_s, s.createdMs},
        {u"duration_ms"_s, s.durationMs},
    };
}

QString runLabel(const RunSummary &s)
{
    return s.name.isEmpty() ? u"#%1"_s.arg(s.id) : u"#%1 %2"_s.arg(QString::number(s.id), s.name);
}

QString commitLabel(const RunSummary &s)
{
    if (s.gitCommit.isEmpty())
        return u"-"_s;
    return s.gitCommit.left(7) + (s.gitDirty.value_or(false) ? u" (dirty)"_s : QString());
}

QString durationLabel(qint64 ms)
{
    if (ms <= 0)
        return u"-"_s;
    if (ms < 60000)
        return u"%1 s"_s.arg(QString::number(double(ms) / 1000.0, 'f', 1));
    return u"%1 min %2 s"_s.arg(QString::number(ms / 60000), QString::number((ms / 1000) % 60));
}

QChar marker(ChangeKind kind)
{
    switch (kind) {
    case ChangeKind::Added:
        return u'+';
    case ChangeKind::Removed:
        return u'-';
    case ChangeKind::Changed:
        return u'~';
    case ChangeKind::Same:
        break;
    }
    return u' ';
}

QString counts(int changed, int added, int removed)
{
    QStringList parts;
    if (changed)
        parts << u"%1 changed"_s.arg(changed);
    if (added)
        parts << u"%1 only in b"_s.arg(added);
    if (removed)
        parts << u"%1 only in a"_s.arg(removed);
    return parts.isEmpty() ? u"no change"_s : parts.join(u", "_s);
}

template<typename List>
int countOf(const List &list, ChangeKind kind)
{
    return int(std::count_if(list.cbegin(), list.cend(),
                             [kind](const auto &c) { return c.kind == kind; }));
}

} // namespace

QString changeKindName(ChangeKind kind)
{
    switch (kind) {
    case ChangeKind::Same:
        return u"same"_s;
    case ChangeKind::Changed:
        return u"changed"_s;
    case ChangeKind::Added:
        return u"added"_s;
    case ChangeKind::Removed:
        return u"removed"_s;
    }
    return {};
}

std::optional<double> MetricChange::delta() const
{
    if (!before || !after || !std::isfinite(*before) || !std::isfinite(*after))
        return std::nullopt;
    return *after - *before;
}

int RunDiff::changedParams() const
{
    return int(params.size()) - countOf(params, ChangeKind::Same);
}

int RunDiff::changedMetrics() const
{
    return int(metrics.size()) - countOf(metrics, ChangeKind::Same);
}

Result<RunDiff> diffRuns(Database &db, qint64 a, qint64 b)
{
    RunStore runs(db);
    auto ra = runs.get(a);
    if (!ra)
        return fail(ra.error());
    auto rb = runs.get(b);
    if (!rb)
        return fail(rb.error());
    RunDiff d;
    d.a = summaryOf(*ra);
    d.b = summaryOf(*rb);

    QHash<QString, QString> bParams;
    for (const auto &[k, v] : std::as_const(rb->params))
        bParams.insert(k, v);
    QSet<QString> inA;
    for (const auto &[k, v] : std::as_const(ra->params)) {
        inA.insert(k);
        ParamChange c;
        c.key = k;
        c.before = v;
        const auto it = bParams.constFind(k);
        if (it == bParams.cend()) {
            c.kind = ChangeKind::Removed;
        } else {
            c.after = *it;
            c.kind = *it == v ? ChangeKind::Same : ChangeKind::Changed;
        }
        d.params.append(c);
    }
    for (const auto &[k, v] : std::as_const(rb->params)) {
        if (inA.contains(k))
            continue;
        ParamChange c;
        c.key = k;
        c.after = v;
        c.kind = ChangeKind::Added;
        d.params.append(c);
    }

    MetricStore metrics(db);
    auto la = metrics.latest(a);
    if (!la)
        return fail(la.error());
    auto lb = metrics.latest(b);
    if (!lb)
        return fail(lb.error());
    QMap<QString, MetricChange> byName;
    for (const LatestMetric &m : std::as_const(*la)) {
        MetricChange &c = byName[m.name];
        c.name = m.name;
        c.before = m.value;
        c.stepBefore = m.step;
    }
    for (const LatestMetric &m : std::as_const(*lb)) {
        MetricChange &c = byName[m.name];
        c.name = m.name;
        c.after = m.value;
        c.stepAfter = m.step;
    }
    for (MetricChange &c : byName) {
        if (!c.before)
            c.kind = ChangeKind::Added;
        else if (!c.after)
            c.kind = ChangeKind::Removed;
        else
            c.kind = sameValue(*c.before, *c.after) ? ChangeKind::Same : ChangeKind::Changed;
        d.metrics.append(c);
    }
    return d;
}

QJsonObject runDiffJson(const RunDiff &diff)
{
    QJsonArray params;
    for (const ParamChange &p : diff.params) {
        params.append(QJsonObject{
            {u"key"_s, p.key},
            {u"status"_s, changeKindName(p.kind)},
            {u"a"_s, p.before ? QJsonValue(*p.before) : QJsonValue()},
            {u"b"_s, p.after ? QJsonValue(*p.after) : QJsonValue()},
        });
    }
    QJsonArray metrics;
    for (const MetricChange &m : diff.metrics) {
        const auto delta = m.delta();
        metrics.append(QJsonObject{
            {u"name"_s, m.name},
            {u"status"_s, changeKindName(m.kind)},
            {u"a"_s, jsonNumber(m.before)},
            {u"b"_s, jsonNumber(m.after)},
            {u"a_step"_s, m.stepBefore ? QJsonValue(*m.stepBefore) : QJsonValue()},
            {u"b_step"_s, m.stepAfter ? QJsonValue(*m.stepAfter) : QJsonValue()},
            {u"delta"_s, delta ? QJsonValue(*delta) : QJsonValue()},
        });
    }
    return QJsonObject{
        {u"a"_s, summaryJson(diff.a)},
        {u"b"_s, summaryJson(diff.b)},
        {u"same_entry_point"_s, diff.sameEntryPoint()},
        {u"same_commit"_s, diff.sameCommit()},
        {u"params"_s, params},
        {u"metrics"_s, metrics},
    };
}

QString runDiffText(const RunDiff &diff, bool all)
{
    QString out = u"Runs %1 → %2\n"_s.arg(runLabel(diff.a), runLabel(diff.b));
    auto row = [&](const QString &label, const QString &x, const QString &y) {
        out += u"  %1%2%3%4\n"_s.arg(label.leftJustified(14), x.leftJustified(24),
                                     x == y ? u"  "_s : u"≠ "_s, y);
    };
    row(u"entry point"_s, diff.a.entryPoint, diff.b.entryPoint);
    row(u"status"_s, diff.a.status, diff.b.status);
    row(u"git commit"_s, commitLabel(diff.a), commitLabel(diff.b));
    row(u"duration"_s, durationLabel(diff.a.durationMs), durationLabel(diff.b.durationMs));

    auto width = [](const auto &list, auto key) {
        qsizetype w = 0;
        for (const auto &c : list)
            w = std::max(w, key(c).size());
        return int(w);
    };
    out += u"\nParameters: %1\n"_s.arg(counts(countOf(diff.params, ChangeKind::Changed),
                                              countOf(diff.params, ChangeKind::Added),
                                              countOf(diff.params, ChangeKind::Removed)));
    const int pw = width(diff.params, [](const ParamChange &c) { return c.key; });
    for (const ParamChange &p : diff.params) {
        if (p.kind == ChangeKind::Same && !all)
            continue;
        QString value;
        if (p.kind == ChangeKind::Changed)
            value = u"%1 → %2"_s.arg(*p.before, *p.after);
        else
            value = p.before.value_or(p.after.value_or(QString()));
        out += u"%1 %2  %3\n"_s.arg(QString(marker(p.kind)), p.key.leftJustified(pw), value);
    }
    out += u"\nMetrics (last values): %1\n"_s.arg(
        counts(countOf(diff.metrics, ChangeKind::Changed), countOf(diff.metrics, ChangeKind::Added),
               countOf(diff.metrics, ChangeKind::Removed)));
    const int mw = width(diff.metrics, [](const MetricChange &c) { return c.name; });
    for (const MetricChange &m : diff.metrics) {
        if (m.kind == ChangeKind::Same && !all)
            continue;
        QString value;
        if (m.kind == ChangeKind::Changed) {
            const auto delta = m.delta();
            value = u"%1 → %2"_s.arg(number(*m.before), number(*m.after));
            if (delta)
                value += u"  (%1%2)"_s.arg(*delta >= 0 ? u"+"_s : QString(), number(*delta));
        } else {
            value = number(m.before.value_or(m.after.value_or(0)));
        }
        out += u"%1 %2  %3\n"_s.arg(QString(marker(m.kind)), m.name.leftJustified(mw), value);
    }
    return out;
}

} // namespace cairn
