#include "problems.h"

#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QMenu>
#include <QStyle>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace cairn::ui {

void ProblemsModel::add(Severity severity, const Error &error, const QString &source)
{
    const int row = int(m_problems.size());
    beginInsertRows({}, row, row);
    m_problems.append({severity, error, source, QDateTime::currentDateTime()});
    endInsertRows();
    emit problemAdded(m_problems.last());
}

void ProblemsModel::clearSource(const QString &source)
{
    for (int i = int(m_problems.size()) - 1; i >= 0; --i) {
        if (m_problems[i].source == source) {
            beginRemoveRows({}, i, i);
            m_problems.removeAt(i);
            endRemoveRows();
        }
    }
}

void ProblemsModel::clear()
{
    beginResetModel();
    m_problems.clear();
    endResetModel();
}

int ProblemsModel::errorCount() const
{
    return int(std::count_if(m_problems.begin(), m_problems.end(),
                             [](const Problem &p) { return p.severity == Severity::Error; }));
}

int ProblemsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_problems.size());
}

int ProblemsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProblemsModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_problems.size())
        return {};
    const Problem &p = m_problems[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case SeverityColumn:
            return p.severity == Severity::Error     ? tr("Error")
                   : p.severity == Severity::Warning ? tr("Warning")
                                                     : tr("Info");
        case MessageColumn:
            return p.error.hint.isEmpty() ? p.error.message
                                          : p.error.message + QStringLiteral(". ") + p.error.hint;
        case LocationColumn:
            return p.error.location();
        case TimeColumn:
            return QLocale().toString(p.time.time(), QLocale::ShortFormat);
        }
        break;
    case Qt::ToolTipRole:
        return p.error.toString();
    case Qt::DecorationRole:
        if (index.column() == SeverityColumn) {
            const auto icon = p.severity == Severity::Error     ? QStyle::SP_MessageBoxCritical
                              : p.severity == Severity::Warning ? QStyle::SP_MessageBoxWarning
                                                                : QStyle::SP_MessageBoxInformation;
            return QApplication::style()->standardIcon(icon);
        }
        break;
    case FileRole:
        return p.error.file;
    case LineRole:
        return p.error.line;
    case ColumnRole:
        return p.error.column;
    case SourceRole:
        return p.source;
    }
    return {};
}

QVariant ProblemsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case SeverityColumn:
        return tr("Severity");
    case MessageColumn:
        return tr("Problem");
    case LocationColumn:
        return tr("Where");
    case TimeColumn:
        return tr("Time");
    }
    return {};
}

ProblemsView::ProblemsView(ProblemsModel *model, QWidget *parent)
    : QWidget(parent)
    , m_table(new QTableView(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_table->setModel(model);
    m_table->setObjectName(QStringLiteral("problemsTable"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(ProblemsModel::MessageColumn,
                                                      QHeaderView::Stretch);
    m_table->horizontalHeader()->setSectionResizeMode(ProblemsModel::SeverityColumn,
                                                      QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ProblemsModel::LocationColumn,
                                                      QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(ProblemsModel::TimeColumn,
                                                      QHeaderView::ResizeToContents);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(m_table, &QWidget::customContextMenuRequested, this, [this, model](const QPoint &pos) {
        const QModelIndex idx = m_table->indexAt(pos);
        QMenu menu;
        if (idx.isValid()) {
            menu.addAction(tr("Copy"), [model, idx] {
                QApplication::clipboard()->setText(
                    model->problems().at(idx.row()).error.toString());
            });
        }
        menu.addAction(tr("Clear All"), model, &ProblemsModel::clear);
        menu.exec(m_table->viewport()->mapToGlobal(pos));
    });
    layout->addWidget(m_table);
}

} // namespace cairn::ui
