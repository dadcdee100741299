// DVC records read without DVC, and file versions named PATH@REVISION: git blobs, and DVC-tracked
// data found through the .dvc file or dvc.lock of that revision in the 3.x and 2.x cache layouts.
// DVC is not installable here, so the repositories are built by hand following DVC's formats
// (../shared/research/dvc-daff-trackers-formats.md): md5 of the content, `.dir` manifests as
// json.dumps(sort_keys=True) of [{"md5", "relpath"}].

#include "testsupport.h"
#include "vcs/dvc.h"
#include "vcs/git.h"
#include "vcs/revision.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace cairn;

namespace {

QString md5(const QByteArray &b)
{
    return QString::fromLatin1(QCryptographicHash::hash(b, QCryptographicHash::Md5).toHex());
}

// Puts `bytes` in the cache the way DVC does (3.x: files/md5/ab/cdef…; 2.x: ab/cdef…).
void cacheObject(const QString &root, const QByteArray &bytes, bool legacy,
                 const QString &hash = {})
{
    const QString h = hash.isEmpty() ? md5(bytes) : hash;
    const QString rel = legacy ? u".dvc/cache/%1/%2"_qs.arg(h.left(2), h.mid(2))
                               : u".dvc/cache/files/md5/%1/%2"_qs.arg(h.left(2), h.mid(2));
    test::writeFile(QDir(root).filePath(rel), bytes);
}

QByteArray dvcFile(const QString &path, const QByteArray &bytes, bool legacy)
{
    QByteArray y = "outs:\n- md5: " + md5(bytes).toLatin1() +
                   "\n  size: " + QByteArray::number(bytes.size()) + "\n";
    if (!legacy)
        y += "  hash: md5\n";
    return y + "  path: " + path.toUtf8() + "\n";
}

class TestDvc : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_root;
    const QByteArray m_trainV1 = "x,y\n1,2\n3,4\n";
    const QByteArray m_trainV2 = "x,y\n1,2\n3,5\n7,8\n";
    const QByteArray m_bigV1 = "id,v\n1,0.5\n2,0.25\n";
    const QByteArray m_bigV2 = "id,v\n1,0.5\n2,0.75\n3,1.0\n";
    const QByteArray m_oldV1 = "a\r\nold\r\n"; // a DVC 2.x text file with CRLF
    const QByteArray m_imgA = "\x89PNG fake a";
    const QByteArray m_imgB1 = "\x89PNG fake b1";
    const QByteArray m_imgB2 = "\x89PNG fake b2";
    const QByteArray m_prepared1 = "p\n1\n";

    QString path(const QString &rel) const { return QDir(m_root).filePath(rel); }
    void write(const QString &rel, const QByteArray &b) const { test::writeFile(path(rel), b); }

    QByteArray manifest(const QByteArray &a, const QByteArray &b) const
    {
        return "[{\"md5\": \"" + md5(a).toLatin1() + "\", \"relpath\": \"a.png\"}, {\"md5\": \"" +
               md5(b).toLatin1() + "\", \"relpath\": \"sub/b.png\"}]";
    }

private slots:
    void initTestCase();
    void parsesDvcFilesAndLocks();
    void reportsBadDvcFilesWithLines();
    void cacheDirFromConfig();
    void legacyHashTurnsCrlfIntoLf();
    void workingFileAndGitRevisions();
    void dvcTrackedFileAtRevision();
    void dvcTrackedFolderAndLockFile();
    void explainsWhatIsMissing();
    void refusesADamagedCacheObject();
    void gitLfsObjectsAndQuotedCacheDir();
};

// Two commits. HEAD~1: train.csv v1 (git), big.csv v1 (DVC 3.x), old.csv (DVC 2.x, legacy
// layout, CRLF), images/ v1 (a tracked folder), prepared.csv (a dvc.lock stage output).
// HEAD: train.csv v2, big.csv v2, images/ v2 (sub/b.png changed).
void TestDvc::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_root = QDir(m_dir.path()).canonicalPath();
    QVERIFY(gitInit(m_root));
    write(u".dvc/.gitignore"_qs, "/cache\n");
    write(u".dvc/config"_qs, "[core]\n    autostage = true\n");
    write(u".gitignore"_qs, "/data/big.csv\n/data/old.csv\n/images\n/data/prepared.csv\n");
    write(u"data/train.csv"_qs, m_trainV1);
    write(u"data/big.csv"_qs, m_bigV1);
    write(u"data/big.csv.dvc"_qs, dvcFile(u"big.csv"_qs, m_bigV1, false));
    cacheObject(m_root, m_bigV1, false);
    write(u"data/old.csv"_qs, m_oldV1);
    const QByteArray oldHash = md5(QByteArray(m_oldV1).replace("\r\n", "\n")).toLatin1();
    write(u"data/old.csv.dvc"_qs, "outs:\n- md5: " + oldHash + "\n  path: old.csv\n");
    cacheObject(m_root, m_oldV1, true, QString::fromLatin1(oldHash));
    const QByteArray man1 = manifest(m_imgA, m_imgB1);
    write(u"images.dvc"_qs, "outs:\n- md5: " + md5(man1).toLatin1() +
                                ".dir\n  size: 20\n  nfiles: 2\n  hash: md5\n  path: images\n");
    cacheObject(m_root, man1, false, md5(man1) + u".dir"_qs);
    cacheObject(m_root, m_imgA, false);
    cacheObject(m_root, m_imgB1, false);
    write(u"dvc.yaml"_qs, "stages:\n  prepare:\n    cmd: python prepare.py\n    outs:\n"
                          "    - data/prepared.csv\n");
    write(u"dvc.lock"_qs, "schema: '2.0'\nstages:\n  prepare:\n    cmd: python prepare.py\n"
                          "    outs:\n    - path: data/prepared.csv\n      hash: md5\n      md5: " +
                              md5(m_prepared1).toLatin1() + "\n      size: 4\n");
    cacheObject(m_root, m_prepared1, false);
    QVERIFY(gitCommitAll(m_root, u"v1"_qs));

    write(u"data/train.csv"_qs, m_trainV2);
    write(u"data/big.csv"_qs, m_bigV2);
    write(u"data/big.csv.dvc"_qs, dvcFile(u"big.csv"_qs, m_bigV2, false));
    cacheObject(m_root, m_bigV2, false);
    const QByteArray man2 = manifest(m_imgA, m_imgB2);
    write(u"images.dvc"_qs, "outs:\n- md5: " + md5(man2).toLatin1() +
                                ".dir\n  size: 20\n  nfiles: 2\n  hash: md5\n  path: images\n");
    cacheObject(m_root, man2, false, md5(man2) + u".dir"_qs);
    cacheObject(m_root, m_imgB2, false);
    QVERIFY(gitCommitAll(m_root, u"v2"_qs));
}

void TestDvc::parsesDvcFilesAndLocks()
{
    const auto outs = dvc::parseDvcFile("outs:\n- md5: B6DCAB6CCD17CA0A8BF4A215A37D14CC.dir\n"
                                        "  size: 11\n  nfiles: 2\n  hash: md5\n  path: dir\n",
                                        u"dir.dvc"_qs);
    QVERIFY2(outs, qPrintable(outs ? QString() : outs.error().toString()));
    QCOMPARE(outs->size(), 1);
    QCOMPARE(outs->first().md5, u"b6dcab6ccd17ca0a8bf4a215a37d14cc.dir"_qs);
    QVERIFY(outs->first().isDir());
    QVERIFY(!outs->first().legacy);
    QCOMPARE(outs->first().size, 11);
    QCOMPARE(outs->first().nfiles, 2);
    // DVC 1.x lock files have the stages at the top level.
    const auto old = dvc::parseDvcLock("train:\n  cmd: x\n  outs:\n  - path: model.pkl\n"
                                       "    md5: 0123456789abcdef0123456789abcdef\n",
                                       u"dvc.lock"_qs);
    QVERIFY(old);
    QCOMPARE(old->size(), 1);
    QCOMPARE(old->first().stage, u"train"_qs);
    QVERIFY(old->first().legacy);
    // The manifest DVC's research note recomputed.
    const auto entries = dvc::parseDirManifest(
        R"([{"md5": "8c7dd922ad47494fc02c388e12c00eac", "relpath": "file"}, )"
        R"({"md5": "293b26bf1b4d73e3cc5f3bbf7fa5d2b2", "relpath": "subdir/subfile"}])",
        u"m"_qs);
    QVERIFY(entries);
    QCOMPARE(entries->size(), 2);
    QCOMPARE(entries->at(1).relpath, u"subdir/subfile"_qs);
}

void TestDvc::reportsBadDvcFilesWithLines()
{
    const auto noMd5 = dvc::parseDvcFile("outs:\n- size: 3\n  path: a.csv\n", u"a.csv.dvc"_qs);
    QVERIFY(!noMd5);
    QCOMPARE(noMd5.error().file, u"a.csv.dvc"_qs);
    QCOMPARE(noMd5.error().line, 2);
    QVERIFY(noMd5.error().message.contains(u"no md5"_qs));
    const auto badHash = dvc::parseDvcFile("outs:\n- md5: 12345\n  path: a.csv\n", u"x.dvc"_qs);
    QVERIFY(!badHash);
    QCOMPARE(badHash.error().line, 2);
    QVERIFY(badHash.error().message.contains(u"not an md5"_qs));
    const auto notYaml = dvc::parseDvcFile("outs: [\n", u"y.dvc"_qs);
    QVERIFY(!notYaml);
    QVERIFY(notYaml.error().line > 0);
    QVERIFY(!dvc::parseDirManifest("{}", u"m"_qs));
}

void TestDvc::cacheDirFromConfig()
{
    QTemporaryDir dir;
    QCOMPARE(dvc::cacheDir(dir.path()), QDir(dir.path()).filePath(u".dvc/cache"_qs));
    test::writeFile(QDir(dir.path()).filePath(u".dvc/config"_qs),
                    "[core]\n    remote = r\n[cache]\n    dir = ../shared-cache\n");
    QCOMPARE(dvc::cacheDir(dir.path()), QDir(dir.path()).filePath(u"shared-cache"_qs));
    test::writeFile(QDir(dir.path()).filePath(u".dvc/config.local"_qs),
                    "[cache]\n    dir = /srv/dvc-cache\n");
    QCOMPARE(dvc::cacheDir(dir.path()), u"/srv/dvc-cache"_qs);
}

void TestDvc::legacyHashTurnsCrlfIntoLf()
{
    QTemporaryDir dir;
    const QString text = QDir(dir.path()).filePath(u"t.csv"_qs);
    test::writeFile(text, "a,b\r\n1,2\r\n");
    QCOMPARE(*dvc::fileMd5Dos2Unix(text), md5("a,b\n1,2\n"));
    QCOMPARE(*dvc::fileMd5(text), md5("a,b\r\n1,2\r\n"));
    const QString binary = QDir(dir.path()).filePath(u"b.bin"_qs);
    const QByteArray bytes("\0\r\n\x01\x02", 5);
    test::writeFile(binary, bytes);
    QCOMPARE(*dvc::fileMd5Dos2Unix(binary), md5(bytes)); // binary: hashed as is
}

void TestDvc::workingFileAndGitRevisions()
{
    const auto now = resolveFileVersion(u"data/train.csv"_qs, m_root);
    QVERIFY(now);
    QCOMPARE(now->source, FileVersion::Source::WorkingFile);
    QCOMPARE(now->localPath, path(u"data/train.csv"_qs));

    const auto before = resolveFileVersion(u"data/train.csv@HEAD~1"_qs, m_root);
    QVERIFY2(before, qPrintable(before ? QString() : before.error().toString()));
    QCOMPARE(before->source, FileVersion::Source::Git);
    QCOMPARE(before->bytes, m_trainV1);
    QCOMPARE(before->commit.size(), 40);
    QVERIFY(before->describe().contains(u"HEAD~1"_qs));
    // An absolute path, from another folder.
    const auto abs = resolveFileVersion(path(u"data/train.csv"_qs) + u"@HEAD"_qs, QDir::tempPath());
    QVERIFY(abs);
    QCOMPARE(abs->bytes, m_trainV2);

    // A file whose name holds '@' is that file.
    write(u"data/me@home.csv"_qs, "a\n1\n");
    const auto at = resolveFileVersion(u"data/me@home.csv"_qs, m_root);
    QVERIFY(at);
    QCOMPARE(at->source, FileVersion::Source::WorkingFile);
    QFile::remove(path(u"data/me@home.csv"_qs));
}

void TestDvc::dvcTrackedFileAtRevision()
{
    const auto v1 = resolveFileVersion(u"data/big.csv@HEAD~1"_qs, m_root);
    QVERIFY2(v1, qPrintable(v1 ? QString() : v1.error().toString()));
    QCOMPARE(v1->source, FileVersion::Source::DvcCache);
    QCOMPARE(test::readFile(v1->localPath), m_bigV1);
    QVERIFY(v1->localPath.contains(u"/files/md5/"_qs));
    QCOMPARE(v1->trackedBy, u"data/big.csv.dvc"_qs);
    QVERIFY(v1->describe().contains(u"DVC cache"_qs));
    const auto v2 = resolveFileVersion(u"data/big.csv@HEAD"_qs, m_root);
    QVERIFY(v2);
    QCOMPARE(test::readFile(v2->localPath), m_bigV2);
    // 2.x: no `hash: md5`, the legacy layout, and an md5 of the text with LF line ends.
    const auto old = resolveFileVersion(u"data/old.csv@HEAD"_qs, m_root);
    QVERIFY2(old, qPrintable(old ? QString() : old.error().toString()));
    QCOMPARE(test::readFile(old->localPath), m_oldV1);
    QVERIFY(!old->localPath.contains(u"/files/md5/"_qs));
}

void TestDvc::dvcTrackedFolderAndLockFile()
{
    const auto b1 = resolveFileVersion(u"images/sub/b.png@HEAD~1"_qs, m_root);
    QVERIFY2(b1, qPrintable(b1 ? QString() : b1.error().toString()));
    QCOMPARE(test::readFile(b1->localPath), m_imgB1);
    QCOMPARE(b1->trackedBy, u"images.dvc"_qs);
    const auto b2 = resolveFileVersion(u"images/sub/b.png@HEAD"_qs, m_root);
    QVERIFY(b2);
    QCOMPARE(test::readFile(b2->localPath), m_imgB2);
    const auto folder = resolveFileVersion(u"images@HEAD"_qs, m_root);
    QVERIFY(!folder);
    QVERIFY(folder.error().message.contains(u"tracks as a whole"_qs));
    const auto none = resolveFileVersion(u"images/c.png@HEAD"_qs, m_root);
    QVERIFY(!none);
    QVERIFY(none.error().message.contains(u"has no such file"_qs));

    const auto prepared = resolveFileVersion(u"data/prepared.csv@HEAD~1"_qs, m_root);
    QVERIFY2(prepared, qPrintable(prepared ? QString() : prepared.error().toString()));
    QCOMPARE(test::readFile(prepared->localPath), m_prepared1);
    QCOMPARE(prepared->trackedBy, u"dvc.lock"_qs);
}

void TestDvc::explainsWhatIsMissing()
{
    const auto rev = resolveFileVersion(u"data/train.csv@no-such-branch"_qs, m_root);
    QVERIFY(!rev);
    QVERIFY(rev.error().message.contains(u"unknown revision"_qs));
    const auto gone = resolveFileVersion(u"data/nothing.csv@HEAD"_qs, m_root);
    QVERIFY(!gone);
    QVERIFY(gone.error().message.contains(u"does not exist at HEAD"_qs));
    QVERIFY(gone.error().hint.contains(u"git log"_qs));
    QVERIFY(!resolveFileVersion(u"data/missing.csv"_qs, m_root));

    QTemporaryDir plain;
    test::writeFile(QDir(plain.path()).filePath(u"a.csv"_qs), "a\n");
    const auto noRepo = resolveFileVersion(u"a.csv@HEAD"_qs, plain.path());
    QVERIFY(!noRepo);
    QVERIFY(noRepo.error().message.contains(u"not in a git repository"_qs));

    // The version exists in DVC's records but not in the cache (never fetched).
    const QString obj =
        path(u".dvc/cache/files/md5/%1/%2"_qs.arg(md5(m_bigV1).left(2), md5(m_bigV1).mid(2)));
    QVERIFY(QFile::rename(obj, obj + u".away"_qs));
    const auto notFetched = resolveFileVersion(u"data/big.csv@HEAD~1"_qs, m_root);
    QVERIFY(QFile::rename(obj + u".away"_qs, obj));
    QVERIFY(!notFetched);
    QVERIFY(notFetched.error().message.contains(u"not in the DVC cache"_qs));
    QVERIFY(notFetched.error().hint.contains(u"dvc fetch"_qs));
}

void TestDvc::refusesADamagedCacheObject()
{
    const QString obj =
        path(u".dvc/cache/files/md5/%1/%2"_qs.arg(md5(m_bigV2).left(2), md5(m_bigV2).mid(2)));
    QFile::setPermissions(obj, QFile::ReadOwner | QFile::WriteOwner);
    const QByteArray good = test::readFile(obj);
    QByteArray bad = good;
    bad[bad.size() - 2] = '9'; // same size, other content
    test::writeFile(obj, bad);
    const auto damaged = resolveFileVersion(u"data/big.csv@HEAD"_qs, m_root);
    test::writeFile(obj, good);
    QVERIFY(!damaged);
    QVERIFY(damaged.error().message.contains(u"damaged"_qs));
    QVERIFY(resolveFileVersion(u"data/big.csv@HEAD"_qs, m_root));
}

// A Git LFS pointer is not the file: the content comes from .git/lfs/objects, or the error says
// to fetch it. (git-lfs is not installed here; the pointer and store follow its spec.)
void TestDvc::gitLfsObjectsAndQuotedCacheDir()
{
    QTemporaryDir dir;
    const QString root = QDir(dir.path()).canonicalPath();
    QVERIFY(gitInit(root));
    const QByteArray content = "id,v\n1,2\n";
    const QString oid =
        QString::fromLatin1(QCryptographicHash::hash(content, QCryptographicHash::Sha256).toHex());
    test::writeFile(QDir(root).filePath(u"big.csv"_qs),
                    "version https://git-lfs.github.com/spec/v1\noid sha256:" + oid.toLatin1() +
                        "\nsize " + QByteArray::number(content.size()) + "\n");
    QVERIFY(gitCommitAll(root, u"lfs"_qs));
    const auto notFetched = resolveFileVersion(u"big.csv@HEAD"_qs, root);
    QVERIFY(!notFetched);
    QVERIFY(notFetched.error().message.contains(u"Git LFS"_qs));
    QVERIFY(notFetched.error().hint.contains(u"git lfs fetch"_qs));
    test::writeFile(
        QDir(root).filePath(u".git/lfs/objects/%1/%2/%3"_qs.arg(oid.left(2), oid.mid(2, 2), oid)),
        content);
    const auto fetched = resolveFileVersion(u"big.csv@HEAD"_qs, root);
    QVERIFY2(fetched, qPrintable(fetched ? QString() : fetched.error().toString()));
    QCOMPARE(fetched->source, FileVersion::Source::GitLfs);
    QCOMPARE(test::readFile(fetched->localPath), content);
    QVERIFY(fetched->describe().contains(u"Git LFS"_qs));

    test::writeFile(QDir(root).filePath(u".dvc/config"_qs), "[cache]\n    dir = '/srv/c'\n");
    QCOMPARE(dvc::cacheDir(root), u"/srv/c"_qs);
}

} // namespace

QTEST_GUILESS_MAIN(TestDvc)
#include "tst_dvc.moc"
