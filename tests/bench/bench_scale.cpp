// A project at the scale the store is designed for: 100,000 runs with parameters and five
// metrics each, 10,000,000 metric points in all, one run with a 1,000,000-point metric.
// Measures: the runs table shown after the project opens (ids loaded and the first rows
// filled), a sorted-by-metric and a filtered table, and the 1,000,000-point metric read from
// the store and plotted.
//
//   QT_QPA_PLATFORM=offscreen build/release/tests/bench/bench_scale [PROJECT_DIR]
// The project is generated on the first run (about a minute) and reused when it exists.

#include "charts/metricchart.h"
#include "metrics/metricstore.h"
#include "runs/runfilter.h"
#include "runs/runstore.h"
#include "store/projectdb.h"
#include "views/runstablemodel.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QHeaderView>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QtEndian>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

using namespace cairn;
using namespace cairn::ui;

static constexpr qint64 kRuns = 100000;
static constexpr qint64 kBigPoints = 1000000;

static void generate(const QString &root)
{
    auto db = openProjectDatabase(root);
    if (!db)
        qFatal("%s", qPrintable(db.error().toString()));
    Database &d = **db;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(0, 1);
    QElapsedTimer t;
    t.start();
    (void)d.execScript(u"INSERT INTO metric_keys (id, name) VALUES (1, 'loss'), (2, 'val_loss'), "
                       "(3, 'accuracy'), (4, 'val_accuracy'), (5, 'lr_now')");
    auto run =
        d.prepare(u"INSERT INTO runs (id, uuid, name, entry_point, command, working_dir, status, "
                  "created_ms, started_ms, ended_ms, exit_code) VALUES (?1, ?2, '', ?3, 'python "
                  "train.py', '', "
                  "?4, ?5, ?5, ?6, ?7)");
    auto param =
        d.prepare(u"INSERT INTO params (run_id, key, value, position) VALUES (?1, ?2, ?3, ?4)");
    auto latest =
        d.prepare(u"INSERT INTO latest_metrics (run_id, key_id, step, ts, value, min, max, count) "
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    auto block = d.prepare(
        u"INSERT INTO metric_blocks (run_id, key_id, seq, count, min_step, max_step, data) "
        "VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6)");
    const qint64 pointsPerRun = (10000000 - kBigPoints) / (kRuns - 1) / 5; // per metric
    (void)d.begin();
    for (qint64 id = 1; id <= kRuns; ++id) {
        const qint64 t0 = 1790000000000LL + id * 60000;
        const bool failed = u(rng) < 0.05;
        run->bind(1, id)
            .bind(2, QStringLiteral("%1").arg(id, 32, 16, QLatin1Char('0')))
            .bind(3, id % 10 == 0 ? u"validate"_qs : u"train"_qs)
            .bind(4, failed ? u"failed"_qs : u"finished"_qs)
            .bind(5, t0)
            .bind(6, t0 + 30000 + qint64(u(rng) * 600000))
            .bind(7, failed ? 1 : 0);
        (void)run->exec();
        const QList<std::pair<QString, QString>> params = {
            {u"lr"_qs, QString::number(std::pow(10.0, -1 - 3 * u(rng)), 'g', 3)},
            {u"batch_size"_qs, QString::number(16 << int(u(rng) * 4))},
            {u"optimizer"_qs, u(rng) < 0.5 ? u"adam"_qs : u"sgd"_qs}};
        int pos = 0;
        for (const auto &[k, v] : params)
            (void)param->bind(1, id).bind(2, k).bind(3, v).bind(4, pos++).exec();
        for (int key = 1; key <= 5; ++key) {
            const qint64 n = id == 1 && key == 1 ? kBigPoints : pointsPerRun;
            QByteArray data;
            data.reserve(n * 24);
            double v = 0, lo = 1e300, hi = -1e300;
            for (qint64 s = 0; s < n; ++s) {
                v = key <= 2 ? 1.0 / (1 + 0.01 * double(s)) + 0.05 * u(rng)
                             : 1 - 0.5 / (1 + 0.01 * double(s));
                lo = std::min(lo, v);
                hi = std::max(hi, v);
                char buf[24];
                qToLittleEndian<qint64>(s, buf);
                qToLittleEndian<qint64>(t0 + s * 100, buf + 8);
                quint64 bits;
                std::memcpy(&bits, &v, 8);
                qToLittleEndian<quint64>(bits, buf + 16);
                data.append(buf, 24);
                if (data.size() == 4096 * 24 || s == n - 1) {
                    const qint64 count = data.size() / 24;
                    (void)block->bind(1, id)
                        .bind(2, key)
                        .bind(3, s + 1 - count)
                        .bind(4, count)
                        .bind(5, s)
                        .bind(6, data)
                        .exec();
                    data.clear();
                }
            }
            (void)latest->bind(1, id)
                .bind(2, key)
                .bind(3, n - 1)
                .bind(4, t0 + n * 100)
                .bind(5, v)
                .bind(6, lo)
                .bind(7, hi)
                .bind(8, n)
                .exec();
        }
        if (id % 10000 == 0) {
            (void)d.commit();
            (void)d.begin();
            std::printf("  generated %lld runs (%lld s)\n", id, t.elapsed() / 1000);
        }
    }
    (void)d.commit();
    (void)d.execScript(u"ANALYZE");
}

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QTemporaryDir tmp;
    const QString root = argc > 1 ? QString::fromLocal8Bit(argv[1]) : tmp.path();
    std::printf(
        "bench_scale: %lld runs, 10,000,000 points\ncommand: QT_QPA_PLATFORM=offscreen %s %s\n\n",
        kRuns, argv[0], qPrintable(root));
    if (!QFileInfo::exists(projectDatabasePath(root))) {
        QDir().mkpath(root);
        std::printf("generating the project in %s\n", qPrintable(root));
        generate(root);
    }
    std::printf("database: %.0f MB\n\n", double(QFileInfo(projectDatabasePath(root)).size()) / 1e6);

    auto timeTable = [&](const char *what, const std::function<void(RunsTableModel &)> &setup) {
        QTableView view;
        RunsTableModel model;
        view.setModel(&model);
        view.resize(1200, 600);
        view.show();
        QElapsedTimer t;
        t.start();
        QSignalSpy loaded(&model, &RunsTableModel::loaded);
        setup(model);
        if (!loaded.wait(60000))
            qFatal("the table did not load");
        const qint64 idsMs = t.elapsed();
        // Shown: the first visible rows have their contents.
        while (model.rowCount() > 0 &&
               !model.index(0, 1).data(RunsTableModel::LoadedRole).toBool() && t.elapsed() < 60000)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
        app.processEvents();
        std::printf("%-44s %6lld ms (ids %lld ms, %d rows)\n", what, t.elapsed(), idsMs,
                    model.rowCount());
    };
    for (int round = 0; round < 3; ++round) {
        timeTable("runs table shown after open",
                  [&](RunsTableModel &m) { m.setProjectRoot(root); });
    }
    timeTable("sorted by the latest val_loss", [&](RunsTableModel &m) {
        m.setProjectRoot(root);
        QSignalSpy first(&m, &RunsTableModel::loaded);
        first.wait(60000);
        for (int c = 0; c < m.columnCount(); ++c) {
            if (m.headerData(c, Qt::Horizontal, Qt::DisplayRole).toString() == u"val_loss"_qs)
                m.sort(c, Qt::AscendingOrder);
        }
    });
    timeTable("filtered: accuracy > 0.55 and lr < 0.01", [&](RunsTableModel &m) {
        FilterContext ctx;
        ctx.metrics = {u"loss"_qs, u"val_loss"_qs, u"accuracy"_qs, u"val_accuracy"_qs,
                       u"lr_now"_qs};
        ctx.params = {u"lr"_qs, u"batch_size"_qs, u"optimizer"_qs};
        auto f = compileRunFilter(u"accuracy > 0.55 and lr < 0.01"_qs, ctx);
        m.setFilter(RunsTableModel::Filter{f->where, f->values});
        m.setProjectRoot(root);
    });

    for (int round = 0; round < 3; ++round) {
        QElapsedTimer t;
        t.start();
        auto db = openProjectDatabase(root, Database::Mode::ReadOnly);
        auto series = MetricStore(**db).series(1, u"loss"_qs);
        const qint64 readMs = t.elapsed();
        MetricChart chart;
        chart.resize(1200, 500);
        chart.show();
        app.processEvents();
        QSignalSpy replotted(&chart, &MetricChart::replotted);
        QElapsedTimer p;
        p.start();
        chart.setSeries(
            {ChartSeries{1, u"run 1"_qs, series->steps, series->timestamps, series->values}});
        if (!replotted.wait(60000))
            qFatal("the chart did not replot");
        std::printf("1,000,000-point metric: read %lld ms, plotted %lld ms (%d points drawn)\n",
                    readMs, p.elapsed(), chart.plottedPointCount(1));
    }
    return 0;
}
