// cairn-cli drift: compare a reference table with a current one (or every batch of the
// project's drift settings with the reference), print the report, write it as HTML.

#include "cliutil.h"
#include "commands.h"
#include "data/table.h"
#include "drift/drift.h"
#include "drift/history.h"
#include "drift/htmlreport.h"
#include "drift/referenceprofile.h"
#include "project/projectfile.h"
#include "store/projectdb.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QSaveFile>

#include <cstdio>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace cairn::cli {

using namespace cairn::drift;

namespace {

// Exit codes: 0, or 1 when --fail-on-drift and the data drifted; 2 when the comparison could
// not be made (a bad file or option), so that a pipeline can tell the two apart.
constexpr int kCannotCompare = 2;

int cannotCompare(const Error &e)
{
    reportError(e);
    return kCannotCompare;
}

Result<Table> readData(const QString &file, int threads)
{
    ProgressLine line(u"reading "_s + QFileInfo(file).fileName());
    ReadOptions options;
    options.threads = threads;
    return readTable(file, options, line.callback());
}

// A saved reference profile rather than a data file?
std::optional<QJsonObject> profileJson(const QString &file)
{
    if (!file.endsWith(u".json"_s, Qt::CaseInsensitive))
        return std::nullopt;
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonDocument doc = QJsonDocument::fromJson(f.read(64 << 20));
    if (!doc.isObject() || !doc.object().contains(u"cairn_reference_profile"_s))
        return std::nullopt;
    return doc.object();
}

Result<void> writeText(const QString &path, const QByteArray &bytes)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return fail(Error(u"cannot write: %1"_s.arg(f.errorString()), path));
    f.write(bytes);
    if (!f.commit())
        return fail(Error(u"cannot write: %1"_s.arg(f.errorString()), path));
    return ok();
}

// Column notes that the exact JSON form has no room for go to stderr.
void warnColumns(const DriftReport &report)
{
    if (!report.onlyInReference.isEmpty())
        printErr(u"cairn-cli: warning: only in the reference, not compared: %1"_s.arg(
            report.onlyInReference.join(u", "_s)));
    if (!report.onlyInCurrent.isEmpty())
        printErr(u"cairn-cli: warning: only in the current table, not compared: %1"_s.arg(
            report.onlyInCurrent.join(u", "_s)));
    for (const ColumnDrift &c : report.columns) {
        if (!c.error.isEmpty())
            printErr(u"cairn-cli: warning: column \"%1\" not tested: %2"_s.arg(c.name, c.error));
        for (const TestOutcome &t : c.tests) {
            if (!t.error.isEmpty() && t.name != c.test)
                printErr(
                    u"cairn-cli: warning: column \"%1\": %2: %3"_s.arg(c.name, t.name, t.error));
        }
    }
}

int historyCommand(const Project &project, const ProjectDrift &drift, bool json, bool failOnDrift,
                   const QString &htmlPath)
{
    auto db = openProjectDatabase(project.rootDir);
    if (!db)
        return cannotCompare(db.error());
    if (drift.batches.isEmpty())
        return cannotCompare(
            Error(u"the drift settings' \"current\" (%1) matches no batch"_s.arg(
                      project.drift->current),
                  project.projectFile)
                .withHint(u"Put batches where the glob points, or fix `drift: current:`"_s));
    ProgressLine line(u"comparing batches"_s);
    auto history = computeDriftHistory(project, **db, drift, line.callback());
    line.finish();
    if (!history)
        return cannotCompare(history.error());
    bool anyDrift = false;
    bool anyError = false;
    QJsonArray batches;
    QString text =
        u"Drift of each batch against %1\n\n"_s.arg(project.relativePath(history->referenceFile));
    text += u"%1  %2  %3  %4\n"_s.arg(u"BATCH"_s, -36)
                .arg(u"DRIFTED"_s, -9)
                .arg(u"SHARE"_s, -7)
                .arg(u"DATASET"_s);
    const QLocale c = QLocale::c();
    for (const BatchDrift &b : history->batches) {
        QJsonObject o;
        o.insert(u"batch"_s, b.path);
        o.insert(u"hash"_s, b.hash);
        o.insert(u"from_store"_s, b.fromStore);
        if (b.report) {
            const DatasetDrift &d = b.report->dataset;
            anyDrift = anyDrift || d.drifted;
            o.insert(u"report"_s, driftReportToJson(*b.report));
            text += u"%1  %2  %3  %4\n"_s.arg(b.path, -36)
                        .arg(u"%1/%2"_s.arg(d.driftedColumns).arg(d.columns), -9)
                        .arg(c.toString(d.shareDrifted * 100, 'f', 0) + u'%', -7)
                        .arg(d.drifted ? u"DRIFT"_s : u"ok"_s);
        } else {
            anyError = true;
            o.insert(u"error"_s, b.error ? b.error->toString() : QString());
            text += u"%1  error: %2\n"_s.arg(b.path, -36)
                        .arg(b.error ? b.error->toString() : QString());
        }
        batches.append(o);
    }
    text += u"\n%1 batch(es) computed now, %2 from the store (unchanged files).\n"_s
                .arg(history->computed)
                .arg(history->batches.size() - history->computed);
    if (json) {
        QJsonObject root;
        root.insert(u"reference"_s, project.relativePath(history->referenceFile));
        root.insert(u"reference_hash"_s, history->referenceHash);
        root.insert(u"batches"_s, batches);
        printOut(QString::fromUtf8(QJsonDocument(root).toJson(QJsonDocument::Indented)));
    } else {
        printOut(text);
    }
    if (!htmlPath.isEmpty()) {
        // The newest batch in detail, computed again for its charts (stored reports keep numbers
        // only).
        std::optional<DriftReport> latest;
        for (auto it = history->batches.crbegin(); it != history->batches.crend() && !latest;
             ++it) {
            if (!it->report)
                continue;
            auto full = compareFiles(history->referenceFile, it->file, drift.options);
            if (!full)
                return cannotCompare(full.error());
            full->reference = project.relativePath(history->referenceFile);
            full->current = it->path;
            latest = std::move(*full);
        }
        HtmlReportInput input;
        input.history = &*history;
        input.report = latest ? &*latest : nullptr;
        input.options = drift.options;
        input.title = u"Drift of %1"_s.arg(project.name);
        if (auto r = writeDriftReportHtml(htmlPath, input); !r)
            return cannotCompare(r.error());
    }
    if (anyError)
        return kCannotCompare;
    return failOnDrift && anyDrift ? 1 : 0;
}

} // namespace

int cmdDrift(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(
        u"REF"_s, u"The reference: a data file, a dataset of the project, or a saved "
                  "reference profile (.json)."_s);
    parser.addPositionalArgument(u"CUR"_s,
                                 u"The current data: a file or a dataset of the project."_s);
    parser.addOption(projectOption);
    const QCommandLineOption json(u"json"_s, u"Print the report as JSON."_s);
    const QCommandLineOption test(
        u"test"_s, u"Use this test for every column instead of Evidently's choice."_s, u"NAME"_s);
    const QCommandLineOption tests(
        u"tests"_s, u"Also run these tests where they apply (comma-separated)."_s, u"A,B,..."_s);
    const QCommandLineOption threshold(u"threshold"_s, u"The drift threshold for every test."_s,
                                       u"X"_s);
    const QCommandLineOption driftShare(
        u"drift-share"_s, u"The share of drifted columns that makes the dataset drift (0.5)."_s,
        u"S"_s);
    const QCommandLineOption columnType(
        u"column-type"_s, u"Treat a column as numerical, categorical or text (repeatable)."_s,
        u"COL=KIND"_s);
    const QCommandLineOption ignore(u"ignore"_s, u"Leave a column out (repeatable)."_s, u"COL"_s);
    const QCommandLineOption binning(
        u"binning"_s,
        u"evidently (default) or reference: bins from the reference alone, "
        "plus overflow bins."_s,
        u"MODE"_s);
    const QCommandLineOption html(
        u"html"_s, u"Also write the report, with its charts, as one HTML file."_s, u"FILE"_s);
    const QCommandLineOption failOnDrift(u"fail-on-drift"_s,
                                         u"Exit with 1 when the dataset drifted."_s);
    const QCommandLineOption saveProfile(
        u"save-profile"_s,
        u"Write the reference's profile (reference-binned mode) to FILE; "
        "CUR is then optional."_s,
        u"FILE"_s);
    const QCommandLineOption history(u"history"_s,
                                     u"Compare every batch of the project's drift settings with "
                                     "its reference (results are kept and reused while the files "
                                     "do not change)."_s);
    const QCommandLineOption threads(u"threads"_s, u"Threads to use (default: all cores)."_s,
                                     u"N"_s);
    parser.addOptions({json, test, tests, threshold, driftShare, columnType, ignore, binning, html,
                       failOnDrift, saveProfile, history, threads});
    int code = 0;
    if (!parse(parser, u"drift"_s, args, &code))
        return code;
    const QStringList pos = parser.positionalArguments();
    const bool historyMode = parser.isSet(history);
    if (historyMode ? !pos.isEmpty()
                    : (pos.size() != 2 && !(pos.size() == 1 && parser.isSet(saveProfile)))) {
        printErr(u"cairn-cli drift: give a reference and a current file, for example "
                 "`cairn-cli drift data/reference.csv data/new.csv`, or --history"_s);
        return 2;
    }

    // The project, when there is one: dataset names and its drift settings.
    std::optional<Project> project;
    {
        const QString root = projectRoot(parser);
        if (parser.isSet(projectOption) || !findProjectFile(root).isEmpty() || historyMode) {
            project = load(parser, &code);
            if (!project)
                return kCannotCompare;
        }
    }

    DriftOptions options;
    if (project && project->drift) {
        if (auto r = applySettings(*project->drift, options); !r)
            return cannotCompare(r.error());
    }
    auto usageError = [](const QString &message) {
        printErr(u"cairn-cli drift: "_s + message);
        return 2;
    };
    if (parser.isSet(test))
        options.test = parser.value(test).trimmed();
    for (const QString &t : parser.value(tests).split(u',', Qt::SkipEmptyParts))
        options.extraTests.append(t.trimmed());
    if (parser.isSet(threshold)) {
        bool okNumber = false;
        const double x = parser.value(threshold).toDouble(&okNumber);
        if (!okNumber || !std::isfinite(x) || x < 0)
            return usageError(u"--threshold must be a number of at least 0, not \"%1\""_s.arg(
                parser.value(threshold)));
        options.threshold = x;
    }
    if (parser.isSet(driftShare)) {
        bool okNumber = false;
        const double x = parser.value(driftShare).toDouble(&okNumber);
        if (!okNumber || !(x > 0 && x <= 1))
            return usageError(
                u"--drift-share must be a number above 0 and at most 1, not \"%1\""_s.arg(
                    parser.value(driftShare)));
        options.driftShare = x;
    }
    for (const QString &assignment : parser.values(columnType)) {
        const qsizetype eq = assignment.lastIndexOf(u'=');
        const auto kind = eq > 0 ? kindFromName(assignment.mid(eq + 1).trimmed()) : std::nullopt;
        if (!kind)
            return usageError(
                u"--column-type takes COLUMN=KIND with KIND numerical, categorical or text, not "
                "\"%1\""_s.arg(assignment));
        options.kinds.insert(assignment.left(eq), *kind);
    }
    options.ignore += parser.values(ignore);
    if (parser.isSet(binning)) {
        const QString b = parser.value(binning).trimmed();
        if (b == u"evidently"_s)
            options.binning = Binning::Evidently;
        else if (b == u"reference"_s)
            options.binning = Binning::Reference;
        else
            return usageError(u"--binning is evidently or reference, not \"%1\""_s.arg(b));
    }
    if (parser.isSet(threads)) {
        bool okNumber = false;
        options.threads = parser.value(threads).toInt(&okNumber);
        if (!okNumber || options.threads < 1)
            return usageError(u"--threads must be a whole number of at least 1"_s);
    }
    QStringList unknown;
    const QStringList known = testNames();
    if (!options.test.isEmpty() && !known.contains(options.test))
        unknown.append(options.test);
    for (const QString &t : options.extraTests) {
        if (!known.contains(t))
            unknown.append(t);
    }
    if (!unknown.isEmpty())
        return usageError(
            u"unknown test(s): %1. Tests: %2"_s.arg(unknown.join(u", "_s), known.join(u", "_s)));

    if (historyMode) {
        auto drift = resolveProjectDrift(*project);
        if (!drift)
            return cannotCompare(drift.error());
        // Options from the command line override the project's settings.
        const Binning mode = options.binning;
        drift->options = options;
        drift->options.binning = mode;
        return historyCommand(*project, *drift, parser.isSet(json), parser.isSet(failOnDrift),
                              parser.value(html));
    }

    // The chart data (histograms, ECDFs) is only needed for the HTML report.
    options.profiles = parser.isSet(html);
    const QString cwd = QDir::currentPath();
    const Project *p = project ? &*project : nullptr;
    // The reference: a saved profile, or a data file.
    std::optional<ReferenceProfile> profile;
    std::optional<Table> reference;
    QString referenceFile;
    if (auto file = resolveDataFile(p, pos[0], cwd)) {
        referenceFile = *file;
    } else {
        return cannotCompare(file.error());
    }
    if (auto pj = profileJson(referenceFile)) {
        auto loaded = profileFromJson(*pj, referenceFile);
        if (!loaded)
            return cannotCompare(loaded.error());
        profile = std::move(*loaded);
        options.binning = Binning::Reference;
    } else {
        auto table = readData(referenceFile, options.threads);
        if (!table)
            return cannotCompare(table.error());
        reference = std::move(*table);
    }
    if (parser.isSet(saveProfile)) {
        if (!profile) {
            ProgressLine line(u"profiling the reference"_s);
            auto built = buildReferenceProfile(*reference, options, line.callback());
            if (!built)
                return cannotCompare(built.error());
            profile = std::move(*built);
        }
        const QByteArray text =
            QJsonDocument(profileToJson(*profile)).toJson(QJsonDocument::Indented);
        if (auto r = writeText(parser.value(saveProfile), text); !r)
            return cannotCompare(r.error());
        printErr(u"cairn-cli: wrote the reference profile of %1 to %2"_s.arg(
            referenceFile, parser.value(saveProfile)));
        if (pos.size() == 1)
            return 0;
        options.binning = Binning::Reference;
    }

    auto currentFile = resolveDataFile(p, pos[1], cwd);
    if (!currentFile)
        return cannotCompare(currentFile.error());
    auto current = readData(*currentFile, options.threads);
    if (!current)
        return cannotCompare(current.error());

    Result<DriftReport> report = [&]() -> Result<DriftReport> {
        ProgressLine line(u"comparing columns"_s);
        if (options.binning == Binning::Reference && !profile) {
            auto built = buildReferenceProfile(*reference, options, {});
            if (!built)
                return fail(built.error());
            profile = std::move(*built);
        }
        if (profile)
            return computeDriftAgainstProfile(*profile, *current, options, line.callback());
        return computeDrift(*reference, *current, options, line.callback());
    }();
    if (!report)
        return cannotCompare(report.error());
    report->reference = pos[0];
    report->current = pos[1];

    if (parser.isSet(json)) {
        warnColumns(*report);
        printOut(QString::fromUtf8(
            QJsonDocument(driftReportToJson(*report)).toJson(QJsonDocument::Indented)));
    } else {
        printOut(driftReportToText(*report));
    }
    if (parser.isSet(html)) {
        HtmlReportInput input;
        input.report = &*report;
        input.options = options;
        input.title = u"Drift of %1 against %2"_s.arg(QFileInfo(pos[1]).fileName(),
                                                      QFileInfo(pos[0]).fileName());
        if (auto r = writeDriftReportHtml(parser.value(html), input); !r)
            return cannotCompare(r.error());
        printErr(u"cairn-cli: wrote the report to %1"_s.arg(parser.value(html)));
    }
    if (report->dataset.columns == 0) {
        // Nothing could be tested (every column empty, text or refused): not a clean bill.
        printErr(u"cairn-cli: error: no column could be tested, so there is no drift verdict; "
                 "see the warnings above"_s);
        return kCannotCompare;
    }
    return parser.isSet(failOnDrift) && report->dataset.drifted ? 1 : 0;
}

} // namespace cairn::cli
