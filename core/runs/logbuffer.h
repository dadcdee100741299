#pragma once

#include "common/error.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

#include <functional>
#include <vector>

namespace cairn {

// A colour as a terminal program asked for it. Palette colours (0–15, the 8 ANSI colours and
// their bright variants) stay indices so a view can pick shades that suit its theme; 256-colour
// indices 16–255 and truecolour arrive as RGB.
struct LogColor
{
    enum class Kind : quint8
    {
        Default,
        Palette,
        Rgb
    };

    Kind kind = Kind::Default;
    quint8 index = 0; // Palette: 0–15
    quint32 rgb = 0;  // Rgb: 0xRRGGBB (a QRgb without alpha; core does not use Qt Gui)

    static constexpr LogColor palette(int i) { return {Kind::Palette, quint8(i & 15), 0}; }
    static constexpr LogColor fromRgb(quint32 rgb) { return {Kind::Rgb, 0, rgb & 0xFFFFFFu}; }
    // xterm's 256-colour table: 0–15 palette, 16–231 a 6×6×6 cube, 232–255 greys.
    static LogColor fromXterm256(int n);

    bool isDefault() const { return kind == Kind::Default; }
    bool operator==(const LogColor &) const = default;
};

// The SGR state of a character.
struct LogStyle
{
    enum Attribute : quint8
    {
        Bold = 1,
        Dim = 2,
        Italic = 4,
        Underline = 8,
        Inverse = 16,
    };

    LogColor fg;
    LogColor bg;
    quint8 attributes = 0; // Attribute flags

    bool has(Attribute a) const { return attributes & a; }
    bool isDefault() const { return fg.isDefault() && bg.isDefault() && attributes == 0; }
    bool operator==(const LogStyle &) const = default;
};

// Characters [start, start + length) of a line drawn in `style`.
struct LogSpan
{
    int start = 0;
    int length = 0;
    LogStyle style;

    int end() const { return start + length; }
    bool operator==(const LogSpan &) const = default;
};

// One line: its text (escape sequences removed, tabs expanded) and the styled parts of it.
// `spans` holds only non-default styles, sorted, never overlapping; text outside every span has
// the default style.
struct LogLine
{
    QString text;
    QList<LogSpan> spans;
};

// The terminal-like model behind a log pane. Bytes are appended as they arrive (a chunk may end
// in the middle of a UTF-8 sequence or an escape sequence) and are interpreted the way a
// terminal would show them:
//  - UTF-8, an invalid byte sequence becoming U+FFFD (one per maximal invalid subpart);
//  - '\n' moves to the start of the next line, '\r' to column 0 of the current line, so text
//    after a lone '\r' overwrites the line (progress bars redraw in place), '\b' one column
//    back, '\t' to the next multiple of 8;
//  - CSI SGR colours and attributes (16, 256 and 24-bit colours, ';' or ':' separated), erase
//    in line (ESC[K, ESC[1K, ESC[2K) and cursor movement (ESC[nA/B/C/D/E/F/G); every other
//    CSI, OSC, DCS or ESC sequence and every other control character is dropped.
// Memory is bounded: at most `maxLines` lines are kept (older ones are dropped and counted) and
// a line longer than MaxLineLength characters wraps onto the next one.
//
// A plain value class (no QObject, no signals): a view polls revision() and
// takeFirstChangedLine() when it repaints. Not thread-safe, but movable between threads.
class LogBuffer
{
public:
    static constexpr int MaxLineLength = 16384;

    explicit LogBuffer(int maxLines = 100000);

    // Interprets more output. Never fails: anything it does not understand is dropped.
    void append(QByteArrayView bytes);
    // Forgets everything, including the parser's state and the line numbering.
    void clear();
    // Numbers lines from `lineNumber` on, for output whose first `lineNumber` lines are not
    // loaded (the tail of a long log file). Only meaningful on an empty buffer.
    void startAtLine(qint64 lineNumber);

    int maxLines() const { return m_maxLines; }
    // The lines kept: index 0 is the oldest kept line, lineCount() - 1 the newest. A line
    // exists once something was written on it or it was ended by '\n': "a\n" is one line,
    // "a\nb" two.
    int lineCount() const { return int(m_count); }
    const LogLine &line(int i) const { return m_lines[slot(i)]; }
    QString lineText(int i) const { return line(i).text; }
    // The absolute number (0-based, counted since the output started) of line(0), which is
    // also the number of lines dropped to bound memory.
    qint64 firstLineNumber() const { return m_first; }
    // Lines seen in all (dropped + kept).
    qint64 totalLines() const { return m_first + m_count; }
    // The length of the longest line seen since the last clear(), for a horizontal scroll range.
    int maxLineLength() const { return m_maxLineLength; }

    // Plain text of `count` lines from `from` (relative), joined by '\n'; all lines by default.
    QString text(int from = 0, int count = -1) const;

    // Grows with every change. A view repaints when it differs from the one it painted.
    qint64 revision() const { return m_revision; }
    // The absolute number of the first line written, overwritten, erased or added since the
    // previous call, or -1 when none changed. Resets the mark.
    qint64 takeFirstChangedLine();

    // The position where the next character is written, as an absolute line number (up to
    // totalLines(): the line after the last one before anything is written there) and column.
    qint64 cursorLine() const { return m_row; }
    int cursorColumn() const { return m_col; }

private:
    enum class State : quint8
    {
        Ground,
        Escape,
        EscapeIntermediate,
        Csi,
        String,
        StringEscape
    };

    size_t slot(qint64 i) const { return size_t((m_head + i) % qint64(m_lines.size())); }
    void markChanged(qint64 absLine);
    LogLine &currentLine(); // the line at the cursor, created if it is the next one
    LogLine &addLine();
    void applyStyle(LogLine &line, int start, int length);
    void writeText(QStringView text);
    void flushPending();
    void newLine();
    void control(uchar c);
    bool escapeByte(uchar c); // false: not part of the sequence, process it as usual
    bool csiByte(uchar c);
    bool stringByte(uchar c);
    void dispatchCsi(uchar final);
    void applySgr();
    void eraseInLine(int mode);
    void moveRows(qint64 delta);
    void setColumn(qint64 col);
    void startCsi();
    void startUtf8(uchar b);
    void putCodePoint(char32_t c);

    // Lines: a ring over m_lines once it holds m_maxLines.
    std::vector<LogLine> m_lines;
    qint64 m_head = 0;  // slot of line(0)
    qint64 m_count = 0; // lines kept
    qint64 m_first = 0; // absolute number of line(0)
    int m_maxLines;
    int m_maxLineLength = 0;

    // Cursor and current style.
    qint64 m_row = 0; // absolute
    int m_col = 0;
    LogStyle m_style;

    // Printable characters decoded but not yet written to the line.
    QString m_pending;

    // UTF-8 decoder state.
    char32_t m_codePoint = 0;
    int m_utf8Need = 0;
    uchar m_utf8Low = 0x80;
    uchar m_utf8High = 0xBF;

    // Escape sequence parser state.
    static constexpr int MaxParams = 32;
    State m_state = State::Ground;
    char m_private = 0;          // CSI private marker ('?', '>', ...), sequence ignored when set
    bool m_intermediate = false; // CSI intermediate byte seen, sequence ignored
    int m_paramCount = 0;
    int m_params[MaxParams] = {};
    bool m_subParam[MaxParams] = {}; // joined to the previous one by ':'
    bool m_paramsOverflow = false;
    int m_stringLength = 0;

    qint64 m_revision = 0;
    qint64 m_firstChanged = -1;
};

// The end of a log file, parsed.
struct LogFileTail
{
    LogBuffer buffer;
    qint64 end = 0; // the file offset after the last byte read: where following should resume
};

// Reads the last `maxBytes` of the log file at `path` into a LogBuffer of `maxLines`, from its
// first complete line on; the lines before it are counted (not parsed) so the buffer numbers
// lines as in the file. A missing file gives an empty buffer. Blocking: for a worker thread.
// `progress(done, total)` is called between 1 MiB blocks of the file; false cancels.
Result<LogFileTail>
readLogTail(const QString &path, qint64 maxBytes, int maxLines = 100000,
            const std::function<bool(qint64 done, qint64 total)> &progress = {});

} // namespace cairn
