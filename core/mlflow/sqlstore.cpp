#include "sqlstore.h"

#include "sqlstore_p.h"

#include <QFile>
#include <QFileInfo>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace cairn::mlflow::sql;

namespace cairn::mlflow::sql {

bool Reader::report()
{
    if (m_cancel)
        return false;
    if (m_progress && !m_progress(m_done, m_total)) {
        m_cancel = true;
        return false;
    }
    return true;
}

Error Reader::cancelled() const
{
    return Error(u"cancelled"_s, m_path);
}

QString Reader::col(const QString &table, const QString &column, const QString &fallback) const
{
    if (has(table, column))
        return column;
    return fallback.isEmpty() ? u"NULL"_s : fallback;
}

QString Reader::runColumn(const QString &table) const
{
    return has(table, u"run_uuid"_s) ? u"run_uuid"_s : u"run_id"_s;
}

Error Reader::notMlflow(const QString &what) const
{
    return Error(u"%1 is not an MLflow database: %2"_s.arg(m_path, what), m_path, 0, 0,
                 u"MLflow's SQL store (`--backend-store-uri sqlite:///mlflow.db`) has the tables "
                 u"alembic_version, experiments and runs; an `mlruns` folder is its file store"_s);
}

void Reader::orphans(qint64 count, const QString &table, const QString &owner)
{
    if (count == 0)
        return;
    m_store.warnings.append(
        Error(u"%1 rows of table %2 name no %3 in the database, skipped"_s.arg(
                  QString::number(count), table, owner),
              m_path, 0, 0,
              u"MLflow deletes such rows with their %1. If MLflow was writing meanwhile, read "
              u"again; otherwise the database may be damaged"_s.arg(owner)));
}

Result<void> Reader::readSchema()
{
    // The first read of the file: a damaged or non-SQLite file fails here.
    QStringList tables;
    auto r = forEachRow(u"SELECT lower(name) FROM sqlite_master WHERE type = 'table'"_s,
                        [&](const Statement &s) { tables.append(s.text(0)); });
    if (!r) {
        Error e = r.error();
        e.message = u"%1 cannot be read as an SQLite database: %2"_s.arg(m_path, e.message);
        return fail(e);
    }
    auto columns = m_db.prepare(u"SELECT lower(name) FROM pragma_table_info(?1)"_s);
    if (!columns)
        return fail(columns.error());
    for (const QString &table : std::as_const(tables)) {
        QSet<QString> &set = m_schema[table];
        columns->reset();
        columns->bind(1, table);
        for (;;) {
            const auto row = columns->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            set.insert(columns->text(0));
        }
    }
    for (const QString &table : {u"runs"_s, u"experiments"_s, u"alembic_version"_s}) {
        if (!has(table))
            return fail(notMlflow(u"no table %1"_s.arg(table)));
    }
    if (!has(u"runs"_s, u"run_uuid"_s) && !has(u"runs"_s, u"run_id"_s))
        return fail(notMlflow(u"table runs has no run_uuid column"_s));
    if (!has(u"experiments"_s, u"experiment_id"_s))
        return fail(notMlflow(u"table experiments has no experiment_id column"_s));

    QString version;
    if (has(u"alembic_version"_s, u"version_num"_s)) {
        r = forEachRow(u"SELECT version_num FROM alembic_version"_s,
                       [&](const Statement &s) { version = s.text(0); });
        if (!r)
            return r;
    }
    if (version.isEmpty()) {
        m_store.warnings.append(
            Error(u"alembic_version names no schema revision; read by the tables and columns "
                  u"present"_s,
                  m_path));
    }
    m_done = 0;
    return ok();
}

Result<void> Reader::countRows()
{
    QStringList counts;
    for (const QString &table :
         {u"experiments"_s, u"experiment_tags"_s, u"runs"_s, u"params"_s, u"tags"_s, u"metrics"_s,
          u"registered_models"_s, u"registered_model_tags"_s, u"model_versions"_s,
          u"model_version_tags"_s, u"registered_model_aliases"_s, u"logged_models"_s,
          u"logged_model_params"_s, u"logged_model_tags"_s, u"logged_model_metrics"_s}) {
        if (has(table))
            counts.append(u"(SELECT count(*) FROM %1)"_s.arg(table));
    }
    return forEachRow(u"SELECT %1"_s.arg(counts.join(u" + "_s)),
                      [&](const Statement &s) { m_total = s.int64(0); });
}

Result<void> Reader::readExperiments()
{
    const QString t = u"experiments"_s;
    const QString sql = u"SELECT experiment_id, %1, %2, %3, %4, %5 FROM experiments"_s.arg(
        col(t, u"name"_s), col(t, u"artifact_location"_s), col(t, u"lifecycle_stage"_s),
        col(t, u"creation_time"_s), col(t, u"last_update_time"_s));
    auto r = forEachRow(sql, [&](const Statement &s) {
        MlflowExperiment exp;
        exp.id = s.text(0);
        exp.name = s.text(1);
        if (exp.name.isEmpty())
            exp.name = exp.id;
        exp.artifactLocation = s.text(2);
        exp.lifecycleStage = s.text(3);
        if (exp.lifecycleStage.isEmpty())
            exp.lifecycleStage = u"active"_s;
        exp.deleted = exp.lifecycleStage == u"deleted"_s;
        exp.creationTime = s.int64(4);
        exp.lastUpdateTime = s.int64(5);
        m_store.experiments.append(std::move(exp));
    });
    if (!r)
        return r;
    std::stable_sort(m_store.experiments.begin(), m_store.experiments.end(),
                     [](const MlflowExperiment &a, const MlflowExperiment &b) {
                         if (a.deleted != b.deleted)
                             return !a.deleted;
                         return mlflowIdLess(a.id, b.id);
                     });
    for (qsizetype i = 0; i < m_store.experiments.size(); ++i)
        m_experimentIndex.insert(m_store.experiments[i].id, i);

    if (!has(u"experiment_tags"_s))
        return ok();
    qint64 orphaned = 0;
    r = forEachRow(u"SELECT experiment_id, key, value FROM experiment_tags"_s,
                   [&](const Statement &s) {
                       const qsizetype i = m_experimentIndex.value(s.text(0), -1);
                       if (i < 0)
                           ++orphaned;
                       else
                           m_store.experiments[i].tags.insert(s.text(1), s.text(2));
                   });
    orphans(orphaned, u"experiment_tags"_s, u"experiment"_s);
    return r;
}

namespace {

int runStatus(const QString &text, bool &known)
{
    known = true;
    if (text.isEmpty())
        return int(MlflowRunStatus::Running);
    for (int i = 1; i <= 5; ++i) {
        if (text.compare(mlflowRunStatusName(i), Qt::CaseInsensitive) == 0)
            return i;
    }
    bool isNumber = false;
    const int n = text.toInt(&isNumber);
    if (isNumber && n >= 1 && n <= 5)
        return n;
    known = false;
    return int(MlflowRunStatus::Running);
}

} // namespace

Result<void> Reader::readRuns()
{
    const QString t = u"runs"_s;
    const QString sql = u"SELECT %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12 FROM runs"_s.arg(
        runColumn(t), col(t, u"name"_s), col(t, u"user_id"_s), col(t, u"status"_s),
        col(t, u"start_time"_s), col(t, u"end_time"_s), col(t, u"deleted_time"_s),
        col(t, u"lifecycle_stage"_s), col(t, u"artifact_uri"_s), col(t, u"experiment_id"_s),
        col(t, u"source_name"_s), col(t, u"source_type"_s));
    struct Unknown
    {
        QString firstRun;
        int count = 0;
    };
    QMap<QString, Unknown> unknownStatuses;
    auto r = forEachRow(sql, [&](const Statement &s) {
        MlflowRun run;
        run.id = s.text(0);
        run.name = s.text(1);
        run.userId = s.text(2);
        bool known = true;
        const QString status = s.text(3);
        run.status = runStatus(status, known);
        if (!known) {
            Unknown &u = unknownStatuses[status];
            if (u.count++ == 0)
                u.firstRun = run.id;
        }
        run.startTime = s.int64(4);
        run.endTime = s.optionalInt64(5);
        run.deletedTime = s.optionalInt64(6);
        run.lifecycleStage = s.text(7);
        if (run.lifecycleStage.isEmpty())
            run.lifecycleStage = u"active"_s;
        run.artifactUri = s.text(8);
        run.experimentId = s.text(9);
        // The pre-tag columns, used when the tags are missing (see below).
        run.sourceName = s.text(10);
        run.sourceType = s.text(11);
        const qsizetype e = m_experimentIndex.value(run.experimentId, -1);
        run.deleted =
            run.lifecycleStage == u"deleted"_s || (e >= 0 && m_store.experiments[e].deleted);
        m_runIndex.insert(run.id, m_store.runs.size());
        m_store.runs.append(std::move(run));
    });
    if (!r)
        return r;
    for (auto it = unknownStatuses.cbegin(); it != unknownStatuses.cend(); ++it) {
        m_store.warnings.append(
            Error(u"%1 runs (the first %2) have the status \"%3\", which MLflow does not know; "
                  u"read as RUNNING"_s.arg(QString::number(it->count), it->firstRun, it.key()),
                  m_path, 0, 0,
                  u"MLflow's statuses are RUNNING, SCHEDULED, FINISHED, FAILED and KILLED"_s));
    }
    return ok();
}

Result<void> Reader::readParamsAndTags()
{
    for (const QString &table : {u"params"_s, u"tags"_s}) {
        if (!has(table))
            continue;
        const bool params = table == u"params"_s;
        qint64 orphaned = 0;
        auto r = forEachRow(
            u"SELECT %1, key, value FROM %2"_s.arg(runColumn(table), table),
            [&](const Statement &s) {
                const qsizetype i = m_runIndex.find(s.utf8(0));
                if (i < 0) {
                    ++orphaned;
                    return;
                }
                MlflowRun &run = m_store.runs[i];
                (params ? run.params : run.tags).insert(m_keys.get(s.utf8(1)), s.text(2));
            });
        if (!r)
            return r;
        orphans(orphaned, table, u"run"_s);
    }
    return ok();
}

void Reader::finishRuns()
{
    for (MlflowRun &run : m_store.runs) {
        if (run.name.isEmpty())
            run.name = run.tags.value(u"mlflow.runName"_s);
        if (run.userId.isEmpty())
            run.userId = run.tags.value(u"mlflow.user"_s);
        run.sourceName = run.tags.value(u"mlflow.source.name"_s, run.sourceName);
        run.sourceType = run.tags.value(u"mlflow.source.type"_s, run.sourceType);
        run.gitCommit = run.tags.value(u"mlflow.source.git.commit"_s);
        run.parentRunId = run.tags.value(u"mlflow.parentRunId"_s);
    }

    // By experiment, newest first within one (as MLflow lists them). Indices are sorted, then
    // the runs moved once.
    struct Key
    {
        qsizetype experiment;
        qint64 startTime;
        qsizetype run;
    };
    QList<Key> keys;
    keys.reserve(m_store.runs.size());
    for (qsizetype i = 0; i < m_store.runs.size(); ++i) {
        const MlflowRun &run = m_store.runs[i];
        keys.append({m_experimentIndex.value(run.experimentId, -1), run.startTime, i});
    }
    const QList<MlflowRun> &runs = m_store.runs;
    std::sort(keys.begin(), keys.end(), [&](const Key &a, const Key &b) {
        if (a.experiment != b.experiment)
            return a.experiment < b.experiment;
        if (a.startTime != b.startTime)
            return a.startTime > b.startTime;
        return runs[a.run].id < runs[b.run].id;
    });
    QList<MlflowRun> sorted;
    sorted.reserve(m_store.runs.size());
    for (const Key &key : std::as_const(keys))
        sorted.append(std::move(m_store.runs[key.run]));
    m_store.runs = std::move(sorted);
}

Result<MlflowStore> Reader::read()
{
    m_store.root = m_path;
    // One read transaction: while it holds its shared lock no writer can commit, so every table
    // is read as of one moment, by the metrics connection too (in WAL mode a writer may commit
    // between the two connections' first reads).
    Transaction snapshot(m_db);
    if (auto r = snapshot.begin(false); !r)
        return fail(r.error());
    if (auto r = readSchema(); !r)
        return fail(r.error());
    if (auto r = countRows(); !r)
        return fail(r.error());
    m_done = 0;
    if (!report())
        return fail(cancelled());
    for (auto step : {&Reader::readExperiments, &Reader::readRuns}) {
        if (auto r = (this->*step)(); !r)
            return fail(r.error());
    }
    // Joined (after a stop request) when they go out of scope on an early return.
    MetricsWorkers metricsWorkers;
    startMetrics(metricsWorkers);
    for (auto step :
         {&Reader::readParamsAndTags, &Reader::readRegistry, &Reader::readLoggedModels}) {
        if (auto r = (this->*step)(); !r)
            return fail(r.error());
    }
    if (auto r = finishMetrics(metricsWorkers); !r)
        return fail(r.error());
    finishRuns();
    if (m_cancel || (m_progress && !m_progress(m_total, m_total)))
        return fail(cancelled());
    return std::move(m_store);
}

} // namespace cairn::mlflow::sql

namespace cairn {

Result<MlflowStore> readMlflowSqlStore(const QString &dbPath, const Progress &progress)
{
    const QFileInfo info(dbPath);
    if (!info.exists()) {
        return fail(Error(u"no MLflow database at %1: the file does not exist"_s.arg(dbPath),
                          dbPath, 0, 0,
                          u"Give the SQLite file of `--backend-store-uri sqlite:///…`, often "
                          u"mlflow.db"_s));
    }
    if (info.isDir()) {
        return fail(Error(u"%1 is a folder, not an MLflow database"_s.arg(dbPath), dbPath, 0, 0,
                          u"An `mlruns` folder is MLflow's file store; open it as one"_s));
    }
    // The header says whether this is SQLite at all, and whether it is in WAL mode.
    QFile file(dbPath);
    if (!file.open(QIODevice::ReadOnly)) {
        return fail(Error(u"cannot read %1: %2"_s.arg(dbPath, file.errorString()), dbPath, 0, 0,
                          u"Check that you may read the file"_s));
    }
    const QByteArray header = file.read(100);
    file.close();
    if (header.size() < 100 || !header.startsWith(QByteArrayView("SQLite format 3\0", 16))) {
        return fail(Error(u"%1 is not an MLflow database: it is not an SQLite file"_s.arg(dbPath),
                          dbPath, 0, 0,
                          u"Give the SQLite file of `--backend-store-uri sqlite:///…`, often "
                          u"mlflow.db"_s));
    }
    // A WAL database without its -wal file has no writer (the last connection to close removes
    // it): read it as immutable, so that SQLite creates no -wal and -shm beside it.
    const bool wal = header[18] == 2 && header[19] == 2;
    const bool immutable = wal && !QFileInfo::exists(dbPath + u"-wal"_s);

    auto db = Database::openExternal(dbPath, immutable);
    if (!db)
        return fail(db.error());
    Reader reader(**db, dbPath, immutable, progress);
    return reader.read();
}

} // namespace cairn
