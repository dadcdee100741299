#include "versions.h"

#include "runs/lineage.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QLocale>
#include <QMap>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

struct Row
{
    VersionRun run;
    QString phase;
    QString kind;
    QString name;
    QString path;
    qint64 size = 0;
    QString hash;
    bool used = false;
};

bool matches(const QString &filter, const QString &name, const QString &path)
{
    return filter.isEmpty() || filter == name || filter == path;
}

QJsonObject runJson(const VersionRun &r)
{
    return QJsonObject{{u"id"_s, r.id}, {u"name"_s, r.name}};
}

QString runLabel(const VersionRun &r)
{
    return r.name.isEmpty() ? u"#%1"_s.arg(r.id) : u"#%1 %2"_s.arg(r.id).arg(r.name);
}

} // namespace

Result<QList<DataVersion>> listVersions(const Project &project, Database &db, const QString &name)
{
    auto s = db.prepare(u"SELECT r.id, r.name, r.created_ms, a.phase, a.kind, a.name, a.path, "
                        "a.size, a.hash, a.used FROM artifacts a JOIN runs r ON r.id = a.run_id "
                        "ORDER BY r.created_ms, r.id, a.phase DESC"_s);
    if (!s)
        return fail(s.error());
    QList<Row> rows;
    while (true) {
        auto more = s->step();
        if (!more)
            return fail(more.error());
        if (!*more)
            break;
        Row r;
        r.run = {s->int64(0), s->text(1), s->int64(2)};
        r.phase = s->text(3);
        r.kind = s->text(4);
        r.name = s->text(5);
        r.path = s->text(6);
        r.size = s->int64(7);
        r.hash = s->text(8);
        r.used = s->int64(9) != 0;
        if (matches(name, r.name, r.path))
            rows.append(r);
    }

    // One version per (path, hash), in the order first seen.
    QList<DataVersion> versions;
    QHash<QString, qsizetype> index; // path + '\n' + hash -> position
    auto versionOf = [&](const Row &r) -> DataVersion & {
        const QString key = r.path + u'\n' + r.hash;
        auto it = index.constFind(key);
        if (it != index.cend())
            return versions[*it];
        DataVersion v;
        v.kind = r.kind;
        v.name = r.name;
        v.path = r.path;
        v.hash = r.hash;
        v.size = r.size;
        v.firstSeenMs = r.run.createdMs;
        index.insert(key, versions.size());
        versions.append(v);
        return versions.last();
    };
    QHash<QPair<qint64, QString>, QString> before; // (run, path) -> hash before the run
    for (const Row &r : std::as_const(rows)) {
        DataVersion &v = versionOf(r);
        if (r.phase == u"before"_s) {
            before.insert({r.run.id, r.path}, r.hash);
            ++v.seenByRuns;
            if (r.used)
                v.usedBy.append(r.run);
            continue;
        }
        const auto was = before.constFind({r.run.id, r.path});
        if (was != before.cend() && *was == r.hash)
            continue;
        if (!v.producedBy)
            v.producedBy = r.run; // the file changed during this run: its output
        if (was != before.cend()) {
            // A parameter naming a file the run then rewrote is its output path, not an input:
            // the run replaced the earlier version rather than used it.
            Row old = r;
            old.hash = *was;
            DataVersion &replaced = versionOf(old);
            replaced.usedBy.removeIf([&](const VersionRun &u) { return u.id == r.run.id; });
        }
    }

    auto now = snapshotDeclaredFiles(project, db);
    if (!now)
        return fail(now.error());
    for (const FileState &f : std::as_const(*now)) {
        if (!matches(name, f.name, f.path))
            continue;
        Row r;
        r.kind = f.kind;
        r.name = f.name;
        r.path = f.path;
        r.size = f.size;
        r.hash = f.hash;
        r.run.createdMs = QDateTime::currentMSecsSinceEpoch();
        versionOf(r).current = true;
    }
    if (versions.isEmpty() && !name.isEmpty())
        return fail(Error(u"no dataset or model named \"%1\""_s.arg(name), project.projectFile)
                        .withHint(u"Declare it under `datasets:` or `models:` in the project "
                                  "file, or give its path"_s));
    std::stable_sort(versions.begin(), versions.end(), [](const auto &a, const auto &b) {
        return std::tie(a.kind, a.name, a.path) < std::tie(b.kind, b.name, b.path);
    });
    return versions;
}

QJsonObject versionsJson(const QList<DataVersion> &versions)
{
    QJsonArray list;
    for (const DataVersion &v : versions) {
        QJsonArray used;
        for (const VersionRun &r : v.usedBy)
            used.append(runJson(r));
        list.append(QJsonObject{
            {u"kind"_s, v.kind},
            {u"name"_s, v.name},
            {u"path"_s, v.path},
            {u"hash"_s, v.hash},
            {u"size"_s, v.size},
            {u"first_seen_ms"_s, v.firstSeenMs},
            {u"produced_by"_s, v.producedBy ? QJsonValue(runJson(*v.producedBy)) : QJsonValue()},
            {u"used_by"_s, used},
            {u"seen_by_runs"_s, v.seenByRuns},
            {u"current"_s, v.current},
        });
    }
    return QJsonObject{{u"versions"_s, list}};
}

QString versionsText(const QList<DataVersion> &versions)
{
    if (versions.isEmpty())
        return u"No declared datasets or models (see `datasets:` and `models:` in the project "
               "file).\n"_s;
    QString out;
    QString last;
    const QLocale c = QLocale::c();
    for (const DataVersion &v : versions) {
        const QString head = u"%1 %2 (%3)"_s.arg(v.kind, v.name, v.path);
        if (head != last) {
            out += (last.isEmpty() ? QString() : u"\n"_s) + head + u'\n';
            last = head;
        }
        QStringList parts;
        parts << v.hash.mid(v.hash.indexOf(u':') + 1).left(12)
              << c.formattedDataSize(v.size, 1, QLocale::DataSizeTraditionalFormat)
              << QDateTime::fromMSecsSinceEpoch(v.firstSeenMs).toString(u"yyyy-MM-dd HH:mm"_s);
        if (v.producedBy)
            parts << u"produced by run "_s + runLabel(*v.producedBy);
        if (!v.usedBy.isEmpty()) {
            QStringList used;
            for (const VersionRun &r : v.usedBy)
                used << runLabel(r);
            parts << u"used by "_s + used.join(u", "_s);
        }
        if (v.current)
            parts << u"current"_s;
        out += u"  "_s + parts.join(u"  "_s) + u'\n';
    }
    return out;
}

} // namespace cairn
