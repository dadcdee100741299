#include "reproduce.h"

#include "lineage.h"
#include "project/projectfile.h"
#include "runstore.h"
#include "vcs/git.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace cairn {

std::expected<Reproduction, Errors> prepareReproduction(const QString &projectRoot, Database &db,
                                                        qint64 runId)
{
    auto original = RunStore(db).get(runId);
    if (!original)
        return std::unexpected(Errors{original.error()});
    if (original->gitCommit.isEmpty())
        return std::unexpected(Errors{
            Error(u"run %1 recorded no commit: the project was not a git repository when it ran"_s
                      .arg(runId))
                .withHint(u"Re-run it instead; there is no code version to go back to"_s)});
    auto git = readGitState(projectRoot);
    if (!git || !git->isRepository)
        return std::unexpected(
            Errors{Error(u"the project is no longer a git repository"_s, projectRoot)});

    QByteArray patch;
    QFile pf(QDir(runDirectory(projectRoot, runId)).filePath(u"git.patch"_s));
    if (pf.open(QIODevice::ReadOnly))
        patch = pf.readAll();
    else if (original->gitDirty.value_or(false))
        return std::unexpected(Errors{
            Error(u"run %1 had uncommitted changes but its git.patch is missing"_s.arg(runId),
                  pf.fileName())});

    const QString base = QDir(projectRoot).filePath(u".cairn/worktrees"_s);
    QDir().mkpath(base);
    QString worktree;
    for (int n = 1;; ++n) {
        worktree = QDir(base).filePath(u"run-%1-%2"_s.arg(runId).arg(n));
        if (!QFileInfo::exists(worktree))
            break;
    }
    if (auto r = gitCreateWorktree(projectRoot, worktree, original->gitCommit, patch); !r)
        return std::unexpected(Errors{r.error()});

    // The project may live in a subfolder of the repository.
    const QString rel = QDir(git->root).relativeFilePath(projectRoot);
    const QString projectInTree = QDir::cleanPath(QDir(worktree).filePath(rel));
    auto project = loadProject(projectInTree);
    if (!project)
        return std::unexpected(project.error());

    Reproduction out;
    out.worktree = projectInTree;
    // Put back the data git does not hold, when it is the data the run read.
    if (auto arts = runArtifacts(db, runId)) {
        for (const ArtifactRecord &a : *arts) {
            if (a.phase != u"before"_s || a.kind != u"dataset"_s)
                continue;
            const QString target = QDir(projectInTree).filePath(a.path);
            if (QFileInfo::exists(target))
                continue;
            const QString source = QDir(projectRoot).filePath(a.path);
            const auto hash =
                QFileInfo::exists(source) ? hashFile(source) : Result<QString>(QString());
            if (hash && *hash == a.hash) {
                QDir().mkpath(QFileInfo(target).absolutePath());
                QFile::link(source, target);
            } else {
                out.warnings.append(u"%1 is not in git and has changed since run %2 read it; the "
                                    "reproduction runs without it"_s.arg(a.path)
                                        .arg(runId));
            }
        }
    }

    LaunchRequest request;
    request.entryPoint = original->entryPoint;
    request.values = original->params;
    request.name = original->name.isEmpty() ? u"reproduce %1"_s.arg(runId) : original->name;
    request.note = u"Reproduces run %1 at commit %2"_s.arg(runId).arg(original->gitCommit.left(12));
    request.reproduces = runId;
    auto prepared = prepareRun(*project, db, request, projectRoot);
    if (!prepared)
        return std::unexpected(prepared.error());
    out.run = *prepared;
    return out;
}

} // namespace cairn
