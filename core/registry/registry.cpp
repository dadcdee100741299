// The model registry over the schema v5 tables (store/projectdb.cpp): registered_models,
// model_versions, model_aliases, model_transitions. docs/registry.md says what users see.

#include "registry.h"

#include "runs/lineage.h"
#include "runs/runstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace cairn::registry {

namespace {

QDateTime fromMs(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms);
}

QString currentUser()
{
    QString user = qEnvironmentVariable("USER");
    if (user.isEmpty())
        user = qEnvironmentVariable("LOGNAME");
    return user;
}

QByteArray toJsonText(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}
QByteArray toJsonText(const QJsonArray &a)
{
    return QJsonDocument(a).toJson(QJsonDocument::Compact);
}

int aliasRank(const QString &alias)
{
    if (alias == kProduction)
        return 0;
    if (alias == kStaging)
        return 1;
    if (alias == kArchived)
        return 3;
    return 2;
}

void sortAliases(QStringList &aliases)
{
    std::sort(aliases.begin(), aliases.end(), [](const QString &a, const QString &b) {
        const int ra = aliasRank(a), rb = aliasRank(b);
        return ra != rb ? ra < rb : a < b;
    });
}

Result<std::optional<qint64>> modelId(Database &db, const QString &model)
{
    auto s = db.prepare(u"SELECT id FROM registered_models WHERE name = ?1"_s);
    if (!s)
        return fail(s.error());
    s->bind(1, model);
    auto row = s->step();
    if (!row)
        return fail(row.error());
    if (!*row)
        return std::optional<qint64>();
    return std::optional<qint64>(s->int64(0));
}

Error notRegistered(const QString &model)
{
    return Error(u"model \"%1\" has no registered version"_s.arg(model))
        .withHint(u"Register a run's model first: cairn-cli register %1 --run RUN"_s.arg(model));
}

const QString kVersionColumns =
    u"m.name, v.version, v.created_ms, v.run_id, r.entry_point, v.files, v.metrics, "
    "v.datasets, v.gate_report, v.note, v.model_id "
    "FROM model_versions v JOIN registered_models m ON m.id = v.model_id "
    "LEFT JOIN runs r ON r.id = v.run_id "_s;

ModelVersion readVersion(const Statement &s)
{
    ModelVersion v;
    v.model = s.text(0);
    v.version = int(s.int64(1));
    v.created = fromMs(s.int64(2));
    v.runId = s.optionalInt64(3);
    v.entryPoint = s.text(4);
    for (const QJsonValue &f : QJsonDocument::fromJson(s.text(5).toUtf8()).array()) {
        const QJsonObject o = f.toObject();
        v.files.append(VersionFile{o.value(u"path"_s).toString(), o.value(u"hash"_s).toString(),
                                   o.value(u"size"_s).toInteger()});
    }
    v.metrics = QJsonDocument::fromJson(s.text(6).toUtf8()).object();
    for (const QJsonValue &d : QJsonDocument::fromJson(s.text(7).toUtf8()).array()) {
        const QJsonObject o = d.toObject();
        v.datasets.append(DatasetUse{o.value(u"name"_s).toString(), o.value(u"path"_s).toString(),
                                     o.value(u"hash"_s).toString()});
    }
    v.gate = gateReportFromJson(QJsonDocument::fromJson(s.text(8).toUtf8()).object());
    v.note = s.text(9);
    return v;
}

Result<QStringList> aliasesOf(Database &db, qint64 id, int version)
{
    auto s = db.prepare(u"SELECT alias FROM model_aliases WHERE model_id = ?1 AND version = ?2"_s);
    if (!s)
        return fail(s.error());
    s->bind(1, id).bind(2, version);
    QStringList out;
    for (;;) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        out.append(s->text(0));
    }
    sortAliases(out);
    return out;
}

Result<QList<ModelVersion>> queryVersions(Database &db, const QString &where,
                                          const std::function<void(Statement &)> &bind)
{
    auto s = db.prepare(u"SELECT "_s + kVersionColumns + where);
    if (!s)
        return fail(s.error());
    bind(*s);
    QList<ModelVersion> out;
    QList<qint64> ids;
    for (;;) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        out.append(readVersion(*s));
        ids.append(s->int64(10));
    }
    for (qsizetype i = 0; i < out.size(); ++i) {
        auto a = aliasesOf(db, ids.at(i), out.at(i).version);
        if (!a)
            return fail(a.error());
        out[i].aliases = *a;
    }
    return out;
}

// Records one transition; returns it as recorded.
Result<Transition> recordTransition(Database &db, qint64 id, Transition t,
                                    const std::optional<GateReport> &gate)
{
    auto s = db.prepare(
        u"INSERT INTO model_transitions (model_id, version, alias, action, previous_version, "
        "ms, gate_passed, overridden, reason, user, gate_report) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"_s);
    if (!s)
        return fail(s.error());
    t.when = QDateTime::currentDateTime();
    t.user = currentUser();
    s->bind(1, id).bind(2, t.version).bind(3, t.alias).bind(4, t.action);
    s->bind(5, t.previousVersion).bind(6, t.when.toMSecsSinceEpoch()).bind(7, t.gatePassed);
    s->bind(8, t.overridden).bind(9, t.reason).bind(10, t.user);
    if (gate)
        s->bind(11, QString::fromUtf8(toJsonText(gateReportToJson(*gate))));
    else
        s->bindNull(11);
    if (auto r = s->exec(); !r)
        return fail(r.error());
    t.id = db.lastInsertId();
    return t;
}

Result<void> exec(Database &db, const QString &sql, const std::function<void(Statement &)> &bind)
{
    auto s = db.prepare(sql);
    if (!s)
        return fail(s.error());
    bind(*s);
    return s->exec();
}

// Whether one run's lineage shows it wrote one of `model`'s files (registry.h, runWroteModel()).
bool wroteModel(const QList<ArtifactRecord> &arts, const QString &model)
{
    QHash<QString, QString> before;
    for (const ArtifactRecord &a : arts) {
        if (a.phase == u"before" && a.kind == u"model" && a.name == model)
            before.insert(a.path, a.hash);
    }
    for (const ArtifactRecord &a : arts) {
        if (a.phase != u"after" || a.kind != u"model" || a.name != model)
            continue;
        const auto it = before.constFind(a.path);
        if (it == before.cend() || *it != a.hash)
            return true;
    }
    return false;
}

// The runs that wrote the contents `after` holds (each file's newest writer), newest first, as
// "run #6 (train)"; and the newest one's id.
Result<std::pair<QStringList, qint64>> writersOf(Database &db, const QString &model,
                                                 const QList<ArtifactRecord> &after)
{
    auto s = db.prepare(
        u"SELECT a.run_id, r.entry_point FROM artifacts a JOIN runs r ON r.id = a.run_id "
        "LEFT JOIN artifacts b ON b.run_id = a.run_id AND b.phase = 'before' AND b.path = a.path "
        "WHERE a.phase = 'after' AND a.kind = 'model' AND a.name = ?1 AND a.path = ?2 AND "
        "a.hash = ?3 AND (b.hash IS NULL OR b.hash <> a.hash) ORDER BY a.run_id DESC LIMIT 1"_s);
    if (!s)
        return fail(s.error());
    QMap<qint64, QString> runs;
    for (const ArtifactRecord &a : after) {
        s->reset();
        s->bind(1, model).bind(2, a.path).bind(3, a.hash);
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (*row)
            runs.insert(s->int64(0), s->text(1));
    }
    QStringList names;
    for (auto it = runs.cbegin(); it != runs.cend(); ++it)
        names.prepend(u"run #%1 (%2)"_s.arg(QString::number(it.key()), it.value()));
    return std::pair(names, runs.isEmpty() ? qint64(0) : runs.lastKey());
}

// The version holding `alias` now (the newest, for `archived`), 0 when none does.
Result<int> holderOf(Database &db, qint64 modelKey, const QString &alias)
{
    auto s =
        db.prepare(u"SELECT MAX(version) FROM model_aliases WHERE model_id = ?1 AND alias = ?2"_s);
    if (!s)
        return fail(s.error());
    s->bind(1, modelKey).bind(2, alias);
    auto row = s->step();
    if (!row)
        return fail(row.error());
    const auto v = *row ? s->optionalInt64(0) : std::nullopt;
    return v ? int(*v) : 0;
}

QString failedConditions(const GateReport &report)
{
    QStringList lines;
    if (!report.failure.isEmpty())
        lines.append(u"  "_s + report.failure);
    for (const ConditionResult &c : report.conditions) {
        if (!c.passed)
            lines.append(u"  %1: %2"_s.arg(c.condition, c.message));
    }
    for (const DataCheckResult &d : report.data) {
        if (!d.passed)
            lines.append(u"  data checks of %1 (%2): %3"_s.arg(d.dataset, d.version, d.message));
    }
    return lines.join(u'\n');
}

} // namespace

static const QString &overrideHint()
{
    static const QString hint =
        u"Pass --reason \"why\" to promote anyway; the reason is recorded"_s;
    return hint;
}

bool isGateRefusal(const Error &error)
{
    return error.hint == overrideHint();
}

QString checkAliasName(const QString &alias)
{
    static const QRegularExpression re(u"^[a-z][a-z0-9_-]*$"_s);
    if (alias.isEmpty())
        return u"the alias is empty"_s;
    if (alias == u"latest")
        return u"\"latest\" is not an alias: it always means the newest version"_s;
    if (alias.size() > 64)
        return u"the alias \"%1\" is longer than 64 characters"_s.arg(alias);
    if (!re.match(alias).hasMatch())
        return u"the alias \"%1\" may only use lower-case letters, digits, '-' and '_', and "
               "must start with a letter"_s.arg(alias);
    return {};
}

Result<QList<RegisteredModel>> listModels(Database &db)
{
    auto s = db.prepare(u"SELECT id, name, created_ms FROM registered_models ORDER BY name"_s);
    if (!s)
        return fail(s.error());
    QList<RegisteredModel> models;
    QList<qint64> ids;
    for (;;) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        RegisteredModel m;
        m.name = s->text(1);
        m.created = fromMs(s->int64(2));
        models.append(m);
        ids.append(s->int64(0));
    }
    for (qsizetype i = 0; i < models.size(); ++i) {
        const qint64 id = ids.at(i);
        auto versions = queryVersions(db, u"WHERE v.model_id = ?1 ORDER BY v.version DESC"_s,
                                      [id](Statement &st) { st.bind(1, id); });
        if (!versions)
            return fail(versions.error());
        models[i].versions = *versions;
        for (const ModelVersion &v : std::as_const(models[i].versions)) {
            for (const QString &a : v.aliases)
                models[i].aliases[a].append(v.version);
        }
    }
    return models;
}

Result<ModelVersion> modelVersion(Database &db, const QString &model, int version)
{
    auto versions = queryVersions(db, u"WHERE m.name = ?1 AND v.version = ?2"_s,
                                  [&](Statement &st) { st.bind(1, model).bind(2, version); });
    if (!versions)
        return fail(versions.error());
    if (versions->isEmpty()) {
        auto id = modelId(db, model);
        if (!id)
            return fail(id.error());
        if (!*id)
            return fail(notRegistered(model));
        return fail(Error(u"model \"%1\" has no version %2"_s.arg(model, QString::number(version)))
                        .withHint(u"List its versions with `cairn-cli models %1`"_s.arg(model)));
    }
    return versions->first();
}

Result<std::optional<ModelVersion>> versionByAlias(Database &db, const QString &model,
                                                   const QString &alias)
{
    auto versions =
        queryVersions(db,
                      u"JOIN model_aliases a ON a.model_id = v.model_id AND a.version = v.version "
                      "WHERE m.name = ?1 AND a.alias = ?2 ORDER BY v.version DESC LIMIT 1"_s,
                      [&](Statement &st) { st.bind(1, model).bind(2, alias); });
    if (!versions)
        return fail(versions.error());
    if (versions->isEmpty())
        return std::optional<ModelVersion>();
    return std::optional<ModelVersion>(versions->first());
}

Result<QList<Transition>> history(Database &db, const QString &model)
{
    auto s =
        db.prepare(u"SELECT t.id, m.name, t.version, t.alias, t.action, t.previous_version, t.ms, "
                   "t.gate_passed, t.overridden, t.reason, t.user "
                   "FROM model_transitions t JOIN registered_models m ON m.id = t.model_id "
                   "WHERE ?1 = '' OR m.name = ?1 ORDER BY t.id DESC"_s);
    if (!s)
        return fail(s.error());
    s->bind(1, model);
    QList<Transition> out;
    for (;;) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        Transition t;
        t.id = s->int64(0);
        t.model = s->text(1);
        t.version = int(s->int64(2));
        t.alias = s->text(3);
        t.action = s->text(4);
        if (const auto p = s->optionalInt64(5))
            t.previousVersion = int(*p);
        t.when = fromMs(s->int64(6));
        if (const auto g = s->optionalInt64(7))
            t.gatePassed = *g != 0;
        t.overridden = s->int64(8) != 0;
        t.reason = s->text(9);
        t.user = s->text(10);
        out.append(t);
    }
    return out;
}

Result<bool> runWroteModel(Database &db, const QString &model, qint64 runId)
{
    auto arts = runArtifacts(db, runId);
    if (!arts)
        return fail(arts.error());
    return wroteModel(*arts, model);
}

Result<QList<qint64>> runsThatWrote(Database &db, const Project &project, const QString &model,
                                    int limit)
{
    if (!project.model(model))
        return fail(Error(u"the project declares no model \"%1\""_s.arg(model))
                        .withHint(u"List the models with `cairn-cli project show`"_s));
    auto s = db.prepare(
        u"SELECT DISTINCT a.run_id FROM artifacts a JOIN runs r ON r.id = a.run_id "
        "LEFT JOIN artifacts b ON b.run_id = a.run_id AND b.phase = 'before' AND b.path = a.path "
        "WHERE a.phase = 'after' AND a.kind = 'model' AND a.name = ?1 AND r.status = 'finished' "
        "AND (b.hash IS NULL OR b.hash <> a.hash) ORDER BY a.run_id DESC LIMIT ?2"_s);
    if (!s)
        return fail(s.error());
    s->bind(1, model).bind(2, limit > 0 ? qint64(limit) : qint64(-1));
    QList<qint64> out;
    for (;;) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            return out;
        out.append(s->int64(0));
    }
}

Result<ModelVersion> registerVersion(const Project &project, Database &db, const QString &model,
                                     qint64 runId, const QString &note)
{
    const ModelSpec *spec = project.model(model);
    if (!spec)
        return fail(Error(u"the project declares no model \"%1\""_s.arg(model))
                        .withHint(u"Declare it under `models:` in cairn.yaml, or list the models "
                                  "with `cairn-cli project show`"_s));
    auto run = RunStore(db).get(runId);
    if (!run)
        return fail(run.error());
    if (run->status != RunStatus::Finished)
        return fail(Error(u"run #%1 %2: only a finished run's model can be registered"_s.arg(
                              QString::number(runId), runStatusName(run->status)))
                        .withHint(u"Register a run that finished"_s));
    auto arts = runArtifacts(db, runId);
    if (!arts)
        return fail(arts.error());

    ModelVersion v;
    v.model = model;
    v.runId = runId;
    v.entryPoint = run->entryPoint;
    v.note = note;
    QList<ArtifactRecord> after;
    for (const ArtifactRecord &a : *arts) {
        if (a.phase == u"after" && a.kind == u"model" && a.name == model)
            after.append(a);
        if (a.phase == u"before" && a.kind == u"dataset" && a.used)
            v.datasets.append(DatasetUse{a.name, a.path, a.hash});
    }
    if (after.isEmpty()) {
        // Which run wrote them, if any: the newest finished one.
        auto writer = runsThatWrote(db, project, model, 1);
        if (!writer)
            return fail(writer.error());
        Error e(u"run #%1 recorded no file of model \"%2\" (%3)"_s.arg(
            QString::number(runId), model, spec->paths.join(u", "_s)));
        if (!writer->isEmpty())
            e.hint = u"Run #%1 wrote them: cairn-cli register %2 --run %1"_s.arg(
                QString::number(writer->first()), model);
        else
            e.hint = u"No run has written them yet: run the entry point that trains the model"_s;
        return fail(e);
    }
    // Every run records the declared files as it left them, written or not: an evaluation run
    // (or a pipeline's `cairn gate`) has "after" records of the model it only read.
    if (!wroteModel(*arts, model)) {
        auto writers = writersOf(db, model, after);
        if (!writers)
            return fail(writers.error());
        Error e(u"run #%1 (%2) did not write %3's files"_s.arg(QString::number(runId),
                                                               run->entryPoint, model));
        if (!writers->first.isEmpty()) {
            e.message += u"; %1 did"_s.arg(writers->first.join(u", "_s));
            e.hint = u"Register the run that wrote them: cairn-cli register %1 --run %2"_s.arg(
                model, QString::number(writers->second));
        } else {
            e.message += u"; no recorded run wrote their current content"_s;
            e.hint = u"Register the run that trained the model"_s;
        }
        return fail(e);
    }
    std::sort(after.begin(), after.end(),
              [](const ArtifactRecord &a, const ArtifactRecord &b) { return a.path < b.path; });
    ContentHasher hasher;
    QJsonArray files;
    for (const ArtifactRecord &a : std::as_const(after)) {
        hasher.add(a.path.toUtf8());
        hasher.add(QByteArrayView("\0", 1));
        hasher.add(a.hash.toUtf8());
        hasher.add("\n");
        v.files.append(VersionFile{a.path, a.hash, a.size});
        files.append(QJsonObject{{u"path"_s, a.path}, {u"hash"_s, a.hash}, {u"size"_s, a.size}});
    }
    const QString contentHash = hasher.result();
    QJsonArray datasets;
    for (const DatasetUse &d : std::as_const(v.datasets))
        datasets.append(QJsonObject{{u"name"_s, d.name}, {u"path"_s, d.path}, {u"hash"_s, d.hash}});

    const auto alreadyRegistered = [&]() -> Result<std::optional<int>> {
        auto s =
            db.prepare(u"SELECT v.version FROM model_versions v JOIN registered_models m ON m.id = "
                       "v.model_id WHERE m.name = ?1 AND v.content_hash = ?2"_s);
        if (!s)
            return fail(s.error());
        s->bind(1, model).bind(2, contentHash);
        auto row = s->step();
        if (!row)
            return fail(row.error());
        return *row ? std::optional<int>(int(s->int64(0))) : std::optional<int>();
    };
    const auto duplicate = [&](int version) {
        return Error(u"the model \"%1\" run #%2 wrote is already registered as version %3"_s.arg(
                         model, QString::number(runId), QString::number(version)))
            .withHint(u"Promote that version: cairn-cli promote %1 %2 --to staging"_s.arg(
                model, QString::number(version)));
    };
    if (auto dup = alreadyRegistered(); !dup)
        return fail(dup.error());
    else if (*dup)
        return fail(duplicate(**dup));

    auto metrics = metricsSnapshot(project, db, model, runId);
    if (!metrics)
        return fail(metrics.error());
    v.metrics = *metrics;
    auto gate = evaluateGate(project, db, model, runId);
    if (!gate)
        return fail(gate.error());
    v.gate = *gate;

    Transaction tx(db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    if (auto dup = alreadyRegistered(); !dup)
        return fail(dup.error());
    else if (*dup)
        return fail(duplicate(**dup));
    v.created = QDateTime::currentDateTime();
    if (auto r =
            exec(db,
                 u"INSERT INTO registered_models (name, created_ms) VALUES (?1, ?2) "
                 "ON CONFLICT (name) DO NOTHING"_s,
                 [&](Statement &s) { s.bind(1, model).bind(2, v.created.toMSecsSinceEpoch()); });
        !r)
        return fail(r.error());
    auto id = modelId(db, model);
    if (!id)
        return fail(id.error());
    auto next = db.prepare(
        u"SELECT COALESCE(MAX(version), 0) + 1 FROM model_versions WHERE model_id = ?1"_s);
    if (!next)
        return fail(next.error());
    next->bind(1, **id);
    if (auto row = next->step(); !row)
        return fail(row.error());
    v.version = int(next->int64(0));
    if (auto r = exec(db,
                      u"INSERT INTO model_versions (model_id, version, created_ms, run_id, files, "
                      "content_hash, metrics, datasets, gate_report, gate_passed, note) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"_s,
                      [&](Statement &s) {
                          s.bind(1, **id).bind(2, v.version);
                          s.bind(3, v.created.toMSecsSinceEpoch()).bind(4, runId);
                          s.bind(5, QString::fromUtf8(toJsonText(files)));
                          s.bind(6, contentHash);
                          s.bind(7, QString::fromUtf8(toJsonText(v.metrics)));
                          s.bind(8, QString::fromUtf8(toJsonText(datasets)));
                          s.bind(9, QString::fromUtf8(toJsonText(gateReportToJson(v.gate))));
                          s.bind(10, v.gate.passed()).bind(11, note);
                      });
        !r)
        return fail(r.error());
    Transition t;
    t.model = model;
    t.version = v.version;
    t.action = u"register"_s;
    t.gatePassed = v.gate.passed();
    t.reason = note;
    if (auto r = recordTransition(db, **id, t, v.gate); !r)
        return fail(r.error());
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    return v;
}

Result<PreparedPromotion> preparePromotion(const Project &project, Database &db,
                                           const PromoteRequest &request)
{
    if (const QString bad = checkAliasName(request.alias); !bad.isEmpty())
        return fail(Error(bad).withHint(
            u"Use production, staging, archived, or a name such as champion"_s));
    auto version = modelVersion(db, request.model, request.version);
    if (!version)
        return fail(version.error());
    if (version->aliases.contains(request.alias))
        return fail(Error(u"version %1 of model \"%2\" already holds \"%3\""_s.arg(
            QString::number(request.version), request.model, request.alias)));

    PreparedPromotion p;
    p.request = request;
    Transition &t = p.transition;
    t.model = request.model;
    t.version = request.version;
    t.alias = request.alias;
    t.action = u"set"_s;
    t.reason = request.reason.trimmed();
    if (request.alias == kArchived)
        return p;
    if (version->runId) {
        auto g = evaluateGate(project, db, request.model, *version->runId);
        if (!g)
            return fail(g.error());
        p.gate = *g;
    } else {
        GateReport g;
        g.model = request.model;
        g.evaluated = QDateTime::currentDateTime();
        g.declared = project.model(request.model) && project.model(request.model)->gate;
        g.failure = u"version %1 has no run (it was registered without one, or its run was "
                    "deleted): its gate cannot be evaluated"_s.arg(request.version);
        p.gate = g;
    }
    const GateReport &gate = *p.gate;
    t.gatePassed = gate.passed();
    if (!gate.passed()) {
        if (t.reason.isEmpty())
            return fail(
                Error(u"the gate of model \"%1\" failed on version %2 (run #%3); \"%4\" was "
                      "not moved:\n%5"_s.arg(request.model, QString::number(request.version),
                                             version->runId ? QString::number(*version->runId)
                                                            : u"none"_s,
                                             request.alias, failedConditions(gate)))
                    .withHint(overrideHint()));
        t.overridden = true;
    }
    return p;
}

Result<Transition> commitPromotion(Database &db, const PreparedPromotion &prepared)
{
    const PromoteRequest &request = prepared.request;
    Transition t = prepared.transition;
    const bool archiving = request.alias == kArchived;

    // Everything the decision rests on is read again inside the transaction: no other writer
    // can move an alias between these reads and the commit.
    Transaction tx(db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto id = modelId(db, request.model);
    if (!id)
        return fail(id.error());
    if (!*id)
        return fail(notRegistered(request.model));
    const qint64 modelKey = **id;
    if (prepared.gate) {
        const QMap<QString, int> &read = prepared.gate->aliasesRead;
        for (auto it = read.cbegin(); it != read.cend(); ++it) {
            auto now = holderOf(db, modelKey, it.key());
            if (!now)
                return fail(now.error());
            if (*now == it.value())
                continue;
            const QString what =
                *now ? u"%1 moved to version %2 while the gate was evaluated; promote again"_s.arg(
                           it.key(), QString::number(*now))
                     : u"%1 was taken off version %2 while the gate was evaluated; promote "
                       "again"_s.arg(it.key(), QString::number(it.value()));
            return fail(Error(what).withHint(
                u"Another change to the aliases of %1 was made meanwhile; the gate compares "
                "with the version that holds them now"_s.arg(request.model)));
        }
    }
    auto held = aliasesOf(db, modelKey, request.version);
    if (!held)
        return fail(held.error());
    if (held->contains(request.alias))
        return fail(Error(u"version %1 of model \"%2\" already holds \"%3\""_s.arg(
            QString::number(request.version), request.model, request.alias)));
    if (!archiving) {
        auto h = holderOf(db, modelKey, request.alias);
        if (!h)
            return fail(h.error());
        if (*h)
            t.previousVersion = *h;
    }
    const auto removeOne = [&](int v, const QString &alias, const QString &why) -> Result<void> {
        if (auto r = exec(db,
                          u"DELETE FROM model_aliases WHERE model_id = ?1 AND alias = ?2 AND "
                          "version = ?3"_s,
                          [&](Statement &s) { s.bind(1, modelKey).bind(2, alias).bind(3, v); });
            !r)
            return r;
        Transition rm;
        rm.model = request.model;
        rm.version = v;
        rm.alias = alias;
        rm.action = u"remove"_s;
        rm.reason = why;
        if (auto r = recordTransition(db, modelKey, rm, std::nullopt); !r)
            return fail(r.error());
        return ok();
    };
    if (archiving) {
        for (const QString &other : std::as_const(*held)) {
            if (auto r = removeOne(request.version, other,
                                   u"version %1 archived"_s.arg(request.version));
                !r)
                return fail(r.error());
        }
    } else {
        if (held->contains(kArchived)) {
            if (auto r = removeOne(request.version, kArchived.toString(),
                                   u"promoted to %1"_s.arg(request.alias));
                !r)
                return fail(r.error());
        }
        // The alias moves: whoever held it loses it (recorded by previous_version).
        if (auto r = exec(db, u"DELETE FROM model_aliases WHERE model_id = ?1 AND alias = ?2"_s,
                          [&](Statement &s) { s.bind(1, modelKey).bind(2, request.alias); });
            !r)
            return fail(r.error());
    }
    if (auto r = exec(db,
                      u"INSERT INTO model_aliases (model_id, alias, version, set_ms) "
                      "VALUES (?1, ?2, ?3, ?4)"_s,
                      [&](Statement &s) {
                          s.bind(1, modelKey).bind(2, request.alias).bind(3, request.version);
                          s.bind(4, QDateTime::currentMSecsSinceEpoch());
                      });
        !r)
        return fail(r.error());
    auto recorded = recordTransition(db, modelKey, t, prepared.gate);
    if (!recorded)
        return fail(recorded.error());
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    return *recorded;
}

Result<Transition> promote(const Project &project, Database &db, const PromoteRequest &request)
{
    auto prepared = preparePromotion(project, db, request);
    if (!prepared)
        return fail(prepared.error());
    return commitPromotion(db, *prepared);
}

Result<Transition> removeAlias(Database &db, const QString &model, int version,
                               const QString &alias, const QString &reason)
{
    auto v = modelVersion(db, model, version);
    if (!v)
        return fail(v.error());
    if (!v->aliases.contains(alias))
        return fail(
            Error(u"version %1 of model \"%2\" does not hold \"%3\""_s.arg(QString::number(version),
                                                                           model, alias))
                .withHint(v->aliases.isEmpty() ? u"It holds no alias"_s
                                               : u"It holds: %1"_s.arg(v->aliases.join(u", "_s))));
    Transaction tx(db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    auto id = modelId(db, model);
    if (!id)
        return fail(id.error());
    if (!*id)
        return fail(notRegistered(model));
    if (auto r = exec(db,
                      u"DELETE FROM model_aliases WHERE model_id = ?1 AND alias = ?2 AND "
                      "version = ?3"_s,
                      [&](Statement &s) { s.bind(1, **id).bind(2, alias).bind(3, version); });
        !r)
        return fail(r.error());
    Transition t;
    t.model = model;
    t.version = version;
    t.alias = alias;
    t.action = u"remove"_s;
    t.reason = reason.trimmed();
    auto recorded = recordTransition(db, **id, t, std::nullopt);
    if (!recorded)
        return fail(recorded.error());
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    return *recorded;
}

} // namespace cairn::registry
