#include "filestore.h"

#include "filestore_p.h"

#include <QHash>
#include <QtConcurrent>

#include <algorithm>

using namespace Qt::StringLiterals;
using namespace cairn::mlflow::detail;

namespace cairn {

bool mlflowIdLess(const QString &a, const QString &b)
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
                  return mlflowIdLess(a.version, b.version);
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
                         return mlflowIdLess(a.id, b.id);
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
