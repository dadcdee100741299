// Log capture throughput: a child printing 1,000,000 lines (~100 MB) as fast as it can, run
// (a) with its output redirected to a file by the shell, (b) through Cairn's supervisor, which
// writes output.log and scans every line for metrics. Reports both times, the ratio, and checks
// that every line reached the disk.
//
//   build/release/tests/bench/bench_logs [LINES]

#include "project/projectfile.h"
#include "runs/launcher.h"
#include "runs/supervisor.h"
#include "store/projectdb.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

using namespace cairn;

static qint64 countLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    qint64 n = 0;
    QByteArray buf(1 << 20, Qt::Uninitialized);
    while (true) {
        const qint64 got = f.read(buf.data(), buf.size());
        if (got <= 0)
            break;
        n += std::count(buf.constData(), buf.constData() + got, '\n');
    }
    return n;
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    test::isolateUserDirs();
    const qint64 lines = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1000000;
    std::printf("bench_logs: %lld lines of ~100 bytes\ncommand: %s %lld\n\n", lines, argv[0],
                lines);

    QTemporaryDir tmp;
    const QString root = QDir(tmp.path()).canonicalPath();
    // The child: formats lines and writes them in 64 KiB blocks, as fast as Python can.
    test::writeFile(root + QStringLiteral("/gen.py"),
                    "import sys\n"
                    "n = int(sys.argv[1])\n"
                    "w = sys.stdout.buffer.write\n"
                    "pad = 'x' * 60\n"
                    "batch = []\n"
                    "for i in range(n):\n"
                    "    batch.append('line %09d of the benchmark %s\\n' % (i, pad))\n"
                    "    if len(batch) == 700:\n"
                    "        w(''.join(batch).encode())\n"
                    "        batch = []\n"
                    "w(''.join(batch).encode())\n");
    test::writeFile(root + QStringLiteral("/cairn.yaml"),
                    QStringLiteral("name: bench\nentry_points:\n  gen: python3 gen.py %1\n")
                        .arg(lines)
                        .toUtf8());

    auto timeBaseline = [&] {
        QElapsedTimer t;
        t.start();
        const auto r = test::runProcess(
            QStringLiteral("/bin/sh"),
            {QStringLiteral("-c"), QStringLiteral("python3 gen.py %1 > baseline.log").arg(lines)},
            root, 600000);
        if (r.exitCode != 0)
            qFatal("baseline failed");
        return t.elapsed();
    };
    auto timeSupervised = [&](qint64 *lineCount) {
        auto project = loadProject(root);
        auto db = openProjectDatabase(root);
        auto run = prepareRun(*project, **db, LaunchRequest{QStringLiteral("gen"), {}, {}, {}, {}});
        if (!run)
            qFatal("%s", qPrintable(run.error().first().toString()));
        db->reset();
        QElapsedTimer t;
        t.start();
        auto done = superviseRun(root, run->record.id);
        const qint64 ms = t.elapsed();
        if (!done || done->status != RunStatus::Finished)
            qFatal("supervised run failed");
        *lineCount = countLines(run->runDir + QStringLiteral("/output.log"));
        return ms;
    };

    QList<qint64> base, sup;
    qint64 onDisk = 0;
    for (int i = 0; i < 3; ++i) {
        base.append(timeBaseline());
        sup.append(timeSupervised(&onDisk));
        std::printf(
            "round %d: shell redirect %lld ms, supervised %lld ms, lines in output.log %lld\n",
            i + 1, base.last(), sup.last(), onDisk);
        if (onDisk != lines)
            qFatal("lost lines: %lld of %lld on disk", onDisk, lines);
    }
    std::sort(base.begin(), base.end());
    std::sort(sup.begin(), sup.end());
    std::printf(
        "\nmedian: shell redirect %lld ms, supervised %lld ms, ratio %.2f (target <= 1.30)\n",
        base[1], sup[1], double(sup[1]) / double(base[1]));
    return 0;
}
