// cairn-cli diff data|model A B: what changed between two versions of a dataset or a model.
// A and B are files or PATH@REVISION (git, or the DVC cache for DVC-tracked data).
// cairn-cli versions [NAME]: the versions of the project's datasets and models, with lineage.

#include "cliutil.h"
#include "commands.h"
#include "data/table.h"
#include "diff/modelcompare.h"
#include "diff/tablediff.h"
#include "diff/tableversion.h"
#include "runs/rundiff.h"
#include "runs/runjson.h"
#include "store/projectdb.h"
#include "vcs/revision.h"
#include "versioning/describe.h"
#include "versioning/producers.h"
#include "versioning/versions.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace cairn::cli {

namespace {

// Exit codes, as `diff` and `git diff --exit-code`: 0 no difference, 1 differences, 2 the
// comparison could not be made.
constexpr int kSame = 0;
constexpr int kDifferent = 1;
constexpr int kCannotCompare = 2;

int cannotCompare(const Error &e)
{
    reportError(e);
    return kCannotCompare;
}

// A and B of a diff, resolved against the current folder.
Result<std::pair<FileVersion, FileVersion>> resolveSides(const QStringList &pos)
{
    const QString here = QDir::currentPath();
    auto a = resolveFileVersion(pos[0], here);
    if (!a)
        return fail(a.error());
    auto b = resolveFileVersion(pos[1], here);
    if (!b)
        return fail(b.error());
    return std::pair{std::move(*a), std::move(*b)};
}

bool writeOutput(const QString &path, const QByteArray &bytes, int *exitCode)
{
    if (path.isEmpty() || path == u"-"_s) {
        std::fwrite(bytes.constData(), 1, std::size_t(bytes.size()), stdout);
        return true;
    }
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size() || !f.commit()) {
        *exitCode = cannotCompare(Error(u"cannot write: %1"_s.arg(f.errorString()), path));
        return false;
    }
    return true;
}

int diffData(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Compares two versions of a table: schema, rows (aligned by key, or by content without "
        "one) and cells.\nA and B are files or PATH@REVISION (a git revision; DVC-tracked data "
        "comes from the DVC cache).\nExit status: 0 no difference, 1 differences, 2 cannot "
        "compare."_s);
    parser.addPositionalArgument(u"A"_s, u"The first version (e.g. data/train.csv@HEAD~1)."_s);
    parser.addPositionalArgument(u"B"_s, u"The second version (e.g. data/train.csv)."_s);
    const QCommandLineOption keyOpt(u"key"_s,
                                    u"A key column aligning the rows (repeat for a composite "
                                    "key). Without one, rows are paired by content."_s,
                                    u"COL"_s);
    const QCommandLineOption tolOpt(u"tolerance"_s,
                                    u"Numbers closer than X are equal (absolute)."_s, u"X"_s);
    const QCommandLineOption jsonOpt(u"json"_s, u"Print the diff as JSON."_s);
    const QCommandLineOption formatOpt(
        u"format"_s, u"text (default), json, daff (daff's highlighter CSV) or html."_s,
        u"FORMAT"_s);
    const QCommandLineOption outOpt(u"output"_s, u"Write to FILE instead of the terminal."_s,
                                    u"FILE"_s);
    const QCommandLineOption contextOpt(
        u"context"_s, u"daff: unchanged rows shown around each change (default: all rows)."_s,
        u"N"_s);
    const QCommandLineOption engineOpt(
        u"engine"_s,
        u"auto (default): files over 512 MiB together are compared a few columns at a time, "
        "in about a third of their size in memory, and their rows are not listed; whole: read "
        "both files (about 1.3x their size in memory); columns: always a few columns at a "
        "time."_s,
        u"ENGINE"_s);
    parser.addOptions({keyOpt, tolOpt, jsonOpt, formatOpt, outOpt, contextOpt, engineOpt});
    int code = 0;
    if (!parse(parser, u"diff data"_s, args, &code))
        return code;
    const QStringList pos = parser.positionalArguments();
    if (pos.size() != 2) {
        printErr(u"cairn-cli diff data: give two versions, A and B\n\n"_s + parser.helpText());
        return kCannotCompare;
    }
    QString format = parser.isSet(jsonOpt) ? u"json"_s : parser.value(formatOpt).toLower();
    if (format.isEmpty())
        format = u"text"_s;
    if (!QStringList{u"text"_s, u"json"_s, u"daff"_s, u"html"_s}.contains(format))
        return cannotCompare(Error(u"unknown format \"%1\""_s.arg(format))
                                 .withHint(u"Use text, json, daff or html"_s));
    diff::TableDiffOptions options;
    options.keys = parser.values(keyOpt);
    if (parser.isSet(tolOpt)) {
        bool ok = false;
        options.tolerance = parser.value(tolOpt).toDouble(&ok);
        if (!ok || options.tolerance < 0)
            return cannotCompare(Error(
                u"--tolerance must be a number >= 0, not \"%1\""_s.arg(parser.value(tolOpt))));
    }
    if (parser.isSet(engineOpt)) {
        const QString engine = parser.value(engineOpt).toLower();
        using Engine = diff::TableDiffOptions::Engine;
        if (engine == u"whole"_s)
            options.engine = Engine::Whole;
        else if (engine == u"columns"_s)
            options.engine = Engine::ByColumns;
        else if (engine != u"auto"_s)
            return cannotCompare(Error(u"unknown engine \"%1\""_s.arg(engine))
                                     .withHint(u"Use auto, whole or columns"_s));
    }
    int context = -1;
    if (parser.isSet(contextOpt)) {
        bool ok = false;
        context = parser.value(contextOpt).toInt(&ok);
        if (!ok || context < 0)
            return cannotCompare(Error(u"--context must be a whole number >= 0"_s));
    }

    auto sides = resolveSides(pos);
    if (!sides)
        return cannotCompare(sides.error());
    const FileVersion *va = &sides->first;
    const FileVersion *vb = &sides->second;
    // One progress line per stage: reading A, reading B, comparing.
    std::unique_ptr<ProgressLine> line;
    diff::TableComparisonStage shown = diff::TableComparisonStage::ReadingText;
    auto progress = [&](diff::TableComparisonStage stage, qint64 done, qint64 total) {
        if (!line || stage != shown) {
            static const char *const labels[] = {"reading A", "reading B", "comparing",
                                                 "reading the cells' text"};
            line.reset(); // ends the previous stage's line first
            line = std::make_unique<ProgressLine>(QString::fromLatin1(labels[int(stage)]));
            shown = stage;
        }
        return line->callback()(done, total);
    };
    // The outputs that show cells print numbers as the files wrote them (0.70, not 0.7).
    auto c = diff::compareTableVersions(*va, *vb, options, format != u"json"_s, progress);
    line.reset();
    if (!c)
        return cannotCompare(c.error());
    const diff::TableDiff *d = &c->diff;
    const Table *a = &c->a;
    const Table *b = &c->b;
    const diff::DiffTexts texts = c->texts();
    QByteArray out;
    if (!c->tablesRead) {
        // Compared a few columns at a time: the counts, schema and statistics, not the rows.
        const QString why =
            u"the files were compared a few columns at a time to save memory, so their rows are "
            "not listed; --engine whole lists them (memory: about 1.3x the files' size)"_s;
        if (format == u"daff"_s || format == u"html"_s)
            return cannotCompare(
                Error(u"cannot write --format %1 for these files: %2"_s.arg(format, why)));
        if (format == u"json"_s) {
            QJsonObject json = diff::tableDiffJson(*d, *a, *b, 0);
            json.insert(u"rows_not_listed"_s, why);
            out = QJsonDocument(json).toJson(QJsonDocument::Indented);
        } else {
            QString text = diff::tableDiffText(*d, *a, *b, 0);
            text = text.left(text.indexOf(u"changed rows (first 0"_s));
            out = (text + u"(changed rows not listed: "_s + why + u")\n"_s).toUtf8();
        }
    } else if (format == u"json"_s)
        out = QJsonDocument(diff::tableDiffJson(*d, *a, *b)).toJson(QJsonDocument::Indented);
    else if (format == u"daff"_s)
        out = diff::tableDiffDaff(*d, *a, *b, context, texts);
    else if (format == u"html"_s)
        out = diff::tableDiffHtml(*d, *a, *b, 1000, texts);
    else
        out = diff::tableDiffText(*d, *a, *b, 20, texts).toUtf8();
    if (!writeOutput(parser.value(outOpt), out, &code))
        return code;
    return d->identical() ? kSame : kDifferent;
}

int diffModel(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Compares two versions of a model file. Safetensors: tensor by tensor (added, removed, "
        "reshaped, retyped, changed, and how far the values moved: L2 of the difference, "
        "relative L2, largest absolute difference, cosine). ONNX: the initializers the same "
        "way, and the graph (IR version, opsets, inputs, outputs, nodes, metadata). JSON and "
        "YAML (e.g. MLmodel): a structural diff. Other files: size and hashes.\nA and B are "
        "files or PATH@REVISION.\nExit status: 0 no difference, 1 differences, 2 cannot "
        "compare."_s);
    parser.addPositionalArgument(u"A"_s, u"The first version (e.g. model.safetensors@v1)."_s);
    parser.addPositionalArgument(u"B"_s, u"The second version."_s);
    const QCommandLineOption jsonOpt(u"json"_s, u"Print the diff as JSON."_s);
    const QCommandLineOption rowsOpt(u"rows"_s, u"Text: at most N tensors (default 50)."_s, u"N"_s);
    parser.addOptions({jsonOpt, rowsOpt});
    int code = 0;
    if (!parse(parser, u"diff model"_s, args, &code))
        return code;
    const QStringList pos = parser.positionalArguments();
    if (pos.size() != 2) {
        printErr(u"cairn-cli diff model: give two versions, A and B\n\n"_s + parser.helpText());
        return kCannotCompare;
    }
    auto sides = resolveSides(pos);
    if (!sides)
        return cannotCompare(sides.error());
    const FileVersion *va = &sides->first;
    const FileVersion *vb = &sides->second;
    Result<diff::ModelComparison> d = [&] {
        ProgressLine line(u"comparing"_s);
        return diff::compareModelVersions(*va, *vb, line.callback());
    }();
    if (!d)
        return cannotCompare(d.error());
    // Beside the model diff: the runs that made the two versions, and how they differ.
    const ProducingRuns runs = findProducingRuns(*va, *vb);
    if (parser.isSet(jsonOpt)) {
        QJsonObject json = diff::modelComparisonJson(*d);
        json.insert(u"runs"_s, producingRunsJson(runs));
        printOut(QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Indented)));
    } else {
        const int rows = parser.isSet(rowsOpt) ? parser.value(rowsOpt).toInt() : 50;
        printOut(diff::modelComparisonText(*d, rows > 0 ? rows : 50) + producingRunsText(runs));
    }
    return d->identical() ? kSame : kDifferent;
}

} // namespace

int cmdVersions(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"The versions (distinct contents) of the project's declared datasets and models, "
        "oldest first, with the run that produced each and the runs that used it."_s);
    parser.addPositionalArgument(u"NAME"_s,
                                 u"A dataset or model name, or its path (with --register, any "
                                 "number; none registers every declared file)."_s,
                                 u"[NAME]..."_s);
    parser.addOption(projectOption);
    const QCommandLineOption json(u"json"_s, u"Print JSON."_s);
    parser.addOption(json);
    const QCommandLineOption registerOption(
        u"register"_s, u"Record the current content of the declared datasets and models as "
                       "versions now, and keep their bytes in the object store."_s);
    parser.addOption(registerOption);
    const QCommandLineOption describeOption(
        u"describe"_s, u"Describe each version: rows, columns and schema of a table; tensors "
                       "and parameters of a safetensors model (computed once per content)."_s);
    parser.addOption(describeOption);
    int code = 0;
    if (!parse(parser, u"versions"_s, args, &code))
        return code;
    const auto project = load(parser, &code);
    if (!project)
        return code;
    auto db = openProjectDatabase(project->rootDir);
    if (!db)
        return reportError(db.error());
    const QStringList names = parser.positionalArguments();
    if (!parser.isSet(registerOption) && names.size() > 1)
        return reportError(Error(u"give one dataset or model name (or none for all)"_s));
    QStringList warnings;
    auto versions =
        parser.isSet(registerOption)
            ? registerVersions(*project, **db, names, ObjectStoreLimits::fromSettings(), &warnings)
            : listVersions(*project, **db, names.value(0));
    if (!versions)
        return reportError(versions.error());
    for (const QString &w : std::as_const(warnings))
        printErr(u"warning: "_s + w + u'\n');
    QHash<QString, QJsonObject> descriptions;
    if (parser.isSet(describeOption)) {
        for (const DataVersion &v : std::as_const(*versions)) {
            auto d = describeVersion(*project, **db, v);
            descriptions.insert(v.hash, d ? *d : QJsonObject{{u"error"_s, d.error().toString()}});
        }
    }
    if (parser.isSet(json)) {
        QJsonObject out = versionsJson(*versions);
        if (!descriptions.isEmpty()) {
            QJsonArray list = out.value(u"versions"_s).toArray();
            for (qsizetype i = 0; i < list.size(); ++i) {
                QJsonObject o = list[i].toObject();
                o.insert(u"description"_s, descriptions.value(o.value(u"hash"_s).toString()));
                list[i] = o;
            }
            out.insert(u"versions"_s, list);
        }
        printOut(QString::fromUtf8(QJsonDocument(out).toJson()));
    } else {
        QHash<QString, QString> notes;
        for (auto it = descriptions.cbegin(); it != descriptions.cend(); ++it) {
            notes.insert(it.key(), it->contains(u"error"_s)
                                       ? u"cannot describe: "_s + it->value(u"error"_s).toString()
                                       : descriptionText(*it));
        }
        printOut(versionsText(*versions, notes));
    }
    return 0;
}

// Two runs of the project (Cairn's, or imported from MLflow): parameters, latest metrics, what
// they ran.
static int diffRunsCommand(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"What differs between two runs: parameters, the latest value of each metric and the "
        "change, entry point (or MLflow experiment), status, commit and duration."_s);
    parser.addPositionalArgument(u"A"_s, u"A run: a number, `last`, or its uuid's start."_s);
    parser.addPositionalArgument(u"B"_s, u"The other run."_s);
    parser.addOption(projectOption);
    const QCommandLineOption json(u"json"_s, u"Print JSON."_s);
    const QCommandLineOption all(u"all"_s, u"List what did not change too."_s);
    parser.addOptions({json, all});
    int code = 0;
    if (!parse(parser, u"diff runs"_s, args, &code))
        return code;
    const QStringList pos = parser.positionalArguments();
    if (pos.size() != 2) {
        printErr(u"cairn-cli diff runs: give two runs, for example `cairn-cli diff runs 12 14`"_s);
        return kCannotCompare;
    }
    auto db = openProjectDatabase(projectRoot(parser), Database::Mode::ReadOnly);
    if (!db)
        return cannotCompare(db.error());
    auto a = resolveRunId(**db, pos.at(0));
    if (!a)
        return cannotCompare(a.error());
    auto b = resolveRunId(**db, pos.at(1));
    if (!b)
        return cannotCompare(b.error());
    auto d = diffRuns(**db, *a, *b);
    if (!d)
        return cannotCompare(d.error());
    printOut(parser.isSet(json) ? QString::fromUtf8(QJsonDocument(runDiffJson(*d)).toJson())
                                : runDiffText(*d, parser.isSet(all)));
    return d->changedParams() + d->changedMetrics() > 0 ? kDifferent : kSame;
}

int cmdDiff(const QStringList &args)
{
    const QString what = args.value(0);
    if (what == u"data"_s)
        return diffData(args.mid(1));
    if (what == u"model"_s)
        return diffModel(args.mid(1));
    if (what == u"runs"_s)
        return diffRunsCommand(args.mid(1));
    printErr(u"usage: cairn-cli diff data A B [--key COL]... [--tolerance X] "
             "[--json | --format daff|html] [--output FILE]\n"
             "       cairn-cli diff model A B [--json] (safetensors, ONNX, JSON/YAML, any file)\n"
             "       cairn-cli diff runs A B [--json] [--all] (two runs of the project)\n"
             "A and B are files or PATH@REVISION (data/train.csv@HEAD~1).\n"_s);
    return what == u"--help"_s || what == u"-h"_s ? 0 : kCannotCompare;
}

} // namespace cairn::cli
