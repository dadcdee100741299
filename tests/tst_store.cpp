// The per-project database (schema migrations, WAL, foreign keys) and the user's project list.

#include "runs/runstore.h"
#include "store/projectdb.h"
#include "store/projectlist.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace cairn;

static QString pragma(Database &db, const char16_t *name)
{
    auto s = db.prepare(QStringLiteral("PRAGMA %1").arg(QStringView(name)));
    if (!s || !s->step().value_or(false))
        return {};
    return s->text(0);
}

class TestStore : public QObject
{
    Q_OBJECT
private slots:
    void projectDatabase()
    {
        QTemporaryDir dir;
        auto db = openProjectDatabase(dir.path());
        QVERIFY2(db.has_value(), db ? "" : qPrintable(db.error().toString()));
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral(".cairn/cairn.db"))));
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral(".cairn/.gitignore"))));
        QCOMPARE(pragma(**db, u"journal_mode"), QStringLiteral("wal"));
        QCOMPARE(pragma(**db, u"foreign_keys"), QStringLiteral("1"));
        QCOMPARE((*db)->userVersion(), projectMigrations().last().version);

        // Foreign keys are enforced: a param for a missing run is refused.
        auto bad =
            (*db)->prepare(u"INSERT INTO params (run_id, key, value) VALUES (999, 'a', 'b')");
        QVERIFY(bad);
        QVERIFY(!bad->exec().has_value());

        // Reopening does not re-run migrations (no "table exists" error) and keeps the data.
        RunRecord r;
        r.entryPoint = QStringLiteral("train");
        r.command = QStringLiteral("echo");
        r.params = {{"lr", "0.1"}, {"epochs", "3"}};
        auto id = RunStore(**db).create(r);
        QVERIFY(id);
        db->reset();
        auto again = openProjectDatabase(dir.path());
        QVERIFY(again);
        auto got = RunStore(**again).get(*id);
        QVERIFY(got);
        QCOMPARE(got->entryPoint, QStringLiteral("train"));
        QCOMPARE(got->status, RunStatus::Queued);
        QCOMPARE(got->params, (ParamValues{{"lr", "0.1"}, {"epochs", "3"}})); // order kept
        QCOMPARE(got->uuid.size(), 32);

        // Deleting a run deletes its params.
        auto del = (*again)->prepare(u"DELETE FROM runs WHERE id = ?1");
        QVERIFY(del->bind(1, *id).exec());
        auto count = (*again)->prepare(u"SELECT count(*) FROM params");
        QVERIFY(count->step().value_or(false));
        QCOMPARE(count->int64(0), 0);
    }

    void migrationsApplyInOrder()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.db"));
        const QList<Migration> v1 = {{1, "CREATE TABLE a (x INTEGER);"}};
        QVERIFY(Database::open(path, Database::Mode::ReadWrite, v1));
        const QList<Migration> v2 = {{1, "CREATE TABLE a (x INTEGER);"},
                                     {2, "ALTER TABLE a ADD COLUMN y TEXT; CREATE TABLE b (z);"}};
        auto db = Database::open(path, Database::Mode::ReadWrite, v2);
        QVERIFY(db);
        QCOMPARE((*db)->userVersion(), 2);
        QVERIFY((*db)->prepare(u"SELECT x, y FROM a"));
        QVERIFY((*db)->prepare(u"SELECT z FROM b"));
    }

    void failedMigrationRollsBack()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.db"));
        QVERIFY(Database::open(path, Database::Mode::ReadWrite, {{1, "CREATE TABLE a (x);"}}));
        const QList<Migration> broken = {{1, "CREATE TABLE a (x);"},
                                         {2, "CREATE TABLE c (q); THIS IS NOT SQL;"}};
        auto db = Database::open(path, Database::Mode::ReadWrite, broken);
        QVERIFY(!db);
        QVERIFY(db.error().message.contains(QStringLiteral("schema 2")));
        QCOMPARE(db.error().file, path);
        auto check = Database::open(path, Database::Mode::ReadOnly, {});
        QVERIFY(check);
        QCOMPARE((*check)->userVersion(), 1);
        QVERIFY(!(*check)->prepare(u"SELECT q FROM c")); // the half-done step left nothing
    }

    void newerDatabaseRefused()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("m.db"));
        QVERIFY(Database::open(path, Database::Mode::ReadWrite,
                               {{1, "CREATE TABLE a (x);"}, {2, "CREATE TABLE b (y);"}}));
        auto db = Database::open(path, Database::Mode::ReadWrite, {{1, "CREATE TABLE a (x);"}});
        QVERIFY(!db);
        QVERIFY(db.error().message.contains(QStringLiteral("newer than this Cairn")));
        QVERIFY(!db.error().hint.isEmpty());
    }

    void notADatabase()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("junk.db"));
        test::writeFile(path, QByteArray(4096, 'x'));
        auto db = Database::open(path, Database::Mode::ReadWrite, {{1, "CREATE TABLE a (x);"}});
        QVERIFY(!db);
        QCOMPARE(db.error().file, path);
        QVERIFY(db.error().hint.contains(QStringLiteral("damaged")));
    }

    void valuesAreBoundNotSpliced()
    {
        QTemporaryDir dir;
        auto db = openProjectDatabase(dir.path());
        RunRecord r;
        r.entryPoint = QStringLiteral("x'); DROP TABLE runs; --");
        r.command = QStringLiteral("echo 'quoted' \"double\"");
        r.params = {{"k'ey", "va\"lue"}};
        auto id = RunStore(**db).create(r);
        QVERIFY(id);
        auto got = RunStore(**db).get(*id);
        QCOMPARE(got->entryPoint, r.entryPoint);
        QCOMPARE(got->command, r.command);
        QCOMPARE(got->params, r.params);
    }

    void projectList()
    {
        QTemporaryDir dir;
        QDir(dir.path()).mkpath(QStringLiteral("a"));
        QDir(dir.path()).mkpath(QStringLiteral("b"));
        const QString a = QDir(dir.filePath(QStringLiteral("a"))).canonicalPath();
        const QString b = QDir(dir.filePath(QStringLiteral("b"))).canonicalPath();
        auto list = ProjectList::open(dir.filePath(QStringLiteral("projects.db")));
        QVERIFY(list);
        QVERIFY(list->add(a, QStringLiteral("A")));
        QTest::qWait(5);
        QVERIFY(list->add(b + QStringLiteral("/"), QStringLiteral("B"))); // normalised
        QCOMPARE(list->all()->size(), 2);
        QVERIFY(list->touch(a, QStringLiteral("A2"))); // opened now: first in recent
        const auto recent = list->recent(10);
        QCOMPARE(recent->first().path, a);
        QCOMPARE(recent->first().name, QStringLiteral("A2"));
        QVERIFY(recent->first().lastOpened.isValid());
        QCOMPARE(list->recent(1)->size(), 1);

        QVERIFY(!list->isTrusted(a));
        QVERIFY(list->setTrusted(a, true));
        QVERIFY(list->isTrusted(a));
        QVERIFY(!list->isTrusted(b));
        QVERIFY(list->remove(a));
        QCOMPARE(list->all()->size(), 1);
        QVERIFY(!list->isTrusted(a)); // removing forgets the trust too
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
