#include "launcher.h"

#include "runstore.h"
#include "settings/settings.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

using namespace Qt::StringLiterals;

namespace cairn {

QString runDirectory(const QString &projectRoot, qint64 id)
{
    return QDir(projectRoot).filePath(u".cairn/runs/%1"_s.arg(id));
}

RunSpec readRunSpec(const QString &runDir)
{
    RunSpec spec;
    QFile f(QDir(runDir).filePath(u"run.json"_s));
    if (!f.open(QIODevice::ReadOnly))
        return spec;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonArray patterns = o.value(u"metric_patterns"_s).toArray();
    for (const QJsonValue &v : patterns) {
        const QJsonObject p = v.toObject();
        spec.metricPatterns.append(
            MetricPattern{p.value(u"pattern"_s).toString(), p.value(u"name"_s).toString(), {}});
    }
    return spec;
}

Result<QString> installPythonHelper(const QString &projectRoot)
{
    const QString dir = QDir(projectRoot).filePath(u".cairn/python"_s);
    const QString target = QDir(dir).filePath(u"cairn.py"_s);
    QFile source(u":/cairn/python/cairn.py"_s);
    if (!source.open(QIODevice::ReadOnly))
        return fail(Error(u"the Python helper is missing from this build of Cairn"_s));
    const QByteArray bytes = source.readAll();
    QFile existing(target);
    if (existing.open(QIODevice::ReadOnly) && existing.readAll() == bytes)
        return dir;
    existing.close();
    QDir().mkpath(dir);
    QSaveFile out(target);
    if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size() || !out.commit())
        return fail(Error(u"cannot write the Python helper: %1"_s.arg(out.errorString()), target));
    return dir;
}

std::expected<PreparedRun, Errors> prepareRun(const Project &project, Database &db,
                                              const LaunchRequest &request,
                                              const QString &storeRoot)
{
    const QString root = storeRoot.isEmpty() ? project.rootDir : storeRoot;
    CommandOptions options;
    auto command = buildLaunchCommand(project, request.entryPoint, request.values, options);
    if (!command)
        return std::unexpected(command.error());
    if (commandUsesPython(command->shellCommand)) {
        const auto python = resolvePythonInterpreter();
        if (!python)
            return std::unexpected(Errors{Error(python.error())});
        options.pythonInterpreter = *python;
        command = buildLaunchCommand(project, request.entryPoint, request.values, options);
        if (!command)
            return std::unexpected(command.error());
    }
    if (auto helper = installPythonHelper(root); !helper)
        return std::unexpected(Errors{helper.error()});

    RunRecord record;
    record.name = request.name;
    record.note = request.note;
    record.entryPoint = command->entryPoint;
    record.command = command->shellCommand;
    record.workingDir = command->workingDirectory;
    record.reproduces = request.reproduces;
    record.params = command->parameters;
    record.status = RunStatus::Queued;
    record.created = QDateTime::currentDateTime();
    auto id = RunStore(db).create(record);
    if (!id)
        return std::unexpected(Errors{id.error()});
    record.id = *id;
    auto stored = RunStore(db).get(*id);
    if (stored)
        record = *stored;

    PreparedRun prepared{record, runDirectory(root, record.id)};
    if (!QDir().mkpath(prepared.runDir))
        return std::unexpected(Errors{Error(u"cannot create the run folder"_s, prepared.runDir)});

    QJsonObject params;
    for (const auto &[k, v] : record.params)
        params.insert(k, v);
    QJsonObject doc;
    doc.insert(u"run"_s, record.id);
    doc.insert(u"uuid"_s, record.uuid);
    doc.insert(u"entry_point"_s, record.entryPoint);
    doc.insert(u"command"_s, record.command);
    doc.insert(u"working_dir"_s, record.workingDir);
    doc.insert(u"parameters"_s, params);
    QSaveFile f(QDir(prepared.runDir).filePath(u"params.json"_s));
    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(doc).toJson()) < 0 || !f.commit())
        return std::unexpected(
            Errors{Error(u"cannot write params.json: %1"_s.arg(f.errorString()), f.fileName())});

    // What the supervisor needs from the entry point as it was at launch.
    QJsonArray patterns;
    if (const EntryPoint *ep = project.entryPoint(record.entryPoint)) {
        for (const MetricPattern &m : ep->metricPatterns) {
            QJsonObject p;
            p.insert(u"pattern"_s, m.regex);
            p.insert(u"name"_s, m.metric);
            patterns.append(p);
        }
    }
    QJsonObject spec;
    spec.insert(u"metric_patterns"_s, patterns);
    QSaveFile sf(QDir(prepared.runDir).filePath(u"run.json"_s));
    if (!sf.open(QIODevice::WriteOnly) || sf.write(QJsonDocument(spec).toJson()) < 0 ||
        !sf.commit())
        return std::unexpected(
            Errors{Error(u"cannot write run.json: %1"_s.arg(sf.errorString()), sf.fileName())});
    return prepared;
}

} // namespace cairn
