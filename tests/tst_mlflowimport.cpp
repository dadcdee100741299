// MLflow runs in Cairn: a store imported into a project's database (importing again adds
// nothing; a run changed in MLflow is replaced in place) and a store opened read-only through
// its mirror, where runs, metrics, `show` and `runs --project STORE` work as on Cairn's runs.

#include "metrics/metricstore.h"
#include "mlflow/mlflowimport.h"
#include "project/projectfile.h"
#include "project/snapshot.h"
#include "registry/registry.h"
#include "runs/runcontrol.h"
#include "runs/runjson.h"
#include "runs/runstore.h"
#include "store/projectdb.h"
#include "testsupport.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cairn;
using namespace Qt::StringLiterals;

namespace {

const QString kRealStore = u"mlflow/external/2024aa05342-source__heart-mlops-project/mlruns"_s;

// A small hand-written store: experiment 1 "sweep" with three runs, one of them deleted.
void writeStore(const QString &mlruns)
{
    test::writeFile(mlruns + u"/1/meta.yaml"_s,
                    "artifact_location: file:///tmp/mlruns/1\nexperiment_id: '1'\n"
                    "lifecycle_stage: active\nname: sweep\ncreation_time: 1780000000000\n");
    auto run = [&](const QString &id, const QByteArray &name, int status, qint64 start,
                   const QByteArray &lifecycle) {
        const QString dir = mlruns + u"/1/"_s + id;
        test::writeFile(dir + u"/meta.yaml"_s,
                        "artifact_uri: file:///tmp/mlruns/1/" + id.toUtf8() +
                            "/artifacts\nend_time: " + QByteArray::number(start + 5000) +
                            "\nexperiment_id: '1'\nlifecycle_stage: " + lifecycle +
                            "\nrun_id: " + id.toUtf8() + "\nrun_name: " + name +
                            "\nstart_time: " + QByteArray::number(start) +
                            "\nstatus: " + QByteArray::number(status) + "\nuser_id: ana\n");
        test::writeFile(dir + u"/params/lr"_s, "0.01");
        test::writeFile(dir + u"/params/optimizer"_s, "adam");
        test::writeFile(dir + u"/tags/mlflow.source.git.commit"_s,
                        "0123456789abcdef0123456789abcdef01234567");
        test::writeFile(dir + u"/tags/team"_s, "churn");
    };
    run(u"aaaa0000000000000000000000000001"_s, "first", 3, 1780000001000, "active");
    run(u"aaaa0000000000000000000000000002"_s, "second", 4, 1780000002000, "active");
    run(u"aaaa0000000000000000000000000003"_s, "gone", 3, 1780000003000, "deleted");
    // Out of order, a tie at the highest step where MLflow's latest (the max by step, time,
    // value) is not the last line, a NaN and an infinity.
    test::writeFile(mlruns + u"/1/aaaa0000000000000000000000000001/metrics/loss"_s,
                    "1780000001300 0.5 2\n"
                    "1780000001100 0.9 0\n"
                    "1780000001200 0.7 1\n"
                    "1780000001400 0.45 3\n"
                    "1780000001400 0.40 3\n"
                    "1780000001350 0.30 3\n");
    test::writeFile(mlruns + u"/1/aaaa0000000000000000000000000001/metrics/odd"_s,
                    "1780000001000 nan 0\n1780000001001 inf 1\n");
    test::writeFile(mlruns + u"/1/aaaa0000000000000000000000000002/metrics/loss"_s,
                    "1780000002100 1.5 0\n");
}

// `n` runs in experiment 7, run i started at 1780000000000 + i ms, with a param and a metric.
void writeManyRuns(const QString &mlruns, int n)
{
    test::writeFile(mlruns + u"/7/meta.yaml"_s, "experiment_id: '7'\nname: big\n");
    for (int i = 0; i < n; ++i) {
        const QString run = mlruns + u"/7/%1"_s.arg(i, 32, 10, QLatin1Char('0'));
        test::writeFile(run + u"/meta.yaml"_s, QByteArray("run_id: ") +
                                                   QFileInfo(run).fileName().toUtf8() +
                                                   "\nexperiment_id: '7'\nstatus: 3\nstart_time: " +
                                                   QByteArray::number(1780000000000LL + i) + "\n");
        test::writeFile(run + u"/params/i"_s, QByteArray::number(i));
        test::writeFile(run + u"/metrics/m"_s, "1780000000000 " + QByteArray::number(i) +
                                                   " 0\n1780000000001 " +
                                                   QByteArray::number(2 * i) + " 1\n");
    }
}

qint64 count(Database &db, const QString &sql)
{
    auto q = db.prepare(sql);
    if (!q || !q->step().value_or(false))
        return -1;
    return q->int64(0);
}

qint64 runIdOf(Database &db, const QString &mlflowId)
{
    auto q = db.prepare(u"SELECT run_id FROM imported_runs WHERE source_run_id = ?1"_s);
    if (!q || !q->bind(1, mlflowId).step().value_or(false))
        return -1;
    return q->int64(0);
}

QStringList filesUnder(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        out << it.next();
    out.sort();
    return out;
}

} // namespace

class TestMlflowImport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { test::isolateUserDirs(); }
    void realStoreImportsOnce();
    void metricsKeepMlflowsLatestValue();
    void changedRunIsReplacedInPlace();
    void deletedRuns();
    void bulkLoadKeepsIndexes();
    void importedRunsAreNotLive();
    void findsStores();
    void mirrorIsReadOnlyProject();
    void mirrorKeepsTheRegistry();
    void mirrorInTwoParts();
    void cliRunsOnStore();
    void cliImport();
    void gateJudgesImportedMetrics();
};

void TestMlflowImport::realStoreImportsOnce()
{
    const auto store = readMlflowFileStore(test::fixture(kRealStore));
    QVERIFY(store);
    QTemporaryDir project;
    auto db = openProjectDatabase(project.path());
    QVERIFY(db);

    auto first = importMlflowRuns(**db, *store);
    QVERIFY2(first, qPrintable(first ? QString() : first.error().toString()));
    QCOMPARE(first->added, 22);
    QCOMPARE(first->unchanged, 0);
    QCOMPARE(first->experiments, 1);
    QCOMPARE(count(**db, u"SELECT count(*) FROM runs"_s), 22);

    auto again = importMlflowRuns(**db, *store);
    QVERIFY(again);
    QCOMPARE(again->added, 0);
    QCOMPARE(again->updated, 0);
    QCOMPARE(again->unchanged, 22);
    QCOMPARE(again->metricPoints, 0);
    QCOMPARE(count(**db, u"SELECT count(*) FROM runs"_s), 22);
    QCOMPARE(count(**db, u"SELECT count(*) FROM imported_runs"_s), 22);

    // Every run: name, times, status, params, tags and each metric's latest value as MLflow has
    // them.
    for (const MlflowRun &m : store->runs) {
        const qint64 id = runIdOf(**db, m.id);
        QVERIFY2(id > 0, qPrintable(m.id));
        auto details = loadRunDetails(**db, id);
        QVERIFY(details);
        const RunRecord &r = details->run;
        QCOMPARE(r.uuid, m.id);
        QCOMPARE(r.name, m.name);
        QCOMPARE(r.entryPoint, u"heart-disease-exp"_s);
        QCOMPARE(r.started.toMSecsSinceEpoch(), m.startTime);
        QCOMPARE(r.ended.toMSecsSinceEpoch(), *m.endTime);
        QCOMPARE(r.status, m.status == int(MlflowRunStatus::Failed) ? RunStatus::Failed
                                                                    : RunStatus::Finished);
        QCOMPARE(r.gitCommit, m.gitCommit);
        QCOMPARE(r.params.size(), m.params.size());
        for (const auto &[k, v] : r.params)
            QCOMPARE(v, m.params.value(k));
        QVERIFY(details->imported);
        QCOMPARE(details->imported->sourceRunId, m.id);
        QCOMPARE(details->imported->experimentId, u"269502884478771284"_s);
        QCOMPARE(details->imported->tags.size(), m.tags.size());
        QCOMPARE(details->metrics.size(), m.metrics.size());
        for (qsizetype i = 0; i < m.metrics.size(); ++i) {
            QCOMPARE(details->metrics[i].name, m.metrics[i].key);
            QCOMPARE(details->metrics[i].value, m.metrics[i].latest.value);
            QCOMPARE(details->metrics[i].timestampMs, m.metrics[i].latest.timestamp);
        }
    }
    // One the reader test knows by heart.
    auto rf = loadRunDetails(**db, runIdOf(**db, u"0fea9f88cbd342f894b06bb913893aec"_s));
    QVERIFY(rf);
    QCOMPARE(rf->run.params.size(), 19);
    QCOMPARE(rf->metrics[0].name, u"accuracy"_s);
    QCOMPARE(rf->metrics[0].value, 0.5652173913043478);
}

void TestMlflowImport::metricsKeepMlflowsLatestValue()
{
    QTemporaryDir dir;
    writeStore(dir.filePath(u"mlruns"_s));
    const auto store = readMlflowFileStore(dir.filePath(u"mlruns"_s));
    QVERIFY(store);
    auto db = openProjectDatabase(dir.filePath(u"project"_s));
    QVERIFY(db);
    QVERIFY(importMlflowRuns(**db, *store));
    const qint64 id = runIdOf(**db, u"aaaa0000000000000000000000000001"_s);

    MetricStore metrics(**db);
    auto loss = metrics.series(id, u"loss"_s);
    QVERIFY(loss);
    // Every line, with its step and time, in step order.
    QCOMPARE(loss->size(), 6);
    QCOMPARE(loss->steps, (QVector<double>{0, 1, 2, 3, 3, 3}));
    QCOMPARE(loss->timestamps.first(), 1780000001100.0);
    QCOMPARE(loss->values.first(), 0.9);
    // At step 3, MLflow's latest is the newest line, and among two equally new the larger:
    // 0.45, though 0.30 was written last.
    auto latest = metrics.latest(id);
    QVERIFY(latest);
    QCOMPARE(latest->size(), 2);
    QCOMPARE(latest->at(0).name, u"loss"_s);
    QCOMPARE(latest->at(0).value, 0.45);
    QCOMPARE(latest->at(0).step, 3);
    QCOMPARE(latest->at(0).timestampMs, 1780000001400);
    QCOMPARE(latest->at(0).min, 0.30);
    QCOMPARE(latest->at(0).max, 0.9);
    QCOMPARE(latest->at(0).count, 6);
    // NaN and infinity are kept as values.
    auto odd = metrics.series(id, u"odd"_s);
    QVERIFY(odd);
    QCOMPARE(odd->size(), 2);
    QVERIFY(std::isnan(odd->values[0]));
    QVERIFY(std::isinf(odd->values[1]) && odd->values[1] > 0);
}

void TestMlflowImport::changedRunIsReplacedInPlace()
{
    QTemporaryDir dir;
    const QString mlruns = dir.filePath(u"mlruns"_s);
    writeStore(mlruns);
    auto db = openProjectDatabase(dir.filePath(u"project"_s));
    QVERIFY(db);
    QVERIFY(importMlflowRuns(**db, *readMlflowFileStore(mlruns)));
    const qint64 id = runIdOf(**db, u"aaaa0000000000000000000000000002"_s);

    // MLflow went on with run 2: one more loss value, a new param, and it was killed.
    const QString run2 = mlruns + u"/1/aaaa0000000000000000000000000002"_s;
    QFile loss(run2 + u"/metrics/loss"_s);
    QVERIFY(loss.open(QIODevice::Append));
    loss.write("1780000002200 1.25 1\n");
    loss.close();
    test::writeFile(run2 + u"/params/epochs"_s, "10");
    QByteArray meta = test::readFile(run2 + u"/meta.yaml"_s);
    meta.replace("status: 4", "status: 5");
    test::writeFile(run2 + u"/meta.yaml"_s, meta);

    auto again = importMlflowRuns(**db, *readMlflowFileStore(mlruns));
    QVERIFY(again);
    QCOMPARE(again->added, 0);
    QCOMPARE(again->updated, 1);
    QCOMPARE(again->unchanged, 1);
    QCOMPARE(runIdOf(**db, u"aaaa0000000000000000000000000002"_s), id);
    auto run = RunStore(**db).get(id);
    QVERIFY(run);
    QCOMPARE(run->status, RunStatus::Cancelled);
    QCOMPARE(run->params.size(), 3);
    auto series = MetricStore(**db).series(id, u"loss"_s);
    QVERIFY(series);
    QCOMPARE(series->values, (QVector<double>{1.5, 1.25}));
    auto latest = MetricStore(**db).latest(id);
    QCOMPARE(latest->at(0).value, 1.25);
    QCOMPARE(latest->at(0).count, 2);
    QCOMPARE(count(**db, u"SELECT count(*) FROM runs"_s), 2);
}

void TestMlflowImport::deletedRuns()
{
    QTemporaryDir dir;
    const QString mlruns = dir.filePath(u"mlruns"_s);
    writeStore(mlruns);
    const auto store = readMlflowFileStore(mlruns);
    QVERIFY(store);
    auto db = openProjectDatabase(dir.filePath(u"project"_s));
    QVERIFY(db);
    auto s = importMlflowRuns(**db, *store);
    QVERIFY(s);
    QCOMPARE(s->added, 2);
    QCOMPARE(s->skipped, 1);
    QCOMPARE(runIdOf(**db, u"aaaa0000000000000000000000000003"_s), -1);
    s = importMlflowRuns(**db, *store, {.includeDeleted = true});
    QVERIFY(s);
    QCOMPARE(s->added, 1);
    QCOMPARE(s->unchanged, 2);
    QVERIFY(runIdOf(**db, u"aaaa0000000000000000000000000003"_s) > 0);
}

void TestMlflowImport::bulkLoadKeepsIndexes()
{
    // 1,200 runs into an empty database take the bulk path (indexes built at the end, foreign
    // keys checked again after): the same rows, and the schema as it was.
    QTemporaryDir dir;
    const QString mlruns = dir.filePath(u"mlruns"_s);
    writeManyRuns(mlruns, 1200);
    auto db = openProjectDatabase(dir.filePath(u"project"_s));
    QVERIFY(db);
    auto indexes = [&] {
        QStringList out;
        auto q = (*db)->prepare(u"SELECT name FROM sqlite_master WHERE type = 'index' AND sql "
                                "IS NOT NULL ORDER BY name"_s);
        while (q->step().value_or(false))
            out << q->text(0);
        return out;
    };
    const QStringList before = indexes();
    QVERIFY(before.contains(u"params_key_value"_s));
    auto s = importMlflowRuns(**db, *readMlflowFileStore(mlruns), {.bulk = true});
    QVERIFY(s);
    QCOMPARE(s->added, 1200);
    QCOMPARE(indexes(), before);
    QCOMPARE(count(**db, u"PRAGMA foreign_keys"_s), 1);
    QCOMPARE(count(**db, u"SELECT count(*) FROM params WHERE key = 'i' AND value = '777'"_s), 1);
    QCOMPARE(count(**db, u"SELECT count(*) FROM latest_metrics l JOIN metric_keys k ON k.id = "
                         "l.key_id WHERE k.name = 'm' AND l.value = 2 * 1199"_s),
             1);
    auto check = (*db)->prepare(u"PRAGMA integrity_check"_s);
    QVERIFY(check->step().value_or(false));
    QCOMPARE(check->text(0), u"ok"_s);
    // Ids grow with the start time.
    QCOMPARE(runIdOf(**db, u"%1"_s.arg(0, 32, 10, QLatin1Char('0'))), 1);
    QCOMPARE(runIdOf(**db, u"%1"_s.arg(1199, 32, 10, QLatin1Char('0'))), 1200);
}

void TestMlflowImport::importedRunsAreNotLive()
{
    // A run MLflow still calls RUNNING is shown as running, but Cairn does not supervise it:
    // it is not lost when the project loads, not followed, and holds no launch slot.
    QTemporaryDir dir;
    const QString mlruns = dir.filePath(u"mlruns"_s);
    writeStore(mlruns);
    QByteArray meta = test::readFile(mlruns + u"/1/aaaa0000000000000000000000000001/meta.yaml"_s);
    meta.replace("status: 3", "status: 1");
    meta.replace("end_time: ", "old_end_time: ");
    test::writeFile(mlruns + u"/1/aaaa0000000000000000000000000001/meta.yaml"_s, meta);
    const QString project = dir.filePath(u"project"_s);
    QDir().mkpath(project);
    test::writeFile(project + u"/cairn.yaml"_s,
                    "version: 1\nname: p\nentry_points:\n  train:\n    command: echo hi\n");
    {
        auto db = openProjectDatabase(project);
        QVERIFY(db);
        QVERIFY(importMlflowRuns(**db, *readMlflowFileStore(mlruns)));
        // Its start was long ago: a run Cairn recorded would be lost by now.
        auto lost = RunStore(**db).reconcile(project);
        QVERIFY(lost);
        QVERIFY(lost->isEmpty());
    }
    const ProjectSnapshot snap = loadSnapshot(project);
    QCOMPARE(snap.runCount, 2);
    QCOMPARE(snap.activeRunCount, 0);
    QVERIFY(snap.lostRuns.isEmpty());
    auto db = openProjectDatabase(project);
    auto run = RunStore(**db).get(runIdOf(**db, u"aaaa0000000000000000000000000001"_s));
    QCOMPARE(run->status, RunStatus::Running);
    // Cancel is refused: Cairn did not start it, and its status stays MLflow's.
    auto cancelled = cancelRun(**db, run->id);
    QVERIFY(!cancelled);
    QVERIFY2(cancelled.error().message.contains(u"imported from MLflow"_s),
             qPrintable(cancelled.error().toString()));
    QCOMPARE(RunStore(**db).get(run->id)->status, RunStatus::Running);
    // A Cairn run of the project may start with one slot.
    RunRecord mine;
    mine.uuid = u"native"_s;
    mine.entryPoint = u"train"_s;
    mine.command = u"echo hi"_s;
    mine.created = QDateTime::currentDateTime();
    auto id = RunStore(**db).create(mine);
    QVERIFY(id);
    auto claimed = RunStore(**db).claimSlot(*id, 1);
    QVERIFY(claimed);
    QVERIFY(*claimed);
    // The entry point's last run is its own, not an imported one of the same name.
    auto last = RunStore(**db).lastRunOf(u"sweep"_s);
    QVERIFY(last);
    QVERIFY(!last->has_value());
}

void TestMlflowImport::findsStores()
{
    QTemporaryDir dir;
    writeStore(dir.filePath(u"work/mlruns"_s));
    const QString mlruns = QDir(dir.filePath(u"work/mlruns"_s)).canonicalPath();
    auto found = findMlflowStore(mlruns);
    QVERIFY(found);
    QCOMPARE(found->kind, MlflowStoreKind::Files);
    QCOMPARE(found->path, mlruns);
    // The folder MLflow ran in.
    found = findMlflowStore(dir.filePath(u"work"_s));
    QVERIFY(found);
    QCOMPARE(found->path, mlruns);
    QVERIFY(opensAsMlflowStore(dir.filePath(u"work"_s)));
    // ... unless it is a project: then the store is something to import into it.
    test::writeFile(dir.filePath(u"work/cairn.yaml"_s), "version: 1\nname: w\n");
    QVERIFY(!opensAsMlflowStore(dir.filePath(u"work"_s)));
    QVERIFY(opensAsMlflowStore(mlruns));

    // An MLflow 3 database, by its content.
    const QString db =
        test::fixture(u"mlflow/external/2024ab05158-lab__heart-disease-mlops/mlflow.db"_s);
    QVERIFY2(QFile::exists(db), qPrintable(db));
    found = findMlflowStore(db);
    QVERIFY(found);
    QCOMPARE(found->kind, MlflowStoreKind::Sqlite);
    // Not stores: a plain folder, a text file, nothing.
    QDir().mkpath(dir.filePath(u"plain/sub"_s));
    test::writeFile(dir.filePath(u"plain/sub/meta.yaml"_s), "name: x\n");
    QVERIFY(!findMlflowStore(dir.filePath(u"plain"_s)));
    test::writeFile(dir.filePath(u"notes.db"_s), "not a database");
    QVERIFY(!findMlflowStore(dir.filePath(u"notes.db"_s)));
    QVERIFY(!findMlflowStore(dir.filePath(u"missing"_s)));
    // A folder with models/ of its own, or a .trash, is no store by that alone; an experiment
    // folder (runs whose meta.yaml names the experiment) is not a store either.
    QDir().mkpath(dir.filePath(u"repo/models/weights"_s));
    QDir().mkpath(dir.filePath(u"repo/.trash"_s));
    QVERIFY(!findMlflowStore(dir.filePath(u"repo"_s)));
    QVERIFY(!findMlflowStore(mlruns + u"/1"_s));
    // The folder MLflow ran in, with models/ beside mlruns/: the store is mlruns.
    QDir().mkpath(dir.filePath(u"work/models/local"_s));
    QCOMPARE(findMlflowStore(dir.filePath(u"work"_s))->path, mlruns);
}

void TestMlflowImport::mirrorIsReadOnlyProject()
{
    QTemporaryDir dir;
    const QString mlruns = dir.filePath(u"mlruns"_s);
    writeStore(mlruns);
    const QStringList before = filesUnder(mlruns);

    auto mirror = syncMlflowMirror(mlruns);
    QVERIFY2(mirror, qPrintable(mirror ? QString() : mirror.error().toString()));
    QCOMPARE(mirror->summary.added, 2);
    // The mirror is in the cache, never in the store.
    QVERIFY(mirror->root.startsWith(qEnvironmentVariable("XDG_CACHE_HOME")));
    QCOMPARE(filesUnder(mlruns), before);

    auto project = loadProject(mirror->root);
    QVERIFY(project);
    QCOMPARE(project->format, ProjectFormat::MlflowStore);
    QCOMPARE(project->projectFile, QDir(mlruns).canonicalPath());
    QVERIFY(project->entryPoints.isEmpty());
    QCOMPARE(mirroredMlflowStore(mirror->root)->path, QDir(mlruns).canonicalPath());

    // Opened again: nothing to do. A run deleted in MLflow leaves the mirror.
    mirror = syncMlflowMirror(mlruns);
    QVERIFY(mirror);
    QCOMPARE(mirror->summary.added, 0);
    QCOMPARE(mirror->summary.unchanged, 2);
    QVERIFY(QDir(mlruns + u"/1/aaaa0000000000000000000000000002"_s).removeRecursively());
    mirror = syncMlflowMirror(mlruns);
    QVERIFY(mirror);
    QCOMPARE(mirror->summary.removed, 1);
    auto db = openProjectDatabase(mirror->root, Database::Mode::ReadOnly);
    QCOMPARE(count(**db, u"SELECT count(*) FROM runs"_s), 1);

    QVERIFY(!syncMlflowMirror(dir.filePath(u"nothing"_s)));
}

void TestMlflowImport::mirrorInTwoParts()
{
    // A large store's first opening: the newest runs first, numbered by their rank in time, then
    // the rest; a sync stopped between the parts is made again from scratch.
    QTemporaryDir dir;
    const QString mlruns = dir.filePath(u"mlruns"_s);
    writeManyRuns(mlruns, 1200);
    const auto idOf = [](Database &db, int i) {
        return runIdOf(db, u"%1"_s.arg(i, 32, 10, QLatin1Char('0')));
    };
    {
        auto sync = beginMlflowMirrorSync(mlruns, {}, 100);
        QVERIFY2(sync, qPrintable(sync ? QString() : sync.error().toString()));
        QCOMPARE(sync->mirror.summary.added, 100);
        QCOMPARE(sync->remaining, 1100);
        // The first part opens as the store's project already.
        auto project = loadProject(sync->mirror.root);
        QVERIFY(project);
        QCOMPARE(project->format, ProjectFormat::MlflowStore);
        {
            auto db = openProjectDatabase(sync->mirror.root, Database::Mode::ReadOnly);
            QCOMPARE(count(**db, u"SELECT count(*) FROM runs"_s), 100);
            QCOMPARE(idOf(**db, 1199), 1200);
            QCOMPARE(idOf(**db, 1100), 1101);
            QCOMPARE(idOf(**db, 0), -1);
        }
        auto done = finishMlflowMirrorSync(*sync);
        QVERIFY2(done, qPrintable(done ? QString() : done.error().toString()));
        QCOMPARE(done->summary.added, 1100);
        QCOMPARE(done->summary.unchanged, 100);
        QCOMPARE(sync->remaining, 0);
        auto db = openProjectDatabase(done->root, Database::Mode::ReadOnly);
        QCOMPARE(count(**db, u"SELECT count(*) FROM runs"_s), 1200);
        // Ids follow the start times.
        QCOMPARE(count(**db, u"SELECT count(*) FROM runs a JOIN runs b ON b.id = a.id + 1 WHERE "
                             "b.started_ms < a.started_ms"_s),
                 0);
        QCOMPARE(idOf(**db, 0), 1);
        QCOMPARE(idOf(**db, 1199), 1200);
        // The second part loaded in bulk: the indexes are back, the data whole.
        QCOMPARE(count(**db,
                       u"SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name "
                       "IN ('params_key_value', 'latest_metrics_key_value', 'runs_status')"_s),
                 3);
        auto check = (*db)->prepare(u"PRAGMA integrity_check"_s);
        QVERIFY(check->step().value_or(false));
        QCOMPARE(check->text(0), u"ok"_s);
    }
    // A second opening of a whole mirror imports nothing, in one part.
    auto again = beginMlflowMirrorSync(mlruns, {}, 100);
    QVERIFY(again);
    QCOMPARE(again->remaining, 0);
    QCOMPARE(again->mirror.summary.unchanged, 1200);
    QCOMPARE(again->mirror.summary.added, 0);

    // Stopped between the parts: the next sync makes the mirror again, whole and in order.
    QTemporaryDir other;
    const QString second = other.filePath(u"mlruns"_s);
    writeManyRuns(second, 1200);
    {
        auto half = beginMlflowMirrorSync(second, {}, 100);
        QVERIFY(half);
        QCOMPARE(half->remaining, 1100);
    } // dropped: the lock is released, the mirror is marked unfinished
    auto whole = syncMlflowMirror(second);
    QVERIFY2(whole, qPrintable(whole ? QString() : whole.error().toString()));
    QCOMPARE(whole->summary.added, 1200);
    auto db = openProjectDatabase(whole->root, Database::Mode::ReadOnly);
    QCOMPARE(count(**db, u"SELECT count(*) FROM runs"_s), 1200);
    QCOMPARE(idOf(**db, 0), 1);
}

void TestMlflowImport::mirrorKeepsTheRegistry()
{
    // MLflow's registry as Cairn's: versions with the runs they came from and their metrics;
    // the stage Production and the alias champion as aliases; Archived as archived; a deleted
    // version left out; two versions in Staging: the newer holds staging.
    QTemporaryDir dir;
    const QString mlruns = dir.filePath(u"mlruns"_s);
    writeStore(mlruns);
    auto model = [&](const QString &rel, const QByteArray &text) {
        test::writeFile(mlruns + u"/models/churn/"_s + rel, text);
    };
    model(u"meta.yaml"_s, "creation_timestamp: 1780000000000\nlast_updated_timestamp: "
                          "1780000009000\nname: churn\n");
    model(u"aliases/Champion"_s, "2");
    auto version = [&](int n, const QByteArray &stage, const QByteArray &run) {
        model(u"version-%1/meta.yaml"_s.arg(n),
              "creation_timestamp: " + QByteArray::number(1780000000000LL + n * 1000) +
                  "\ncurrent_stage: " + stage +
                  "\nlast_updated_timestamp: " + QByteArray::number(1780000005000LL + n) +
                  "\nname: churn\nrun_id: " + run + "\nsource: file:///m/" + QByteArray::number(n) +
                  "\nstatus: READY\nversion: " + QByteArray::number(n) + "\nuser_id: ana\n");
    };
    version(1, "Archived", "aaaa0000000000000000000000000002");
    version(2, "Production", "aaaa0000000000000000000000000001");
    version(3, "Staging", "aaaa0000000000000000000000000001");
    version(4, "Staging", "ffff0000000000000000000000000009"); // not in the store
    version(5, "Deleted_Internal", "aaaa0000000000000000000000000001");

    auto mirror = syncMlflowMirror(mlruns);
    QVERIFY2(mirror, qPrintable(mirror ? QString() : mirror.error().toString()));
    QCOMPARE(mirror->registeredModels, 1);
    auto db = openProjectDatabase(mirror->root, Database::Mode::ReadOnly);
    QVERIFY(db);
    auto models = registry::listModels(**db);
    QVERIFY(models);
    QCOMPARE(models->size(), 1);
    const registry::RegisteredModel &m = models->first();
    QCOMPARE(m.name, u"churn"_s);
    QCOMPARE(m.versions.size(), 4);
    QCOMPARE(m.aliases.value(u"production"_s), QList<int>{2});
    QCOMPARE(m.aliases.value(u"champion"_s), QList<int>{2});
    QCOMPARE(m.aliases.value(u"staging"_s), QList<int>{4});
    QCOMPARE(m.aliases.value(u"archived"_s), QList<int>{1});
    const registry::ModelVersion *v2 = nullptr;
    const registry::ModelVersion *v4 = nullptr;
    for (const registry::ModelVersion &v : m.versions) {
        if (v.version == 2)
            v2 = &v;
        if (v.version == 4)
            v4 = &v;
    }
    QVERIFY(v2 && v4);
    QCOMPARE(v2->runId,
             std::optional<qint64>(runIdOf(**db, u"aaaa0000000000000000000000000001"_s)));
    QCOMPARE(v2->metrics.value(u"loss"_s).toDouble(), 0.45);
    QCOMPARE(v2->files.first().path, u"file:///m/2"_s);
    QVERIFY(v2->gate.passed());
    QVERIFY(v2->gate.note.contains(u"Production"_s));
    QVERIFY(!v4->runId);
    QVERIFY(v4->note.contains(u"ffff0000000000000000000000000009"_s));
    auto history = registry::history(**db, u"churn"_s);
    QVERIFY(history);
    QCOMPARE(history->size(), 4 + 3); // registered, and production, staging, champion set

    // Synced again: the same registry, not twice.
    QVERIFY(syncMlflowMirror(mlruns));
    models = registry::listModels(**db);
    QCOMPARE(models->first().versions.size(), 4);
}

void TestMlflowImport::cliRunsOnStore()
{
    const QString store = test::fixture(kRealStore);
    auto r = test::runProcess(test::cliPath(), {u"runs"_s, u"--project"_s, store, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    const QJsonArray runs = QJsonDocument::fromJson(r.out).array();
    QCOMPARE(runs.size(), 22);
    QCOMPARE(runs[0].toObject().value(u"uuid"_s).toString().size(), 32);
    QCOMPARE(runs[0].toObject().value(u"entry_point"_s).toString(), u"heart-disease-exp"_s);

    r = test::runProcess(test::cliPath(), {u"runs"_s, u"--project"_s, store});
    QCOMPARE(r.exitCode, 0);
    QVERIFY(r.out.startsWith("RUN    STATUS     EXPERIMENT"));
    QVERIFY(r.out.contains("248903a4e206449ebbdfafbbeb682cfa"));

    // A run by MLflow's id, with its metrics.
    r = test::runProcess(test::cliPath(),
                         {u"show"_s, u"0fea9f88cbd3"_s, u"--project"_s, store, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject run = QJsonDocument::fromJson(r.out).object();
    QCOMPARE(run.value(u"name"_s).toString(), u"random_forest"_s);
    QCOMPARE(run.value(u"imported"_s).toObject().value(u"run_id"_s).toString(),
             u"0fea9f88cbd342f894b06bb913893aec"_s);
    QCOMPARE(run.value(u"metrics"_s)
                 .toObject()
                 .value(u"accuracy"_s)
                 .toObject()
                 .value(u"value"_s)
                 .toDouble(),
             0.5652173913043478);

    // Two MLflow runs compared like Cairn's: parameters and latest metrics; exit 1: they differ.
    r = test::runProcess(test::cliPath(), {u"diff"_s, u"runs"_s, u"0fea9f88"_s, u"248903a4"_s,
                                           u"--project"_s, store, u"--json"_s});
    QCOMPARE(r.exitCode, 1);
    const QJsonObject diff = QJsonDocument::fromJson(r.out).object();
    bool sawAccuracy = false;
    for (const QJsonValue &m : diff.value(u"metrics"_s).toArray()) {
        const QJsonObject o = m.toObject();
        if (o.value(u"name"_s).toString() == u"accuracy"_s) {
            sawAccuracy = true;
            QCOMPARE(o.value(u"a"_s).toDouble(), 0.5652173913043478);
            QCOMPARE(o.value(u"status"_s).toString(), u"changed"_s);
        }
    }
    QVERIFY2(sawAccuracy, r.out.constData());
}

void TestMlflowImport::cliImport()
{
    QTemporaryDir dir;
    const QString project = dir.filePath(u"project"_s);
    QDir().mkpath(project);
    test::writeFile(project + u"/cairn.yaml"_s, "version: 1\nname: p\n");
    const QString store = test::fixture(kRealStore);
    auto r = test::runProcess(test::cliPath(),
                              {u"import"_s, u"mlflow"_s, store, u"--project"_s, project});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("22 new, 0 changed, 0 already imported"), r.out.constData());
    r = test::runProcess(test::cliPath(),
                         {u"import"_s, u"mlflow"_s, store, u"--project"_s, project});
    QCOMPARE(r.exitCode, 0);
    QVERIFY2(r.out.contains("0 new, 0 changed, 22 already imported"), r.out.constData());
    r = test::runProcess(test::cliPath(),
                         {u"runs"_s, u"--project"_s, project, u"--json"_s, u"--limit"_s, u"100"_s});
    QCOMPARE(QJsonDocument::fromJson(r.out).array().size(), 22);

    // Not a store: exit 2, naming the path.
    r = test::runProcess(test::cliPath(),
                         {u"import"_s, u"mlflow"_s, project, u"--project"_s, project});
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.contains("not an MLflow store"));
    QVERIFY(r.err.contains(project.toUtf8()));
    r = test::runProcess(test::cliPath(), {u"import"_s, u"wandb"_s, store});
    QCOMPARE(r.exitCode, 2);

    // Run inside the store itself: refused, and nothing written there.
    QTemporaryDir copy;
    writeStore(copy.filePath(u"mlruns"_s));
    r = test::runProcess(test::cliPath(), {u"import"_s, u"mlflow"_s, u"."_s},
                         copy.filePath(u"mlruns"_s));
    QCOMPARE(r.exitCode, 2);
    QVERIFY2(r.err.contains("inside"), r.err.constData());
    QVERIFY(!QFileInfo::exists(copy.filePath(u"mlruns/.cairn"_s)));
}

void TestMlflowImport::gateJudgesImportedMetrics()
{
    // A project that gates its model on accuracy, with MLflow's runs imported: the gate judges an
    // imported run on its metrics, says why it cannot judge the files, and exits as for a run
    // Cairn launched.
    QTemporaryDir dir;
    const QString project = dir.filePath(u"project"_s);
    QDir().mkpath(project);
    test::writeFile(project + u"/cairn.yaml"_s,
                    "version: 1\nname: heart\nmodels:\n  heart-model:\n    path: model.pkl\n"
                    "    gate:\n      metrics:\n        - accuracy >= 0.8\n"
                    "        - auc >= 0.85\n");
    const QString store = test::fixture(kRealStore);
    auto r = test::runProcess(test::cliPath(),
                              {u"import"_s, u"mlflow"_s, store, u"--project"_s, project});
    QCOMPARE(r.exitCode, 0);
    auto db = openProjectDatabase(project);
    QVERIFY(db);
    // 248903a4…: random_forest, accuracy 0.864, auc 0.916; 0fea9f88…: accuracy 0.565.
    const qint64 good = runIdOf(**db, u"248903a4e206449ebbdfafbbeb682cfa"_s);
    const qint64 poor = runIdOf(**db, u"0fea9f88cbd342f894b06bb913893aec"_s);
    QVERIFY(good > 0 && poor > 0);
    r = test::runProcess(test::cliPath(),
                         {u"gate"_s, QString::number(good), u"--project"_s, project, u"--json"_s});
    QCOMPARE(r.exitCode, 0);
    const QJsonObject pass = QJsonDocument::fromJson(r.out).object();
    QVERIFY(pass.value(u"passed"_s).toBool());
    QVERIFY(!pass.contains(u"failure"_s));
    QVERIFY(pass.value(u"note"_s).toString().contains(u"imported from MLflow"_s));
    QCOMPARE(pass.value(u"conditions"_s).toArray().size(), 2);
    r = test::runProcess(test::cliPath(),
                         {u"gate"_s, QString::number(poor), u"--project"_s, project});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.out.contains("FAIL  accuracy >= 0.8"), r.out.constData());
    QVERIFY(r.out.contains("NOTE  run #"));
}

QTEST_GUILESS_MAIN(TestMlflowImport)
#include "tst_mlflowimport.moc"
