// Code versions through libgit2: state, commits, history of a path, a file at a revision.

#include "testsupport.h"
#include "vcs/git.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace cairn;

class TestGit : public QObject
{
    Q_OBJECT
private slots:
    void notARepository()
    {
        QTemporaryDir dir;
        const auto s = readGitState(dir.path());
        QVERIFY(s.has_value());
        QVERIFY(!s->isRepository);
    }

    void stateAndHistory()
    {
        QTemporaryDir dir;
        QVERIFY(gitInit(dir.path()));
        auto unborn = readGitState(dir.path());
        QVERIFY(unborn && unborn->isRepository);
        QCOMPARE(unborn->branch, QStringLiteral("main"));
        QVERIFY(unborn->commit.isEmpty());

        test::writeFile(dir.filePath(QStringLiteral("data.csv")), "a,b\n1,2\n");
        test::writeFile(dir.filePath(QStringLiteral("other.txt")), "x\n");
        GitSignature sig;
        sig.when = QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5), QTimeZone(3600));
        const auto c1 = gitCommitAll(dir.path(), QStringLiteral("first\n\nbody"), sig);
        QVERIFY(c1);
        test::writeFile(dir.filePath(QStringLiteral("other.txt")), "y\n");
        const auto c2 = gitCommitAll(dir.path(), QStringLiteral("second"));
        test::writeFile(dir.filePath(QStringLiteral("data.csv")), "a,b\n1,3\n");
        const auto c3 = gitCommitAll(dir.path(), QStringLiteral("third"));
        QVERIFY(c2 && c3);

        auto state = readGitState(dir.filePath(QStringLiteral(".")));
        QVERIFY(state);
        QCOMPARE(state->commit, *c3);
        QCOMPARE(state->summary, QStringLiteral("third"));
        QVERIFY(!state->dirty);
        test::writeFile(dir.filePath(QStringLiteral("new.txt")), "untracked\n");
        QVERIFY(readGitState(dir.path())->dirty);

        const auto all = gitLog(dir.path());
        QCOMPARE(all->size(), 3);
        const auto data = gitLog(dir.path(), QStringLiteral("data.csv"));
        QCOMPARE(data->size(), 2);
        QCOMPARE(data->at(0).id, *c3);
        QCOMPARE(data->at(1).id, *c1);
        QCOMPARE(data->at(1).summary, QStringLiteral("first"));
        QCOMPARE(data->at(1).when.toSecsSinceEpoch(), sig.when.toSecsSinceEpoch());

        QCOMPARE(
            *gitFileAtRevision(dir.path(), QStringLiteral("HEAD~2"), QStringLiteral("data.csv")),
            QByteArray("a,b\n1,2\n"));
        QCOMPARE(*gitFileAtRevision(dir.path(), c2->left(10), QStringLiteral("other.txt")),
                 QByteArray("y\n"));
        QCOMPARE(*gitFileAtRevision(dir.path(), QStringLiteral("main"), QStringLiteral("data.csv")),
                 QByteArray("a,b\n1,3\n"));
        const auto missing =
            gitFileAtRevision(dir.path(), QStringLiteral("HEAD"), QStringLiteral("nope.csv"));
        QVERIFY(!missing);
        QVERIFY(missing.error().message.contains(QStringLiteral("does not exist at HEAD")));
        const auto badRev =
            gitFileAtRevision(dir.path(), QStringLiteral("HEAD~9"), QStringLiteral("data.csv"));
        QVERIFY(!badRev);
        QVERIFY(badRev.error().message.contains(QStringLiteral("unknown revision")));
    }
};

QTEST_GUILESS_MAIN(TestGit)
#include "tst_git.moc"
