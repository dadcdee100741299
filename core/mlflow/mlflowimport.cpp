#include "mlflowimport.h"

#include "common/logging.h"
#include "metrics/metricstore.h"
#include "project/projectfile.h"
#include "registry/gate.h"
#include "registry/registry.h"
#include "sqlstore.h"
#include "store/database.h"
#include "store/projectdb.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSet>
#include <QStandardPaths>

#include <xxhash.h>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn {

static constexpr QLatin1StringView kSource("mlflow");
// Runs written per transaction: a cancel or a crash keeps whole runs, and a supervisor writing
// metrics into the same project never waits long.
static constexpr int kRunsPerTransaction = 400;

static bool isSqliteFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) && f.read(16) == QByteArrayView("SQLite format 3\0", 16);
}

// Whether `dir` holds an experiment folder: <id>/meta.yaml that names an experiment, not a run
// (a run's meta.yaml names its experiment too, so an experiment folder is not a store).
static bool holdsExperiment(const QDir &dir)
{
    const auto subs = dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &s : subs) {
        QFile meta(dir.filePath(s + u"/meta.yaml"_s));
        if (!meta.open(QIODevice::ReadOnly))
            continue;
        const QByteArray head = meta.read(4096);
        if ((head.contains("artifact_location") || head.contains("experiment_id")) &&
            !head.contains("run_id") && !head.contains("run_uuid"))
            return true;
    }
    return false;
}

static bool looksLikeMlruns(const QDir &dir)
{
    if (holdsExperiment(dir))
        return true;
    // Every experiment deleted (in .trash), or a registry alone: models/<name>/version-<n>/.
    if (QFileInfo(dir.filePath(u".trash"_s)).isDir() &&
        holdsExperiment(QDir(dir.filePath(u".trash"_s))))
        return true;
    const QDir models(dir.filePath(u"models"_s));
    const auto names =
        models.exists() ? models.entryList(QDir::Dirs | QDir::NoDotAndDotDot) : QStringList();
    for (const QString &n : names) {
        if (!QDir(models.filePath(n)).entryList({u"version-*"_s}, QDir::Dirs).isEmpty() &&
            QFileInfo(models.filePath(n + u"/meta.yaml"_s)).isFile())
            return true;
    }
    return false;
}

std::optional<MlflowStoreLocation> findMlflowStore(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return std::nullopt;
    if (info.isFile()) {
        if (isSqliteFile(path))
            return MlflowStoreLocation{MlflowStoreKind::Sqlite, info.canonicalFilePath()};
        return std::nullopt;
    }
    const QDir dir(info.canonicalFilePath());
    // The folder MLflow ran in first: it may hold models/ of its own beside mlruns/.
    if (QFileInfo(dir.filePath(u"mlruns"_s)).isDir() &&
        looksLikeMlruns(QDir(dir.filePath(u"mlruns"_s))))
        return MlflowStoreLocation{MlflowStoreKind::Files,
                                   QFileInfo(dir.filePath(u"mlruns"_s)).canonicalFilePath()};
    if (looksLikeMlruns(dir))
        return MlflowStoreLocation{MlflowStoreKind::Files, dir.path()};
    const QString db = dir.filePath(u"mlflow.db"_s);
    if (QFileInfo(db).isFile() && isSqliteFile(db))
        return MlflowStoreLocation{MlflowStoreKind::Sqlite, QFileInfo(db).canonicalFilePath()};
    return std::nullopt;
}

bool opensAsMlflowStore(const QString &path)
{
    const QFileInfo info(path);
    if (info.isDir() &&
        (!findProjectFile(path).isEmpty() || QFileInfo(QDir(path).filePath(u".cairn"_s)).isDir()))
        return false;
    return findMlflowStore(path).has_value();
}

bool isInsideMlflowStore(const QString &projectRoot, const MlflowStoreLocation &store)
{
    if (store.kind != MlflowStoreKind::Files)
        return false;
    const QFileInfo info(projectRoot);
    const QString root = info.canonicalFilePath().isEmpty()
                             ? QDir::cleanPath(info.absoluteFilePath())
                             : info.canonicalFilePath();
    return root == store.path || root.startsWith(store.path + u'/');
}

Result<MlflowStore> readMlflowStore(const MlflowStoreLocation &store, const Progress &progress)
{
    return store.kind == MlflowStoreKind::Sqlite ? readMlflowSqlStore(store.path, progress)
                                                 : readMlflowFileStore(store.path, progress);
}

// --- the import -------------------------------------------------------------------------------

static QString cairnStatus(int mlflowStatus)
{
    switch (MlflowRunStatus(mlflowStatus)) {
    case MlflowRunStatus::Running:
        return u"running"_s;
    case MlflowRunStatus::Scheduled:
        return u"queued"_s;
    case MlflowRunStatus::Finished:
        return u"finished"_s;
    case MlflowRunStatus::Failed:
        return u"failed"_s;
    case MlflowRunStatus::Killed:
        return u"cancelled"_s;
    }
    return u"running"_s; // MLflow's own default for a status it does not know
}

namespace {

// What a run's import depends on, hashed: a change to any of it re-imports the run.
class Signature
{
public:
    void add(const QString &s)
    {
        add(qint64(s.size()));
        m_bytes.append(reinterpret_cast<const char *>(s.constData()), s.size() * sizeof(QChar));
    }
    void add(qint64 v) { m_bytes.append(reinterpret_cast<const char *>(&v), sizeof v); }
    void add(double v) { m_bytes.append(reinterpret_cast<const char *>(&v), sizeof v); }
    QString hex() const
    {
        const XXH128_hash_t h = XXH3_128bits(m_bytes.constData(), size_t(m_bytes.size()));
        return u"%1%2"_s.arg(h.high64, 16, 16, QLatin1Char('0'))
            .arg(h.low64, 16, 16, QLatin1Char('0'));
    }

private:
    QByteArray m_bytes;
};

QString signatureOf(const MlflowRun &run, const QString &experimentName)
{
    Signature s;
    s.add(u"v1"_s); // the mapping's version: a change to it re-imports everything
    s.add(experimentName);
    s.add(run.name);
    s.add(qint64(run.status));
    s.add(run.startTime);
    s.add(run.endTime.value_or(-1));
    s.add(run.lifecycleStage);
    s.add(run.userId);
    for (const MlflowKeyValues *kv : {&run.params, &run.tags}) {
        s.add(qint64(kv->size()));
        for (auto it = kv->cbegin(); it != kv->cend(); ++it) {
            s.add(it.key());
            s.add(it.value());
        }
    }
    s.add(qint64(run.metrics.size()));
    for (const MlflowMetric &m : run.metrics) {
        s.add(m.key);
        s.add(qint64(m.points.size()));
        for (const MlflowMetricPoint &p : m.points) {
            s.add(p.step);
            s.add(p.timestamp);
            s.add(p.value);
        }
    }
    return s.hex();
}

// The points in the order Cairn stores them: by step, then time, with MLflow's latest value
// (the maximum by step, time and value) last, so Cairn's rule (the last point of the highest
// step) shows the value MLflow shows.
QList<MetricSeriesWriter::Point> orderedPoints(const MlflowMetric &metric)
{
    QList<MetricSeriesWriter::Point> out;
    out.reserve(metric.points.size());
    for (const MlflowMetricPoint &p : metric.points)
        out.append({p.step, p.timestamp, p.value});
    std::stable_sort(out.begin(), out.end(), [](const auto &a, const auto &b) {
        return a.step != b.step ? a.step < b.step : a.timestampMs < b.timestampMs;
    });
    if (out.isEmpty())
        return out;
    const MlflowMetricPoint &l = metric.latest;
    auto same = [&](const MetricSeriesWriter::Point &p) {
        return p.step == l.step && p.timestampMs == l.timestamp &&
               (p.value == l.value || (std::isnan(p.value) && std::isnan(l.value)));
    };
    if (!same(out.last())) {
        for (qsizetype i = out.size() - 1; i >= 0; --i) {
            if (same(out[i])) {
                const auto p = out[i];
                out.remove(i);
                out.append(p);
                break;
            }
        }
    }
    return out;
}

struct Existing
{
    qint64 runId = 0;
    QString signature;
};

class Importer
{
public:
    Importer(Database &db, const MlflowStore &store, const MlflowImportOptions &options)
        : m_db(db)
        , m_store(store)
        , m_options(options)
        , m_metrics(db)
    {}

    Result<MlflowImportSummary> run(const Progress &progress);

private:
    Result<void> prepare();
    Result<void> write(const MlflowRun &run, const QString &experimentName,
                       const QString &signature, std::optional<qint64> existingId,
                       std::optional<qint64> rankId);

    Database &m_db;
    const MlflowStore &m_store;
    const MlflowImportOptions &m_options;
    MetricSeriesWriter m_metrics;
    MlflowImportSummary m_summary;
    std::optional<Statement> m_insertRun, m_updateRun, m_insertImported, m_updateImported,
        m_clearParams, m_clearTags, m_param, m_tag;
    qint64 m_now = QDateTime::currentMSecsSinceEpoch();
};

Result<void> Importer::prepare()
{
    auto p = [&](std::optional<Statement> &into, QStringView sql) -> Result<void> {
        auto s = m_db.prepare(sql);
        if (!s)
            return fail(s.error());
        into = std::move(*s);
        return ok();
    };
    // ?1 id (update only) ?2 uuid ?3 name ?4 entry point ?5 command ?6 status ?7 created
    // ?8 started ?9 ended ?10 note ?11 commit ?12 branch ?13 remote
    for (auto r : {
             p(m_insertRun,
               u"INSERT INTO runs (id, uuid, name, entry_point, command, working_dir, status, "
               "created_ms, started_ms, ended_ms, note, git_commit, git_branch, git_remote) "
               "VALUES (?1, ?2, ?3, ?4, ?5, '', ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"),
             p(m_updateRun, u"UPDATE runs SET uuid = ?2, name = ?3, entry_point = ?4, command = "
                            "?5, status = ?6, created_ms = ?7, started_ms = ?8, ended_ms = ?9, "
                            "note = ?10, git_commit = ?11, git_branch = ?12, git_remote = ?13, "
                            "error = NULL, exit_code = NULL, exit_signal = NULL WHERE id = ?1"),
             p(m_insertImported,
               u"INSERT INTO imported_runs (run_id, source, source_run_id, store, experiment_id, "
               "experiment_name, source_status, signature, imported_ms) VALUES (?1, ?2, ?3, ?4, "
               "?5, ?6, ?7, ?8, ?9) ON CONFLICT (run_id) DO UPDATE SET store = excluded.store, "
               "experiment_id = excluded.experiment_id, experiment_name = "
               "excluded.experiment_name, source_status = excluded.source_status, signature = "
               "excluded.signature, imported_ms = excluded.imported_ms"),
             p(m_clearParams, u"DELETE FROM params WHERE run_id = ?1"),
             p(m_clearTags, u"DELETE FROM tags WHERE run_id = ?1"),
             p(m_param,
               u"INSERT INTO params (run_id, key, value, position) VALUES (?1, ?2, ?3, ?4)"),
             p(m_tag, u"INSERT INTO tags (run_id, key, value) VALUES (?1, ?2, ?3)"),
         }) {
        if (!r)
            return r;
    }
    return ok();
}

Result<void> Importer::write(const MlflowRun &run, const QString &experimentName,
                             const QString &signature, std::optional<qint64> existingId,
                             std::optional<qint64> rankId)
{
    Statement &s = existingId ? *m_updateRun : *m_insertRun;
    if (existingId)
        s.bind(1, *existingId);
    else
        s.bind(1, rankId); // NULL: the next id
    const qint64 created = run.startTime > 0 ? run.startTime : 0;
    s.bind(2, run.id)
        .bind(3, run.name)
        .bind(4, experimentName)
        .bind(5, run.sourceName)
        .bind(6, cairnStatus(run.status))
        .bind(7, created)
        .bind(8, run.startTime > 0 ? std::optional<qint64>(run.startTime) : std::nullopt)
        .bind(9, run.endTime)
        .bind(10, run.tags.value(u"mlflow.note.content"_s))
        .bind(11, run.gitCommit.isEmpty() ? std::nullopt : std::optional<QString>(run.gitCommit))
        .bind(12, run.tags.contains(u"mlflow.source.git.branch"_s)
                      ? std::optional<QString>(run.tags.value(u"mlflow.source.git.branch"_s))
                      : std::nullopt)
        .bind(13, run.tags.contains(u"mlflow.source.git.repoURL"_s)
                      ? std::optional<QString>(run.tags.value(u"mlflow.source.git.repoURL"_s))
                      : std::nullopt);
    if (auto r = s.exec(); !r)
        return fail(Error(u"cannot import MLflow run %1: %2"_s.arg(run.id, r.error().message),
                          run.dir.isEmpty() ? m_store.root : run.dir));
    const qint64 id = existingId ? *existingId : m_db.lastInsertId();
    if (existingId) {
        for (Statement *clear : {&*m_clearParams, &*m_clearTags}) {
            if (auto r = clear->bind(1, id).exec(); !r)
                return r;
        }
        if (auto r = m_metrics.clearRun(id); !r)
            return r;
    }
    int position = 0;
    for (auto it = run.params.cbegin(); it != run.params.cend(); ++it) {
        if (auto r = m_param->bind(1, id)
                         .bind(2, it.key())
                         .bind(3, it.value())
                         .bind(4, position++)
                         .exec();
            !r)
            return r;
    }
    for (auto it = run.tags.cbegin(); it != run.tags.cend(); ++it) {
        if (auto r = m_tag->bind(1, id).bind(2, it.key()).bind(3, it.value()).exec(); !r)
            return r;
    }
    for (const MlflowMetric &m : run.metrics) {
        const auto points = orderedPoints(m);
        if (auto r = m_metrics.write(id, m.key, points); !r)
            return r;
        m_summary.metricPoints += points.size();
    }
    return m_insertImported->bind(1, id)
        .bind(2, QString(kSource))
        .bind(3, run.id)
        .bind(4, m_store.root)
        .bind(5, run.experimentId)
        .bind(6, experimentName)
        .bind(7, mlflowRunStatusName(run.status))
        .bind(8, signature)
        .bind(9, m_now)
        .exec();
}

Result<MlflowImportSummary> Importer::run(const Progress &progress)
{
    if (auto r = prepare(); !r)
        return fail(r.error());

    QHash<QString, Existing> existing;
    {
        auto q = m_db.prepare(
            u"SELECT source_run_id, run_id, signature FROM imported_runs WHERE source = ?1");
        if (!q)
            return fail(q.error());
        q->bind(1, QString(kSource));
        while (true) {
            auto row = q->step();
            if (!row)
                return fail(row.error());
            if (!*row)
                break;
            existing.insert(q->text(0), Existing{q->int64(1), q->text(2)});
        }
    }

    QHash<QString, QString> experimentNames;
    for (const MlflowExperiment &e : m_store.experiments)
        experimentNames.insert(e.id, e.name);

    // Oldest first, so Cairn's ids grow with time as for runs it launched.
    QList<const MlflowRun *> order;
    order.reserve(m_store.runs.size());
    QSet<QString> inStore;
    QSet<QString> experimentsSeen;
    for (const MlflowRun &r : m_store.runs) {
        if (r.deleted && !m_options.includeDeleted) {
            ++m_summary.skipped;
            continue;
        }
        order.append(&r);
        inStore.insert(r.id);
        experimentsSeen.insert(r.experimentId);
    }
    m_summary.experiments = int(experimentsSeen.size());
    std::stable_sort(order.begin(), order.end(), [](const MlflowRun *a, const MlflowRun *b) {
        return a->startTime != b->startTime ? a->startTime < b->startTime : a->id < b->id;
    });

    // The part imported now: the newest runs when asked, else all.
    const qsizetype first = m_options.newest > 0 && m_options.newest < order.size()
                                ? order.size() - m_options.newest
                                : 0;
    const qsizetype count = order.size() - first;
    QList<qint64> stale;
    if (m_options.prune && first == 0) {
        for (auto it = existing.cbegin(); it != existing.cend(); ++it) {
            if (!inStore.contains(it.key()))
                stale.append(it->runId);
        }
    }

    // Into an (almost) empty database (a store's first mirror), many runs load several
    // times faster when the secondary indexes are built once at the end rather than kept up to
    // date row by row, and without foreign key checks on rows this import makes consistent.
    struct BulkLoad
    {
        Database &db;
        QList<std::pair<QString, QString>> indexes; // name, CREATE statement
        bool active = false;
        ~BulkLoad() { (void)finish(); }
        Result<void> finish()
        {
            if (!active)
                return ok();
            active = false;
            auto fk = db.execScript(u"PRAGMA foreign_keys=ON");
            for (const auto &[name, sql] : std::as_const(indexes)) {
                QString create = sql;
                create.replace(u"CREATE INDEX "_s, u"CREATE INDEX IF NOT EXISTS "_s);
                if (auto r = db.execScript(create); !r)
                    return r;
            }
            return fk;
        }
    } bulk{m_db, {}, false};
    // (Also for the second part of a mirror's first sync: a few rows already there.)
    if (m_options.bulk && count >= 1000 && existing.size() * 4 <= count) {
        auto empty = m_db.prepare(u"SELECT count(*) * 4 <= ?1 FROM runs");
        if (empty && empty->bind(1, qint64(count)).step().value_or(false) && empty->int64(0) == 1) {
            empty->reset();
            auto q = m_db.prepare(
                u"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                "AND tbl_name IN ('runs', 'params', 'tags', 'latest_metrics', 'metric_blocks', "
                "'imported_runs')");
            while (q && q->step().value_or(false))
                bulk.indexes.append({q->text(0), q->text(1)});
            if (q)
                q->reset();
            bulk.active = true;
            if (auto r = m_db.execScript(u"PRAGMA foreign_keys=OFF"); !r)
                return fail(r.error());
            for (const auto &[name, sql] : std::as_const(bulk.indexes)) {
                if (auto r = m_db.execScript(u"DROP INDEX IF EXISTS \"%1\""_s.arg(name)); !r)
                    return fail(r.error());
            }
        }
    }

    const qint64 total = count + stale.size();
    qint64 done = 0;
    Transaction tx(m_db);
    for (qsizetype i = first; i < order.size(); ++i) {
        const MlflowRun *run = order.at(i);
        if (done % kRunsPerTransaction == 0) {
            if (done > 0) {
                if (auto r = tx.commit(); !r)
                    return fail(r.error());
            }
            if (progress && !progress(done, total))
                return fail(
                    Error(u"import cancelled; the runs imported so far are kept"_s, m_store.root));
            if (auto r = tx.begin(); !r)
                return fail(r.error());
        }
        ++done;
        const QString experimentName = experimentNames.value(run->experimentId, run->experimentId);
        const QString signature = signatureOf(*run, experimentName);
        const auto found = existing.constFind(run->id);
        if (found != existing.constEnd() && found->signature == signature) {
            ++m_summary.unchanged;
            continue;
        }
        const std::optional<qint64> id =
            found != existing.constEnd() ? std::optional<qint64>(found->runId) : std::nullopt;
        const std::optional<qint64> rank =
            m_options.rankIds ? std::optional<qint64>(i + 1) : std::nullopt;
        if (auto r = write(*run, experimentName, signature, id, rank); !r)
            return fail(r.error());
        ++(id ? m_summary.updated : m_summary.added);
    }
    if (!stale.isEmpty()) {
        auto del = m_db.prepare(u"DELETE FROM runs WHERE id = ?1");
        if (!del)
            return fail(del.error());
        if (count == 0) {
            if (auto r = tx.begin(); !r)
                return fail(r.error());
        }
        for (qint64 id : std::as_const(stale)) {
            if (auto r = del->bind(1, id).exec(); !r)
                return fail(r.error());
            ++m_summary.removed;
        }
    }
    if (count > 0 || !stale.isEmpty()) {
        if (auto r = tx.commit(); !r)
            return fail(r.error());
    }
    if (auto r = bulk.finish(); !r)
        return fail(r.error());
    if (progress)
        progress(total, total);
    return m_summary;
}

} // namespace

Result<MlflowImportSummary> importMlflowRuns(Database &db, const MlflowStore &store,
                                             const MlflowImportOptions &options,
                                             const Progress &progress)
{
    Importer importer(db, store, options);
    return importer.run(progress);
}

// --- the registry -----------------------------------------------------------------------------

Result<int> mirrorMlflowRegistry(Database &db, const MlflowStore &store)
{
    Transaction tx(db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    if (auto r = db.execScript(u"DELETE FROM registered_models"); !r)
        return fail(r.error());
    auto model = db.prepare(u"INSERT INTO registered_models (name, created_ms) VALUES (?1, ?2)");
    auto version = db.prepare(
        u"INSERT INTO model_versions (model_id, version, created_ms, run_id, files, "
        "content_hash, metrics, datasets, gate_report, gate_passed, note) VALUES (?1, ?2, ?3, ?4, "
        "?5, ?6, ?7, '[]', ?8, 1, ?9)");
    auto alias = db.prepare(u"INSERT OR IGNORE INTO model_aliases (model_id, alias, version, "
                            "set_ms) VALUES (?1, ?2, ?3, ?4)");
    auto transition = db.prepare(
        u"INSERT INTO model_transitions (model_id, version, alias, action, ms, user, reason) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    auto runOf = db.prepare(u"SELECT run_id FROM imported_runs WHERE source = 'mlflow' AND "
                            "source_run_id = ?1");
    auto metricsOf = db.prepare(u"SELECT k.name, l.value FROM latest_metrics l JOIN metric_keys "
                                "k ON k.id = l.key_id WHERE l.run_id = ?1");
    for (auto *s : {&model, &version, &alias, &transition, &runOf, &metricsOf}) {
        if (!*s)
            return fail(s->error());
    }
    int written = 0;
    for (const MlflowRegisteredModel &m : store.registeredModels) {
        if (auto r = model->bind(1, m.name).bind(2, m.creationTime).exec(); !r)
            return fail(r.error());
        const qint64 modelId = db.lastInsertId();
        // The newest version in each stage holds its alias; MLflow's own aliases first.
        QMap<QString, std::pair<int, qint64>> aliases; // alias → version, set when
        for (auto it = m.aliases.cbegin(); it != m.aliases.cend(); ++it)
            aliases.insert(it.key().toLower(), {it.value().toInt(), m.lastUpdatedTime});
        for (const MlflowModelVersion &v : m.versions) {
            if (v.deleted)
                continue;
            const int number = v.version.toInt();
            std::optional<qint64> runId;
            QJsonObject metrics;
            if (!v.runId.isEmpty() && runOf->bind(1, v.runId).step().value_or(false)) {
                runId = runOf->int64(0);
                metricsOf->bind(1, *runId);
                while (metricsOf->step().value_or(false))
                    metrics.insert(metricsOf->text(0), metricsOf->isNull(1)
                                                           ? QJsonValue(u"NaN"_s)
                                                           : QJsonValue(metricsOf->real(1)));
                metricsOf->reset();
            }
            runOf->reset();
            registry::GateReport gate;
            gate.model = m.name;
            gate.runId = runId.value_or(0);
            gate.evaluated = QDateTime::fromMSecsSinceEpoch(v.creationTime);
            gate.note = u"registered in MLflow (stage %1, status %2): MLflow has no gate"_s.arg(
                v.currentStage.isEmpty() ? u"None"_s : v.currentStage,
                v.status.isEmpty() ? u"READY"_s : v.status);
            const QJsonArray files{
                QJsonObject{{u"path"_s, v.source}, {u"hash"_s, QString()}, {u"size"_s, 0}}};
            QString note = v.description;
            if (!runId && !v.runId.isEmpty())
                note = (note.isEmpty() ? QString() : note + u"\n"_s) +
                       u"MLflow run %1 is not in this store (or was deleted)"_s.arg(v.runId);
            if (auto r =
                    version->bind(1, modelId)
                        .bind(2, number)
                        .bind(3, v.creationTime)
                        .bind(4, runId)
                        .bind(5, QString::fromUtf8(
                                     QJsonDocument(files).toJson(QJsonDocument::Compact)))
                        .bind(6, u"mlflow:%1"_s.arg(v.version))
                        .bind(7, QString::fromUtf8(
                                     QJsonDocument(metrics).toJson(QJsonDocument::Compact)))
                        .bind(8, QString::fromUtf8(QJsonDocument(registry::gateReportToJson(gate))
                                                       .toJson(QJsonDocument::Compact)))
                        .bind(9, note)
                        .exec();
                !r)
                return fail(r.error());
            if (auto r = transition->bind(1, modelId)
                             .bind(2, number)
                             .bind(3, QString())
                             .bind(4, u"register"_s)
                             .bind(5, v.creationTime)
                             .bind(6, v.userId)
                             .bind(7, u"registered in MLflow"_s)
                             .exec();
                !r)
                return fail(r.error());
            ++written;
            const QString stage = v.currentStage.toLower();
            if (stage == u"archived"_s) {
                if (auto r = alias->bind(1, modelId)
                                 .bind(2, u"archived"_s)
                                 .bind(3, number)
                                 .bind(4, v.lastUpdatedTime)
                                 .exec();
                    !r)
                    return fail(r.error());
            } else if (stage == u"production"_s || stage == u"staging"_s) {
                auto held = aliases.constFind(stage);
                if (held == aliases.constEnd() || held->first < number)
                    aliases.insert(stage, {number, v.lastUpdatedTime});
            }
        }
        for (auto it = aliases.cbegin(); it != aliases.cend(); ++it) {
            if (!registry::checkAliasName(it.key()).isEmpty())
                continue; // a name Cairn's aliases cannot hold
            if (auto r = alias->bind(1, modelId)
                             .bind(2, it.key())
                             .bind(3, it->first)
                             .bind(4, it->second)
                             .exec();
                !r)
                return fail(r.error());
            if (auto r = transition->bind(1, modelId)
                             .bind(2, it->first)
                             .bind(3, it.key())
                             .bind(4, u"set"_s)
                             .bind(5, it->second)
                             .bind(6, QString())
                             .bind(7, u"set in MLflow"_s)
                             .exec();
                !r)
                return fail(r.error());
        }
    }
    if (auto r = tx.commit(); !r)
        return fail(r.error());
    return written;
}

// --- the mirror -------------------------------------------------------------------------------

static QString markerPath(const QString &root)
{
    return QDir(root).filePath(u".cairn/mirror.json"_s);
}

QString mlflowMirrorRoot(const MlflowStoreLocation &store)
{
    QString base = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation);
    if (base.isEmpty())
        base = QDir::home().filePath(u".cache"_s);
    const QByteArray digest =
        QCryptographicHash::hash(store.path.toUtf8(), QCryptographicHash::Sha1).toHex().left(12);
    // The folder MLflow ran in names a store better than "mlruns".
    QFileInfo info(store.path);
    QString name = info.fileName();
    if (name == u"mlruns"_s || name == u"mlflow.db"_s)
        name = info.dir().dirName() + u'-' + name;
    name.replace(QRegularExpression(u"[^A-Za-z0-9._-]"_s), u"_"_s);
    return QDir(base).filePath(u"cairn/mlflow/%1-%2"_s.arg(name, QString::fromLatin1(digest)));
}

std::optional<MlflowStoreLocation> mirroredMlflowStore(const QString &projectRoot)
{
    QFile f(markerPath(projectRoot));
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    if (o.value(u"source"_s).toString() != kSource)
        return std::nullopt;
    const QString path = o.value(u"store"_s).toString();
    if (path.isEmpty())
        return std::nullopt;
    return MlflowStoreLocation{o.value(u"kind"_s).toString() == u"sqlite"_s
                                   ? MlflowStoreKind::Sqlite
                                   : MlflowStoreKind::Files,
                               path};
}

static Result<void> writeMarker(const MlflowMirror &mirror, bool complete)
{
    QJsonObject marker{
        {u"source"_s, QString(kSource)},
        {u"kind"_s, mirror.store.kind == MlflowStoreKind::Sqlite ? u"sqlite"_s : u"files"_s},
        {u"store"_s, mirror.store.path},
        {u"synced_ms"_s, QDateTime::currentMSecsSinceEpoch()},
        {u"complete"_s, complete},
    };
    QSaveFile out(markerPath(mirror.root));
    if (!out.open(QIODevice::WriteOnly) || out.write(QJsonDocument(marker).toJson()) < 0 ||
        !out.commit())
        return fail(Error(u"cannot write the mirror's marker: %1"_s.arg(out.errorString()),
                          markerPath(mirror.root)));
    return ok();
}

static Result<std::unique_ptr<Database>> openMirror(const QString &root)
{
    // The mirror is a cache of the store: it is written without waiting for the disk (no fsync,
    // which made a first import of 10,000 runs several times slower), and a mirror a crash left
    // unreadable is made again.
    auto db = openProjectDatabase(root);
    if (!db && db.error().hint.contains(u"damaged"_s)) {
        qCWarning(lcProject) << "rebuilding the mirror" << root << db.error().toString();
        for (const QString &f : {u"cairn.db"_s, u"cairn.db-wal"_s, u"cairn.db-shm"_s})
            QFile::remove(QDir(root).filePath(u".cairn/"_s + f));
        db = openProjectDatabase(root);
    }
    if (!db)
        return fail(db.error());
    if (auto r = (*db)->execScript(u"PRAGMA synchronous=OFF"); !r)
        return fail(r.error());
    return db;
}

Result<MlflowMirrorSync> beginMlflowMirrorSync(const QString &path, const Progress &progress,
                                               int newestFirst)
{
    const auto location = findMlflowStore(path);
    if (!location)
        return fail(Error(u"not an MLflow store"_s, path)
                        .withHint(u"Name an mlruns folder, an mlflow.db file, or the folder that "
                                  "holds one of them"_s));
    MlflowMirrorSync sync;
    MlflowMirror &mirror = sync.mirror;
    mirror.store = *location;
    mirror.root = mlflowMirrorRoot(*location);
    const QString stateDir = QDir(mirror.root).filePath(u".cairn"_s);
    if (!QDir().mkpath(stateDir))
        return fail(Error(u"cannot create Cairn's folder for this store"_s, mirror.root)
                        .withHint(u"Check that the cache folder ($XDG_CACHE_HOME or ~/.cache) is "
                                  "writable"_s));
    // One sync of a mirror at a time (the window and cairn-cli may open the same store).
    auto lock = std::make_shared<QLockFile>(QDir(stateDir).filePath(u"sync.lock"_s));
    lock->setStaleLockTime(0); // a lock whose process is gone is stale, however young
    if (!lock->tryLock(120000))
        return fail(Error(u"another Cairn has been reading this store into its copy for two "
                          "minutes"_s,
                          mirror.root)
                        .withHint(u"Wait for it to finish, or close it and try again"_s));
    sync.lock = lock;

    // Reading is most of the work for a store seen before; for a new one the import is about as
    // long. Half the progress each.
    auto half = [&](qint64 offset) -> Progress {
        if (!progress)
            return {};
        return [&progress, offset](qint64 done, qint64 total) {
            return total <= 0 || progress(offset * total + done, 2 * total);
        };
    };
    auto store = readMlflowStore(*location, half(0));
    if (!store)
        return fail(store.error());
    sync.store = std::make_shared<const MlflowStore>(std::move(*store));
    mirror.warnings = sync.store->warnings;
    mirror.registeredModels = int(sync.store->registeredModels.size());
    mirror.loggedModels = int(sync.store->loggedModels.size());

    // A mirror whose first sync stopped halfway is made again: its ids were ranks of that time.
    {
        QFile f(markerPath(mirror.root));
        if (f.open(QIODevice::ReadOnly) &&
            !QJsonDocument::fromJson(f.readAll()).object().value(u"complete"_s).toBool(true)) {
            f.close();
            for (const QString &name : {u"cairn.db"_s, u"cairn.db-wal"_s, u"cairn.db-shm"_s})
                QFile::remove(QDir(stateDir).filePath(name));
        }
    }
    auto db = openMirror(mirror.root);
    if (!db)
        return fail(db.error());
    {
        // In its own scope: a statement left stepping would lock the schema for the bulk load.
        auto empty = (*db)->prepare(u"SELECT NOT EXISTS (SELECT 1 FROM imported_runs)");
        sync.fresh = empty && empty->step().value_or(false) && empty->int64(0) == 1;
    }

    int active = 0;
    for (const MlflowRun &r : sync.store->runs)
        active += r.deleted ? 0 : 1;
    const bool split = sync.fresh && newestFirst > 0 && active > newestFirst;
    // Until the import is whole the mirror is marked unfinished: a crash (or a bulk load's
    // dropped indexes) in between makes it again at the next sync.
    if (auto r = writeMarker(mirror, false); !r)
        return fail(r.error());
    MlflowImportOptions options{.includeDeleted = false, .prune = true};
    options.rankIds = sync.fresh;
    options.bulk = true;
    options.newest = split ? newestFirst : 0;
    auto summary = importMlflowRuns(**db, *sync.store, options, half(1));
    if (!summary)
        return fail(summary.error());
    mirror.summary = *summary;
    if (split) {
        sync.remaining = active - newestFirst;
        return sync;
    }
    if (auto r = mirrorMlflowRegistry(**db, *sync.store); !r)
        return fail(r.error());
    if (auto r = writeMarker(mirror, true); !r)
        return fail(r.error());
    sync.lock.reset();
    qCDebug(lcProject) << "mirror of" << location->path << "in" << mirror.root << "added"
                       << mirror.summary.added << "updated" << mirror.summary.updated;
    return sync;
}

Result<MlflowMirror> finishMlflowMirrorSync(MlflowMirrorSync &sync, const Progress &progress)
{
    MlflowMirror mirror = sync.mirror;
    if (sync.remaining == 0 || !sync.store)
        return mirror;
    auto db = openMirror(mirror.root);
    if (!db)
        return fail(db.error());
    MlflowImportOptions options{.includeDeleted = false, .prune = true};
    options.rankIds = sync.fresh;
    options.bulk = true;
    auto summary = importMlflowRuns(**db, *sync.store, options, progress);
    if (!summary)
        return fail(summary.error());
    mirror.summary = *summary;
    if (auto r = mirrorMlflowRegistry(**db, *sync.store); !r)
        return fail(r.error());
    if (auto r = writeMarker(mirror, true); !r)
        return fail(r.error());
    sync.remaining = 0;
    sync.lock.reset();
    return mirror;
}

Result<MlflowMirror> syncMlflowMirror(const QString &path, const Progress &progress)
{
    auto sync = beginMlflowMirrorSync(path, progress);
    if (!sync)
        return fail(sync.error());
    return sync->mirror;
}

} // namespace cairn
