#include "projectlist.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace cairn {

static const QList<Migration> &listMigrations()
{
    static const QList<Migration> steps = {
        {1, R"sql(
CREATE TABLE projects (
    path        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    added_ms    INTEGER NOT NULL,
    opened_ms   INTEGER,
    trusted     INTEGER NOT NULL DEFAULT 0,
    trusted_ms  INTEGER
);
)sql"},
    };
    return steps;
}

QString ProjectList::defaultPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(u"cairn/projects.db"_s);
}

Result<ProjectList> ProjectList::open(const QString &path)
{
    auto db = Database::open(path, Database::Mode::ReadWrite, listMigrations());
    if (!db)
        return fail(db.error());
    return ProjectList(std::move(*db));
}

QString ProjectList::normalize(const QString &path)
{
    const QFileInfo fi(path);
    const QString canonical = fi.canonicalFilePath();
    return canonical.isEmpty() ? QDir::cleanPath(fi.absoluteFilePath()) : canonical;
}

static qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

Result<void> ProjectList::add(const QString &path, const QString &name)
{
    auto s = m_db->prepare(u"INSERT INTO projects (path, name, added_ms) VALUES (?1, ?2, ?3) "
                           "ON CONFLICT (path) DO UPDATE SET name = excluded.name");
    if (!s)
        return fail(s.error());
    return s->bind(1, normalize(path)).bind(2, name).bind(3, nowMs()).exec();
}

Result<void> ProjectList::remove(const QString &path)
{
    auto s = m_db->prepare(u"DELETE FROM projects WHERE path = ?1");
    if (!s)
        return fail(s.error());
    return s->bind(1, normalize(path)).exec();
}

Result<void> ProjectList::touch(const QString &path, const QString &name)
{
    auto s = m_db->prepare(
        u"INSERT INTO projects (path, name, added_ms, opened_ms) VALUES (?1, ?2, ?3, ?3) "
        "ON CONFLICT (path) DO UPDATE SET name = excluded.name, opened_ms = excluded.opened_ms");
    if (!s)
        return fail(s.error());
    return s->bind(1, normalize(path)).bind(2, name).bind(3, nowMs()).exec();
}

Result<void> ProjectList::setTrusted(const QString &path, bool trusted)
{
    auto s = m_db->prepare(u"INSERT INTO projects (path, name, added_ms, trusted, trusted_ms) "
                           "VALUES (?1, ?2, ?3, ?4, ?3) ON CONFLICT (path) DO UPDATE SET "
                           "trusted = excluded.trusted, trusted_ms = excluded.trusted_ms");
    if (!s)
        return fail(s.error());
    const QString p = normalize(path);
    return s->bind(1, p).bind(2, QFileInfo(p).fileName()).bind(3, nowMs()).bind(4, trusted).exec();
}

bool ProjectList::isTrusted(const QString &path)
{
    auto s = m_db->prepare(u"SELECT trusted FROM projects WHERE path = ?1");
    if (!s)
        return false;
    s->bind(1, normalize(path));
    auto row = s->step();
    return row && *row && s->int64(0) != 0;
}

Result<QList<TrackedProject>> ProjectList::all()
{
    return recent(-1);
}

Result<QList<TrackedProject>> ProjectList::recent(int limit)
{
    auto s = m_db->prepare(u"SELECT path, name, added_ms, opened_ms, trusted FROM projects "
                           "ORDER BY coalesce(opened_ms, added_ms) DESC, name LIMIT ?1");
    if (!s)
        return fail(s.error());
    s->bind(1, qint64(limit));
    QList<TrackedProject> out;
    while (true) {
        auto row = s->step();
        if (!row)
            return fail(row.error());
        if (!*row)
            break;
        TrackedProject p;
        p.path = s->text(0);
        p.name = s->text(1);
        p.added = QDateTime::fromMSecsSinceEpoch(s->int64(2));
        if (!s->isNull(3))
            p.lastOpened = QDateTime::fromMSecsSinceEpoch(s->int64(3));
        p.trusted = s->int64(4) != 0;
        out.append(p);
    }
    return out;
}

} // namespace cairn
