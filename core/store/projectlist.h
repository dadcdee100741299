#pragma once

#include "database.h"

#include <QDateTime>
#include <QList>
#include <QString>

namespace cairn {

struct TrackedProject
{
    QString path; // canonical folder path
    QString name;
    QDateTime added;
    QDateTime lastOpened; // invalid when never opened
    bool trusted = false; // the user agreed to run this project's commands
};

// The user's list of the projects Cairn tracks, in <data dir>/cairn/projects.db.
class ProjectList
{
public:
    // The default location: $XDG_DATA_HOME/cairn/projects.db (or the platform's equivalent).
    static QString defaultPath();
    static Result<ProjectList> open(const QString &path = defaultPath());

    Result<void> add(const QString &path, const QString &name);
    Result<void> remove(const QString &path);
    // Marks the project as opened now (adding it if needed).
    Result<void> touch(const QString &path, const QString &name);
    Result<void> setTrusted(const QString &path, bool trusted);
    bool isTrusted(const QString &path);

    // All tracked projects, most recently opened first.
    Result<QList<TrackedProject>> all();
    Result<QList<TrackedProject>> recent(int limit = 10);

private:
    explicit ProjectList(std::unique_ptr<Database> db)
        : m_db(std::move(db))
    {}
    static QString normalize(const QString &path);

    std::shared_ptr<Database> m_db;
};

} // namespace cairn
