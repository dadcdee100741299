#include "producers.h"

#include "store/projectdb.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

QString findProjectRoot(const QString &file)
{
    QDir dir = QFileInfo(file).absoluteDir();
    do {
        if (QFileInfo::exists(dir.filePath(u".cairn/cairn.db"_s)))
            return dir.absolutePath();
    } while (dir.cdUp());
    return {};
}

QJsonValue runJson(const std::optional<VersionRun> &run)
{
    if (!run)
        return QJsonValue::Null;
    return QJsonObject{{u"id"_s, run->id}, {u"name"_s, run->name}};
}

} // namespace

ProducingRuns findProducingRuns(const FileVersion &a, const FileVersion &b)
{
    ProducingRuns out;
    out.projectRoot = findProjectRoot(a.path);
    if (out.projectRoot.isEmpty() || findProjectRoot(b.path) != out.projectRoot) {
        out.note = u"the files are not in one Cairn project"_s;
        out.projectRoot.clear();
        return out;
    }
    auto db = openProjectDatabase(out.projectRoot, Database::Mode::ReadOnly);
    if (!db) {
        out.note = u"the project database cannot be read: %1"_s.arg(db.error().toString());
        return out;
    }
    QString error;
    auto producer = [&](const FileVersion &v) -> std::optional<VersionRun> {
        auto run = producingRun(**db, out.projectRoot, v);
        if (!run) {
            error = run.error().toString();
            return std::nullopt;
        }
        return *run;
    };
    out.a = producer(a);
    out.b = producer(b);
    if (!error.isEmpty()) {
        out.note = u"the runs could not be looked up: %1"_s.arg(error);
        return out;
    }
    if (!out.a || !out.b) {
        out.note = !out.a && !out.b ? u"no run of this project made either version"_s
                   : !out.a         ? u"no run of this project made version A"_s
                                    : u"no run of this project made version B"_s;
        return out;
    }
    if (out.a->id == out.b->id) {
        out.note = u"both versions were made by run %1"_s.arg(out.a->id);
        return out;
    }
    auto d = diffRuns(**db, out.a->id, out.b->id);
    if (!d)
        out.note = d.error().toString();
    else
        out.diff = std::move(*d);
    return out;
}

QJsonObject producingRunsJson(const ProducingRuns &runs)
{
    return {{u"a"_s, runJson(runs.a)},
            {u"b"_s, runJson(runs.b)},
            {u"diff"_s, runs.diff ? QJsonValue(runDiffJson(*runs.diff)) : QJsonValue::Null},
            {u"note"_s, runs.note}};
}

QString producingRunsText(const ProducingRuns &runs)
{
    if (runs.diff)
        return u"\nMade by runs %1 and %2:\n"_s.arg(QString::number(runs.a->id),
                                                    QString::number(runs.b->id)) +
               runDiffText(*runs.diff);
    if (runs.projectRoot.isEmpty())
        return {};
    return u"\nRuns that made them: %1\n"_s.arg(runs.note);
}

} // namespace cairn
