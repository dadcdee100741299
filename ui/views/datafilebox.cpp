#include "datafilebox.h"

#include <QComboBox>
#include <QDir>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QMimeData>
#include <QPushButton>

using namespace Qt::StringLiterals;

namespace cairn::ui {

QString displayDataPath(const QString &root, const QString &file)
{
    const QString abs = QFileInfo(file).absoluteFilePath();
    if (!root.isEmpty()) {
        const QString rel = QDir(root).relativeFilePath(abs);
        if (!rel.startsWith(u"../"_s) && rel != u".."_s && !QDir::isAbsolutePath(rel))
            return rel;
    }
    return QDir::toNativeSeparators(abs);
}

QStringList droppedDataFiles(const QMimeData *mime)
{
    QStringList files;
    if (!mime || !mime->hasUrls())
        return files;
    for (const QUrl &url : mime->urls()) {
        if (url.isLocalFile() && QFileInfo(url.toLocalFile()).isFile())
            files.append(url.toLocalFile());
    }
    return files;
}

DataFileBox::DataFileBox(const QString &dialogTitle, const QString &objectName, QWidget *parent)
    : QWidget(parent)
    , m_box(new QComboBox)
    , m_browse(new QPushButton(tr("Browse…")))
    , m_title(dialogTitle)
{
    setObjectName(objectName);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    m_box->setObjectName(objectName + u"Box"_s);
    m_box->setEditable(true);
    m_box->setInsertPolicy(QComboBox::NoInsert);
    m_box->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_box->setMinimumContentsLength(18);
    m_box->lineEdit()->setPlaceholderText(tr("dataset name or file"));
    m_box->setToolTip(tr("A dataset of the project or a file (CSV, TSV, JSON Lines). Drop a file "
                         "here, or two files anywhere on the view to set both."));
    for (QWidget *w : {static_cast<QWidget *>(m_box), static_cast<QWidget *>(m_box->lineEdit())}) {
        w->setAcceptDrops(true);
        w->installEventFilter(this);
    }
    m_browse->setObjectName(objectName + u"Browse"_s);
    layout->addWidget(m_box, 1);
    layout->addWidget(m_browse);
    connect(m_browse, &QPushButton::clicked, this, &DataFileBox::browse);
    connect(m_box, &QComboBox::currentTextChanged, this, &DataFileBox::textChanged);
    connect(m_box->lineEdit(), &QLineEdit::returnPressed, this, &DataFileBox::submitted);
}

QString DataFileBox::text() const
{
    return m_box->currentText().trimmed();
}

void DataFileBox::setText(const QString &text)
{
    m_box->setEditText(text);
}

void DataFileBox::setChoices(const QStringList &items, const QHash<QString, QString> &tips)
{
    const QString text = m_box->currentText();
    {
        QSignalBlocker block(m_box);
        m_box->clear();
        for (const QString &item : items) {
            m_box->addItem(item);
            m_box->setItemData(m_box->count() - 1, tips.value(item), Qt::ToolTipRole);
        }
        m_box->setEditText(text);
    }
}

void DataFileBox::browse()
{
    QString start = m_root;
    const QFileInfo current(QDir(m_root).absoluteFilePath(text()));
    if (!text().isEmpty() && current.isFile())
        start = current.absolutePath();
    const QString file = QFileDialog::getOpenFileName(
        this, m_title, start, tr("Tables (*.csv *.tsv *.jsonl *.ndjson *.txt);;All files (*)"));
    if (!file.isEmpty())
        setText(displayDataPath(m_root, file));
}

bool DataFileBox::eventFilter(QObject *watched, QEvent *event)
{
    const auto type = event->type();
    if (type != QEvent::DragEnter && type != QEvent::DragMove && type != QEvent::Drop)
        return QWidget::eventFilter(watched, event);
    auto *e = static_cast<QDropEvent *>(event);
    const QStringList files = droppedDataFiles(e->mimeData());
    if (files.isEmpty())
        return QWidget::eventFilter(watched, event); // text: the line edit takes it
    e->acceptProposedAction();
    if (type == QEvent::Drop) {
        if (files.size() > 1) {
            emit filesDropped(files);
        } else {
            setText(displayDataPath(m_root, files.first()));
            emit submitted();
        }
    }
    return true;
}

} // namespace cairn::ui
