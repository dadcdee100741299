#include "supervisor.h"

#include "common/logging.h"
#include "launcher.h"
#include "runstore.h"
#include "store/projectdb.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcessEnvironment>
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
    bool ok() const { return m_ok; }
    int readFd() const { return g_signalPipe[0]; }

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

} // namespace

QList<qint64> liveProcessesInGroup(qint64 pgid)
{
    QList<qint64> out;
    const QDir proc(u"/proc"_s);
    const auto entries = proc.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &e : entries) {
        bool isPid = false;
        const qint64 pid = e.toLongLong(&isPid);
        if (!isPid)
            continue;
        QFile f(proc.filePath(e + u"/stat"_s));
        if (!f.open(QIODevice::ReadOnly))
            continue;
        // "pid (comm) state ppid pgrp ..."; comm may contain spaces and parentheses.
        const QByteArray stat = f.readAll();
        const qsizetype close = stat.lastIndexOf(')');
        if (close < 0)
            continue;
        const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
        if (fields.size() < 3)
            continue;
        if (fields[2].toLongLong() == pgid && fields[0] != "Z" && fields[0] != "X")
            out.append(pid);
    }
    return out;
}

Result<RunRecord> superviseRun(const QString &projectRoot, qint64 runId,
                               const SupervisorOptions &options)
{
    auto db = openProjectDatabase(projectRoot);
    if (!db)
        return fail(db.error());
    RunStore store(**db);
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
    auto endWithError = [&](const QString &message) -> Result<RunRecord> {
        (void)store.markEnded(runId, RunStatus::Failed, std::nullopt, std::nullopt, message,
                              QDateTime::currentDateTime());
        return fail(Error(message, logPath));
    };

    const int logFd = ::open(QFile::encodeName(logPath).constData(),
                             O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (logFd < 0)
        return endWithError(u"cannot open the run's log: %1"_s.arg(errnoText()));
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

    SignalGuard sigGuard;
    if (!sigGuard.ok())
        return endWithError(u"cannot set up signal handling: %1"_s.arg(errnoText()));
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0)
        return endWithError(u"cannot create a pipe: %1"_s.arg(errnoText()));

    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(out[0]);
        ::close(out[1]);
        return endWithError(u"cannot start a process: %1"_s.arg(errnoText()));
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
    const QDateTime started = QDateTime::currentDateTime();
    if (auto r = store.markRunning(runId, pid, ::getpid(), started); !r)
        qCWarning(lcRuns) << "cannot record the start of run" << runId << r.error().toString();
    qCDebug(lcRuns) << "run" << runId << "started as pid" << pid;

    bool outputOpen = true;
    bool exited = false;
    bool cancelled = false;
    bool killed = false;
    int waitStatus = 0;
    QElapsedTimer sinceCancel;
    QElapsedTimer sinceExit;
    QString error;
    char buf[65536];

    while (outputOpen || !exited) {
        int timeout = -1;
        if (cancelled && !killed)
            timeout = std::max<int>(0, options.graceMs - int(sinceCancel.elapsed()));
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
        if (n == 0) {
            if (exited)
                break;
            if (cancelled && !killed) {
                ::kill(-pid, SIGKILL);
                killed = true;
            }
            continue;
        }
        if (fds[0].revents & POLLIN) {
            unsigned char sig = 0;
            while (::read(sigGuard.readFd(), &sig, 1) == 1) {
                if (sig == SIGCHLD)
                    continue;
                if (!cancelled) {
                    cancelled = true;
                    sinceCancel.start();
                    ::kill(-pid, SIGTERM);
                }
            }
            if (!exited) {
                const pid_t w = ::waitpid(pid, &waitStatus, WNOHANG);
                if (w == pid) {
                    exited = true;
                    sinceExit.start();
                }
            }
        }
        if (outputOpen && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
            const ssize_t got = ::read(out[0], buf, sizeof buf);
            if (got > 0) {
                if (!writeAll(logFd, buf, std::size_t(got)) && error.isEmpty())
                    error = u"writing the run's log failed: %1"_s.arg(errnoText());
                if (options.onOutput)
                    options.onOutput(QByteArrayView(buf, got));
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                outputOpen = false;
            }
        }
        if (!exited) {
            const pid_t w = ::waitpid(pid, &waitStatus, WNOHANG);
            if (w == pid) {
                exited = true;
                sinceExit.start();
            }
        }
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
