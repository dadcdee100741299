#pragma once

#include "runs/logbuffer.h"

#include <QAbstractScrollArea>
#include <QFont>
#include <QTimer>

#include <array>

namespace cairn::ui {

// A read-only terminal-like view of a run's output: ANSI colours, progress bars redrawn in place,
// at most `maxLines` lines in memory (the whole log stays on disk; a first line says how many
// earlier lines are only there).
//
// Output is parsed as it is appended, but the view repaints at most every 40 ms, painting only
// the visible lines, so millions of lines arriving in large chunks keep it responsive.
// Selection: drag selects characters, a double click a line, Shift+click extends; Ctrl+C
// copies, Ctrl+A selects all. Follow-tail keeps the newest line in view; scrolling up turns it
// off, scrolling back to the bottom (or End) turns it on again.
class AnsiLogView : public QAbstractScrollArea
{
    Q_OBJECT
public:
    explicit AnsiLogView(QWidget *parent = nullptr, int maxLines = 100000);
    ~AnsiLogView() override;

    const LogBuffer &buffer() const { return m_buffer; }
    // Appends output (any chunking, see LogBuffer::append); the view updates within 40 ms.
    void appendBytes(QByteArrayView bytes);
    // Replaces the content, e.g. with the tail of a log file parsed on a worker thread.
    void setBuffer(LogBuffer buffer);
    void clear();

    bool followTail() const { return m_followTail; }
    void setFollowTail(bool follow);

    // Selects the next (or previous) occurrence of `text` after (before) the selection, or from
    // the top (bottom) of the view when nothing is selected, wrapping around, and scrolls to it.
    // Every visible occurrence is highlighted until the next find() (an empty text clears it).
    // Returns false when `text` is not in the kept lines. Matches do not span lines.
    bool find(const QString &text, bool forward = true,
              Qt::CaseSensitivity cs = Qt::CaseInsensitive);

    QString selectedText() const;
    bool hasSelection() const { return m_anchor != m_cursor; }
    void selectAll();
    void copy() const;

    // The line at the top of the view (the first kept line while the note about earlier lines
    // is in view), as an absolute number (see LogBuffer::firstLineNumber); -1 when empty.
    qint64 firstVisibleLine() const;
    // Scrolls so that the absolute line `line` is in view.
    void scrollToLine(qint64 line);
    // The note shown above the first kept line ("1,234 earlier lines are in the log file"),
    // empty when nothing was dropped.
    QString droppedLinesNote() const;

signals:
    void followTailChanged(bool follow);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    // A position in the text: absolute line number and column (UTF-16 index).
    struct Pos
    {
        qint64 line = 0;
        int column = 0;
        auto operator<=>(const Pos &) const = default;
    };

    void scheduleUpdate();
    void applyUpdate();
    void updateMetrics();
    void updateColors();
    void updateScrollBars();
    void onScrolled(int value);
    int headerRows() const { return m_buffer.firstLineNumber() > 0 ? 1 : 0; }
    int pageRows() const;
    Pos posAt(const QPoint &viewportPos) const;
    void setSelection(Pos anchor, Pos cursor);
    void clearSelection();
    void ensureVisible(Pos from, Pos to);
    void paintLine(QPainter &p, const LogLine &line, qint64 lineNumber, int y, int firstCol,
                   int lastCol);
    QColor resolve(const LogColor &c, bool foreground) const;

    LogBuffer m_buffer;
    QTimer m_updateTimer;
    bool m_followTail = true;
    bool m_adjusting = false; // scroll bar changes made by the view, not the user

    // What the scroll bars were computed for: to keep the view on the same lines as old lines
    // are dropped.
    qint64 m_shownFirstLine = 0;
    int m_shownHeaderRows = 0;

    QFont m_fonts[8]; // by Bold | Italic << 1 | Underline << 2
    qreal m_charWidth = 8;
    int m_lineHeight = 16;
    int m_ascent = 12;
    std::array<QColor, 16> m_palette; // foreground shades of the 16 ANSI colours for the theme

    Pos m_anchor;
    Pos m_cursor;
    bool m_selecting = false;

    QString m_search;
    Qt::CaseSensitivity m_searchCs = Qt::CaseInsensitive;
};

} // namespace cairn::ui
