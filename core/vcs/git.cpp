#include "git.h"

#include "common/logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTimeZone>

#include <git2.h>

#include <algorithm>
#include <cstring>
#include <memory>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

// libgit2 needs one init per process before any call; it is reference counted.
struct GitLibrary
{
    GitLibrary() { git_libgit2_init(); }
    ~GitLibrary() { git_libgit2_shutdown(); }
};

void ensureLibrary()
{
    static GitLibrary library;
}

template<typename T, void (*Free)(T *)>
struct Deleter
{
    void operator()(T *p) const
    {
        if (p)
            Free(p);
    }
};
template<typename T, void (*Free)(T *)>
using Ptr = std::unique_ptr<T, Deleter<T, Free>>;

using Repo = Ptr<git_repository, git_repository_free>;
using Index = Ptr<git_index, git_index_free>;
using Tree = Ptr<git_tree, git_tree_free>;
using Commit = Ptr<git_commit, git_commit_free>;
using Reference = Ptr<git_reference, git_reference_free>;
using Signature = Ptr<git_signature, git_signature_free>;
using StatusList = Ptr<git_status_list, git_status_list_free>;
using Remote = Ptr<git_remote, git_remote_free>;

Error gitError(const QString &what, const QString &path)
{
    const git_error *e = git_error_last();
    const QString detail = e && e->message ? QString::fromUtf8(e->message) : u"unknown error"_s;
    return Error(u"%1: %2"_s.arg(what, detail), path);
}

QString oidHex(const git_oid *oid)
{
    char buf[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(buf, sizeof buf, oid);
    return QString::fromLatin1(buf);
}

Result<Repo> openRepo(const QString &path, bool search)
{
    ensureLibrary();
    git_repository *raw = nullptr;
    const QByteArray p = QFile::encodeName(path);
    const int rc = search ? git_repository_open_ext(&raw, p.constData(), 0, nullptr)
                          : git_repository_open(&raw, p.constData());
    if (rc != 0)
        return fail(gitError(u"cannot open the git repository"_s, path));
    return Repo(raw);
}

} // namespace

QString libgit2Version()
{
    int major = 0, minor = 0, rev = 0;
    git_libgit2_version(&major, &minor, &rev);
    return u"%1.%2.%3"_s.arg(major).arg(minor).arg(rev);
}

Result<GitState> readGitState(const QString &path)
{
    ensureLibrary();
    GitState state;
    git_buf rootBuf = GIT_BUF_INIT;
    const QByteArray p = QFile::encodeName(path);
    if (git_repository_discover(&rootBuf, p.constData(), 0, nullptr) != 0) {
        git_error_clear();
        return state; // not a repository
    }
    const QString gitDir = QString::fromUtf8(rootBuf.ptr);
    git_buf_dispose(&rootBuf);
    auto repo = openRepo(gitDir, false);
    if (!repo)
        return fail(repo.error());
    state.isRepository = true;
    if (const char *wd = git_repository_workdir(repo->get()))
        state.root = QDir::cleanPath(QString::fromUtf8(wd));

    git_reference *headRaw = nullptr;
    const int rc = git_repository_head(&headRaw, repo->get());
    Reference head(headRaw);
    if (rc == 0) {
        if (git_reference_is_branch(head.get()))
            state.branch = QString::fromUtf8(git_reference_shorthand(head.get()));
        git_commit *c = nullptr;
        if (git_commit_lookup(&c, repo->get(), git_reference_target(head.get())) == 0) {
            Commit commit(c);
            state.commit = oidHex(git_commit_id(commit.get()));
            state.summary = QString::fromUtf8(git_commit_summary(commit.get()));
        }
    } else if (rc == GIT_EUNBORNBRANCH) {
        git_reference *sym = nullptr;
        if (git_reference_lookup(&sym, repo->get(), "HEAD") == 0) {
            Reference s(sym);
            const QString target = QString::fromUtf8(git_reference_symbolic_target(s.get()));
            state.branch = target.startsWith(u"refs/heads/"_s) ? target.mid(11) : target;
        }
    } else {
        return fail(gitError(u"cannot read HEAD"_s, state.root));
    }
    git_error_clear();

    git_status_options opts = GIT_STATUS_OPTIONS_INIT;
    opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
    git_status_list *listRaw = nullptr;
    if (git_status_list_new(&listRaw, repo->get(), &opts) == 0) {
        StatusList list(listRaw);
        state.dirty = git_status_list_entrycount(list.get()) > 0;
    }

    git_remote *remoteRaw = nullptr;
    if (git_remote_lookup(&remoteRaw, repo->get(), "origin") == 0) {
        Remote remote(remoteRaw);
        state.remoteUrl = QString::fromUtf8(git_remote_url(remote.get()));
    } else {
        git_strarray names{};
        if (git_remote_list(&names, repo->get()) == 0 && names.count > 0 &&
            git_remote_lookup(&remoteRaw, repo->get(), names.strings[0]) == 0) {
            Remote remote(remoteRaw);
            state.remoteUrl = QString::fromUtf8(git_remote_url(remote.get()));
        }
        git_strarray_dispose(&names);
    }
    git_error_clear();
    return state;
}

Result<void> gitInit(const QString &dir)
{
    ensureLibrary();
    if (QFile::exists(QDir(dir).filePath(u".git"_s)))
        return ok();
    git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
    opts.flags = GIT_REPOSITORY_INIT_MKPATH;
    opts.initial_head = "main";
    git_repository *raw = nullptr;
    if (git_repository_init_ext(&raw, QFile::encodeName(dir).constData(), &opts) != 0)
        return fail(gitError(u"cannot create a git repository"_s, dir));
    Repo repo(raw);
    return ok();
}

Result<QString> gitCommitAll(const QString &dir, const QString &message,
                             const GitSignature &signature)
{
    auto repo = openRepo(dir, false);
    if (!repo)
        return fail(repo.error());
    git_index *indexRaw = nullptr;
    if (git_repository_index(&indexRaw, repo->get()) != 0)
        return fail(gitError(u"cannot read the git index"_s, dir));
    Index index(indexRaw);
    char star[] = "*";
    char *pathspecs[] = {star};
    git_strarray all = {pathspecs, 1};
    if (git_index_add_all(index.get(), &all, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr) != 0 ||
        git_index_update_all(index.get(), &all, nullptr, nullptr) != 0 ||
        git_index_write(index.get()) != 0)
        return fail(gitError(u"cannot stage the files"_s, dir));
    git_oid treeId;
    if (git_index_write_tree(&treeId, index.get()) != 0)
        return fail(gitError(u"cannot write the tree"_s, dir));
    git_tree *treeRaw = nullptr;
    if (git_tree_lookup(&treeRaw, repo->get(), &treeId) != 0)
        return fail(gitError(u"cannot read the tree"_s, dir));
    Tree tree(treeRaw);

    git_signature *sigRaw = nullptr;
    const QDateTime when = signature.when;
    if (git_signature_new(&sigRaw, signature.name.toUtf8().constData(),
                          signature.email.toUtf8().constData(), when.toSecsSinceEpoch(),
                          when.offsetFromUtc() / 60) != 0)
        return fail(gitError(u"invalid commit author"_s, dir));
    Signature sig(sigRaw);

    Commit parent;
    git_reference *headRaw = nullptr;
    if (git_repository_head(&headRaw, repo->get()) == 0) {
        Reference head(headRaw);
        git_commit *p = nullptr;
        if (git_commit_lookup(&p, repo->get(), git_reference_target(head.get())) == 0)
            parent.reset(p);
    }
    git_error_clear();
    const git_commit *parents[] = {parent.get()};
    git_oid commitId;
    if (git_commit_create(&commitId, repo->get(), "HEAD", sig.get(), sig.get(), nullptr,
                          message.toUtf8().constData(), tree.get(), parent ? 1 : 0, parents) != 0)
        return fail(gitError(u"cannot create the commit"_s, dir));
    qCDebug(lcVcs) << "committed" << oidHex(&commitId) << "in" << dir;
    return oidHex(&commitId);
}

namespace {

using Revwalk = Ptr<git_revwalk, git_revwalk_free>;
using Object = Ptr<git_object, git_object_free>;
using TreeEntry = Ptr<git_tree_entry, git_tree_entry_free>;
using Blob = Ptr<git_blob, git_blob_free>;

// The blob id of `path` in `commit`'s tree, or a zero id when the path is absent.
git_oid blobIdAt(git_commit *commit, const QByteArray &path)
{
    git_oid none;
    std::memset(&none, 0, sizeof none);
    git_tree *treeRaw = nullptr;
    if (git_commit_tree(&treeRaw, commit) != 0)
        return none;
    Tree tree(treeRaw);
    git_tree_entry *entryRaw = nullptr;
    if (git_tree_entry_bypath(&entryRaw, tree.get(), path.constData()) != 0) {
        git_error_clear();
        return none;
    }
    TreeEntry entry(entryRaw);
    return *git_tree_entry_id(entry.get());
}

} // namespace

// A commit as GitCommit: its id, summary, author and time (in the author's zone).
static GitCommit describeCommit(const git_oid *oid, git_commit *commit)
{
    const git_signature *author = git_commit_author(commit);
    GitCommit gc;
    gc.id = oidHex(oid);
    gc.summary = QString::fromUtf8(git_commit_summary(commit));
    gc.author = QString::fromUtf8(author->name);
    gc.when = QDateTime::fromSecsSinceEpoch(author->when.time, QTimeZone(author->when.offset * 60));
    return gc;
}

Result<QList<GitCommit>> gitLog(const QString &repoPath, const QString &path, int limit)
{
    auto repo = openRepo(repoPath, true);
    if (!repo)
        return fail(repo.error());
    git_revwalk *walkRaw = nullptr;
    if (git_revwalk_new(&walkRaw, repo->get()) != 0)
        return fail(gitError(u"cannot walk the history"_s, repoPath));
    Revwalk walk(walkRaw);
    git_revwalk_sorting(walk.get(), GIT_SORT_TIME | GIT_SORT_TOPOLOGICAL);
    if (git_revwalk_push_head(walk.get()) != 0) {
        git_error_clear();
        return QList<GitCommit>{}; // no commits yet
    }
    const QByteArray p = path.toUtf8();
    QList<GitCommit> out;
    git_oid oid;
    while (git_revwalk_next(&oid, walk.get()) == 0) {
        git_commit *c = nullptr;
        if (git_commit_lookup(&c, repo->get(), &oid) != 0)
            continue;
        Commit commit(c);
        bool touched = p.isEmpty();
        if (!touched) {
            const git_oid mine = blobIdAt(commit.get(), p);
            const unsigned parents = git_commit_parentcount(commit.get());
            if (parents == 0) {
                touched = !git_oid_is_zero(&mine);
            } else {
                // Changed relative to every parent (as `git log -- path` does for merges).
                touched = true;
                for (unsigned i = 0; i < parents && touched; ++i) {
                    git_commit *parentRaw = nullptr;
                    if (git_commit_parent(&parentRaw, commit.get(), i) != 0)
                        continue;
                    Commit parent(parentRaw);
                    const git_oid theirs = blobIdAt(parent.get(), p);
                    touched = !git_oid_equal(&mine, &theirs);
                }
            }
        }
        if (!touched)
            continue;
        out.append(describeCommit(&oid, commit.get()));
        if (limit > 0 && out.size() >= limit)
            break;
    }
    return out;
}

namespace {
using Diff = Ptr<git_diff, git_diff_free>;

struct UntrackedFilter
{
    QString root;
    qint64 maxBytes;
    QStringList skipped;
};

int skipLargeUntracked(const git_diff *, const git_diff_delta *delta, const char *, void *payload)
{
    auto *filter = static_cast<UntrackedFilter *>(payload);
    if (delta->status != GIT_DELTA_UNTRACKED)
        return 0;
    const QString path = QString::fromUtf8(delta->new_file.path);
    const QFileInfo fi(QDir(filter->root).filePath(path));
    if (fi.size() > filter->maxBytes) {
        filter->skipped.append(path);
        return 1; // leave it out
    }
    return 0;
}
} // namespace

Result<WorkingTreePatch> gitWorkingTreePatch(const QString &path, qint64 maxUntrackedBytes)
{
    WorkingTreePatch out;
    auto repo = openRepo(path, true);
    if (!repo)
        return fail(repo.error());
    const char *wd = git_repository_workdir(repo->get());
    if (!wd)
        return out; // bare
    git_reference *headRaw = nullptr;
    if (git_repository_head(&headRaw, repo->get()) != 0) {
        git_error_clear();
        return out; // no commit yet
    }
    Reference head(headRaw);
    git_commit *c = nullptr;
    if (git_commit_lookup(&c, repo->get(), git_reference_target(head.get())) != 0)
        return fail(gitError(u"cannot read HEAD"_s, path));
    Commit commit(c);
    git_tree *treeRaw = nullptr;
    if (git_commit_tree(&treeRaw, commit.get()) != 0)
        return fail(gitError(u"cannot read HEAD's tree"_s, path));
    Tree tree(treeRaw);

    UntrackedFilter filter{QString::fromUtf8(wd), maxUntrackedBytes, {}};
    git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
    opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS |
                 GIT_DIFF_SHOW_UNTRACKED_CONTENT | GIT_DIFF_SHOW_BINARY;
    opts.notify_cb = skipLargeUntracked;
    opts.payload = &filter;
    git_diff *diffRaw = nullptr;
    if (git_diff_tree_to_workdir_with_index(&diffRaw, repo->get(), tree.get(), &opts) != 0)
        return fail(gitError(u"cannot compute the uncommitted changes"_s, path));
    Diff diff(diffRaw);
    git_buf buf = GIT_BUF_INIT;
    if (git_diff_to_buf(&buf, diff.get(), GIT_DIFF_FORMAT_PATCH) != 0)
        return fail(gitError(u"cannot format the uncommitted changes"_s, path));
    out.patch = QByteArray(buf.ptr, qsizetype(buf.size));
    git_buf_dispose(&buf);
    out.skipped = filter.skipped;
    return out;
}

Result<void> gitCreateWorktree(const QString &repoPath, const QString &dir, const QString &commit,
                               const QByteArray &patch)
{
    auto repo = openRepo(repoPath, true);
    if (!repo)
        return fail(repo.error());
    git_oid oid;
    git_object *objRaw = nullptr;
    if (git_revparse_single(&objRaw, repo->get(), commit.toUtf8().constData()) != 0)
        return fail(
            gitError(u"the recorded commit %1 is not in this repository"_s.arg(commit), repoPath)
                .withHint(u"Fetch it (git fetch) and try again"_s));
    Object obj(objRaw);
    oid = *git_object_id(obj.get());

    // A worktree needs a branch; name it after the directory, detached in spirit.
    const QString branchName = u"cairn-reproduce-"_s + QFileInfo(dir).fileName();
    git_commit *c = nullptr;
    if (git_commit_lookup(&c, repo->get(), &oid) != 0)
        return fail(gitError(u"cannot read commit %1"_s.arg(commit), repoPath));
    Commit target(c);
    git_reference *branchRaw = nullptr;
    if (git_branch_create(&branchRaw, repo->get(), branchName.toUtf8().constData(), target.get(),
                          1) != 0)
        return fail(gitError(u"cannot create the branch for the work tree"_s, repoPath));
    Reference branch(branchRaw);

    git_worktree_add_options wopts = GIT_WORKTREE_ADD_OPTIONS_INIT;
    wopts.ref = branch.get();
    git_worktree *wtRaw = nullptr;
    if (git_worktree_add(&wtRaw, repo->get(), QFileInfo(dir).fileName().toUtf8().constData(),
                         QFile::encodeName(dir).constData(), &wopts) != 0)
        return fail(gitError(u"cannot create a work tree"_s, dir));
    git_worktree_free(wtRaw);
    if (patch.isEmpty())
        return ok();

    auto wt = openRepo(dir, false);
    if (!wt)
        return fail(wt.error());
    git_diff *diffRaw = nullptr;
    if (git_diff_from_buffer(&diffRaw, patch.constData(), std::size_t(patch.size())) != 0)
        return fail(gitError(u"the recorded patch cannot be read"_s, dir));
    Diff diff(diffRaw);
    if (git_apply(wt->get(), diff.get(), GIT_APPLY_LOCATION_WORKDIR, nullptr) != 0)
        return fail(gitError(u"the recorded uncommitted changes do not apply"_s, dir));
    return ok();
}

// The commit `rev` names (a commit id, tag, branch or an expression such as HEAD~2).
Result<Object> commitOf(git_repository *repo, const QString &rev, const QString &repoPath)
{
    git_object *objRaw = nullptr;
    if (git_revparse_single(&objRaw, repo, rev.toUtf8().constData()) != 0)
        return fail(
            gitError(u"unknown revision \"%1\""_s.arg(rev), repoPath)
                .withHint(u"Give a commit id, tag, branch or an expression such as HEAD~2"_s));
    Object obj(objRaw);
    git_object *peeledRaw = nullptr;
    if (git_object_peel(&peeledRaw, obj.get(), GIT_OBJECT_COMMIT) != 0)
        return fail(gitError(u"\"%1\" is not a commit"_s.arg(rev), repoPath));
    return Object(peeledRaw);
}

Result<std::optional<QByteArray>> gitTryFileAtRevision(const QString &repoPath, const QString &rev,
                                                       const QString &path)
{
    auto repo = openRepo(repoPath, true);
    if (!repo)
        return fail(repo.error());
    auto peeledCommit = commitOf(repo->get(), rev, repoPath);
    if (!peeledCommit)
        return fail(peeledCommit.error());
    Object peeled = std::move(*peeledCommit);
    auto *commit = reinterpret_cast<git_commit *>(peeled.get());
    const git_oid id = blobIdAt(commit, path.toUtf8());
    if (git_oid_is_zero(&id))
        return std::optional<QByteArray>();
    git_blob *blobRaw = nullptr;
    if (git_blob_lookup(&blobRaw, repo->get(), &id) != 0)
        return fail(gitError(u"cannot read %1 at %2"_s.arg(path, rev), repoPath));
    Blob blob(blobRaw);
    return std::optional<QByteArray>(
        QByteArray(static_cast<const char *>(git_blob_rawcontent(blob.get())),
                   qsizetype(git_blob_rawsize(blob.get()))));
}

Result<QByteArray> gitFileAtRevision(const QString &repoPath, const QString &rev,
                                     const QString &path)
{
    auto bytes = gitTryFileAtRevision(repoPath, rev, path);
    if (!bytes)
        return fail(bytes.error());
    if (!*bytes)
        return fail(
            Error(u"%1 does not exist at %2"_s.arg(path, rev), repoPath)
                .withHint(u"Check the path (relative to the repository root) and the revision"_s));
    return **bytes;
}

Result<QString> gitRevParse(const QString &repoPath, const QString &rev)
{
    auto repo = openRepo(repoPath, true);
    if (!repo)
        return fail(repo.error());
    auto peeledCommit = commitOf(repo->get(), rev, repoPath);
    if (!peeledCommit)
        return fail(peeledCommit.error());
    Object peeled = std::move(*peeledCommit);
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, git_object_id(peeled.get()));
    return QString::fromLatin1(hex);
}

Result<QList<GitCommit>> gitLogFrom(const QString &repoPath, const QString &rev, int limit)
{
    auto repo = openRepo(repoPath, true);
    if (!repo)
        return fail(repo.error());
    auto start = commitOf(repo->get(), rev, repoPath);
    if (!start)
        return fail(start.error());
    git_revwalk *walkRaw = nullptr;
    if (git_revwalk_new(&walkRaw, repo->get()) != 0)
        return fail(gitError(u"cannot walk the history"_s, repoPath));
    Revwalk walk(walkRaw);
    git_revwalk_sorting(walk.get(), GIT_SORT_TIME | GIT_SORT_TOPOLOGICAL);
    if (git_revwalk_push(walk.get(), git_object_id(start->get())) != 0)
        return fail(gitError(u"cannot walk the history from %1"_s.arg(rev), repoPath));
    QList<GitCommit> out;
    git_oid oid;
    while ((limit < 0 || out.size() < limit) && git_revwalk_next(&oid, walk.get()) == 0) {
        git_commit *c = nullptr;
        if (git_commit_lookup(&c, repo->get(), &oid) != 0)
            continue;
        Commit commit(c);
        out.append(describeCommit(&oid, commit.get()));
    }
    return out;
}

Result<QHash<QString, QStringList>> gitRefsByCommit(const QString &repoPath)
{
    auto repo = openRepo(repoPath, true);
    if (!repo)
        return fail(repo.error());
    git_reference_iterator *itRaw = nullptr;
    if (git_reference_iterator_new(&itRaw, repo->get()) != 0)
        return fail(gitError(u"cannot list the branches and tags"_s, repoPath));
    QHash<QString, QStringList> out;
    git_reference *refRaw = nullptr;
    while (git_reference_next(&refRaw, itRaw) == 0) {
        Reference ref(refRaw);
        if (!git_reference_is_branch(ref.get()) && !git_reference_is_tag(ref.get()))
            continue;
        git_object *objRaw = nullptr;
        if (git_reference_peel(&objRaw, ref.get(), GIT_OBJECT_COMMIT) != 0) {
            git_error_clear();
            continue;
        }
        Object obj(objRaw);
        out[oidHex(git_object_id(obj.get()))].append(
            QString::fromUtf8(git_reference_shorthand(ref.get())));
    }
    git_reference_iterator_free(itRaw);
    git_error_clear();
    for (QStringList &names : out)
        names.sort();
    return out;
}

Result<QList<GitReference>> gitReferences(const QString &repoPath, const QString &glob)
{
    auto repo = openRepo(repoPath, true);
    if (!repo)
        return fail(repo.error());
    git_reference_iterator *itRaw = nullptr;
    if (git_reference_iterator_glob_new(&itRaw, repo->get(), glob.toUtf8().constData()) != 0)
        return fail(gitError(u"cannot list the references %1"_s.arg(glob), repoPath));
    QList<GitReference> out;
    git_reference *refRaw = nullptr;
    while (git_reference_next(&refRaw, itRaw) == 0) {
        Reference ref(refRaw);
        git_object *objRaw = nullptr;
        if (git_reference_peel(&objRaw, ref.get(), GIT_OBJECT_COMMIT) != 0) {
            git_error_clear();
            continue;
        }
        Object obj(objRaw);
        out.append(GitReference{QString::fromUtf8(git_reference_name(ref.get())),
                                oidHex(git_object_id(obj.get()))});
    }
    git_reference_iterator_free(itRaw);
    git_error_clear();
    std::sort(out.begin(), out.end(),
              [](const GitReference &a, const GitReference &b) { return a.name < b.name; });
    return out;
}

} // namespace cairn
