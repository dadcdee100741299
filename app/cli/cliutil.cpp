#include "cliutil.h"

#include "project/projectfile.h"

#include <QDir>

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

QString projectRoot(const QCommandLineParser &parser)
{
    if (parser.isSet(projectOption))
        return QDir(parser.value(projectOption)).absolutePath();
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
