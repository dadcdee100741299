// MLflow's SQL store (a SQLite mlflow.db) read without MLflow: the oldest schema in MLflow's own
// test resources (with the latest values MLflow expects of it), two real MLflow 3 databases
// (tests/fixtures/mlflow/external/…), and databases built here for what those lack: ±inf and
// NaN rows, string statuses, the registry, deleted runs and experiments, missing tables and
// columns, WAL mode. The expected figures were counted from the files with Python's sqlite3.

#include "mlflow/sqlstore.h"
#include "store/database.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
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

const MlflowLoggedModel *findModel(const MlflowStore &store, const QString &id)
{
    for (const MlflowLoggedModel &model : store.loggedModels) {
        if (model.id == id)
            return &model;
    }
    return nullptr;
}

// A database built with Cairn's own wrapper: `schema`, then `rows`. Cairn opens databases in
// WAL mode; unless `wal`, the file is put back into rollback-journal mode, as MLflow leaves it.
void createDb(const QString &path, const char *schema, const QString &rows, bool wal = false)
{
    auto db = Database::open(path, Database::Mode::ReadWrite, {{1, schema}});
    QVERIFY2(db, qPrintable(db ? QString() : db.error().toString()));
    auto r = (*db)->execScript(rows);
    QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
    if (!wal) {
        r = (*db)->execScript(u"PRAGMA journal_mode=DELETE"_s);
        QVERIFY2(r, qPrintable(r ? QString() : r.error().toString()));
    }
}

// MLflow's own latest_metrics table (kept up to date by MLflow as it logged) against the latest
// value computed from every row: the same point for every run and key. Returns the pairs
// compared.
int compareWithLatestMetrics(const QString &path, const MlflowStore &store)
{
    auto db = Database::openExternal(path);
    if (!db)
        return -1;
    auto s = (*db)->prepare(u"SELECT run_uuid, key, value, timestamp, step, is_nan "
                            u"FROM latest_metrics"_s);
    if (!s)
        return -1;
    int compared = 0;
    for (;;) {
        const auto row = s->step();
        if (!row || !*row)
            break;
        const MlflowRun *run = findRun(store, s->text(0));
        const MlflowMetric *metric = run ? findMetric(run->metrics, s->text(1)) : nullptr;
        if (!metric)
            return -1;
        const MlflowMetricPoint &latest = metric->latest;
        if (latest.timestamp != s->int64(3) || latest.step != s->int64(4))
            return -1;
        if (s->int64(5) != 0 ? !std::isnan(latest.value) : latest.value != s->real(2))
            return -1;
        ++compared;
    }
    return compared;
}

QStringList siblings(const QString &path)
{
    QFileInfo info(path);
    return QDir(info.absolutePath()).entryList(QDir::Files | QDir::Hidden, QDir::Name);
}

// The newest schema's tables that the reader uses, as MLflow's latest_schema.sql has them.
const char *const kModernSchema = R"(
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
CREATE TABLE experiments (experiment_id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(256) NOT NULL,
  artifact_location VARCHAR(256), lifecycle_stage VARCHAR(32), creation_time BIGINT,
  last_update_time BIGINT);
CREATE TABLE experiment_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000),
  experiment_id INTEGER NOT NULL, PRIMARY KEY (key, experiment_id));
CREATE TABLE runs (run_uuid VARCHAR(32) NOT NULL PRIMARY KEY, name VARCHAR(250),
  source_type VARCHAR(20), source_name VARCHAR(500), entry_point_name VARCHAR(50),
  user_id VARCHAR(256), status VARCHAR(9), start_time BIGINT, end_time BIGINT,
  source_version VARCHAR(50), lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200),
  experiment_id INTEGER, deleted_time BIGINT);
CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL,
  run_uuid VARCHAR(32) NOT NULL, step BIGINT DEFAULT '0' NOT NULL,
  is_nan BOOLEAN DEFAULT '0' NOT NULL);
CREATE TABLE latest_metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL,
  timestamp BIGINT, step BIGINT NOT NULL, is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL,
  PRIMARY KEY (key, run_uuid));
CREATE TABLE params (key VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL,
  run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY (key, run_uuid));
CREATE TABLE tags (key VARCHAR(250) NOT NULL, value VARCHAR(8000), run_uuid VARCHAR(32) NOT NULL,
  PRIMARY KEY (key, run_uuid));
CREATE TABLE registered_models (name VARCHAR(256) NOT NULL PRIMARY KEY, creation_time BIGINT,
  last_updated_time BIGINT, description VARCHAR(5000));
CREATE TABLE registered_model_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000),
  name VARCHAR(256) NOT NULL, PRIMARY KEY (key, name));
CREATE TABLE registered_model_aliases (alias VARCHAR(256) NOT NULL, version INTEGER NOT NULL,
  name VARCHAR(256) NOT NULL, PRIMARY KEY (name, alias));
CREATE TABLE model_versions (name VARCHAR(256) NOT NULL, version INTEGER NOT NULL,
  creation_time BIGINT, last_updated_time BIGINT, description VARCHAR(5000),
  user_id VARCHAR(256), current_stage VARCHAR(20), source VARCHAR(500), run_id VARCHAR(32),
  status VARCHAR(20), status_message VARCHAR(500), run_link VARCHAR(500),
  storage_location VARCHAR(500), model_id VARCHAR(36), PRIMARY KEY (name, version));
CREATE TABLE model_version_tags (key VARCHAR(250) NOT NULL, value TEXT, name VARCHAR(256) NOT NULL,
  version INTEGER NOT NULL, PRIMARY KEY (key, name, version));
)";

} // namespace

class TestMlflowSqlStore : public QObject
{
    Q_OBJECT

private slots:
    void oldSchemaLatestValues();
    void mlflow3Lab();
    void mlflow3Trips();
    void valuesAndStatuses();
    void registry();
    void oldestColumns();
    void readOnly();
    void errors_data();
    void errors();
    void progressAndCancel();
    void manyRowsAndCancelMidway();
    void liveWalDatabase();
    void awkwardPath();
};

// MLflow's migration test database (alembic 7ac759974ad8, before latest_metrics): the latest
// value of every metric of every run, by MLflow's rule, is the one MLflow's test expects.
void TestMlflowSqlStore::oldSchemaLatestValues()
{
    const QString dir = test::fixture(u"mlflow/tests/resources/db"_s);
    const QString path = dir + u"/db_version_7ac759974ad8_with_metrics.sql"_s;
    const auto store = readMlflowSqlStore(path);
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QVERIFY2(store->warnings.isEmpty(), qPrintable(store->warnings.value(0).toString()));
    QCOMPARE(store->root, path);

    QCOMPARE(store->experiments.size(), 1);
    QCOMPARE(store->experiments[0].id, u"0"_s);
    QCOMPARE(store->experiments[0].name, u"Default"_s);
    QCOMPARE(store->experiments[0].artifactLocation, u"./mlruns/0"_s);
    QCOMPARE(store->experiments[0].creationTime, 0); // no such column yet
    QVERIFY(store->experiments[0].dir.isEmpty());
    QVERIFY(store->registeredModels.isEmpty());
    QVERIFY(store->loggedModels.isEmpty());

    QCOMPARE(store->runs.size(), 26);
    qsizetype params = 0;
    qsizetype tags = 0;
    qsizetype points = 0;
    int withCommit = 0;
    for (const MlflowRun &run : store->runs) {
        params += run.params.size();
        tags += run.tags.size();
        for (const MlflowMetric &m : run.metrics)
            points += m.points.size();
        QCOMPARE(run.status, int(MlflowRunStatus::Finished));
        QCOMPARE(run.userId, u"czumar"_s);
        QCOMPARE(run.experimentId, u"0"_s);
        QVERIFY(!run.deleted);
        QVERIFY(!run.deletedTime);
        QVERIFY(run.dir.isEmpty());
        QCOMPARE(run.sourceType, run.tags.value(u"mlflow.source.type"_s));
        withCommit += !run.gitCommit.isEmpty();
    }
    QCOMPARE(params, 0);
    QCOMPARE(tags, 103);
    QCOMPARE(points, 404);
    QCOMPARE(withCommit, 25);
    for (qsizetype i = 1; i < store->runs.size(); ++i)
        QVERIFY(store->runs[i - 1].startTime >= store->runs[i].startTime);

    QFile json(dir + u"/db_version_7ac759974ad8_with_metrics_expected_values.json"_s);
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QJsonObject expected = QJsonDocument::fromJson(json.readAll()).object();
    QCOMPARE(expected.size(), 26);
    int compared = 0;
    for (auto run = expected.begin(); run != expected.end(); ++run) {
        const MlflowRun *read = findRun(*store, run.key());
        QVERIFY2(read, qPrintable(run.key()));
        const QJsonObject metrics = run.value().toObject();
        QCOMPARE(read->metrics.size(), metrics.size());
        for (auto m = metrics.begin(); m != metrics.end(); ++m) {
            const MlflowMetric *metric = findMetric(read->metrics, m.key());
            QVERIFY2(metric, qPrintable(run.key() + u' ' + m.key()));
            QVERIFY(!metric->points.isEmpty());
            // JSON has no NaN or inf: those are strings or null there.
            const QJsonValue want = m.value();
            const double got = metric->latest.value;
            if (want.isDouble()) {
                QCOMPARE(got, want.toDouble());
            } else if (want.toString() == u"Infinity"_s) {
                QVERIFY(std::isinf(got) && got > 0);
            } else if (want.toString() == u"-Infinity"_s) {
                QVERIFY(std::isinf(got) && got < 0);
            } else {
                QVERIFY2(std::isnan(got), qPrintable(run.key() + u' ' + m.key()));
            }
            ++compared;
        }
    }
    QCOMPARE(compared, 101);
}

// A real MLflow 3.8 database: failed runs, NaN metrics (value 0, is_nan 1), logged models.
void TestMlflowSqlStore::mlflow3Lab()
{
    const QString path =
        test::fixture(u"mlflow/external/2024ab05158-lab__heart-disease-mlops/mlflow.db"_s);
    const auto store = readMlflowSqlStore(path);
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QVERIFY2(store->warnings.isEmpty(), qPrintable(store->warnings.value(0).toString()));

    QCOMPARE(store->experiments.size(), 2);
    QCOMPARE(store->experiments[0].id, u"0"_s);
    QCOMPARE(store->experiments[0].name, u"Default"_s);
    QCOMPARE(store->experiments[0].tags.value(u"mlflow.experimentKind"_s),
             u"custom_model_development"_s);
    QCOMPARE(store->experiments[0].creationTime, 1766491229846);
    QCOMPARE(store->experiments[1].id, u"1"_s);
    QCOMPARE(store->experiments[1].name, u"Heart-Disease-Classification"_s);
    QVERIFY(store->experiments[1].tags.isEmpty());

    QCOMPARE(store->runs.size(), 7);
    int failed = 0;
    int finished = 0;
    qsizetype params = 0;
    for (const MlflowRun &run : store->runs) {
        failed += run.status == int(MlflowRunStatus::Failed);
        finished += run.status == int(MlflowRunStatus::Finished);
        params += run.params.size();
        QVERIFY(run.artifactUri.startsWith(u"file:///C:/"_s));
        QCOMPARE(run.userId, u"kathula"_s);
    }
    QCOMPARE(failed, 5);
    QCOMPARE(finished, 2);
    QCOMPARE(params, 8);
    // Experiment 0's runs first, newest first.
    QCOMPARE(store->runs[0].id, u"3411802701c240fc953e0a5cc5823ad3"_s);
    QCOMPARE(store->runs[4].id, u"12297bfbbcb14610915239134ec26b83"_s);
    QCOMPARE(store->runs[5].id, u"7d53f90b50ed4fb1b1fcabbbe49dca40"_s);
    QCOMPARE(store->runs[5].name, u"RandomForest"_s);

    const MlflowRun *nanRun = findRun(*store, u"863db42a2418416882f60bc6b2816075"_s);
    QVERIFY(nanRun);
    QCOMPARE(nanRun->metrics.size(), 2);
    QCOMPARE(nanRun->metrics[0].key, u"roc_auc_mean"_s);
    QVERIFY(std::isnan(nanRun->metrics[0].latest.value));
    QVERIFY(std::isnan(nanRun->metrics[1].latest.value));
    QCOMPARE(nanRun->metrics[0].latest.timestamp, 1766491610517);
    const MlflowRun *rf = findRun(*store, u"7d53f90b50ed4fb1b1fcabbbe49dca40"_s);
    QCOMPARE(findMetric(rf->metrics, u"roc_auc_mean"_s)->latest.value, 0.8407677970177969);

    QCOMPARE(store->loggedModels.size(), 6);
    int failedModels = 0;
    int readyModels = 0;
    qsizetype modelParams = 0;
    qsizetype modelTags = 0;
    for (const MlflowLoggedModel &model : store->loggedModels) {
        failedModels += model.status == 3;
        readyModels += model.status == 2;
        modelParams += model.params.size();
        modelTags += model.tags.size();
        QCOMPARE(model.name, u"model"_s);
        QCOMPARE(model.lifecycleStage, u"active"_s);
        QVERIFY(findRun(*store, model.sourceRunId));
        QCOMPARE(model.metrics.isEmpty(), model.status != 2);
    }
    QCOMPARE(failedModels, 4);
    QCOMPARE(readyModels, 2);
    QCOMPARE(modelParams, 8);
    QCOMPARE(modelTags, 18);
    // Experiment 0's models first.
    QCOMPARE(store->loggedModels[0].experimentId, u"0"_s);
    QCOMPARE(store->loggedModels[5].experimentId, u"1"_s);

    const MlflowLoggedModel *lr = findModel(*store, u"m-a35647ab92ad4284a61f985686314f2f"_s);
    QVERIFY(lr);
    QCOMPARE(lr->sourceRunId, u"3a8ea87b982e4ba092adeb06fc905112"_s);
    QCOMPARE(lr->metrics.size(), 2);
    const MlflowMetric &auc = lr->metrics[0];
    QCOMPARE(auc.key, u"roc_auc_mean"_s);
    QCOMPARE(auc.latest.value, 0.8293199855699855);
    QCOMPARE(auc.latest.timestamp, 1766516149213);
    QCOMPARE(auc.contexts.size(), 1);
    QCOMPARE(auc.contexts[0].runId, u"3a8ea87b982e4ba092adeb06fc905112"_s);
    QCOMPARE(auc.points[0].context, 0);

    QCOMPARE(compareWithLatestMetrics(path, *store), 10);
}

// A real MLflow 3.8.0 database: three finished runs with 19 params each, READY logged models
// with params, tags and metrics.
void TestMlflowSqlStore::mlflow3Trips()
{
    const QString path =
        test::fixture(u"mlflow/external/2024aa05593-trips__mlops-heart-disease/mlflow.db"_s);
    const auto store = readMlflowSqlStore(path);
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QVERIFY2(store->warnings.isEmpty(), qPrintable(store->warnings.value(0).toString()));

    QCOMPARE(store->experiments.size(), 2);
    QCOMPARE(store->experiments[0].name, u"Default"_s);
    QCOMPARE(store->experiments[0].artifactLocation, u"mlflow-artifacts:/0"_s);
    QCOMPARE(store->experiments[1].name, u"Heart_Disease_Prediction"_s);
    QVERIFY(store->experiments[0].tags.isEmpty());
    QVERIFY(store->experiments[1].tags.isEmpty());

    QCOMPARE(store->runs.size(), 3);
    const QStringList names = {u"upbeat-gnu-523"_s, u"angry-perch-656"_s, u"aged-grouse-851"_s};
    qsizetype params = 0;
    for (qsizetype i = 0; i < store->runs.size(); ++i) {
        const MlflowRun &run = store->runs[i];
        QCOMPARE(run.name, names[i]); // newest first
        QCOMPARE(run.status, int(MlflowRunStatus::Finished));
        QCOMPARE(run.experimentId, u"1"_s);
        QCOMPARE(run.params.size(), 19);
        QCOMPARE(run.metrics.size(), 5);
        QCOMPARE(findMetric(run.metrics, u"accuracy"_s)->latest.value, 0.8524590163934426);
        QCOMPARE(findMetric(run.metrics, u"roc_auc"_s)->latest.value, 0.9401939655172413);
        QCOMPARE(run.metrics[0].points.size(), 1);
        params += run.params.size();
    }
    QCOMPARE(params, 57);
    QCOMPARE(store->runs[2].id, u"8dfd1249b9f446828da56bf5e85c6796"_s);
    QCOMPARE(store->runs[2].startTime, 1767628883105);

    QCOMPARE(store->loggedModels.size(), 3);
    for (const MlflowLoggedModel &model : store->loggedModels) {
        QCOMPARE(model.status, 2);
        QCOMPARE(model.experimentId, u"1"_s);
        QCOMPARE(model.params.size(), 19);
        QCOMPARE(model.tags.size(), 4);
        QCOMPARE(model.metrics.size(), 5);
        QVERIFY(findRun(*store, model.sourceRunId));
        for (const MlflowMetric &m : model.metrics)
            QCOMPARE(m.contexts.value(0).runId, model.sourceRunId);
    }
    const MlflowLoggedModel *first = findModel(*store, u"m-69373fa5d766442b86d95c167621125f"_s);
    QVERIFY(first);
    QCOMPARE(first->sourceRunId, u"8dfd1249b9f446828da56bf5e85c6796"_s);
    QCOMPARE(findMetric(first->metrics, u"precision"_s)->latest.value, 0.896551724137931);

    QCOMPARE(compareWithLatestMetrics(path, *store), 15);
}

// How MLflow stores what SQL cannot: ±inf as ±DBL_MAX, NaN as is_nan; status as text; the
// latest value by (step, timestamp, value) whatever the order of the rows; deleted things.
void TestMlflowSqlStore::valuesAndStatuses()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"mlflow.db"_s);
    createDb(path, kModernSchema, uR"(
INSERT INTO alembic_version VALUES ('1bd49d398cd23');
INSERT INTO experiments VALUES (0, 'Default', '/tmp/a/0', 'active', 100, 200);
INSERT INTO experiments VALUES (12, 'gone', '/tmp/a/12', 'deleted', 300, 400);
INSERT INTO experiments VALUES (3, 'third', '/tmp/a/3', 'active', 500, 600);
INSERT INTO experiment_tags VALUES ('team', 'vision', 3);
INSERT INTO runs VALUES ('r1', 'first', 'LOCAL', 'old.py', NULL, 'ann', 'FINISHED', 1000, 2000,
  NULL, 'active', '/tmp/a/0/r1/artifacts', 0, NULL);
INSERT INTO runs VALUES ('r2', '', 'UNKNOWN', '', NULL, '', 'KILLED', 3000, NULL, NULL,
  'deleted', '', 0, 5000);
INSERT INTO runs VALUES ('r3', 'odd', 'UNKNOWN', '', NULL, 'ann', 'PAUSED', 4000, NULL, NULL,
  'active', '', 0, NULL);
INSERT INTO runs VALUES ('r4', 'in a deleted experiment', 'UNKNOWN', '', NULL, 'ann', 'FAILED',
  500, 600, NULL, 'active', '', 12, NULL);
INSERT INTO runs VALUES ('r5', 'later', 'UNKNOWN', '', NULL, 'ann', 'SCHEDULED', 6000, NULL,
  NULL, 'active', '', 3, NULL);
INSERT INTO runs VALUES ('r6', 'odd too', 'UNKNOWN', '', NULL, 'ann', 'PAUSED', 7000, NULL, NULL,
  'active', '', 3, NULL);
INSERT INTO runs VALUES ('r7', NULL, NULL, NULL, NULL, NULL, 'RUNNING', 8000, NULL, NULL, NULL,
  NULL, 3, NULL);
INSERT INTO metrics VALUES ('up', 1.7976931348623157e308, 10, 'r1', 0, 0);
INSERT INTO metrics VALUES ('down', -1.7976931348623157e308, 10, 'r1', 0, 0);
INSERT INTO metrics VALUES ('nan', 5.0, 10, 'r1', 0, 1);
INSERT INTO metrics VALUES ('acc', 0.9, 99, 'r1', 0, 0);
INSERT INTO metrics VALUES ('acc', 0.7, 10, 'r1', 1, 0);
INSERT INTO metrics VALUES ('acc', 0.5, 10, 'r1', 1, 0);
INSERT INTO metrics VALUES ('acc', 0.6, 5, 'r1', 1, 0);
INSERT INTO metrics VALUES ('tie', -1.0, 5, 'r1', 2, 0);
INSERT INTO metrics VALUES ('tie', 0.0, 5, 'r1', 2, 1);
INSERT INTO metrics VALUES ('tie', -2.0, 5, 'r1', 2, 0);
INSERT INTO metrics VALUES ('loss', 0.1, 10, 'ghost', 0, 0);
INSERT INTO params VALUES ('lr', '0.01', 'r1');
INSERT INTO params VALUES ('lr', '0.1', 'ghost');
INSERT INTO tags VALUES ('mlflow.runName', 'from tag', 'r2');
INSERT INTO tags VALUES ('mlflow.user', 'bob', 'r2');
INSERT INTO tags VALUES ('mlflow.source.name', 'train.py', 'r1');
INSERT INTO tags VALUES ('mlflow.source.git.commit', 'abc123', 'r1');
INSERT INTO tags VALUES ('mlflow.parentRunId', 'r1', 'r5');
)"_s);
    const auto store = readMlflowSqlStore(path);
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));

    // Active experiments by id, then the deleted one.
    QCOMPARE(store->experiments.size(), 3);
    QCOMPARE(store->experiments[0].id, u"0"_s);
    QCOMPARE(store->experiments[1].id, u"3"_s);
    QCOMPARE(store->experiments[1].tags.value(u"team"_s), u"vision"_s);
    QCOMPARE(store->experiments[1].lastUpdateTime, 600);
    QCOMPARE(store->experiments[2].id, u"12"_s);
    QVERIFY(store->experiments[2].deleted);
    QVERIFY(!store->experiments[0].deleted);

    // By experiment (in that order), newest first.
    QStringList order;
    for (const MlflowRun &run : store->runs)
        order.append(run.id);
    QCOMPARE(order, (QStringList{u"r3"_s, u"r2"_s, u"r1"_s, u"r7"_s, u"r6"_s, u"r5"_s, u"r4"_s}));

    const MlflowRun *r1 = findRun(*store, u"r1"_s);
    QCOMPARE(r1->status, int(MlflowRunStatus::Finished));
    QCOMPARE(r1->name, u"first"_s);
    QCOMPARE(r1->userId, u"ann"_s);
    QCOMPARE(r1->endTime, std::optional<qint64>(2000));
    QCOMPARE(r1->sourceName, u"train.py"_s); // the tag wins over the column
    QCOMPARE(r1->sourceType, u"LOCAL"_s);    // no tag: the old column
    QCOMPARE(r1->gitCommit, u"abc123"_s);
    QCOMPARE(r1->params, (MlflowKeyValues{{u"lr"_s, u"0.01"_s}}));
    QCOMPARE(r1->metrics.size(), 5);
    QStringList keys;
    for (const MlflowMetric &m : r1->metrics)
        keys.append(m.key);
    QCOMPARE(keys, (QStringList{u"acc"_s, u"down"_s, u"nan"_s, u"tie"_s, u"up"_s}));

    const MlflowMetric *up = findMetric(r1->metrics, u"up"_s);
    QVERIFY(std::isinf(up->latest.value) && up->latest.value > 0);
    const MlflowMetric *down = findMetric(r1->metrics, u"down"_s);
    QVERIFY(std::isinf(down->latest.value) && down->latest.value < 0);
    QVERIFY(std::isnan(findMetric(r1->metrics, u"nan"_s)->latest.value));

    // Points by (step, timestamp), the latest by (step, timestamp, value).
    const MlflowMetric *acc = findMetric(r1->metrics, u"acc"_s);
    QCOMPARE(acc->points.size(), 4);
    QCOMPARE(acc->points[0].value, 0.9);
    QCOMPARE(acc->points[1].value, 0.6);
    QCOMPARE(acc->points[2].value, 0.7); // same step and time: table order
    QCOMPARE(acc->points[3].value, 0.5);
    QCOMPARE(acc->latest.value, 0.7);
    QCOMPARE(acc->latest.step, 1);
    QCOMPARE(acc->latest.timestamp, 10);
    // NaN ranks as the 0 MLflow stores for it: above -1 and -2.
    QVERIFY(std::isnan(findMetric(r1->metrics, u"tie"_s)->latest.value));

    const MlflowRun *r2 = findRun(*store, u"r2"_s);
    QCOMPARE(r2->status, int(MlflowRunStatus::Killed));
    QCOMPARE(r2->name, u"from tag"_s);
    QCOMPARE(r2->userId, u"bob"_s);
    QCOMPARE(r2->lifecycleStage, u"deleted"_s);
    QVERIFY(r2->deleted);
    QCOMPARE(r2->deletedTime, std::optional<qint64>(5000));
    QVERIFY(!r2->endTime);

    QCOMPARE(findRun(*store, u"r3"_s)->status, int(MlflowRunStatus::Running));
    QCOMPARE(findRun(*store, u"r6"_s)->status, int(MlflowRunStatus::Running));
    const MlflowRun *r4 = findRun(*store, u"r4"_s);
    QCOMPARE(r4->status, int(MlflowRunStatus::Failed));
    QCOMPARE(r4->lifecycleStage, u"active"_s);
    QVERIFY(r4->deleted); // its experiment is deleted
    const MlflowRun *r5 = findRun(*store, u"r5"_s);
    QCOMPARE(r5->status, int(MlflowRunStatus::Scheduled));
    QCOMPARE(r5->parentRunId, u"r1"_s);
    QVERIFY(!r5->deleted);
    const MlflowRun *r7 = findRun(*store, u"r7"_s);
    QCOMPARE(r7->lifecycleStage, u"active"_s);
    QVERIFY(r7->name.isEmpty());

    // One warning for the unknown status (naming it), one per table with rows of no run.
    QCOMPARE(store->warnings.size(), 3);
    for (const Error &w : store->warnings)
        QCOMPARE(w.file, path);
    QVERIFY(store->warnings[0].message.contains(u"\"PAUSED\""_s));
    QVERIFY(store->warnings[0].message.startsWith(u"2 runs"_s));
    QVERIFY(store->warnings[1].message.contains(u"params"_s));
    QVERIFY(store->warnings[2].message.contains(u"metrics"_s));
}

void TestMlflowSqlStore::registry()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"mlflow.db"_s);
    createDb(path, kModernSchema, uR"(
INSERT INTO alembic_version VALUES ('3500859a5d39');
INSERT INTO experiments VALUES (0, 'Default', '/tmp/a/0', 'active', 100, 200);
INSERT INTO runs VALUES ('r1', 'first', 'UNKNOWN', '', NULL, 'ann', 'FINISHED', 1000, 2000,
  NULL, 'active', '', 0, NULL);
INSERT INTO registered_models VALUES ('zeta', 10, 20, NULL);
INSERT INTO registered_models VALUES ('clf', 1000, 4000, 'the classifier');
INSERT INTO registered_model_tags VALUES ('owner', 'ann', 'clf');
INSERT INTO model_versions VALUES ('clf', 10, 3000, 3100, NULL, 'ann', 'Deleted_Internal',
  's3://b/10', 'r1', 'READY', NULL, NULL, NULL, NULL);
INSERT INTO model_versions VALUES ('clf', 2, 2000, 2100, 'better', 'ann', 'Production',
  's3://b/2', 'r1', 'READY', NULL, NULL, 's3://b/store/2', 'm-abc');
INSERT INTO model_versions VALUES ('clf', 1, 1000, 1100, NULL, 'ann', 'Archived', 's3://b/1',
  'r1', 'FAILED_REGISTRATION', 'no space', NULL, NULL, NULL);
INSERT INTO model_versions VALUES ('zeta', 1, 10, 10, NULL, NULL, NULL, 's3://z/1', NULL,
  'PENDING_REGISTRATION', NULL, NULL, NULL, NULL);
INSERT INTO model_version_tags VALUES ('validated', 'yes', 'clf', 2);
INSERT INTO registered_model_aliases VALUES ('champion', 2, 'clf');
INSERT INTO registered_model_aliases VALUES ('best', 2, 'clf');
INSERT INTO registered_model_aliases VALUES ('old', 1, 'clf');
)"_s);
    const auto store = readMlflowSqlStore(path);
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QVERIFY2(store->warnings.isEmpty(), qPrintable(store->warnings.value(0).toString()));

    QCOMPARE(store->registeredModels.size(), 2);
    const MlflowRegisteredModel &clf = store->registeredModels[0];
    QCOMPARE(clf.name, u"clf"_s);
    QCOMPARE(clf.creationTime, 1000);
    QCOMPARE(clf.lastUpdatedTime, 4000);
    QCOMPARE(clf.description, u"the classifier"_s);
    QCOMPARE(clf.tags.value(u"owner"_s), u"ann"_s);
    QCOMPARE(clf.aliases, (QMap<QString, QString>{
                              {u"best"_s, u"2"_s}, {u"champion"_s, u"2"_s}, {u"old"_s, u"1"_s}}));
    QVERIFY(clf.dir.isEmpty());

    // By version number, not as text.
    QCOMPARE(clf.versions.size(), 3);
    QCOMPARE(clf.versions[0].version, u"1"_s);
    QCOMPARE(clf.versions[1].version, u"2"_s);
    QCOMPARE(clf.versions[2].version, u"10"_s);

    const MlflowModelVersion &v1 = clf.versions[0];
    QCOMPARE(v1.currentStage, u"Archived"_s);
    QCOMPARE(v1.status, u"FAILED_REGISTRATION"_s);
    QCOMPARE(v1.statusMessage, u"no space"_s);
    QCOMPARE(v1.aliases, QStringList{u"old"_s});
    QVERIFY(!v1.deleted);
    const MlflowModelVersion &v2 = clf.versions[1];
    QCOMPARE(v2.currentStage, u"Production"_s);
    QCOMPARE(v2.description, u"better"_s);
    QCOMPARE(v2.source, u"s3://b/2"_s);
    QCOMPARE(v2.runId, u"r1"_s);
    QCOMPARE(v2.storageLocation, u"s3://b/store/2"_s);
    QCOMPARE(v2.modelId, u"m-abc"_s);
    QCOMPARE(v2.creationTime, 2000);
    QCOMPARE(v2.lastUpdatedTime, 2100);
    QCOMPARE(v2.userId, u"ann"_s);
    QCOMPARE(v2.tags.value(u"validated"_s), u"yes"_s);
    QCOMPARE(v2.aliases, (QStringList{u"best"_s, u"champion"_s}));
    const MlflowModelVersion &v10 = clf.versions[2];
    QCOMPARE(v10.currentStage, u"Deleted_Internal"_s);
    QVERIFY(v10.deleted);
    QVERIFY(v10.aliases.isEmpty());

    const MlflowRegisteredModel &zeta = store->registeredModels[1];
    QCOMPARE(zeta.name, u"zeta"_s);
    QCOMPARE(zeta.versions.size(), 1);
    QCOMPARE(zeta.versions[0].currentStage, u"None"_s); // NULL stage
    QCOMPARE(zeta.versions[0].status, u"PENDING_REGISTRATION"_s);
    QVERIFY(zeta.aliases.isEmpty());
}

// The oldest shape MLflow's SQL store had: no step or is_nan in metrics, no params table, no
// lifecycle_stage, runs named by run_id, no registry, logged models or latest_metrics.
void TestMlflowSqlStore::oldestColumns()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"old.db"_s);
    createDb(path, R"(
CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);
CREATE TABLE experiments (experiment_id INTEGER PRIMARY KEY, name VARCHAR(256),
  artifact_location VARCHAR(256));
CREATE TABLE runs (run_id VARCHAR(32) PRIMARY KEY, name VARCHAR(250), user_id VARCHAR(256),
  status VARCHAR(20), start_time BIGINT, end_time BIGINT, artifact_uri VARCHAR(200),
  experiment_id INTEGER);
CREATE TABLE metrics (key VARCHAR(250), value FLOAT, timestamp BIGINT, run_id VARCHAR(32));
CREATE TABLE tags (key VARCHAR(250), value VARCHAR(250), run_id VARCHAR(32));
)",
             uR"(
INSERT INTO alembic_version VALUES ('ff01da956556');
INSERT INTO experiments VALUES (0, 'Default', './mlruns/0');
INSERT INTO runs VALUES ('a1', NULL, NULL, 'FINISHED', 10, 20, './mlruns/0/a1', 0);
INSERT INTO metrics VALUES ('loss', 0.5, 11, 'a1');
INSERT INTO metrics VALUES ('loss', 0.25, 13, 'a1');
INSERT INTO metrics VALUES ('loss', 0.75, 12, 'a1');
INSERT INTO metrics VALUES ('gap', NULL, 12, 'a1');
INSERT INTO tags VALUES ('mlflow.runName', 'legacy', 'a1');
INSERT INTO tags VALUES ('mlflow.user', 'old-timer', 'a1');
)"_s);
    const auto store = readMlflowSqlStore(path);
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QVERIFY2(store->warnings.isEmpty(), qPrintable(store->warnings.value(0).toString()));
    QCOMPARE(store->experiments.size(), 1);
    QCOMPARE(store->experiments[0].lifecycleStage, u"active"_s);
    QVERIFY(store->experiments[0].tags.isEmpty());
    QCOMPARE(store->runs.size(), 1);
    const MlflowRun &run = store->runs[0];
    QCOMPARE(run.id, u"a1"_s);
    QCOMPARE(run.name, u"legacy"_s);
    QCOMPARE(run.userId, u"old-timer"_s);
    QCOMPARE(run.lifecycleStage, u"active"_s);
    QVERIFY(!run.deletedTime);
    QVERIFY(run.params.isEmpty());
    QCOMPARE(run.metrics.size(), 2);
    const MlflowMetric &loss = run.metrics[1];
    QCOMPARE(loss.key, u"loss"_s);
    QCOMPARE(loss.points.size(), 3);
    QCOMPARE(loss.points[1].timestamp, 12); // by timestamp when there are no steps
    QCOMPARE(loss.latest.value, 0.25);
    QCOMPARE(loss.latest.step, 0);
    QVERIFY(std::isnan(run.metrics[0].latest.value)); // SQLite stores NaN as NULL
    QVERIFY(store->registeredModels.isEmpty());
    QVERIFY(store->loggedModels.isEmpty());
}

// Nothing is written beside the database: no -journal, -wal or -shm, the bytes unchanged; also
// for a database in WAL mode whose -wal file is gone.
void TestMlflowSqlStore::readOnly()
{
    for (const bool wal : {false, true}) {
        QTemporaryDir dir;
        const QString path = dir.filePath(u"mlflow.db"_s);
        createDb(path, kModernSchema, uR"(
INSERT INTO alembic_version VALUES ('1bd49d398cd23');
INSERT INTO experiments VALUES (0, 'Default', '/tmp/a/0', 'active', 100, 200);
INSERT INTO runs VALUES ('r1', 'first', 'UNKNOWN', '', NULL, 'ann', 'FINISHED', 1000, 2000,
  NULL, 'active', '', 0, NULL);
INSERT INTO metrics VALUES ('acc', 0.9, 99, 'r1', 0, 0);
)"_s,
                 wal);
        const QStringList before = siblings(path);
        QCOMPARE(before, QStringList{u"mlflow.db"_s});
        const QByteArray bytes = test::readFile(path);
        QCOMPARE(bytes.at(18) == 2, wal); // the header's WAL marker

        QFile::setPermissions(path, QFile::ReadOwner);
        const auto store = readMlflowSqlStore(path);
        QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
        QCOMPARE(store->runs.size(), 1);
        QCOMPARE(store->runs[0].metrics[0].latest.value, 0.9);
        QCOMPARE(siblings(path), before);
        QCOMPARE(test::readFile(path), bytes);
        QFile::setPermissions(path, QFile::ReadOwner | QFile::WriteOwner);
    }
}

void TestMlflowSqlStore::errors_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("message");

    QTest::newRow("missing") << u"absent.db"_s << QByteArray() << u"does not exist"_s;
    QTest::newRow("text") << u"notes.db"_s << QByteArray("key,value\nlr,0.1\n")
                          << u"is not an MLflow database: it is not an SQLite file"_s;
    QTest::newRow("empty") << u"empty.db"_s << QByteArray("")
                           << u"is not an MLflow database: it is not an SQLite file"_s;
    QTest::newRow("no runs") << u"other.db"_s << QByteArray("sqlite")
                             << u"is not an MLflow database: no table runs"_s;
    QTest::newRow("no alembic_version") << u"almost.db"_s << QByteArray("almost")
                                        << u"is not an MLflow database: no table alembic_version"_s;
    QTest::newRow("damaged") << u"damaged.db"_s << QByteArray("damaged")
                             << u"cannot be read as an SQLite database"_s;
}

// Each error names the file and says what was expected.
void TestMlflowSqlStore::errors()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, content);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const QString path = dir.filePath(name);
    if (content == "sqlite") {
        createDb(path, "CREATE TABLE alembic_version (version_num TEXT); CREATE TABLE notes (x);",
                 {});
    } else if (content == "almost") {
        createDb(path, "CREATE TABLE experiments (experiment_id); CREATE TABLE runs (run_uuid);",
                 {});
    } else if (content == "damaged") {
        // A valid header, then garbage where the schema should be.
        createDb(path, "CREATE TABLE runs (run_uuid);", {});
        QByteArray bytes = test::readFile(path);
        for (qsizetype i = 100; i < bytes.size(); ++i)
            bytes[i] = char(0xA5);
        test::writeFile(path, bytes);
    } else if (!content.isNull()) {
        test::writeFile(path, content);
    }
    const auto store = readMlflowSqlStore(path);
    QVERIFY(!store);
    QCOMPARE(store.error().file, path);
    QVERIFY2(store.error().message.contains(message), qPrintable(store.error().message));
    QVERIFY2(store.error().message.contains(path), qPrintable(store.error().message));
    if (content != "damaged")
        QVERIFY(!store.error().hint.isEmpty());
    QCOMPARE(siblings(path).contains(name), !content.isNull());
}

void TestMlflowSqlStore::progressAndCancel()
{
    const QString path =
        test::fixture(u"mlflow/tests/resources/db/db_version_7ac759974ad8_with_metrics.sql"_s);
    // 1 experiment, 26 runs, 103 tags, 404 metric rows.
    qint64 lastDone = -1;
    qint64 lastTotal = -1;
    int calls = 0;
    auto store = readMlflowSqlStore(path, [&](qint64 done, qint64 total) {
        [&] {
            QVERIFY(done >= lastDone);
            QVERIFY(done <= total);
        }();
        lastDone = done;
        lastTotal = total;
        ++calls;
        return true;
    });
    QVERIFY(store);
    QCOMPARE(lastTotal, 534);
    QCOMPARE(lastDone, 534);
    QVERIFY(calls >= 2);

    store = readMlflowSqlStore(path, [&](qint64, qint64) { return false; });
    QVERIFY(!store);
    QCOMPARE(store.error().message, u"cancelled"_s);
    QCOMPARE(store.error().file, path);
}

// More rows than one progress interval: the metrics table is read on a thread of its own, its
// rows count towards the progress, and a cancel reaches it.
void TestMlflowSqlStore::manyRowsAndCancelMidway()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"mlflow.db"_s);
    createDb(path, kModernSchema, uR"(
INSERT INTO alembic_version VALUES ('1bd49d398cd23');
INSERT INTO experiments VALUES (0, 'Default', '/tmp/a/0', 'active', 100, 200);
INSERT INTO runs VALUES ('r1', 'first', 'UNKNOWN', '', NULL, 'ann', 'FINISHED', 1000, 2000,
  NULL, 'active', '', 0, NULL);
INSERT INTO runs VALUES ('r2', 'second', 'UNKNOWN', '', NULL, 'ann', 'FINISHED', 3000, 4000,
  NULL, 'active', '', 0, NULL);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 40000)
  INSERT INTO metrics SELECT 'loss', 1.0 / i, 1000 + i, CASE i % 3 WHEN 0 THEN 'r2' ELSE 'r1' END,
  40000 - i, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 15000)
  INSERT INTO params SELECT 'p' || i, i, 'r1' FROM n;
)"_s);
    // 1 experiment, 2 runs, 15,000 params, 40,000 metric rows (read in two halves).
    const qint64 rows = 1 + 2 + 15000 + 40000;
    qint64 lastDone = -1;
    qint64 lastTotal = -1;
    int calls = 0;
    auto store = readMlflowSqlStore(path, [&](qint64 done, qint64 total) {
        [&] {
            QVERIFY(done >= lastDone);
            QVERIFY(done <= total);
        }();
        lastDone = done;
        lastTotal = total;
        ++calls;
        return true;
    });
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QVERIFY2(store->warnings.isEmpty(), qPrintable(store->warnings.value(0).toString()));
    QCOMPARE(lastTotal, rows);
    QCOMPARE(lastDone, rows);
    QVERIFY(calls >= 3); // the start, at least one on the way, the end
    QCOMPARE(store->runs[1].id, u"r1"_s);
    QCOMPARE(store->runs[1].params.size(), 15000);
    const MlflowMetric &loss = store->runs[1].metrics.value(0);
    QCOMPARE(loss.points.size(), 26667);
    // Logged with falling steps; read by rising step, the latest the highest step (i = 1).
    QCOMPARE(loss.points.first().step, 0); // i = 40000
    QCOMPARE(loss.points.last().step, 39999);
    QVERIFY(std::is_sorted(
        loss.points.cbegin(), loss.points.cend(),
        [](const MlflowMetricPoint &a, const MlflowMetricPoint &b) { return a.step < b.step; }));
    QCOMPARE(loss.latest.step, 39999);
    QCOMPARE(loss.latest.value, 1.0);
    QCOMPARE(store->runs[0].metrics.value(0).points.size(), 13333);

    qint64 cancelledAt = -1;
    store = readMlflowSqlStore(path, [&](qint64 done, qint64) {
        if (done < 8192)
            return true;
        cancelledAt = done;
        return false;
    });
    QVERIFY(!store);
    QCOMPARE(store.error().message, u"cancelled"_s);
    QVERIFY(cancelledAt >= 8192 && cancelledAt < rows);
}

// A database MLflow has open in WAL mode (its -wal file present) is read as committed, and
// nothing new appears beside it.
void TestMlflowSqlStore::liveWalDatabase()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"mlflow.db"_s);
    auto writer = Database::open(path, Database::Mode::ReadWrite, {{1, kModernSchema}});
    QVERIFY(writer);
    QVERIFY((*writer)->execScript(uR"(
INSERT INTO alembic_version VALUES ('1bd49d398cd23');
INSERT INTO experiments VALUES (0, 'Default', '/tmp/a/0', 'active', 100, 200);
INSERT INTO runs VALUES ('r1', 'first', 'UNKNOWN', '', NULL, 'ann', 'RUNNING', 1000, NULL,
  NULL, 'active', '', 0, NULL);
INSERT INTO metrics VALUES ('acc', 0.5, 99, 'r1', 0, 0);
)"_s));
    const QStringList files = siblings(path);
    QVERIFY(files.contains(u"mlflow.db-wal"_s));

    auto store = readMlflowSqlStore(path);
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QCOMPARE(store->runs.size(), 1);
    QCOMPARE(store->runs[0].metrics.value(0).latest.value, 0.5);

    QVERIFY((*writer)->execScript(
        u"INSERT INTO metrics VALUES ('acc', 0.75, 100, 'r1', 1, 0); "
        u"UPDATE runs SET status = 'FINISHED', end_time = 2000 WHERE run_uuid = 'r1';"_s));
    store = readMlflowSqlStore(path);
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QCOMPARE(store->runs[0].status, int(MlflowRunStatus::Finished));
    QCOMPARE(store->runs[0].metrics.value(0).latest.value, 0.75);
    QCOMPARE(siblings(path), files);
}

// The file is opened through a `file:` URI: characters that mean something in a URI (and a
// relative path) still name the file.
void TestMlflowSqlStore::awkwardPath()
{
    QTemporaryDir dir;
    const QString folder = dir.filePath(u"runs 100% done?#é"_s);
    QVERIFY(QDir().mkpath(folder));
    const QString path = folder + u"/mlflow.db"_s;
    QVERIFY(QFile::copy(
        test::fixture(u"mlflow/external/2024aa05593-trips__mlops-heart-disease/mlflow.db"_s),
        path));
    auto store = readMlflowSqlStore(path);
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QCOMPARE(store->runs.size(), 3);
    QCOMPARE(store->root, path);
    QCOMPARE(siblings(path), QStringList{u"mlflow.db"_s});

    const QString cwd = QDir::currentPath();
    QVERIFY(QDir::setCurrent(folder));
    store = readMlflowSqlStore(u"mlflow.db"_s);
    QDir::setCurrent(cwd);
    QVERIFY2(store, qPrintable(store ? QString() : store.error().toString()));
    QCOMPARE(store->runs.size(), 3);
}

QTEST_GUILESS_MAIN(TestMlflowSqlStore)
#include "tst_mlflowsqlstore.moc"
