// Metric ingestion: points/second from a metrics.jsonl file into the store, the way the
// supervisor ingests them (parse each JSON line, batch, one transaction per 50,000 points), and
// the store alone with points already parsed.
//
//   build/release/tests/bench/bench_metrics [POINTS]

#include "metrics/metricparse.h"
#include "metrics/metricstore.h"
#include "runs/runstore.h"
#include "store/projectdb.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>

#include <cstdio>

using namespace cairn;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const qint64 points = argc > 1 ? QByteArray(argv[1]).toLongLong() : 5000000;
    std::printf("bench_metrics: %lld points, 10 metric names\ncommand: %s %lld\n\n", points,
                argv[0], points);

    // The lines a training script writes with cairn.log_metric.
    QByteArray file;
    file.reserve(points * 90);
    for (qint64 i = 0; i < points; ++i) {
        file += "{\"name\": \"metric_";
        file += QByteArray::number(i % 10);
        file += "\", \"value\": ";
        file += QByteArray::number(1.0 / double(i + 1), 'g', 17);
        file += ", \"timestamp\": ";
        file += QByteArray::number(1795000000000LL + i);
        file += ", \"step\": ";
        file += QByteArray::number(i / 10);
        file += "}\n";
    }

    QTemporaryDir tmp;
    auto db = openProjectDatabase(tmp.path());
    if (!db)
        qFatal("%s", qPrintable(db.error().toString()));
    auto newRun = [&] {
        RunRecord r;
        r.entryPoint = QStringLiteral("bench");
        r.command = QStringLiteral("-");
        return *RunStore(**db).create(r);
    };

    // Parse + store, as from the metrics file.
    {
        MetricWriter w(**db, newRun());
        QElapsedTimer t;
        t.start();
        qint64 start = 0, stored = 0;
        QList<MetricPoint> p;
        QString error;
        while (true) {
            const qint64 nl = file.indexOf('\n', start);
            if (nl < 0)
                break;
            p.clear();
            if (!parseMetricLine(QByteArrayView(file).sliced(start, nl - start), p, &error))
                qFatal("parse error");
            for (const MetricPoint &m : std::as_const(p))
                w.add(m, 0);
            stored += p.size();
            if (w.pending() >= 50000)
                (void)w.flush();
            start = nl + 1;
        }
        (void)w.flush();
        const double s = double(t.elapsed()) / 1000.0;
        std::printf("parse + store: %lld points in %.2f s = %.0f points/s (target >= 1,000,000)\n",
                    stored, s, double(stored) / s);
    }
    // Parse alone.
    {
        QElapsedTimer t;
        t.start();
        qint64 start = 0, n = 0;
        QList<MetricPoint> p;
        QString error;
        while (true) {
            const qint64 nl = file.indexOf('\n', start);
            if (nl < 0)
                break;
            p.clear();
            parseMetricLine(QByteArrayView(file).sliced(start, nl - start), p, &error);
            n += p.size();
            start = nl + 1;
        }
        const double s = double(t.elapsed()) / 1000.0;
        std::printf("parse only:    %lld points in %.2f s = %.0f points/s\n", n, s, double(n) / s);
    }
    // Store alone.
    {
        QList<MetricPoint> parsed;
        parsed.reserve(points);
        for (qint64 i = 0; i < points; ++i)
            parsed.append(MetricPoint{QStringLiteral("metric_%1").arg(i % 10), 1.0 / double(i + 1),
                                      i / 10, 1795000000000LL + i});
        MetricWriter w(**db, newRun());
        QElapsedTimer t;
        t.start();
        for (const MetricPoint &m : std::as_const(parsed)) {
            w.add(m, 0);
            if (w.pending() >= 50000)
                (void)w.flush();
        }
        (void)w.flush();
        const double s = double(t.elapsed()) / 1000.0;
        std::printf("store only:    %lld points in %.2f s = %.0f points/s\n", points, s,
                    double(points) / s);
    }
    return 0;
}
