#include "cliutil.h"

#include "mlflow/mlflowimport.h"
#include "project/projectfile.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>

#include <cstdio>

using namespace Qt::StringLiterals;

namespace cairn::cli {

const QCommandLineOption projectOption(u"project"_s, u"The project folder."_s, u"DIR"_s);

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

// --project naming an MLflow store (an mlruns folder, an mlflow.db, or the folder MLflow ran in
// when it holds no project file): the store's mirror, brought up to date first.
static std::optional<QString> mirrorOf(const QString &path)
{
    if (!opensAsMlflowStore(path))
        return std::nullopt;
    static QHash<QString, QString> synced; // commands may ask twice: read the store once
    if (auto it = synced.constFind(path); it != synced.constEnd())
        return *it;
    ProgressLine line(u"Reading the MLflow store"_s);
    auto mirror = syncMlflowMirror(path, line.callback());
    line.finish();
    if (!mirror) {
        reportError(mirror.error());
        std::exit(2);
    }
    if (!mirror->warnings.isEmpty()) {
        printErr(
            u"cairn-cli: warning: %1 unreadable part(s) of the store were left out; the first: %2"_s
                .arg(QString::number(mirror->warnings.size()),
                     mirror->warnings.first().toString()));
    }
    const MlflowImportSummary &s = mirror->summary;
    if (s.added + s.updated + s.removed > 0)
        printErr(
            u"cairn-cli: MLflow store %1: %2 new, %3 changed, %4 removed runs read into %5"_s.arg(
                QDir::toNativeSeparators(mirror->store.path), QString::number(s.added),
                QString::number(s.updated), QString::number(s.removed),
                QDir::toNativeSeparators(mirror->root)));
    synced.insert(path, mirror->root);
    return mirror->root;
}

QString projectRoot(const QCommandLineParser &parser)
{
    if (parser.isSet(projectOption)) {
        const QString path = QDir(parser.value(projectOption)).absolutePath();
        if (auto mirror = mirrorOf(path))
            return *mirror;
        return path;
    }
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

} // namespace cairn::cli
