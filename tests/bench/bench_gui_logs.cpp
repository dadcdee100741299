// The GUI while a run prints 1,000,000 lines as fast as it can: the run goes through a detached
// supervisor, the window follows it with RunController and shows it in LogPanes (as the main
// window does), and a 10 ms timer measures how late the event loop serves it. Reports the
// longest stall, the 99th percentile, and that every line reached output.log.
//
//   QT_QPA_PLATFORM=offscreen CAIRN_CLI=build/release/app/cairn-cli
//   build/release/tests/bench/bench_gui_logs [LINES]

#include "logpanes.h"
#include "project/projectfile.h"
#include "runcontroller.h"
#include "runs/launcher.h"
#include "testsupport.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace cairn;
using namespace cairn::ui;

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    test::isolateUserDirs();
    QApplication app(argc, argv);
    const qint64 lines = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1000000;
    std::printf("bench_gui_logs: %lld lines of ~100 bytes\ncommand: QT_QPA_PLATFORM=offscreen "
                "CAIRN_CLI=%s %s %lld\n\n",
                lines, qPrintable(qEnvironmentVariable("CAIRN_CLI")), argv[0], lines);

    QTemporaryDir tmp;
    const QString root = QDir(tmp.path()).canonicalPath();
    test::writeFile(
        root + QStringLiteral("/gen.py"),
        "import sys\n"
        "n = int(sys.argv[1])\n"
        "w = sys.stdout.buffer.write\n"
        "pad = 'x' * 50\n"
        "batch = []\n"
        "for i in range(n):\n"
        "    batch.append('\\x1b[32mline %09d\\x1b[0m of the benchmark %s\\n' % (i, pad))\n"
        "    if len(batch) == 700:\n"
        "        w(''.join(batch).encode())\n"
        "        batch = []\n"
        "w(''.join(batch).encode())\n");
    test::writeFile(root + QStringLiteral("/cairn.yaml"),
                    QStringLiteral("name: bench\nentry_points:\n  gen: python3 gen.py %1\n")
                        .arg(lines)
                        .toUtf8());
    auto project = loadProject(root);

    LogPanes panes;
    panes.resize(1200, 500);
    panes.show();
    RunController runs;
    runs.setProject(root);
    QObject::connect(&runs, &RunController::runOutput, &panes, &LogPanes::appendOutput);
    QObject::connect(&runs, &RunController::runStarted, &panes, [&](qint64 id, const QString &ep) {
        panes.showRun(id, QStringLiteral("Run %1 · %2").arg(id).arg(ep), {});
    });

    // The event loop probe: a 10 ms timer; lateness beyond its period is a stall.
    QList<qint64> late;
    QElapsedTimer clock;
    qint64 last = -1;
    QTimer probe;
    probe.setInterval(10);
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        if (last >= 0)
            late.append(std::max<qint64>(0, now - last - 10));
        last = now;
    });

    bool ended = false;
    QObject::connect(&runs, &RunController::runEnded, [&](qint64, RunStatus) {
        ended = true;
        app.quit();
    });
    clock.start();
    probe.start();
    const auto id = runs.launch(*project, LaunchRequest{QStringLiteral("gen"), {}, {}, {}, {}});
    if (!id)
        qFatal("%s", qPrintable(id.error().first().toString()));
    QTimer::singleShot(600000, &app, &QApplication::quit);
    app.exec();
    const qint64 total = clock.elapsed();
    if (!ended)
        qFatal("the run did not end");

    QFile log(QDir(runDirectory(root, *id)).filePath(QStringLiteral("output.log")));
    log.open(QIODevice::ReadOnly);
    qint64 onDisk = 0;
    while (!log.atEnd())
        onDisk += log.read(1 << 20).count('\n');
    std::sort(late.begin(), late.end());
    const qint64 p99 = late.isEmpty() ? 0 : late[qsizetype(double(late.size()) * 0.99)];
    std::printf("run and display: %lld ms; lines in output.log: %lld of %lld\n", total, onDisk,
                lines);
    std::printf(
        "event loop stalls over %lld probes: max %lld ms, p99 %lld ms (target: max <= 50 ms)\n",
        qint64(late.size()), late.isEmpty() ? 0 : late.last(), p99);
    return onDisk == lines ? 0 : 1;
}
