#pragma once

#include "common/error.h"
#include "data/rowcount.h"
#include "project/project.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QElapsedTimer>

#include <cstdio>
#include <optional>
#include <unistd.h>

namespace cairn::cli {

void printErr(const QString &text);
void printOut(const QString &text);
int reportErrors(const Errors &errors);
int reportError(const Error &e);

// Parses `args` with `parser`; on a usage problem prints it and returns false with the exit
// code in `exitCode` (2, or 0 for --help).
bool parse(QCommandLineParser &parser, const QString &command, const QStringList &args,
           int *exitCode);

extern const QCommandLineOption projectOption;

// The folder given with --project, else the current folder or its nearest parent that holds a
// project file or a .cairn folder.
QString projectRoot(const QCommandLineParser &parser);
std::optional<Project> load(const QCommandLineParser &parser, int *exitCode);
QString formatDuration(qint64 ms);

// A progress line on the terminal for jobs that take more than a moment; nothing when stderr
// is not a terminal.
class ProgressLine
{
public:
    explicit ProgressLine(QString what)
        : m_what(std::move(what))
        , m_tty(::isatty(STDERR_FILENO) != 0)
    {
        m_timer.start();
    }
    ~ProgressLine() { finish(); }
    Progress callback()
    {
        return [this](qint64 done, qint64 total) {
            if (!m_tty || m_timer.elapsed() < 700 || total <= 0)
                return true;
            const int percent = int(100 * done / total);
            if (percent != m_last) {
                m_last = percent;
                std::fprintf(stderr, "\r%s: %d%%", qPrintable(m_what), percent);
                m_shown = true;
            }
            return true;
        };
    }
    void finish()
    {
        if (m_shown)
            std::fputs("\r\033[K", stderr);
        m_shown = false;
    }

private:
    QString m_what;
    bool m_tty;
    QElapsedTimer m_timer;
    int m_last = -1;
    bool m_shown = false;
};

} // namespace cairn::cli
