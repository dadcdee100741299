#pragma once

#include "common/error.h"

#include <QDateTime>
#include <QHash>
#include <QString>
#include <QStringList>

#include <optional>

namespace cairn {

// What a run records of the code it ran: the commit, the branch and whether the work tree had
// uncommitted changes.
struct GitState
{
    bool isRepository = false;
    QString root;       // work tree root
    QString commit;     // full hex id, empty on an unborn branch
    QString branch;     // short name, empty when detached
    bool dirty = false; // tracked files modified or staged, or untracked files present
    QString remoteUrl;  // URL of "origin", or of the first remote
    QString summary;    // first line of the commit message
};

struct GitSignature
{
    QString name = QStringLiteral("Cairn");
    QString email = QStringLiteral("cairn@localhost");
    QDateTime when = QDateTime::currentDateTime();
};

// Reads the state of the repository containing `path`. A folder outside any repository gives
// isRepository == false, not an error.
Result<GitState> readGitState(const QString &path);

// Creates a repository in `dir` (branch "main") if there is none.
Result<void> gitInit(const QString &dir);

// Stages every file (respecting .gitignore, including deletions) and commits. Returns the new
// commit's id.
Result<QString> gitCommitAll(const QString &dir, const QString &message,
                             const GitSignature &signature = {});

struct GitCommit
{
    QString id;      // full hex
    QString summary; // first line of the message
    QString author;
    QDateTime when;
};

// The commits reachable from HEAD that changed `path` (relative to the work tree root), newest
// first. With an empty path, all commits.
Result<QList<GitCommit>> gitLog(const QString &repoPath, const QString &path = {}, int limit = -1);

// The commits reachable from `rev` (a commit id, tag, branch or an expression such as HEAD~2),
// newest first, at most `limit` of them (-1: all).
Result<QList<GitCommit>> gitLogFrom(const QString &repoPath, const QString &rev, int limit = -1);

// The short names of the branches and tags that point at each commit (full hex id → names).
Result<QHash<QString, QStringList>> gitRefsByCommit(const QString &repoPath);

// The references whose full names match `glob` ("refs/exps/*"), with the commit each points at,
// sorted by name.
struct GitReference
{
    QString name;   // "refs/exps/ab/cdef…/exp-1"
    QString commit; // full hex
};
Result<QList<GitReference>> gitReferences(const QString &repoPath, const QString &glob);

// The bytes of `path` at revision `rev` (a commit id, tag, branch or an expression such as
// HEAD~2), read from the object database without touching the work tree.
Result<QByteArray> gitFileAtRevision(const QString &repoPath, const QString &rev,
                                     const QString &path);
// The same, with nothing (rather than an error) when `path` does not exist at `rev`.
Result<std::optional<QByteArray>> gitTryFileAtRevision(const QString &repoPath, const QString &rev,
                                                       const QString &path);
// The full id of the commit `rev` names.
Result<QString> gitRevParse(const QString &repoPath, const QString &rev);

// The uncommitted changes of the work tree containing `path`, against HEAD, as a unified diff
// that `git apply` accepts: staged and unstaged changes to tracked files, and untracked files
// that are not ignored and smaller than `maxUntrackedBytes` (larger ones are listed in
// `skipped`). Empty when the tree is clean or has no commit.
struct WorkingTreePatch
{
    QByteArray patch;
    QStringList skipped; // untracked files left out because of their size
};
Result<WorkingTreePatch> gitWorkingTreePatch(const QString &path,
                                             qint64 maxUntrackedBytes = 1 << 20);

// Creates a detached work tree of the repository at `repoPath` in `dir`, checked out at
// `commit`, and applies `patch` (as produced by gitWorkingTreePatch) to it.
Result<void> gitCreateWorktree(const QString &repoPath, const QString &dir, const QString &commit,
                               const QByteArray &patch);

// "1.5.1"
QString libgit2Version();

} // namespace cairn
