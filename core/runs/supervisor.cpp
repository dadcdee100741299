#include "supervisor.h"

#include "common/logging.h"
#include "launcher.h"
#include "lineage.h"
#include "metrics/metricparse.h"
#include "metrics/metricstore.h"
#include "process.h"
#include "project/projectfile.h"
#include "runstore.h"
#include "settings/settings.h"
#include "store/objectstore.h"
#include "store/projectdb.h"
#include "vcs/git.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QSaveFile>
#include <QScopeGuard>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

int g_signalPipe[2] = {-1, -1};

extern "C" void onSignal(int sig)
{
    const int saved = errno;
    const unsigned char b = static_cast<unsigned char>(sig);
    [[maybe_unused]] auto n = ::write(g_signalPipe[1], &b, 1);
    errno = saved;
}

// Installs handlers for the signals the supervisor reacts to and restores the old ones when it
// goes out of scope.
class SignalGuard
{
public:
    SignalGuard()
    {
        if (::pipe2(g_signalPipe, O_CLOEXEC | O_NONBLOCK) != 0)
            return;
        struct sigaction sa = {};
        sa.sa_handler = onSignal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        for (std::size_t i = 0; i < std::size(m_signals); ++i)
            ::sigaction(m_signals[i], &sa, &m_old[i]);
        m_ok = true;
    }
    ~SignalGuard()
    {
        for (std::size_t i = 0; m_ok && i < std::size(m_signals); ++i)
            ::sigaction(m_signals[i], &m_old[i], nullptr);
        for (int &fd : g_signalPipe) {
            if (fd >= 0)
                ::close(fd);
            fd = -1;
        }
    }
    SignalGuard(const SignalGuard &) = delete;
    SignalGuard &operator=(const SignalGuard &) = delete;
    bool ok() const { return m_ok; }
    int readFd() const { return g_signalPipe[0]; }
    // Drains the pipe; true when a cancelling signal (not SIGCHLD) arrived.
    bool takeCancel()
    {
        bool cancel = false;
        unsigned char sig = 0;
        while (::read(g_signalPipe[0], &sig, 1) == 1)
            cancel = cancel || sig != SIGCHLD;
        return cancel;
    }

private:
    static constexpr int m_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGCHLD};
    struct sigaction m_old[std::size(m_signals)] = {};
    bool m_ok = false;
};

bool writeAll(int fd, const char *data, std::size_t size)
{
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        data += n;
        size -= std::size_t(n);
    }
    return true;
}

QString errnoText()
{
    return QString::fromLocal8Bit(std::strerror(errno));
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Splits output into lines (at \n and \r, as progress bars redraw with \r) for metric matching.
class LineSplitter
{
public:
    template<typename F>
    void feed(QByteArrayView chunk, F onLine)
    {
        qsizetype start = 0;
        for (qsizetype i = 0; i < chunk.size(); ++i) {
            const char c = chunk[i];
            if (c != '\n' && c != '\r')
                continue;
            if (m_partial.isEmpty()) {
                onLine(chunk.sliced(start, i - start));
            } else {
                append(chunk.sliced(start, i - start));
                onLine(QByteArrayView(m_partial));
                m_partial.clear();
            }
            start = i + 1;
        }
        append(chunk.sliced(start));
    }
    template<typename F>
    void finish(F onLine)
    {
        if (!m_partial.isEmpty())
            onLine(QByteArrayView(m_partial));
        m_partial.clear();
    }

private:
    void append(QByteArrayView piece)
    {
        // A line longer than this is no metric line; keep memory bounded.
        if (m_partial.size() < 65536)
            m_partial.append(
                piece.first(std::min<qsizetype>(piece.size(), 65536 - m_partial.size())));
    }
    QByteArray m_partial;
};

// Follows $CAIRN_METRICS_FILE from a byte offset, handing over complete lines.
class MetricsFileTail
{
public:
    MetricsFileTail(QString path, qint64 offset, int firstLine)
        : m_path(std::move(path))
        , m_offset(offset)
        , m_line(firstLine)
    {}
    template<typename F>
    void poll(F onLine)
    {
        QFile f(m_path);
        if (!f.open(QIODevice::ReadOnly) || f.size() <= m_offset || !f.seek(m_offset))
            return;
        const QByteArray data = f.read(std::min<qint64>(f.size() - m_offset, 64 << 20));
        qsizetype start = 0;
        while (true) {
            const qsizetype nl = data.indexOf('\n', start);
            if (nl < 0)
                break;
            ++m_line;
            onLine(QByteArrayView(data).sliced(start, nl - start), m_line);
            start = nl + 1;
        }
        m_offset += start; // a partial last line waits for its end
    }
    // The unterminated last line, at the very end.
    template<typename F>
    void finish(F onLine)
    {
        poll(onLine);
        QFile f(m_path);
        if (!f.open(QIODevice::ReadOnly) || f.size() <= m_offset || !f.seek(m_offset))
            return;
        const QByteArray rest = f.readAll();
        if (!rest.trimmed().isEmpty()) {
            ++m_line;
            onLine(QByteArrayView(rest), m_line);
        }
        m_offset += rest.size();
    }
    qint64 offset() const { return m_offset; }

private:
    QString m_path;
    qint64 m_offset;
    int m_line;
};

} // namespace

Result<RunRecord> superviseRun(const QString &projectRoot, qint64 runId,
                               const SupervisorOptions &options)
{
    auto dbr = openProjectDatabase(projectRoot);
    if (!dbr)
        return fail(dbr.error());
    Database &db = **dbr;
    RunStore store(db);
    auto run = store.get(runId);
    if (!run)
        return fail(run.error());
    if (run->status != RunStatus::Queued)
        return fail(Error(u"run %1 is %2, not queued; it cannot be started again"_s.arg(runId).arg(
                              runStatusName(run->status)))
                        .withHint(u"Launch a new run instead"_s));

    const QString runDir = runDirectory(projectRoot, runId);
    QDir().mkpath(runDir);
    const QString logPath = QDir(runDir).filePath(u"output.log"_s);
    const QString metricsPath = QDir(runDir).filePath(u"metrics.jsonl"_s);
    const RunSpec spec = readRunSpec(runDir);

    QFile warningsFile(QDir(runDir).filePath(u"warnings.log"_s));
    int warningCount = 0;
    auto warn = [&](const QString &text) {
        if (++warningCount > 200)
            return; // enough to see the pattern
        if (!warningsFile.isOpen())
            (void)warningsFile.open(QIODevice::WriteOnly | QIODevice::Append);
        warningsFile.write(text.toUtf8() + '\n');
        warningsFile.flush();
        if (options.onWarning)
            options.onWarning(text);
    };

    SignalGuard sigGuard;
    if (!sigGuard.ok())
        return fail(Error(u"cannot set up signal handling: %1"_s.arg(errnoText())));
    const qint64 selfPid = ::getpid();
    if (auto r = store.attachSupervisor(runId, selfPid, processStartTime(selfPid)); !r)
        return fail(r.error());

    auto endWithError = [&](RunStatus status, const QString &message) -> Result<RunRecord> {
        (void)store.markEnded(runId, status, std::nullopt, std::nullopt, message,
                              QDateTime::currentDateTime());
        auto r = store.get(runId);
        if (!r)
            return fail(r.error());
        return *r;
    };

    // 1. Wait for a slot.
    const int limit = options.maxConcurrent > 0 ? options.maxConcurrent
                                                : std::max(1, settings::maxConcurrentRuns.get());
    while (true) {
        auto claimed = store.claimSlot(runId, limit);
        if (!claimed)
            return endWithError(RunStatus::Failed, claimed.error().message);
        if (*claimed)
            break;
        pollfd pfd{sigGuard.readFd(), POLLIN, 0};
        if (::poll(&pfd, 1, 250) > 0 && sigGuard.takeCancel())
            return endWithError(RunStatus::Cancelled, u"cancelled while queued"_s);
    }

    // 2. What the run starts from: code version and declared files.
    if (auto git = readGitState(projectRoot); git && git->isRepository) {
        (void)store.setGitState(runId, *git);
        if (git->dirty) {
            auto patch = gitWorkingTreePatch(projectRoot);
            if (patch) {
                QSaveFile f(QDir(runDir).filePath(u"git.patch"_s));
                if (f.open(QIODevice::WriteOnly)) {
                    f.write(patch->patch);
                    f.commit();
                }
                for (const QString &s : patch->skipped)
                    warn(
                        u"git.patch leaves out the untracked file %1 (larger than 1 MiB)"_s.arg(s));
            } else {
                warn(u"the uncommitted changes could not be saved: "_s + patch.error().toString());
            }
        }
    } else if (!git) {
        warn(u"the code version could not be read: "_s + git.error().toString());
    }
    std::optional<Project> project;
    if (auto p = loadProject(projectRoot))
        project = std::move(*p);
    else
        warn(u"the project file could not be read, so no dataset or model is recorded: "_s +
             p.error().first().toString());
    auto snapshotFiles = [&](const QString &phase) -> QList<FileState> {
        if (!project)
            return {};
        auto files = snapshotDeclaredFiles(*project, db, run->params);
        if (!files) {
            warn(u"the declared datasets and models could not be hashed: "_s +
                 files.error().toString());
            return {};
        }
        if (auto r = recordArtifacts(db, runId, phase, *files); !r)
            warn(r.error().toString());
        return *files;
    };
    // Keep the declared files' contents in the object store (.cairn/objects), right after
    // hashing them: only contents not kept yet are copied (normally the run that wrote a
    // content kept it when it ended), and a failed copy is a warning, never a failed run. It is
    // done before the command starts, since the command may rewrite the files.
    ObjectStore objects(projectRoot);
    const ObjectStoreLimits objectLimits = ObjectStoreLimits::fromSettings();
    auto keepFiles = [&](const QList<FileState> &files) {
        if (!objectLimits.enabled() || files.isEmpty())
            return;
        const QStringList problems = keepContents(objects, contentsToKeep(project->rootDir, files),
                                                  contentHashes(files), objectLimits);
        for (const QString &w : problems)
            warn(w);
    };
    keepFiles(snapshotFiles(u"before"_s));

    // 3. Start the command.
    const int logFd = ::open(QFile::encodeName(logPath).constData(),
                             O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (logFd < 0)
        return endWithError(RunStatus::Failed, u"cannot open the run's log: %1"_s.arg(errnoText()));
    auto closeLog = qScopeGuard([&] { ::close(logFd); });

    // The environment is built before fork: only async-signal-safe calls may follow it.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"CAIRN_RUN_ID"_s, QString::number(runId));
    env.insert(u"CAIRN_RUN_DIR"_s, runDir);
    env.insert(u"CAIRN_METRICS_FILE"_s, metricsPath);
    env.insert(u"CAIRN_PROJECT_DIR"_s, projectRoot);
    env.insert(u"PYTHONUNBUFFERED"_s, u"1"_s);
    const QString helperDir = QDir(projectRoot).filePath(u".cairn/python"_s);
    const QString pythonPath = env.value(u"PYTHONPATH"_s);
    env.insert(u"PYTHONPATH"_s, pythonPath.isEmpty() ? helperDir : helperDir + u':' + pythonPath);
    QList<QByteArray> envStrings;
    for (const QString &kv : env.toStringList())
        envStrings.append(kv.toLocal8Bit());
    QList<char *> envp;
    for (QByteArray &s : envStrings)
        envp.append(s.data());
    envp.append(nullptr);
    QByteArray command = run->command.toLocal8Bit();
    QByteArray workDir = QFile::encodeName(run->workingDir);
    char shell[] = "/bin/sh";
    char dashC[] = "-c";
    char *argv[] = {shell, dashC, command.data(), nullptr};

    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0)
        return endWithError(RunStatus::Failed, u"cannot create a pipe: %1"_s.arg(errnoText()));
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(out[0]);
        ::close(out[1]);
        return endWithError(RunStatus::Failed, u"cannot start a process: %1"_s.arg(errnoText()));
    }
    if (pid == 0) {
        // Child: own process group, output to the pipe, no terminal input.
        ::setpgid(0, 0);
        struct sigaction dfl = {};
        dfl.sa_handler = SIG_DFL;
        for (int s : {SIGINT, SIGTERM, SIGHUP, SIGCHLD, SIGPIPE})
            ::sigaction(s, &dfl, nullptr);
        ::dup2(out[1], STDOUT_FILENO);
        ::dup2(out[1], STDERR_FILENO);
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            ::dup2(devnull, STDIN_FILENO);
        if (::chdir(workDir.constData()) != 0) {
            static const char msg[] = "cairn: cannot enter the working directory\n";
            [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
            ::_exit(127);
        }
        ::execve(shell, argv, envp.data());
        static const char msg[] = "cairn: cannot run /bin/sh\n";
        [[maybe_unused]] auto n = ::write(STDERR_FILENO, msg, sizeof msg - 1);
        ::_exit(127);
    }
    ::setpgid(pid, pid); // also here, so the group exists before we might signal it
    ::close(out[1]);
    if (auto r = store.setPid(runId, pid); !r)
        qCWarning(lcRuns) << "cannot record the pid of run" << runId << r.error().toString();
    qCDebug(lcRuns) << "run" << runId << "started as pid" << pid;
    if (options.onStarted) {
        if (auto started = store.get(runId))
            options.onStarted(*started);
    }

    // 4. Follow it.
    MetricWriter metrics(db, runId);
    MetricsFileTail metricsTail(metricsPath, 0, 0);
    const OutputMetricMatcher matcher(spec.metricPatterns);
    LineSplitter lines;
    QList<MetricPoint> found;
    auto onOutputLine = [&](QByteArrayView line) {
        if (line.isEmpty() || (!matcher.hasPatterns() && !line.contains("cairn:metric")))
            return;
        found.clear();
        matcher.match(QString::fromUtf8(line), found);
        const qint64 now = nowMs();
        for (const MetricPoint &p : std::as_const(found))
            metrics.add(p, now);
    };
    QList<MetricPoint> parsed;
    QString parseError;
    auto onMetricsLine = [&](QByteArrayView line, int lineNo) {
        if (line.trimmed().isEmpty())
            return;
        parsed.clear();
        if (!parseMetricLine(line, parsed, &parseError)) {
            warn(u"%1:%2: %3; the line is skipped"_s.arg(metricsPath).arg(lineNo).arg(parseError));
            return;
        }
        const qint64 now = nowMs();
        for (const MetricPoint &p : std::as_const(parsed))
            metrics.add(p, now);
    };
    QElapsedTimer sinceFlush;
    sinceFlush.start();
    auto flushMetrics = [&](bool force) {
        if (!force && sinceFlush.elapsed() < options.flushIntervalMs && metrics.pending() < 50000)
            return;
        metricsTail.poll(onMetricsLine);
        if (metrics.pending() > 0) {
            if (auto r = metrics.flush(); !r)
                warn(u"metrics could not be stored: "_s + r.error().toString());
        }
        (void)store.setMetricsOffset(runId, metricsTail.offset());
        sinceFlush.restart();
    };

    bool outputOpen = true;
    bool exited = false;
    bool cancelled = false;
    bool killed = false;
    int waitStatus = 0;
    QElapsedTimer sinceCancel;
    QElapsedTimer sinceExit;
    QString error;
    QByteArray buf(1 << 16, Qt::Uninitialized);

    while (outputOpen || !exited) {
        int timeout = options.flushIntervalMs;
        if (cancelled && !killed)
            timeout = std::clamp(options.graceMs - int(sinceCancel.elapsed()), 0, timeout);
        if (exited) {
            // The main process is gone but something it started still holds the output open:
            // take what is buffered, then stop listening.
            timeout = std::max<int>(0, 300 - int(sinceExit.elapsed()));
        }
        pollfd fds[2] = {{sigGuard.readFd(), POLLIN, 0},
                         {out[0], short(outputOpen ? POLLIN : 0), 0}};
        const int n = ::poll(fds, outputOpen ? 2 : 1, timeout);
        if (n < 0 && errno != EINTR) {
            error = u"waiting for the process failed: %1"_s.arg(errnoText());
            break;
        }
        if (exited && n == 0)
            break;
        if (cancelled && !killed && sinceCancel.elapsed() >= options.graceMs) {
            ::kill(-pid, SIGKILL);
            killed = true;
        }
        if (n > 0 && (fds[0].revents & POLLIN) && sigGuard.takeCancel() && !cancelled) {
            cancelled = true;
            sinceCancel.start();
            ::kill(-pid, SIGTERM);
        }
        if (n > 0 && outputOpen && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            const ssize_t got = ::read(out[0], buf.data(), std::size_t(buf.size()));
            if (got > 0) {
                if (!writeAll(logFd, buf.constData(), std::size_t(got)) && error.isEmpty())
                    error = u"writing the run's log failed: %1"_s.arg(errnoText());
                const QByteArrayView chunk(buf.constData(), got);
                if (options.onOutput)
                    options.onOutput(chunk);
                lines.feed(chunk, onOutputLine);
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                outputOpen = false;
            }
        }
        if (!exited && ::waitpid(pid, &waitStatus, WNOHANG) == pid) {
            exited = true;
            sinceExit.start();
        }
        flushMetrics(false);
    }
    ::close(out[0]);
    if (!exited) {
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, &waitStatus, 0);
    }
    if (cancelled) {
        // What the command started may outlive it; a cancelled run leaves nothing behind.
        while (!liveProcessesInGroup(pid).isEmpty() && sinceCancel.elapsed() < options.graceMs)
            ::usleep(20000);
        if (!liveProcessesInGroup(pid).isEmpty())
            ::kill(-pid, SIGKILL);
    }
    lines.finish(onOutputLine);
    metricsTail.finish(onMetricsLine);
    flushMetrics(true);

    // 5. What the run left.
    keepFiles(snapshotFiles(u"after"_s));
    RunStatus status = RunStatus::Finished;
    std::optional<int> exitCode;
    std::optional<int> exitSignal;
    if (WIFEXITED(waitStatus)) {
        exitCode = WEXITSTATUS(waitStatus);
        if (*exitCode != 0)
            status = RunStatus::Failed;
    } else if (WIFSIGNALED(waitStatus)) {
        exitSignal = WTERMSIG(waitStatus);
        status = RunStatus::Failed;
    }
    if (cancelled)
        status = RunStatus::Cancelled;
    if (!error.isEmpty() && status == RunStatus::Finished)
        status = RunStatus::Failed;
    if (auto r = store.markEnded(runId, status, exitCode, exitSignal, error,
                                 QDateTime::currentDateTime());
        !r)
        return fail(r.error());
    return store.get(runId);
}

} // namespace cairn
