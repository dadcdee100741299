// Model gates evaluated on a run (docs/project-file.md, "Model gates"; docs/registry.md).

#include "gate.h"

#include "gatecondition.h"
#include "metrics/metricstore.h"
#include "project/yamlsupport.h"
#include "registry.h"
#include "runs/lineage.h"
#include "runs/runstore.h"

#include <QJsonArray>

#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn::registry {

namespace {

// The comparison that holds when `op` does not: shown for a failed condition.
QString negatedOpText(CompareOp op)
{
    switch (op) {
    case CompareOp::GreaterEqual:
        return u"<"_s;
    case CompareOp::Greater:
        return u"<="_s;
    case CompareOp::LessEqual:
        return u">"_s;
    case CompareOp::Less:
        return u">="_s;
    case CompareOp::Equal:
        return u"!="_s;
    case CompareOp::NotEqual:
        return u"=="_s;
    }
    return {};
}

QString formatValue(double v)
{
    if (std::isnan(v))
        return u"NaN"_s;
    const double a = std::abs(v);
    if (a == 0 || (a >= 1e-3 && a < 1e6))
        return QString::number(v, 'f', 4);
    return QString::number(v, 'g', 4);
}

QStringList entryPointNames(const Project &project)
{
    QStringList names;
    for (const EntryPoint &ep : project.entryPoints)
        names.append(ep.name);
    return names;
}

struct RunMetrics
{
    QHash<QString, LatestMetric> byName;
    QStringList names;
};

Result<RunMetrics> loadMetrics(Database &db, qint64 runId)
{
    auto latest = MetricStore(db).latest(runId);
    if (!latest)
        return fail(latest.error());
    RunMetrics m;
    for (const LatestMetric &l : *latest) {
        m.byName.insert(l.name, l);
        m.names.append(l.name);
    }
    m.names.sort();
    return m;
}

// The contents of `model`'s files that run `runId` left behind (lineage "after").
Result<QSet<QString>> modelHashesAfter(Database &db, const QString &model, qint64 runId)
{
    auto arts = runArtifacts(db, runId);
    if (!arts)
        return fail(arts.error());
    QSet<QString> hashes;
    for (const ArtifactRecord &a : *arts) {
        if (a.phase == u"after" && a.kind == u"model" && a.name == model)
            hashes.insert(a.hash);
    }
    return hashes;
}

// The newest finished run of `entry` (other than `runId`) whose parameters named a file of
// `model` holding one of `hashes`.
Result<std::optional<qint64>> entryRunUsing(Database &db, const QString &entry,
                                            const QString &model, const QSet<QString> &hashes,
                                            qint64 runId)
{
    if (hashes.isEmpty())
        return std::optional<qint64>();
    auto s = db.prepare(u"SELECT a.run_id, a.hash FROM artifacts a JOIN runs r ON r.id = a.run_id "
                        "WHERE r.entry_point = ?1 AND r.status = 'finished' AND a.phase = 'before' "
                        "AND a.kind = 'model' AND a.name = ?2 AND a.used = 1 AND a.run_id != ?3 "
                        "ORDER BY a.run_id DESC"_s);
    if (!s)
        return fail(s.error());
    s->bind(1, entry).bind(2, model).bind(3, runId);
    for (;;) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            return std::optional<qint64>();
        if (hashes.contains(s->text(1)))
            return std::optional<qint64>(s->int64(0));
    }
}

// The aliases some version of `model` ever took (a "set" in its history), sorted.
Result<QStringList> aliasesEverSet(Database &db, const QString &model)
{
    auto s = db.prepare(u"SELECT DISTINCT t.alias FROM model_transitions t JOIN registered_models "
                        "m ON m.id = t.model_id WHERE m.name = ?1 AND t.action = 'set' "
                        "ORDER BY t.alias"_s);
    if (!s)
        return fail(s.error());
    s->bind(1, model);
    QStringList out;
    for (;;) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            return out;
        out.append(s->text(0));
    }
}

// What one side of a condition came to.
struct Side
{
    double value = 0;
    QString shown; // "production.val_auc 0.8050 - 0.01"
    QString error; // why it has no value (the condition fails)
    QString skip;  // why it is not compared (the condition passes, skipped)
};

class Evaluator
{
public:
    Evaluator(const Project &project, Database &db, const QString &model, qint64 runId)
        : m_project(project)
        , m_db(db)
        , m_model(model)
        , m_runId(runId)
        , m_entries(entryPointNames(project))
    {}

    Result<void> init()
    {
        auto own = loadMetrics(m_db, m_runId);
        if (!own)
            return fail(own.error());
        m_own = std::move(*own);
        auto hashes = modelHashesAfter(m_db, m_model, m_runId);
        if (!hashes)
            return fail(hashes.error());
        m_hashes = std::move(*hashes);
        return ok();
    }

    ConditionResult evaluate(const GateCondition &condition)
    {
        ConditionResult r;
        r.condition = condition.text;
        r.location = condition.location;
        const auto parsed = parseGateCondition(condition.text);
        if (!parsed) {
            r.message = parsed.error().message;
            return r;
        }
        Side left = side(*parsed->left);
        Side right = side(*parsed->right);
        if (!left.error.isEmpty() || !right.error.isEmpty()) {
            if (left.error.isEmpty())
                r.left = left.value;
            if (right.error.isEmpty())
                r.right = right.value;
            r.message = !left.error.isEmpty() ? left.error : right.error;
            return r;
        }
        if (!left.skip.isEmpty() || !right.skip.isEmpty()) {
            r.passed = true;
            r.skipped = true;
            r.message = !left.skip.isEmpty() ? left.skip : right.skip;
            return r;
        }
        r.left = left.value;
        r.right = right.value;
        const QString op = compareOpText(parsed->op);
        if (std::isnan(left.value) || std::isnan(right.value)) {
            r.message = u"%1 %2 %3: NaN cannot be compared"_s.arg(left.shown, op, right.shown);
            return r;
        }
        r.passed = compare(left.value, parsed->op, right.value);
        // What holds: "val_auc 0.8123 >= 0.75" when it passed, "val_auc 0.6850 < 0.70" when not.
        r.message =
            u"%1 %2 %3"_s.arg(left.shown, r.passed ? op : negatedOpText(parsed->op), right.shown);
        return r;
    }

    Result<QJsonObject> snapshot()
    {
        QJsonObject out;
        for (const QString &name : std::as_const(m_own.names)) {
            const double v = m_own.byName.value(name).value;
            out.insert(name, std::isfinite(v) ? QJsonValue(v) : QJsonValue());
        }
        for (const QString &entry : std::as_const(m_entries)) {
            auto run = entryRun(entry);
            if (!run)
                return fail(run.error());
            if (!*run)
                continue;
            const RunMetrics *m = metricsOf(**run);
            if (!m)
                return fail(m_loadError);
            for (const QString &name : m->names) {
                const double v = m->byName.value(name).value;
                out.insert(entry + u'.' + name, std::isfinite(v) ? QJsonValue(v) : QJsonValue());
            }
        }
        return out;
    }

    // Each alias read so far, with the version holding it then (0: none).
    QMap<QString, int> aliasesRead() const
    {
        QMap<QString, int> out;
        for (auto it = m_aliasVersions.cbegin(); it != m_aliasVersions.cend(); ++it)
            out.insert(it.key(), it.value() ? it.value()->version : 0);
        return out;
    }

private:
    const Project &m_project;
    Database &m_db;
    QString m_model;
    qint64 m_runId;
    QStringList m_entries;
    RunMetrics m_own;
    QSet<QString> m_hashes;
    QHash<QString, std::optional<qint64>> m_entryRuns;
    QHash<qint64, RunMetrics> m_otherMetrics;
    QHash<QString, std::optional<ModelVersion>> m_aliasVersions;
    std::optional<QStringList> m_everSet; // aliasesEverSet(), read once
    Error m_loadError;

    // Why a condition naming `alias`, which no version holds now, is not compared (Side::skip),
    // or, for an alias no version ever held, why it fails (Side::error).
    Side unheld(const QString &alias)
    {
        Side s;
        if (alias == kProduction || alias == kStaging) {
            s.skip = u"no %1 version yet: not compared"_s.arg(alias);
            return s;
        }
        if (!m_everSet) {
            auto set = aliasesEverSet(m_db, m_model);
            if (!set) {
                s.error = set.error().message;
                return s;
            }
            m_everSet = *set;
        }
        if (m_everSet->contains(alias)) {
            s.skip = u"no version holds %1 now: not compared"_s.arg(alias);
            return s;
        }
        QStringList known{kProduction.toString(), kStaging.toString()};
        for (const QString &a : std::as_const(*m_everSet)) {
            if (!known.contains(a) && a != kArchived)
                known.append(a);
        }
        s.error = u"no version of %1 ever held the alias \"%2\""_s.arg(m_model, alias);
        if (const QString guess = closestMatch(alias, known); !guess.isEmpty())
            s.error += u" (did you mean \"%1\"?)"_s.arg(guess);
        return s;
    }

    Result<std::optional<qint64>> entryRun(const QString &entry)
    {
        if (const auto it = m_entryRuns.constFind(entry); it != m_entryRuns.cend())
            return *it;
        auto run = entryRunUsing(m_db, entry, m_model, m_hashes, m_runId);
        if (run)
            m_entryRuns.insert(entry, *run);
        return run;
    }

    const RunMetrics *metricsOf(qint64 runId)
    {
        if (const auto it = m_otherMetrics.constFind(runId); it != m_otherMetrics.cend())
            return &*it;
        auto m = loadMetrics(m_db, runId);
        if (!m) {
            m_loadError = m.error();
            return nullptr;
        }
        return &*m_otherMetrics.insert(runId, std::move(*m));
    }

    static QString missingMetric(const QString &who, const QString &name, const QStringList &has)
    {
        if (has.isEmpty())
            return u"%1 has no metric \"%2\"; it has none"_s.arg(who, name);
        const QString guess = closestMatch(name, has);
        const QString list =
            has.size() > 12 ? has.mid(0, 12).join(u", "_s) + u", …"_s : has.join(u", "_s);
        if (!guess.isEmpty())
            return u"%1 has no metric \"%2\" (did you mean \"%3\"?); it has: %4"_s.arg(who, name,
                                                                                       guess, list);
        return u"%1 has no metric \"%2\"; it has: %3"_s.arg(who, name, list);
    }

    static double aggregate(const LatestMetric &m, MetricRef::Aggregate a)
    {
        switch (a) {
        case MetricRef::Aggregate::Min:
            return m.min;
        case MetricRef::Aggregate::Max:
            return m.max;
        case MetricRef::Aggregate::Latest:
            break;
        }
        return m.value;
    }

    Side metric(const MetricRef &ref)
    {
        Side s;
        const ResolvedRef r = resolveMetricRef(ref, m_entries);
        switch (r.scope) {
        case ResolvedRef::Scope::Run: {
            const auto it = m_own.byName.constFind(r.metric);
            if (it == m_own.byName.cend()) {
                s.error = missingMetric(u"run #%1"_s.arg(m_runId), r.metric, m_own.names);
                return s;
            }
            s.value = aggregate(*it, r.aggregate);
            break;
        }
        case ResolvedRef::Scope::Entry: {
            auto run = entryRun(r.entry);
            if (!run) {
                s.error = run.error().message;
                return s;
            }
            if (!*run) {
                s.error = u"no finished run of entry point \"%1\" used the model run #%2 "
                          "wrote"_s.arg(r.entry, QString::number(m_runId));
                return s;
            }
            const RunMetrics *m = metricsOf(**run);
            if (!m) {
                s.error = m_loadError.message;
                return s;
            }
            const auto it = m->byName.constFind(r.metric);
            if (it == m->byName.cend()) {
                s.error = missingMetric(u"run #%1 (%2)"_s.arg(QString::number(**run), r.entry),
                                        r.metric, m->names);
                return s;
            }
            s.value = aggregate(*it, r.aggregate);
            break;
        }
        case ResolvedRef::Scope::Alias: {
            if (!m_aliasVersions.contains(r.alias)) {
                if (r.alias == kArchived) {
                    s.error = u"\"archived\" is held by any number of versions: compare with "
                              "production, staging or another alias"_s;
                    return s;
                }
                auto v = versionByAlias(m_db, m_model, r.alias);
                if (!v) {
                    s.error = v.error().message;
                    return s;
                }
                m_aliasVersions.insert(r.alias, *v);
            }
            const auto &v = m_aliasVersions[r.alias];
            if (!v)
                return unheld(r.alias);
            const QJsonValue value = v->metrics.value(r.metric);
            if (value.isUndefined()) {
                s.error =
                    missingMetric(u"version %1 (%2)"_s.arg(QString::number(v->version), r.alias),
                                  r.metric, v->metrics.keys());
                return s;
            }
            s.value = value.isDouble() ? value.toDouble() : std::nan("");
            break;
        }
        }
        s.shown = u"%1 %2"_s.arg(ref.text, formatValue(s.value));
        if (std::isnan(s.value))
            s.error = u"%1 is NaN"_s.arg(ref.text);
        return s;
    }

    // The expression with each metric's value after its name.
    Side side(const GateExpr &e)
    {
        Side s = expr(e);
        if (s.error.isEmpty() && s.skip.isEmpty() && e.kind != GateExpr::Kind::Metric &&
            e.kind != GateExpr::Kind::Number)
            s.shown = u"%1 (%2)"_s.arg(formatValue(s.value), s.shown);
        if (s.error.isEmpty() && s.skip.isEmpty() && !std::isfinite(s.value))
            s.error = u"%1 is not a finite number"_s.arg(s.shown);
        return s;
    }

    Side expr(const GateExpr &e)
    {
        Side s;
        switch (e.kind) {
        case GateExpr::Kind::Number:
            s.value = e.number;
            s.shown = e.text;
            break;
        case GateExpr::Kind::Metric:
            s = metric(e.ref);
            break;
        case GateExpr::Kind::Negate: {
            s = expr(*e.left);
            s.value = -s.value;
            s.shown = u"-"_s + s.shown;
            break;
        }
        case GateExpr::Kind::Binary: {
            const Side l = expr(*e.left);
            const Side r = expr(*e.right);
            if (!l.error.isEmpty() || !r.error.isEmpty()) {
                s.error = !l.error.isEmpty() ? l.error : r.error;
                return s;
            }
            if (!l.skip.isEmpty() || !r.skip.isEmpty()) {
                s.skip = !l.skip.isEmpty() ? l.skip : r.skip;
                return s;
            }
            const QChar op = e.op;
            s.value = op == u'+'   ? l.value + r.value
                      : op == u'-' ? l.value - r.value
                      : op == u'*' ? l.value * r.value
                                   : l.value / r.value;
            s.shown = u"%1 %2 %3"_s.arg(l.shown, QString(op), r.shown);
            break;
        }
        }
        if (e.parenthesized)
            s.shown = u"("_s + s.shown + u")"_s;
        return s;
    }
};

QString dataMessage(const validation::ValidationReport &report)
{
    const qsizetype total = report.rules.size();
    QStringList failed;
    for (const auto &rule : report.rules) {
        if (!rule.passed)
            failed.append(rule.message);
    }
    if (failed.isEmpty())
        return total == 1 ? u"1 rule passed"_s : u"%1 rules passed"_s.arg(total);
    return u"%1 of %2 rules failed: %3"_s.arg(QString::number(failed.size()),
                                              QString::number(total), failed.join(u"; "_s));
}

} // namespace

bool GateReport::passed() const
{
    if (!failure.isEmpty())
        return false;
    for (const ConditionResult &c : conditions) {
        if (!c.passed)
            return false;
    }
    for (const DataCheckResult &d : data) {
        if (!d.passed)
            return false;
    }
    return true;
}

Result<QJsonObject> metricsSnapshot(const Project &project, Database &db, const QString &model,
                                    qint64 runId)
{
    Evaluator e(project, db, model, runId);
    if (auto r = e.init(); !r)
        return fail(r.error());
    return e.snapshot();
}

// For a run imported from another tracker, what the gate can and cannot judge; empty for a
// run Cairn launched.
static Result<QString> importedFrom(Database &db, qint64 runId)
{
    auto q = db.prepare(u"SELECT source, source_run_id FROM imported_runs WHERE run_id = ?1");
    if (!q)
        return fail(q.error());
    auto row = q->bind(1, runId).step();
    if (!row)
        return fail(row.error());
    if (!*row)
        return QString();
    return u"run #%1 was imported from %2 (run %3): which files it wrote is not recorded, so the "
           "gate judges its metrics"_s.arg(QString::number(runId),
                                           q->text(0) == u"mlflow"_s ? u"MLflow"_s : q->text(0),
                                           q->text(1));
}

Result<GateReport> evaluateGate(const Project &project, Database &db, const QString &model,
                                qint64 runId, const Progress &progress)
{
    const ModelSpec *spec = project.model(model);
    if (!spec)
        return fail(Error(u"the project declares no model \"%1\""_s.arg(model))
                        .withHint(u"List the models with `cairn-cli project show`"_s));
    auto run = RunStore(db).get(runId);
    if (!run)
        return fail(run.error());

    GateReport report;
    report.model = model;
    report.runId = runId;
    report.evaluated = QDateTime::currentDateTime();
    report.declared = spec->gate.has_value();
    if (run->status != RunStatus::Finished) {
        report.failure = u"run #%1 %2: a gate passes only on a finished run"_s.arg(
            QString::number(runId), runStatusName(run->status));
    } else if (auto imported = importedFrom(db, runId); !imported) {
        return fail(imported.error());
    } else if (!imported->isEmpty()) {
        report.note = *imported;
    } else {
        auto wrote = runWroteModel(db, model, runId);
        if (!wrote)
            return fail(wrote.error());
        if (!*wrote)
            report.failure =
                u"run #%1 did not write %2's files: a gate judges the run that trained the "
                "model"_s.arg(QString::number(runId), model);
    }
    if (!spec->gate)
        return report;

    Evaluator evaluator(project, db, model, runId);
    if (auto r = evaluator.init(); !r)
        return fail(r.error());
    for (const GateCondition &c : spec->gate->conditions)
        report.conditions.append(evaluator.evaluate(c));
    report.aliasesRead = evaluator.aliasesRead();

    if (spec->gate->dataChecks) {
        auto arts = runArtifacts(db, runId);
        if (!arts)
            return fail(arts.error());
        QHash<QString, QString> after;
        for (const ArtifactRecord &a : *arts) {
            if (a.phase == u"after")
                after.insert(a.path, a.hash);
        }
        for (const ArtifactRecord &a : *arts) {
            if (a.phase != u"before" || a.kind != u"dataset" || !a.used)
                continue;
            const DatasetSpec *ds = project.dataset(a.name);
            if (!ds || !ds->checks)
                continue;
            DataCheckResult d;
            d.dataset = a.name;
            // What the run read: the run's own version unless it rewrote the file.
            d.version = after.value(a.path, a.hash) == a.hash
                            ? u"%1@run:%2"_s.arg(a.path, QString::number(runId))
                            : u"%1@%2"_s.arg(a.path, a.hash);
            auto v = validation::validateDataset(project, d.version, progress);
            if (!v) {
                d.message = u"could not be checked: %1"_s.arg(v.error().message);
            } else {
                d.passed = v->passed();
                d.message = dataMessage(*v);
                d.report = std::move(*v);
            }
            report.data.append(std::move(d));
        }
    }
    return report;
}

QJsonObject gateReportToJson(const GateReport &report)
{
    QJsonArray conditions;
    for (const ConditionResult &c : report.conditions) {
        QJsonObject o{{u"condition"_s, c.condition},    {u"line"_s, c.location.line},
                      {u"column"_s, c.location.column}, {u"passed"_s, c.passed},
                      {u"skipped"_s, c.skipped},        {u"message"_s, c.message}};
        o.insert(u"left"_s, c.left ? QJsonValue(*c.left) : QJsonValue());
        o.insert(u"right"_s, c.right ? QJsonValue(*c.right) : QJsonValue());
        conditions.append(o);
    }
    QJsonArray data;
    for (const DataCheckResult &d : report.data) {
        QJsonObject o{{u"dataset"_s, d.dataset},
                      {u"version"_s, d.version},
                      {u"passed"_s, d.passed},
                      {u"message"_s, d.message}};
        if (d.report)
            o.insert(u"report"_s, validation::validationReportToJson(*d.report));
        data.append(o);
    }
    QJsonObject out{{u"model"_s, report.model},
                    {u"run"_s, report.runId},
                    {u"evaluated"_s, report.evaluated.toUTC().toString(Qt::ISODateWithMs)},
                    {u"declared"_s, report.declared},
                    {u"passed"_s, report.passed()},
                    {u"conditions"_s, conditions},
                    {u"data"_s, data}};
    if (!report.failure.isEmpty())
        out.insert(u"failure"_s, report.failure);
    if (!report.note.isEmpty())
        out.insert(u"note"_s, report.note);
    return out;
}

GateReport gateReportFromJson(const QJsonObject &json)
{
    GateReport r;
    r.model = json.value(u"model"_s).toString();
    r.runId = json.value(u"run"_s).toInteger();
    r.evaluated = QDateTime::fromString(json.value(u"evaluated"_s).toString(), Qt::ISODateWithMs);
    r.declared = json.value(u"declared"_s).toBool();
    r.failure = json.value(u"failure"_s).toString();
    r.note = json.value(u"note"_s).toString();
    for (const QJsonValue &v : json.value(u"conditions"_s).toArray()) {
        const QJsonObject o = v.toObject();
        ConditionResult c;
        c.condition = o.value(u"condition"_s).toString();
        c.location = SourceLocation{o.value(u"line"_s).toInt(), o.value(u"column"_s).toInt()};
        c.passed = o.value(u"passed"_s).toBool();
        c.skipped = o.value(u"skipped"_s).toBool();
        if (o.value(u"left"_s).isDouble())
            c.left = o.value(u"left"_s).toDouble();
        if (o.value(u"right"_s).isDouble())
            c.right = o.value(u"right"_s).toDouble();
        c.message = o.value(u"message"_s).toString();
        r.conditions.append(c);
    }
    for (const QJsonValue &v : json.value(u"data"_s).toArray()) {
        const QJsonObject o = v.toObject();
        DataCheckResult d;
        d.dataset = o.value(u"dataset"_s).toString();
        d.version = o.value(u"version"_s).toString();
        d.passed = o.value(u"passed"_s).toBool();
        d.message = o.value(u"message"_s).toString();
        r.data.append(d);
    }
    return r;
}

QString gateReportToText(const GateReport &report)
{
    QStringList lines;
    lines.append(u"Gate of %1 on run #%2"_s.arg(report.model, QString::number(report.runId)));
    if (!report.failure.isEmpty())
        lines.append(u"FAIL  "_s + report.failure);
    if (!report.note.isEmpty())
        lines.append(u"NOTE  "_s + report.note);
    if (!report.declared) {
        lines.append(u"no gate declared for %1: nothing to check"_s.arg(report.model));
    } else {
        for (const ConditionResult &c : report.conditions) {
            const QString tag = c.skipped ? u"SKIP"_s : c.passed ? u"PASS"_s : u"FAIL"_s;
            lines.append(u"%1  %2: %3"_s.arg(tag, c.condition, c.message));
        }
        if (!report.data.isEmpty()) {
            lines.append(u"data checks:"_s);
            for (const DataCheckResult &d : report.data)
                lines.append(u"%1  %2 (%3): %4"_s.arg(d.passed ? u"PASS"_s : u"FAIL"_s, d.dataset,
                                                      d.version, d.message));
        }
    }
    lines.append(report.passed() ? u"gate passed"_s : u"gate failed"_s);
    return lines.join(u'\n') + u'\n';
}

} // namespace cairn::registry
