#include "testsupport.h"

#include "testpaths.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcessEnvironment>
#include <QTest>

#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace cairn::test {

QString fixturesDir()
{
    return QStringLiteral(CAIRN_TEST_FIXTURES_DIR);
}

QString fixture(const QString &relative)
{
    return QDir(fixturesDir()).filePath(relative);
}

QString sourceDir()
{
    return QStringLiteral(CAIRN_TEST_SOURCE_DIR);
}

static QString fromEnvOrSibling(const char *var, const QString &name)
{
    const QString env = qEnvironmentVariable(var);
    if (!env.isEmpty())
        return env;
    return QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("../app/") + name);
}

QString cliPath()
{
    return fromEnvOrSibling("CAIRN_CLI", QStringLiteral("cairn-cli"));
}

QString guiPath()
{
    return fromEnvOrSibling("CAIRN_GUI", QStringLiteral("cairn"));
}

QString python()
{
    return QFileInfo::exists(QStringLiteral("/usr/bin/python3"))
               ? QStringLiteral("/usr/bin/python3")
               : QStringLiteral("python3");
}

void writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(bytes) != bytes.size())
        qFatal("cannot write test file %s", qPrintable(path));
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

ProcessResult runProcess(const QString &program, const QStringList &args, const QString &workingDir,
                         int timeoutMs, const QStringList &extraEnv)
{
    ProcessResult r;
    QProcess p;
    if (!workingDir.isEmpty())
        p.setWorkingDirectory(workingDir);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    for (const QString &kv : extraEnv) {
        const qsizetype eq = kv.indexOf(QLatin1Char('='));
        env.insert(kv.left(eq), kv.mid(eq + 1));
    }
    p.setProcessEnvironment(env);
    p.start(program, args);
    r.started = p.waitForStarted(10000);
    if (!r.started)
        return r;
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
    }
    r.exitCode = p.exitCode();
    r.exitStatus = p.exitStatus();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

void isolateUserDirs()
{
    static QTemporaryDir home;
    const QByteArray base = QFile::encodeName(home.path());
    qputenv("XDG_CONFIG_HOME", base + "/config");
    qputenv("XDG_DATA_HOME", base + "/data");
    qputenv("XDG_CACHE_HOME", base + "/cache");
    if (qEnvironmentVariableIsEmpty("XDG_RUNTIME_DIR")) {
        QDir().mkpath(home.path() + QStringLiteral("/runtime"));
        QFile::setPermissions(home.path() + QStringLiteral("/runtime"),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner |
                                  QFileDevice::ExeOwner);
        qputenv("XDG_RUNTIME_DIR", base + "/runtime");
    }
}

static QtMessageHandler g_previous = nullptr;

static void strictHandler(QtMsgType type, const QMessageLogContext &ctx, const QString &msg)
{
    if (g_previous)
        g_previous(type, ctx, msg);
    if (type == QtDebugMsg || type == QtInfoMsg)
        return;
    // The offscreen platform plugin reports features it lacks; they are not our warnings.
    if (msg.contains(QLatin1String("This plugin does not support")))
        return;
    QTest::qFail(qPrintable(QStringLiteral("Qt warning: ") + msg), ctx.file ? ctx.file : __FILE__,
                 ctx.line);
}

void failOnQtWarnings()
{
    g_previous = qInstallMessageHandler(strictHandler);
}

Measured measure(const QStringList &command, const QString &outFile)
{
    Measured m;
    QElapsedTimer timer;
    timer.start();
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int fd =
            ::open(QFile::encodeName(outFile).constData(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, STDOUT_FILENO);
        std::vector<QByteArray> args;
        for (const QString &a : command)
            args.push_back(QFile::encodeName(a));
        std::vector<char *> argv;
        for (QByteArray &a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    int status = 0;
    rusage usage = {};
    ::wait4(pid, &status, 0, &usage);
    m.seconds = double(timer.nsecsElapsed()) / 1e9;
    m.peakKb = usage.ru_maxrss;
    m.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    m.out = test::readFile(outFile);
    return m;
}

QString machineDescription()
{
    utsname un = {};
    ::uname(&un);
    QString cpu;
    QFile info(QStringLiteral("/proc/cpuinfo"));
    if (info.open(QIODevice::ReadOnly)) {
        for (const QByteArray &l : info.readAll().split('\n')) {
            if (l.startsWith("model name")) {
                cpu = QString::fromUtf8(l.mid(l.indexOf(':') + 1).trimmed());
                break;
            }
        }
    }
    const double ram = double(::sysconf(_SC_PHYS_PAGES)) * double(::sysconf(_SC_PAGE_SIZE));
    return QStringLiteral("%1, %2 cores, %3 GiB RAM, %4 %5")
        .arg(cpu)
        .arg(::sysconf(_SC_NPROCESSORS_ONLN))
        .arg(ram / (1 << 30), 0, 'f', 1)
        .arg(QString::fromLocal8Bit(un.sysname), QString::fromLocal8Bit(un.release));
}

} // namespace cairn::test
