#pragma once

#include <QByteArray>
#include <QHash>
#include <QWidget>

class QLabel;
class QStackedWidget;
class QTabWidget;

namespace cairn::ui {

class AnsiLogView;
class RunLogPage;

// The bottom dock's live log panes: a closable tab per running or recent run, each with a
// toolbar (Follow, search with Enter / Shift+Enter, previous and next, "Open Log File") over
// an AnsiLogView.
//
// Output reaches a tab only through appendOutput(): showRun() never reads the log file, because
// the caller already streams a running run's output.log from its start (RunController's
// LogTail). For a run nobody streams (a finished run opened from the history), loadLogTail()
// reads the end of its output.log on a worker thread.
//
// At most MaxTabs tabs are kept: opening another closes the oldest finished run's tab. Tabs of
// running runs are never closed for room, so while more than MaxTabs runs are running there
// are more tabs.
class LogPanes : public QWidget
{
    Q_OBJECT
public:
    static constexpr int MaxTabs = 8;
    static constexpr qint64 DefaultTailBytes = 8 * 1024 * 1024;

    explicit LogPanes(QWidget *parent = nullptr);
    ~LogPanes() override;

    // Opens (or brings to front) the tab of run `runId`. `logPath` is its output.log, for
    // "Open Log File" and loadLogTail(). A new tab starts empty, following its output.
    void showRun(qint64 runId, const QString &title, const QString &logPath);
    // Replaces the tab's content with the last `maxBytes` of its log file (readLogTail() on a
    // worker thread: from the first complete line, the lines before it counted and shown as a
    // note). Output appended meanwhile is added after it. Does nothing for a run without a tab.
    void loadLogTail(qint64 runId, qint64 maxBytes = DefaultTailBytes);
    // Shown in the tab's title and tooltip ("running", "finished", "failed (exit 3)"); finished
    // runs' tabs are the ones closed to make room.
    void setRunStatus(qint64 runId, const QString &statusText, bool finished);

    AnsiLogView *view(qint64 runId) const;
    // The run of the current tab, -1 when there is none.
    qint64 currentRun() const;
    // The runs with a tab, in tab order.
    QList<qint64> runs() const;

public slots:
    // Output of run `runId` (ignored when the run has no tab). Slot-compatible with
    // RunController::runOutput.
    void appendOutput(qint64 runId, const QByteArray &chunk);

signals:
    void currentRunChanged(qint64 runId);

private:
    RunLogPage *page(qint64 runId) const;
    void closeTab(int index);
    void makeRoom();
    void updateTab(RunLogPage *page);

    QStackedWidget *m_stack;
    QLabel *m_placeholder;
    QTabWidget *m_tabs;
    QHash<qint64, RunLogPage *> m_pages;
    quint64 m_opened = 0; // tabs opened so far, to know which is the oldest
};

} // namespace cairn::ui
