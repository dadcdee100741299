#include "versions.h"

#include "runs/lineage.h"

#include <QDateTime>
#include <QDir>
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
    return QJsonObject{{u"id"_s, r.id}, {u"name"_s, r.name}, {u"entry_point"_s, r.entryPoint}};
}

QString runLabel(const VersionRun &r)
{
    return r.name.isEmpty() ? u"#%1"_s.arg(r.id) : u"#%1 %2"_s.arg(r.id).arg(r.name);
}

} // namespace

namespace {

// The lineage records and registrations, oldest first, of the files `name` matches (all when
// empty) or, with `exactPath`, of that path only.
Result<QList<Row>> readRows(Database &db, const QString &name, bool exactPath)
{
    const QString where = exactPath ? u" WHERE a.path = ?1"_s : QString();
    const QString whereRegistered = exactPath ? u" WHERE path = ?1"_s : QString();
    auto s = db.prepare(
        u"SELECT r.id, r.name, r.created_ms, a.phase, a.kind, a.name, a.path, "
        "a.size, a.hash, a.used, r.entry_point FROM artifacts a JOIN runs r ON r.id = a.run_id"_s +
        where +
        u" UNION ALL SELECT 0, '', registered_ms, 'registered', kind, name, path, "
        "size, hash, 0, '' FROM registered_versions"_s +
        whereRegistered + u" ORDER BY 3, 1, 4 DESC"_s);
    if (!s)
        return fail(s.error());
    if (exactPath)
        s->bind(1, name);
    QList<Row> rows;
    while (true) {
        auto more = s->step();
        if (!more)
            return fail(more.error());
        if (!*more)
            break;
        Row r;
        r.run = {s->int64(0), s->text(1), s->int64(2), s->text(10)};
        r.phase = s->text(3);
        r.kind = s->text(4);
        r.name = s->text(5);
        r.path = s->text(6);
        r.size = s->int64(7);
        r.hash = s->text(8);
        r.used = s->int64(9) != 0;
        if (exactPath || matches(name, r.name, r.path))
            rows.append(r);
    }
    return rows;
}

// One version per (path, hash), in the order first seen, with the lineage the rows show.
class VersionBuilder
{
public:
    DataVersion &versionOf(const Row &r)
    {
        const QString key = r.path + u'\n' + r.hash;
        auto it = m_index.constFind(key);
        if (it != m_index.cend())
            return m_versions[*it];
        DataVersion v;
        v.kind = r.kind;
        v.name = r.name;
        v.path = r.path;
        v.hash = r.hash;
        v.size = r.size;
        v.firstSeenMs = r.run.createdMs;
        m_index.insert(key, m_versions.size());
        m_versions.append(v);
        return m_versions.last();
    }

    void add(const QList<Row> &rows)
    {
        QHash<QPair<qint64, QString>, QString> before; // (run, path) -> hash before the run
        for (const Row &r : rows) {
            DataVersion &v = versionOf(r);
            if (r.phase == u"registered"_s) {
                if (!v.registeredMs)
                    v.registeredMs = r.run.createdMs;
                continue;
            }
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
                // A parameter naming a file the run then rewrote is its output path, not an
                // input: the run replaced the earlier version rather than used it.
                Row old = r;
                old.hash = *was;
                DataVersion &replaced = versionOf(old);
                replaced.usedBy.removeIf([&](const VersionRun &u) { return u.id == r.run.id; });
            }
        }
    }

    QList<DataVersion> &versions() { return m_versions; }

private:
    QList<DataVersion> m_versions;
    QHash<QString, qsizetype> m_index; // path + '\n' + hash -> position
};

void sortVersions(QList<DataVersion> &versions)
{
    std::stable_sort(versions.begin(), versions.end(), [](const auto &a, const auto &b) {
        return std::tie(a.kind, a.name, a.path) < std::tie(b.kind, b.name, b.path);
    });
}

QString hexDigits(const QString &hash)
{
    return hash.mid(hash.indexOf(u':') + 1);
}

} // namespace

Result<QList<DataVersion>> recordedVersions(Database &db, const QString &name)
{
    auto rows = readRows(db, name, false);
    if (!rows)
        return fail(rows.error());
    VersionBuilder b;
    b.add(*rows);
    sortVersions(b.versions());
    return b.versions();
}

Result<std::optional<DataVersion>> findVersion(Database &db, const QString &path,
                                               const QString &hash)
{
    auto rows = readRows(db, path, true);
    if (!rows)
        return fail(rows.error());
    VersionBuilder b;
    b.add(*rows);
    for (const DataVersion &v : std::as_const(b.versions())) {
        if (v.hash == hash)
            return std::optional<DataVersion>(v);
    }
    return std::optional<DataVersion>();
}

Result<QList<DataVersion>> findVersionsByPrefix(Database &db, const QString &path,
                                                const QString &hexPrefix)
{
    auto rows = readRows(db, path, true);
    if (!rows)
        return fail(rows.error());
    VersionBuilder b;
    b.add(*rows);
    QList<DataVersion> out;
    for (const DataVersion &v : std::as_const(b.versions())) {
        if (hexDigits(v.hash).startsWith(hexPrefix.toLower()))
            out.append(v);
    }
    return out;
}

Result<RunContent> contentAtRun(Database &db, qint64 runId, const QString &path)
{
    auto arts = runArtifacts(db, runId);
    if (!arts)
        return fail(arts.error());
    std::optional<ArtifactRecord> before, after;
    for (const ArtifactRecord &a : std::as_const(*arts)) {
        if (a.path != path)
            continue;
        (a.phase == u"before"_s ? before : after) = a;
    }
    if (after && (!before || before->hash != after->hash))
        return RunContent{after->hash, after->size, true};
    if (before)
        return RunContent{before->hash, before->size, false};
    return fail(
        Error(u"run %1 recorded no file %2 (it neither produced nor used it)"_s.arg(
                  QString::number(runId), path))
            .withHint(u"`cairn-cli show %1` lists the files a run recorded; only the declared "
                      "datasets and models (`datasets:` and `models:` in the project file) are "
                      "recorded"_s.arg(runId)));
}

Result<QList<DataVersion>> listVersions(const Project &project, Database &db, const QString &name)
{
    auto rows = readRows(db, name, false);
    if (!rows)
        return fail(rows.error());
    VersionBuilder b;
    b.add(*rows);

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
        b.versionOf(r).current = true;
    }
    QList<DataVersion> &versions = b.versions();
    if (versions.isEmpty() && !name.isEmpty())
        return fail(Error(u"no dataset or model named \"%1\""_s.arg(name), project.projectFile)
                        .withHint(u"Declare it under `datasets:` or `models:` in the project "
                                  "file, or give its path"_s));
    const ObjectStore objects(project.rootDir);
    for (DataVersion &v : versions)
        v.stored = objects.contains(v.hash);
    sortVersions(versions);
    return versions;
}

Result<QString> versionHash(Database &db, const QString &projectRoot, const FileVersion &version)
{
    if (!version.hash.isEmpty())
        return version.hash;
    if (version.inMemory()) {
        ContentHasher h;
        h.add(version.bytes);
        return h.result();
    }
    if (version.source == FileVersion::Source::WorkingFile) {
        auto e = FileHashCache(db).hash(version.localPath,
                                        QDir(projectRoot).relativeFilePath(version.localPath));
        if (!e)
            return fail(e.error());
        return e->hash;
    }
    return hashFile(version.localPath);
}

Result<std::optional<VersionRun>> producingRun(Database &db, const QString &projectRoot,
                                               const FileVersion &version)
{
    auto hash = versionHash(db, projectRoot, version);
    if (!hash)
        return fail(hash.error());
    const QString rel = QDir(projectRoot).relativeFilePath(version.path);
    auto v = findVersion(db, rel, *hash);
    if (!v)
        return fail(v.error());
    if (!*v)
        return std::optional<VersionRun>();
    return (*v)->producedBy;
}

Result<QList<DataVersion>> registerVersions(const Project &project, Database &db,
                                            const QStringList &names,
                                            const ObjectStoreLimits &limits, QStringList *warnings)
{
    auto now = snapshotDeclaredFiles(project, db);
    if (!now)
        return fail(now.error());
    QList<FileState> chosen;
    for (const QString &n : names) {
        const bool any = std::any_of(now->cbegin(), now->cend(), [&](const FileState &f) {
            return matches(n, f.name, f.path);
        });
        if (!any)
            return fail(
                Error(u"no declared dataset or model named \"%1\""_s.arg(n), project.projectFile)
                    .withHint(u"Declare it under `datasets:` or `models:` in the "
                              "project file, or give the path of a file it matches"_s));
    }
    for (const FileState &f : std::as_const(*now)) {
        if (names.isEmpty() || std::any_of(names.cbegin(), names.cend(), [&](const QString &n) {
                return matches(n, f.name, f.path);
            }))
            chosen.append(f);
    }
    const qint64 nowMs = QDateTime::currentMSecsSinceEpoch();
    {
        Transaction tx(db);
        if (auto r = tx.begin(); !r)
            return fail(r.error());
        auto s = db.prepare(u"INSERT OR IGNORE INTO registered_versions (path, hash, kind, name, "
                            "size, registered_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"_s);
        if (!s)
            return fail(s.error());
        for (const FileState &f : std::as_const(chosen)) {
            if (auto r = s->bind(1, f.path)
                             .bind(2, f.hash)
                             .bind(3, f.kind)
                             .bind(4, f.name)
                             .bind(5, f.size)
                             .bind(6, nowMs)
                             .exec();
                !r)
                return fail(r.error());
            s->reset();
        }
        if (auto r = tx.commit(); !r)
            return fail(r.error());
    }
    ObjectStore objects(project.rootDir);
    const QStringList kept =
        keepContents(objects, contentsToKeep(project.rootDir, chosen), contentHashes(*now), limits);
    if (warnings)
        *warnings += kept;
    QList<DataVersion> out;
    for (const FileState &f : std::as_const(chosen)) {
        auto v = findVersion(db, f.path, f.hash);
        if (!v)
            return fail(v.error());
        if (*v) {
            (*v)->current = true;
            (*v)->stored = objects.contains(f.hash);
            out.append(**v);
        }
    }
    return out;
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
            {u"registered_ms"_s, v.registeredMs ? QJsonValue(*v.registeredMs) : QJsonValue()},
            {u"stored"_s, v.stored},
        });
    }
    return QJsonObject{{u"versions"_s, list}};
}

QString versionsText(const QList<DataVersion> &versions, const QHash<QString, QString> &notes)
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
        if (v.registeredMs && !v.producedBy)
            parts << u"registered "_s + QDateTime::fromMSecsSinceEpoch(*v.registeredMs)
                                            .toString(u"yyyy-MM-dd HH:mm"_s);
        if (v.stored)
            parts << u"kept"_s;
        if (v.current)
            parts << u"current"_s;
        out += u"  "_s + parts.join(u"  "_s) + u'\n';
        if (const auto note = notes.constFind(v.hash); note != notes.cend())
            out += u"    "_s + *note + u'\n';
    }
    return out;
}

} // namespace cairn
