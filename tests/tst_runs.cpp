// Runs: values checked before launch, the supervisor's process handling, log capture, exit
// statuses and cancellation.

#include "metrics/metricstore.h"
#include "project/projectfile.h"
#include "runs/launcher.h"
#include "runs/lineage.h"
#include "runs/process.h"
#include "runs/reproduce.h"
#include "runs/runcontrol.h"
#include "runs/runstore.h"
#include "runs/supervisor.h"
#include "runs/supervisorprocess.h"
#include "settings/settings.h"
#include "store/projectdb.h"
#include "testsupport.h"
#include "vcs/git.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
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
        auto run = prepareRun(m_project, **db, LaunchRequest{ep, values, {}, {}, {}});
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
            "    working_dir: sub\n"
            "  noisy:\n"
            "    command: python noisy.py {lines}\n"
            "    parameters:\n"
            "      lines: {type: int, default: 200000}\n"
            "    metrics:\n"
            "      - {pattern: 'loss: (?<value>\\S+) at (?<step>\\d+)', name: loss}\n"
            "  badmetrics: sh bad.sh\n"
            "  touchmodel:\n"
            "    command: \"echo trained > models/m.bin\"\n"
            "    parameters:\n"
            "      data: {type: path, default: data/train.csv}\n"
            "datasets:\n"
            "  train: data/train.csv\n"
            "  other: data/other.csv\n"
            "models:\n"
            "  m: models/m.bin\n");
        test::writeFile(m_root + QStringLiteral("/data/train.csv"), "a,b\n1,2\n");
        test::writeFile(m_root + QStringLiteral("/data/other.csv"), "a\n3\n");
        test::writeFile(m_root + QStringLiteral("/models/m.bin"), "untrained\n");
        test::writeFile(m_root + QStringLiteral("/bad.sh"),
                        "printf '%s\\n' '{\"name\": \"a\", \"value\": 1}' '{oops' "
                        "'{\"name\": \"a\", \"value\": 2}' > \"$CAIRN_METRICS_FILE\"\n");
        // A script that prints a lot, with colours and progress bars, logs metrics three ways
        // and fails.
        test::writeFile(m_root + QStringLiteral("/noisy.py"),
                        "import sys, cairn\n"
                        "n = int(sys.argv[1])\n"
                        "out = sys.stdout\n"
                        "for i in range(n):\n"
                        "    out.write('\\x1b[32mline %d\\x1b[0m of the noisy script\\n' % i)\n"
                        "    if i % 1000 == 0:\n"
                        "        out.write('\\r progress %d%%' % (i * 100 // n))\n"
                        "        out.write('\\rloss: %s at %d\\n' % (1.0 / (1 + i), i // 1000))\n"
                        "        cairn.log_metric('acc', i / n, step=i // 1000)\n"
                        "        out.write('cairn:metric {\"name\": \"lr\", \"value\": %s}\\n' % "
                        "(0.1 / (1 + i // 1000)))\n"
                        "cairn.log_metric('weird', float('nan'))\n"
                        "cairn.log_metric('weird', float('inf'))\n"
                        "out.flush()\n"
                        "sys.exit(3)\n");
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
        const auto run = prepareRun(
            m_project, **db, LaunchRequest{QStringLiteral("echo"), {{"lr", "abc"}}, {}, {}, {}});
        QVERIFY(!run);
        QCOMPARE(run.error().first().message,
                 QStringLiteral("parameter \"lr\" is float but \"abc\" is not a number"));
        const auto typo = prepareRun(
            m_project, **db, LaunchRequest{QStringLiteral("echo"), {{"wrd", "x"}}, {}, {}, {}});
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

    // The acceptance script: hundreds of thousands of lines with colours and progress
    // bars, metrics three ways, a non-zero exit: every line on disk, the right status and exit
    // code, every metric stored.
    void noisyRunKeepsEverything()
    {
        const int lines = 200000;
        const qint64 id = prepare(QStringLiteral("noisy"), {{"lines", QString::number(lines)}});
        const auto run = superviseRun(m_root, id);
        QVERIFY2(run, run ? "" : qPrintable(run.error().toString()));
        QCOMPARE(run->status, RunStatus::Failed);
        QCOMPARE(run->exitCode, 3);
        const QByteArray out = log(id);
        QCOMPARE(out.count("of the noisy script\n"), lines);
        QVERIFY(out.contains("\x1b[32mline 199999\x1b[0m of the noisy script\n"));
        QCOMPARE(out.count("loss: "), lines / 1000);

        auto db = openProjectDatabase(m_root);
        MetricStore store(**db);
        const auto acc = store.series(id, QStringLiteral("acc"));
        QCOMPARE(acc->size(), lines / 1000);
        QCOMPARE(acc->steps.last(), double(lines / 1000 - 1));
        const auto loss = store.series(id, QStringLiteral("loss")); // from the pattern
        QCOMPARE(loss->size(), lines / 1000);
        QCOMPARE(loss->steps[5], 5.0);
        QCOMPARE(loss->values[5], 1.0 / 5001);
        const auto lr = store.series(id, QStringLiteral("lr")); // from cairn:metric lines
        QCOMPARE(lr->size(), lines / 1000);
        QCOMPARE(lr->steps[3], 3.0); // no step given: numbered in order
        const auto weird = store.series(id, QStringLiteral("weird"));
        QCOMPARE(weird->size(), 2);
        QVERIFY(std::isnan(weird->values[0]));
        QVERIFY(std::isinf(weird->values[1]));
        const auto latest = store.latest(id);
        QCOMPARE(latest->size(), 4);
        for (const LatestMetric &m : *latest) {
            if (m.name == QStringLiteral("acc")) {
                QCOMPARE(m.count, lines / 1000);
                QCOMPARE(m.value, double(lines - 1000) / lines);
                QCOMPARE(m.min, 0.0);
            }
        }
    }

    void badMetricLinesAreReported()
    {
        const qint64 id = prepare(QStringLiteral("badmetrics"));
        QStringList warnings;
        SupervisorOptions o;
        o.onWarning = [&](const QString &w) { warnings << w; };
        const auto run = superviseRun(m_root, id, o);
        QVERIFY(run);
        QCOMPARE(run->status, RunStatus::Finished);
        QCOMPARE(warnings.size(), 1);
        QVERIFY2(
            warnings.first().contains(QStringLiteral("metrics.jsonl:2: expected a quoted key")),
            qPrintable(warnings.first()));
        QVERIFY(test::readFile(runDirectory(m_root, id) + QStringLiteral("/warnings.log"))
                    .contains("metrics.jsonl:2:"));
        auto db = openProjectDatabase(m_root);
        QCOMPARE(MetricStore(**db).series(id, QStringLiteral("a"))->values,
                 (QVector<double>{1, 2}));
    }

    void lineage()
    {
        const qint64 id = prepare(QStringLiteral("touchmodel"));
        QVERIFY(superviseRun(m_root, id));
        auto db = openProjectDatabase(m_root);
        const auto arts = runArtifacts(**db, id);
        QVERIFY(arts);
        QHash<QString, ArtifactRecord> before, after;
        for (const ArtifactRecord &a : *arts)
            (a.phase == QStringLiteral("before") ? before : after).insert(a.path, a);
        QCOMPARE(before.size(), 3);
        QCOMPARE(after.size(), 3);
        // The model changed, the data did not; the run's data parameter names train.csv.
        QVERIFY(before[QStringLiteral("models/m.bin")].hash !=
                after[QStringLiteral("models/m.bin")].hash);
        QCOMPARE(before[QStringLiteral("data/train.csv")].hash,
                 after[QStringLiteral("data/train.csv")].hash);
        QVERIFY(before[QStringLiteral("data/train.csv")].used);
        QVERIFY(!before[QStringLiteral("data/other.csv")].used);
        QCOMPARE(before[QStringLiteral("data/train.csv")].kind, QStringLiteral("dataset"));
        QCOMPARE(after[QStringLiteral("models/m.bin")].size, 8);
        // The hash is the XXH3-128 of the content.
        QCOMPARE(after[QStringLiteral("models/m.bin")].hash,
                 *hashFile(m_root + QStringLiteral("/models/m.bin")));
        QVERIFY(after[QStringLiteral("models/m.bin")].hash.startsWith(QStringLiteral("xxh128:")));
        QCOMPARE(after[QStringLiteral("models/m.bin")].hash.size(), 7 + 32);
    }

    void queueRespectsConcurrency()
    {
        // Two runs with a limit of one (a user setting the supervisors read): the second
        // waits in the queue until the first has ended, then runs.
        settings::maxConcurrentRuns.set(1);
        auto restore = qScopeGuard([] { settings::maxConcurrentRuns.reset(); });
        const qint64 a = prepare(QStringLiteral("sleep"));
        const qint64 b = prepare(QStringLiteral("echo"));
        QVERIFY(startSupervisor(m_root, a));
        auto db = openProjectDatabase(m_root);
        QTRY_VERIFY_WITH_TIMEOUT(log(a).contains("sleeping"), 10000);
        QVERIFY(startSupervisor(m_root, b));
        QTest::qWait(1000);
        QCOMPARE(RunStore(**db).get(b)->status, RunStatus::Queued);
        QVERIFY(RunStore(**db).get(b)->supervisorPid.has_value());
        QVERIFY(cancelRun(**db, a));
        const auto first = waitForRun(**db, a, 20000);
        QVERIFY(first);
        QCOMPARE(first->status, RunStatus::Cancelled);
        const auto second = waitForRun(**db, b, 20000);
        QVERIFY(second);
        QCOMPARE(second->status, RunStatus::Finished);
        QVERIFY(second->started >= first->ended.addMSecs(-5));
    }

    void lostWhenSupervisorDies()
    {
        const qint64 id = prepare(QStringLiteral("sleep"));
        const auto pid = startSupervisor(m_root, id);
        QVERIFY(pid);
        auto db = openProjectDatabase(m_root);
        QTRY_VERIFY_WITH_TIMEOUT(log(id).contains("sleeping"), 10000);
        const auto running = RunStore(**db).get(id);
        QCOMPARE(running->status, RunStatus::Running);
        QVERIFY(RunStore(**db).reconcile(m_root)->isEmpty()); // alive: not lost
        ::kill(pid_t(*pid), SIGKILL);
        QTRY_VERIFY_WITH_TIMEOUT(
            !isProcessAlive(*running->supervisorPid, *running->supervisorStart), 5000);
        const auto lost = RunStore(**db).reconcile(m_root);
        QCOMPARE(*lost, QList<qint64>{id});
        const auto after = RunStore(**db).get(id);
        QCOMPARE(after->status, RunStatus::Lost);
        QVERIFY(after->error.contains(QStringLiteral("supervisor")));
        QCOMPARE(log(id), QByteArray("sleeping\n")); // the log is intact
        if (running->pid)
            ::kill(-pid_t(*running->pid), SIGKILL); // the orphaned sleep
    }

    void cancelQueuedAndEnded()
    {
        auto db = openProjectDatabase(m_root);
        const qint64 id = prepare(QStringLiteral("echo"));
        QVERIFY(cancelRun(**db, id));
        QCOMPARE(RunStore(**db).get(id)->status, RunStatus::Cancelled);
        const auto again = cancelRun(**db, id);
        QVERIFY(!again);
        QVERIFY(again.error().message.contains(QStringLiteral("already ended")));
    }

    // Reproduce: the recorded commit plus the recorded uncommitted changes, in a work tree,
    // whatever the working copy holds now.
    void reproduceRunsTheRecordedCode()
    {
        QTemporaryDir dir;
        const QString root = QDir(dir.path()).canonicalPath();
        test::writeFile(root + "/cairn.yaml",
                        "name: repro\nentry_points:\n  show: cat msg.txt data/x.csv\n"
                        "datasets:\n  x: data/x.csv\n");
        test::writeFile(root + "/.gitignore", "data/\n");
        test::writeFile(root + "/msg.txt", "committed\n");
        test::writeFile(root + "/data/x.csv", "a\n1\n");
        QVERIFY(gitInit(root));
        QVERIFY(gitCommitAll(root, "first"));
        test::writeFile(root + "/msg.txt", "uncommitted edit\n"); // dirty when it runs
        auto project = loadProject(root);
        auto db = openProjectDatabase(root);
        auto prepared = prepareRun(*project, **db, LaunchRequest{"show", {}, {}, {}, {}});
        QVERIFY(prepared);
        const auto original = superviseRun(root, prepared->record.id);
        QVERIFY(original);
        QCOMPARE(original->status, RunStatus::Finished);
        QVERIFY(original->gitDirty.value_or(false));
        QVERIFY(!original->gitCommit.isEmpty());
        const QByteArray patch = test::readFile(prepared->runDir + "/git.patch");
        QVERIFY(patch.contains("+uncommitted edit"));

        // Later: the file is committed differently.
        test::writeFile(root + "/msg.txt", "a later version\n");
        QVERIFY(gitCommitAll(root, "second"));
        auto repro = prepareReproduction(root, **db, prepared->record.id);
        QVERIFY2(repro, repro ? "" : qPrintable(repro.error().first().toString()));
        QVERIFY(repro->worktree.startsWith(root + "/.cairn/worktrees/run-"));
        QVERIFY(repro->warnings.isEmpty()); // data/x.csv is unchanged: linked in
        const auto again = superviseRun(root, repro->run.record.id);
        QVERIFY(again);
        QCOMPARE(again->status, RunStatus::Finished);
        QCOMPARE(again->reproduces, prepared->record.id);
        QCOMPARE(again->workingDir, repro->worktree);
        QCOMPARE(test::readFile(repro->run.runDir + "/output.log"),
                 QByteArray("uncommitted edit\na\n1\n"));
        // The working copy was not touched.
        QCOMPARE(test::readFile(root + "/msg.txt"), QByteArray("a later version\n"));

        // Changed data is reported, not silently substituted.
        test::writeFile(root + "/data/x.csv", "a\n2\n");
        auto changed = prepareReproduction(root, **db, prepared->record.id);
        QVERIFY(changed);
        QCOMPARE(changed->warnings.size(), 1);
        QVERIFY(changed->warnings.first().contains("data/x.csv"));
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
