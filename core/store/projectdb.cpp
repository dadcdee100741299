#include "projectdb.h"

#include <QDir>
#include <QFile>

using namespace Qt::StringLiterals;

namespace cairn {

QString projectDatabasePath(const QString &projectRoot)
{
    return QDir(projectRoot).filePath(u".cairn/cairn.db"_s);
}

// Each step is applied once, in order, inside one transaction, and recorded in
// PRAGMA user_version. Never edit a released step: add a new one.
const QList<Migration> &projectMigrations()
{
    static const QList<Migration> steps = {
        {1, R"sql(
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    entry_point   TEXT NOT NULL,
    command       TEXT NOT NULL,
    working_dir   TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL CHECK (status IN
                      ('queued', 'running', 'finished', 'failed', 'cancelled', 'lost')),
    created_ms    INTEGER NOT NULL,
    started_ms    INTEGER,
    ended_ms      INTEGER,
    exit_code     INTEGER,
    exit_signal   INTEGER,
    error         TEXT,
    pid           INTEGER,
    supervisor_pid INTEGER,
    note          TEXT NOT NULL DEFAULT ''
);
CREATE INDEX runs_status ON runs (status);
CREATE INDEX runs_created ON runs (created_ms);

CREATE TABLE params (
    run_id   INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key      TEXT NOT NULL,
    value    TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;

CREATE TABLE tags (
    run_id  INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
)sql"},
    };
    return steps;
}

Result<std::unique_ptr<Database>> openProjectDatabase(const QString &projectRoot,
                                                      Database::Mode mode)
{
    const QString path = projectDatabasePath(projectRoot);
    if (mode == Database::Mode::ReadWrite) {
        // Keep Cairn's state out of the user's commits.
        const QString ignore = QDir(projectRoot).filePath(u".cairn/.gitignore"_s);
        QDir().mkpath(QDir(projectRoot).filePath(u".cairn"_s));
        if (!QFile::exists(ignore)) {
            QFile f(ignore);
            if (f.open(QIODevice::WriteOnly))
                f.write("# Cairn's run records, logs and caches: local state, not source.\n*\n");
        }
    }
    return Database::open(path, mode, projectMigrations());
}

} // namespace cairn
