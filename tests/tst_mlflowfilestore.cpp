// MLflow's file store read without MLflow: the real `mlruns` tree of a public project
// (tests/fixtures/mlflow/external/…, committed to git, so some runs lack metrics/ and params/),
// and trees written by hand after ../shared/research/mlflow.md §1 for what that one lacks:
// older vintages, 5-field metric lines, .trash, the registry and MLflow 3 logged models.

#include "mlflow/filestore.h"
#include "testsupport.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace cairn;
using namespace Qt::StringLiterals;

namespace {

const MlflowRun *findRun(const MlflowStore &store, const QString &id)
{
    for (const MlflowRun &run : store.runs) {
        if (run.id == id)
            return &run;
    }
    return nullptr;
}

const MlflowMetric *findMetric(const QList<MlflowMetric> &metrics, const QString &key)
{
    for (const MlflowMetric &m : metrics) {
        if (m.key == key)
            return &m;
    }
    return nullptr;
}

void write(const QTemporaryDir &dir, const QString &relative, const QByteArray &bytes)
{
    test::writeFile(dir.filePath(relative), bytes);
}

} // namespace

class TestMlflowFileStore : public QObject
{
    Q_OBJECT

private slots:
    void realStore();
    void legacyVintage();
    void metricLines();
    void trash();
    void registry();
    void loggedModel();
    void malformedLinesAreWarnings();
    void notAStore();
    void cancel();
};

void TestMlflowFileStore::realStore()
{
    const QString root =
        test::fixture(u"mlflow/external/2024aa05342-source__heart-mlops-project/mlruns"_s);
    const auto store = readMlflowFileStore(root);
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QVERIFY2(store->warnings.isEmpty(), qPrintable(store->warnings.value(0).toString()));

    QCOMPARE(store->experiments.size(), 2);
    QCOMPARE(store->experiments[0].id, u"0"_s);
    QCOMPARE(store->experiments[0].name, u"Default"_s);
    QCOMPARE(store->experiments[1].id, u"269502884478771284"_s);
    QCOMPARE(store->experiments[1].name, u"heart-disease-exp"_s);
    QCOMPARE(store->experiments[1].lifecycleStage, u"active"_s);
    QCOMPARE(store->experiments[1].creationTime, 1766850880466);
    QVERIFY(!store->experiments[1].deleted);

    QCOMPARE(store->runs.size(), 22);
    int finished = 0;
    int failed = 0;
    for (const MlflowRun &run : store->runs) {
        QCOMPARE(run.experimentId, u"269502884478771284"_s);
        QCOMPARE(run.id.size(), 32);
        finished += run.status == int(MlflowRunStatus::Finished);
        failed += run.status == int(MlflowRunStatus::Failed);
    }
    QCOMPARE(finished, 21);
    QCOMPARE(failed, 1);
    QCOMPARE(findRun(*store, u"3e8ce0708c744eada0aed95d3b6c5342"_s)->status, 4);

    // Runs whose empty metrics/ and params/ folders git dropped are read, not skipped.
    for (const QString &id :
         {u"1e25e618fea64601a2e7071c18f2fc4b"_s, u"3e8ce0708c744eada0aed95d3b6c5342"_s,
          u"8b4095ba25384d8d9f3f28d087a35246"_s, u"a7b456adc4b44ee6ae5be2456e1dde8b"_s}) {
        const MlflowRun *run = findRun(*store, id);
        QVERIFY2(run, qPrintable(id));
        QVERIFY(run->metrics.isEmpty());
        QVERIFY(run->params.isEmpty());
        QCOMPARE(run->name, u"logistic_regression"_s);
    }

    const MlflowRun *rf = findRun(*store, u"0fea9f88cbd342f894b06bb913893aec"_s);
    QVERIFY(rf);
    QCOMPARE(rf->name, u"random_forest"_s);
    QCOMPARE(rf->userId, u"aadya"_s);
    QCOMPARE(rf->startTime, 1766934531170);
    QCOMPARE(rf->endTime, std::optional<qint64>(1766934531297));
    QCOMPARE(rf->lifecycleStage, u"active"_s);
    QCOMPARE(rf->gitCommit, u"5a121f6fa6f7dfea494593d9b5b672a4fc4fd6a3"_s);
    QVERIFY(rf->sourceName.endsWith(u"/src/train.py"_s));
    QCOMPARE(rf->params.size(), 19);
    QCOMPARE(rf->params.value(u"n_estimators"_s), u"100"_s);
    QCOMPARE(rf->params.value(u"max_depth"_s), u"None"_s);
    QCOMPARE(rf->params.value(u"criterion"_s), u"gini"_s);
    QCOMPARE(rf->metrics.size(), 4);
    QCOMPARE(rf->metrics[0].key, u"accuracy"_s);
    QCOMPARE(rf->metrics[0].latest.value, 0.5652173913043478);
    QCOMPARE(rf->metrics[0].latest.timestamp, 1766934531281);
    QCOMPARE(findMetric(rf->metrics, u"recall"_s)->latest.value, 0.38550997150997157);

    const MlflowRun *lr = findRun(*store, u"8f24568a89cc49e689d6a32a7cf5439e"_s);
    QCOMPARE(lr->params.size(), 15);
    QCOMPARE(findMetric(lr->metrics, u"auc"_s)->latest.value, 0.8890519877675841);

    // Newest first within the experiment.
    for (qsizetype i = 1; i < store->runs.size(); ++i)
        QVERIFY(store->runs[i - 1].startTime >= store->runs[i].startTime);
}

// An older vintage: int experiment ids, run_uuid beside (or instead of) run_id, no run_name
// (the name is the mlflow.runName tag), no lifecycle_stage, string status, nested run.
void TestMlflowFileStore::legacyVintage()
{
    QTemporaryDir dir;
    write(dir, u"0/meta.yaml"_s,
          "artifact_location: file:///tmp/mlruns/0\nexperiment_id: 0\nname: Default\n");
    write(dir, u"7/meta.yaml"_s,
          "artifact_location: ./mlruns/7\nexperiment_id: 7\nlifecycle_stage: active\n"
          "name: 'it''s old'\n");
    write(dir, u"7/tags/team"_s, "vision");
    write(dir, u"7/aaa/meta.yaml"_s,
          "artifact_uri: ./mlruns/7/aaa/artifacts\nend_time: null\nentry_point_name: ''\n"
          "experiment_id: 7\nname: ''\nrun_uuid: aaa\nsource_name: ''\nsource_type: 4\n"
          "source_version: ''\nstart_time: 1550000000000\nstatus: 5\ntags: []\n"
          "user_id: ann\n");
    write(dir, u"7/aaa/tags/mlflow.runName"_s, "from the tag");
    write(dir, u"7/bbb/meta.yaml"_s,
          "experiment_id: '7'\nrun_id: bbb\nrun_uuid: bbb\nstart_time: 1550000000001\n"
          "status: FAILED\n");
    write(dir, u"7/bbb/tags/mlflow.parentRunId"_s, "aaa");
    write(dir, u"7/bbb/tags/mlflow.user"_s, "bob");
    write(dir, u"7/ccc/meta.yaml"_s, "experiment_id: 7\nrun_uuid: ccc\n");
    // Folded by PyYAML: needs a real YAML parser, still read.
    write(dir, u"7/ddd/meta.yaml"_s,
          "experiment_id: 7\nrun_id: ddd\nrun_name: a name long enough that PyYAML folds it\n"
          "  onto a second line\nstatus: 3\n");
    // Double-quoted with escapes (PyYAML's choice for non-printable text).
    write(dir, u"7/eee/meta.yaml"_s,
          "experiment_id: 7\nrun_id: eee\nrun_name: \"caf\\xE9\\tbar\"\n");

    const auto store = readMlflowFileStore(dir.path());
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QVERIFY2(store->warnings.isEmpty(), qPrintable(store->warnings.value(0).toString()));
    QCOMPARE(store->experiments.size(), 2);
    QCOMPARE(store->experiments[0].id, u"0"_s);
    QCOMPARE(store->experiments[0].lifecycleStage, u"active"_s);
    QCOMPARE(store->experiments[0].artifactLocation, u"file:///tmp/mlruns/0"_s);
    QCOMPARE(store->experiments[1].id, u"7"_s);
    QCOMPARE(store->experiments[1].name, u"it's old"_s);
    QCOMPARE(store->experiments[1].tags.value(u"team"_s), u"vision"_s);

    QCOMPARE(store->runs.size(), 5);
    const MlflowRun *a = findRun(*store, u"aaa"_s);
    QVERIFY(a);
    QCOMPARE(a->experimentId, u"7"_s);
    QCOMPARE(a->name, u"from the tag"_s);
    QCOMPARE(a->status, int(MlflowRunStatus::Killed));
    QCOMPARE(a->endTime, std::nullopt);
    QCOMPARE(a->lifecycleStage, u"active"_s);
    QCOMPARE(a->userId, u"ann"_s);
    const MlflowRun *b = findRun(*store, u"bbb"_s);
    QCOMPARE(b->status, int(MlflowRunStatus::Failed));
    QCOMPARE(b->parentRunId, u"aaa"_s);
    QCOMPARE(b->userId, u"bob"_s);
    const MlflowRun *c = findRun(*store, u"ccc"_s);
    QVERIFY(c);
    QCOMPARE(c->status, int(MlflowRunStatus::Running)); // no status key
    const MlflowRun *d = findRun(*store, u"ddd"_s);
    QVERIFY(d);
    QCOMPARE(d->name, u"a name long enough that PyYAML folds it onto a second line"_s);
    QCOMPARE(d->status, 3);
    QCOMPARE(mlflowRunStatusName(d->status), u"FINISHED"_s);
    QCOMPARE(findRun(*store, u"eee"_s)->name, u"caf\u00e9\tbar"_s);
}

void TestMlflowFileStore::metricLines()
{
    QTemporaryDir dir;
    write(dir, u"1/meta.yaml"_s, "experiment_id: '1'\nname: e\n");
    write(dir, u"1/r1/meta.yaml"_s, "experiment_id: '1'\nrun_id: r1\nstatus: 3\n");
    write(dir, u"1/r1/metrics/loss"_s,
          "100 0.5\n"                      // 2 fields: step 0
          "101 0.25 1\n"                   // 3 fields
          "102 nan 2\n"                    // Python's str(float('nan'))
          "103 0.125 2 eval_ds 4f1a2b3c\n" // 5 fields: dataset name and digest
          "99 inf 2\n");                   // older timestamp at the same step
    write(dir, u"1/r1/metrics/val/acc"_s, "5 -inf 0\n6 NaN 0\n7 +Infinity 0\n8 1e-3 0\n");
    write(dir, u"1/r1/metrics/empty"_s, "");
    write(dir, u"1/r1/params/nested/lr"_s, "0.01");

    const auto store = readMlflowFileStore(dir.path());
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QVERIFY2(store->warnings.isEmpty(), qPrintable(store->warnings.value(0).toString()));
    const MlflowRun *run = findRun(*store, u"r1"_s);
    QVERIFY(run);
    QCOMPARE(run->params.value(u"nested/lr"_s), u"0.01"_s);
    QCOMPARE(run->metrics.size(), 3);

    const MlflowMetric *loss = findMetric(run->metrics, u"loss"_s);
    QVERIFY(loss);
    QCOMPARE(loss->points.size(), 5);
    QCOMPARE(loss->points[0].step, 0);
    QCOMPARE(loss->points[0].value, 0.5);
    QCOMPARE(loss->points[1].step, 1);
    QVERIFY(std::isnan(loss->points[2].value));
    QCOMPARE(loss->points[3].context, 0);
    QCOMPARE(loss->contexts.value(0).datasetName, u"eval_ds"_s);
    QCOMPARE(loss->contexts.value(0).datasetDigest, u"4f1a2b3c"_s);
    QCOMPARE(loss->points[4].value, std::numeric_limits<double>::infinity());
    // Latest: max by (step, timestamp, value) → step 2, timestamp 103.
    QCOMPARE(loss->latest.timestamp, 103);
    QCOMPARE(loss->latest.value, 0.125);

    const MlflowMetric *acc = findMetric(run->metrics, u"val/acc"_s);
    QVERIFY(acc);
    QCOMPARE(acc->points.size(), 4);
    QCOMPARE(acc->points[0].value, -std::numeric_limits<double>::infinity());
    QVERIFY(std::isnan(acc->points[1].value));
    QCOMPARE(acc->points[2].value, std::numeric_limits<double>::infinity());
    QCOMPARE(acc->latest.value, 1e-3);

    const MlflowMetric *empty = findMetric(run->metrics, u"empty"_s);
    QVERIFY(empty && empty->points.isEmpty());
}

// A deleted experiment is moved to .trash with its runs; a deleted run stays in place.
void TestMlflowFileStore::trash()
{
    QTemporaryDir dir;
    write(dir, u"0/meta.yaml"_s, "experiment_id: '0'\nlifecycle_stage: active\nname: Default\n");
    write(dir, u"0/live/meta.yaml"_s,
          "experiment_id: '0'\nlifecycle_stage: active\nrun_id: live\nstatus: 3\n");
    write(dir, u"0/gone/meta.yaml"_s,
          "deleted_time: 1700000000000\nexperiment_id: '0'\nlifecycle_stage: deleted\n"
          "run_id: gone\nstatus: 3\n");
    write(dir, u".trash/5/meta.yaml"_s,
          "experiment_id: '5'\nlifecycle_stage: deleted\nname: old\n");
    write(dir, u".trash/5/t1/meta.yaml"_s,
          "experiment_id: '5'\nlifecycle_stage: deleted\nrun_id: t1\nstatus: 3\n");

    const auto store = readMlflowFileStore(dir.path());
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QCOMPARE(store->experiments.size(), 2);
    QCOMPARE(store->experiments[0].id, u"0"_s);
    QVERIFY(!store->experiments[0].deleted);
    QCOMPARE(store->experiments[1].id, u"5"_s);
    QVERIFY(store->experiments[1].deleted);
    QCOMPARE(store->runs.size(), 3);
    QVERIFY(!findRun(*store, u"live"_s)->deleted);
    QVERIFY(findRun(*store, u"gone"_s)->deleted);
    QCOMPARE(findRun(*store, u"gone"_s)->deletedTime, std::optional<qint64>(1700000000000));
    QVERIFY(findRun(*store, u"t1"_s)->deleted);
    QCOMPARE(findRun(*store, u"t1"_s)->experimentId, u"5"_s);
}

void TestMlflowFileStore::registry()
{
    QTemporaryDir dir;
    write(dir, u"0/meta.yaml"_s, "experiment_id: '0'\nname: Default\n");
    write(dir, u"models/churn/meta.yaml"_s,
          "aliases: []\ncreation_timestamp: 1700000000000\ndescription: null\n"
          "last_updated_timestamp: 1700000500000\nname: churn\ntags: []\n");
    write(dir, u"models/churn/tags/owner"_s, "ml-team");
    write(dir, u"models/churn/aliases/champion"_s, "2");
    write(dir, u"models/churn/version-1/meta.yaml"_s,
          "creation_timestamp: 1700000000000\ncurrent_stage: Archived\ndescription: ''\n"
          "last_updated_timestamp: 1700000000000\nname: churn\nrun_id: r1\n"
          "run_link: ''\nsource: file:///m/1\nstatus: READY\nstatus_message: null\n"
          "storage_location: null\nuser_id: null\nversion: 1\n");
    write(dir, u"models/churn/version-2/meta.yaml"_s,
          "creation_timestamp: 1700000400000\ncurrent_stage: Production\ndescription: ''\n"
          "last_updated_timestamp: 1700000500000\nmodel_id: m-0123abcd\nname: churn\n"
          "run_id: r2\nsource: models:/m-0123abcd\nstatus: READY\nversion: 2\n");
    write(dir, u"models/churn/version-2/tags/validated"_s, "yes");
    write(dir, u"models/churn/version-10/meta.yaml"_s,
          "current_stage: Deleted_Internal\nname: churn\nversion: 10\n");

    const auto store = readMlflowFileStore(dir.path());
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QVERIFY2(store->warnings.isEmpty(), qPrintable(store->warnings.value(0).toString()));
    QCOMPARE(store->experiments.size(), 1); // models/ is not an experiment
    QCOMPARE(store->registeredModels.size(), 1);
    const MlflowRegisteredModel &model = store->registeredModels[0];
    QCOMPARE(model.name, u"churn"_s);
    QCOMPARE(model.lastUpdatedTime, 1700000500000);
    QCOMPARE(model.tags.value(u"owner"_s), u"ml-team"_s);
    QCOMPARE(model.aliases.value(u"champion"_s), u"2"_s);
    QCOMPARE(model.versions.size(), 3);
    QCOMPARE(model.versions[0].version, u"1"_s);
    QCOMPARE(model.versions[0].currentStage, u"Archived"_s);
    QCOMPARE(model.versions[0].runId, u"r1"_s);
    QVERIFY(model.versions[0].aliases.isEmpty());
    QCOMPARE(model.versions[1].version, u"2"_s);
    QCOMPARE(model.versions[1].currentStage, u"Production"_s);
    QCOMPARE(model.versions[1].source, u"models:/m-0123abcd"_s);
    QCOMPARE(model.versions[1].modelId, u"m-0123abcd"_s);
    QCOMPARE(model.versions[1].aliases, QStringList{u"champion"_s});
    QCOMPARE(model.versions[1].tags.value(u"validated"_s), u"yes"_s);
    QCOMPARE(model.versions[2].version, u"10"_s);
    QVERIFY(model.versions[2].deleted);
}

void TestMlflowFileStore::loggedModel()
{
    QTemporaryDir dir;
    write(dir, u"1/meta.yaml"_s, "experiment_id: '1'\nname: e\n");
    write(dir, u"1/r1/meta.yaml"_s, "experiment_id: '1'\nrun_id: r1\nstatus: 3\n");
    const QString id = u"m-8c1f0e6a2b3d4c5e9f7a6b5c4d3e2f10"_s;
    write(dir, u"1/models/%1/meta.yaml"_s.arg(id),
          "artifact_location: file:///mlruns/1/models/m-8c1f0e6a2b3d4c5e9f7a6b5c4d3e2f10/"
          "artifacts\ncreation_timestamp: 1760000000000\nexperiment_id: '1'\n"
          "last_updated_timestamp: 1760000001000\nlifecycle_stage: active\n"
          "model_id: m-8c1f0e6a2b3d4c5e9f7a6b5c4d3e2f10\nmodel_type: ''\nname: model\n"
          "source_run_id: r1\nstatus: 2\nstatus_message: null\n");
    write(dir, u"1/models/%1/params/alpha"_s.arg(id), "0.5");
    write(dir, u"1/models/%1/tags/mlflow.user"_s.arg(id), "ann");
    write(dir, u"1/models/%1/metrics/rmse"_s.arg(id),
          "1760000000500 0.7 0 r1\n1760000000600 0.6 1 r1 test_ds abc123\n");

    const auto store = readMlflowFileStore(dir.path());
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QVERIFY2(store->warnings.isEmpty(), qPrintable(store->warnings.value(0).toString()));
    QCOMPARE(store->runs.size(), 1); // models/ is not a run
    QCOMPARE(store->loggedModels.size(), 1);
    const MlflowLoggedModel &m = store->loggedModels[0];
    QCOMPARE(m.id, id);
    QCOMPARE(m.experimentId, u"1"_s);
    QCOMPARE(m.name, u"model"_s);
    QCOMPARE(m.sourceRunId, u"r1"_s);
    QCOMPARE(m.status, 2);
    QCOMPARE(m.params.value(u"alpha"_s), u"0.5"_s);
    QCOMPARE(m.tags.value(u"mlflow.user"_s), u"ann"_s);
    QCOMPARE(m.metrics.size(), 1);
    QCOMPARE(m.metrics[0].points.size(), 2);
    QCOMPARE(m.metrics[0].latest.value, 0.6);
    QCOMPARE(m.metrics[0].contexts.value(m.metrics[0].latest.context).datasetName, u"test_ds"_s);
    QCOMPARE(m.metrics[0].contexts.value(m.metrics[0].points[0].context).runId, u"r1"_s);
}

void TestMlflowFileStore::malformedLinesAreWarnings()
{
    QTemporaryDir dir;
    write(dir, u"1/meta.yaml"_s, "experiment_id: '1'\nname: e\n");
    write(dir, u"1/r1/meta.yaml"_s, "experiment_id: '1'\nrun_id: r1\nstatus: 3\n");
    write(dir, u"1/r1/metrics/loss"_s, "1 0.5 0\n2 0.4 1\n3 oops 2\n4 0.3 3 extra\n5 0.2 4\n");
    write(dir, u"1/r2/meta.yaml"_s, "run_id: [unclosed\n");
    write(dir, u"1/r3/meta.yaml"_s, "");
    write(dir, u"1/r4/metrics/loss"_s, "1 0.5 0\n"); // no meta.yaml: not a run MLflow can read

    const auto store = readMlflowFileStore(dir.path());
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    const MlflowRun *r1 = findRun(*store, u"r1"_s);
    QVERIFY(r1);
    QCOMPARE(r1->metrics[0].points.size(), 3);
    QCOMPARE(r1->metrics[0].latest.step, 4);
    // The broken meta.yaml files are warnings; their runs are still listed under their folder.
    QVERIFY(findRun(*store, u"r2"_s));
    QVERIFY(findRun(*store, u"r3"_s));
    QVERIFY(!findRun(*store, u"r4"_s));

    QCOMPARE(store->warnings.size(), 4);
    const auto warningFor = [&](const QString &suffix) -> Error {
        for (const Error &w : store->warnings) {
            if (w.file.endsWith(suffix))
                return w;
        }
        return Error();
    };
    const Error metric = warningFor(u"r1/metrics/loss"_s);
    QCOMPARE(metric.line, 3);
    QVERIFY2(metric.message.contains(u"2 such lines"_s), qPrintable(metric.toString()));
    QVERIFY(!metric.hint.isEmpty());
    const Error yaml = warningFor(u"r2/meta.yaml"_s);
    QVERIFY(yaml.line >= 1);
    QVERIFY(!yaml.message.isEmpty());
    QVERIFY(warningFor(u"r3/meta.yaml"_s).message.contains(u"empty"_s));
    QVERIFY(warningFor(u"r4"_s).message.contains(u"without meta.yaml"_s));
}

void TestMlflowFileStore::notAStore()
{
    QTemporaryDir dir;
    write(dir, u"project/src/train.py"_s, "print(1)\n");
    write(dir, u"project/mlruns/0/meta.yaml"_s, "experiment_id: '0'\nname: Default\n");
    const auto result = readMlflowFileStore(dir.filePath(u"project"_s));
    QVERIFY(!result);
    QVERIFY2(result.error().message.contains(u"not an MLflow file store"_s),
             qPrintable(result.error().toString()));
    QCOMPARE(result.error().hint, u"Open %1 instead"_s.arg(dir.filePath(u"project/mlruns"_s)));

    const auto missing = readMlflowFileStore(dir.filePath(u"nothing-here"_s));
    QVERIFY(!missing);
    QVERIFY(missing.error().message.contains(u"does not exist"_s));

    QVERIFY(readMlflowFileStore(dir.filePath(u"project/mlruns"_s)));
}

void TestMlflowFileStore::cancel()
{
    const QString root =
        test::fixture(u"mlflow/external/2024aa05342-source__heart-mlops-project/mlruns"_s);
    qint64 lastTotal = -1;
    const auto store = readMlflowFileStore(root, [&](qint64, qint64 total) {
        lastTotal = total;
        return false;
    });
    QVERIFY(!store);
    QCOMPARE(store.error().message, u"cancelled"_s);
    QCOMPARE(lastTotal, 22);
}

QTEST_GUILESS_MAIN(TestMlflowFileStore)
#include "tst_mlflowfilestore.moc"
