#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

namespace cairn::test {

// The repository's test fixtures (tests/fixtures) and source folder.
QString fixturesDir();
QString fixture(const QString &relative);
QString sourceDir();

// Paths of the built executables (set by CTest; next to the test binary otherwise).
QString cliPath();
QString guiPath();

// Debian's Python (/usr/bin/python3, where python3-yaml, -numpy and -scipy are installed), else
// python3 from PATH.
QString python();

void writeFile(const QString &path, const QByteArray &bytes);
QByteArray readFile(const QString &path);

struct ProcessResult
{
    int exitCode = -1;
    QProcess::ExitStatus exitStatus = QProcess::CrashExit;
    QByteArray out;
    QByteArray err;
    bool started = false;
};

// Runs a program to its end (at most `timeoutMs`) and collects its output.
ProcessResult runProcess(const QString &program, const QStringList &args,
                         const QString &workingDir = {}, int timeoutMs = 120000,
                         const QStringList &extraEnv = {});

// Points XDG_CONFIG_HOME and XDG_DATA_HOME at a private folder, so tests never read or change
// the user's settings or project list. Call before creating the application object.
void isolateUserDirs();

// Makes every Qt warning (and worse) fail the current test: a warning in a test run is a bug.
void failOnQtWarnings();

// What a benchmark measures of a child process: wall time, peak resident memory (wait4) and its
// standard output.
struct Measured
{
    double seconds = 0;
    long peakKb = 0;
    int exitCode = -1;
    QByteArray out;
};
// Runs `command` (an absolute program path and its arguments) with stdout to `outFile`.
Measured measure(const QStringList &command, const QString &outFile);
// "CPU model, N cores, R GiB RAM, Linux 6.1…": the machine a benchmark's figures come from.
QString machineDescription();

} // namespace cairn::test
