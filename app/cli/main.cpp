// cairn-cli: every Cairn capability without a window, for terminals, scripts and CI.

#include "commands.h"
#include "common/memory.h"
#include "common/version.h"

#include <QCoreApplication>

#include <cstdio>

using namespace Qt::StringLiterals;

int main(int argc, char **argv)
{
    cairn::returnLargeBuffersOnFree();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(u"cairn-cli"_s);
    QCoreApplication::setOrganizationName(u"cairn"_s);
    QCoreApplication::setApplicationVersion(cairn::cairnVersion());

    QStringList args = QCoreApplication::arguments().mid(1);
    if (args.isEmpty() || args.first() == u"--help"_s || args.first() == u"-h"_s ||
        args.first() == u"help"_s) {
        std::fputs(qPrintable(cairn::cli::usage()), args.isEmpty() ? stderr : stdout);
        return args.isEmpty() ? 2 : 0;
    }
    if (args.first() == u"--version"_s || args.first() == u"-v"_s) {
        std::printf("cairn %s\n", qPrintable(cairn::cairnVersion()));
        return 0;
    }
    const QString command = args.takeFirst();
    using Handler = int (*)(const QStringList &);
    const std::pair<QString, Handler> commands[] = {
        {u"init"_s, cairn::cli::cmdInit},         {u"demo"_s, cairn::cli::cmdDemo},
        {u"project"_s, cairn::cli::cmdProject},   {u"run"_s, cairn::cli::cmdRun},
        {u"runs"_s, cairn::cli::cmdRuns},         {u"show"_s, cairn::cli::cmdShow},
        {u"metrics"_s, cairn::cli::cmdMetrics},   {u"logs"_s, cairn::cli::cmdLogs},
        {u"cancel"_s, cairn::cli::cmdCancel},     {u"supervise"_s, cairn::cli::cmdSupervise},
        {u"drift"_s, cairn::cli::cmdDrift},       {u"diff"_s, cairn::cli::cmdDiff},
        {u"versions"_s, cairn::cli::cmdVersions}, {u"validate"_s, cairn::cli::cmdValidate},
        {u"gate"_s, cairn::cli::cmdGate},         {u"register"_s, cairn::cli::cmdRegister},
        {u"promote"_s, cairn::cli::cmdPromote},   {u"models"_s, cairn::cli::cmdModels},
        {u"pipeline"_s, cairn::cli::cmdPipeline}, {u"import"_s, cairn::cli::cmdImport},
        {u"dvc"_s, cairn::cli::cmdDvc},
    };
    for (const auto &[name, handler] : commands) {
        if (name == command)
            return handler(args);
    }
    std::fprintf(stderr, "cairn-cli: unknown command \"%s\"\n\n%s", qPrintable(command),
                 qPrintable(cairn::cli::usage()));
    return 2;
}
