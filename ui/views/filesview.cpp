#include "filesview.h"

#include "data/rowcount.h"

#include <QDateTime>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cairn::ui {

namespace {
enum Column
{
    NameColumn,
    RowsColumn,
    SizeColumn,
    ModifiedColumn,
    DetailColumn
};

bool isTable(const QString &path)
{
    static const QStringList ext = {QStringLiteral("csv"), QStringLiteral("tsv"),
                                    QStringLiteral("txt"), QStringLiteral("jsonl"),
                                    QStringLiteral("ndjson")};
    return ext.contains(QFileInfo(path).suffix().toLower());
}
} // namespace

FilesView::FilesView(Kind kind, QWidget *parent)
    : QWidget(parent)
    , m_kind(kind)
    , m_tree(new QTreeWidget)
    , m_empty(new QLabel)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_tree->setObjectName(kind == Kind::Datasets ? QStringLiteral("datasetTree")
                                                 : QStringLiteral("modelTree"));
    m_tree->setHeaderLabels(
        {kind == Kind::Datasets ? tr("Dataset / file") : tr("Model / file"), tr("Rows"), tr("Size"),
         tr("Modified"), kind == Kind::Datasets ? tr("Key and description") : tr("Description")});
    if (kind == Kind::Models)
        m_tree->setColumnHidden(RowsColumn, true);
    m_tree->setAlternatingRowColors(true);
    m_tree->header()->setStretchLastSection(true);
    m_empty->setWordWrap(true);
    m_empty->setMargin(12);
    layout->addWidget(m_tree, 1);
    layout->addWidget(m_empty);
}

void FilesView::setSnapshot(const ProjectSnapshot &snapshot)
{
    m_tree->clear();
    m_empty->clear();
    if (!snapshot.project) {
        m_empty->setText(tr("The project file has errors; see Problems."));
        return;
    }
    const Project &p = *snapshot.project;
    const QLocale locale;
    QStringList tables;
    auto addEntry = [&](const QString &name, const QStringList &paths, const QString &detail) {
        auto *top = new QTreeWidgetItem(m_tree);
        top->setText(NameColumn, name);
        top->setIcon(NameColumn,
                     QIcon(m_kind == Kind::Datasets ? QStringLiteral(":/cairn/icons/dataset.svg")
                                                    : QStringLiteral(":/cairn/icons/model.svg")));
        top->setText(DetailColumn, detail);
        top->setToolTip(NameColumn, paths.join(QStringLiteral("\n")));
        top->setData(NameColumn, Qt::UserRole, name);
        const QStringList files = p.resolveFiles(paths);
        qint64 total = 0;
        for (const QString &f : files) {
            const QFileInfo fi(f);
            auto *child = new QTreeWidgetItem(top);
            child->setText(NameColumn, p.relativePath(f));
            child->setText(SizeColumn, locale.formattedDataSize(fi.size()));
            child->setTextAlignment(SizeColumn, Qt::AlignRight | Qt::AlignVCenter);
            child->setText(ModifiedColumn,
                           locale.toString(fi.lastModified(), QLocale::ShortFormat));
            child->setData(NameColumn, Qt::UserRole + 1, f);
            if (m_kind == Kind::Datasets && isTable(f)) {
                child->setText(RowsColumn, tr("counting…"));
                tables.append(f);
            }
            total += fi.size();
        }
        if (files.isEmpty()) {
            top->setText(SizeColumn, tr("no file yet"));
            top->setToolTip(SizeColumn,
                            tr("No file matches %1 yet").arg(paths.join(QStringLiteral(", "))));
        } else {
            top->setText(SizeColumn, locale.formattedDataSize(total));
        }
        top->setTextAlignment(SizeColumn, Qt::AlignRight | Qt::AlignVCenter);
        top->setExpanded(true);
    };
    if (m_kind == Kind::Datasets) {
        for (const DatasetSpec &d : p.datasets) {
            QString detail =
                d.key.isEmpty() ? QString() : tr("key: %1").arg(d.key.join(QStringLiteral(", ")));
            if (!d.description.isEmpty())
                detail += (detail.isEmpty() ? QString() : QStringLiteral(" — ")) + d.description;
            addEntry(d.name, d.paths, detail);
        }
        if (p.datasets.isEmpty())
            m_empty->setText(tr("No datasets declared. List the tables the project reads under "
                                "<code>datasets:</code> in cairn.yaml."));
    } else {
        for (const ModelSpec &m : p.models)
            addEntry(m.name, m.paths, m.description);
        if (p.models.isEmpty())
            m_empty->setText(tr("No models declared. List the artifacts training writes under "
                                "<code>models:</code> in cairn.yaml."));
    }
    m_empty->setVisible(!m_empty->text().isEmpty());
    for (int c = 0; c < DetailColumn; ++c)
        m_tree->resizeColumnToContents(c);

    if (tables.isEmpty())
        return;
    using Counts = QList<std::pair<QString, qint64>>;
    m_rows.run(
        [tables](const std::atomic_bool &cancelled) {
            Counts out;
            for (const QString &f : tables) {
                auto n = countRecords(f, [&](qint64, qint64) { return !cancelled.load(); });
                out.append({f, n ? *n : -1});
            }
            return out;
        },
        [this](Counts counts) {
            const QLocale here;
            QHash<QString, qint64> byFile;
            for (const auto &[f, n] : counts)
                byFile.insert(f, n);
            for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
                QTreeWidgetItem *top = m_tree->topLevelItem(i);
                qint64 sum = 0;
                bool all = true;
                for (int j = 0; j < top->childCount(); ++j) {
                    QTreeWidgetItem *child = top->child(j);
                    const QString f = child->data(NameColumn, Qt::UserRole + 1).toString();
                    const qint64 n = byFile.value(f, -1);
                    child->setText(RowsColumn, n >= 0 ? here.toString(n) : tr("unreadable"));
                    child->setTextAlignment(RowsColumn, Qt::AlignRight | Qt::AlignVCenter);
                    if (n >= 0)
                        sum += n;
                    else
                        all = false;
                }
                if (top->childCount() > 0 && all) {
                    top->setText(RowsColumn, here.toString(sum));
                    top->setTextAlignment(RowsColumn, Qt::AlignRight | Qt::AlignVCenter);
                }
            }
            m_tree->resizeColumnToContents(RowsColumn);
        });
}

void FilesView::selectEntry(const QString &name)
{
    for (int i = 0; i < m_tree->topLevelItemCount(); ++i) {
        QTreeWidgetItem *top = m_tree->topLevelItem(i);
        if (top->data(NameColumn, Qt::UserRole).toString() == name) {
            m_tree->setCurrentItem(top);
            m_tree->scrollToItem(top);
            return;
        }
    }
}

} // namespace cairn::ui
