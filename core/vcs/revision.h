#pragma once

// A version of a file as users name it: `path` (the file as it is now) or `path@rev` (the file
// at a git revision: a commit id, tag, branch or HEAD~2). A file DVC tracks is not in git; at a
// revision its `.dvc` file (or the `dvc.lock` of the stage producing it) names the content's
// md5, and the bytes come from the DVC cache.

#include "common/error.h"

#include <QByteArray>
#include <QString>

namespace cairn {

struct FileVersion
{
    enum class Source
    {
        WorkingFile, // the file on disk now
        Git,         // a git blob at `commit`
        DvcCache,    // a DVC cache object, found through the .dvc file or dvc.lock at `commit`
        GitLfs,      // a Git LFS object in .git/lfs/objects, named by the pointer at `commit`
    };
    QString spec;   // as given
    QString path;   // the file's absolute path in the work tree
    QString rev;    // as given; empty for the working file
    QString commit; // full id of the revision's commit
    Source source = Source::WorkingFile;
    QString localPath; // WorkingFile, DvcCache, GitLfs: the file holding the bytes
    QByteArray bytes;  // Git: the bytes
    QString md5;       // DvcCache: the content hash DVC recorded
    QString trackedBy; // DvcCache: the .dvc or dvc.lock file that recorded it (repository-relative)

    // "data/train.csv at HEAD~2 (3f2a1b0)", "… from the DVC cache", or the path.
    QString describe() const;
    bool inMemory() const { return source == Source::Git; }
};

// Resolves `spec` (relative paths against `baseDir`). A spec naming an existing file is that
// file even if it contains '@'; otherwise the text after the last '@' is the revision.
Result<FileVersion> resolveFileVersion(const QString &spec, const QString &baseDir);

} // namespace cairn
