// Versions: the object store (.cairn/objects), the contents a run keeps, the lineage of one
// content, PATH@xxh128:HASH and PATH@run:ID, and versions registered on demand.
#include "project/projectfile.h"
#include "runs/launcher.h"
#include "runs/lineage.h"
#include "runs/runstore.h"
#include "runs/supervisor.h"
#include "settings/settings.h"
#include "store/objectstore.h"
#include "store/projectdb.h"
#include "testsupport.h"
#include "vcs/git.h"
#include "vcs/revision.h"
#include "versioning/describe.h"
#include "versioning/versions.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

using namespace cairn;

class TestVersions : public QObject
{
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_root;
    Project m_project;
    qint64 m_run1 = 0; // touchmodel n=1: "untrained" -> "trained-1"
    qint64 m_run2 = 0; // touchmodel n=2: "trained-1" -> "trained-2"

    QString path(const QString &rel) const { return m_root + u'/' + rel; }
    std::unique_ptr<Database> db() const
    {
        auto d = openProjectDatabase(m_root);
        if (!d)
            qFatal("%s", qPrintable(d.error().toString()));
        return std::move(*d);
    }

    qint64 runTouch(int n)
    {
        auto d = db();
        RunRecord r;
        r.entryPoint = QStringLiteral("touchmodel");
        r.command = QStringLiteral("echo trained-%1 > models/m.bin").arg(n);
        r.workingDir = m_root;
        r.params = {{QStringLiteral("data"), QStringLiteral("data/train.csv")}};
        const auto id = RunStore(*d).create(r);
        if (!id)
            qFatal("%s", qPrintable(id.error().toString()));
        const auto done = superviseRun(m_root, *id);
        if (!done)
            qFatal("%s", qPrintable(done.error().toString()));
        return *id;
    }

    static QByteArray bytesOf(const FileVersion &v)
    {
        return v.inMemory() ? v.bytes : test::readFile(v.localPath);
    }

private slots:
    void initTestCase()
    {
        test::isolateUserDirs();
        m_root = QDir(m_tmp.path()).canonicalPath();
        test::writeFile(path(QStringLiteral("cairn.yaml")), "name: versions-test\n"
                                                            "entry_points:\n"
                                                            "  touchmodel: \"true\"\n"
                                                            "datasets:\n"
                                                            "  train: data/train.csv\n"
                                                            "models:\n"
                                                            "  m: models/m.bin\n");
        test::writeFile(path(QStringLiteral("data/train.csv")), "a,b\n1,2\n");
        test::writeFile(path(QStringLiteral("models/m.bin")), "untrained\n");
        auto p = loadProject(m_root);
        QVERIFY(p);
        m_project = *p;
        (void)db(); // creates .cairn/ and its .gitignore
        QVERIFY(gitInit(m_root));
        QVERIFY(gitCommitAll(m_root, QStringLiteral("initial")));
    }

    void objectStorePutAndVerify()
    {
        QTemporaryDir dir;
        ObjectStore store(dir.path());
        const QString file = dir.filePath(QStringLiteral("f.txt"));
        test::writeFile(file, "hello object store\n");
        const QString hash = *hashFile(file);
        QVERIFY(!store.contains(hash));
        QCOMPARE(store.put(file, hash), true);
        QVERIFY(store.contains(hash));
        // .cairn/objects/<2 hex>/<30 hex>
        const QString hex = hash.mid(7);
        const QString object =
            dir.path() + QStringLiteral("/.cairn/objects/") + hex.left(2) + u'/' + hex.mid(2);
        QCOMPARE(store.objectPath(hash), object);
        QCOMPARE(test::readFile(object), QByteArray("hello object store\n"));
        QCOMPARE(store.findByPrefix(hex.left(8)), QStringList{hash});
        QCOMPARE(store.totalBytes(), 19);
        const auto good = store.verifiedPath(hash);
        QVERIFY(good && *good);
        QCOMPARE(**good, object);

        // A file that no longer hashes as recorded (it changed since) is not stored.
        const QString other = QStringLiteral("xxh128:") + QString(32, u'0');
        QCOMPARE(store.put(file, other), false);
        QVERIFY(!store.contains(other));
        QCOMPARE(QDir(dir.path() + QStringLiteral("/.cairn/objects/00")).entryList(QDir::Files),
                 QStringList());
        QVERIFY(!store.put(file, QStringLiteral("md5:abc"))); // not a content hash

        // A damaged object is an error that names it, never wrong bytes.
        test::writeFile(object, "hello object st0re\n");
        const auto bad = store.verifiedPath(hash);
        QVERIFY(!bad);
        QVERIFY(bad.error().message.contains(QStringLiteral("damaged")));
        QCOMPARE(bad.error().file, object);
        const auto absent = store.verifiedPath(other);
        QVERIFY(absent && !*absent);
    }

    void keepContentsWithinLimits()
    {
        QTemporaryDir dir;
        ObjectStore store(dir.path());
        QList<ContentToKeep> files;
        for (int i = 0; i < 4; ++i) {
            const QString f = dir.filePath(QStringLiteral("f%1").arg(i));
            test::writeFile(f, QByteArray(100, char('a' + i)));
            files.append({f, *hashFile(f), 100});
        }
        ObjectStoreLimits limits;
        limits.maxFileBytes = 150;
        limits.maxTotalBytes = 250;
        // Two fit.
        QVERIFY(keepContents(store, files.mid(0, 2), {}, limits).isEmpty());
        QVERIFY(store.contains(files[0].hash) && store.contains(files[1].hash));
        // Make f0 the older one, then keep f2 while f0 is still a declared file's content: f1,
        // the oldest that is not, goes.
        auto age = [&](const QString &hash, int secondsAgo) {
            QFile f(store.objectPath(hash));
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.setFileTime(QDateTime::currentDateTime().addSecs(-secondsAgo),
                                  QFileDevice::FileModificationTime));
        };
        age(files[0].hash, 3600);
        age(files[1].hash, 1800);
        QVERIFY(keepContents(store, {files[2]}, {files[0].hash, files[2].hash}, limits).isEmpty());
        QVERIFY(store.contains(files[0].hash));
        QVERIFY(!store.contains(files[1].hash));
        QVERIFY(store.contains(files[2].hash));
        // When everything stored is current there is no room: a warning, nothing removed.
        const QStringList full =
            keepContents(store, {files[3]}, {files[0].hash, files[2].hash, files[3].hash}, limits);
        QCOMPARE(full.size(), 1);
        QVERIFY(full.first().contains(QStringLiteral("objects.maxTotalMB")));
        QVERIFY(store.contains(files[0].hash) && store.contains(files[2].hash));
        QVERIFY(!store.contains(files[3].hash));
        // Larger than maxFileBytes: skipped silently.
        const QString big = dir.filePath(QStringLiteral("big"));
        test::writeFile(big, QByteArray(200, 'z'));
        QVERIFY(keepContents(store, {{big, *hashFile(big), 200}}, {}, limits).isEmpty());
        QVERIFY(!store.contains(*hashFile(big)));
        // Limits of 0 keep nothing.
        QVERIFY(!(ObjectStoreLimits{0, 0}.enabled()));
    }

    // A run keeps the contents of the declared files it starts from and leaves.
    void runKeepsContents()
    {
        const QString untrained = *hashFile(path(QStringLiteral("models/m.bin")));
        m_run1 = runTouch(1);
        const QString trained = *hashFile(path(QStringLiteral("models/m.bin")));
        QCOMPARE(test::readFile(path(QStringLiteral("models/m.bin"))), QByteArray("trained-1\n"));
        ObjectStore store(m_root);
        QVERIFY(store.contains(untrained)); // kept before the command rewrote it
        QVERIFY(store.contains(trained));
        QVERIFY(store.contains(*hashFile(path(QStringLiteral("data/train.csv")))));
        QVERIFY(!QFile::exists(runDirectory(m_root, m_run1) + QStringLiteral("/warnings.log")));

        // With keeping off, the record is made and nothing is kept.
        settings::objectsMaxFileMB.set(0);
        auto restore = qScopeGuard([] { settings::objectsMaxFileMB.reset(); });
        m_run2 = runTouch(2);
        QVERIFY(!store.contains(*hashFile(path(QStringLiteral("models/m.bin")))));
        QCOMPARE(runArtifacts(*db(), m_run2)->size(), 4);
    }

    void lineageOfOneContent()
    {
        auto d = db();
        const auto arts = runArtifacts(*d, m_run1);
        QString trained;
        for (const ArtifactRecord &a : *arts) {
            if (a.phase == QStringLiteral("after") && a.path == QStringLiteral("models/m.bin"))
                trained = a.hash;
        }
        const auto v = findVersion(*d, QStringLiteral("models/m.bin"), trained);
        QVERIFY(v && *v);
        QCOMPARE((*v)->producedBy->id, m_run1);
        const auto data = findVersion(*d, QStringLiteral("data/train.csv"),
                                      *hashFile(path(QStringLiteral("data/train.csv"))));
        QVERIFY(data && *data);
        QVERIFY(!(*data)->producedBy);
        QCOMPARE((*data)->usedBy.size(), 2);
        QCOMPARE((*data)->usedBy[0].id, m_run1);
        const auto none = findVersion(*d, QStringLiteral("models/m.bin"),
                                      QStringLiteral("xxh128:") + QString(32, u'1'));
        QVERIFY(none && !*none);
        const auto at = contentAtRun(*d, m_run1, QStringLiteral("models/m.bin"));
        QVERIFY(at);
        QCOMPARE(at->hash, trained);
        QVERIFY(at->produced);
        const auto used = contentAtRun(*d, m_run1, QStringLiteral("data/train.csv"));
        QVERIFY(used && !used->produced);
    }

    void runAndHashSpecs()
    {
        // run:ID: what the run wrote, from the object store.
        const auto byRun =
            resolveFileVersion(QStringLiteral("models/m.bin@run:%1").arg(m_run1), m_root);
        QVERIFY2(byRun, qPrintable(byRun ? QString() : byRun.error().toString()));
        QCOMPARE(byRun->source, FileVersion::Source::ObjectStore);
        QCOMPARE(bytesOf(*byRun), QByteArray("trained-1\n"));
        QCOMPARE(byRun->runId, m_run1);
        QVERIFY(byRun->describe().contains(QStringLiteral("object store")));
        // A run that used a file gives the content it started from.
        const auto input =
            resolveFileVersion(QStringLiteral("data/train.csv@run:%1").arg(m_run1), m_root);
        QVERIFY(input);
        QCOMPARE(bytesOf(*input), QByteArray("a,b\n1,2\n"));

        // xxh128:PREFIX, as `cairn-cli versions` prints it (12 digits) or 8.
        const QString hex = byRun->hash.mid(7);
        for (int digits : {8, 12, 32}) {
            const auto byHash = resolveFileVersion(
                QStringLiteral("models/m.bin@xxh128:%1").arg(hex.left(digits)), m_root);
            QVERIFY2(byHash, qPrintable(byHash ? QString() : byHash.error().toString()));
            QCOMPARE(byHash->hash, byRun->hash);
            QCOMPARE(bytesOf(*byHash), QByteArray("trained-1\n"));
        }
        // Relative to another folder, as the CLI resolves them.
        const auto fromData =
            resolveFileVersion(QStringLiteral("../models/m.bin@xxh128:%1").arg(hex.left(8)),
                               path(QStringLiteral("data")));
        QVERIFY(fromData);
        QCOMPARE(fromData->hash, byRun->hash);
    }

    void producingRunOfAnyVersion()
    {
        auto d = db();
        // By run, by hash, the working file (written by run 2), and a git commit (no run).
        const auto r1 =
            resolveFileVersion(QStringLiteral("models/m.bin@run:%1").arg(m_run1), m_root);
        QVERIFY(r1);
        QCOMPARE((*producingRun(*d, m_root, *r1))->id, m_run1);
        const auto byHash = resolveFileVersion(
            QStringLiteral("models/m.bin@xxh128:%1").arg(r1->hash.mid(7, 8)), m_root);
        QCOMPARE((*producingRun(*d, m_root, *byHash))->id, m_run1);
        const auto now = resolveFileVersion(QStringLiteral("models/m.bin"), m_root);
        QVERIFY(now);
        QCOMPARE(*versionHash(*d, m_root, *now), *hashFile(path(QStringLiteral("models/m.bin"))));
        QCOMPARE((*producingRun(*d, m_root, *now))->id, m_run2);
        const auto head = resolveFileVersion(QStringLiteral("models/m.bin@HEAD"), m_root);
        QVERIFY(head);
        QCOMPARE(head->source, FileVersion::Source::Git);
        const auto none = producingRun(*d, m_root, *head);
        QVERIFY(none);
        QVERIFY(!*none); // "untrained": committed, not written by a run
        const auto data = resolveFileVersion(QStringLiteral("data/train.csv"), m_root);
        QVERIFY(!*producingRun(*d, m_root, *data));
    }

    void specErrors()
    {
        auto d = db();
        // Two recorded versions sharing a prefix.
        for (const char *h :
             {"deadbeef00000000000000000000000a", "deadbeef00000000000000000000000b"}) {
            auto s = d->prepare(QStringLiteral(
                "INSERT INTO registered_versions VALUES ('models/m.bin', ?1, 'model', 'm', 1, 1)"));
            QVERIFY(s->bind(1, QStringLiteral("xxh128:") + QString::fromLatin1(h)).exec());
        }
        const auto ambiguous =
            resolveFileVersion(QStringLiteral("models/m.bin@xxh128:deadbeef"), m_root);
        QVERIFY(!ambiguous);
        QVERIFY2(ambiguous.error().message.contains(QStringLiteral("ambiguous")),
                 qPrintable(ambiguous.error().toString()));
        QVERIFY(
            ambiguous.error().message.contains(QStringLiteral("deadbeef00000000000000000000000b")));
        // The full hash picks one; its bytes were never kept anywhere.
        const auto notKept = resolveFileVersion(
            QStringLiteral("models/m.bin@xxh128:deadbeef00000000000000000000000a"), m_root);
        QVERIFY(!notKept);
        QVERIFY2(notKept.error().message.contains(QStringLiteral("were not kept")),
                 qPrintable(notKept.error().toString()));
        QVERIFY(notKept.error().hint.contains(QStringLiteral("objects.maxFileMB")));

        const auto unknown =
            resolveFileVersion(QStringLiteral("models/m.bin@xxh128:01234567"), m_root);
        QVERIFY(!unknown);
        QVERIFY(unknown.error().message.contains(QStringLiteral("no recorded version")));
        const auto tooShort =
            resolveFileVersion(QStringLiteral("models/m.bin@xxh128:0123"), m_root);
        QVERIFY(!tooShort);
        QVERIFY(tooShort.error().message.contains(QStringLiteral("8 to 32 hex")));

        const auto noFile =
            resolveFileVersion(QStringLiteral("cairn.yaml@run:%1").arg(m_run1), m_root);
        QVERIFY(!noFile);
        QVERIFY2(noFile.error().message.contains(QStringLiteral("recorded no file cairn.yaml")),
                 qPrintable(noFile.error().toString()));
        const auto noRun = resolveFileVersion(QStringLiteral("models/m.bin@run:999"), m_root);
        QVERIFY(!noRun);
        QVERIFY(noRun.error().message.contains(QStringLiteral("no run 999")));
        const auto badRun = resolveFileVersion(QStringLiteral("models/m.bin@run:x"), m_root);
        QVERIFY(!badRun);

        QTemporaryDir outside;
        test::writeFile(outside.filePath(QStringLiteral("f")), "x");
        const auto noProject = resolveFileVersion(QStringLiteral("f@run:1"), outside.path());
        QVERIFY(!noProject);
        QVERIFY(noProject.error().message.contains(QStringLiteral("not in a Cairn project")));
    }

    void damagedObjectAndGitFallback()
    {
        auto d = db();
        // The content run 1 started from ("untrained") is committed; damage its object.
        QString before;
        const auto arts = runArtifacts(*d, m_run1);
        QVERIFY(arts);
        for (const ArtifactRecord &a : *arts) {
            if (a.phase == QStringLiteral("before") && a.path == QStringLiteral("models/m.bin"))
                before = a.hash;
        }
        ObjectStore store(m_root);
        QVERIFY(store.contains(before));
        const QString object = store.objectPath(before);
        test::writeFile(object, "untrainex\n");
        const QString spec = QStringLiteral("models/m.bin@xxh128:%1").arg(before.mid(7, 10));
        const auto damaged = resolveFileVersion(spec, m_root);
        QVERIFY(!damaged);
        QVERIFY(damaged.error().message.contains(QStringLiteral("damaged")));
        QCOMPARE(damaged.error().file, object);

        // Without the object, the commit that holds the same content gives the bytes.
        QVERIFY(QFile::remove(object));
        const auto fromGit = resolveFileVersion(spec, m_root);
        QVERIFY2(fromGit, qPrintable(fromGit ? QString() : fromGit.error().toString()));
        QCOMPARE(fromGit->source, FileVersion::Source::Git);
        QCOMPARE(fromGit->bytes, QByteArray("untrained\n"));
        QVERIFY(!fromGit->commit.isEmpty());

        // The current content resolves to the working file even with no copy kept.
        const QString now = *hashFile(path(QStringLiteral("models/m.bin")));
        const auto current =
            resolveFileVersion(QStringLiteral("models/m.bin@run:%1").arg(m_run2), m_root);
        QVERIFY(current);
        QCOMPARE(current->hash, now);
        QCOMPARE(current->source, FileVersion::Source::WorkingFile);
    }

    void registerOnDemand()
    {
        test::writeFile(path(QStringLiteral("data/train.csv")), "a,b\n1,2\n3,4\n");
        const QString hash = *hashFile(path(QStringLiteral("data/train.csv")));
        auto d = db();
        QStringList warnings;
        const auto registered = registerVersions(m_project, *d, {QStringLiteral("train")},
                                                 ObjectStoreLimits(), &warnings);
        QVERIFY2(registered, qPrintable(registered ? QString() : registered.error().toString()));
        QVERIFY(warnings.isEmpty());
        QCOMPARE(registered->size(), 1);
        QCOMPARE(registered->first().hash, hash);
        QVERIFY(registered->first().registeredMs);
        QVERIFY(!registered->first().producedBy);
        QVERIFY(registered->first().stored);
        QVERIFY(ObjectStore(m_root).contains(hash));

        const auto versions = listVersions(m_project, *d, QStringLiteral("train"));
        QVERIFY(versions);
        QCOMPARE(versions->size(), 2);
        QVERIFY(!versions->first().registeredMs);
        QVERIFY(versions->last().registeredMs);
        QVERIFY(versions->last().current);
        QVERIFY(versions->last().stored);
        QVERIFY(versionsText(*versions).contains(QStringLiteral("registered")));
        QVERIFY(versionsJson(*versions)
                    .value(QStringLiteral("versions"))
                    .toArray()
                    .last()
                    .toObject()
                    .value(QStringLiteral("registered_ms"))
                    .isDouble());

        // Now the file changes without a commit: the registered version stays readable.
        test::writeFile(path(QStringLiteral("data/train.csv")), "a,b\n9,9\n");
        const auto old = resolveFileVersion(
            QStringLiteral("data/train.csv@xxh128:%1").arg(hash.mid(7, 12)), m_root);
        QVERIFY(old);
        QCOMPARE(old->source, FileVersion::Source::ObjectStore);
        QCOMPARE(bytesOf(*old), QByteArray("a,b\n1,2\n3,4\n"));

        // Registering twice keeps the first time; an unknown name is an error.
        const auto again = registerVersions(m_project, *d, {}, ObjectStoreLimits());
        QVERIFY(again);
        QCOMPARE(again->size(), 2); // all declared files
        const auto unknown =
            registerVersions(m_project, *d, {QStringLiteral("nope")}, ObjectStoreLimits());
        QVERIFY(!unknown);
        QVERIFY(unknown.error().message.contains(QStringLiteral("nope")));
    }

    void describeVersions()
    {
        auto d = db();
        const auto versions = listVersions(m_project, *d, QStringLiteral("train"));
        QVERIFY(versions);
        const DataVersion &now = versions->last();
        QVERIFY(now.current);
        const auto described = describeVersion(m_project, *d, now);
        QVERIFY2(described, qPrintable(described ? QString() : described.error().toString()));
        QCOMPARE(described->value(QStringLiteral("format")).toString(), QStringLiteral("csv"));
        QCOMPARE(described->value(QStringLiteral("rows")).toInt(), 1);
        QCOMPARE(described->value(QStringLiteral("columns")).toInt(), 2);
        const QJsonArray schema = described->value(QStringLiteral("schema")).toArray();
        QCOMPARE(schema[1].toObject().value(QStringLiteral("name")).toString(),
                 QStringLiteral("b"));
        QCOMPARE(schema[1].toObject().value(QStringLiteral("type")).toString(),
                 QStringLiteral("int"));
        QCOMPARE(schema[1].toObject().value(QStringLiteral("max")).toDouble(), 9.0);
        QCOMPARE(schema[1].toObject().value(QStringLiteral("missing")).toInt(), 0);
        QCOMPARE(descriptionText(*described), QStringLiteral("1 row × 2 columns (a int, b int)"));
        // An old version, from the object store.
        const auto first = describeVersion(m_project, *d, versions->first());
        QVERIFY(first);
        QCOMPARE(first->value(QStringLiteral("rows")).toInt(), 1);
        // Kept by content: the second time comes from the database.
        auto s = d->prepare(
            QStringLiteral("UPDATE content_descriptions SET description = '{\"rows\": 42}' "
                           "WHERE hash = ?1"));
        QVERIFY(s->bind(1, now.hash).exec());
        QCOMPARE(describeVersion(m_project, *d, now)->value(QStringLiteral("rows")).toInt(), 42);

        // A safetensors model: tensors, parameters, dtypes.
        const QByteArray header = R"({"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
                                  R"("b":{"dtype":"F16","shape":[3],"data_offsets":[24,30]}})";
        QByteArray bytes(8, 0);
        qToLittleEndian<quint64>(quint64(header.size()), bytes.data());
        bytes += header + QByteArray(30, 0);
        const QString model = path(QStringLiteral("m.safetensors"));
        test::writeFile(model, bytes);
        FileVersion v;
        v.path = model;
        v.localPath = model;
        const auto m = describeContent(v, QStringLiteral("model"));
        QVERIFY2(m, qPrintable(m ? QString() : m.error().toString()));
        QCOMPARE(m->value(QStringLiteral("format")).toString(), QStringLiteral("safetensors"));
        QCOMPARE(m->value(QStringLiteral("tensors")).toInt(), 2);
        QCOMPARE(m->value(QStringLiteral("parameters")).toInt(), 9);
        QCOMPARE(m->value(QStringLiteral("dtypes")).toObject().value(QStringLiteral("F32")).toInt(),
                 1);
        QVERIFY(
            descriptionText(*m).startsWith(QStringLiteral("safetensors: 2 tensors, 9 parameters")));
    }
};

QTEST_GUILESS_MAIN(TestVersions)
#include "tst_versions.moc"
