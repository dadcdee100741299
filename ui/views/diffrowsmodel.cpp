#include "diffrowsmodel.h"

#include "theme.h"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QLocale>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace cairn::ui {

DiffRowIndex indexDiffRows(const diff::TableDiff &diff)
{
    DiffRowIndex index;
    const std::size_t rows = diff.bOfA.size() + std::size_t(diff.rows.added);
    index.a.reserve(rows);
    index.b.reserve(rows);
    index.changedOfB.assign(diff.aOfB.size(), -1);
    for (std::size_t i = 0; i < diff.changed.size(); ++i)
        index.changedOfB[std::size_t(diff.changed[i].b)] = std::int32_t(i);
    diff::forEachAlignedRow(diff, [&](std::int32_t a, std::int32_t b) {
        const bool changed = a < 0 || b < 0 || index.changedOfB[std::size_t(b)] >= 0;
        if (changed)
            index.changedRows.push_back(std::uint32_t(index.a.size()));
        index.a.push_back(a);
        index.b.push_back(b);
        return true;
    });
    return index;
}

DiffRowsModel::DiffRowsModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

void DiffRowsModel::setComparison(std::shared_ptr<const diff::TableComparison> comparison,
                                  std::shared_ptr<const DiffRowIndex> index)
{
    beginResetModel();
    m_c = std::move(comparison);
    m_index = std::move(index);
    endResetModel();
}

void DiffRowsModel::clear()
{
    setComparison(nullptr, nullptr);
}

void DiffRowsModel::setChangedOnly(bool changedOnly)
{
    if (changedOnly == m_changedOnly)
        return;
    beginResetModel();
    m_changedOnly = changedOnly;
    endResetModel();
}

std::size_t DiffRowsModel::alignedRow(int row) const
{
    return m_changedOnly ? std::size_t(m_index->changedRows[std::size_t(row)]) : std::size_t(row);
}

int DiffRowsModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_index)
        return 0;
    const std::size_t n = m_changedOnly ? m_index->changedRows.size() : m_index->size();
    return int(std::min<std::size_t>(n, std::size_t(std::numeric_limits<int>::max())));
}

int DiffRowsModel::columnCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_c)
        return 0;
    return 1 + int(m_c->diff.columns.size());
}

bool DiffRowsModel::cellChanged(std::int32_t rowB, int column) const
{
    if (rowB < 0)
        return false;
    const std::int32_t changed = m_index->changedOfB[std::size_t(rowB)];
    if (changed < 0)
        return false;
    const auto cells = m_c->diff.changedCells(std::size_t(changed));
    return std::find(cells.begin(), cells.end(), std::uint32_t(column)) != cells.end();
}

QString DiffRowsModel::valueText(bool fromA, std::int32_t row, int column) const
{
    const diff::ColumnDiff &cd = m_c->diff.columns[column];
    const int col = fromA ? cd.a : cd.b;
    if (row < 0 || col < 0)
        return {};
    const Table &t = fromA ? m_c->a : m_c->b;
    return diff::cellToString(t.columns[col], row);
}

QVariant DiffRowsModel::data(const QModelIndex &index, int role) const
{
    if (!m_c || !index.isValid())
        return {};
    const std::size_t pos = alignedRow(index.row());
    const std::int32_t a = m_index->a[pos];
    const std::int32_t b = m_index->b[pos];
    const bool added = a < 0;
    const bool removed = b < 0;
    const bool modified = !added && !removed && m_index->changedOfB[std::size_t(b)] >= 0;
    if (role == RowKindRole)
        return added      ? u"added"_s
               : removed  ? u"removed"_s
               : modified ? u"modified"_s
                          : u"unchanged"_s;
    if (index.column() == 0) {
        if (role == Qt::DisplayRole)
            return added ? u"+++"_s : removed ? u"---"_s : modified ? u"→"_s : QString();
        if (role == Qt::TextAlignmentRole)
            return int(Qt::AlignCenter);
        if (role == Qt::BackgroundRole && (added || removed || modified))
            return QBrush(added     ? diffColor(DiffColor::Added)
                          : removed ? diffColor(DiffColor::Removed)
                                    : diffColor(DiffColor::Changed));
        return {};
    }
    const int column = index.column() - 1;
    const diff::ColumnDiff &cd = m_c->diff.columns[column];
    const bool changed = modified && cellChanged(b, column);
    switch (role) {
    case CellChangedRole:
        return changed;
    case Qt::DisplayRole:
        if (changed)
            return QString(valueText(true, a, column) + u" → "_s + valueText(false, b, column));
        if (removed || cd.removed())
            return valueText(true, a, column);
        return valueText(false, b, column);
    case Qt::ToolTipRole:
        if (changed)
            return tr("was: %1\nnow: %2")
                .arg(valueText(true, a, column), valueText(false, b, column));
        return {};
    case Qt::BackgroundRole:
        if (changed)
            return QBrush(diffColor(DiffColor::Changed));
        if (added)
            return QBrush(diffColor(DiffColor::Added));
        if (removed)
            return QBrush(diffColor(DiffColor::Removed));
        if (cd.added() || cd.removed())
            return QBrush(diffColor(DiffColor::Absent));
        return {};
    case Qt::ForegroundRole:
        if (cd.removed() && !removed)
            return QBrush(QColor(0x80, 0x80, 0x80));
        return {};
    case Qt::FontRole:
        if (changed) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    default:
        return {};
    }
}

QVariant DiffRowsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (!m_c)
        return {};
    if (orientation == Qt::Vertical) {
        if (role != Qt::DisplayRole || section < 0 || section >= rowCount())
            return {};
        // 1-based data rows as the files number them (b's, or a's for a removed row).
        const std::size_t pos = alignedRow(section);
        const std::int32_t b = m_index->b[pos];
        if (b < 0)
            return tr("a %1").arg(QLocale().toString(m_index->a[pos] + 1));
        return QLocale().toString(b + 1);
    }
    if (section == 0)
        return role == Qt::DisplayRole ? u"@@"_s : QVariant();
    const diff::ColumnDiff &cd = m_c->diff.columns[section - 1];
    switch (role) {
    case Qt::DisplayRole:
        if (cd.added())
            return QString(u"+ "_s + cd.name);
        if (cd.removed())
            return QString(u"− "_s + cd.name);
        if (cd.renamed)
            return QString(cd.oldName + u" → "_s + cd.name);
        return cd.name;
    case Qt::ToolTipRole: {
        QString tip = cd.added() ? tr("Added column (%1)").arg(columnTypeName(cd.typeB))
                      : cd.removed()
                          ? tr("Removed column (%1)").arg(columnTypeName(cd.typeA))
                          : tr("%1 → %2").arg(columnTypeName(cd.typeA), columnTypeName(cd.typeB));
        if (cd.key)
            tip += u"\n"_s + tr("Key column");
        if (cd.compared())
            tip += u"\n"_s + tr("%n cell(s) changed", nullptr,
                                int(std::min<qint64>(cd.cellsChanged, INT_MAX)));
        return tip;
    }
    case Qt::FontRole:
        if (cd.key) {
            QFont f;
            f.setBold(true);
            return f;
        }
        return {};
    default:
        return {};
    }
}

} // namespace cairn::ui
