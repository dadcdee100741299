#include "runjson.h"

#include "runstore.h"

#include <QJsonArray>
#include <QLocale>

#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn {

QJsonValue metricValueToJson(double value)
{
    if (std::isnan(value))
        return u"NaN"_s;
    if (std::isinf(value))
        return value > 0 ? u"Infinity"_s : u"-Infinity"_s;
    return value;
}

Result<RunDetails> loadRunDetails(Database &db, qint64 runId)
{
    RunDetails d;
    auto run = RunStore(db).get(runId);
    if (!run)
        return fail(run.error());
    d.run = *run;
    auto metrics = MetricStore(db).latest(runId);
    if (!metrics)
        return fail(metrics.error());
    d.metrics = *metrics;
    auto artifacts = runArtifacts(db, runId);
    if (!artifacts)
        return fail(artifacts.error());
    d.artifacts = *artifacts;
    auto q = db.prepare(u"SELECT source, source_run_id, store, experiment_id, experiment_name, "
                        "source_status FROM imported_runs WHERE run_id = ?1");
    if (!q)
        return fail(q.error());
    if (auto row = q->bind(1, runId).step(); !row)
        return fail(row.error());
    else if (*row) {
        d.imported = ImportedFrom{q->text(0), q->text(1), q->text(2), q->text(3),
                                  q->text(4), q->text(5), {}};
        auto t = db.prepare(u"SELECT key, value FROM tags WHERE run_id = ?1 ORDER BY key");
        if (!t)
            return fail(t.error());
        t->bind(1, runId);
        while (t->step().value_or(false))
            d.imported->tags.append({t->text(0), t->text(1)});
    }
    return d;
}

static QJsonValue timeJson(const QDateTime &t)
{
    return t.isValid() ? QJsonValue(t.toString(Qt::ISODateWithMs)) : QJsonValue();
}

QJsonObject runToJson(const RunRecord &r)
{
    QJsonObject o;
    o.insert(u"id"_s, r.id);
    o.insert(u"uuid"_s, r.uuid);
    if (!r.name.isEmpty())
        o.insert(u"name"_s, r.name);
    o.insert(u"entry_point"_s, r.entryPoint);
    o.insert(u"status"_s, runStatusName(r.status));
    o.insert(u"command"_s, r.command);
    o.insert(u"working_dir"_s, r.workingDir);
    o.insert(u"created"_s, timeJson(r.created));
    o.insert(u"started"_s, timeJson(r.started));
    o.insert(u"ended"_s, timeJson(r.ended));
    o.insert(u"duration_ms"_s, r.durationMs());
    o.insert(u"exit_code"_s, r.exitCode ? QJsonValue(*r.exitCode) : QJsonValue());
    o.insert(u"exit_signal"_s, r.exitSignal ? QJsonValue(*r.exitSignal) : QJsonValue());
    if (!r.error.isEmpty())
        o.insert(u"error"_s, r.error);
    if (!r.note.isEmpty())
        o.insert(u"note"_s, r.note);
    QJsonObject params;
    for (const auto &[k, v] : r.params)
        params.insert(k, v);
    o.insert(u"params"_s, params);
    if (!r.gitCommit.isEmpty()) {
        QJsonObject git;
        git.insert(u"commit"_s, r.gitCommit);
        git.insert(u"branch"_s, r.gitBranch);
        git.insert(u"dirty"_s, r.gitDirty.value_or(false));
        git.insert(u"remote"_s, r.gitRemote);
        o.insert(u"git"_s, git);
    }
    if (r.reproduces)
        o.insert(u"reproduces"_s, *r.reproduces);
    return o;
}

QJsonObject runDetailsToJson(const RunDetails &d)
{
    QJsonObject o = runToJson(d.run);
    QJsonObject metrics;
    for (const LatestMetric &m : d.metrics) {
        QJsonObject mo;
        mo.insert(u"value"_s, metricValueToJson(m.value));
        mo.insert(u"step"_s, m.step);
        mo.insert(u"timestamp"_s, m.timestampMs);
        mo.insert(u"min"_s, metricValueToJson(m.min));
        mo.insert(u"max"_s, metricValueToJson(m.max));
        mo.insert(u"count"_s, m.count);
        metrics.insert(m.name, mo);
    }
    o.insert(u"metrics"_s, metrics);
    QJsonArray lineage;
    for (const ArtifactRecord &a : d.artifacts) {
        QJsonObject ao;
        ao.insert(u"phase"_s, a.phase);
        ao.insert(u"kind"_s, a.kind);
        ao.insert(u"name"_s, a.name);
        ao.insert(u"path"_s, a.path);
        ao.insert(u"size"_s, a.size);
        ao.insert(u"hash"_s, a.hash);
        ao.insert(u"used"_s, a.used);
        lineage.append(ao);
    }
    o.insert(u"lineage"_s, lineage);
    if (d.imported) {
        const ImportedFrom &i = *d.imported;
        QJsonObject tags;
        for (const auto &[k, v] : i.tags)
            tags.insert(k, v);
        o.insert(u"imported"_s, QJsonObject{{u"source"_s, i.source},
                                            {u"run_id"_s, i.sourceRunId},
                                            {u"store"_s, i.store},
                                            {u"experiment_id"_s, i.experimentId},
                                            {u"experiment"_s, i.experimentName},
                                            {u"status"_s, i.sourceStatus},
                                            {u"tags"_s, tags}});
    }
    return o;
}

QString runDetailsToText(const RunDetails &d)
{
    const RunRecord &r = d.run;
    const QLocale c = QLocale::c();
    QString out;
    out += u"Run %1%2 — %3\n"_s.arg(r.id).arg(
        r.name.isEmpty() ? QString() : u" \""_s + r.name + u'"', runStatusName(r.status));
    if (r.exitCode)
        out += u"  exit code  %1\n"_s.arg(*r.exitCode);
    if (r.exitSignal)
        out += u"  signal     %1\n"_s.arg(*r.exitSignal);
    if (!r.error.isEmpty())
        out += u"  note       %1\n"_s.arg(r.error);
    if (d.imported) {
        const ImportedFrom &i = *d.imported;
        out +=
            u"  imported   from %1 run %2 (%3)\n  store      %4\n  experiment %5 (id %6)\n"_s.arg(
                i.source == u"mlflow"_s ? u"MLflow"_s : i.source, i.sourceRunId, i.sourceStatus,
                i.store, i.experimentName, i.experimentId);
        if (!r.command.isEmpty())
            out += u"  source     %1\n"_s.arg(r.command);
    } else {
        out += u"  entry      %1\n  command    %2\n  directory  %3\n"_s.arg(r.entryPoint, r.command,
                                                                            r.workingDir);
    }
    if (r.started.isValid())
        out +=
            u"  started    %1 (%2 ms)\n"_s.arg(r.started.toString(Qt::ISODate)).arg(r.durationMs());
    if (!r.gitCommit.isEmpty())
        out += u"  code       %1 @ %2%3\n"_s.arg(
            r.gitBranch.isEmpty() ? u"(detached)"_s : r.gitBranch, r.gitCommit.left(12),
            r.gitDirty.value_or(false) ? u" + uncommitted changes (git.patch)"_s : QString());
    if (r.reproduces)
        out += u"  reproduces run %1\n"_s.arg(*r.reproduces);
    if (!r.params.isEmpty()) {
        out += u"\nParameters\n"_s;
        for (const auto &[k, v] : r.params)
            out += u"  %1 = %2\n"_s.arg(k, v);
    }
    if (d.imported && !d.imported->tags.isEmpty()) {
        out += u"\nTags\n"_s;
        for (const auto &[k, v] : d.imported->tags) {
            QString shown = v.simplified();
            if (shown.size() > 100)
                shown = shown.left(97) + u"..."_s;
            out += u"  %1 = %2\n"_s.arg(k, shown);
        }
    }
    if (!d.metrics.isEmpty()) {
        out += u"\nMetrics (latest, min, max, count)\n"_s;
        for (const LatestMetric &m : d.metrics)
            out += u"  %1  %2 at step %3  [%4, %5]  %6\n"_s.arg(m.name)
                       .arg(c.toString(m.value, 'g', 6))
                       .arg(m.step)
                       .arg(c.toString(m.min, 'g', 6), c.toString(m.max, 'g', 6))
                       .arg(m.count);
    }
    if (!d.artifacts.isEmpty()) {
        out += u"\nLineage\n"_s;
        for (const ArtifactRecord &a : d.artifacts)
            out += u"  %1 %2 %3 %4  %5  %6%7\n"_s.arg(a.phase, -6)
                       .arg(a.kind, -7)
                       .arg(a.name, a.path, a.hash.mid(7, 16), c.formattedDataSize(a.size),
                            a.used ? u"  (used)"_s : QString());
    }
    return out;
}

Result<qint64> resolveRunId(Database &db, const QString &text)
{
    const QString t = text.trimmed();
    if (t == u"last"_s || t == u"latest"_s) {
        auto s = db.prepare(u"SELECT max(id) FROM runs");
        if (s && s->step().value_or(false) && !s->isNull(0))
            return s->int64(0);
        return fail(Error(u"there are no runs yet"_s));
    }
    bool isNumber = false;
    const qint64 id = t.toLongLong(&isNumber);
    if (isNumber) {
        auto s = db.prepare(u"SELECT 1 FROM runs WHERE id = ?1");
        if (s && s->bind(1, id).step().value_or(false))
            return id;
        return fail(Error(u"there is no run %1 in this project"_s.arg(id))
                        .withHint(u"List the runs with `cairn-cli runs`"_s));
    }
    auto s = db.prepare(u"SELECT id FROM runs WHERE uuid LIKE ?1 || '%' LIMIT 2");
    if (!s)
        return fail(s.error());
    s->bind(1, t.toLower());
    QList<qint64> ids;
    while (s->step().value_or(false))
        ids.append(s->int64(0));
    if (ids.size() == 1 && t.size() >= 4)
        return ids.first();
    return fail(Error(u"\"%1\" names no run"_s.arg(t))
                    .withHint(u"Give a run number (see `cairn-cli runs`), `last`, or at least four "
                              "characters of its uuid"_s));
}

} // namespace cairn
