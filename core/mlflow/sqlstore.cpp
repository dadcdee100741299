#include "sqlstore.h"

#include "store/database.h"

#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QSet>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

// How MLflow stores ±inf (sqlalchemy_store.py, sanitize_metric_value).
constexpr double kStoredInfinity = 1.7976931348623157e308;
constexpr qint64 kProgressEvery = 8192;      // rows between progress calls
constexpr qint64 kSplitMetricsAbove = 16384; // rowids: read the metrics table in two halves

double metricValue(const Statement &s, int valueColumn, int isNanColumn)
{
    if ((isNanColumn >= 0 && s.int64(isNanColumn) != 0) || s.isNull(valueColumn))
        return std::numeric_limits<double>::quiet_NaN();
    const double v = s.real(valueColumn);
    if (v >= kStoredInfinity)
        return std::numeric_limits<double>::infinity();
    if (v <= -kStoredInfinity)
        return -std::numeric_limits<double>::infinity();
    return v;
}

// MLflow's SQL store compares the stored value, which is 0 for NaN.
double rank(double value)
{
    return std::isnan(value) ? 0.0 : value;
}

bool isLater(const MlflowMetricPoint &a, const MlflowMetricPoint &b)
{
    if (a.step != b.step)
        return a.step > b.step;
    if (a.timestamp != b.timestamp)
        return a.timestamp > b.timestamp;
    return rank(a.value) > rank(b.value);
}

// The metrics of one run or logged model while rows arrive in table order: found by their UTF-8
// key without building a QString per row.
struct MetricSet
{
    QList<MlflowMetric> metrics;
    QList<QByteArray> keys;       // UTF-8 of metrics[i].key
    QHash<QByteArray, int> index; // once there are many keys
    int lastHit = -1;

    // The metric `key`, made when new with room for `expectedPoints`.
    MlflowMetric &get(QByteArrayView key, qsizetype expectedPoints = 0)
    {
        if (lastHit >= 0 && keys[lastHit] == key)
            return metrics[lastHit];
        int i = -1;
        if (!index.isEmpty()) {
            i = index.value(key.toByteArray(), -1);
        } else {
            for (int j = 0; j < keys.size(); ++j) {
                if (keys[j] == key) {
                    i = j;
                    break;
                }
            }
        }
        if (i < 0) {
            i = int(metrics.size());
            keys.append(key.toByteArray());
            MlflowMetric metric;
            metric.key = QString::fromUtf8(key);
            metric.points.reserve(expectedPoints);
            metrics.append(std::move(metric));
            if (!index.isEmpty()) {
                index.insert(keys.last(), i);
            } else if (keys.size() > 16) {
                for (int j = 0; j < keys.size(); ++j)
                    index.insert(keys[j], j);
            }
        }
        lastHit = i;
        return metrics[i];
    }

    // Points in (step, timestamp) order, the latest by MLflow's rule, metrics by key.
    QList<MlflowMetric> finish()
    {
        const auto before = [](const MlflowMetricPoint &a, const MlflowMetricPoint &b) {
            if (a.step != b.step)
                return a.step < b.step;
            return a.timestamp < b.timestamp;
        };
        for (MlflowMetric &metric : metrics) {
            // Usually logged in order already; stable_sort would allocate a buffer regardless.
            if (!std::is_sorted(metric.points.cbegin(), metric.points.cend(), before))
                std::stable_sort(metric.points.begin(), metric.points.end(), before);
            for (qsizetype i = 0; i < metric.points.size(); ++i) {
                if (i == 0 || isLater(metric.points[i], metric.latest))
                    metric.latest = metric.points[i];
            }
        }
        std::sort(metrics.begin(), metrics.end(),
                  [](const MlflowMetric &a, const MlflowMetric &b) { return a.key < b.key; });
        return std::move(metrics);
    }
};

int contextIndex(MlflowMetric &metric, MlflowMetricContext context)
{
    const qsizetype i = metric.contexts.indexOf(context);
    if (i >= 0)
        return int(i);
    metric.contexts.append(std::move(context));
    return int(metric.contexts.size() - 1);
}

// Same order as the file store: numeric ids by value, before any other.
bool idLess(const QString &a, const QString &b)
{
    const auto numeric = [](const QString &s) {
        return !s.isEmpty() && std::all_of(s.begin(), s.end(), [](QChar c) { return c.isDigit(); });
    };
    const bool na = numeric(a);
    const bool nb = numeric(b);
    if (na != nb)
        return na;
    if (na && a.size() != b.size())
        return a.size() < b.size();
    return a < b;
}

// A row lookup by an id column, remembering the last hit (rows come grouped by run).
class IdIndex
{
public:
    void insert(const QString &id, qsizetype at) { m_index.insert(id.toUtf8(), at); }
    qsizetype find(QByteArrayView id)
    {
        if (m_last >= -1 && m_lastId == id)
            return m_last;
        m_lastId = id.toByteArray();
        m_last = m_index.value(m_lastId, -1);
        return m_last;
    }

private:
    QHash<QByteArray, qsizetype> m_index;
    QByteArray m_lastId;
    qsizetype m_last = -2; // nothing looked up yet
};

// The metrics table, by far the largest, read on connections and threads of their own (one per
// half of its rowids when it is large) while the caller's thread reads the rest.
struct MetricsScan
{
    QString path;
    bool immutable = false;
    QString sql;
    std::optional<std::pair<qint64, qint64>> rowids; // bound to ?1 and ?2 when set
    IdIndex runs;                                    // a copy: its lookups remember their last hit
    QList<MetricSet> sets;                           // one per run
    qint64 orphaned = 0;
    std::optional<Error> error;
};

void scanMetrics(MetricsScan &scan, std::atomic<qint64> &done, const std::atomic<bool> &cancel,
                 const std::stop_token &stop)
{
    auto db = Database::openExternal(scan.path, scan.immutable);
    if (!db) {
        scan.error = db.error();
        return;
    }
    auto s = (*db)->prepare(scan.sql);
    if (!s) {
        scan.error = s.error();
        return;
    }
    if (scan.rowids)
        s->bind(1, scan.rowids->first).bind(2, scan.rowids->second);
    qint64 rows = 0;
    qint64 metrics = 0; // made so far: their average length is room for the next one
    for (;;) {
        const auto row = s->step();
        if (!row) {
            scan.error = row.error();
            return;
        }
        if (!*row)
            break;
        const qsizetype i = scan.runs.find(s->utf8(0));
        if (i < 0) {
            ++scan.orphaned;
        } else {
            MlflowMetricPoint point;
            point.value = metricValue(*s, 2, 5);
            point.timestamp = s->int64(3);
            point.step = s->int64(4);
            MetricSet &set = scan.sets[i];
            const qsizetype known = set.metrics.size();
            set.get(s->utf8(1), metrics == 0 ? 0 : std::min<qint64>(rows / metrics, 32))
                .points.append(point);
            metrics += set.metrics.size() - known;
        }
        if (++rows % kProgressEvery == 0) {
            done += kProgressEvery;
            if (cancel || stop.stop_requested()) {
                scan.error = Error(u"cancelled"_s, scan.path);
                return;
            }
        }
    }
    done += rows % kProgressEvery;
}

class Reader
{
public:
    Reader(Database &db, const QString &path, bool immutable, const Progress &progress)
        : m_db(db)
        , m_path(path)
        , m_immutable(immutable)
        , m_progress(progress)
    {}

    Result<MlflowStore> read();

private:
    bool has(const QString &table) const { return m_schema.contains(table); }
    bool has(const QString &table, const QString &column) const
    {
        return m_schema.value(table).contains(column);
    }
    // `column` when `table` has it, else `fallback` (SQL text).
    QString col(const QString &table, const QString &column,
                const QString &fallback = u"NULL"_s) const
    {
        return has(table, column) ? column : fallback;
    }
    // The column naming the run: run_uuid, or run_id.
    QString runColumn(const QString &table) const
    {
        return has(table, u"run_uuid"_s) ? u"run_uuid"_s : u"run_id"_s;
    }

    Result<void> readSchema();
    Result<void> countRows();
    template<typename RowFn>
    Result<void> forEachRow(const QString &sql, RowFn &&fn);
    // Calls `progress` (on the caller's thread only); false when cancelled.
    bool report();
    Error notMlflow(const QString &what) const;
    void orphans(qint64 count, const QString &table, const QString &owner);

    Result<void> readExperiments();
    Result<void> readRuns();
    Result<void> readParamsAndTags();
    using MetricsWorkers = std::array<std::jthread, 2>;
    void startMetrics(MetricsWorkers &workers);
    Result<void> finishMetrics(MetricsWorkers &workers);
    void finishRuns();
    Result<void> readRegistry();
    Result<void> readLoggedModels();

    Database &m_db;
    QString m_path;
    bool m_immutable = false;
    const Progress &m_progress;
    QHash<QString, QSet<QString>> m_schema; // table → columns, lower case
    std::atomic<qint64> m_done = 0;         // rows read, by both threads
    qint64 m_total = 0;
    std::atomic<bool> m_cancel = false;
    MlflowStore m_store;
    QHash<QString, qsizetype> m_experimentIndex;
    IdIndex m_runIndex;
    std::array<MetricsScan, 2> m_scans;
    int m_scanCount = 0;
    std::mutex m_scansMutex;
    std::condition_variable m_scanFinished;
    int m_scansDone = 0; // under m_scansMutex
};

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
              u"MLflow deletes such rows with their %1; the database may be damaged"_s.arg(owner)));
}

template<typename RowFn>
Result<void> Reader::forEachRow(const QString &sql, RowFn &&fn)
{
    auto statement = m_db.prepare(sql);
    if (!statement)
        return fail(statement.error());
    qint64 rows = 0;
    for (;;) {
        const auto row = statement->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        fn(*statement);
        if (++rows % kProgressEvery == 0) {
            m_done += kProgressEvery;
            if (!report())
                return fail(Error(u"cancelled"_s, m_path));
        }
    }
    m_done += rows % kProgressEvery;
    return ok();
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
                         return idLess(a.id, b.id);
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
        auto r = forEachRow(u"SELECT %1, key, value FROM %2"_s.arg(runColumn(table), table),
                            [&](const Statement &s) {
                                const qsizetype i = m_runIndex.find(s.utf8(0));
                                if (i < 0) {
                                    ++orphaned;
                                    return;
                                }
                                MlflowRun &run = m_store.runs[i];
                                (params ? run.params : run.tags).insert(s.text(1), s.text(2));
                            });
        if (!r)
            return r;
        orphans(orphaned, table, u"run"_s);
    }
    return ok();
}

void Reader::startMetrics(MetricsWorkers &workers)
{
    if (!has(u"metrics"_s))
        return;
    const QString t = u"metrics"_s;
    // Table order (rowid), which is the order MLflow logged them; sorted per metric later.
    QString sql = u"SELECT %1, key, value, timestamp, %2, %3 FROM metrics"_s.arg(
        runColumn(t), col(t, u"step"_s, u"0"_s), col(t, u"is_nan"_s, u"0"_s));
    std::optional<std::pair<qint64, qint64>> halves[2];
    m_scanCount = 1;
    // Not counted as rows read. A table without rowids (not MLflow's) is read in one piece.
    if (auto range = m_db.prepare(u"SELECT min(rowid), max(rowid) FROM metrics"_s)) {
        const auto row = range->step();
        if (row && *row && !range->isNull(0)) {
            const qint64 lo = range->int64(0);
            const qint64 hi = range->int64(1);
            if (hi - lo > kSplitMetricsAbove) {
                const qint64 mid = lo + (hi - lo) / 2;
                halves[0] = std::pair(lo, mid);
                halves[1] = std::pair(mid + 1, hi);
                sql += u" WHERE rowid BETWEEN ?1 AND ?2"_s;
                m_scanCount = 2;
            }
        }
    }
    for (int i = 0; i < m_scanCount; ++i) {
        MetricsScan &scan = m_scans[i];
        scan.path = m_path;
        scan.immutable = m_immutable;
        scan.sql = sql;
        scan.rowids = halves[i];
        scan.runs = m_runIndex;
        scan.sets.resize(m_store.runs.size());
        workers[i] = std::jthread([this, &scan](std::stop_token stop) {
            scanMetrics(scan, m_done, m_cancel, stop);
            const std::lock_guard lock(m_scansMutex);
            ++m_scansDone;
            m_scanFinished.notify_all();
        });
    }
}

Result<void> Reader::finishMetrics(MetricsWorkers &workers)
{
    if (m_scanCount == 0)
        return ok();
    for (;;) {
        {
            std::unique_lock lock(m_scansMutex);
            if (m_scanFinished.wait_for(lock, std::chrono::milliseconds(50),
                                        [this] { return m_scansDone == m_scanCount; }))
                break;
        }
        report(); // a cancel reaches the scans through m_cancel
    }
    for (std::jthread &worker : workers) {
        if (worker.joinable())
            worker.join();
    }
    qint64 orphaned = 0;
    for (int i = 0; i < m_scanCount; ++i) {
        if (m_scans[i].error)
            return fail(*m_scans[i].error);
        orphaned += m_scans[i].orphaned;
    }
    orphans(orphaned, u"metrics"_s, u"run"_s);
    for (qsizetype i = 0; i < m_store.runs.size(); ++i) {
        MetricSet &first = m_scans[0].sets[i];
        if (m_scanCount == 2) {
            // The second half's rows come after the first's: appended, then sorted as one.
            MetricSet &second = m_scans[1].sets[i];
            for (qsizetype j = 0; j < second.metrics.size(); ++j)
                first.get(second.keys[j]).points.append(std::move(second.metrics[j].points));
        }
        m_store.runs[i].metrics = first.finish();
    }
    for (MetricsScan &scan : m_scans)
        scan.sets.clear();
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

Result<void> Reader::readRegistry()
{
    if (!has(u"registered_models"_s))
        return ok();
    QList<MlflowRegisteredModel> &models = m_store.registeredModels;
    QHash<QString, qsizetype> modelIndex;
    const QString rm = u"registered_models"_s;
    auto r = forEachRow(u"SELECT name, %1, %2, %3 FROM registered_models ORDER BY name"_s.arg(
                            col(rm, u"creation_time"_s), col(rm, u"last_updated_time"_s),
                            col(rm, u"description"_s)),
                        [&](const Statement &s) {
                            MlflowRegisteredModel model;
                            model.name = s.text(0);
                            model.creationTime = s.int64(1);
                            model.lastUpdatedTime = s.int64(2);
                            model.description = s.text(3);
                            modelIndex.insert(model.name, models.size());
                            models.append(std::move(model));
                        });
    if (!r)
        return r;

    qint64 orphaned = 0;
    if (has(u"registered_model_tags"_s)) {
        r = forEachRow(u"SELECT name, key, value FROM registered_model_tags"_s,
                       [&](const Statement &s) {
                           const qsizetype i = modelIndex.value(s.text(0), -1);
                           if (i < 0)
                               ++orphaned;
                           else
                               models[i].tags.insert(s.text(1), s.text(2));
                       });
        if (!r)
            return r;
        orphans(std::exchange(orphaned, 0), u"registered_model_tags"_s, u"registered model"_s);
    }

    // (model, version) → where the version is.
    QHash<QPair<QString, QString>, QPair<qsizetype, qsizetype>> versionIndex;
    if (has(u"model_versions"_s)) {
        const QString mv = u"model_versions"_s;
        const QString sql =
            u"SELECT name, version, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11 "
            u"FROM model_versions ORDER BY name, version"_s.arg(
                col(mv, u"creation_time"_s), col(mv, u"last_updated_time"_s),
                col(mv, u"description"_s), col(mv, u"user_id"_s), col(mv, u"current_stage"_s),
                col(mv, u"source"_s), col(mv, u"run_id"_s), col(mv, u"status"_s),
                col(mv, u"status_message"_s), col(mv, u"storage_location"_s),
                col(mv, u"model_id"_s));
        r = forEachRow(sql, [&](const Statement &s) {
            const qsizetype i = modelIndex.value(s.text(0), -1);
            if (i < 0) {
                ++orphaned;
                return;
            }
            MlflowModelVersion version;
            version.version = s.text(1);
            version.creationTime = s.int64(2);
            version.lastUpdatedTime = s.int64(3);
            version.description = s.text(4);
            version.userId = s.text(5);
            version.currentStage = s.text(6);
            if (version.currentStage.isEmpty())
                version.currentStage = u"None"_s;
            version.deleted = version.currentStage == u"Deleted_Internal"_s;
            version.source = s.text(7);
            version.runId = s.text(8);
            version.status = s.text(9);
            version.statusMessage = s.text(10);
            version.storageLocation = s.text(11);
            version.modelId = s.text(12);
            versionIndex.insert({models[i].name, version.version}, {i, models[i].versions.size()});
            models[i].versions.append(std::move(version));
        });
        if (!r)
            return r;
        orphans(std::exchange(orphaned, 0), u"model_versions"_s, u"registered model"_s);
    }

    if (has(u"model_version_tags"_s)) {
        r = forEachRow(
            u"SELECT name, version, key, value FROM model_version_tags"_s, [&](const Statement &s) {
                const auto at = versionIndex.value({s.text(0), s.text(1)}, {-1, -1});
                if (at.first < 0)
                    ++orphaned;
                else
                    models[at.first].versions[at.second].tags.insert(s.text(2), s.text(3));
            });
        if (!r)
            return r;
        orphans(std::exchange(orphaned, 0), u"model_version_tags"_s, u"model version"_s);
    }

    if (has(u"registered_model_aliases"_s)) {
        r = forEachRow(
            u"SELECT name, alias, version FROM registered_model_aliases ORDER BY name, alias"_s,
            [&](const Statement &s) {
                const qsizetype i = modelIndex.value(s.text(0), -1);
                if (i < 0) {
                    ++orphaned;
                    return;
                }
                const QString alias = s.text(1);
                const QString version = s.text(2);
                models[i].aliases.insert(alias, version);
                const auto at = versionIndex.value({models[i].name, version}, {-1, -1});
                if (at.first >= 0)
                    models[i].versions[at.second].aliases.append(alias);
            });
        if (!r)
            return r;
        orphans(orphaned, u"registered_model_aliases"_s, u"registered model"_s);
    }
    return ok();
}

Result<void> Reader::readLoggedModels()
{
    if (!has(u"logged_models"_s))
        return ok();
    QList<MlflowLoggedModel> &models = m_store.loggedModels;
    const QString lm = u"logged_models"_s;
    const QString sql =
        u"SELECT model_id, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10 "
        u"FROM logged_models"_s.arg(
            col(lm, u"experiment_id"_s), col(lm, u"name"_s), col(lm, u"artifact_location"_s),
            col(lm, u"creation_timestamp_ms"_s), col(lm, u"last_updated_timestamp_ms"_s),
            col(lm, u"status"_s), col(lm, u"lifecycle_stage"_s), col(lm, u"model_type"_s),
            col(lm, u"source_run_id"_s), col(lm, u"status_message"_s));
    auto r = forEachRow(sql, [&](const Statement &s) {
        MlflowLoggedModel model;
        model.id = s.text(0);
        model.experimentId = s.text(1);
        model.name = s.text(2);
        model.artifactLocation = s.text(3);
        model.creationTime = s.int64(4);
        model.lastUpdatedTime = s.int64(5);
        model.status = int(s.int64(6));
        model.lifecycleStage = s.text(7);
        if (model.lifecycleStage.isEmpty())
            model.lifecycleStage = u"active"_s;
        model.modelType = s.text(8);
        model.sourceRunId = s.text(9);
        model.statusMessage = s.text(10);
        models.append(std::move(model));
    });
    if (!r)
        return r;
    std::stable_sort(models.begin(), models.end(),
                     [&](const MlflowLoggedModel &a, const MlflowLoggedModel &b) {
                         const qsizetype ea = m_experimentIndex.value(a.experimentId, -1);
                         const qsizetype eb = m_experimentIndex.value(b.experimentId, -1);
                         if (ea != eb)
                             return ea < eb;
                         return a.id < b.id;
                     });
    IdIndex index;
    for (qsizetype i = 0; i < models.size(); ++i)
        index.insert(models[i].id, i);

    qint64 orphaned = 0;
    const struct
    {
        QString table, key, value;
        bool params;
    } keyValues[] = {
        {u"logged_model_params"_s, u"param_key"_s, u"param_value"_s, true},
        {u"logged_model_tags"_s, u"tag_key"_s, u"tag_value"_s, false},
    };
    for (const auto &kv : keyValues) {
        if (!has(kv.table))
            continue;
        r = forEachRow(u"SELECT model_id, %1, %2 FROM %3"_s.arg(kv.key, kv.value, kv.table),
                       [&](const Statement &s) {
                           const qsizetype i = index.find(s.utf8(0));
                           if (i < 0) {
                               ++orphaned;
                               return;
                           }
                           MlflowLoggedModel &model = models[i];
                           (kv.params ? model.params : model.tags).insert(s.text(1), s.text(2));
                       });
        if (!r)
            return r;
        orphans(std::exchange(orphaned, 0), kv.table, u"logged model"_s);
    }

    const QString t = u"logged_model_metrics"_s;
    if (!has(t))
        return ok();
    QList<MetricSet> metrics(models.size());
    const QString metricSql =
        u"SELECT model_id, metric_name, metric_value, %1, %2, %3, %4, %5 FROM %6"_s.arg(
            col(t, u"metric_timestamp_ms"_s, u"0"_s), col(t, u"metric_step"_s, u"0"_s),
            col(t, u"run_id"_s), col(t, u"dataset_name"_s), col(t, u"dataset_digest"_s), t);
    r = forEachRow(metricSql, [&](const Statement &s) {
        const qsizetype i = index.find(s.utf8(0));
        if (i < 0) {
            ++orphaned;
            return;
        }
        MlflowMetric &metric = metrics[i].get(s.utf8(1));
        MlflowMetricPoint point;
        point.value = metricValue(s, 2, -1);
        point.timestamp = s.int64(3);
        point.step = s.int64(4);
        point.context = contextIndex(metric, {s.text(5), s.text(6), s.text(7)});
        metric.points.append(point);
    });
    if (!r)
        return r;
    orphans(orphaned, t, u"logged model"_s);
    for (qsizetype i = 0; i < models.size(); ++i)
        models[i].metrics = metrics[i].finish();
    return ok();
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
        return fail(Error(u"cancelled"_s, m_path));
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
        return fail(Error(u"cancelled"_s, m_path));
    return std::move(m_store);
}

} // namespace

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
