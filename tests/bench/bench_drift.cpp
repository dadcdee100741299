// Drift on 1,000,000 rows x 20 columns: `cairn-cli drift REF CUR --json` against the scipy
// oracle (tools/drift_oracle.py, pandas + scipy, what an Evidently user runs) on the same files,
// side by side: wall time and peak memory (the child's maximum resident set, from wait4), and
// a check that both give the same verdicts and scores.
//
// The columns: 12 numeric of varied shapes (normal, shifted, scaled, lognormal, exponential,
// uniform, bimodal, Student-t heavy tails, Pareto, rounded with ties, 8% missing, a wide float),
// 4 integer (two of them categorical by Evidently's rule: at most 10 values), 4 text categorical.
//
//   build/release/tests/bench/bench_drift [ROWS] [--keep DIR] [--runs N]
//
// Each program runs N times (default 3), alternately, and the medians are compared: on a
// shared machine one run of either can be much slower than the next.

#include "testsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fcntl.h>
#include <random>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace cairn;

namespace {

using test::measure;
using test::Measured;

void generate(const QString &path, qint64 rows, bool current, std::uint64_t seed)
{
    std::mt19937_64 g(seed);
    std::normal_distribution<double> normal(0, 1);
    std::uniform_real_distribution<double> u(0, 1);
    std::student_t_distribution<double> t(3);
    std::exponential_distribution<double> expo(1);
    const char *cities[] = {"amsterdam", "berlin", "cairo", "delhi", "essen",
                            "fes",       "graz",   "hanoi", "izmir", "jaipur"};
    const char *plans[] = {"basic", "plus", "pro"};
    const char *devices[] = {"android", "ios", "web", "desktop", "tv"};
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    f.write(
        "n_normal,n_shifted,n_scaled,n_lognormal,n_expo,n_uniform,n_bimodal,n_heavy,n_pareto,n_"
        "ties,"
        "n_missing,n_wide,i_rating,i_children,i_age,i_visits,c_city,c_plan,c_device,c_segment\n");
    QByteArray line;
    const double shift = current ? 1 : 0;
    for (qint64 r = 0; r < rows; ++r) {
        line.clear();
        auto num = [&](double v, int decimals) {
            line += QByteArray::number(v, 'f', decimals);
            line += ',';
        };
        num(normal(g), 5);
        num(normal(g) + 0.2 * shift, 5);
        num(normal(g) * (1 + 0.5 * shift), 5);
        num(std::exp(normal(g) * 0.8), 5);
        num(expo(g) * 10, 4);
        num(u(g) * 100, 4);
        num(u(g) < 0.5 ? normal(g) - 3 : normal(g) + 3 + shift, 5);
        num(t(g), 5);
        num(std::pow(1 - u(g), -1.0 / 2.5), 5);
        num(std::round(normal(g) * 4) / 2, 1);
        if (u(g) < (current ? 0.08 : 0.02))
            line += ',';
        else
            num(normal(g) * 50 + 1000, 3);
        num(normal(g) * 1e6 + 1e7 * shift * 0.01, 2);
        line += QByteArray::number(int(u(g) * 5) + 1) + ',';
        line += QByteArray::number(int(std::min(9.0, expo(g) * 1.5))) + ',';
        line += QByteArray::number(18 + int(u(g) * 70)) + ',';
        line += QByteArray::number(int(expo(g) * (current ? 60 : 50))) + ',';
        line += cities[std::min(9, int(u(g) * u(g) * 10))];
        line += ',';
        line += plans[current && u(g) < 0.2 ? 2 : int(u(g) * 3)];
        line += ',';
        line += devices[int(u(g) * 5)];
        line += ',';
        line += "seg-";
        line += QByteArray::number(int(u(g) * 30));
        line += '\n';
        f.write(line);
    }
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    qint64 rows = 1000000;
    QString keep;
    int runs = 3;
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == "--keep" && i + 1 < args.size())
            keep = args[++i];
        else if (args[i] == "--runs" && i + 1 < args.size())
            runs = std::max(1, args[++i].toInt());
        else
            rows = args[i].toLongLong();
    }
    QTemporaryDir tmp;
    const QString dir = keep.isEmpty() ? tmp.path() : keep;
    QDir().mkpath(dir);
    const QString ref = dir + "/reference.csv";
    const QString cur = dir + "/current.csv";
    const QString cli =
        QDir(QCoreApplication::applicationDirPath()).absoluteFilePath("../../app/cairn-cli");
    const QString oracle = QDir(test::sourceDir()).filePath("tests/tools/drift_oracle.py");

    std::printf(
        "bench_drift: %lld rows x 20 columns, default tests\nmachine: %s\ncommand: %s %lld\n\n",
        rows, qPrintable(test::machineDescription()), argv[0], rows);
    if (!QFile::exists(ref) || !QFile::exists(cur)) {
        std::printf("generating the files...\n");
        generate(ref, rows, false, 1);
        generate(cur, rows, true, 2);
    }
    std::printf("reference %.0f MB, current %.0f MB\n\n", double(QFileInfo(ref).size()) / 1e6,
                double(QFileInfo(cur).size()) / 1e6);

    // Warm the page cache for both, so neither pays for the first read.
    (void)test::readFile(ref).size();
    (void)test::readFile(cur).size();

    std::vector<Measured> oursRuns;
    std::vector<Measured> theirsRuns;
    for (int run = 0; run < runs; ++run) {
        oursRuns.push_back(measure({cli, "drift", ref, cur, "--json"}, dir + "/cairn.json"));
        theirsRuns.push_back(
            measure({test::python(), oracle, ref, cur, "--no-extras"}, dir + "/oracle.json"));
        const Measured &a = oursRuns.back();
        const Measured &b = theirsRuns.back();
        if (a.exitCode != 0 || b.exitCode != 0) {
            std::printf("a run failed: cairn-cli exit %d, oracle exit %d\n", a.exitCode,
                        b.exitCode);
            return 1;
        }
        std::printf("run %d: cairn %.2f s %.0f MB, oracle %.2f s %.0f MB (%.1fx)\n", run + 1,
                    a.seconds, double(a.peakKb) / 1024, b.seconds, double(b.peakKb) / 1024,
                    b.seconds / a.seconds);
        std::fflush(stdout);
    }
    // The medians (of time and, separately, of peak memory); the outputs are the last run's.
    auto median = [](std::vector<Measured> v) {
        Measured m = v.back();
        std::sort(v.begin(), v.end(), [](auto &x, auto &y) { return x.seconds < y.seconds; });
        m.seconds = v[v.size() / 2].seconds;
        std::sort(v.begin(), v.end(), [](auto &x, auto &y) { return x.peakKb < y.peakKb; });
        m.peakKb = v[v.size() / 2].peakKb;
        return m;
    };
    const Measured ours = median(oursRuns);
    const Measured theirs = median(theirsRuns);
    std::printf("\n");

    // The same answer: tests, verdicts and scores.
    const QJsonObject a = QJsonDocument::fromJson(ours.out).object();
    const QJsonObject b = QJsonDocument::fromJson(theirs.out).object().value("columns").toObject();
    int compared = 0;
    int differ = 0;
    double worst = 0;
    for (const QJsonValue &v : a.value("columns").toArray()) {
        const QJsonObject c = v.toObject();
        const QJsonObject o = b.value(c.value("name").toString()).toObject();
        if (!o.contains("drift_score"))
            continue;
        ++compared;
        const double x = c.value("score").toDouble();
        const double y = o.value("drift_score").toDouble();
        const double rel = std::abs(x - y) / std::max(std::abs(y), 1e-300);
        worst = std::max(worst, std::abs(y) < 1e-6 ? std::abs(x - y) : rel);
        if (c.value("test").toString() != o.value("stattest").toString() ||
            c.value("drifted").toBool() != o.value("drift_detected").toBool() ||
            (std::abs(y) >= 1e-6 ? rel > 1e-6 : std::abs(x - y) > 1e-9)) {
            ++differ;
            std::printf("  differs: %s: cairn %s %.17g, oracle %s %.17g\n",
                        qPrintable(c.value("name").toString()),
                        qPrintable(c.value("test").toString()), x,
                        qPrintable(o.value("stattest").toString()), y);
        }
    }
    const int driftedOurs = a.value("dataset").toObject().value("drifted_columns").toInt();

    std::printf("median of %d runs:\n%-30s %12s %14s\n", runs, "", "wall time", "peak memory");
    std::printf("%-30s %10.2f s %11.0f MB\n", "cairn-cli drift --json", ours.seconds,
                double(ours.peakKb) / 1024);
    std::printf("%-30s %10.2f s %11.0f MB\n", "oracle (pandas + scipy)", theirs.seconds,
                double(theirs.peakKb) / 1024);
    std::printf("%-30s %10.1fx %13.2fx\n", "cairn vs oracle", theirs.seconds / ours.seconds,
                double(ours.peakKb) / double(theirs.peakKb));
    std::printf(
        "\n%d columns compared, %d differ (largest relative difference %.2g); %d columns drifted\n",
        compared, differ, worst, driftedOurs);
    const bool fast = theirs.seconds / ours.seconds >= 20;
    const bool lean = double(ours.peakKb) <= 0.5 * double(theirs.peakKb);
    std::printf("target: at least 20x faster (%s), at most half the memory (%s)\n",
                fast ? "met" : "NOT met", lean ? "met" : "NOT met");
    return differ == 0 && compared == 20 ? 0 : 1;
}
