#include "logview.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QFontDatabase>
#include <QKeyEvent>
#include <QMenu>
#include <QPainter>
#include <QScrollBar>
#include <QVarLengthArray>

#include <algorithm>
#include <cmath>

namespace cairn::ui {

namespace {

constexpr int Margin = 4;            // pixels left of column 0
constexpr int UpdateIntervalMs = 40; // repaints are coalesced to at most one per interval

// The 16 ANSI colours as VS Code's integrated terminal draws them: one set for dark
// backgrounds, one for light ones, each readable on its background. Background colours always
// come from the first set ("white" behind text stays light on a light theme).
constexpr std::array<QRgb, 16> darkPalette = {
    0x000000, 0xcd3131, 0x0dbc79, 0xe5e510, 0x2472c8, 0xbc3fbc, 0x11a8cd, 0xe5e5e5,
    0x666666, 0xf14c4c, 0x23d18b, 0xf5f543, 0x3b8eea, 0xd670d6, 0x29b8db, 0xffffff,
};
constexpr std::array<QRgb, 16> lightPalette = {
    0x000000, 0xcd3131, 0x00bc00, 0x949800, 0x0451a5, 0xbc05bc, 0x0598bc, 0x555555,
    0x666666, 0xcd3131, 0x14ce14, 0xb5ba00, 0x0451a5, 0xbc05bc, 0x0598bc, 0xa5a5a5,
};

qreal luminance(const QColor &c)
{
    const auto channel = [](qreal v) {
        return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

qreal contrast(const QColor &a, const QColor &b)
{
    const qreal la = luminance(a);
    const qreal lb = luminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

QColor mix(const QColor &a, const QColor &b, qreal t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

// Black on a dark background or light grey on white stays readable: text too close to its
// background is pushed towards black or white (as terminals' "minimum contrast" does).
QColor readableOn(QColor fg, const QColor &bg)
{
    constexpr qreal minimum = 2.5;
    if (contrast(fg, bg) >= minimum)
        return fg;
    const QColor target = luminance(bg) > 0.4 ? QColor(Qt::black) : QColor(Qt::white);
    for (qreal t = 0.2; t < 1.0; t += 0.2) {
        const QColor c = mix(fg, target, t);
        if (contrast(c, bg) >= minimum)
            return c;
    }
    return target;
}

} // namespace

AnsiLogView::AnsiLogView(QWidget *parent, int maxLines)
    : QAbstractScrollArea(parent)
    , m_buffer(maxLines)
{
    setObjectName(QStringLiteral("logView"));
    setFocusPolicy(Qt::StrongFocus);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    viewport()->setCursor(Qt::IBeamCursor);
    viewport()->setAutoFillBackground(false);
    m_updateTimer.setSingleShot(true);
    m_updateTimer.setInterval(UpdateIntervalMs);
    connect(&m_updateTimer, &QTimer::timeout, this, &AnsiLogView::applyUpdate);
    connect(verticalScrollBar(), &QScrollBar::valueChanged, this, &AnsiLogView::onScrolled);
    updateMetrics();
    updateColors();
    updateScrollBars();
}

AnsiLogView::~AnsiLogView() = default;

void AnsiLogView::appendBytes(QByteArrayView bytes)
{
    const qint64 revision = m_buffer.revision();
    m_buffer.append(bytes);
    if (m_buffer.revision() != revision)
        scheduleUpdate();
}

void AnsiLogView::setBuffer(LogBuffer buffer)
{
    m_buffer = std::move(buffer);
    clearSelection();
    m_shownFirstLine = m_buffer.firstLineNumber();
    m_shownHeaderRows = headerRows();
    applyUpdate();
}

void AnsiLogView::clear()
{
    m_buffer.clear();
    clearSelection();
    m_shownFirstLine = 0;
    m_shownHeaderRows = 0;
    applyUpdate();
}

void AnsiLogView::setFollowTail(bool follow)
{
    if (follow == m_followTail)
        return;
    m_followTail = follow;
    if (follow) {
        m_adjusting = true;
        verticalScrollBar()->setValue(verticalScrollBar()->maximum());
        m_adjusting = false;
    }
    emit followTailChanged(follow);
}

void AnsiLogView::scheduleUpdate()
{
    if (!m_updateTimer.isActive())
        m_updateTimer.start();
}

void AnsiLogView::applyUpdate()
{
    m_updateTimer.stop();
    QScrollBar *bar = verticalScrollBar();
    // The absolute line at the top before this update (m_shownFirstLine - 1: the note).
    const qint64 topLine = m_shownFirstLine + (bar->value() - m_shownHeaderRows);
    const qint64 first = m_buffer.firstLineNumber();
    const int header = headerRows();
    updateScrollBars();
    m_adjusting = true;
    if (m_followTail) {
        bar->setValue(bar->maximum());
    } else if (first != m_shownFirstLine || header != m_shownHeaderRows) {
        // Old lines were dropped: stay on the same lines while they are kept.
        const qint64 row = std::max<qint64>(0, topLine - first + header);
        bar->setValue(int(std::min<qint64>(row, bar->maximum())));
    }
    m_adjusting = false;
    m_shownFirstLine = first;
    m_shownHeaderRows = header;
    m_buffer.takeFirstChangedLine(); // the whole viewport is repainted below
    viewport()->update();
}

void AnsiLogView::updateMetrics()
{
    const QFont base = font();
    for (int i = 0; i < 8; ++i) {
        QFont f = base;
        f.setBold(i & 1);
        f.setItalic(i & 2);
        f.setUnderline(i & 4);
        m_fonts[i] = f;
    }
    const QFontMetricsF fm(base);
    m_charWidth = std::max<qreal>(1, fm.horizontalAdvance(u'M'));
    m_lineHeight = std::max(1, int(std::ceil(fm.lineSpacing())));
    m_ascent = int(std::ceil(fm.ascent()));
}

void AnsiLogView::updateColors()
{
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    const auto &colors = dark ? darkPalette : lightPalette;
    for (size_t i = 0; i < colors.size(); ++i)
        m_palette[i] = QColor::fromRgb(colors[i]);
}

int AnsiLogView::pageRows() const
{
    return std::max(1, viewport()->height() / m_lineHeight);
}

void AnsiLogView::updateScrollBars()
{
    const bool adjusting = std::exchange(m_adjusting, true);
    const int rows = headerRows() + m_buffer.lineCount();
    const int page = pageRows();
    QScrollBar *v = verticalScrollBar();
    v->setRange(0, std::max(0, rows - page));
    v->setPageStep(page);
    v->setSingleStep(1);
    const int contentWidth = int(std::ceil(m_buffer.maxLineLength() * m_charWidth)) + 2 * Margin;
    QScrollBar *h = horizontalScrollBar();
    h->setRange(0, std::max(0, contentWidth - viewport()->width()));
    h->setPageStep(std::max(1, viewport()->width()));
    h->setSingleStep(std::max(1, int(m_charWidth * 2)));
    m_adjusting = adjusting;
}

void AnsiLogView::onScrolled(int value)
{
    if (m_adjusting)
        return;
    // The user scrolled: following stops when they leave the bottom and resumes when they are
    // back there.
    const bool atBottom = value >= verticalScrollBar()->maximum();
    if (atBottom != m_followTail) {
        m_followTail = atBottom;
        emit followTailChanged(atBottom);
    }
}

qint64 AnsiLogView::firstVisibleLine() const
{
    if (m_buffer.lineCount() == 0)
        return -1;
    const int row = verticalScrollBar()->value() - headerRows();
    return m_buffer.firstLineNumber() + std::clamp(row, 0, m_buffer.lineCount() - 1);
}

void AnsiLogView::scrollToLine(qint64 line)
{
    if (m_buffer.lineCount() == 0)
        return;
    const qint64 index =
        std::clamp<qint64>(line - m_buffer.firstLineNumber(), 0, m_buffer.lineCount() - 1);
    verticalScrollBar()->setValue(int(index) + headerRows());
}

QString AnsiLogView::droppedLinesNote() const
{
    const qint64 n = m_buffer.firstLineNumber();
    if (n <= 0)
        return {};
    if (n == 1)
        return tr("1 earlier line is in the log file");
    return tr("%L1 earlier lines are in the log file").arg(n);
}

void AnsiLogView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    updateScrollBars();
    if (m_followTail) {
        m_adjusting = true;
        verticalScrollBar()->setValue(verticalScrollBar()->maximum());
        m_adjusting = false;
    }
}

void AnsiLogView::changeEvent(QEvent *event)
{
    QAbstractScrollArea::changeEvent(event);
    if (event->type() == QEvent::FontChange) {
        updateMetrics();
        updateScrollBars();
        viewport()->update();
    } else if (event->type() == QEvent::PaletteChange) {
        updateColors();
        viewport()->update();
    }
}

QColor AnsiLogView::resolve(const LogColor &c, bool foreground) const
{
    switch (c.kind) {
    case LogColor::Kind::Default:
        break;
    case LogColor::Kind::Palette:
        return foreground ? m_palette[c.index & 15] : QColor::fromRgb(darkPalette[c.index & 15]);
    case LogColor::Kind::Rgb:
        return QColor::fromRgb(QRgb(c.rgb));
    }
    return palette().color(foreground ? QPalette::Text : QPalette::Base);
}

void AnsiLogView::paintEvent(QPaintEvent *event)
{
    QPainter p(viewport());
    const QPalette &pal = palette();
    p.fillRect(event->rect(), pal.color(QPalette::Base));

    const int firstRow = verticalScrollBar()->value();
    const int rows = viewport()->height() / m_lineHeight + 2;
    const int hx = horizontalScrollBar()->value();
    const int firstCol = std::max(0, int((hx - Margin) / m_charWidth));
    const int lastCol = firstCol + int(viewport()->width() / m_charWidth) + 2;
    const int header = headerRows();
    for (int r = 0; r < rows; ++r) {
        const int row = firstRow + r;
        const int y = r * m_lineHeight;
        if (row < header) {
            p.fillRect(QRect(0, y, viewport()->width(), m_lineHeight),
                       pal.color(QPalette::AlternateBase));
            p.setFont(m_fonts[2]);
            p.setPen(pal.color(QPalette::PlaceholderText));
            p.drawText(QPointF(Margin - hx, y + m_ascent), droppedLinesNote());
            continue;
        }
        const int index = row - header;
        if (index >= m_buffer.lineCount())
            break;
        paintLine(p, m_buffer.line(index), m_buffer.firstLineNumber() + index, y, firstCol,
                  lastCol);
    }
}

void AnsiLogView::paintLine(QPainter &p, const LogLine &line, qint64 lineNumber, int y,
                            int firstCol, int lastCol)
{
    const QString &text = line.text;
    const int length = int(text.size());
    const int hx = horizontalScrollBar()->value();
    const auto xOf = [&](int col) { return Margin - hx + col * m_charWidth; };
    const QColor defaultFg = palette().color(QPalette::Text);
    const QColor defaultBg = palette().color(QPalette::Base);

    // The visible part of the line cut at style changes.
    struct Segment
    {
        int from;
        int to;
        QColor fg;
        QColor bg; // invalid: the view's background
        int font;
    };
    QVarLengthArray<Segment, 16> segments;
    const int end = std::min(length, lastCol);
    const QList<LogSpan> &spans = line.spans;
    qsizetype si = 0;
    while (si < spans.size() && spans[si].end() <= firstCol)
        ++si;
    for (int col = firstCol; col < end;) {
        const LogStyle *style = nullptr;
        int to = end;
        if (si < spans.size() && spans[si].start <= col) {
            style = &spans[si].style;
            to = std::min(spans[si].end(), end);
            ++si;
        } else if (si < spans.size()) {
            to = std::min(spans[si].start, end);
        }
        Segment s{col, to, defaultFg, QColor(), 0};
        if (style) {
            QColor fg = resolve(style->fg, true);
            QColor bg = style->bg.isDefault() ? QColor() : resolve(style->bg, false);
            if (style->has(LogStyle::Inverse)) {
                const QColor oldFg = fg;
                fg = bg.isValid() ? bg : defaultBg;
                bg = oldFg;
            }
            const QColor under = bg.isValid() ? bg : defaultBg;
            if (style->has(LogStyle::Dim))
                fg = mix(fg, under, 0.45);
            s.fg = readableOn(fg, under);
            s.bg = bg;
            s.font = (style->has(LogStyle::Bold) ? 1 : 0) | (style->has(LogStyle::Italic) ? 2 : 0) |
                     (style->has(LogStyle::Underline) ? 4 : 0);
        }
        segments.append(s);
        col = to;
    }

    const auto cellRect = [&](int from, int to) {
        const qreal x0 = xOf(from);
        return QRectF(x0, y, xOf(to) - x0, m_lineHeight);
    };
    for (const Segment &s : segments) {
        if (s.bg.isValid())
            p.fillRect(cellRect(s.from, s.to), s.bg);
    }

    // Every visible occurrence of the search text.
    if (!m_search.isEmpty()) {
        const int n = int(m_search.size());
        QColor mark(255, 190, 0, 110);
        qsizetype at = std::max(0, firstCol - n);
        while ((at = QStringView(text).indexOf(QStringView(m_search), at, m_searchCs)) >= 0 &&
               at < lastCol) {
            p.fillRect(cellRect(int(at), int(at) + n), mark);
            at += n;
        }
    }

    const auto drawText = [&](const QColor *pen) {
        for (const Segment &s : segments) {
            p.setFont(m_fonts[s.font]);
            p.setPen(pen ? *pen : s.fg);
            p.drawText(QPointF(xOf(s.from), y + m_ascent), text.mid(s.from, s.to - s.from));
        }
    };
    drawText(nullptr);

    // The selection: highlighted cells, their text drawn again in the highlighted colour.
    if (hasSelection()) {
        const Pos a = std::min(m_anchor, m_cursor);
        const Pos b = std::max(m_anchor, m_cursor);
        if (a.line <= lineNumber && lineNumber <= b.line) {
            const int from = lineNumber == a.line ? std::min(a.column, length) : 0;
            // A selection going on to the next line shows its line break as one cell.
            const int to = lineNumber == b.line ? std::min(b.column, length) : length + 1;
            if (to > from) {
                const QRectF r = cellRect(from, to);
                p.save();
                p.setClipRect(r);
                p.fillRect(r, palette().color(QPalette::Highlight));
                const QColor pen = palette().color(QPalette::HighlightedText);
                drawText(&pen);
                p.restore();
            }
        }
    }
}

AnsiLogView::Pos AnsiLogView::posAt(const QPoint &point) const
{
    if (m_buffer.lineCount() == 0)
        return {};
    const int row = verticalScrollBar()->value() + std::max(0, point.y()) / m_lineHeight;
    const int index = row - headerRows();
    if (index < 0)
        return {m_buffer.firstLineNumber(), 0};
    if (index >= m_buffer.lineCount()) {
        const int last = m_buffer.lineCount() - 1;
        return {m_buffer.firstLineNumber() + last, int(m_buffer.line(last).text.size())};
    }
    const qreal x = point.x() + horizontalScrollBar()->value() - Margin;
    const int col = int(std::lround(std::max<qreal>(0, x) / m_charWidth));
    return {m_buffer.firstLineNumber() + index,
            std::min(col, int(m_buffer.line(index).text.size()))};
}

void AnsiLogView::setSelection(Pos anchor, Pos cursor)
{
    m_anchor = anchor;
    m_cursor = cursor;
    viewport()->update();
}

void AnsiLogView::clearSelection()
{
    setSelection({}, {});
}

void AnsiLogView::selectAll()
{
    if (m_buffer.lineCount() == 0)
        return;
    const int last = m_buffer.lineCount() - 1;
    setSelection({m_buffer.firstLineNumber(), 0},
                 {m_buffer.firstLineNumber() + last, int(m_buffer.line(last).text.size())});
}

QString AnsiLogView::selectedText() const
{
    if (!hasSelection() || m_buffer.lineCount() == 0)
        return {};
    const qint64 first = m_buffer.firstLineNumber();
    const qint64 last = first + m_buffer.lineCount() - 1;
    Pos a = std::min(m_anchor, m_cursor);
    const Pos b = std::max(m_anchor, m_cursor);
    if (b.line < first)
        return {};
    if (a.line < first)
        a = {first, 0};
    QString out;
    for (qint64 n = a.line; n <= std::min(b.line, last); ++n) {
        const QString &text = m_buffer.line(int(n - first)).text;
        const qsizetype from = n == a.line ? std::min<qsizetype>(a.column, text.size()) : 0;
        const qsizetype to = n == b.line ? std::min<qsizetype>(b.column, text.size()) : text.size();
        out += QStringView(text).sliced(from, std::max<qsizetype>(0, to - from));
        if (n < b.line)
            out += u'\n';
    }
    return out;
}

void AnsiLogView::copy() const
{
    if (hasSelection())
        QApplication::clipboard()->setText(selectedText());
}

void AnsiLogView::ensureVisible(Pos from, Pos to)
{
    const int row = headerRows() + int(from.line - m_buffer.firstLineNumber());
    QScrollBar *v = verticalScrollBar();
    const int page = pageRows();
    if (row < v->value() || row >= v->value() + page)
        v->setValue(row - page / 2);
    QScrollBar *h = horizontalScrollBar();
    const int x0 = int(from.column * m_charWidth);
    const int x1 = int(to.column * m_charWidth) + 2 * Margin;
    const int width = viewport()->width();
    if (x0 < h->value() || x1 > h->value() + width)
        h->setValue(std::max(0, x0 - width / 3));
}

bool AnsiLogView::find(const QString &text, bool forward, Qt::CaseSensitivity cs)
{
    m_search = text;
    m_searchCs = cs;
    viewport()->update();
    const int count = m_buffer.lineCount();
    if (text.isEmpty() || count == 0)
        return false;
    const qint64 first = m_buffer.firstLineNumber();
    const int needle = int(text.size());

    // Where to start: after (before) the selection, else the top (bottom) of the view.
    Pos from;
    if (hasSelection()) {
        from = forward ? std::max(m_anchor, m_cursor) : std::min(m_anchor, m_cursor);
    } else if (forward) {
        from = {firstVisibleLine(), 0};
    } else {
        const qint64 bottom = std::min(firstVisibleLine() + pageRows() - 1, first + count - 1);
        from = {bottom, int(m_buffer.line(int(bottom - first)).text.size())};
    }
    if (from.line < first)
        from = {first, 0};
    if (from.line >= first + count)
        from = {first + count - 1, int(m_buffer.line(count - 1).text.size())};
    const int start = int(from.line - first);

    // Every line once, and the start line a second time for the part before (after) `from`.
    for (int k = 0; k <= count; ++k) {
        const int index = forward ? (start + k) % count : (start - k + count) % count;
        const QStringView line(m_buffer.line(index).text);
        qsizetype at = -1;
        if (forward)
            at = line.indexOf(QStringView(text), k == 0 ? from.column : 0, cs);
        else if (k > 0)
            at = line.lastIndexOf(QStringView(text), cs);
        else if (from.column > 0)
            at = line.lastIndexOf(QStringView(text), from.column - 1, cs);
        if (at < 0)
            continue;
        const Pos a{first + index, int(at)};
        const Pos b{first + index, int(at) + needle};
        setSelection(a, b);
        ensureVisible(a, b);
        return true;
    }
    return false;
}

void AnsiLogView::keyPressEvent(QKeyEvent *event)
{
    if (event == QKeySequence::Copy) {
        copy();
    } else if (event == QKeySequence::SelectAll) {
        selectAll();
    } else if (event->key() == Qt::Key_End || event == QKeySequence::MoveToEndOfDocument) {
        setFollowTail(true);
    } else if (event->key() == Qt::Key_Home || event == QKeySequence::MoveToStartOfDocument) {
        verticalScrollBar()->setValue(0);
    } else if (event->key() == Qt::Key_Escape && hasSelection()) {
        clearSelection();
    } else {
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    event->accept();
}

void AnsiLogView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton) {
        QAbstractScrollArea::mousePressEvent(event);
        return;
    }
    const Pos pos = posAt(event->position().toPoint());
    if (event->modifiers() & Qt::ShiftModifier)
        setSelection(m_anchor, pos);
    else
        setSelection(pos, pos);
    m_selecting = true;
}

void AnsiLogView::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_selecting || !(event->buttons() & Qt::LeftButton)) {
        QAbstractScrollArea::mouseMoveEvent(event);
        return;
    }
    const QPoint point = event->position().toPoint();
    // Dragging past the top or bottom edge scrolls.
    QScrollBar *v = verticalScrollBar();
    if (point.y() < 0)
        v->setValue(v->value() - 1 - (-point.y()) / m_lineHeight);
    else if (point.y() > viewport()->height())
        v->setValue(v->value() + 1 + (point.y() - viewport()->height()) / m_lineHeight);
    setSelection(m_anchor, posAt(point));
}

void AnsiLogView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && m_selecting) {
        m_selecting = false;
        QClipboard *clipboard = QApplication::clipboard();
        if (hasSelection() && clipboard->supportsSelection())
            clipboard->setText(selectedText(), QClipboard::Selection);
        return;
    }
    QAbstractScrollArea::mouseReleaseEvent(event);
}

void AnsiLogView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || m_buffer.lineCount() == 0) {
        QAbstractScrollArea::mouseDoubleClickEvent(event);
        return;
    }
    const Pos pos = posAt(event->position().toPoint());
    const int length = int(m_buffer.line(int(pos.line - m_buffer.firstLineNumber())).text.size());
    setSelection({pos.line, 0}, {pos.line, length});
    m_selecting = false;
}

void AnsiLogView::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu menu(this);
    QAction *copyAction = menu.addAction(tr("&Copy"), this, &AnsiLogView::copy);
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setEnabled(hasSelection());
    QAction *all = menu.addAction(tr("Select &All"), this, &AnsiLogView::selectAll);
    all->setShortcut(QKeySequence::SelectAll);
    menu.addSeparator();
    QAction *follow = menu.addAction(tr("&Follow Output"), this, &AnsiLogView::setFollowTail);
    follow->setCheckable(true);
    follow->setChecked(m_followTail);
    menu.exec(event->globalPos());
}

} // namespace cairn::ui
