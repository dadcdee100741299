// runPipeline: a pipeline run's steps in order, each prepared as a run and supervised in this
// process; built-in steps (validate, gate, register, promote) run cairn-cli itself.

#include "pipeline.h"
#include "pipelinestore.h"
#include "project/projectfile.h"
#include "registry/registry.h"
#include "runs/launcher.h"
#include "runs/lineage.h"
#include "runs/process.h"
#include "runs/supervisor.h"
#include "runs/supervisorprocess.h"
#include "store/projectdb.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <csignal>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace cairn::pipeline {

namespace {

// The entry point names of built-in steps: a space keeps them apart from the user's names,
// which cairn.yaml restricts to letters, digits, '_', '-' and '.'.
QString builtinEntryName(PipelineStep::Kind kind)
{
    return u"cairn "_s + pipelineStepKindName(kind);
}

volatile std::sig_atomic_t g_cancelRequested = 0;

extern "C" void onPipelineSignal(int)
{
    g_cancelRequested = 1;
}

constexpr int kCancelSignals[] = {SIGINT, SIGTERM, SIGHUP};
int g_guardDepth = 0;
struct sigaction g_oldActions[std::size(kCancelSignals)] = {};

// The lines of a built-in step's log that say why it failed: FAIL lines of a report, else
// error lines, else the last line.
QString failureReason(const QString &logPath)
{
    QFile f(logPath);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    static const QRegularExpression ansi(u"\x1b\\[[0-9;]*[A-Za-z]"_s);
    QStringList lines;
    for (const QString &line : QString::fromUtf8(f.readAll()).split(u'\n')) {
        QString l = line.section(u'\r', -1);
        l.remove(ansi);
        l = l.simplified();
        if (!l.isEmpty())
            lines.append(l);
    }
    QStringList picked;
    for (const QString &l : std::as_const(lines)) {
        if (l.startsWith(u"FAIL"_s))
            picked.append(l);
    }
    if (picked.isEmpty()) {
        for (const QString &l : std::as_const(lines)) {
            if (l.contains(u"error:"_s))
                picked.append(l.section(u"error: "_s, 1));
        }
    }
    if (picked.isEmpty() && !lines.isEmpty())
        picked.append(lines.last());
    const qsizetype more = picked.size() - 3;
    if (more > 0) {
        picked = picked.first(3);
        picked.append(u"and %1 more"_s.arg(more));
    }
    return picked.join(u"; "_s);
}

// The last line of a finished built-in step's log ("All 11 rules passed.", "gate passed").
QString lastLine(const QString &logPath)
{
    QFile f(logPath);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split(u'\n');
    return lines.isEmpty() ? QString() : lines.last().simplified();
}

// What a run step's failure says: "exit code 1", "killed by signal 9", plus the run's error.
QString runFailure(const RunRecord &run)
{
    QString what;
    if (run.exitSignal)
        what = u"killed by signal %1"_s.arg(*run.exitSignal);
    else if (run.exitCode)
        what = u"exit code %1"_s.arg(*run.exitCode);
    else
        what = u"run %1 %2"_s.arg(QString::number(run.id), runStatusName(run.status));
    if (!run.error.isEmpty())
        what += u": "_s + run.error;
    return what;
}

class Runner
{
public:
    Runner(const QString &root, Database &db, const Project &project, PipelineRunRecord &record,
           const std::function<void(const StepRecord &)> &onStep,
           const std::function<void(QByteArrayView)> &onOutput)
        : m_root(root)
        , m_db(db)
        , m_project(project)
        , m_record(record)
        , m_onStep(onStep)
        , m_onOutput(onOutput)
        , m_cancelFile(QDir(pipelineDirectory(root, record.id)).filePath(u"cancel"_s))
    {}

    // Runs every step; returns the pipeline's final status and error.
    std::pair<QString, QString> run(const QList<PipelineStep> &steps)
    {
        for (qsizetype i = 0; i < steps.size(); ++i) {
            StepRecord &rec = m_record.steps[i];
            const QString label = u"step %1 (%2)"_s.arg(QString::number(i + 1), rec.name);
            if (g_cancelRequested || QFile::exists(m_cancelFile))
                return {u"cancelled"_s, u"cancelled before %1"_s.arg(label)};
            rec.status = StepStatus::Running;
            update(rec);
            runStep(steps[i], i, rec);
            update(rec);
            if (rec.status == StepStatus::Cancelled)
                return {u"cancelled"_s, label + u" was cancelled"_s};
            if (rec.status != StepStatus::Finished)
                return {u"failed"_s, u"%1 failed: %2"_s.arg(label, rec.message)};
            m_stepRuns.insert(i, rec.runId.value_or(0));
        }
        return {u"finished"_s, QString()};
    }

private:
    void update(const StepRecord &rec)
    {
        (void)PipelineStore(m_db).setStep(m_record.id, rec);
        if (m_onStep)
            m_onStep(rec);
    }

    void runStep(const PipelineStep &step, qsizetype index, StepRecord &rec)
    {
        LaunchRequest request;
        request.note = u"Step %1 of %2 of pipeline %3 (pipeline run %4)"_s.arg(
            QString::number(index + 1), QString::number(m_record.steps.size()), m_record.pipeline,
            QString::number(m_record.id));
        Project project = m_project;
        if (step.kind == PipelineStep::Kind::Run) {
            request.entryPoint = step.target;
            request.values = step.parameters;
        } else {
            auto command = builtinCommand(step, index);
            if (!command) {
                rec.status = StepStatus::Failed;
                rec.message = command.error().message;
                return;
            }
            if (!command->done.isEmpty()) {
                // Nothing to do (already registered, alias already held): no run.
                rec.status = StepStatus::Finished;
                rec.message = command->done;
                return;
            }
            EntryPoint ep;
            ep.name = builtinEntryName(step.kind);
            // Braces doubled: the command is a template with no placeholder.
            ep.command = command->command.replace(u'{', u"{{"_s).replace(u'}', u"}}"_s);
            project.entryPoints.append(ep);
            request.entryPoint = ep.name;
        }
        auto prepared = prepareRun(project, m_db, request);
        if (!prepared) {
            rec.status = StepStatus::Failed;
            QStringList messages;
            for (const Error &e : prepared.error())
                messages.append(e.message);
            rec.message = messages.join(u"; "_s);
            return;
        }
        rec.runId = prepared->record.id;
        update(rec);

        SupervisorOptions options;
        options.onOutput = m_onOutput;
        // A cancel that came after the last check but before superviseRun took over the
        // signal handlers: hand it on, so the step's run is cancelled at once.
        options.onStarted = [this](const RunRecord &) {
            if (g_cancelRequested || QFile::exists(m_cancelFile))
                ::raise(SIGTERM);
        };
        auto run = superviseRun(m_root, *rec.runId, options);
        if (!run) {
            rec.status = StepStatus::Failed;
            rec.message = run.error().message;
            return;
        }
        const QString logPath = QDir(prepared->runDir).filePath(u"output.log"_s);
        if (run->status == RunStatus::Cancelled) {
            rec.status = StepStatus::Cancelled;
            rec.message = u"run %1 was cancelled"_s.arg(run->id);
            g_cancelRequested = 1;
            return;
        }
        if (run->status != RunStatus::Finished || run->exitCode.value_or(-1) != 0) {
            rec.status = StepStatus::Failed;
            if (step.kind == PipelineStep::Kind::Run) {
                rec.message = runFailure(*run);
            } else {
                const QString reason = failureReason(logPath);
                rec.message = reason.isEmpty() ? runFailure(*run) : reason;
            }
            return;
        }
        rec.status = StepStatus::Finished;
        switch (step.kind) {
        case PipelineStep::Kind::Run:
            rec.message = u"exit 0"_s;
            break;
        case PipelineStep::Kind::Validate:
            rec.message = lastLine(logPath);
            break;
        case PipelineStep::Kind::Gate:
            rec.message = lastLine(logPath) + unchangedNote(step.target);
            break;
        case PipelineStep::Kind::Register:
        case PipelineStep::Kind::Promote: {
            const auto version = registeredVersion(step.target, m_modelRun);
            if (version && *version)
                rec.message =
                    step.kind == PipelineStep::Kind::Register
                        ? u"version %1"_s.arg(**version)
                        : u"version %1 \u2192 %2"_s.arg(QString::number(**version), step.alias);
            else
                rec.message = lastLine(logPath);
            break;
        }
        }
    }

    struct BuiltinCommand
    {
        QString command;
        QString done; // set instead when there is nothing to run: the step's message
    };

    // " (run 12 left m's files as they were; run 9 wrote them)" when this pipeline's training
    // rewrote the model with the same content, and the step used the run that wrote it.
    QString unchangedNote(const QString &model) const
    {
        if (!m_unchangedBy)
            return {};
        if (m_modelRun == m_unchangedBy)
            return u" (run %1 left %2's files as they were)"_s.arg(QString::number(m_unchangedBy),
                                                                   model);
        return u" (run %1 left %2's files as they were; run %3 wrote them)"_s.arg(
            QString::number(m_unchangedBy), model, QString::number(m_modelRun));
    }

    // The newest finished run whose lineage shows it wrote (changed or created) one of `model`'s
    // files with the content run `runId` left: the run a gate judges and the registry registers
    // for that content. 0 when none did (the files came from outside Cairn).
    Result<qint64> writerOfContent(const QString &model, qint64 runId)
    {
        auto artifacts = runArtifacts(m_db, runId);
        if (!artifacts)
            return fail(artifacts.error());
        auto s = m_db.prepare(
            u"SELECT a.run_id FROM artifacts a JOIN runs r ON r.id = a.run_id LEFT JOIN artifacts "
            "b ON b.run_id = a.run_id AND b.phase = 'before' AND b.path = a.path WHERE a.phase = "
            "'after' AND a.kind = 'model' AND a.name = ?1 AND a.path = ?2 AND a.hash = ?3 AND "
            "r.status = 'finished' AND (b.hash IS NULL OR b.hash <> a.hash) ORDER BY a.run_id "
            "DESC LIMIT 1"_s);
        if (!s)
            return fail(s.error());
        qint64 newest = 0;
        for (const ArtifactRecord &a : *artifacts) {
            if (a.kind != u"model"_s || a.name != model || a.phase != u"after"_s)
                continue;
            s->reset();
            s->bind(1, model).bind(2, a.path).bind(3, a.hash);
            auto row = s->step();
            if (!row)
                return fail(row.error());
            if (*row)
                newest = std::max(newest, s->int64(0));
        }
        return newest;
    }

    // The command of a built-in step: cairn-cli itself. Options come before `--`, which ends
    // them, so a target starting with '-' stays a target.
    Result<BuiltinCommand> builtinCommand(const PipelineStep &step, qsizetype index)
    {
        const QString cli = supervisorExecutable();
        if (cli.isEmpty())
            return fail(Error(u"cannot find cairn-cli, which runs the pipeline's built-in steps"_s)
                            .withHint(u"Install cairn-cli next to cairn, or set CAIRN_CLI"_s));
        const QString exe = shellQuote(cli);
        const QString model = shellQuote(step.target);
        if (step.kind == PipelineStep::Kind::Validate)
            return BuiltinCommand{u"%1 validate -- %2"_s.arg(exe, shellQuote(step.target)), {}};
        auto runId = modelRun(step.target, index);
        if (!runId)
            return fail(runId.error());
        m_modelRun = runId->first;
        m_unchangedBy = 0;
        if (!runId->second) {
            // The registry judges and registers the run that wrote a content, not one that
            // rewrote it with the same bytes: use that run when there is one.
            m_unchangedBy = runId->first;
            auto writer = writerOfContent(step.target, runId->first);
            if (!writer)
                return fail(writer.error());
            if (*writer > 0)
                m_modelRun = *writer;
        }
        const QString run = QString::number(m_modelRun);
        switch (step.kind) {
        case PipelineStep::Kind::Gate:
            return BuiltinCommand{u"%1 gate --model=%2 -- %3"_s.arg(exe, model, run), {}};
        case PipelineStep::Kind::Register: {
            // The same content registered before (by an earlier pipeline run, or by hand): the
            // registry would refuse it; the chain goes on with that version.
            auto version = registeredVersion(step.target, m_modelRun);
            if (!version)
                return fail(version.error());
            if (*version)
                return BuiltinCommand{{},
                                      u"already registered as version %1"_s.arg(**version) +
                                          unchangedNote(step.target)};
            return BuiltinCommand{u"%1 register --run=%2 -- %3"_s.arg(exe, run, model), {}};
        }
        case PipelineStep::Kind::Promote: {
            auto version = registeredVersion(step.target, m_modelRun);
            if (!version)
                return fail(version.error());
            if (!*version)
                return fail(Error(u"run %1's %2 is not registered"_s.arg(run, step.target))
                                .withHint(u"Add a `register: %1` step before the promote "
                                          "step"_s.arg(step.target)));
            auto held = registry::modelVersion(m_db, step.target, **version);
            if (!held)
                return fail(held.error());
            if (held->aliases.contains(step.alias))
                return BuiltinCommand{
                    {},
                    u"version %1 already holds %2"_s.arg(QString::number(**version), step.alias)};
            return BuiltinCommand{u"%1 promote --to=%2 -- %3 %4"_s.arg(exe, shellQuote(step.alias),
                                                                       model,
                                                                       QString::number(**version)),
                                  {}};
        }
        default:
            return fail(Error(u"not a built-in step"_s));
        }
    }

    // The run of this pipeline that wrote `model`, and whether it changed the model's content:
    // the latest earlier run step after which one of the model's files has a content it did not
    // have before; failing that (a training that wrote the same bytes again), the latest
    // earlier run step that recorded the model's files, as `cairn-cli gate` falls back (false:
    // it did not change them).
    Result<std::pair<qint64, bool>> modelRun(const QString &model, qsizetype before)
    {
        std::optional<qint64> recorded;
        for (qsizetype j = before - 1; j >= 0; --j) {
            if (m_record.steps[j].kind != pipelineStepKindName(PipelineStep::Kind::Run) ||
                !m_stepRuns.contains(j))
                continue;
            const qint64 runId = m_stepRuns.value(j);
            auto artifacts = runArtifacts(m_db, runId);
            if (!artifacts)
                return fail(artifacts.error());
            QHash<QString, QString> beforeHash;
            for (const ArtifactRecord &a : *artifacts) {
                if (a.kind == u"model"_s && a.name == model && a.phase == u"before"_s)
                    beforeHash.insert(a.path, a.hash);
            }
            for (const ArtifactRecord &a : *artifacts) {
                if (a.kind != u"model"_s || a.name != model || a.phase != u"after"_s)
                    continue;
                if (beforeHash.value(a.path) != a.hash)
                    return std::pair{runId, true};
                if (!recorded)
                    recorded = runId;
            }
        }
        if (recorded)
            return std::pair{*recorded, false};
        const ModelSpec *spec = m_project.model(model);
        return fail(
            Error(u"no step of this pipeline wrote %1's files (%2)"_s.arg(
                      model, spec ? spec->paths.join(u", "_s) : QString()))
                .withHint(u"Put the run step that trains %1 before this step"_s.arg(model)));
    }

    // The registry version of `model` made from run `runId`: the one recorded with that run,
    // else the one whose files are what the run left (the same content registered before).
    Result<std::optional<int>> registeredVersion(const QString &model, qint64 runId)
    {
        if (runId <= 0)
            return std::optional<int>();
        QSet<QString> left;
        auto artifacts = runArtifacts(m_db, runId);
        if (!artifacts)
            return fail(artifacts.error());
        for (const ArtifactRecord &a : *artifacts) {
            if (a.kind == u"model"_s && a.name == model && a.phase == u"after"_s)
                left.insert(a.path + u'\n' + a.hash);
        }
        auto models = registry::listModels(m_db);
        if (!models)
            return fail(models.error());
        for (const registry::RegisteredModel &m : *models) {
            if (m.name != model)
                continue;
            std::optional<int> sameContent;
            for (const registry::ModelVersion &v : m.versions) { // newest first
                if (v.runId == runId)
                    return std::optional<int>(v.version);
                QSet<QString> files;
                for (const registry::VersionFile &f : v.files)
                    files.insert(f.path + u'\n' + f.hash);
                if (!sameContent && !left.isEmpty() && files == left)
                    sameContent = v.version;
            }
            return sameContent;
        }
        return std::optional<int>();
    }

    QString m_root;
    Database &m_db;
    const Project &m_project;
    PipelineRunRecord &m_record;
    const std::function<void(const StepRecord &)> &m_onStep;
    const std::function<void(QByteArrayView)> &m_onOutput;
    QString m_cancelFile;                // written by cancelPipeline
    QHash<qsizetype, qint64> m_stepRuns; // finished steps' runs
    qint64 m_modelRun = 0;               // the run the last gate/register/promote step used
    qint64 m_unchangedBy = 0; // the run step that rewrote the model with the same content
};

} // namespace

// SIGINT, SIGTERM and SIGHUP between steps stop the chain. While a step runs, superviseRun
// installs its own handlers (and restores these after), so the signal cancels the step's run.
PipelineSignalGuard::PipelineSignalGuard()
{
    if (g_guardDepth++ > 0)
        return; // the outer guard's handlers and request stay
    g_cancelRequested = 0;
    struct sigaction sa = {};
    sa.sa_handler = onPipelineSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (std::size_t i = 0; i < std::size(kCancelSignals); ++i)
        ::sigaction(kCancelSignals[i], &sa, &g_oldActions[i]);
    m_installed = true;
}

PipelineSignalGuard::~PipelineSignalGuard()
{
    --g_guardDepth;
    if (!m_installed)
        return;
    for (std::size_t i = 0; i < std::size(kCancelSignals); ++i)
        ::sigaction(kCancelSignals[i], &g_oldActions[i], nullptr);
}

Result<PipelineRunRecord> runPipeline(const QString &projectRoot, qint64 pipelineRunId,
                                      const std::function<void(const StepRecord &)> &onStep,
                                      const std::function<void(QByteArrayView)> &onOutput)
{
    auto dbr = openProjectDatabase(projectRoot);
    if (!dbr)
        return fail(dbr.error());
    Database &db = **dbr;
    PipelineStore store(db);
    auto record = store.get(pipelineRunId);
    if (!record)
        return fail(record.error());
    PipelineSignalGuard signalGuard;
    // A cancel before the claim (Ctrl-C while cairn-cli prepared it): nothing starts.
    if (g_cancelRequested) {
        auto ended = store.endIf(pipelineRunId, u"queued"_s, u"cancelled"_s,
                                 u"cancelled before it started"_s);
        if (!ended)
            return fail(ended.error());
        if (*ended)
            return store.get(pipelineRunId);
    }
    const qint64 self = ::getpid();
    auto claimed = store.claim(pipelineRunId, self, processStartTime(self));
    if (!claimed)
        return fail(claimed.error());
    if (!*claimed)
        return fail(Error(u"pipeline run %1 is %2, not queued; it cannot be started again"_s.arg(
                              QString::number(pipelineRunId), record->status))
                        .withHint(u"Start the pipeline again instead"_s));

    auto finish = [&](const QString &status, const QString &error) -> Result<PipelineRunRecord> {
        if (auto r = store.end(pipelineRunId, status, error); !r)
            return fail(r.error());
        return store.get(pipelineRunId);
    };

    QList<PipelineStep> steps;
    const QString stepsPath = QDir::toNativeSeparators(
        QDir(pipelineDirectory(projectRoot, pipelineRunId)).filePath(u"steps.json"_s));
    {
        QFile f(stepsPath);
        if (!f.open(QIODevice::ReadOnly))
            return finish(u"failed"_s,
                          u"cannot read the pipeline's steps from %1: %2; start the pipeline "
                          "again"_s.arg(stepsPath, f.errorString()));
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &parseError);
        if (parseError.error != QJsonParseError::NoError)
            return finish(
                u"failed"_s,
                u"%1 is not valid JSON (%2 at offset %3); it was changed after the "
                "pipeline was prepared: start the pipeline again"_s.arg(
                    stepsPath, parseError.errorString(), QString::number(parseError.offset)));
        for (const QJsonValue &v : doc.object().value(u"steps"_s).toArray())
            steps.append(stepFromJson(v.toObject()));
    }
    if (steps.size() != record->steps.size())
        return finish(u"failed"_s,
                      u"%1 lists %2 steps but pipeline run %3 recorded %4; it was changed after "
                      "the pipeline was prepared: start the pipeline again"_s.arg(
                          stepsPath, QString::number(steps.size()), QString::number(pipelineRunId),
                          QString::number(record->steps.size())));
    auto project = loadProject(projectRoot);
    if (!project)
        return finish(u"failed"_s,
                      u"the project file cannot be read: "_s + project.error().first().toString());

    record->status = u"running"_s;
    Runner runner(projectRoot, db, *project, *record, onStep, onOutput);
    const auto [status, error] = runner.run(steps);
    return finish(status, error);
}

} // namespace cairn::pipeline
