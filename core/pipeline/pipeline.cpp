// Pipelines: preparing a pipeline run, the detached supervisor, reading back (with lost
// supervisors) and cancelling. runPipeline is in pipelinerun.cpp, the rows in pipelinestore.cpp.

#include "pipeline.h"

#include "pipelinestore.h"
#include "project/placeholders.h"
#include "project/yamlsupport.h"
#include "runs/process.h"
#include "runs/runstore.h"
#include "runs/supervisorprocess.h"
#include "store/projectdb.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSaveFile>

#include <cerrno>
#include <csignal>
#include <cstring>

using namespace Qt::StringLiterals;

namespace cairn::pipeline {

namespace {

// `text` with every {parameter} replaced by its value (validated by the reader).
QString substitute(const QString &text, const QHash<QString, QString> &values)
{
    const auto found = findPlaceholders(text);
    if (!found)
        return text;
    return substitutePlaceholders(text, *found,
                                  [&](const QString &name) { return values.value(name); });
}

// The values of the pipeline's parameters: given ones checked, defaults for the rest.
std::expected<ParamValues, Errors> checkValues(const PipelineSpec &spec, const ParamValues &given)
{
    Errors errors;
    QStringList names;
    for (const Parameter &p : spec.parameters)
        names.append(p.name);
    QHash<QString, QString> byName;
    for (const auto &[k, v] : given) {
        if (byName.contains(k))
            errors.append(Error(u"parameter \"%1\" is given twice"_s.arg(k)));
        byName.insert(k, v);
        if (!names.contains(k)) {
            const QString guess = closestMatch(k, names);
            errors.append(
                Error(u"pipeline \"%1\" has no parameter \"%2\"%3"_s.arg(
                          spec.name, k,
                          guess.isEmpty() ? QString() : u" (did you mean \"%1\"?)"_s.arg(guess)))
                    .withHint(names.isEmpty() ? u"This pipeline takes no parameters"_s
                                              : u"Its parameters: %1"_s.arg(names.join(u", "_s))));
        }
    }
    ParamValues out;
    for (const Parameter &p : spec.parameters) {
        if (!byName.contains(p.name) && !p.defaultValue) {
            errors.append(Error(u"no value given for parameter \"%1\" of pipeline \"%2\", which "
                                "has no default"_s.arg(p.name, spec.name))
                              .withHint(u"Give a value, for example --param %1=..."_s.arg(p.name)));
            continue;
        }
        const auto checked =
            checkParameterValue(p, byName.value(p.name, p.defaultValue.value_or(QString())));
        if (!checked) {
            errors.append(checked.error());
            continue;
        }
        out.append({p.name, *checked});
    }
    if (!errors.isEmpty())
        return std::unexpected(errors);
    return out;
}

QString projectRootOf(const Database &db)
{
    // <root>/.cairn/cairn.db
    return QFileInfo(QFileInfo(db.path()).absolutePath()).absolutePath();
}

bool supervisorAlive(const std::pair<qint64, qint64> &sup)
{
    // A start time of -1 means the process was already gone when it was recorded.
    return sup.second >= 0 && isProcessAlive(sup.first, sup.second);
}

// A running pipeline run whose supervisor is gone becomes lost; so does a queued one whose
// recorded supervisor is gone (it died before it claimed the run) or that has had no
// supervisor recorded for kUnsupervisedQueuedSecs.
Result<void> reconcile(Database &db, const PipelineRunRecord &record)
{
    const qint64 id = record.id;
    if (record.status != u"running"_s && record.status != u"queued"_s)
        return ok();
    PipelineStore store(db);
    auto sup = store.supervisor(id);
    if (!sup)
        return fail(sup.error());
    if (*sup && supervisorAlive(**sup))
        return ok();
    QString error;
    if (record.status == u"queued"_s) {
        if (!*sup) {
            if (record.created.secsTo(QDateTime::currentDateTime()) < kUnsupervisedQueuedSecs)
                return ok(); // its supervisor is about to be recorded
            error = u"its supervisor never started"_s;
        } else {
            const QString log =
                QDir(pipelineDirectory(projectRootOf(db), id)).filePath(u"supervisor.log"_s);
            error = QFileInfo(log).size() > 0
                        ? u"its supervisor (process %1) ended before it started the pipeline; "
                          "%2 says why"_s.arg(QString::number((*sup)->first),
                                              QDir::toNativeSeparators(log))
                        : u"its supervisor (process %1) ended before it started the pipeline"_s.arg(
                              (*sup)->first);
        }
    } else {
        error = *sup ? u"the pipeline's supervisor (process %1) is gone"_s.arg((*sup)->first)
                     : u"the pipeline's supervisor is gone"_s;
    }
    auto ended = store.endIf(id, record.status, u"lost"_s, error);
    if (!ended)
        return fail(ended.error());
    if (record.status == u"running"_s)
        (void)RunStore(db).reconcile(projectRootOf(db));
    return ok();
}

} // namespace

std::optional<Error> validateTargetProblem(const Project &project, const QString &target,
                                           const QString &subject, bool checkFiles,
                                           bool mayBeWritten)
{
    auto noChecks = [&](const DatasetSpec &ds) {
        return Error(u"dataset \"%1\" declares no checks for the step to validate"_s.arg(ds.name))
            .withHint(u"Add a `checks:` block to the dataset (docs/project-file.md, \"Data "
                      "validation\")"_s);
    };
    // A dataset, or DATASET@REV.
    const QString path = target.section(u'@', 0, 0);
    const DatasetSpec *ds = project.dataset(target);
    if (!ds && target.contains(u'@'))
        ds = project.dataset(path);
    if (ds) {
        if (!ds->checks)
            return noChecks(*ds);
        return std::nullopt;
    }
    QStringList names;
    for (const DatasetSpec &d : project.datasets)
        names.append(d.name);
    // A path (optionally PATH@REV) inside the project; a bare word must be a dataset.
    if (path.isEmpty() || (!path.contains(u'/') && !path.contains(u'.'))) {
        const QString guess = closestMatch(target, names);
        return Error(u"%1 validates \"%2\", which is neither a declared dataset nor a file "
                     "path"_s.arg(subject, target))
            .withHint(guess.isEmpty() ? u"Name a dataset with `checks:` or a file such as "
                                        "data/reference.csv"_s
                                      : u"Did you mean \"%1\"?"_s.arg(guess));
    }
    const QString p = QDir::fromNativeSeparators(path);
    if (QDir::isAbsolutePath(p) || QDir::cleanPath(p).startsWith(u"../"_s) ||
        QDir::cleanPath(p) == u".."_s)
        return Error(u"the file a validate step checks must be inside the project folder, but "
                     "\"%1\" is not"_s.arg(target))
            .withHint(u"Give a path relative to the folder that holds cairn.yaml"_s);
    if (!checkFiles)
        return std::nullopt;
    const QString absolute = project.absolutePath(p);
    if (!QFileInfo(absolute).isFile()) {
        // A file of an earlier revision, or one an earlier run step writes, is the step's to find.
        if (target.contains(u'@') || mayBeWritten)
            return std::nullopt;
        return Error(u"%1 validates \"%2\", which does not exist"_s.arg(subject, target))
            .withHint(u"Give a file of a dataset with checks, or a dataset: %1"_s.arg(
                names.isEmpty() ? u"the project declares none"_s : names.join(u", "_s)));
    }
    for (const DatasetSpec &d : project.datasets) {
        if (project.resolveFiles(d.paths).contains(absolute)) {
            if (!d.checks)
                return noChecks(d);
            return std::nullopt;
        }
    }
    return Error(u"%1 validates \"%2\", which is no file of a declared dataset"_s.arg(subject,
                                                                                      target))
        .withHint(u"Add it to a dataset with `checks:` under `datasets:` in cairn.yaml"_s);
}

std::expected<PipelineRunRecord, Errors> preparePipeline(const Project &project, Database &db,
                                                         const QString &pipeline,
                                                         const ParamValues &values)
{
    const PipelineSpec *spec = project.pipeline(pipeline);
    if (!spec) {
        QStringList names;
        for (const PipelineSpec &p : project.pipelines)
            names.append(p.name);
        const QString guess = closestMatch(pipeline, names);
        return std::unexpected(Errors{
            Error(u"project \"%1\" has no pipeline \"%2\"%3"_s.arg(
                      project.name, pipeline,
                      guess.isEmpty() ? QString() : u" (did you mean \"%1\"?)"_s.arg(guess)),
                  project.projectFile)
                .withHint(names.isEmpty() ? u"Declare pipelines under `pipelines:` in cairn.yaml"_s
                                          : u"Pipelines: %1"_s.arg(names.join(u", "_s)))});
    }
    auto checked = checkValues(*spec, values);
    if (!checked)
        return std::unexpected(checked.error());
    QHash<QString, QString> byName;
    for (const auto &[k, v] : *checked)
        byName.insert(k, v);

    PipelineRunRecord record;
    record.pipeline = spec->name;
    record.status = u"queued"_s;
    record.params = *checked;
    record.created = QDateTime::currentDateTime();
    QJsonArray steps;
    Errors errors;
    bool runBefore = false; // a run step before this one, which may write the file it validates
    for (const PipelineStep &declared : spec->steps) {
        PipelineStep step = declared;
        step.target = substitute(step.target, byName);
        for (auto &[k, v] : step.parameters)
            v = substitute(v, byName);
        // Values that came from the pipeline's parameters are checked now, not at the step.
        if (step.kind == PipelineStep::Kind::Validate) {
            if (auto problem =
                    validateTargetProblem(project, step.target, u"the step"_s, true, runBefore)) {
                problem->message = u"step %1 (%2): %3"_s.arg(
                    QString::number(record.steps.size() + 1), step.displayName(), problem->message);
                errors.append(*problem);
            }
        }
        if (step.kind == PipelineStep::Kind::Run) {
            runBefore = true;
            if (auto command = buildLaunchCommand(project, step.target, step.parameters);
                !command) {
                for (Error e : command.error()) {
                    e.message = u"step %1 (%2): %3"_s.arg(QString::number(record.steps.size() + 1),
                                                          step.displayName(), e.message);
                    errors.append(e);
                }
            }
        }
        steps.append(stepToJson(step));
        StepRecord rec;
        rec.position = int(record.steps.size());
        rec.name = step.displayName();
        rec.kind = pipelineStepKindName(step.kind);
        record.steps.append(rec);
    }
    if (!errors.isEmpty())
        return std::unexpected(errors);
    auto id = PipelineStore(db).create(record);
    if (!id)
        return std::unexpected(Errors{id.error()});
    record.id = *id;

    const QString dir = pipelineDirectory(project.rootDir, record.id);
    QSaveFile f(QDir(dir).filePath(u"steps.json"_s));
    if (!QDir().mkpath(dir) || !f.open(QIODevice::WriteOnly) ||
        f.write(
            QJsonDocument(QJsonObject{{u"pipeline"_s, spec->name}, {u"steps"_s, steps}}).toJson()) <
            0 ||
        !f.commit()) {
        const Error e(u"cannot write the pipeline's steps: %1"_s.arg(f.errorString()),
                      f.fileName());
        (void)PipelineStore(db).end(record.id, u"failed"_s, e.message);
        return std::unexpected(Errors{e});
    }
    return record;
}

Result<qint64> startPipelineSupervisor(const QString &projectRoot, qint64 pipelineRunId)
{
    // A pipeline run no supervisor will take must not wait as queued for ever.
    auto notStarted = [&](Error e) -> Result<qint64> {
        if (auto db = openProjectDatabase(projectRoot))
            (void)PipelineStore(**db).endIf(pipelineRunId, u"queued"_s, u"failed"_s, e.message);
        return fail(e);
    };
    const QString exe = supervisorExecutable();
    if (exe.isEmpty())
        return notStarted(
            Error(u"cannot find cairn-cli, which runs pipelines"_s)
                .withHint(u"Install cairn-cli next to cairn, or set CAIRN_CLI to its path"_s));
    QProcess process;
    process.setProgram(exe);
    process.setArguments({u"pipeline"_s, u"--supervise"_s, QString::number(pipelineRunId),
                          u"--project"_s, projectRoot});
    process.setWorkingDirectory(projectRoot);
    process.setStandardInputFile(QProcess::nullDevice());
    process.setStandardOutputFile(QProcess::nullDevice());
    const QString dir = pipelineDirectory(projectRoot, pipelineRunId);
    QDir().mkpath(dir);
    process.setStandardErrorFile(QDir(dir).filePath(u"supervisor.log"_s));
    qint64 pid = 0;
    if (!process.startDetached(&pid))
        return notStarted(
            Error(u"cannot start the pipeline supervisor: %1"_s.arg(process.errorString()), exe));
    // Until it claims the run, only this record tells a supervisor that died from a slow one.
    if (auto db = openProjectDatabase(projectRoot))
        (void)recordPipelineSupervisor(**db, pipelineRunId, pid);
    return pid;
}

Result<void> recordPipelineSupervisor(Database &db, qint64 pipelineRunId, qint64 pid)
{
    // -1 when it has already ended: reconcile() then finds it gone.
    return PipelineStore(db).recordSupervisor(pipelineRunId, pid, processStartTime(pid));
}

Result<PipelineRunRecord> pipelineRun(Database &db, qint64 id)
{
    PipelineStore store(db);
    auto record = store.get(id);
    if (!record)
        return record;
    if (auto r = reconcile(db, *record); !r)
        return fail(r.error());
    if (record->status != u"running"_s && record->status != u"queued"_s)
        return record;
    return store.get(id);
}

Result<QList<PipelineRunRecord>> listPipelineRuns(Database &db, int limit)
{
    auto ids = PipelineStore(db).newestIds(limit);
    if (!ids)
        return fail(ids.error());
    QList<PipelineRunRecord> out;
    for (qint64 id : *ids) {
        auto r = pipelineRun(db, id);
        if (!r)
            return fail(r.error());
        out.append(*r);
    }
    return out;
}

Result<void> cancelPipeline(Database &db, qint64 id)
{
    auto record = pipelineRun(db, id);
    if (!record)
        return fail(record.error());
    PipelineStore store(db);
    if (record->status == u"queued"_s) {
        auto ended = store.endIf(id, u"queued"_s, u"cancelled"_s, u"cancelled before it started"_s);
        if (!ended)
            return fail(ended.error());
        if (*ended)
            return ok();
        record = store.get(id); // its supervisor took it meanwhile
        if (!record)
            return fail(record.error());
    }
    if (record->status != u"running"_s)
        return fail(Error(
            u"pipeline run %1 has already ended (%2)"_s.arg(QString::number(id), record->status)));
    // The signal stops the running step; the file stops the chain even when the signal came
    // while that step's run was ending (and its supervisor no longer listened).
    QFile marker(QDir(pipelineDirectory(projectRootOf(db), id)).filePath(u"cancel"_s));
    (void)marker.open(QIODevice::WriteOnly);
    marker.close();
    auto sup = store.supervisor(id);
    if (!sup)
        return fail(sup.error());
    const QString markerPath = QDir::toNativeSeparators(marker.fileName());
    if (!*sup || !supervisorAlive(**sup))
        return fail(Error(u"pipeline run %1 is running but its supervisor is gone"_s.arg(id))
                        .withHint(u"Look again with `cairn-cli pipeline --show %1`: it is then "
                                  "marked lost"_s.arg(id)));
    if (::kill(pid_t((*sup)->first), SIGTERM) != 0) {
        const int err = errno;
        return fail(
            Error(u"cannot send SIGTERM to process %1, the supervisor of pipeline run %2: %3"_s.arg(
                      QString::number((*sup)->first), QString::number(id),
                      QString::fromLocal8Bit(std::strerror(err))),
                  markerPath)
                .withHint(u"The chain stops before its next step (%1 is written); to stop the "
                          "running step now, end process %2 as the user who started it"_s.arg(
                              markerPath, QString::number((*sup)->first))));
    }
    return ok();
}

} // namespace cairn::pipeline
