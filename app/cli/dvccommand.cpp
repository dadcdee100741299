// cairn-cli dvc: what `dvc exp show`, `dvc metrics diff` and `dvc params diff` show, read from
// the project's git history without DVC installed.

#include "cliutil.h"
#include "commands.h"
#include "vcs/dvcexp.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace cairn::cli {

namespace {

// Exit codes: 0 shown, 2 nothing could be shown (usage, no repository, no DVC project).
constexpr int kFailed = 2;

const QString kDvcUsage = uR"(Usage:
  cairn-cli dvc exp show [--project DIR] [-n N | --all-commits] [--json]
  cairn-cli dvc metrics diff [A_REV [B_REV]] [--all] [--project DIR] [--json]
  cairn-cli dvc params diff [A_REV [B_REV]] [--all] [--deps] [--project DIR] [--json]
A_REV defaults to HEAD and B_REV to the workspace, as with DVC.)"_s;

void printWarnings(const dvc::DvcRow &row)
{
    for (const Error &w : row.warnings)
        printErr(u"cairn-cli: warning: "_s + w.toString());
}

void printJson(const QJsonDocument &doc)
{
    printOut(QString::fromUtf8(doc.toJson(QJsonDocument::Indented)));
}

int expShow(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addOption(projectOption);
    const QCommandLineOption num({u"n"_s, u"num"_s}, u"Show the last N commits (default 20)."_s,
                                 u"N"_s);
    const QCommandLineOption allCommits(u"all-commits"_s, u"Show every commit."_s);
    const QCommandLineOption json(u"json"_s, u"Print JSON."_s);
    parser.addOptions({num, allCommits, json});
    int code = 0;
    if (!parse(parser, u"dvc exp show"_s, args, &code))
        return code;
    if (!parser.positionalArguments().isEmpty()) {
        printErr(u"cairn-cli dvc exp show: takes no arguments\n"_s + kDvcUsage);
        return kFailed;
    }
    dvc::ExpOptions options;
    if (parser.isSet(num)) {
        bool ok = false;
        options.maxCommits = parser.value(num).toInt(&ok);
        if (!ok || options.maxCommits < 0) {
            printErr(u"cairn-cli dvc exp show: -n takes a number of commits, not \"%1\""_s.arg(
                parser.value(num)));
            return kFailed;
        }
    }
    if (parser.isSet(allCommits))
        options.maxCommits = -1;
    ProgressLine line(u"reading commits"_s);
    const auto rows = dvc::readDvcExperiments(projectRoot(parser), options, line.callback());
    line.finish();
    if (!rows) {
        reportError(rows.error());
        return kFailed;
    }
    for (const dvc::DvcRow &r : *rows)
        printWarnings(r);
    if (parser.isSet(json))
        printJson(QJsonDocument(dvc::dvcExperimentsJson(*rows)));
    else
        printOut(dvc::dvcExperimentsText(*rows));
    return 0;
}

int diff(const QString &what, const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(u"A_REV"_s, u"The old revision (default HEAD)."_s);
    parser.addPositionalArgument(u"B_REV"_s, u"The new revision (default: the workspace)."_s);
    parser.addOption(projectOption);
    const QCommandLineOption all(u"all"_s, u"Show unchanged values too."_s);
    const QCommandLineOption deps(u"deps"_s, u"Only params that stages depend on."_s);
    const QCommandLineOption json(u"json"_s, u"Print JSON."_s);
    parser.addOptions({all, json});
    const bool params = what == u"params"_s;
    if (params)
        parser.addOption(deps);
    int code = 0;
    const QString command = u"dvc %1 diff"_s.arg(what);
    if (!parse(parser, command, args, &code))
        return code;
    const QStringList pos = parser.positionalArguments();
    if (pos.size() > 2) {
        printErr(u"cairn-cli %1: give at most two revisions\n"_s.arg(command) + kDvcUsage);
        return kFailed;
    }
    const QString a = pos.value(0, u"HEAD"_s);
    const QString b = pos.value(1, u"workspace"_s);
    const QString root = projectRoot(parser);
    const auto rowA = dvc::readDvcRow(root, a);
    if (!rowA) {
        reportError(rowA.error());
        return kFailed;
    }
    const auto rowB = dvc::readDvcRow(root, b);
    if (!rowB) {
        reportError(rowB.error());
        return kFailed;
    }
    if (!rowA->hasDvcYaml && !rowB->hasDvcYaml && rowA->files.value(u"params.yaml"_s).isEmpty() &&
        rowB->files.value(u"params.yaml"_s).isEmpty()) {
        reportError(Error(u"no dvc.yaml or params.yaml at %1 or %2"_s.arg(a, b), root)
                        .withHint(u"Point --project at the folder that holds dvc.yaml"_s));
        return kFailed;
    }
    printWarnings(*rowA);
    printWarnings(*rowB);
    dvc::DvcDiff d = params
                         ? dvc::diffDvcParams(*rowA, *rowB, parser.isSet(all), parser.isSet(deps))
                         : dvc::diffDvcMetrics(*rowA, *rowB, parser.isSet(all));
    d.a = a;
    d.b = b;
    if (parser.isSet(json))
        printJson(QJsonDocument(dvc::dvcDiffJson(d)));
    else
        printOut(dvc::dvcDiffText(d));
    return 0;
}

} // namespace

int cmdDvc(const QStringList &args)
{
    const QString group = args.value(0);
    const QString verb = args.value(1);
    if (group == u"--help"_s || group == u"-h"_s) {
        printOut(kDvcUsage);
        return 0;
    }
    if (group == u"exp"_s && verb == u"show"_s)
        return expShow(args.mid(2));
    if ((group == u"metrics"_s || group == u"params"_s) && verb == u"diff"_s)
        return diff(group, args.mid(2));
    printErr(u"cairn-cli dvc: unknown subcommand \"%1\"\n"_s.arg(args.mid(0, 2).join(u' ')) +
             kDvcUsage);
    return kFailed;
}

} // namespace cairn::cli
