// An MLflow file store at the scale issue 7 names: 10,000 runs in 4 experiments, each with 10
// parameters, 7 tags and 5 metrics (three 50-step curves and two single values), 1,600,000
// metric points and 230,000 files in all. Measures what a user waits for:
//   - the store read (`readMlflowFileStore`),
//   - opening it as a read-only project the first time (read + import into the mirror),
//   - opening it again (read + nothing to import),
//   - listing it: the runs table's first page read from the mirror,
//   - and `cairn-cli runs --project STORE` end to end when CAIRN_CLI is set.
//
//   build/release/tests/bench/bench_mlflow [DIR]
// The store is generated on the first run (DIR/mlruns, a few seconds) and reused when it exists.
// Drop the page cache between runs (as root: sync; echo 3 > /proc/sys/vm/drop_caches) for cold
// figures.

#include "mlflow/filestore.h"
#include "mlflow/mlflowimport.h"
#include "runs/runfilter.h"
#include "runs/runstore.h"
#include "store/projectdb.h"
#include "testsupport.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <cstdio>
#include <random>

using namespace cairn;
using namespace Qt::StringLiterals;

static constexpr int kRuns = 10000;
static constexpr int kExperiments = 4;
static constexpr int kCurveSteps = 50;

static void writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly) || f.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
}

static void generate(const QString &mlruns)
{
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(0, 1);
    QDir().mkpath(mlruns);
    const qint64 t0 = 1780000000000LL;
    for (int e = 1; e <= kExperiments; ++e) {
        const QString dir = u"%1/%2"_s.arg(mlruns).arg(e);
        QDir().mkpath(dir);
        writeFile(dir + u"/meta.yaml"_s,
                  u"artifact_location: file://%1\ncreation_time: %2\nexperiment_id: '%3'\n"
                  "last_update_time: %2\nlifecycle_stage: active\nname: sweep-%3\n"_s.arg(dir)
                      .arg(t0)
                      .arg(e)
                      .toUtf8());
    }
    for (int r = 0; r < kRuns; ++r) {
        const int e = 1 + r % kExperiments;
        const QString id =
            u"%1"_s.arg(quint64(0x9e3779b97f4a7c15ULL * quint64(r + 1)), 16, 16, QLatin1Char('0')) +
            u"%1"_s.arg(r, 16, 16, QLatin1Char('0'));
        const QString dir = u"%1/%2/%3"_s.arg(mlruns).arg(e).arg(id);
        for (const QString &sub : {u"metrics"_s, u"params"_s, u"tags"_s, u"artifacts"_s})
            QDir().mkpath(dir + u'/' + sub);
        const qint64 start = t0 + qint64(r) * 60000;
        const bool failed = u(rng) < 0.05;
        writeFile(dir + u"/meta.yaml"_s,
                  u"artifact_uri: file://%1/artifacts\nend_time: %2\nentry_point_name: ''\n"
                  "experiment_id: '%3'\nlifecycle_stage: active\nrun_id: %4\nrun_name: "
                  "run-%5\nrun_uuid: %4\nsource_name: ''\nsource_type: 4\nsource_version: ''\n"
                  "start_time: %6\nstatus: %7\ntags: []\nuser_id: alice\n"_s.arg(dir)
                      .arg(start + 30000 + qint64(u(rng) * 600000))
                      .arg(e)
                      .arg(id)
                      .arg(r)
                      .arg(start)
                      .arg(failed ? 4 : 3)
                      .toUtf8());
        const QList<std::pair<QString, QString>> params = {
            {u"learning_rate"_s, QString::number(std::pow(10.0, -1 - 3 * u(rng)), 'g', 3)},
            {u"batch_size"_s, QString::number(16 << int(u(rng) * 4))},
            {u"optimizer"_s, u(rng) < 0.5 ? u"adam"_s : u"sgd"_s},
            {u"epochs"_s, QString::number(kCurveSteps)},
            {u"dropout"_s, QString::number(0.5 * u(rng), 'g', 3)},
            {u"weight_decay"_s, QString::number(1e-4 * u(rng), 'g', 3)},
            {u"hidden_units"_s, QString::number(64 << int(u(rng) * 3))},
            {u"layers"_s, QString::number(2 + int(u(rng) * 4))},
            {u"seed"_s, QString::number(r)},
            {u"data_version"_s, u"v%1"_s.arg(1 + r / 2500)}};
        for (const auto &[k, v] : params)
            writeFile(u"%1/params/%2"_s.arg(dir, k), v.toUtf8());
        const QList<std::pair<QString, QString>> tags = {
            {u"mlflow.runName"_s, u"run-%1"_s.arg(r)},
            {u"mlflow.user"_s, u"alice"_s},
            {u"mlflow.source.name"_s, u"train.py"_s},
            {u"mlflow.source.type"_s, u"LOCAL"_s},
            {u"mlflow.source.git.commit"_s,
             u"%1"_s.arg(quint64(r) * 2654435761u, 40, 16, QLatin1Char('0'))},
            {u"team"_s, u"churn"_s},
            {u"mlflow.log-model.history"_s, u"[]"_s}};
        for (const auto &[k, v] : tags)
            writeFile(u"%1/tags/%2"_s.arg(dir, k), v.toUtf8());
        const double quality = u(rng);
        for (const QString &key : {u"loss"_s, u"val_loss"_s, u"accuracy"_s}) {
            QByteArray lines;
            for (int s = 0; s < kCurveSteps; ++s) {
                const double decay = std::exp(-s / 12.0);
                const double v = key == u"accuracy"_s ? 0.5 + 0.45 * quality * (1 - decay)
                                                      : 0.2 + decay + 0.05 * u(rng);
                lines += QByteArray::number(start + 1000 * s) + ' ' +
                         QByteArray::number(v, 'g', 17) + ' ' + QByteArray::number(s) + '\n';
            }
            writeFile(u"%1/metrics/%2"_s.arg(dir, key), lines);
        }
        writeFile(dir + u"/metrics/val_auc"_s,
                  QByteArray::number(start + 60000) + ' ' +
                      QByteArray::number(0.6 + 0.35 * quality, 'g', 17) + " 0\n");
        writeFile(dir + u"/metrics/training_time_s"_s,
                  QByteArray::number(start + 60000) + ' ' +
                      QByteArray::number(20 + 100 * u(rng), 'g', 6) + " 0\n");
    }
}

static double ms(QElapsedTimer &t)
{
    return t.nsecsElapsed() / 1e6;
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir tmp;
    const QString base = argc > 1 ? QString::fromLocal8Bit(argv[1]) : tmp.path();
    const QString mlruns = QDir(base).filePath(u"mlruns"_s);
    // The mirror goes into a folder of its own, so every run of the benchmark starts cold.
    QTemporaryDir cache;
    qputenv("XDG_CACHE_HOME", cache.path().toLocal8Bit());

    std::printf("%s\n", qPrintable(test::machineDescription()));
    if (!QFileInfo::exists(mlruns + u"/1/meta.yaml"_s)) {
        QElapsedTimer g;
        g.start();
        generate(mlruns);
        std::printf("generated %d runs in %s in %.1f s\n", kRuns, qPrintable(mlruns), ms(g) / 1000);
    }

    QElapsedTimer t;
    t.start();
    auto store = readMlflowFileStore(mlruns);
    if (!store)
        qFatal("%s", qPrintable(store.error().toString()));
    std::printf("read the store: %d runs, %.0f ms\n", int(store->runs.size()), ms(t));
    {
        // The import alone, into a project of its own (synchronous=NORMAL, as for a project).
        QTemporaryDir project;
        auto db = openProjectDatabase(project.path());
        if (!db)
            qFatal("%s", qPrintable(db.error().toString()));
        t.restart();
        auto imported = importMlflowRuns(**db, *store);
        if (!imported)
            qFatal("%s", qPrintable(imported.error().toString()));
        std::printf("import into a project: %d runs, %lld metric points, %.0f ms\n",
                    imported->added, imported->metricPoints, ms(t));
    }
    if (qEnvironmentVariableIsSet("BENCH_IMPORT_ONLY"))
        return 0;

    {
        // What the window does on a first opening: the newest 1,000 runs, listed, then the rest
        // in the background. Into a cache folder of its own, so it starts cold.
        QTemporaryDir windowCache;
        qputenv("XDG_CACHE_HOME", windowCache.path().toLocal8Bit());
        t.restart();
        auto sync = beginMlflowMirrorSync(mlruns, {}, 1000);
        if (!sync)
            qFatal("%s", qPrintable(sync.error().toString()));
        auto db = openProjectDatabase(sync->mirror.root, Database::Mode::ReadOnly);
        if (!db)
            qFatal("%s", qPrintable(db.error().toString()));
        auto page = RunStore(**db).list(200);
        if (!page || page->isEmpty())
            qFatal("no runs listed");
        const double shown = ms(t);
        t.restart();
        auto rest = finishMlflowMirrorSync(*sync);
        if (!rest)
            qFatal("%s", qPrintable(rest.error().toString()));
        std::printf("first open as the window does it: newest %d runs listed after %.0f ms; the "
                    "other %d read in %.0f ms more\n",
                    sync->mirror.summary.added, shown, rest->summary.added, ms(t));
        qputenv("XDG_CACHE_HOME", cache.path().toLocal8Bit());
    }

    for (const char *pass : {"first open (read + import)", "second open (read, nothing new)"}) {
        t.restart();
        auto mirror = syncMlflowMirror(mlruns);
        if (!mirror)
            qFatal("%s", qPrintable(mirror.error().toString()));
        const double open = ms(t);
        t.restart();
        auto db = openProjectDatabase(mirror->root, Database::Mode::ReadOnly);
        if (!db)
            qFatal("%s", qPrintable(db.error().toString()));
        RunStore runs(**db);
        auto page = runs.list(200);
        if (!page || page->isEmpty())
            qFatal("no runs listed");
        std::printf("%s: %.0f ms (%d added, %d unchanged); first 200 runs listed: %.0f ms\n", pass,
                    open, mirror->summary.added, mirror->summary.unchanged, ms(t));
    }

    const QByteArray cli = qgetenv("CAIRN_CLI");
    if (!cli.isEmpty()) {
        for (int i = 0; i < 2; ++i) {
            t.restart();
            QProcess p;
            p.start(QString::fromLocal8Bit(cli), {u"runs"_s, u"--project"_s, mlruns});
            p.waitForFinished(-1);
            const QByteArray out = p.readAllStandardOutput();
            std::printf("cairn-cli runs --project %s (%s): exit %d, %lld lines, %.0f ms\n", "STORE",
                        i == 0 ? "first" : "again", p.exitCode(), qint64(out.count('\n')), ms(t));
        }
    }
    return 0;
}
