#include "revision.h"

#include "dvc.h"
#include "git.h"
#include "runs/lineage.h"
#include "runs/runstore.h"
#include "store/objectstore.h"
#include "store/projectdb.h"
#include "versioning/versions.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

// Cache objects up to this size are checked against their md5 before use (a damaged cache
// must not give silently wrong numbers); larger ones by size only, to keep big models quick.
constexpr qint64 kVerifyUpTo = qint64(256) << 20;

struct DvcHit
{
    dvc::Out out;
    QString outPath;   // repository-relative path of the tracked file or folder
    QString trackedBy; // repository-relative path of the .dvc or dvc.lock file
};

QString joined(const QString &dir, const QString &path)
{
    return QDir::cleanPath(dir.isEmpty() || dir == u"."_s ? path : dir + u'/' + path);
}

bool covers(const QString &outPath, const QString &rel)
{
    return rel == outPath || rel.startsWith(outPath + u'/');
}

// The DVC output that holds `rel` at `commit`: a `.dvc` file named after `rel` or one of its
// folders, or the `dvc.lock` of a folder above it.
Result<std::optional<DvcHit>> findDvcOut(const QString &root, const QString &commit,
                                         const QString &rel)
{
    QStringList ancestors; // rel, its folder, that folder's folder, ...
    for (QString p = rel; !p.isEmpty() && p != u"."_s;) {
        ancestors.append(p);
        const qsizetype slash = p.lastIndexOf(u'/');
        p = slash < 0 ? QString() : p.left(slash);
    }
    auto search = [&](const QString &file, bool lock) -> Result<std::optional<DvcHit>> {
        auto text = gitTryFileAtRevision(root, commit, file);
        if (!text)
            return fail(text.error());
        if (!*text)
            return std::optional<DvcHit>();
        const QString where = u"%1 at %2"_s.arg(file, commit.left(7));
        auto outs = lock ? dvc::parseDvcLock(**text, where) : dvc::parseDvcFile(**text, where);
        if (!outs)
            return fail(outs.error());
        const QString dir = QFileInfo(file).path();
        for (const dvc::Out &out : *outs) {
            const QString outPath = joined(dir, out.path);
            if (covers(outPath, rel))
                return std::optional<DvcHit>(DvcHit{out, outPath, file});
        }
        return std::optional<DvcHit>();
    };
    for (const QString &a : ancestors) {
        auto hit = search(a + u".dvc"_s, false);
        if (!hit || *hit)
            return hit;
    }
    QStringList lockDirs = ancestors.mid(1);
    lockDirs.append(QString());
    for (const QString &dir : lockDirs) {
        auto hit = search(joined(dir, u"dvc.lock"_s), true);
        if (!hit || *hit)
            return hit;
    }
    return std::optional<DvcHit>();
}

Result<void> verifyObject(const QString &path, const QString &md5, bool legacy, qint64 size)
{
    const qint64 actual = QFileInfo(path).size();
    auto damaged = [&](const QString &what) {
        return fail(Error(u"the DVC cache object for md5 %1 is damaged: %2"_s.arg(md5, what), path)
                        .withHint(u"Delete it and fetch it again with `dvc fetch`"_s));
    };
    if (size >= 0 && actual != size)
        return damaged(u"%1 bytes where DVC recorded %2"_s.arg(actual).arg(size));
    if (actual > kVerifyUpTo)
        return ok();
    auto sum = dvc::fileMd5(path);
    if (!sum)
        return fail(sum.error());
    if (*sum == md5)
        return ok();
    if (legacy) { // DVC 2.x hashed text files with CRLF turned to LF
        auto dos = dvc::fileMd5Dos2Unix(path);
        if (!dos)
            return fail(dos.error());
        if (*dos == md5)
            return ok();
    }
    return damaged(u"its content hashes to %1"_s.arg(*sum));
}

// The folder holding `path` or, if it does not exist, its nearest existing ancestor.
QString existingFolder(const QString &path)
{
    QString p = QFileInfo(path).absolutePath();
    while (!QFileInfo(p).isDir() && p != QDir::rootPath())
        p = QFileInfo(p).absolutePath();
    return p;
}

// Recorded versions: xxh128:<hex prefix> and run:<id>.
constexpr int kMinHashPrefix = 8;
constexpr int kGitCommitsSearched = 500;

bool isRecordedRevision(const QString &rev)
{
    return rev.startsWith(u"xxh128:"_s) || rev.startsWith(u"run:"_s);
}

// The Cairn project holding `folder`: the nearest folder above it with .cairn/cairn.db.
QString projectRootOf(const QString &folder)
{
    QDir d(QFileInfo(folder).canonicalFilePath());
    while (true) {
        if (QFileInfo(projectDatabasePath(d.path())).isFile())
            return d.path();
        if (!d.cdUp())
            return {};
    }
}

Error notKept(const FileVersion &v, const QString &rel)
{
    return Error(u"the bytes of %1 at %2 (%3) were not kept: the object store has no copy and "
                 "no git commit holds that content"_s.arg(rel, v.rev, v.hash),
                 v.path)
        .withHint(u"Cairn keeps a declared dataset's or model's content when a run reads or "
                  "writes it and the file is at most objects.maxFileMB MiB (Settings; default "
                  "256) while the store stays under objects.maxTotalMB (default 2048). Raise "
                  "these, commit the file, or run `cairn-cli versions --register` before "
                  "changing it to keep the next versions"_s);
}

// The hash of the working file, through the lineage's cache of unchanged files; nothing when it
// cannot be read.
std::optional<QString> workingHash(Database &db, const FileVersion &v, const QString &rel)
{
    if (!QFileInfo(v.path).isFile())
        return std::nullopt;
    auto h = FileHashCache(db).hash(v.path, rel);
    return h ? std::optional<QString>(h->hash) : std::nullopt;
}

// The bytes of content `v.hash` of `rel` (relative to `projectRoot`): the working file if it
// holds that content now, the object store, else a git commit whose blob hashes the same
// (`commitFirst`, then the commits that changed the file).
Result<FileVersion> resolveContent(FileVersion v, Database &db, const QString &projectRoot,
                                   const QString &rel, const QString &commitFirst)
{
    if (workingHash(db, v, rel) == v.hash) {
        v.source = FileVersion::Source::WorkingFile;
        v.localPath = v.path;
        return v;
    }
    const ObjectStore objects(projectRoot);
    auto stored = objects.verifiedPath(v.hash);
    if (!stored)
        return fail(stored.error());
    if (*stored) {
        v.source = FileVersion::Source::ObjectStore;
        v.localPath = **stored;
        return v;
    }
    auto state = readGitState(existingFolder(v.path));
    if (!state || !state->isRepository || state->commit.isEmpty())
        return fail(notKept(v, rel));
    const QString root = QDir(state->root).canonicalPath();
    const QString repoRel =
        QDir(root).relativeFilePath(QDir(QFileInfo(projectRoot).canonicalFilePath()).filePath(rel));
    QStringList commits;
    if (!commitFirst.isEmpty())
        commits.append(commitFirst);
    if (auto log = gitLog(root, repoRel, kGitCommitsSearched)) {
        for (const GitCommit &c : std::as_const(*log)) {
            if (!commits.contains(c.id))
                commits.append(c.id);
        }
    }
    for (const QString &commit : std::as_const(commits)) {
        auto blob = gitTryFileAtRevision(root, commit, repoRel);
        if (!blob || !*blob)
            continue;
        ContentHasher h;
        h.add(**blob);
        if (h.result() != v.hash)
            continue;
        v.source = FileVersion::Source::Git;
        v.commit = commit;
        v.bytes = std::move(**blob);
        return v;
    }
    return fail(notKept(v, rel));
}

Result<FileVersion> resolveRecorded(FileVersion v)
{
    const QString projectRoot = projectRootOf(existingFolder(v.path));
    if (projectRoot.isEmpty())
        return fail(
            Error(u"%1 is not in a Cairn project, so it has no recorded version \"%2\""_s.arg(
                      v.path, v.rev),
                  v.path)
                .withHint(u"PATH@xxh128:HASH and PATH@run:ID name versions a project's "
                          "runs recorded; `cairn-cli versions` lists them"_s));
    const QString folder = existingFolder(v.path);
    const QString rel = QDir(projectRoot)
                            .relativeFilePath(QDir(QFileInfo(folder).canonicalFilePath())
                                                  .filePath(QDir(folder).relativeFilePath(v.path)));
    auto db = openProjectDatabase(projectRoot, Database::Mode::ReadOnly);
    if (!db)
        return fail(db.error());
    QString commitFirst;
    if (v.rev.startsWith(u"run:"_s)) {
        bool isNumber = false;
        v.runId = v.rev.mid(4).toLongLong(&isNumber);
        if (!isNumber || v.runId <= 0)
            return fail(
                Error(u"\"%1\" is not a run: expected run:ID with ID a run number"_s.arg(v.rev),
                      v.path)
                    .withHint(u"List the runs with `cairn-cli runs`"_s));
        auto run = RunStore(**db).get(v.runId);
        if (!run)
            return fail(run.error());
        auto content = contentAtRun(**db, v.runId, rel);
        if (!content)
            return fail(content.error());
        v.hash = content->hash;
        commitFirst = run->gitCommit;
    } else {
        const QString prefix = v.rev.mid(7).toLower();
        const bool hex = std::all_of(prefix.cbegin(), prefix.cend(), [](QChar c) {
            return (c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f');
        });
        if (!hex || prefix.size() < kMinHashPrefix || prefix.size() > 32)
            return fail(
                Error(u"\"%1\" is not a content hash: expected xxh128: and 8 to 32 hex "
                      "digits"_s.arg(v.rev),
                      v.path)
                    .withHint(u"`cairn-cli versions %1` prints each version's hash"_s.arg(rel)));
        auto found = findVersionsByPrefix(**db, rel, prefix);
        if (!found)
            return fail(found.error());
        QStringList hashes;
        for (const DataVersion &d : std::as_const(*found)) {
            if (!hashes.contains(d.hash))
                hashes.append(d.hash);
        }
        if (hashes.isEmpty()) {
            // The current content, which no run may have recorded yet.
            if (auto now = workingHash(**db, v, rel); now && now->mid(7).startsWith(prefix))
                hashes.append(*now);
        }
        if (hashes.isEmpty())
            return fail(
                Error(u"%1 has no recorded version whose hash starts with %2"_s.arg(rel, prefix),
                      v.path)
                    .withHint(u"`cairn-cli versions %1` lists its versions"_s.arg(rel)));
        if (hashes.size() > 1)
            return fail(
                Error(u"xxh128:%1 is ambiguous: %2 versions of %3 start with it (%4)"_s.arg(
                          prefix, QString::number(hashes.size()), rel, hashes.join(u", "_s)),
                      v.path)
                    .withHint(u"Give more hex digits of the hash"_s));
        v.hash = hashes.first();
        for (const DataVersion &d : std::as_const(*found)) {
            if (d.hash == v.hash && d.producedBy) {
                if (auto run = RunStore(**db).get(d.producedBy->id))
                    commitFirst = run->gitCommit;
            }
        }
    }
    return resolveContent(std::move(v), **db, projectRoot, rel, commitFirst);
}

} // namespace

QString FileVersion::describe() const
{
    switch (source) {
    case Source::WorkingFile:
        return path;
    case Source::Git:
        return u"%1 at %2 (%3)"_s.arg(path, rev, commit.left(7));
    case Source::DvcCache:
        return u"%1 at %2 (%3), from the DVC cache"_s.arg(path, rev, commit.left(7));
    case Source::GitLfs:
        return u"%1 at %2 (%3), from Git LFS"_s.arg(path, rev, commit.left(7));
    case Source::ObjectStore:
        return u"%1 at %2, from Cairn's object store"_s.arg(path, rev);
    }
    return spec;
}

Result<FileVersion> resolveFileVersion(const QString &spec, const QString &baseDir)
{
    FileVersion v;
    v.spec = spec;
    const QDir base(baseDir);
    const QString whole = QDir::cleanPath(base.absoluteFilePath(spec));
    const qsizetype at = spec.lastIndexOf(u'@');
    if (QFileInfo::exists(whole) || at <= 0 || at == spec.size() - 1) {
        if (!QFileInfo(whole).isFile())
            return fail(Error(QFileInfo::exists(whole) ? u"this is a folder, not a file"_s
                                                       : u"no such file"_s,
                              whole)
                            .withHint(u"Name a file, or a version of it in git as PATH@REVISION "
                                      "(data/train.csv@HEAD~1, model.safetensors@v1.0)"_s));
        v.path = whole;
        v.localPath = whole;
        return v;
    }
    v.rev = spec.mid(at + 1);
    v.path = QDir::cleanPath(base.absoluteFilePath(spec.left(at)));
    if (isRecordedRevision(v.rev))
        return resolveRecorded(std::move(v));
    const QString folder = existingFolder(v.path);
    auto state = readGitState(folder);
    if (!state)
        return fail(state.error());
    if (!state->isRepository)
        return fail(Error(u"%1 is not in a git repository, so it has no revision \"%2\""_s.arg(
                              v.path, v.rev),
                          v.path)
                        .withHint(u"PATH@REVISION reads a file from git history; name the file "
                                  "alone for its current content"_s));
    const QString root = QDir(state->root).canonicalPath();
    const QString rel =
        QDir(root).relativeFilePath(QDir(QFileInfo(folder).canonicalFilePath())
                                        .filePath(QDir(folder).relativeFilePath(v.path)));
    if (rel.startsWith(u"../"_s))
        return fail(Error(u"%1 is outside the repository at %2"_s.arg(v.path, root), v.path));
    auto commit = gitRevParse(root, v.rev);
    if (!commit)
        return fail(commit.error());
    v.commit = *commit;

    auto blob = gitTryFileAtRevision(root, v.commit, rel);
    if (!blob)
        return fail(blob.error());
    if (*blob) {
        // A Git LFS pointer is not the file: its content lives in .git/lfs/objects.
        static const QByteArray lfs = "version https://git-lfs.github.com/spec/v1";
        if ((*blob)->startsWith(lfs)) {
            const qsizetype oidAt = (*blob)->indexOf("oid sha256:");
            const QString oid =
                oidAt < 0 ? QString() : QString::fromLatin1((*blob)->mid(oidAt + 11, 64));
            const QString object = QDir(root).filePath(
                u".git/lfs/objects/%1/%2/%3"_s.arg(oid.left(2), oid.mid(2, 2), oid));
            if (oid.size() != 64 || !QFileInfo(object).isFile())
                return fail(Error(u"%1 at %2 is stored with Git LFS, and that version is not in "
                                  "the local LFS store"_s.arg(rel, v.rev),
                                  root)
                                .withHint(u"Fetch it with `git lfs fetch origin %1` and try "
                                          "again"_s.arg(v.rev)));
            v.source = FileVersion::Source::GitLfs;
            v.localPath = object;
            return v;
        }
        v.source = FileVersion::Source::Git;
        v.bytes = std::move(**blob);
        return v;
    }
    auto hit = findDvcOut(root, v.commit, rel);
    if (!hit)
        return fail(hit.error());
    if (!*hit)
        return fail(Error(u"%1 does not exist at %2 (%3)"_s.arg(rel, v.rev, v.commit.left(7)), root)
                        .withHint(u"Neither git nor DVC (a .dvc file or dvc.lock) has it at that "
                                  "revision; `git log --oneline -- %1` lists the commits that "
                                  "touched it"_s.arg(rel)));
    const DvcHit &h = **hit;
    const QString cache = dvc::cacheDir(root);
    auto missing = [&](const QString &md5) {
        return fail(Error(u"%1 at %2 is tracked by DVC (%3, md5 %4), but that version is not in "
                          "the DVC cache"_s.arg(rel, v.rev, h.trackedBy, md5),
                          cache)
                        .withHint(u"Fetch it with `dvc fetch --rev %1` (or `dvc pull`) and try "
                                  "again"_s.arg(v.rev)));
    };
    QString md5 = h.out.md5;
    qint64 size = h.out.isDir() ? -1 : h.out.size;
    if (h.out.isDir()) {
        const auto manifestPath = dvc::cacheObjectPath(cache, h.out.md5, h.out.legacy);
        if (!manifestPath)
            return missing(h.out.md5);
        QFile f(*manifestPath);
        if (!f.open(QIODevice::ReadOnly))
            return fail(Error(u"cannot read: %1"_s.arg(f.errorString()), *manifestPath));
        auto entries = dvc::parseDirManifest(f.readAll(), *manifestPath);
        if (!entries)
            return fail(entries.error());
        if (rel == h.outPath)
            return fail(Error(
                u"%1 is a folder that DVC tracks as a whole; name a file in it"_s.arg(rel), root));
        const QString inside = rel.mid(h.outPath.size() + 1);
        md5.clear();
        for (const dvc::DirEntry &e : *entries) {
            if (e.relpath == inside)
                md5 = e.md5;
        }
        if (md5.isEmpty())
            return fail(Error(u"%1 does not exist at %2: the folder %3 that DVC tracks has no "
                              "such file then"_s.arg(rel, v.rev, h.outPath),
                              root));
    }
    const auto object = dvc::cacheObjectPath(cache, md5, h.out.legacy);
    if (!object)
        return missing(md5);
    if (auto good = verifyObject(*object, md5, h.out.legacy, size); !good)
        return fail(good.error());
    v.source = FileVersion::Source::DvcCache;
    v.localPath = *object;
    v.md5 = md5;
    v.trackedBy = h.trackedBy;
    return v;
}

} // namespace cairn
