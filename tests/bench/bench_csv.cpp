// CSV reading throughput: a 1,000,000-row x 20-column file (~100 MB: 12 float columns, 4 int
// columns, 4 short categorical string columns), generated with a fixed seed, read 3 times with
// readTable. Prints the median wall time, MB/s and the process's peak RSS, and pandas' time for
// the same file (pandas.read_csv(low_memory=False), as the drift oracle reads) when
// /usr/bin/python3 has pandas.
//
//   build/release/tests/bench/bench_csv [FILE.csv]
//
// With FILE.csv the file is reused if it exists, else generated there; without it, a temporary
// folder holds it.

#include "data/table.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <random>
#include <sys/resource.h>
#include <thread>

using namespace cairn;

namespace {

constexpr int kRows = 1000000;

long peakRssKiB()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

long currentRssKiB()
{
    QFile f("/proc/self/statm");
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> parts = f.readAll().split(' ');
    return parts.size() > 1 ? parts[1].toLong() * 4 : -1;
}

bool generate(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    std::mt19937_64 rng(42);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::exponential_distribution<double> expo(0.5);
    static const char *colours[] = {"red", "green", "blue", "amber", "grey"};
    static const char *sizes[] = {"S", "M", "L", "XL"};
    static const char *regions[] = {"eu", "us", "apac", "latam", "mena", "africa"};
    static const char *plans[] = {"free", "pro", "team", "ent"};
    QByteArray out;
    out.reserve(1 << 20);
    for (int c = 0; c < 12; ++c)
        out += "f" + QByteArray::number(c) + ",";
    out += "i0,i1,i2,i3,colour,size,region,plan\n";
    char num[64];
    auto putDouble = [&](double v, int precision) {
        const auto r =
            std::to_chars(num, num + sizeof num, v, std::chars_format::general, precision);
        out.append(num, r.ptr - num);
        out += ',';
    };
    for (int row = 0; row < kRows; ++row) {
        for (int c = 0; c < 12; ++c) {
            if (c < 6)
                putDouble(normal(rng) * (c + 1), 5);
            else if (c < 10)
                putDouble(expo(rng), 4);
            else
                putDouble(double(rng() % 100000) / 100.0, 6);
        }
        out += QByteArray::number(qint64(rng() % 1000)) + ',' +
               QByteArray::number(qint64(rng() % 7)) + ',' +
               QByteArray::number(qint64(rng() % 100000) - 50000) + ',' + QByteArray::number(row) +
               ',';
        out += QByteArray(colours[rng() % 5]) + ',' + sizes[rng() % 4] + ',' + regions[rng() % 6] +
               ',' + plans[rng() % 4] + '\n';
        if (out.size() > (1 << 20) - 512) {
            f.write(out);
            out.clear();
        }
    }
    f.write(out);
    return true;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::printf("bench_csv: readTable on a %d x 20 CSV (12 float, 4 int, 4 categorical columns)\n"
                "command: %s%s%s\n\n",
                kRows, argv[0], argc > 1 ? " " : "", argc > 1 ? argv[1] : "");
    QTemporaryDir tmp;
    const QString path = argc > 1 ? QString::fromLocal8Bit(argv[1]) : tmp.filePath("bench.csv");
    if (!QFileInfo::exists(path)) {
        QElapsedTimer g;
        g.start();
        if (!generate(path)) {
            std::fprintf(stderr, "cannot write %s\n", qPrintable(path));
            return 1;
        }
        std::printf("generated %s in %.1f s\n", qPrintable(path), double(g.elapsed()) / 1000.0);
    }
    const double mb = double(QFileInfo(path).size()) / 1e6;
    std::printf("file: %s, %.1f MB\nthreads: %u hardware\n", qPrintable(path), mb,
                std::thread::hardware_concurrency());
    std::printf("RSS before reading: %.1f MB (peak so far %.1f MB)\n",
                double(currentRssKiB()) / 1024, double(peakRssKiB()) / 1024);

    std::vector<double> times;
    for (int run = 0; run < 3; ++run) {
        QElapsedTimer t;
        t.start();
        auto table = readTable(path);
        const double s = double(t.nsecsElapsed()) / 1e9;
        if (!table) {
            std::fprintf(stderr, "error: %s\n", qPrintable(table.error().toString()));
            return 1;
        }
        int floats = 0, ints = 0, strings = 0;
        for (const Column &c : table->columns) {
            floats += c.type == ColumnType::Float64;
            ints += c.type == ColumnType::Int64;
            strings += c.type == ColumnType::String;
        }
        if (table->rows != kRows || floats != 12 || ints != 4 || strings != 4) {
            std::fprintf(stderr, "unexpected table: %lld rows, %d/%d/%d float/int/string\n",
                         qint64(table->rows), floats, ints, strings);
            return 1;
        }
        times.push_back(s);
        std::printf("run %d: %.3f s (RSS holding the table %.1f MB)\n", run + 1, s,
                    double(currentRssKiB()) / 1024);
    }
    std::sort(times.begin(), times.end());
    const double median = times[1];
    std::printf("\nreadTable median: %.3f s, %.0f MB/s, peak RSS %.1f MB\n", median, mb / median,
                double(peakRssKiB()) / 1024);

    const QString script = QStringLiteral(
        "import resource, sys, time\n"
        "import pandas as pd\n"
        "t = time.perf_counter()\n"
        "df = pd.read_csv(sys.argv[1], low_memory=False)\n"
        "s = time.perf_counter() - t\n"
        "print('%.3f %.1f %d' % (s, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "
        "len(df)))\n");
    std::vector<double> pandasTimes;
    double pandasRss = 0;
    for (int run = 0; run < 3; ++run) {
        const auto r = test::runProcess(QStringLiteral("/usr/bin/python3"),
                                        {QStringLiteral("-c"), script, path}, {}, 600000);
        const QList<QByteArray> parts = r.out.trimmed().split(' ');
        if (r.exitCode != 0 || parts.size() != 3) {
            std::printf("pandas: not available (%s)\n", r.err.trimmed().constData());
            return 0;
        }
        pandasTimes.push_back(parts[0].toDouble());
        pandasRss = std::max(pandasRss, parts[1].toDouble());
    }
    std::sort(pandasTimes.begin(), pandasTimes.end());
    std::printf(
        "pandas 1.5 read_csv median: %.3f s, %.0f MB/s, peak RSS %.1f MB (python process)\n",
        pandasTimes[1], mb / pandasTimes[1], pandasRss);
    std::printf("speed-up: %.1fx\n", pandasTimes[1] / median);
    return 0;
}
