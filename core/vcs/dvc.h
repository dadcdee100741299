#pragma once

// DVC's own records of the data it tracks, read without DVC: `.dvc` files, `dvc.lock`, `.dir`
// manifests and the local cache (3.x `files/md5/ab/cdef…` and 2.x `ab/cdef…` layouts). Formats:
// ../shared/research/dvc-daff-trackers-formats.md and docs/file-formats.md.

#include "common/error.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace cairn::dvc {

// One output DVC tracks: a file or, when `md5` ends in ".dir", a directory.
struct Out
{
    QString path;        // as written: relative to the folder of the .dvc or dvc.lock file
    QString md5;         // the content hash ("<hex>" or "<hex>.dir")
    bool legacy = false; // no `hash: md5` key: DVC 2.x's md5-dos2unix, stored in the 2.x layout
    qint64 size = -1;    // bytes (a directory: all its files), -1 when not recorded
    qint64 nfiles = -1;  // directories only
    QString stage;       // dvc.lock: the stage that produces it
    bool isDir() const { return md5.endsWith(QLatin1String(".dir")); }
    QString hex() const { return isDir() ? md5.chopped(4) : md5; }
};

// The outs of a `.dvc` file (`outs:` list) or of a `dvc.lock` file (`stages: {name: {outs}}`).
// `file` names the text in errors (with line and column).
Result<QList<Out>> parseDvcFile(const QByteArray &text, const QString &file);
Result<QList<Out>> parseDvcLock(const QByteArray &text, const QString &file);

// A `.dir` manifest: the files of a tracked directory, relative to it (POSIX separators).
struct DirEntry
{
    QString relpath;
    QString md5;
};
Result<QList<DirEntry>> parseDirManifest(const QByteArray &json, const QString &file);

// The cache folder of the DVC project at `repoRoot`: `cache.dir` from .dvc/config.local or
// .dvc/config (relative to .dvc/), else .dvc/cache.
QString cacheDir(const QString &repoRoot);

// The cache file holding the object `md5` ("<hex>" or "<hex>.dir"), trying the layout its
// hash type is stored in first; nothing when it is in neither.
std::optional<QString> cacheObjectPath(const QString &cacheDir, const QString &md5, bool legacy);

// The md5 of a file's bytes (DVC 3.x's hash), hex; and DVC 2.x's md5-dos2unix: text files
// (no NUL and at most 30 % unusual bytes in the first 512) are hashed with CRLF turned to LF.
Result<QString> fileMd5(const QString &path);
QString bytesMd5(const QByteArray &bytes);
Result<QString> fileMd5Dos2Unix(const QString &path);

} // namespace cairn::dvc
