// cairn-cli gate, register, promote and models: the model registry (docs/registry.md).
//
// Exit codes: 0 done (gate passed), 1 the gate failed or the promotion was refused, 2 a usage
// problem or nothing could be evaluated (unknown run, model or version, unreadable store).

#include "cliutil.h"
#include "commands.h"
#include "registry/gate.h"
#include "registry/registry.h"
#include "runs/lineage.h"
#include "runs/runjson.h"
#include "store/projectdb.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace cairn::cli {

namespace {

constexpr int kRefused = 1;
constexpr int kCannot = 2;

// Register and promote change the registry: an MLflow store opened read-only keeps MLflow's.
Error readOnlyStore(const Project &project)
{
    return Error(u"%1 is an MLflow store opened read-only: its registry is MLflow's"_s.arg(
                     project.projectFile))
        .withHint(u"Import its runs into a project (`cairn-cli import mlflow PATH --project DIR`) "
                  "and register them there"_s);
}

int cannot(const Error &e)
{
    reportError(e);
    return kCannot;
}

QString jsonText(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented));
}

// The declared models whose files run `runId` wrote (changed or created), in declaration order.
Result<QStringList> modelsWrittenBy(const Project &project, Database &db, qint64 runId)
{
    auto arts = runArtifacts(db, runId);
    if (!arts)
        return fail(arts.error());
    QHash<QString, QString> before;
    for (const ArtifactRecord &a : *arts) {
        if (a.phase == u"before" && a.kind == u"model")
            before.insert(a.path, a.hash);
    }
    QSet<QString> written;
    for (const ArtifactRecord &a : *arts) {
        if (a.phase == u"after" && a.kind == u"model" && before.value(a.path) != a.hash)
            written.insert(a.name);
    }
    QStringList out;
    for (const ModelSpec &m : project.models) {
        if (written.contains(m.name))
            out.append(m.name);
    }
    return out;
}

QStringList modelNames(const Project &project)
{
    QStringList names;
    for (const ModelSpec &m : project.models)
        names.append(m.name);
    return names;
}

} // namespace

int cmdGate(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"RUN"_s,
                                 u"The run whose model to check: a run number or `last`."_s);
    parser.addOption(projectOption);
    const QCommandLineOption modelOpt(
        u"model"_s, u"The model to check (needed when the run wrote several)."_s, u"NAME"_s);
    const QCommandLineOption json(u"json"_s, u"Print the report as JSON."_s);
    parser.addOption(modelOpt);
    parser.addOption(json);
    int code = 0;
    if (!parse(parser, u"gate"_s, args, &code))
        return code;
    if (parser.positionalArguments().size() != 1) {
        printErr(u"cairn-cli gate: give one run, for example `cairn-cli gate 12 --model "
                 "churn-model`"_s);
        return kCannot;
    }
    const auto project = load(parser, &code);
    if (!project)
        return kCannot;
    auto db = openProjectDatabase(project->rootDir);
    if (!db)
        return cannot(db.error());
    auto runId = resolveRunId(**db, parser.positionalArguments().first());
    if (!runId)
        return cannot(runId.error());
    QString model = parser.value(modelOpt);
    if (model.isEmpty()) {
        auto written = modelsWrittenBy(*project, **db, *runId);
        if (!written)
            return cannot(written.error());
        // A run that rewrote a model with the same bytes wrote nothing new: with one model
        // declared, that is the one.
        if (written->isEmpty() && project->models.size() == 1)
            written->append(project->models.first().name);
        if (written->size() != 1) {
            const QString names = modelNames(*project).join(u", "_s);
            return cannot(
                Error(written->isEmpty()
                          ? u"run #%1 wrote no declared model"_s.arg(QString::number(*runId))
                          : u"run #%1 wrote several models: %2"_s.arg(QString::number(*runId),
                                                                      written->join(u", "_s)))
                    .withHint(u"Name one with --model (declared: %1)"_s.arg(names)));
        }
        model = written->first();
    }
    ProgressLine line(u"checking the gate of "_s + model);
    auto report = registry::evaluateGate(*project, **db, model, *runId, line.callback());
    line.finish();
    if (!report)
        return cannot(report.error());
    printOut(parser.isSet(json) ? jsonText(registry::gateReportToJson(*report))
                                : registry::gateReportToText(*report));
    return report->passed() ? 0 : kRefused;
}

int cmdRegister(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"MODEL"_s, u"A model declared in cairn.yaml."_s);
    parser.addOption(projectOption);
    const QCommandLineOption runOpt(u"run"_s, u"The run that wrote the model's files."_s, u"RUN"_s);
    const QCommandLineOption noteOpt(u"note"_s, u"A note kept with the version."_s, u"TEXT"_s);
    const QCommandLineOption json(u"json"_s, u"Print the version as JSON."_s);
    parser.addOption(runOpt);
    parser.addOption(noteOpt);
    parser.addOption(json);
    int code = 0;
    if (!parse(parser, u"register"_s, args, &code))
        return code;
    if (parser.positionalArguments().size() != 1 || !parser.isSet(runOpt)) {
        printErr(u"cairn-cli register: give one model and its run, for example `cairn-cli "
                 "register churn-model --run 12`"_s);
        return kCannot;
    }
    const auto project = load(parser, &code);
    if (!project)
        return kCannot;
    if (project->format == ProjectFormat::MlflowStore)
        return cannot(readOnlyStore(*project));
    auto db = openProjectDatabase(project->rootDir);
    if (!db)
        return cannot(db.error());
    auto runId = resolveRunId(**db, parser.value(runOpt));
    if (!runId)
        return cannot(runId.error());
    const QString model = parser.positionalArguments().first();
    ProgressLine line(u"registering "_s + model);
    auto v = registry::registerVersion(*project, **db, model, *runId, parser.value(noteOpt));
    line.finish();
    if (!v)
        return cannot(v.error());
    if (parser.isSet(json)) {
        printOut(jsonText(registry::modelVersionToJson(*v)));
        return 0;
    }
    QString gate;
    if (!v->gate.declared) {
        gate = u"no gate declared"_s;
    } else if (v->gate.passed()) {
        gate = u"gate passed"_s;
    } else {
        QStringList failed;
        if (!v->gate.failure.isEmpty())
            failed.append(v->gate.failure);
        for (const auto &c : v->gate.conditions) {
            if (!c.passed)
                failed.append(c.condition);
        }
        for (const auto &d : v->gate.data) {
            if (!d.passed)
                failed.append(u"data checks of "_s + d.dataset);
        }
        gate = u"gate failed: "_s + failed.join(u", "_s);
    }
    printOut(u"registered %1 version %2 (from run #%3), %4"_s.arg(
        model, QString::number(v->version), QString::number(*runId), gate));
    return 0;
}

int cmdPromote(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"MODEL"_s, u"A registered model."_s);
    parser.addPositionalArgument(u"VERSION"_s, u"Its version number (`cairn-cli models`)."_s);
    parser.addOption(projectOption);
    const QCommandLineOption toOpt(
        u"to"_s, u"The alias: production, staging, archived, or a name such as champion."_s,
        u"ALIAS"_s);
    const QCommandLineOption reasonOpt(
        u"reason"_s, u"Why: needed to promote past a failed gate; always recorded."_s, u"TEXT"_s);
    const QCommandLineOption removeOpt(u"remove"_s, u"Take the alias off the version instead."_s);
    const QCommandLineOption json(u"json"_s, u"Print the recorded change as JSON."_s);
    parser.addOption(toOpt);
    parser.addOption(reasonOpt);
    parser.addOption(removeOpt);
    parser.addOption(json);
    int code = 0;
    if (!parse(parser, u"promote"_s, args, &code))
        return code;
    const QStringList pos = parser.positionalArguments();
    bool numberOk = false;
    const int version = pos.size() == 2 ? pos.at(1).toInt(&numberOk) : 0;
    if (pos.size() != 2 || !parser.isSet(toOpt) || !numberOk || version < 1) {
        printErr(u"cairn-cli promote: give a model, a version number and an alias, for "
                 "example `cairn-cli promote churn-model 3 --to production`"_s);
        return kCannot;
    }
    const auto project = load(parser, &code);
    if (!project)
        return kCannot;
    if (project->format == ProjectFormat::MlflowStore)
        return cannot(readOnlyStore(*project));
    auto db = openProjectDatabase(project->rootDir);
    if (!db)
        return cannot(db.error());
    const QString model = pos.first();
    const QString alias = parser.value(toOpt);
    Result<registry::Transition> t;
    if (parser.isSet(removeOpt)) {
        t = registry::removeAlias(**db, model, version, alias, parser.value(reasonOpt));
    } else {
        ProgressLine line(u"checking the gate of "_s + model);
        t = registry::promote(
            *project, **db,
            registry::PromoteRequest{model, version, alias, parser.value(reasonOpt)});
    }
    if (!t) {
        // A refused promotion (a failed gate, no reason) exits 1; anything else 2.
        const bool refused = registry::isGateRefusal(t.error());
        reportError(t.error());
        return refused ? kRefused : kCannot;
    }
    if (parser.isSet(json)) {
        printOut(jsonText(registry::transitionToJson(*t)));
        return 0;
    }
    if (t->action == u"remove") {
        printOut(
            u"removed \"%1\" from %2 version %3"_s.arg(alias, model, QString::number(version)));
        return 0;
    }
    QString text = u"%1 version %2 is now \"%3\""_s.arg(model, QString::number(version), alias);
    if (t->previousVersion)
        text += u" (was version %1)"_s.arg(QString::number(*t->previousVersion));
    if (t->overridden)
        text += u"; the gate failed, overridden: %1"_s.arg(t->reason);
    printOut(text);
    return 0;
}

int cmdModels(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"MODEL"_s, u"Only this model."_s, u"[MODEL]"_s);
    parser.addOption(projectOption);
    const QCommandLineOption historyOpt(u"history"_s,
                                        u"List every alias change, with its reason."_s);
    const QCommandLineOption json(u"json"_s, u"Print JSON."_s);
    parser.addOption(historyOpt);
    parser.addOption(json);
    int code = 0;
    if (!parse(parser, u"models"_s, args, &code))
        return code;
    const QStringList pos = parser.positionalArguments();
    if (pos.size() > 1) {
        printErr(u"cairn-cli models: give at most one model"_s);
        return kCannot;
    }
    const auto project = load(parser, &code);
    if (!project)
        return kCannot;
    auto db = openProjectDatabase(project->rootDir);
    if (!db)
        return cannot(db.error());
    const QString only = pos.value(0);
    if (parser.isSet(historyOpt)) {
        auto h = registry::history(**db, only);
        if (!h)
            return cannot(h.error());
        if (parser.isSet(json)) {
            QJsonArray list;
            for (const auto &t : *h)
                list.append(registry::transitionToJson(t));
            printOut(jsonText(QJsonObject{{u"history"_s, list}}));
            return 0;
        }
        if (h->isEmpty()) {
            printOut(u"No registry history yet."_s);
            return 0;
        }
        QStringList lines;
        for (const auto &t : *h) {
            QString what;
            if (t.action == u"register")
                what = u"registered version %1"_s.arg(QString::number(t.version));
            else if (t.action == u"set")
                what =
                    t.previousVersion
                        ? u"\"%1\" → version %2 (was %3)"_s.arg(t.alias, QString::number(t.version),
                                                                QString::number(*t.previousVersion))
                        : u"\"%1\" → version %2"_s.arg(t.alias, QString::number(t.version));
            else
                what = u"\"%1\" removed from version %2"_s.arg(t.alias, QString::number(t.version));
            QString line =
                u"%1  %2  %3"_s.arg(t.when.toString(u"yyyy-MM-dd HH:mm:ss"_s), t.model, what);
            if (t.gatePassed)
                line += *t.gatePassed ? u", gate passed"_s : u", gate failed"_s;
            if (t.overridden)
                line += u" (overridden)"_s;
            if (!t.reason.isEmpty())
                line += u": "_s + t.reason;
            if (!t.user.isEmpty())
                line += u" [%1]"_s.arg(t.user);
            lines.append(line);
        }
        printOut(lines.join(u'\n'));
        return 0;
    }
    auto models = registry::listModels(**db);
    if (!models)
        return cannot(models.error());
    if (!only.isEmpty()) {
        QList<registry::RegisteredModel> one;
        for (const auto &m : std::as_const(*models)) {
            if (m.name == only)
                one.append(m);
        }
        if (one.isEmpty() && !project->model(only))
            return cannot(Error(u"the project declares no model \"%1\""_s.arg(only))
                              .withHint(u"Declared: %1"_s.arg(modelNames(*project).join(u", "_s))));
        *models = one;
    }
    printOut(parser.isSet(json) ? jsonText(registry::modelsToJson(*models))
                                : registry::modelsToText(*models));
    return 0;
}

} // namespace cairn::cli
