#include "driftjobs.h"

#include "store/projectdb.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace cairn::ui {

namespace {

Error cancelledError()
{
    return Error(QCoreApplication::translate("cairn::ui::DriftView", "cancelled"));
}

// Maps a phase's own progress (done of total) to [from, to] permille of the whole job.
Progress phase(DriftProgress &progress, const std::atomic_bool &cancelled, DriftStage stage,
               int from, int to)
{
    progress.stage = int(stage);
    progress.permille = from;
    return [&progress, &cancelled, from, to](qint64 done, qint64 total) {
        if (total > 0)
            progress.permille = from + int(double(to - from) * double(done) / double(total));
        return !cancelled.load();
    };
}

} // namespace

Result<RetrainLaunch> retrainLaunch(const Project &project, const QString &currentArgument,
                                    const QString &referenceArgument)
{
    if (!project.drift || !project.drift->retrain)
        return fail(Error(QCoreApplication::translate(
                              "cairn::ui::DriftView",
                              "the project does not say how to retrain: add a retrain: entry "
                              "under drift: in cairn.yaml, e.g. retrain: {entry_point: train, "
                              "parameters: {data: \"{current}\"}}"),
                          project.projectFile));
    auto current = drift::resolveDataFile(&project, currentArgument, project.rootDir);
    if (!current)
        return fail(current.error());
    auto reference = drift::resolveDataFile(&project, referenceArgument, project.rootDir);
    auto values = drift::retrainParameters(project, *current, reference ? *reference : QString());
    if (!values)
        return fail(values.error());
    return RetrainLaunch{project.drift->retrain->entryPoint, project.drift->retrain->pipeline,
                         *values, project.relativePath(*current)};
}

QString describeRetrain(const Project &project, const QString &currentArgument,
                        const QString &referenceArgument)
{
    auto tr = [](const char *text) {
        return QCoreApplication::translate("cairn::ui::DriftView", text);
    };
    auto launch = retrainLaunch(project, currentArgument, referenceArgument);
    if (!launch)
        return tr("Retrain is not available: %1").arg(launch.error().message);
    QStringList shown;
    for (const auto &[name, value] : launch->values)
        shown.append(name + u'=' + value);
    if (!launch->pipeline.isEmpty()) {
        QString text = tr("Retrain on %1: starts the pipeline “%2” with %3")
                           .arg(launch->batch, launch->pipeline,
                                shown.isEmpty() ? tr("its default values") : shown.join(u", "_s));
        if (const PipelineSpec *p = project.pipeline(launch->pipeline)) {
            QStringList steps;
            for (const PipelineStep &step : p->steps)
                steps.append(step.displayName());
            text += u"\n\n"_s + steps.join(u" → "_s);
        }
        text += u"\n\n"_s + tr("You confirm the values (and, the first time, that you trust "
                               "this project) before it starts; a failed step stops the chain.");
        return text;
    }
    QString text = tr("Retrain on %1: runs the entry point “%2” with %3")
                       .arg(launch->batch, launch->entryPoint,
                            shown.isEmpty() ? tr("its default parameters") : shown.join(u", "_s));
    if (auto command = buildLaunchCommand(project, launch->entryPoint, launch->values))
        text += u"\n\n$ "_s + command->shellCommand;
    else if (!command.error().isEmpty())
        text +=
            u"\n\n"_s + tr("It cannot start as it is: %1").arg(command.error().first().toString());
    text += u"\n\n"_s + tr("You confirm the parameters (and, the first time, that you trust "
                           "this project) before it starts.");
    return text;
}

QString fileKey(const QString &path)
{
    const QFileInfo fi(path);
    return u"%1|%2|%3"_s.arg(fi.absoluteFilePath())
        .arg(fi.size())
        .arg(fi.lastModified().toMSecsSinceEpoch());
}

ComparisonResult runComparison(const ComparisonRequest &request, const std::atomic_bool &cancelled,
                               DriftProgress &progress)
{
    QElapsedTimer timer;
    timer.start();
    ComparisonResult out;
    const Project &project = request.project;
    auto reference = drift::resolveDataFile(&project, request.referenceArgument, project.rootDir);
    if (!reference) {
        out.error = reference.error();
        out.error->message.prepend(u"reference: "_s);
        return out;
    }
    auto current = drift::resolveDataFile(&project, request.currentArgument, project.rootDir);
    if (!current) {
        out.error = current.error();
        out.error->message.prepend(u"current: "_s);
        return out;
    }
    out.referenceFile = *reference;
    out.currentFile = *current;
    out.referenceKey = fileKey(*reference);

    const bool cached = request.cachedReference && request.cachedKey == out.referenceKey;
    const int readEnd = cached ? 0 : 400;
    if (cached) {
        out.referenceTable = request.cachedReference;
    } else {
        auto table = readTable(
            *reference, {}, phase(progress, cancelled, DriftStage::ReadingReference, 0, readEnd));
        if (!table) {
            out.error = cancelled ? cancelledError() : table.error();
            return out;
        }
        out.referenceTable = std::make_shared<const Table>(std::move(*table));
    }
    if (cancelled) {
        out.error = cancelledError();
        return out;
    }
    auto table = readTable(*current, {},
                           phase(progress, cancelled, DriftStage::ReadingCurrent, readEnd, 800));
    if (!table) {
        out.error = cancelled ? cancelledError() : table.error();
        return out;
    }
    auto report = drift::computeDrift(*out.referenceTable, *table, request.options,
                                      phase(progress, cancelled, DriftStage::Comparing, 800, 1000));
    if (!report) {
        out.error = cancelled ? cancelledError() : report.error();
        return out;
    }
    out.report = std::move(*report);
    out.report.reference = project.relativePath(*reference);
    out.report.current = project.relativePath(*current);
    progress.permille = 1000;
    out.elapsedMs = timer.elapsed();
    return out;
}

HistoryResult runHistory(const Project &project, const drift::ProjectDrift &drift,
                         const std::atomic_bool &cancelled, DriftProgress &progress)
{
    QElapsedTimer timer;
    timer.start();
    HistoryResult out;
    auto db = openProjectDatabase(project.rootDir);
    if (!db) {
        out.error = db.error();
        return out;
    }
    auto history = drift::computeDriftHistory(
        project, **db, drift, phase(progress, cancelled, DriftStage::Batches, 0, 1000));
    if (!history) {
        out.error = cancelled ? cancelledError() : history.error();
        return out;
    }
    out.history = std::move(*history);
    out.elapsedMs = timer.elapsed();
    return out;
}

} // namespace cairn::ui
