// cairn-cli pipeline: run a pipeline of cairn.yaml in the foreground or detached, list and show
// pipeline runs, cancel one, and the internal --supervise that startPipelineSupervisor starts.

#include "cliutil.h"
#include "commands.h"
#include "pipeline/pipeline.h"
#include "store/projectdb.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>
#include <optional>

using namespace Qt::StringLiterals;

namespace cairn::cli {

namespace {

using namespace cairn::pipeline;

QJsonValue timeJson(const std::optional<QDateTime> &t)
{
    return t && t->isValid() ? QJsonValue(t->toString(Qt::ISODateWithMs)) : QJsonValue();
}

QJsonObject pipelineRunToJson(const PipelineRunRecord &r)
{
    QJsonObject o;
    o.insert(u"id"_s, r.id);
    o.insert(u"pipeline"_s, r.pipeline);
    o.insert(u"status"_s, r.status);
    QJsonObject params;
    for (const auto &[k, v] : r.params)
        params.insert(k, v);
    o.insert(u"parameters"_s, params);
    o.insert(u"created"_s, timeJson(r.created));
    o.insert(u"started"_s, timeJson(r.started));
    o.insert(u"ended"_s, timeJson(r.ended));
    o.insert(u"error"_s, r.error);
    QJsonArray steps;
    for (const StepRecord &s : r.steps) {
        QJsonObject so;
        so.insert(u"position"_s, s.position);
        so.insert(u"name"_s, s.name);
        so.insert(u"kind"_s, s.kind);
        so.insert(u"status"_s, stepStatusName(s.status));
        so.insert(u"run"_s, s.runId ? QJsonValue(*s.runId) : QJsonValue());
        so.insert(u"message"_s, s.message);
        steps.append(so);
    }
    o.insert(u"steps"_s, steps);
    return o;
}

qint64 durationMs(const PipelineRunRecord &r)
{
    if (!r.started)
        return 0;
    return r.started->msecsTo(r.ended.value_or(QDateTime::currentDateTime()));
}

QString pipelineRunToText(const PipelineRunRecord &r)
{
    QString out =
        u"Pipeline run %1 of %2 \u2014 %3\n"_s.arg(QString::number(r.id), r.pipeline, r.status);
    if (r.started)
        out += u"  started    %1 (%2)\n"_s.arg(r.started->toString(Qt::ISODate),
                                               formatDuration(durationMs(r)));
    if (!r.params.isEmpty()) {
        QStringList params;
        for (const auto &[k, v] : r.params)
            params.append(k + u'=' + v);
        out += u"  parameters %1\n"_s.arg(params.join(u' '));
    }
    if (!r.error.isEmpty())
        out += u"  error      %1\n"_s.arg(r.error);
    out += u"\n"_s;
    qsizetype width = 0;
    for (const StepRecord &s : r.steps)
        width = std::max(width, s.name.size());
    for (const StepRecord &s : r.steps) {
        out += u"  %1. %2  %3  %4  %5\n"_s.arg(
            QString::number(s.position + 1), s.name.leftJustified(width),
            stepStatusName(s.status).leftJustified(9),
            (s.runId ? u"run %1"_s.arg(*s.runId) : QString()).leftJustified(8), s.message);
    }
    return out;
}

// "2 of 6 finished, step 3 failed"
QString stepSummary(const PipelineRunRecord &r)
{
    int finished = 0;
    QString stopped;
    for (const StepRecord &s : r.steps) {
        if (s.status == StepStatus::Finished)
            ++finished;
        else if (s.status == StepStatus::Failed || s.status == StepStatus::Cancelled ||
                 s.status == StepStatus::Running)
            stopped =
                u", step %1 %2"_s.arg(QString::number(s.position + 1), stepStatusName(s.status));
    }
    return u"%1 of %2 finished%3"_s.arg(QString::number(finished), QString::number(r.steps.size()),
                                        stopped);
}

// Prints each step's start and end to stderr: "[2/6] train … run #14 finished (exit 0)".
std::function<void(const StepRecord &)> stepPrinter(qsizetype total)
{
    return [total, announced = false](const StepRecord &s) mutable {
        const QString head = u"cairn-cli: [%1/%2] %3 \u2026"_s.arg(QString::number(s.position + 1),
                                                                   QString::number(total), s.name);
        const QString run = s.runId ? u" run #%1"_s.arg(*s.runId) : QString();
        switch (s.status) {
        case StepStatus::Running:
            if (s.runId && !announced) {
                printErr(head + run);
                announced = true;
            }
            break;
        case StepStatus::Finished:
            printErr(u"%1%2 finished%3"_s.arg(
                head, run, s.message.isEmpty() ? QString() : u" (%1)"_s.arg(s.message)));
            announced = false;
            break;
        case StepStatus::Failed:
            printErr(u"%1%2 failed: %3"_s.arg(head, run, s.message));
            announced = false;
            break;
        case StepStatus::Cancelled:
            printErr(u"%1%2 was cancelled"_s.arg(head, run));
            announced = false;
            break;
        default:
            break;
        }
    };
}

int exitCodeOf(const PipelineRunRecord &r)
{
    if (r.status == u"finished"_s)
        return 0;
    if (r.status == u"cancelled"_s)
        return 130;
    return 1;
}

Result<std::unique_ptr<Database>> openPipelines(const QString &root)
{
    if (!QFileInfo::exists(projectDatabasePath(root)))
        return fail(Error(u"no pipeline runs yet in %1"_s.arg(QDir::toNativeSeparators(root)))
                        .withHint(u"Start one with `cairn-cli pipeline NAME`"_s));
    return openProjectDatabase(root);
}

std::optional<qint64> idOf(const QString &text)
{
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    return ok && id > 0 ? std::optional(id) : std::nullopt;
}

int listOrShow(const QCommandLineParser &parser, const QCommandLineOption &show, bool json)
{
    const QString root = projectRoot(parser);
    if (!parser.isSet(show) && !QFileInfo::exists(projectDatabasePath(root))) {
        printOut(json ? u"[]"_s
                      : u"No pipeline runs yet in %1."_s.arg(QDir::toNativeSeparators(root)));
        return 0;
    }
    auto db = openPipelines(root);
    if (!db)
        return reportError(db.error());
    if (parser.isSet(show)) {
        const auto id = idOf(parser.value(show));
        if (!id) {
            printErr(u"cairn-cli pipeline: --show takes a pipeline run number"_s);
            return 2;
        }
        auto r = pipelineRun(**db, *id);
        if (!r)
            return reportError(r.error());
        printOut(json ? QString::fromUtf8(QJsonDocument(pipelineRunToJson(*r)).toJson())
                      : pipelineRunToText(*r));
        return 0;
    }
    auto runs = listPipelineRuns(**db);
    if (!runs)
        return reportError(runs.error());
    if (json) {
        QJsonArray a;
        for (const PipelineRunRecord &r : *runs)
            a.append(pipelineRunToJson(r));
        printOut(QString::fromUtf8(QJsonDocument(a).toJson()));
        return 0;
    }
    // Columns padded by hand: one arg() call, so a value holding "%1" stays what it is.
    auto row = [](const QString &id, const QString &pipeline, const QString &status,
                  const QString &started, const QString &duration, const QString &steps) {
        printOut(u"%1  %2  %3  %4  %5  %6"_s.arg(id.leftJustified(5), pipeline.leftJustified(14),
                                                 status.leftJustified(9), started.leftJustified(19),
                                                 duration.leftJustified(10), steps));
    };
    row(u"RUN"_s, u"PIPELINE"_s, u"STATUS"_s, u"STARTED"_s, u"DURATION"_s, u"STEPS"_s);
    for (const PipelineRunRecord &r : *runs) {
        row(QString::number(r.id), r.pipeline, r.status,
            r.started ? r.started->toString(u"yyyy-MM-dd HH:mm:ss"_s) : u"-"_s,
            formatDuration(durationMs(r)), stepSummary(r));
    }
    return 0;
}

} // namespace

int cmdPipeline(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(
        u"NAME"_s, u"The pipeline to run (optional when the project declares one)."_s);
    parser.addOption(projectOption);
    const QCommandLineOption param({u"P"_s, u"param"_s}, u"A parameter value."_s, u"NAME=VALUE"_s);
    const QCommandLineOption quiet({u"q"_s, u"quiet"_s}, u"Do not echo the steps' output."_s);
    const QCommandLineOption detach(
        u"detach"_s, u"Start the pipeline in the background, print its run id and return."_s);
    const QCommandLineOption list(u"list"_s, u"List recent pipeline runs."_s);
    const QCommandLineOption show(u"show"_s, u"Show a pipeline run and its steps."_s, u"ID"_s);
    const QCommandLineOption cancel(u"cancel"_s, u"Cancel a pipeline run."_s, u"ID"_s);
    const QCommandLineOption json(u"json"_s, u"Print JSON (with --list or --show)."_s);
    const QCommandLineOption supervise(u"supervise"_s, u"Internal: run a queued pipeline run."_s,
                                       u"ID"_s);
    parser.addOptions({param, quiet, detach, list, show, cancel, json, supervise});
    int code = 0;
    if (!parse(parser, u"pipeline"_s, args, &code))
        return code;
    const QStringList pos = parser.positionalArguments();

    if (parser.isSet(list) || parser.isSet(show)) {
        if (!pos.isEmpty()) {
            printErr(u"cairn-cli pipeline: --list and --show take no pipeline name"_s);
            return 2;
        }
        return listOrShow(parser, show, parser.isSet(json));
    }
    if (parser.isSet(cancel)) {
        const auto id = idOf(parser.value(cancel));
        if (!id) {
            printErr(u"cairn-cli pipeline: --cancel takes a pipeline run number"_s);
            return 2;
        }
        auto db = openPipelines(projectRoot(parser));
        if (!db)
            return reportError(db.error());
        if (auto r = cancelPipeline(**db, *id); !r)
            return reportError(r.error());
        printOut(u"Pipeline run %1 is being cancelled."_s.arg(*id));
        return 0;
    }
    if (parser.isSet(supervise)) {
        const auto id = idOf(parser.value(supervise));
        if (!id) {
            printErr(u"cairn-cli pipeline: --supervise takes a pipeline run number"_s);
            return 2;
        }
        // Its stderr is .cairn/pipelines/ID/supervisor.log: a trace of the steps.
        const QString root = projectRoot(parser);
        auto db = openPipelines(root);
        if (!db)
            return reportError(db.error());
        auto queued = pipelineRun(**db, *id);
        db->reset();
        const auto r = runPipeline(root, *id, stepPrinter(queued ? queued->steps.size() : 0));
        if (!r)
            return reportError(r.error());
        return exitCodeOf(*r);
    }

    if (pos.size() > 1) {
        printErr(u"cairn-cli pipeline: give at most one pipeline, for example `cairn-cli "
                 "pipeline retrain -P data=data/new.csv`"_s);
        return 2;
    }
    const auto project = load(parser, &code);
    if (!project)
        return 2;
    QString name = pos.value(0);
    if (name.isEmpty()) {
        QStringList names;
        for (const PipelineSpec &p : project->pipelines)
            names.append(p.name);
        if (names.size() != 1) {
            printErr(names.isEmpty()
                         ? u"cairn-cli pipeline: the project declares no pipeline; add one under "
                           "`pipelines:` in cairn.yaml (docs/pipelines.md)"_s
                         : u"cairn-cli pipeline: the project declares several pipelines (%1); "
                           "name one"_s.arg(names.join(u", "_s)));
            return 2;
        }
        name = names.first();
    }
    const auto values = parseParamAssignments(parser.values(param));
    if (!values) {
        reportError(values.error());
        return 2;
    }
    auto db = openProjectDatabase(project->rootDir);
    if (!db) {
        reportError(db.error());
        return 2;
    }
    // From here a Ctrl-C cancels the pipeline run rather than leaving it queued: runPipeline
    // sees the request before it claims the run.
    std::optional<PipelineSignalGuard> signalGuard;
    if (!parser.isSet(detach))
        signalGuard.emplace();
    const auto prepared = preparePipeline(*project, **db, name, *values);
    if (!prepared) {
        reportErrors(prepared.error());
        return 2;
    }
    if (!parser.isSet(detach)) {
        // This process supervises it: should it die before the claim, the run becomes lost.
        if (auto r =
                recordPipelineSupervisor(**db, prepared->id, QCoreApplication::applicationPid());
            !r)
            return reportError(r.error());
    }
    db->reset(); // the supervisor opens its own connection
    if (parser.isSet(detach)) {
        auto pid = startPipelineSupervisor(project->rootDir, prepared->id);
        if (!pid)
            return reportError(pid.error());
        printOut(QString::number(prepared->id));
        return 0;
    }

    const qsizetype total = prepared->steps.size();
    printErr(u"cairn-cli: pipeline run %1 of %2 (%3 steps)"_s.arg(
        QString::number(prepared->id), prepared->pipeline, QString::number(total)));
    const auto onStep = stepPrinter(total);
    std::function<void(QByteArrayView)> onOutput;
    if (!parser.isSet(quiet)) {
        onOutput = [](QByteArrayView chunk) {
            std::fwrite(chunk.data(), 1, std::size_t(chunk.size()), stdout);
            std::fflush(stdout);
        };
    }
    const auto r = runPipeline(project->rootDir, prepared->id, onStep, onOutput);
    if (!r)
        return reportError(r.error());
    if (r->status == u"finished"_s)
        printErr(u"cairn-cli: pipeline %1 finished after %2 (pipeline run %3)"_s.arg(
            r->pipeline, formatDuration(durationMs(*r)), QString::number(r->id)));
    else
        printErr(u"cairn-cli: pipeline %1 %2: %3 (pipeline run %4)"_s.arg(
            r->pipeline, r->status == u"cancelled"_s ? u"was cancelled"_s : r->status, r->error,
            QString::number(r->id)));
    return exitCodeOf(*r);
}

} // namespace cairn::cli
