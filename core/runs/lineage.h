#pragma once

#include "common/error.h"
#include "project/command.h"
#include "project/project.h"
#include "store/database.h"
#include "store/objectstore.h"

#include <functional>
#include <memory>

namespace cairn {

// A declared dataset or model file as it was at one moment.
struct FileState
{
    QString kind; // "dataset" or "model"
    QString name; // its name in the project file
    QString path; // relative to the project root
    qint64 size = 0;
    qint64 mtimeMs = 0;
    QString hash;      // "xxh128:<32 hex digits>"
    bool used = false; // a parameter of the run names it
};

struct ArtifactRecord : FileState
{
    QString phase; // "before" or "after"
};

// XXH3-128 of bytes given in pieces, as "xxh128:<32 hex digits>" (used to hash while copying).
class ContentHasher
{
public:
    ContentHasher();
    ~ContentHasher();
    ContentHasher(const ContentHasher &) = delete;
    ContentHasher &operator=(const ContentHasher &) = delete;
    void add(QByteArrayView bytes);
    QString result() const;

private:
    void *m_state = nullptr;
};

// "xxh128:<hex>" of a file's content, read in 1 MiB blocks. `cancelled` stops it.
Result<QString> hashFile(const QString &path, const std::function<bool()> &cancelled = {});

// Content hashes kept in the project database: a file whose size, modification time and inode
// have not changed since it was last hashed is not read again.
class FileHashCache
{
public:
    explicit FileHashCache(Database &db);
    struct Entry
    {
        QString hash; // "xxh128:<hex>"
        qint64 size = 0;
        qint64 mtimeMs = 0;
    };
    // `key` is the name the cache knows the file by (relative to the project root for the
    // project's own files).
    Result<Entry> hash(const QString &file, const QString &key,
                       const std::function<bool()> &cancelled = {});

private:
    Database &m_db;
    std::unique_ptr<Statement> m_lookup;
    std::unique_ptr<Statement> m_store;
};

// Every file the project's datasets and models match now, hashed. A hash is reused from the
// store's cache when the file's size, modification time and inode have not changed.
// `params` marks the files a run's parameters name as used.
Result<QList<FileState>> snapshotDeclaredFiles(const Project &project, Database &db,
                                               const ParamValues &params = {});

// What of `files` to keep in the object store (absolute paths, hashes, sizes), and their hashes.
QList<ContentToKeep> contentsToKeep(const QString &projectRoot, const QList<FileState> &files);
QSet<QString> contentHashes(const QList<FileState> &files);

Result<void> recordArtifacts(Database &db, qint64 runId, const QString &phase,
                             const QList<FileState> &files);
Result<QList<ArtifactRecord>> runArtifacts(Database &db, qint64 runId);

} // namespace cairn
