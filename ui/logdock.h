#pragma once

#include <QByteArray>
#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace cairn::ui {

// The bottom "Output" pane: the output of the run being followed, as it arrives.
class LogView : public QWidget
{
    Q_OBJECT
public:
    explicit LogView(QWidget *parent = nullptr);

    // Shows run `id` from now on (clearing what was shown).
    void showRun(qint64 id, const QString &title);
    void setStatus(const QString &status);
    void appendOutput(qint64 id, const QByteArray &chunk);
    qint64 runId() const { return m_runId; }
    QString text() const;

private:
    void appendText(const QString &text);

    QLabel *m_title;
    QPlainTextEdit *m_text;
    qint64 m_runId = -1;
    QString m_pending; // an incomplete escape sequence or UTF-8 tail carried over
    bool m_carriageReturn = false;
    QByteArray m_utf8Tail;
};

} // namespace cairn::ui
