#pragma once

// The object store: old contents of the declared datasets and models, kept so a version stays
// readable (and diffable) after its file changed without a commit. Files live under
// `<project>/.cairn/objects/<first 2 hex digits>/<other 30>`, named by the xxh128 hash the
// lineage records already compute (core/runs/lineage.h); each is written to a temporary file
// and renamed into place, and re-hashed when read, so a damaged object is an error, never
// silently wrong bytes. See docs/file-formats.md.

#include "common/error.h"

#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

namespace cairn {

struct ObjectStoreLimits
{
    qint64 maxFileBytes = qint64(256) << 20;   // larger files are not kept
    qint64 maxTotalBytes = qint64(2048) << 20; // the store is kept under this
    // From the settings objects/maxFileMB and objects/maxTotalMB (core/settings).
    static ObjectStoreLimits fromSettings();
    bool enabled() const { return maxFileBytes > 0 && maxTotalBytes > 0; }
};

struct StoredObject
{
    QString hash; // "xxh128:<hex>"
    QString path;
    qint64 size = 0;
    qint64 storedMs = 0; // the object file's modification time
};

class ObjectStore
{
public:
    explicit ObjectStore(const QString &projectRoot);

    QString dir() const { return m_dir; }
    // Where the object of `hash` ("xxh128:<32 hex>") is or would be; empty for a malformed hash.
    QString objectPath(const QString &hash) const;
    bool contains(const QString &hash) const;

    // Copies `file` into the store under `hash`, hashing the bytes as they are copied: when the
    // file no longer hashes to `hash` (it changed since it was hashed), nothing is stored and
    // the answer is false. True when the object is stored (or already was).
    Result<bool> put(const QString &file, const QString &hash);

    // The object of `hash`, re-hashed: its path when it is intact, nothing when the store does
    // not have it, an error naming the object when its bytes no longer match its name.
    Result<std::optional<QString>> verifiedPath(const QString &hash) const;

    // The stored hashes ("xxh128:<hex>") whose hex digits start with `hexPrefix`.
    QStringList findByPrefix(const QString &hexPrefix) const;

    QList<StoredObject> objects() const;
    qint64 totalBytes() const;

    // Removes the oldest objects whose hash is not in `keep` until the store holds at most
    // `maxTotalBytes`. Returns how many bytes were freed.
    qint64 evict(qint64 maxTotalBytes, const QSet<QString> &keep);

private:
    QString m_dir;
};

// One file whose content the caller wants kept.
struct ContentToKeep
{
    QString file; // absolute path
    QString hash; // "xxh128:<hex>" the lineage computed
    qint64 size = 0;
};

// Keeps each content of `files` the store does not hold yet, within `limits`: a file larger than
// maxFileBytes is skipped; when storing it would pass maxTotalBytes, the oldest objects that are
// not in `current` (the declared files' contents now) are removed first, and if there is still
// no room it is skipped. Never fails: what could not be kept is returned as warnings.
QStringList keepContents(ObjectStore &store, const QList<ContentToKeep> &files,
                         const QSet<QString> &current, const ObjectStoreLimits &limits);

} // namespace cairn
