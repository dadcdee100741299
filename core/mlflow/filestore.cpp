#include "filestore.h"

#include "project/yamlsupport.h"

#include <QFile>
#include <QHash>
#include <QtConcurrent>

#include <fast_float/fast_float.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace cairn {

QString mlflowRunStatusName(int status)
{
    switch (MlflowRunStatus(status)) {
    case MlflowRunStatus::Running:
        return u"RUNNING"_s;
    case MlflowRunStatus::Scheduled:
        return u"SCHEDULED"_s;
    case MlflowRunStatus::Finished:
        return u"FINISHED"_s;
    case MlflowRunStatus::Failed:
        return u"FAILED"_s;
    case MlflowRunStatus::Killed:
        return u"KILLED"_s;
    }
    return QString::number(status);
}

namespace {

// --- files, without QFile's per-file overhead (10,000 runs are ~300,000 small files) ---------

struct DirEntry
{
    QByteArray name;
    bool isDir = false;
};

QByteArray join(const QByteArray &dir, const QByteArray &name)
{
    return dir + '/' + name;
}

QString fromPath(const QByteArray &path)
{
    return QFile::decodeName(path);
}

bool isDirectory(const QByteArray &path)
{
    struct stat st;
    return ::stat(path.constData(), &st) == 0 && S_ISDIR(st.st_mode);
}

// An open folder whose entries are opened relative to it: one path lookup per file instead of
// one per path component. Not open (and empty) when it does not exist.
class Folder
{
public:
    explicit Folder(QByteArray path)
        : m_path(std::move(path))
        , m_fd(::open(m_path.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC))
    {}
    Folder(const Folder &parent, const QByteArray &name)
        : m_path(join(parent.m_path, name))
        , m_fd(parent.m_fd < 0
                   ? -1
                   : ::openat(parent.m_fd, name.constData(), O_RDONLY | O_DIRECTORY | O_CLOEXEC))
    {}
    Folder(const Folder &) = delete;
    Folder &operator=(const Folder &) = delete;
    ~Folder()
    {
        if (m_fd >= 0)
            ::close(m_fd);
    }

    bool isOpen() const { return m_fd >= 0; }
    const QByteArray &path() const { return m_path; }
    QString name() const { return QFile::decodeName(m_path.mid(m_path.lastIndexOf('/') + 1)); }

    // The entries by name, without ".", ".." and ".DS_Store".
    QList<DirEntry> entries() const
    {
        QList<DirEntry> entries;
        const int fd = m_fd < 0 ? -1 : ::dup(m_fd);
        DIR *d = fd < 0 ? nullptr : ::fdopendir(fd);
        if (!d) {
            if (fd >= 0)
                ::close(fd);
            return entries;
        }
        while (const dirent *e = ::readdir(d)) {
            if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0 ||
                std::strcmp(e->d_name, ".DS_Store") == 0)
                continue;
            DirEntry entry{QByteArray(e->d_name), false};
            if (e->d_type == DT_DIR) {
                entry.isDir = true;
            } else if (e->d_type == DT_UNKNOWN || e->d_type == DT_LNK) {
                struct stat st;
                entry.isDir = ::fstatat(m_fd, e->d_name, &st, 0) == 0 && S_ISDIR(st.st_mode);
            }
            entries.append(std::move(entry));
        }
        ::closedir(d);
        std::sort(entries.begin(), entries.end(),
                  [](const DirEntry &a, const DirEntry &b) { return a.name < b.name; });
        return entries;
    }

    // The whole content of the file `name`; false when it cannot be read.
    bool read(const char *name, QByteArray &out) const
    {
        out.clear();
        const int fd = m_fd < 0 ? -1 : ::openat(m_fd, name, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return false;
        char buffer[16384];
        for (;;) {
            const ssize_t n = ::read(fd, buffer, sizeof buffer);
            if (n < 0) {
                ::close(fd);
                return false;
            }
            out.append(buffer, n);
            if (size_t(n) < sizeof buffer) // a regular file's short read is its end
                break;
        }
        ::close(fd);
        return true;
    }

private:
    QByteArray m_path;
    int m_fd = -1;
};

// --- meta.yaml -------------------------------------------------------------------------------

// A flat meta.yaml as MLflow writes it (PyYAML, sort_keys): key → text, nullopt for null.
using Meta = QHash<QByteArray, std::optional<QString>>;

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r'))
        v.chop(1);
    return v;
}

// The common case without a YAML library: one `key: value` per line, values plain, quoted
// without escapes, null, [] or {}. False when the file needs a real YAML parser (folded lines,
// escapes, nested values, comments).
bool parseFlatYaml(const QByteArray &bytes, Meta &meta)
{
    const char *p = bytes.constData();
    const char *const end = p + bytes.size();
    while (p < end) {
        const char *eol = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        if (!eol)
            eol = end;
        QByteArrayView line(p, eol);
        p = eol + 1;
        while (!line.isEmpty() && (line.back() == '\r' || line.back() == ' '))
            line.chop(1);
        if (line.isEmpty())
            continue;
        const char first = line.front();
        if (first == ' ' || first == '\t' || first == '#' || first == '-' || first == '\'' ||
            first == '"' || first == '?' || first == '{' || first == '[')
            return false;
        qsizetype colon = line.indexOf(": ");
        if (colon < 0) {
            if (line.back() != ':')
                return false;
            colon = line.size() - 1;
        }
        const QByteArray key = line.first(colon).toByteArray();
        const QByteArrayView value = trimmed(line.sliced(colon + 1));
        if (value.isEmpty() || value == "null" || value == "~" || value == "Null" ||
            value == "NULL") {
            meta.insert(key, std::nullopt);
            continue;
        }
        const char v0 = value.front();
        if (v0 == '\'') {
            if (value.size() < 2 || value.back() != '\'')
                return false;
            const QByteArrayView inner = value.sliced(1, value.size() - 2);
            QByteArray text;
            text.reserve(inner.size());
            for (qsizetype i = 0; i < inner.size(); ++i) {
                if (inner[i] == '\'') {
                    if (i + 1 >= inner.size() || inner[i + 1] != '\'')
                        return false;
                    ++i;
                }
                text.append(inner[i]);
            }
            meta.insert(key, QString::fromUtf8(text));
        } else if (v0 == '"') {
            if (value.size() < 2 || value.back() != '"' || value.contains('\\'))
                return false;
            meta.insert(key, QString::fromUtf8(value.sliced(1, value.size() - 2)));
        } else if (v0 == '[' || v0 == '{') {
            if (value != "[]" && value != "{}")
                return false;
            meta.insert(key, QString());
        } else if (std::strchr("|>&*!%@`", v0) || value.contains(" #")) {
            return false;
        } else {
            meta.insert(key, QString::fromUtf8(value));
        }
    }
    return true;
}

// Any other YAML through yaml-cpp (mappings and lists as empty text). Problems become warnings.
bool parseYamlMeta(const QByteArray &bytes, const QString &file, Meta &meta, Errors &warnings)
{
    YamlFile yaml(file);
    const std::optional<YAML::Node> root = yaml.parse(bytes);
    if (!root) {
        for (Error &e : yaml.takeErrors())
            warnings.append(std::move(e));
        return false;
    }
    if (!root->IsMap()) {
        warnings.append(Error(u"meta.yaml is not a mapping of keys to values"_s, file, 1, 1,
                              u"MLflow writes `key: value` lines here; the folder is read "
                              u"without this file"_s));
        return false;
    }
    try {
        for (auto it = root->begin(); it != root->end(); ++it) {
            const QByteArray key = QByteArray::fromStdString(it->first.Scalar());
            if (it->second.IsNull())
                meta.insert(key, std::nullopt);
            else if (it->second.IsScalar())
                meta.insert(key, toQString(it->second.Scalar()));
            else
                meta.insert(key, QString());
        }
    } catch (const YAML::Exception &e) {
        warnings.append(Error(toQString(e.msg), file, e.mark.line + 1, e.mark.column + 1));
        return false;
    }
    return true;
}

// Reads `dir`/meta.yaml. Nothing (and no warning) when it is missing; a warning when it is
// empty or malformed.
std::optional<Meta> readMeta(const Folder &dir, Errors &warnings)
{
    QByteArray bytes;
    if (!dir.read("meta.yaml", bytes))
        return std::nullopt;
    const QByteArray path = join(dir.path(), "meta.yaml");
    Meta meta;
    if (trimmed(bytes).isEmpty()) {
        warnings.append(Error(u"meta.yaml is empty"_s, fromPath(path), 0, 0,
                              u"The folder is read with what its other files say"_s));
        return meta;
    }
    if (!parseFlatYaml(bytes, meta)) {
        meta.clear();
        parseYamlMeta(bytes, fromPath(path), meta, warnings);
    }
    return meta;
}

QString text(const Meta &meta, const char *key)
{
    const auto it = meta.constFind(QByteArray::fromRawData(key, qsizetype(std::strlen(key))));
    return it == meta.cend() || !it->has_value() ? QString() : **it;
}

std::optional<qint64> number(const Meta &meta, const char *key)
{
    bool ok = false;
    const qint64 n = text(meta, key).toLongLong(&ok);
    return ok ? std::optional<qint64>(n) : std::nullopt;
}

// --- params, tags and metrics ----------------------------------------------------------------

// One file per key, '/' in a key being a sub-folder; the content is the raw value.
void readKeyFiles(const Folder &dir, const QString &prefix, MlflowKeyValues &out)
{
    QByteArray bytes;
    for (const DirEntry &e : dir.entries()) {
        const QString key = prefix + QString::fromUtf8(e.name);
        if (e.isDir)
            readKeyFiles(Folder(dir, e.name), key + u'/', out);
        else if (dir.read(e.name.constData(), bytes))
            out.insert(key, QString::fromUtf8(bytes));
    }
}

void readKeyFiles(const Folder &parent, const char *folder, MlflowKeyValues &out)
{
    readKeyFiles(Folder(parent, QByteArray(folder)), QString(), out);
}

bool parseInt(QByteArrayView v, qint64 &out)
{
    if (v.startsWith('+'))
        v = v.sliced(1);
    const auto r = std::from_chars(v.data(), v.data() + v.size(), out);
    return r.ec == std::errc() && r.ptr == v.data() + v.size() && !v.isEmpty();
}

// Python's float(): also "nan", "NaN", "inf", "-inf", "Infinity", a leading '+'.
bool parseFloat(QByteArrayView v, double &out)
{
    if (v.startsWith('+'))
        v = v.sliced(1);
    const auto r = fast_float::from_chars(v.data(), v.data() + v.size(), out);
    return r.ec == std::errc() && r.ptr == v.data() + v.size() && !v.isEmpty();
}

// MLflow's "latest": the maximum by (step, timestamp, value); the first one wins a tie (NaN).
bool isLater(const MlflowMetricPoint &a, const MlflowMetricPoint &b)
{
    if (a.step != b.step)
        return a.step > b.step;
    if (a.timestamp != b.timestamp)
        return a.timestamp > b.timestamp;
    return a.value > b.value;
}

int contextIndex(MlflowMetric &metric, MlflowMetricContext context)
{
    const qsizetype i = metric.contexts.indexOf(context);
    if (i >= 0)
        return int(i);
    metric.contexts.append(std::move(context));
    return int(metric.contexts.size() - 1);
}

// A run's metric lines have 2, 3 or 5 fields (`ts value [step [dataset digest]]`); a logged
// model's have 4 or 6 (`ts value step run_id [dataset digest]`).
MlflowMetric readMetricFile(const Folder &dir, const QByteArray &name, const QString &key,
                            bool loggedModel, Errors &warnings)
{
    MlflowMetric metric;
    metric.key = key;
    QByteArray bytes;
    if (!dir.read(name.constData(), bytes))
        return metric;
    metric.points.reserve(bytes.count('\n') + 1);
    const char *p = bytes.constData();
    const char *const end = p + bytes.size();
    int lineNo = 0;
    int malformed = 0;
    int firstMalformed = 0;
    while (p < end) {
        const char *eol = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        if (!eol)
            eol = end;
        const QByteArrayView line = trimmed(QByteArrayView(p, eol));
        p = eol + 1;
        ++lineNo;
        if (line.isEmpty())
            continue;
        QByteArrayView fields[7];
        int n = 0;
        for (qsizetype i = 0; i < line.size() && n < 7;) {
            while (i < line.size() && line[i] == ' ')
                ++i;
            qsizetype j = i;
            while (j < line.size() && line[j] != ' ')
                ++j;
            if (j > i)
                fields[n++] = line.sliced(i, j - i);
            i = j;
        }
        const bool shape = loggedModel ? (n == 4 || n == 6) : (n == 2 || n == 3 || n == 5);
        MlflowMetricPoint point;
        if (!shape || !parseInt(fields[0], point.timestamp) ||
            !parseFloat(fields[1], point.value) || (n >= 3 && !parseInt(fields[2], point.step))) {
            if (malformed++ == 0)
                firstMalformed = lineNo;
            continue;
        }
        if (loggedModel) {
            point.context =
                contextIndex(metric, {QString::fromUtf8(fields[3]),
                                      n == 6 ? QString::fromUtf8(fields[4]) : QString(),
                                      n == 6 ? QString::fromUtf8(fields[5]) : QString()});
        } else if (n == 5) {
            point.context = contextIndex(
                metric, {QString(), QString::fromUtf8(fields[3]), QString::fromUtf8(fields[4])});
        }
        if (metric.points.isEmpty() || isLater(point, metric.latest))
            metric.latest = point;
        metric.points.append(point);
    }
    if (malformed > 0) {
        const QString expected =
            loggedModel ? u"timestamp value step run_id"_s : u"timestamp value step"_s;
        warnings.append(Error(u"malformed metric line, skipped (%1 such lines in this file)"_s.arg(
                                  QString::number(malformed)),
                              fromPath(join(dir.path(), name)), firstMalformed, 0,
                              u"MLflow writes `%1` per line"_s.arg(expected)));
    }
    return metric;
}

void readMetricsDir(const Folder &dir, const QString &prefix, bool loggedModel,
                    QList<MlflowMetric> &out, Errors &warnings)
{
    for (const DirEntry &e : dir.entries()) {
        const QString key = prefix + QString::fromUtf8(e.name);
        if (e.isDir)
            readMetricsDir(Folder(dir, e.name), key + u'/', loggedModel, out, warnings);
        else
            out.append(readMetricFile(dir, e.name, key, loggedModel, warnings));
    }
}

// --- runs ------------------------------------------------------------------------------------

struct RunJob
{
    QByteArray dir;
    QString experimentId;
    bool experimentDeleted = false;
};

struct RunRead
{
    std::optional<MlflowRun> run;
    Errors warnings;
};

int statusOf(const Meta &meta)
{
    const QString s = text(meta, "status");
    if (s.isEmpty())
        return int(MlflowRunStatus::Running);
    bool ok = false;
    const int n = s.toInt(&ok);
    if (ok)
        return n;
    for (int i = 1; i <= 5; ++i) {
        if (s.compare(mlflowRunStatusName(i), Qt::CaseInsensitive) == 0)
            return i;
    }
    return int(MlflowRunStatus::Running);
}

RunRead readRun(const RunJob &job)
{
    RunRead result;
    const Folder dir(job.dir);
    const std::optional<Meta> meta = readMeta(dir, result.warnings);
    if (!meta) {
        const QString path = fromPath(job.dir);
        result.warnings.append(Error(u"run folder without meta.yaml, skipped"_s, path, 0, 0,
                                     u"MLflow skips such a folder too; restore its meta.yaml "
                                     u"to see the run"_s));
        return result;
    }
    MlflowRun run;
    run.dir = fromPath(job.dir);
    run.id = text(*meta, "run_id");
    if (run.id.isEmpty())
        run.id = text(*meta, "run_uuid");
    if (run.id.isEmpty())
        run.id = QString::fromUtf8(job.dir.mid(job.dir.lastIndexOf('/') + 1));
    run.experimentId = text(*meta, "experiment_id");
    if (run.experimentId.isEmpty())
        run.experimentId = job.experimentId;
    run.status = statusOf(*meta);
    run.startTime = number(*meta, "start_time").value_or(0);
    run.endTime = number(*meta, "end_time");
    run.deletedTime = number(*meta, "deleted_time");
    run.lifecycleStage = text(*meta, "lifecycle_stage");
    if (run.lifecycleStage.isEmpty())
        run.lifecycleStage = u"active"_s;
    run.deleted = job.experimentDeleted || run.lifecycleStage == u"deleted"_s;
    run.artifactUri = text(*meta, "artifact_uri");

    readKeyFiles(dir, "params", run.params);
    readKeyFiles(dir, "tags", run.tags);
    readMetricsDir(Folder(dir, "metrics"), QString(), false, run.metrics, result.warnings);

    run.name = text(*meta, "run_name");
    if (run.name.isEmpty())
        run.name = run.tags.value(u"mlflow.runName"_s);
    run.userId = text(*meta, "user_id");
    if (run.userId.isEmpty())
        run.userId = run.tags.value(u"mlflow.user"_s);
    run.sourceName = run.tags.value(u"mlflow.source.name"_s);
    run.sourceType = run.tags.value(u"mlflow.source.type"_s);
    run.gitCommit = run.tags.value(u"mlflow.source.git.commit"_s);
    run.parentRunId = run.tags.value(u"mlflow.parentRunId"_s);
    result.run = std::move(run);
    return result;
}

// --- experiments, logged models, registry ----------------------------------------------------

// Folders of an experiment that are not runs.
bool isReservedExperimentFolder(const QByteArray &name)
{
    return name == "tags" || name == "datasets" || name == "traces" || name == "models" ||
           name.startsWith('.');
}

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

MlflowLoggedModel readLoggedModel(const Folder &dir, const Meta &meta, const QString &experimentId,
                                  Errors &warnings)
{
    MlflowLoggedModel model;
    model.dir = fromPath(dir.path());
    model.id = text(meta, "model_id");
    if (model.id.isEmpty())
        model.id = dir.name();
    model.experimentId = text(meta, "experiment_id");
    if (model.experimentId.isEmpty())
        model.experimentId = experimentId;
    model.name = text(meta, "name");
    model.artifactLocation = text(meta, "artifact_location");
    model.lifecycleStage = text(meta, "lifecycle_stage");
    if (model.lifecycleStage.isEmpty())
        model.lifecycleStage = u"active"_s;
    model.modelType = text(meta, "model_type");
    model.sourceRunId = text(meta, "source_run_id");
    model.status = int(number(meta, "status").value_or(0));
    model.statusMessage = text(meta, "status_message");
    model.creationTime = number(meta, "creation_timestamp").value_or(0);
    model.lastUpdatedTime = number(meta, "last_updated_timestamp").value_or(0);
    readKeyFiles(dir, "params", model.params);
    readKeyFiles(dir, "tags", model.tags);
    readMetricsDir(Folder(dir, "metrics"), QString(), true, model.metrics, warnings);
    return model;
}

MlflowRegisteredModel readRegisteredModel(const Folder &dir, const Meta &meta, Errors &warnings)
{
    MlflowRegisteredModel model;
    model.dir = fromPath(dir.path());
    model.name = text(meta, "name");
    if (model.name.isEmpty())
        model.name = dir.name();
    model.creationTime = number(meta, "creation_timestamp").value_or(0);
    model.lastUpdatedTime = number(meta, "last_updated_timestamp").value_or(0);
    model.description = text(meta, "description");
    readKeyFiles(dir, "tags", model.tags);
    MlflowKeyValues aliases;
    readKeyFiles(dir, "aliases", aliases);
    for (auto it = aliases.cbegin(); it != aliases.cend(); ++it)
        model.aliases.insert(it.key(), it.value().trimmed());

    for (const DirEntry &e : dir.entries()) {
        if (!e.isDir || !e.name.startsWith("version-"))
            continue;
        const Folder versionDir(dir, e.name);
        const std::optional<Meta> vmeta = readMeta(versionDir, warnings);
        if (!vmeta)
            continue;
        MlflowModelVersion version;
        version.version = text(*vmeta, "version");
        if (version.version.isEmpty())
            version.version = QString::fromUtf8(e.name.sliced(8));
        version.creationTime = number(*vmeta, "creation_timestamp").value_or(0);
        version.lastUpdatedTime = number(*vmeta, "last_updated_timestamp").value_or(0);
        version.description = text(*vmeta, "description");
        version.userId = text(*vmeta, "user_id");
        version.currentStage = text(*vmeta, "current_stage");
        if (version.currentStage.isEmpty())
            version.currentStage = u"None"_s;
        version.deleted = version.currentStage == u"Deleted_Internal"_s;
        version.source = text(*vmeta, "source");
        version.runId = text(*vmeta, "run_id");
        version.status = text(*vmeta, "status");
        version.statusMessage = text(*vmeta, "status_message");
        version.storageLocation = text(*vmeta, "storage_location");
        version.modelId = text(*vmeta, "model_id");
        readKeyFiles(versionDir, "tags", version.tags);
        for (auto it = model.aliases.cbegin(); it != model.aliases.cend(); ++it) {
            if (it.value() == version.version)
                version.aliases.append(it.key());
        }
        model.versions.append(std::move(version));
    }
    std::sort(model.versions.begin(), model.versions.end(),
              [](const MlflowModelVersion &a, const MlflowModelVersion &b) {
                  return idLess(a.version, b.version);
              });
    return model;
}

struct ExperimentFolder
{
    QByteArray dir;
    bool inTrash = false;
};

} // namespace

Result<MlflowStore> readMlflowFileStore(const QString &mlrunsDir, const Progress &progress)
{
    const QByteArray root = QFile::encodeName(mlrunsDir);
    if (!isDirectory(root)) {
        return fail(Error(u"no MLflow store at %1: the folder does not exist"_s.arg(mlrunsDir),
                          mlrunsDir, 0, 0,
                          u"Give the path of an `mlruns` folder written by MLflow"_s));
    }
    MlflowStore store;
    store.root = mlrunsDir;

    const Folder rootDir(root);
    const Folder trashDir(rootDir, ".trash");
    QList<ExperimentFolder> folders;
    for (const DirEntry &e : rootDir.entries()) {
        if (e.isDir && e.name != "models" && !e.name.startsWith('.'))
            folders.append({join(root, e.name), false});
    }
    for (const DirEntry &e : trashDir.entries()) {
        if (e.isDir)
            folders.append({join(trashDir.path(), e.name), true});
    }

    // Experiments, and the runs to read.
    QList<RunJob> jobs;
    for (const ExperimentFolder &folder : std::as_const(folders)) {
        const Folder expDir(folder.dir);
        const std::optional<Meta> meta = readMeta(expDir, store.warnings);
        if (!meta)
            continue; // not an experiment (MLflow skips it as well)
        MlflowExperiment exp;
        exp.dir = fromPath(folder.dir);
        const QString folderName = expDir.name();
        exp.id = text(*meta, "experiment_id");
        if (exp.id.isEmpty())
            exp.id = folderName;
        exp.name = text(*meta, "name");
        if (exp.name.isEmpty())
            exp.name = folderName;
        exp.artifactLocation = text(*meta, "artifact_location");
        exp.lifecycleStage = text(*meta, "lifecycle_stage");
        if (exp.lifecycleStage.isEmpty())
            exp.lifecycleStage = u"active"_s;
        exp.creationTime = number(*meta, "creation_time").value_or(0);
        exp.lastUpdateTime = number(*meta, "last_update_time").value_or(0);
        exp.deleted = folder.inTrash || exp.lifecycleStage == u"deleted"_s;
        readKeyFiles(expDir, "tags", exp.tags);

        for (const DirEntry &e : expDir.entries()) {
            if (e.isDir && !isReservedExperimentFolder(e.name))
                jobs.append({join(folder.dir, e.name), exp.id, exp.deleted});
        }
        const Folder modelsDir(expDir, "models");
        for (const DirEntry &e : modelsDir.entries()) {
            if (!e.isDir)
                continue;
            const Folder modelDir(modelsDir, e.name);
            if (const std::optional<Meta> mmeta = readMeta(modelDir, store.warnings))
                store.loggedModels.append(
                    readLoggedModel(modelDir, *mmeta, exp.id, store.warnings));
        }
        store.experiments.append(std::move(exp));
    }
    std::stable_sort(store.experiments.begin(), store.experiments.end(),
                     [](const MlflowExperiment &a, const MlflowExperiment &b) {
                         if (a.deleted != b.deleted)
                             return !a.deleted;
                         return idLess(a.id, b.id);
                     });

    // The registry.
    const Folder registryDir(rootDir, "models");
    for (const DirEntry &e : registryDir.entries()) {
        if (!e.isDir)
            continue;
        const Folder modelDir(registryDir, e.name);
        if (const std::optional<Meta> meta = readMeta(modelDir, store.warnings))
            store.registeredModels.append(readRegisteredModel(modelDir, *meta, store.warnings));
    }

    if (store.experiments.isEmpty() && store.registeredModels.isEmpty()) {
        const QString nested = mlrunsDir + u"/mlruns"_s;
        return fail(Error(u"%1 is not an MLflow file store: no experiment folder with a "
                          u"meta.yaml"_s.arg(mlrunsDir),
                          mlrunsDir, 0, 0,
                          isDirectory(QFile::encodeName(nested))
                              ? u"Open %1 instead"_s.arg(nested)
                              : u"An MLflow store is an `mlruns` folder holding one folder per "
                                u"experiment, each with a meta.yaml (0/meta.yaml is the default "
                                u"experiment)"_s));
    }

    // The runs, in parallel blocks; progress between blocks.
    const qint64 total = jobs.size();
    constexpr qsizetype blockSize = 512;
    QHash<QString, qsizetype> experimentOrder;
    for (qsizetype i = 0; i < store.experiments.size(); ++i)
        experimentOrder.insert(store.experiments[i].id, i);
    store.runs.reserve(jobs.size());
    if (progress && !progress(0, total))
        return fail(Error(u"cancelled"_s, mlrunsDir));
    for (qsizetype start = 0; start < jobs.size(); start += blockSize) {
        const QList<RunJob> block = jobs.mid(start, blockSize);
        const QList<RunRead> reads = QtConcurrent::blockingMapped(block, readRun);
        for (const RunRead &read : reads) {
            store.warnings.append(read.warnings);
            if (read.run)
                store.runs.append(*read.run);
        }
        if (progress && !progress(start + block.size(), total))
            return fail(Error(u"cancelled"_s, mlrunsDir));
    }
    // By experiment, newest first within one (as MLflow lists them).
    std::stable_sort(store.runs.begin(), store.runs.end(),
                     [&](const MlflowRun &a, const MlflowRun &b) {
                         const qsizetype ea = experimentOrder.value(a.experimentId, -1);
                         const qsizetype eb = experimentOrder.value(b.experimentId, -1);
                         if (ea != eb)
                             return ea < eb;
                         if (a.startTime != b.startTime)
                             return a.startTime > b.startTime;
                         return a.id < b.id;
                     });
    return store;
}

} // namespace cairn
