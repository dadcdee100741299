#include "commands.h"

#include "demo/demoproject.h"
#include "project/projectfile.h"
#include "project/projectjson.h"
#include "runs/launcher.h"
#include "runs/runstore.h"
#include "runs/supervisor.h"
#include "store/projectdb.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace cairn::cli {

QString usage()
{
    return uR"(Usage: cairn-cli COMMAND [OPTIONS]

Cairn: a desktop studio for the local machine-learning lifecycle.

Commands:
  init [DIR]                  Write a commented cairn.yaml into DIR (default: here)
  demo DIR                    Write the churn demo project (data, scripts, git history) to DIR
  project show [--json]       Show the project's entry points, datasets and models
  run ENTRY [-P NAME=VALUE]   Run an entry point in the foreground (Ctrl-C cancels it)
  runs [--json]               List the project's runs, newest first

Options for commands that work on a project:
  --project DIR               The project folder (default: the current folder or the
                              nearest parent with a cairn.yaml, MLproject or dvc.yaml)

  --help                      Show this help
  --version                   Show the version
)"_s;
}

namespace {

void printErr(const QString &text)
{
    std::fputs(qPrintable(text), stderr);
    if (!text.endsWith(u'\n'))
        std::fputc('\n', stderr);
}

void printOut(const QString &text)
{
    std::fputs(qPrintable(text), stdout);
    if (!text.endsWith(u'\n'))
        std::fputc('\n', stdout);
    std::fflush(stdout);
}

int reportErrors(const Errors &errors)
{
    for (const Error &e : errors)
        printErr(u"cairn-cli: error: "_s + e.toString());
    return 1;
}

int reportError(const Error &e)
{
    return reportErrors({e});
}

// Parses `args` with `parser`; on a usage problem prints it and returns false.
bool parse(QCommandLineParser &parser, const QString &command, const QStringList &args,
           int *exitCode)
{
    parser.setApplicationDescription(u"cairn-cli "_s + command);
    parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    const QCommandLineOption help({u"h"_s, u"help"_s}, u"Show this help."_s);
    parser.addOption(help);
    if (!parser.parse(QStringList{u"cairn-cli "_s + command} + args)) {
        printErr(u"cairn-cli %1: %2"_s.arg(command, parser.errorText()));
        *exitCode = 2;
        return false;
    }
    if (parser.isSet(help)) {
        printOut(parser.helpText());
        *exitCode = 0;
        return false;
    }
    return true;
}

const QCommandLineOption projectOption(u"project"_s, u"The project folder."_s, u"DIR"_s);

// The folder given with --project, else the current folder or its nearest parent that holds a
// project file or a .cairn folder.
QString projectRoot(const QCommandLineParser &parser)
{
    if (parser.isSet(projectOption))
        return parser.value(projectOption);
    QDir dir = QDir::current();
    do {
        if (!findProjectFile(dir.absolutePath()).isEmpty() || dir.exists(u".cairn"_s))
            return dir.absolutePath();
    } while (dir.cdUp());
    return QDir::currentPath();
}

std::optional<Project> load(const QCommandLineParser &parser, int *exitCode)
{
    auto project = loadProject(projectRoot(parser));
    if (!project) {
        *exitCode = reportErrors(project.error());
        return std::nullopt;
    }
    for (const Error &w : project->warnings)
        printErr(u"cairn-cli: warning: "_s + w.toString());
    return *project;
}

QString formatDuration(qint64 ms)
{
    if (ms < 1000)
        return u"%1 ms"_s.arg(ms);
    const qint64 s = ms / 1000;
    if (s < 60)
        return u"%1 s"_s.arg(double(ms) / 1000.0, 0, 'f', 1);
    if (s < 3600)
        return u"%1 min %2 s"_s.arg(s / 60).arg(s % 60);
    return u"%1 h %2 min"_s.arg(s / 3600).arg((s % 3600) / 60);
}

} // namespace

int cmdInit(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"DIR"_s, u"Folder to initialise (default: here)."_s);
    int code = 0;
    if (!parse(parser, u"init"_s, args, &code))
        return code;
    const QStringList pos = parser.positionalArguments();
    if (pos.size() > 1) {
        printErr(u"cairn-cli init: give at most one folder"_s);
        return 2;
    }
    const QString dir = pos.isEmpty() ? QDir::currentPath() : pos.first();
    if (!QDir().mkpath(dir))
        return reportError(Error(u"cannot create the folder"_s, dir));
    const QString file = QDir(dir).filePath(u"cairn.yaml"_s);
    if (QFileInfo::exists(file))
        return reportError(Error(u"a cairn.yaml exists already"_s, file)
                               .withHint(u"Edit it, or remove it to start afresh"_s));
    ProjectFormat existing = ProjectFormat::None;
    const QString other = findProjectFile(dir, &existing);
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::NewOnly))
        return reportError(Error(u"cannot write: %1"_s.arg(f.errorString()), file));
    f.write(cairnYamlTemplate(QFileInfo(QFileInfo(dir).absoluteFilePath()).fileName()).toUtf8());
    f.close();
    printOut(u"Wrote %1. Edit its entry points, datasets and models, then run "
             "`cairn-cli project show`."_s.arg(QDir::toNativeSeparators(file)));
    if (existing != ProjectFormat::None)
        printOut(u"Note: %1 is no longer read; cairn.yaml takes precedence."_s.arg(
            QFileInfo(other).fileName()));
    return 0;
}

int cmdDemo(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"DIR"_s, u"New folder for the demo project."_s);
    const QCommandLineOption noGit(u"no-git"_s, u"Do not create a git repository."_s);
    parser.addOption(noGit);
    int code = 0;
    if (!parse(parser, u"demo"_s, args, &code))
        return code;
    const QStringList pos = parser.positionalArguments();
    if (pos.size() != 1) {
        printErr(u"cairn-cli demo: give the folder to write the demo project to, for example "
                 "`cairn-cli demo ~/churn-demo`"_s);
        return 2;
    }
    DemoOptions options;
    options.git = !parser.isSet(noGit);
    const auto summary = writeDemoProject(pos.first(), options);
    if (!summary)
        return reportError(summary.error());
    printOut(*summary);
    return 0;
}

int cmdProject(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"show"_s, u"Show the project."_s);
    parser.addOption(projectOption);
    const QCommandLineOption json(u"json"_s, u"Print JSON."_s);
    parser.addOption(json);
    int code = 0;
    if (!parse(parser, u"project"_s, args, &code))
        return code;
    const QStringList pos = parser.positionalArguments();
    if (pos != QStringList{u"show"_s}) {
        printErr(u"cairn-cli project: the only subcommand is `show`"_s);
        return 2;
    }
    const auto project = load(parser, &code);
    if (!project)
        return code;
    if (parser.isSet(json))
        printOut(QString::fromUtf8(
            QJsonDocument(projectToJson(*project)).toJson(QJsonDocument::Indented)));
    else
        printOut(projectToText(*project));
    return 0;
}

int cmdRun(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"ENTRY"_s, u"The entry point to run."_s);
    parser.addOption(projectOption);
    const QCommandLineOption param({u"P"_s, u"param"_s}, u"A parameter value."_s, u"NAME=VALUE"_s);
    const QCommandLineOption name(u"name"_s, u"A name for the run."_s, u"NAME"_s);
    const QCommandLineOption quiet({u"q"_s, u"quiet"_s}, u"Do not echo the run's output."_s);
    parser.addOptions({param, name, quiet});
    int code = 0;
    if (!parse(parser, u"run"_s, args, &code))
        return code;
    const QStringList pos = parser.positionalArguments();
    if (pos.size() != 1) {
        printErr(u"cairn-cli run: give one entry point, for example `cairn-cli run train -P "
                 "epochs=10`"_s);
        return 2;
    }
    const auto project = load(parser, &code);
    if (!project)
        return code;
    const auto values = parseParamAssignments(parser.values(param));
    if (!values)
        return reportError(values.error());
    auto db = openProjectDatabase(project->rootDir);
    if (!db)
        return reportError(db.error());
    LaunchRequest request{pos.first(), *values, parser.value(name), {}};
    const auto prepared = prepareRun(*project, **db, request);
    if (!prepared)
        return reportErrors(prepared.error());
    db->reset(); // the supervisor opens its own connection

    printErr(u"cairn-cli: run %1 of %2: %3"_s.arg(prepared->record.id)
                 .arg(prepared->record.entryPoint, prepared->record.command));
    SupervisorOptions options;
    if (!parser.isSet(quiet)) {
        options.onOutput = [](QByteArrayView chunk) {
            std::fwrite(chunk.data(), 1, std::size_t(chunk.size()), stdout);
            std::fflush(stdout);
        };
    }
    const auto run = superviseRun(project->rootDir, prepared->record.id, options);
    if (!run)
        return reportError(run.error());
    QString outcome;
    switch (run->status) {
    case RunStatus::Finished:
        outcome = u"finished"_s;
        break;
    case RunStatus::Cancelled:
        outcome = u"was cancelled"_s;
        break;
    default:
        if (run->exitSignal)
            outcome = u"failed: killed by signal %1"_s.arg(*run->exitSignal);
        else if (run->exitCode)
            outcome = u"failed with exit code %1"_s.arg(*run->exitCode);
        else
            outcome = u"failed: %1"_s.arg(run->error);
        break;
    }
    printErr(u"cairn-cli: run %1 %2 after %3. Log: %4"_s.arg(run->id).arg(
        outcome, formatDuration(run->durationMs()),
        QDir::toNativeSeparators(QDir(prepared->runDir).filePath(u"output.log"_s))));
    if (run->status == RunStatus::Finished)
        return 0;
    return run->status == RunStatus::Cancelled ? 130 : 1;
}

int cmdRuns(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(projectOption);
    const QCommandLineOption json(u"json"_s, u"Print JSON."_s);
    const QCommandLineOption limit(u"limit"_s, u"Show at most N runs."_s, u"N"_s, u"50"_s);
    parser.addOptions({json, limit});
    int code = 0;
    if (!parse(parser, u"runs"_s, args, &code))
        return code;
    const QString root = QFileInfo(projectRoot(parser)).absoluteFilePath();
    if (!QFileInfo::exists(projectDatabasePath(root))) {
        if (parser.isSet(json))
            printOut(u"[]"_s);
        else
            printOut(u"No runs yet in %1."_s.arg(QDir::toNativeSeparators(root)));
        return 0;
    }
    auto db = openProjectDatabase(root, Database::Mode::ReadOnly);
    if (!db)
        return reportError(db.error());
    auto runs = RunStore(**db).list(parser.value(limit).toInt());
    if (!runs)
        return reportError(runs.error());
    if (parser.isSet(json)) {
        QJsonArray a;
        for (const RunRecord &r : *runs) {
            QJsonObject o;
            o.insert(u"id"_s, r.id);
            o.insert(u"uuid"_s, r.uuid);
            o.insert(u"entry_point"_s, r.entryPoint);
            o.insert(u"status"_s, runStatusName(r.status));
            o.insert(u"command"_s, r.command);
            o.insert(u"created"_s, r.created.toString(Qt::ISODateWithMs));
            if (r.started.isValid())
                o.insert(u"started"_s, r.started.toString(Qt::ISODateWithMs));
            if (r.ended.isValid())
                o.insert(u"ended"_s, r.ended.toString(Qt::ISODateWithMs));
            if (r.exitCode)
                o.insert(u"exit_code"_s, *r.exitCode);
            if (r.exitSignal)
                o.insert(u"exit_signal"_s, *r.exitSignal);
            a.append(o);
        }
        printOut(QString::fromUtf8(QJsonDocument(a).toJson()));
        return 0;
    }
    printOut(u"%1  %2  %3  %4  %5"_s.arg(u"RUN"_s, -5)
                 .arg(u"STATUS"_s, -9)
                 .arg(u"ENTRY POINT"_s, -14)
                 .arg(u"STARTED"_s, -19)
                 .arg(u"DURATION"_s));
    for (const RunRecord &r : *runs) {
        printOut(
            u"%1  %2  %3  %4  %5"_s.arg(r.id, -5)
                .arg(runStatusName(r.status), -9)
                .arg(r.entryPoint, -14)
                .arg(r.started.isValid() ? r.started.toString(u"yyyy-MM-dd HH:mm:ss"_s) : u"-"_s,
                     -19)
                .arg(formatDuration(r.durationMs())));
    }
    return 0;
}

int cmdSupervise(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(projectOption);
    const QCommandLineOption runOption(u"run"_s, u"The queued run to supervise."_s, u"ID"_s);
    parser.addOption(runOption);
    int code = 0;
    if (!parse(parser, u"supervise"_s, args, &code))
        return code;
    bool ok = false;
    const qint64 id = parser.value(runOption).toLongLong(&ok);
    if (!ok || !parser.isSet(projectOption)) {
        printErr(u"cairn-cli supervise: give --project DIR and --run ID"_s);
        return 2;
    }
    const auto run = superviseRun(parser.value(projectOption), id);
    if (!run)
        return reportError(run.error());
    return run->status == RunStatus::Finished ? 0 : 1;
}

} // namespace cairn::cli
