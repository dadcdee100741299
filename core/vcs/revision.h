#pragma once

// A version of a file as users name it: `path` (the file as it is now) or `path@rev` (the file
// at a git revision: a commit id, tag, branch or HEAD~2). A file DVC tracks is not in git; at a
// revision its `.dvc` file (or the `dvc.lock` of the stage producing it) names the content's
// md5, and the bytes come from the DVC cache.
//
// In a Cairn project two more revisions name the versions Cairn recorded (core/versioning):
// `path@xxh128:<at least 8 hex digits>` (a content by its hash, as `cairn-cli versions` prints
// it) and `path@run:<id>` (what run <id> wrote to the file, or else what the file held when the
// run started). Their bytes come from the object store (.cairn/objects), else from a git commit
// holding the same content (the run's commit first, then the commits that changed the file).

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
        ObjectStore, // a content Cairn kept in .cairn/objects (core/store/objectstore.h)
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
    QString hash;      // xxh128:… and run:… revisions: the content's full "xxh128:<hex>"
    qint64 runId = 0;  // run:… revisions: the run

    // "data/train.csv at HEAD~2 (3f2a1b0)", "… from the DVC cache", or the path.
    QString describe() const;
    bool inMemory() const { return source == Source::Git; }
};

// Resolves `spec` (relative paths against `baseDir`). A spec naming an existing file is that
// file even if it contains '@'; otherwise the text after the last '@' is the revision.
Result<FileVersion> resolveFileVersion(const QString &spec, const QString &baseDir);

} // namespace cairn
