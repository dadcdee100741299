// Runs: values checked before launch, the supervisor's process handling, log capture, exit
// statuses and cancellation.

#include "project/projectfile.h"
#include "runs/launcher.h"
#include "runs/runstore.h"
#include "runs/supervisor.h"
#include "runs/process.h"
#include "runs/supervisorprocess.h"
#include "store/projectdb.h"
#include "testsupport.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace cairn;

class TestRuns : public QObject
{
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_root;
    Project m_project;

    qint64 prepare(const QString &ep, const ParamValues &values = {})
    {
        auto db = openProjectDatabase(m_root);
        if (!db)
            qFatal("%s", qPrintable(db.error().toString()));
        auto run = prepareRun(m_project, **db, LaunchRequest{ep, values, {}, {}});
        if (!run)
            qFatal("%s", qPrintable(run.error().first().toString()));
        return run->record.id;
    }
    QByteArray log(qint64 id) const
    {
        return test::readFile(runDirectory(m_root, id) + QStringLiteral("/output.log"));
    }

private slots:
    void initTestCase()
    {
        test::isolateUserDirs();
        m_root = QDir(m_tmp.path()).canonicalPath();
        test::writeFile(
            m_root + QStringLiteral("/cairn.yaml"),
            "name: runs-test\n"
            "entry_points:\n"
            "  echo:\n"
            "    command: \"echo start {word}; echo to-stderr >&2; printf 'no newline'\"\n"
            "    parameters:\n"
            "      word: {type: string, default: hello}\n"
            "      lr: {type: float, default: 0.1}\n"
            "  env: env\n"
            "  fail: \"echo failing; exit 3\"\n"
            "  signal: \"kill -9 $$\"\n"
            "  sleep: \"echo sleeping; sleep 60\"\n"
            "  stubborn: \"trap '' TERM; echo stubborn; sleep 60\"\n"
            "  metric: \"python -c 'import cairn; cairn.log_metric(\\\"loss\\\", 0.5, step=2)'\"\n"
            "  pwd:\n"
            "    command: pwd\n"
            "    working_dir: sub\n");
        QDir(m_root).mkpath(QStringLiteral("sub"));
        auto p = loadProject(m_root);
        QVERIFY2(p, p ? "" : qPrintable(p.error().first().toString()));
        m_project = *p;
    }

    void invalidValuesStartNothing()
    {
        auto db = openProjectDatabase(m_root);
        QVERIFY(db);
        const auto before = RunStore(**db).count();
        const auto run = prepareRun(m_project, **db,
                                    LaunchRequest{QStringLiteral("echo"), {{"lr", "abc"}}, {}, {}});
        QVERIFY(!run);
        QCOMPARE(run.error().first().message,
                 QStringLiteral("parameter \"lr\" is float but \"abc\" is not a number"));
        const auto typo = prepareRun(m_project, **db,
                                     LaunchRequest{QStringLiteral("echo"), {{"wrd", "x"}}, {}, {}});
        QVERIFY(!typo);
        QVERIFY(typo.error().first().message.contains(QStringLiteral("did you mean \"word\"")));
        QCOMPARE(*RunStore(**db).count(), *before);
    }

    void finished()
    {
        const qint64 id = prepare(QStringLiteral("echo"), {{"word", "it's here"}});
        QByteArray echoed;
        SupervisorOptions options;
        options.onOutput = [&](QByteArrayView chunk) { echoed += chunk.toByteArray(); };
        const auto run = superviseRun(m_root, id, options);
        QVERIFY2(run, run ? "" : qPrintable(run.error().toString()));
        QCOMPARE(run->status, RunStatus::Finished);
        QCOMPARE(run->exitCode, 0);
        QVERIFY(!run->exitSignal);
        QVERIFY(run->started.isValid() && run->ended.isValid());
        QVERIFY(run->started <= run->ended);
        QCOMPARE(run->command,
                 QStringLiteral(
                     "echo start 'it'\"'\"'s here'; echo to-stderr >&2; printf 'no newline'"));
        QCOMPARE(run->params, (ParamValues{{"word", "it's here"}, {"lr", "0.1"}}));
        // stdout and stderr, in order, nothing lost (not even the last line without newline).
        QCOMPARE(log(id), QByteArray("start it's here\nto-stderr\nno newline"));
        QCOMPARE(echoed, log(id));
        const QJsonObject params =
            QJsonDocument::fromJson(
                test::readFile(runDirectory(m_root, id) + QStringLiteral("/params.json")))
                .object();
        QCOMPARE(params.value(QStringLiteral("parameters"))
                     .toObject()
                     .value(QStringLiteral("word"))
                     .toString(),
                 QStringLiteral("it's here"));
        // A run is supervised once.
        QVERIFY(!superviseRun(m_root, id));
    }

    void environment()
    {
        const qint64 id = prepare(QStringLiteral("env"));
        QVERIFY(superviseRun(m_root, id));
        const QString out = QString::fromUtf8(log(id));
        const QString dir = runDirectory(m_root, id);
        QVERIFY(out.contains(QStringLiteral("CAIRN_RUN_ID=%1\n").arg(id)));
        QVERIFY(out.contains(QStringLiteral("CAIRN_RUN_DIR=%1\n").arg(dir)));
        QVERIFY(out.contains(QStringLiteral("CAIRN_METRICS_FILE=%1/metrics.jsonl\n").arg(dir)));
        QVERIFY(out.contains(QStringLiteral("CAIRN_PROJECT_DIR=%1\n").arg(m_root)));
        QVERIFY(out.contains(QStringLiteral("PYTHONUNBUFFERED=1\n")));
        QVERIFY(out.contains(QStringLiteral("PYTHONPATH=%1/.cairn/python").arg(m_root)));
    }

    void workingDirectory()
    {
        const qint64 id = prepare(QStringLiteral("pwd"));
        QVERIFY(superviseRun(m_root, id));
        QCOMPARE(log(id), (m_root + QStringLiteral("/sub\n")).toUtf8());
    }

    void pythonHelper()
    {
        const qint64 id = prepare(QStringLiteral("metric"));
        const auto run = superviseRun(m_root, id);
        QVERIFY(run);
        QCOMPARE(run->status, RunStatus::Finished);
        QVERIFY2(!run->command.startsWith(QStringLiteral("python ")),
                 "python resolves to an interpreter path");
        const QJsonObject m =
            QJsonDocument::fromJson(
                test::readFile(runDirectory(m_root, id) + QStringLiteral("/metrics.jsonl"))
                    .trimmed())
                .object();
        QCOMPARE(m.value(QStringLiteral("name")).toString(), QStringLiteral("loss"));
        QCOMPARE(m.value(QStringLiteral("value")).toDouble(), 0.5);
        QCOMPARE(m.value(QStringLiteral("step")).toInt(), 2);
    }

    void failed()
    {
        const auto run = superviseRun(m_root, prepare(QStringLiteral("fail")));
        QVERIFY(run);
        QCOMPARE(run->status, RunStatus::Failed);
        QCOMPARE(run->exitCode, 3);
        QCOMPARE(log(run->id), QByteArray("failing\n"));
    }

    void killedBySignal()
    {
        const auto run = superviseRun(m_root, prepare(QStringLiteral("signal")));
        QVERIFY(run);
        QCOMPARE(run->status, RunStatus::Failed);
        QVERIFY(!run->exitCode);
        QCOMPARE(run->exitSignal, SIGKILL);
    }

    void cancelOnSignal_data()
    {
        QTest::addColumn<QString>("entryPoint");
        QTest::addColumn<int>("signal");
        QTest::newRow("SIGTERM stops it") << "sleep" << int(SIGTERM);
        QTest::newRow("SIGINT (Ctrl-C)") << "sleep" << int(SIGINT);
        QTest::newRow("ignores SIGTERM: SIGKILL after the grace") << "stubborn" << int(SIGTERM);
    }
    void cancelOnSignal()
    {
        QFETCH(QString, entryPoint);
        QFETCH(int, signal);
        const qint64 id = prepare(entryPoint);
        SupervisorOptions options;
        options.graceMs = 700;
        bool sent = false;
        options.onOutput = [&](QByteArrayView) {
            if (!sent) {
                sent = true;
                std::thread([signal] {
                    std::this_thread::sleep_for(std::chrono::milliseconds(200));
                    ::kill(::getpid(), signal);
                }).detach();
            }
        };
        QElapsedTimer t;
        t.start();
        const auto run = superviseRun(m_root, id, options);
        QVERIFY(run);
        QCOMPARE(run->status, RunStatus::Cancelled);
        QVERIFY2(t.elapsed() < 10000, "cancel must not wait for the command to end");
        QVERIFY(run->pid);
        // The whole process group is gone, sleep included.
        QTRY_VERIFY_WITH_TIMEOUT(liveProcessesInGroup(*run->pid).isEmpty(), 2000);
    }

    void processGroupScan()
    {
        // A group with a live process is seen; once it ends it is not (even while unreaped).
        const pid_t child = ::fork();
        if (child == 0) {
            ::setpgid(0, 0);
            ::execl("/bin/sleep", "sleep", "30", nullptr);
            ::_exit(127);
        }
        ::setpgid(child, child);
        QTRY_COMPARE(liveProcessesInGroup(child), QList<qint64>{child});
        ::kill(child, SIGKILL);
        QTRY_VERIFY(liveProcessesInGroup(child).isEmpty()); // a zombie now
        int status = 0;
        ::waitpid(child, &status, 0);
        QVERIFY(liveProcessesInGroup(child).isEmpty());
    }

    // The GUI starts runs through a detached `cairn-cli supervise`; the run ends on its own.
    void detachedSupervisor()
    {
        const qint64 id = prepare(QStringLiteral("echo"));
        const auto pid = startSupervisor(m_root, id);
        QVERIFY2(pid, pid ? "" : qPrintable(pid.error().toString()));
        auto db = openProjectDatabase(m_root, Database::Mode::ReadOnly);
        QVERIFY(db);
        QTRY_VERIFY_WITH_TIMEOUT(isTerminal(RunStore(**db).get(id)->status), 20000);
        QCOMPARE(RunStore(**db).get(id)->status, RunStatus::Finished);
        QCOMPARE(log(id), QByteArray("start hello\nto-stderr\nno newline"));
    }
};

QTEST_GUILESS_MAIN(TestRuns)
#include "tst_runs.moc"
