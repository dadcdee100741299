#include "commands.h"

#include "cliutil.h"
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
  run ENTRY [-P NAME=VALUE]   Run an entry point: streams its output, Ctrl-C cancels it,
                              exits with its exit code (--detach: start it in the
                              background and print its id)
  runs [--json]               List the project's runs, newest first
  show RUN [--json]           A run's status, exit code, parameters, metrics, code, lineage
  metrics RUN [--name N]      A run's metrics (latest values), or every value of one
  logs RUN [--follow]         A run's output (--follow: until it ends)
  cancel RUN                  Stop a run (RUN: a number, `last`, or a uuid prefix)
  drift REF CUR [--json]      Data drift of CUR against REF, column by column, with
                              Evidently's tests (--test, --tests, --threshold,
                              --drift-share, --column-type COL=KIND, --html FILE,
                              --fail-on-drift; `cairn-cli drift --help` for more)
  drift --history             Every batch of the project's drift settings against its
                              reference (kept, and recomputed only when a file changes)
  validate DATASET[@REV]      Check a dataset (or one of its files, at a git revision)
                              against the rules its `checks:` declare; exits 1 when
                              a rule fails (--json)
  versions [NAME] [--json]    The versions of the declared datasets and models, with
                              the run that produced each and the runs that used it
  versions --register [NAME]...
                              Record the declared files' current content as versions
                              and keep their bytes in .cairn/objects
  pipeline [NAME] [-P N=V]    Run a pipeline of cairn.yaml step by step, each step a run
                              (--detach: in the background, prints its id; exits 1
                              when a step fails, 130 on Ctrl-C)
  pipeline --list|--show ID   Recent pipeline runs and their steps (--json;
                              --cancel ID stops one)
  diff data A B               What changed between two versions of a table: schema,
                              rows, cells (--key COL, --tolerance X, --json,
                              --format daff|html, --output FILE)
  diff runs A B [--json]      Two runs' parameters, latest metrics and what they ran
                              (exit 1 when they differ)
  diff model A B [--json]     What changed between two safetensors models, tensor by
                              tensor (A, B: a file or PATH@REVISION, e.g.
                              data/train.csv@HEAD~1; DVC-tracked data comes from the
                              DVC cache; PATH@xxh128:HASH and PATH@run:ID name the
                              versions `versions` lists)
  gate RUN [--model NAME]     Check a run's model against its `gate:` in cairn.yaml:
                              PASS/FAIL per condition and data check; exits 1 when
                              the gate fails (--json)
  register MODEL --run RUN    Register the model files a finished run wrote as the
                              model's next version, with its metrics and gate report
                              (--note TEXT, --json)
  promote MODEL VERSION --to ALIAS
                              Move an alias (production, staging, archived, or a name)
                              to a version; refused (exit 1) when the gate fails,
                              unless --reason TEXT is given (recorded); --remove
                              takes the alias off
  models [MODEL] [--json]     Registered models: versions, aliases, runs, gates,
                              metrics (--history: every alias change and its reason)
  import mlflow PATH          Import an MLflow store's runs (an mlruns folder or an
                              mlflow.db) into the project; again adds nothing
                              (--include-deleted)
  dvc exp show [-n N]         A DVC project per git commit, without DVC: the workspace
                              and the last N commits (--all-commits) and their DVC
                              experiments, with params, metrics and dep hashes, and
                              each stage's status (--json)
  dvc metrics diff [A [B]]    Metrics that differ between two revisions (default HEAD
                              and the workspace), with the change (--all, --json)
  dvc params diff [A [B]]     Params that differ between two revisions (--all, --deps:
                              only those stages depend on, --json)

Options for commands that work on a project:
  --project DIR               The project folder (default: the current folder or the
                              nearest parent with a cairn.yaml, MLproject or dvc.yaml);
                              an MLflow store (mlruns folder or mlflow.db) opens
                              read-only: `cairn-cli runs --project mlruns`

  --help                      Show this help
  --version                   Show the version
)"_s;
}

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

} // namespace cairn::cli
