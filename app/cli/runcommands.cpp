// cairn-cli commands about runs: run, runs, show, metrics, logs, cancel, and the internal
// supervise that the GUI starts.

#include "cliutil.h"
#include "commands.h"
#include "metrics/metricstore.h"
#include "mlflow/mlflowimport.h"
#include "runs/launcher.h"
#include "runs/logtail.h"
#include "runs/runcontrol.h"
#include "runs/runjson.h"
#include "runs/runstore.h"
#include "runs/supervisor.h"
#include "runs/supervisorprocess.h"
#include "store/projectdb.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QThread>

#include <cmath>
#include <cstdio>

using namespace Qt::StringLiterals;

namespace cairn::cli {

namespace {

// The project's database for reading; runs whose supervisor died are marked lost first.
Result<std::unique_ptr<Database>> openRuns(const QString &root)
{
    if (!QFileInfo::exists(projectDatabasePath(root)))
        return fail(Error(u"no runs yet in %1"_s.arg(QDir::toNativeSeparators(root)))
                        .withHint(u"Start one with `cairn-cli run ENTRY`"_s));
    auto db = openProjectDatabase(root);
    if (!db)
        return db;
    (void)RunStore(**db).reconcile(root);
    return db;
}

// The exit code a shell would report for the run.
int exitCodeOf(const RunRecord &r)
{
    switch (r.status) {
    case RunStatus::Finished:
        return 0;
    case RunStatus::Cancelled:
        return 130;
    default:
        if (r.exitCode)
            return *r.exitCode;
        if (r.exitSignal)
            return 128 + *r.exitSignal;
        return 1;
    }
}

QString outcome(const RunRecord &r)
{
    switch (r.status) {
    case RunStatus::Finished:
        return u"finished"_s;
    case RunStatus::Cancelled:
        return u"was cancelled"_s;
    case RunStatus::Lost:
        return u"was lost: "_s + r.error;
    default:
        if (r.exitSignal)
            return u"failed: killed by signal %1"_s.arg(*r.exitSignal);
        if (r.exitCode)
            return u"failed with exit code %1"_s.arg(*r.exitCode);
        return u"failed: %1"_s.arg(r.error);
    }
}

} // namespace

int cmdRun(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"ENTRY"_s, u"The entry point to run."_s);
    parser.addOption(projectOption);
    const QCommandLineOption param({u"P"_s, u"param"_s}, u"A parameter value."_s, u"NAME=VALUE"_s);
    const QCommandLineOption name(u"name"_s, u"A name for the run."_s, u"NAME"_s);
    const QCommandLineOption note(u"note"_s, u"A note kept with the run."_s, u"TEXT"_s);
    const QCommandLineOption quiet({u"q"_s, u"quiet"_s}, u"Do not echo the run's output."_s);
    const QCommandLineOption detach(u"detach"_s,
                                    u"Start the run in the background, print its id and return."_s);
    parser.addOptions({param, name, note, quiet, detach});
    int code = 0;
    if (!parse(parser, u"run"_s, args, &code))
        return code;
    const QStringList pos = parser.positionalArguments();
    if (pos.size() != 1) {
        printErr(
            u"cairn-cli run: give one entry point, for example `cairn-cli run train -P epochs=10`"_s);
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
    LaunchRequest request{pos.first(), *values, parser.value(name), parser.value(note), {}};
    const auto prepared = prepareRun(*project, **db, request);
    if (!prepared)
        return reportErrors(prepared.error());
    db->reset(); // the supervisor opens its own connection
    const RunRecord &rec = prepared->record;

    if (parser.isSet(detach)) {
        auto pid = startSupervisor(project->rootDir, rec.id);
        if (!pid)
            return reportError(pid.error());
        printOut(QString::number(rec.id));
        return 0;
    }

    printErr(u"cairn-cli: run %1 of %2: %3"_s.arg(rec.id).arg(rec.entryPoint, rec.command));
    SupervisorOptions options;
    if (!parser.isSet(quiet)) {
        options.onOutput = [](QByteArrayView chunk) {
            std::fwrite(chunk.data(), 1, std::size_t(chunk.size()), stdout);
            std::fflush(stdout);
        };
    }
    options.onWarning = [](const QString &w) { printErr(u"cairn-cli: warning: "_s + w); };
    const auto run = superviseRun(project->rootDir, rec.id, options);
    if (!run)
        return reportError(run.error());
    printErr(u"cairn-cli: run %1 %2 after %3. Log: %4"_s.arg(run->id).arg(
        outcome(*run), formatDuration(run->durationMs()),
        QDir::toNativeSeparators(QDir(prepared->runDir).filePath(u"output.log"_s))));
    return exitCodeOf(*run);
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
    const QString root = projectRoot(parser);
    if (!QFileInfo::exists(projectDatabasePath(root))) {
        printOut(parser.isSet(json) ? u"[]"_s
                                    : u"No runs yet in %1."_s.arg(QDir::toNativeSeparators(root)));
        return 0;
    }
    auto db = openRuns(root);
    if (!db)
        return reportError(db.error());
    auto runs = RunStore(**db).list(parser.value(limit).toInt());
    if (!runs)
        return reportError(runs.error());
    if (parser.isSet(json)) {
        QJsonArray a;
        for (const RunRecord &r : *runs)
            a.append(runToJson(r));
        printOut(QString::fromUtf8(QJsonDocument(a).toJson()));
        return 0;
    }
    if (mirroredMlflowStore(root)) {
        // A store opened read-only: MLflow's own columns (experiment, run name, its id).
        int width = 10;
        for (const RunRecord &r : *runs)
            width = std::max<int>(width, std::min<int>(int(r.entryPoint.size()), 24));
        printOut(u"%1  %2  %3  %4  %5  %6  %7"_s.arg(u"RUN"_s, -5)
                     .arg(u"STATUS"_s, -9)
                     .arg(u"EXPERIMENT"_s, -width)
                     .arg(u"NAME"_s, -20)
                     .arg(u"STARTED"_s, -19)
                     .arg(u"DURATION"_s, -10)
                     .arg(u"MLFLOW RUN ID"_s));
        for (const RunRecord &r : *runs) {
            printOut(u"%1  %2  %3  %4  %5  %6  %7"_s.arg(r.id, -5)
                         .arg(runStatusName(r.status), -9)
                         .arg(r.entryPoint, -width)
                         .arg(r.name, -20)
                         .arg(r.started.isValid() ? r.started.toString(u"yyyy-MM-dd HH:mm:ss"_s)
                                                  : u"-"_s,
                              -19)
                         .arg(formatDuration(r.durationMs()), -10)
                         .arg(r.uuid));
        }
        return 0;
    }
    printOut(u"%1  %2  %3  %4  %5  %6"_s.arg(u"RUN"_s, -5)
                 .arg(u"STATUS"_s, -9)
                 .arg(u"ENTRY POINT"_s, -14)
                 .arg(u"STARTED"_s, -19)
                 .arg(u"DURATION"_s, -10)
                 .arg(u"EXIT"_s));
    for (const RunRecord &r : *runs) {
        printOut(
            u"%1  %2  %3  %4  %5  %6"_s.arg(r.id, -5)
                .arg(runStatusName(r.status), -9)
                .arg(r.entryPoint, -14)
                .arg(r.started.isValid() ? r.started.toString(u"yyyy-MM-dd HH:mm:ss"_s) : u"-"_s,
                     -19)
                .arg(formatDuration(r.durationMs()), -10)
                .arg(r.exitCode     ? QString::number(*r.exitCode)
                     : r.exitSignal ? u"signal %1"_s.arg(*r.exitSignal)
                                    : QString()));
    }
    return 0;
}

int cmdShow(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"RUN"_s,
                                 u"A run number, `last`, or the start of a run's uuid."_s);
    parser.addOption(projectOption);
    const QCommandLineOption json(u"json"_s, u"Print JSON."_s);
    parser.addOption(json);
    int code = 0;
    if (!parse(parser, u"show"_s, args, &code))
        return code;
    if (parser.positionalArguments().size() != 1) {
        printErr(
            u"cairn-cli show: give one run, for example `cairn-cli show 12` or `cairn-cli show last`"_s);
        return 2;
    }
    auto db = openRuns(projectRoot(parser));
    if (!db)
        return reportError(db.error());
    auto id = resolveRunId(**db, parser.positionalArguments().first());
    if (!id)
        return reportError(id.error());
    auto details = loadRunDetails(**db, *id);
    if (!details)
        return reportError(details.error());
    printOut(parser.isSet(json)
                 ? QString::fromUtf8(QJsonDocument(runDetailsToJson(*details)).toJson())
                 : runDetailsToText(*details));
    return 0;
}

int cmdMetrics(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"RUN"_s,
                                 u"A run number, `last`, or the start of a run's uuid."_s);
    parser.addOption(projectOption);
    const QCommandLineOption json(u"json"_s, u"Print JSON."_s);
    const QCommandLineOption metric(u"name"_s, u"Print every value of this metric."_s, u"NAME"_s);
    parser.addOptions({json, metric});
    int code = 0;
    if (!parse(parser, u"metrics"_s, args, &code))
        return code;
    if (parser.positionalArguments().size() != 1) {
        printErr(
            u"cairn-cli metrics: give one run, for example `cairn-cli metrics last --name loss`"_s);
        return 2;
    }
    auto db = openRuns(projectRoot(parser));
    if (!db)
        return reportError(db.error());
    auto id = resolveRunId(**db, parser.positionalArguments().first());
    if (!id)
        return reportError(id.error());
    MetricStore store(**db);
    const QLocale c = QLocale::c();
    if (!parser.isSet(metric)) {
        auto latest = store.latest(*id);
        if (!latest)
            return reportError(latest.error());
        if (parser.isSet(json)) {
            QJsonObject o;
            for (const LatestMetric &m : *latest) {
                QJsonObject mo;
                mo.insert(u"value"_s, metricValueToJson(m.value));
                mo.insert(u"step"_s, m.step);
                mo.insert(u"min"_s, metricValueToJson(m.min));
                mo.insert(u"max"_s, metricValueToJson(m.max));
                mo.insert(u"count"_s, m.count);
                o.insert(m.name, mo);
            }
            printOut(QString::fromUtf8(QJsonDocument(o).toJson()));
        } else {
            printOut(u"%1  %2  %3  %4  %5  %6"_s.arg(u"METRIC"_s, -20)
                         .arg(u"LATEST"_s, -14)
                         .arg(u"STEP"_s, -8)
                         .arg(u"MIN"_s, -14)
                         .arg(u"MAX"_s, -14)
                         .arg(u"COUNT"_s));
            for (const LatestMetric &m : *latest)
                printOut(u"%1  %2  %3  %4  %5  %6"_s.arg(m.name, -20)
                             .arg(c.toString(m.value, 'g', 8), -14)
                             .arg(m.step, -8)
                             .arg(c.toString(m.min, 'g', 8), -14)
                             .arg(c.toString(m.max, 'g', 8), -14)
                             .arg(m.count));
        }
        return 0;
    }
    const QString name = parser.value(metric);
    auto names = store.names(*id);
    if (names && !names->contains(name))
        return reportError(Error(u"run %1 has no metric \"%2\""_s.arg(*id).arg(name))
                               .withHint(names->isEmpty()
                                             ? u"It logged no metric"_s
                                             : u"Its metrics: %1"_s.arg(names->join(u", "_s))));
    auto series = store.series(*id, name);
    if (!series)
        return reportError(series.error());
    if (parser.isSet(json)) {
        QJsonArray a;
        for (qsizetype i = 0; i < series->size(); ++i) {
            QJsonObject p;
            p.insert(u"step"_s, qint64(series->steps[i]));
            p.insert(u"timestamp"_s, qint64(series->timestamps[i]));
            p.insert(u"value"_s, metricValueToJson(series->values[i]));
            a.append(p);
        }
        printOut(QString::fromUtf8(QJsonDocument(a).toJson()));
    } else {
        printOut(u"STEP\tTIMESTAMP\tVALUE"_s);
        for (qsizetype i = 0; i < series->size(); ++i)
            printOut(u"%1\t%2\t%3"_s.arg(qint64(series->steps[i]))
                         .arg(QDateTime::fromMSecsSinceEpoch(qint64(series->timestamps[i]))
                                  .toString(Qt::ISODateWithMs))
                         .arg(c.toString(series->values[i], 'g', 17)));
    }
    return 0;
}

int cmdLogs(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"RUN"_s,
                                 u"A run number, `last`, or the start of a run's uuid."_s);
    parser.addOption(projectOption);
    const QCommandLineOption follow({u"f"_s, u"follow"_s},
                                    u"Keep printing new output until the run ends."_s);
    parser.addOption(follow);
    int code = 0;
    if (!parse(parser, u"logs"_s, args, &code))
        return code;
    if (parser.positionalArguments().size() != 1) {
        printErr(u"cairn-cli logs: give one run, for example `cairn-cli logs last --follow`"_s);
        return 2;
    }
    const QString root = projectRoot(parser);
    auto db = openRuns(root);
    if (!db)
        return reportError(db.error());
    auto id = resolveRunId(**db, parser.positionalArguments().first());
    if (!id)
        return reportError(id.error());
    LogTail tail(QDir(runDirectory(root, *id)).filePath(u"output.log"_s));
    auto dump = [&] {
        while (true) {
            const QByteArray chunk = tail.readNew();
            if (chunk.isEmpty())
                break;
            std::fwrite(chunk.constData(), 1, std::size_t(chunk.size()), stdout);
        }
        std::fflush(stdout);
    };
    dump();
    if (!parser.isSet(follow))
        return 0;
    // An imported run has no output here to follow: Cairn does not supervise it.
    if (auto q = (*db)->prepare(u"SELECT 1 FROM imported_runs WHERE run_id = ?1");
        q && q->bind(1, *id).step().value_or(false)) {
        printErr(
            u"cairn-cli logs: run %1 was imported: its output is not recorded here"_s.arg(*id));
        return 0;
    }
    RunStore store(**db);
    int ticks = 0;
    while (true) {
        auto run = store.get(*id);
        if (!run)
            return reportError(run.error());
        if (isTerminal(run->status)) {
            dump();
            printErr(u"cairn-cli: run %1 %2"_s.arg(*id).arg(outcome(*run)));
            return exitCodeOf(*run);
        }
        QThread::msleep(150);
        dump();
        if (++ticks % 20 == 0)
            (void)store.reconcile(root); // a supervisor that died makes the run lost
    }
}

int cmdCancel(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"RUN"_s,
                                 u"A run number, `last`, or the start of a run's uuid."_s);
    parser.addOption(projectOption);
    int code = 0;
    if (!parse(parser, u"cancel"_s, args, &code))
        return code;
    if (parser.positionalArguments().size() != 1) {
        printErr(u"cairn-cli cancel: give one run, for example `cairn-cli cancel 12`"_s);
        return 2;
    }
    auto db = openRuns(projectRoot(parser));
    if (!db)
        return reportError(db.error());
    auto id = resolveRunId(**db, parser.positionalArguments().first());
    if (!id)
        return reportError(id.error());
    if (auto r = cancelRun(**db, *id); !r)
        return reportError(r.error());
    auto run = waitForRun(**db, *id, 30000);
    if (!run)
        return reportError(run.error());
    printOut(u"Run %1 %2."_s.arg(*id).arg(outcome(*run)));
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
    SupervisorOptions options;
    options.onWarning = [](const QString &w) { printErr(u"cairn-cli: warning: "_s + w); };
    const auto run = superviseRun(parser.value(projectOption), id, options);
    if (!run)
        return reportError(run.error());
    return exitCodeOf(*run);
}

} // namespace cairn::cli
