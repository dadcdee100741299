#include "logbuffer.h"

#include <QFile>

#include <algorithm>
#include <optional>
#include <utility>

namespace cairn {

using namespace Qt::StringLiterals;

namespace {

constexpr int MaxParamValue = 99999;
constexpr int MaxStringLength = 65536;   // an OSC/DCS string longer than this is not one
constexpr qsizetype KeepCapacity = 1024; // a recycled line keeps its buffer up to this size

// Advances past printable ASCII (0x20–0x7E), the bulk of most logs.
inline qsizetype printableRun(const char *p, qsizetype i, qsizetype n)
{
    while (i < n && uchar(p[i]) - 0x20u < 0x5Fu)
        ++i;
    return i;
}

} // namespace

LogColor LogColor::fromXterm256(int n)
{
    n = std::clamp(n, 0, 255);
    if (n < 16)
        return palette(n);
    if (n < 232) {
        n -= 16;
        const auto level = [](int v) { return quint32(v ? 55 + 40 * v : 0); };
        return fromRgb(level(n / 36) << 16 | level(n / 6 % 6) << 8 | level(n % 6));
    }
    const quint32 grey = quint32(8 + 10 * (n - 232));
    return fromRgb(grey << 16 | grey << 8 | grey);
}

LogBuffer::LogBuffer(int maxLines)
    : m_maxLines(std::max(1, maxLines))
{}

void LogBuffer::clear()
{
    const qint64 revision = m_revision;
    *this = LogBuffer(m_maxLines);
    m_revision = revision + 1; // a view must notice, though everything else starts over
}

void LogBuffer::startAtLine(qint64 lineNumber)
{
    if (m_count != 0 || lineNumber < 0)
        return;
    m_first = lineNumber;
    m_row = lineNumber;
}

QString LogBuffer::text(int from, int count) const
{
    from = std::clamp(from, 0, lineCount());
    if (count < 0 || count > lineCount() - from)
        count = lineCount() - from;
    qsizetype size = 0;
    for (int i = from; i < from + count; ++i)
        size += line(i).text.size() + 1;
    QString out;
    out.reserve(size);
    for (int i = from; i < from + count; ++i) {
        if (i > from)
            out += u'\n';
        out += line(i).text;
    }
    return out;
}

qint64 LogBuffer::takeFirstChangedLine()
{
    return std::exchange(m_firstChanged, -1);
}

void LogBuffer::markChanged(qint64 absLine)
{
    ++m_revision;
    if (m_firstChanged < 0 || absLine < m_firstChanged)
        m_firstChanged = absLine;
}

LogLine &LogBuffer::addLine()
{
    if (m_count < m_maxLines) {
        // Not full yet, so the ring has not turned: m_head is 0 and every slot is in use.
        m_lines.emplace_back();
        ++m_count;
        return m_lines.back();
    }
    // Full: the oldest line's slot becomes the newest line, keeping its buffers when small.
    LogLine &line = m_lines[size_t(m_head)];
    if (line.text.capacity() > KeepCapacity)
        line.text = QString();
    else
        line.text.truncate(0);
    line.spans.clear();
    m_head = (m_head + 1) % m_maxLines;
    ++m_first;
    m_row = std::max(m_row, m_first);
    return line;
}

LogLine &LogBuffer::currentLine()
{
    if (m_row >= totalLines()) {
        LogLine &line = addLine();
        markChanged(m_row);
        return line;
    }
    return m_lines[slot(m_row - m_first)];
}

void LogBuffer::applyStyle(LogLine &line, int start, int length)
{
    QList<LogSpan> &spans = line.spans;
    const LogStyle &style = m_style;
    // Writing after every styled part, the usual case: extend or add one span.
    if (spans.isEmpty() || spans.constLast().end() <= start) {
        if (style.isDefault())
            return;
        if (!spans.isEmpty() && spans.constLast().end() == start &&
            spans.constLast().style == style)
            spans.last().length += length;
        else
            spans.append(LogSpan{start, length, style});
        return;
    }
    // Overwriting: cut the range out of the spans it overlaps, insert it, merge equal neighbours.
    const int end = start + length;
    QList<LogSpan> out;
    out.reserve(spans.size() + 2);
    bool inserted = false;
    const auto insert = [&] {
        if (!inserted && !style.isDefault())
            out.append(LogSpan{start, length, style});
        inserted = true;
    };
    for (const LogSpan &s : std::as_const(spans)) {
        if (s.end() <= start) {
            out.append(s);
            continue;
        }
        if (s.start >= end) {
            insert();
            out.append(s);
            continue;
        }
        if (s.start < start)
            out.append(LogSpan{s.start, start - s.start, s.style});
        if (s.end() > end) {
            insert();
            out.append(LogSpan{end, s.end() - end, s.style});
        }
    }
    insert();
    spans.clear();
    for (const LogSpan &s : std::as_const(out)) {
        if (!spans.isEmpty() && spans.constLast().end() == s.start &&
            spans.constLast().style == s.style)
            spans.last().length += s.length;
        else
            spans.append(s);
    }
}

void LogBuffer::writeText(QStringView text)
{
    while (!text.isEmpty()) {
        if (m_col >= MaxLineLength)
            newLine(); // wrap an endless line rather than grow it without bound
        LogLine &line = currentLine();
        const int n = int(std::min<qsizetype>(text.size(), MaxLineLength - m_col));
        const int length = int(line.text.size());
        if (m_col == length) {
            line.text.append(text.first(n));
        } else if (m_col > length) {
            line.text.resize(m_col, u' ');
            line.text.append(text.first(n));
        } else {
            line.text.replace(m_col, std::min(n, length - m_col), text.data(), n);
        }
        applyStyle(line, m_col, n);
        m_col += n;
        m_maxLineLength = std::max(m_maxLineLength, int(line.text.size()));
        markChanged(m_row);
        text = text.sliced(n);
    }
}

void LogBuffer::flushPending()
{
    if (m_pending.isEmpty())
        return;
    writeText(m_pending);
    m_pending.truncate(0);
}

void LogBuffer::newLine()
{
    if (m_row >= totalLines())
        currentLine(); // "a\n\n": the empty line in between exists
    ++m_row;
    m_col = 0;
}

void LogBuffer::moveRows(qint64 delta)
{
    if (delta < 0)
        m_row = std::max(m_first, m_row + delta);
    else
        m_row = std::min(m_row + delta, std::max(m_row, totalLines() - 1));
}

void LogBuffer::setColumn(qint64 col)
{
    m_col = int(std::clamp<qint64>(col, 0, MaxLineLength));
}

void LogBuffer::putCodePoint(char32_t c)
{
    if (c < 0xA0) // C1 controls
        return;
    if (c < 0x10000) {
        m_pending += QChar(char16_t(c));
    } else {
        m_pending += QChar(QChar::highSurrogate(c));
        m_pending += QChar(QChar::lowSurrogate(c));
    }
}

void LogBuffer::startUtf8(uchar b)
{
    // Well-formed sequences per Unicode table 3-7: the second byte's range depends on the first.
    m_utf8Low = 0x80;
    m_utf8High = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
        m_utf8Need = 1;
        m_codePoint = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        m_utf8Need = 2;
        m_codePoint = b & 0x0F;
        if (b == 0xE0)
            m_utf8Low = 0xA0; // no overlong forms
        else if (b == 0xED)
            m_utf8High = 0x9F; // no surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
        m_utf8Need = 3;
        m_codePoint = b & 0x07;
        if (b == 0xF0)
            m_utf8Low = 0x90;
        else if (b == 0xF4)
            m_utf8High = 0x8F; // nothing above U+10FFFF
    } else {
        putCodePoint(0xFFFD); // a stray continuation byte, 0xC0, 0xC1 or 0xF5–0xFF
    }
}

void LogBuffer::control(uchar c)
{
    switch (c) {
    case '\n':
    case '\v':
    case '\f':
        newLine();
        break;
    case '\r':
        m_col = 0;
        break;
    case '\b':
        m_col = std::max(0, m_col - 1);
        break;
    case '\t':
        setColumn((m_col / 8 + 1) * 8);
        break;
    case 0x1B:
        m_state = State::Escape;
        break;
    default: // BEL, NUL, DEL and the rest show nothing
        break;
    }
}

void LogBuffer::startCsi()
{
    m_state = State::Csi;
    m_private = 0;
    m_intermediate = false;
    m_paramCount = 0;
    m_paramsOverflow = false;
}

bool LogBuffer::escapeByte(uchar c)
{
    if (c == '[') {
        startCsi();
    } else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_') {
        m_state = State::String; // OSC, DCS, SOS, PM, APC: a string up to BEL or ESC '\'
        m_stringLength = 0;
    } else if (c >= 0x20 && c <= 0x2F) {
        m_state = State::EscapeIntermediate; // ESC ( B and the like
    } else if (c >= 0x30 && c <= 0x7E) {
        if (c == 'c') // RIS
            m_style = {};
        m_state = State::Ground;
    } else if (c == 0x1B) {
        m_state = State::Escape;
    } else {
        m_state = State::Ground;
        return c == 0x18 || c == 0x1A; // CAN and SUB cancel; anything else is shown as usual
    }
    return true;
}

bool LogBuffer::csiByte(uchar c)
{
    if (c >= '0' && c <= '9') {
        if (m_paramCount == 0) {
            m_paramCount = 1;
            m_params[0] = 0;
            m_subParam[0] = false;
        }
        if (!m_paramsOverflow) {
            int &v = m_params[m_paramCount - 1];
            v = std::min(v * 10 + (c - '0'), MaxParamValue);
        }
    } else if (c == ';' || c == ':') {
        if (m_paramCount == 0) {
            m_paramCount = 1;
            m_params[0] = 0;
            m_subParam[0] = false;
        }
        if (m_paramCount < MaxParams) {
            m_params[m_paramCount] = 0;
            m_subParam[m_paramCount] = c == ':';
            ++m_paramCount;
        } else {
            m_paramsOverflow = true;
        }
    } else if (c >= '<' && c <= '?') {
        m_private = char(c);
    } else if (c >= 0x20 && c <= 0x2F) {
        m_intermediate = true;
    } else if (c >= 0x40 && c <= 0x7E) {
        m_state = State::Ground;
        dispatchCsi(c);
    } else if (c == 0x1B) {
        m_state = State::Escape;
    } else {
        m_state = State::Ground; // a malformed sequence: show what follows
        return c == 0x18 || c == 0x1A;
    }
    return true;
}

bool LogBuffer::stringByte(uchar c)
{
    if (m_state == State::StringEscape) {
        m_state = State::Ground;
        if (c == '\\')
            return true; // ST
        m_state = State::Escape;
        return escapeByte(c);
    }
    if (c == 0x07 || c == 0x18 || c == 0x1A) {
        m_state = State::Ground;
    } else if (c == 0x1B) {
        m_state = State::StringEscape;
    } else if (c == '\n' || ++m_stringLength > MaxStringLength) {
        m_state = State::Ground; // an unterminated string must not swallow the rest of the log
        return false;
    }
    return true;
}

void LogBuffer::dispatchCsi(uchar final)
{
    if (m_private || m_intermediate)
        return; // private modes (cursor visibility, ...) change nothing visible here
    const qint64 n = m_paramCount > 0 && m_params[0] > 0 ? m_params[0] : 1;
    switch (final) {
    case 'm':
        applySgr();
        break;
    case 'K':
        eraseInLine(m_paramCount > 0 ? m_params[0] : 0);
        break;
    case 'A':
        moveRows(-n);
        break;
    case 'B':
        moveRows(n);
        break;
    case 'E':
        moveRows(n);
        m_col = 0;
        break;
    case 'F':
        moveRows(-n);
        m_col = 0;
        break;
    case 'C':
        setColumn(m_col + n);
        break;
    case 'D':
        setColumn(m_col - n);
        break;
    case 'G':
        setColumn(n - 1);
        break;
    default:
        break;
    }
}

void LogBuffer::eraseInLine(int mode)
{
    if (m_row >= totalLines())
        return; // nothing written on the cursor's line yet
    LogLine &line = m_lines[slot(m_row - m_first)];
    const int length = int(line.text.size());
    if (mode == 0) {
        if (m_col >= length)
            return;
        line.text.truncate(m_col);
        while (!line.spans.isEmpty() && line.spans.constLast().start >= m_col)
            line.spans.removeLast();
        if (!line.spans.isEmpty() && line.spans.constLast().end() > m_col)
            line.spans.last().length = m_col - line.spans.constLast().start;
    } else if (mode == 1) {
        const int n = std::min(m_col + 1, length);
        if (n <= 0)
            return;
        line.text.replace(0, n, QString(n, u' '));
        const LogStyle style = std::exchange(m_style, LogStyle{});
        applyStyle(line, 0, n);
        m_style = style;
    } else if (mode == 2) {
        line.text.truncate(0);
        line.spans.clear();
    } else {
        return;
    }
    markChanged(m_row);
}

void LogBuffer::applySgr()
{
    if (m_paramCount == 0) {
        m_style = {};
        return;
    }
    const int *p = m_params;
    const int count = m_paramCount;
    int k = 0;
    while (k < count) {
        const int v = p[k];
        int subEnd = k + 1; // sub-parameters (':') belong to p[k]
        while (subEnd < count && m_subParam[subEnd])
            ++subEnd;
        if (v == 38 || v == 48 || v == 58) {
            std::optional<LogColor> color;
            int next = subEnd;
            const auto rgb = [](int r, int g, int b) {
                return LogColor::fromRgb(quint32(std::min(r, 255)) << 16 |
                                         quint32(std::min(g, 255)) << 8 |
                                         quint32(std::min(b, 255)));
            };
            if (subEnd > k + 1) { // 38:5:n, 38:2:r:g:b or 38:2:colorspace:r:g:b
                const int *s = p + k + 1;
                const int ns = subEnd - k - 1;
                if (s[0] == 5 && ns >= 2)
                    color = LogColor::fromXterm256(s[1]);
                else if (s[0] == 2 && ns == 4)
                    color = rgb(s[1], s[2], s[3]);
                else if (s[0] == 2 && ns >= 5)
                    color = rgb(s[2], s[3], s[4]);
            } else if (k + 2 < count && p[k + 1] == 5) { // 38;5;n
                color = LogColor::fromXterm256(p[k + 2]);
                next = k + 3;
            } else if (k + 4 < count && p[k + 1] == 2) { // 38;2;r;g;b
                color = rgb(p[k + 2], p[k + 3], p[k + 4]);
                next = k + 5;
            } else {
                return; // malformed: the rest cannot be interpreted reliably
            }
            if (color && v == 38)
                m_style.fg = *color;
            else if (color && v == 48)
                m_style.bg = *color;
            k = next;
            continue;
        }
        switch (v) {
        case 0:
            m_style = {};
            break;
        case 1:
            m_style.attributes |= LogStyle::Bold;
            break;
        case 2:
            m_style.attributes |= LogStyle::Dim;
            break;
        case 3:
            m_style.attributes |= LogStyle::Italic;
            break;
        case 4: // 4:0 is "no underline", 4:1…4:5 are underline styles
            if (subEnd > k + 1 && p[k + 1] == 0)
                m_style.attributes &= ~LogStyle::Underline;
            else
                m_style.attributes |= LogStyle::Underline;
            break;
        case 7:
            m_style.attributes |= LogStyle::Inverse;
            break;
        case 21:
            m_style.attributes |= LogStyle::Underline; // double underline
            break;
        case 22:
            m_style.attributes &= ~(LogStyle::Bold | LogStyle::Dim);
            break;
        case 23:
            m_style.attributes &= ~LogStyle::Italic;
            break;
        case 24:
            m_style.attributes &= ~LogStyle::Underline;
            break;
        case 27:
            m_style.attributes &= ~LogStyle::Inverse;
            break;
        case 39:
            m_style.fg = {};
            break;
        case 49:
            m_style.bg = {};
            break;
        default:
            if (v >= 30 && v <= 37)
                m_style.fg = LogColor::palette(v - 30);
            else if (v >= 90 && v <= 97)
                m_style.fg = LogColor::palette(v - 90 + 8);
            else if (v >= 40 && v <= 47)
                m_style.bg = LogColor::palette(v - 40);
            else if (v >= 100 && v <= 107)
                m_style.bg = LogColor::palette(v - 100 + 8);
            break; // blink, conceal, strike-through, fonts, ...: not shown
        }
        k = subEnd;
    }
}

void LogBuffer::append(QByteArrayView bytes)
{
    const char *p = bytes.data();
    const qsizetype n = bytes.size();
    qsizetype i = 0;
    while (i < n) {
        const uchar c = uchar(p[i]);
        switch (m_state) {
        case State::Ground:
            break;
        case State::Escape:
        case State::EscapeIntermediate:
            if (m_state == State::EscapeIntermediate && c >= 0x20 && c <= 0x2F) {
                ++i;
                continue;
            }
            if (m_state == State::EscapeIntermediate && c >= 0x30 && c <= 0x7E) {
                m_state = State::Ground;
                ++i;
                continue;
            }
            if (m_state == State::EscapeIntermediate)
                m_state = State::Escape;
            if (escapeByte(c))
                ++i;
            continue;
        case State::Csi:
            if (csiByte(c))
                ++i;
            continue;
        case State::String:
        case State::StringEscape:
            if (stringByte(c))
                ++i;
            continue;
        }

        if (m_utf8Need > 0) {
            if (c >= m_utf8Low && c <= m_utf8High) {
                m_codePoint = m_codePoint << 6 | (c & 0x3F);
                m_utf8Low = 0x80;
                m_utf8High = 0xBF;
                ++i;
                if (--m_utf8Need == 0)
                    putCodePoint(m_codePoint);
            } else {
                m_utf8Need = 0; // an incomplete sequence; `c` starts afresh
                putCodePoint(0xFFFD);
            }
            continue;
        }
        const qsizetype end = printableRun(p, i, n);
        if (end > i) {
            m_pending.append(QLatin1StringView(p + i, end - i));
            i = end;
            continue;
        }
        ++i;
        if (c >= 0x80) {
            startUtf8(c);
        } else {
            flushPending();
            control(c);
        }
    }
    flushPending();
}

Result<LogFileTail> readLogTail(const QString &path, qint64 maxBytes, int maxLines,
                                const std::function<bool(qint64, qint64)> &progress)
{
    constexpr qint64 block = 1024 * 1024;
    LogFileTail tail{LogBuffer(maxLines), 0};
    QFile file(path);
    if (!file.exists())
        return tail;
    if (!file.open(QIODevice::ReadOnly))
        return fail(Error(u"cannot read the log: %1"_s.arg(file.errorString()), path));
    // What is there now; whatever is appended later is for whoever follows the file.
    const qint64 size = file.size();
    const qint64 start = std::max<qint64>(0, size - std::max<qint64>(0, maxBytes));
    const auto cancelled = [&](qint64 done) { return progress && !progress(done, size); };
    qint64 lines = 0;
    while (file.pos() < start) {
        const QByteArray bytes = file.read(std::min(block, start - file.pos()));
        if (bytes.isEmpty())
            return fail(Error(u"cannot read the log: %1"_s.arg(file.errorString()), path));
        lines += bytes.count('\n');
        if (cancelled(file.pos()))
            return fail(Error(u"reading the log was cancelled"_s, path));
    }
    QByteArray bytes = file.read(size - start);
    tail.end = start + bytes.size();
    if (start > 0) {
        const qsizetype cut = bytes.indexOf('\n'); // start at the first complete line
        if (cut >= 0) {
            bytes.remove(0, cut + 1);
            ++lines;
        }
    }
    tail.buffer.startAtLine(lines);
    for (qsizetype at = 0; at < bytes.size(); at += block) {
        tail.buffer.append(QByteArrayView(bytes).sliced(at, std::min(block, bytes.size() - at)));
        if (cancelled(tail.end - bytes.size() + at))
            return fail(Error(u"reading the log was cancelled"_s, path));
    }
    return tail;
}

} // namespace cairn
