#pragma once

#include <QHash>
#include <QWidget>

class QComboBox;
class QMimeData;
class QPushButton;

namespace cairn::ui {

// A data file to compare, as the user names it: a dataset of the project or a path (relative to
// the project root or absolute). An editable combo box offers the project's choices; Browse…
// opens a file dialog; a file dropped on the box replaces its text.
class DataFileBox : public QWidget
{
    Q_OBJECT
public:
    DataFileBox(const QString &dialogTitle, const QString &objectName, QWidget *parent = nullptr);

    QComboBox *comboBox() const { return m_box; }
    QString text() const;
    void setText(const QString &text);
    // The items offered, with a tooltip each; keeps the text.
    void setChoices(const QStringList &items, const QHash<QString, QString> &tips);
    // Paths inside `root` are shown relative to it; Browse starts there.
    void setRoot(const QString &root) { m_root = root; }

signals:
    void textChanged(const QString &text);
    // Return pressed in the box, or a file dropped on it: compare now.
    void submitted();
    // Two files or more were dropped on the box (the view decides what they are).
    void filesDropped(const QStringList &files);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void browse();

    QComboBox *m_box;
    QPushButton *m_browse;
    QString m_title;
    QString m_root;
};

// `file` as the drift view shows it: relative to `root` when inside it, else absolute.
QString displayDataPath(const QString &root, const QString &file);
// The local files among dropped data (URLs of existing files), in order.
QStringList droppedDataFiles(const QMimeData *mime);

} // namespace cairn::ui
