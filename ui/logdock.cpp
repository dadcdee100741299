#include "logdock.h"

#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QStringDecoder>
#include <QTextBlock>
#include <QTextCursor>
#include <QVBoxLayout>

namespace cairn::ui {

LogView::LogView(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(
          tr("Run output appears here. Start a run from Entry points, or open one from Runs.")))
    , m_text(new QPlainTextEdit)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 4);
    layout->setSpacing(2);
    m_title->setObjectName(QStringLiteral("logTitle"));
    m_text->setObjectName(QStringLiteral("logText"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setMaximumBlockCount(200000);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    layout->addWidget(m_title);
    layout->addWidget(m_text, 1);
}

void LogView::showRun(qint64 id, const QString &title)
{
    m_runId = id;
    m_title->setText(title);
    m_text->clear();
    m_pending.clear();
    m_utf8Tail.clear();
    m_carriageReturn = false;
}

void LogView::setStatus(const QString &status)
{
    m_title->setText(status);
}

QString LogView::text() const
{
    return m_text->toPlainText();
}

void LogView::appendOutput(qint64 id, const QByteArray &chunk)
{
    if (id != m_runId)
        return;
    // Decode UTF-8, keeping a sequence cut at the chunk's end for the next chunk.
    QByteArray bytes = m_utf8Tail + chunk;
    qsizetype cut = bytes.size();
    for (qsizetype i = 1; i <= 3 && i <= bytes.size(); ++i) {
        const uchar c = uchar(bytes[bytes.size() - i]);
        if ((c & 0xC0) == 0x80)
            continue;
        const int need = (c & 0xE0) == 0xC0   ? 2
                         : (c & 0xF0) == 0xE0 ? 3
                         : (c & 0xF8) == 0xF0 ? 4
                                              : 1;
        if (need > i)
            cut = bytes.size() - i;
        break;
    }
    m_utf8Tail = bytes.mid(cut);
    appendText(QString::fromUtf8(bytes.left(cut)));
}

void LogView::appendText(const QString &incoming)
{
    // Colour codes and other escape sequences are dropped here; a carriage return rewrites the
    // current line, as a terminal does for progress bars.
    static const QRegularExpression ansi(
        QStringLiteral("\x1b\\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\\\-_]"));
    QString text = m_pending + incoming;
    m_pending.clear();
    const qsizetype esc = text.lastIndexOf(QChar(0x1b));
    if (esc >= 0 && esc > text.size() - 16 && !ansi.match(text, esc).hasMatch()) {
        m_pending = text.mid(esc);
        text.truncate(esc);
    }
    text.remove(ansi);

    QScrollBar *bar = m_text->verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 2;
    QTextCursor cursor(m_text->document());
    cursor.movePosition(QTextCursor::End);
    cursor.beginEditBlock();
    qsizetype start = 0;
    for (qsizetype i = 0; i <= text.size(); ++i) {
        const bool end = i == text.size();
        const QChar c = end ? QChar() : text[i];
        if (!end && c != u'\n' && c != u'\r')
            continue;
        const QStringView piece = QStringView(text).mid(start, i - start);
        if (m_carriageReturn && (!piece.isEmpty() || c == u'\r')) {
            // Overwrite the current line.
            cursor.movePosition(QTextCursor::StartOfBlock, QTextCursor::KeepAnchor);
            cursor.removeSelectedText();
            m_carriageReturn = false;
        }
        cursor.insertText(piece.toString());
        if (end)
            break;
        if (c == u'\n') {
            cursor.insertBlock();
            m_carriageReturn = false;
        } else {
            m_carriageReturn = true;
        }
        start = i + 1;
    }
    cursor.endEditBlock();
    if (atEnd)
        bar->setValue(bar->maximum());
}

} // namespace cairn::ui
