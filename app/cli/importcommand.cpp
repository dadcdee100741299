// cairn-cli import mlflow PATH: an MLflow store's runs into the project's database.

#include "cliutil.h"
#include "commands.h"
#include "mlflow/mlflowimport.h"
#include "store/projectdb.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace cairn::cli {

static int importMlflow(const QStringList &args)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        u"Import the runs of an MLflow store (an mlruns folder, an mlflow.db file, or the folder "
        "holding one) into the project: names, times, statuses, parameters, tags and every "
        "metric value with its step and time. Importing again adds nothing; runs changed in "
        "MLflow since are updated in place."_s);
    parser.addPositionalArgument(u"PATH"_s, u"The MLflow store."_s);
    parser.addOption(projectOption);
    const QCommandLineOption deleted(u"include-deleted"_s,
                                     u"Also import runs deleted in MLflow."_s);
    parser.addOption(deleted);
    int code = 0;
    if (!parse(parser, u"import mlflow"_s, args, &code))
        return code;
    if (parser.positionalArguments().size() != 1) {
        printErr(u"cairn-cli import mlflow: name one MLflow store (an mlruns folder or an "
                 "mlflow.db file)"_s);
        return 2;
    }
    const QString path = QDir(parser.positionalArguments().first()).absolutePath();
    const auto location = findMlflowStore(path);
    if (!location) {
        reportError(Error(u"not an MLflow store"_s, path)
                        .withHint(u"Name an mlruns folder (experiment folders with meta.yaml), an "
                                  "mlflow.db file, or the folder that holds one of them"_s));
        return 2;
    }
    const QString root = projectRoot(parser);
    if (isInsideMlflowStore(root, *location)) {
        reportError(Error(u"the project folder is the MLflow store or inside it: importing would "
                          "write Cairn's files into the store"_s,
                          root)
                        .withHint(u"Name the project with --project DIR, a folder outside %1"_s.arg(
                            QDir::toNativeSeparators(location->path))));
        return 2;
    }
    if (mirroredMlflowStore(root))
        return reportError(Error(u"this is an MLflow store opened read-only, not a project"_s, root)
                               .withHint(u"Import into a project folder: --project DIR"_s));

    ProgressLine reading(u"Reading %1"_s.arg(QFileInfo(location->path).fileName()));
    auto store = readMlflowStore(*location, reading.callback());
    reading.finish();
    if (!store)
        return reportError(store.error());
    for (const Error &w : std::as_const(store->warnings))
        printErr(u"cairn-cli: warning: "_s + w.toString());

    auto db = openProjectDatabase(root);
    if (!db)
        return reportError(db.error());
    ProgressLine importing(u"Importing"_s);
    auto summary = importMlflowRuns(**db, *store, {.includeDeleted = parser.isSet(deleted)},
                                    importing.callback());
    importing.finish();
    if (!summary)
        return reportError(summary.error());
    const MlflowImportSummary &s = *summary;
    printOut(u"Imported %1 from %2 experiment(s) of %3 into %4: %5 new, %6 changed, %7 already "
             "imported."_s.arg(
                 s.added + s.updated == 1 ? u"1 run"_s : u"%1 runs"_s.arg(s.added + s.updated),
                 QString::number(s.experiments), QDir::toNativeSeparators(location->path),
                 QDir::toNativeSeparators(root), QString::number(s.added),
                 QString::number(s.updated), QString::number(s.unchanged)));
    if (s.skipped > 0)
        printOut(
            u"%1 run(s) deleted in MLflow were left out (--include-deleted imports them)."_s.arg(
                s.skipped));
    if (!store->registeredModels.isEmpty() || !store->loggedModels.isEmpty())
        printOut(u"The store's %1 registered model(s) and %2 logged model(s) are not imported: "
                 "register the runs' model files with `cairn-cli register`."_s.arg(
                     QString::number(store->registeredModels.size()),
                     QString::number(store->loggedModels.size())));
    return 0;
}

int cmdImport(const QStringList &args)
{
    const QString what = args.value(0);
    if (what == u"mlflow"_s)
        return importMlflow(args.mid(1));
    printErr(
        what.isEmpty() || what.startsWith(u'-')
            ? u"cairn-cli import: say what to import: `cairn-cli import mlflow PATH`"_s
            : u"cairn-cli import: cannot import `%1`; Cairn imports `mlflow` stores"_s.arg(what));
    return 2;
}

} // namespace cairn::cli
