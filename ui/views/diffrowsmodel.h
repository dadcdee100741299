#pragma once

#include "diff/tableversion.h"

#include <QAbstractTableModel>

#include <cstdint>
#include <memory>
#include <vector>

namespace cairn::ui {

// The rows of a table diff in output order (daff's: b's rows, each removed row after the a row
// before it), with what the row table needs to answer data() in constant time. Built once per
// diff, on a worker thread: 12 bytes per aligned row.
struct DiffRowIndex
{
    std::vector<std::int32_t> a; // a's row, -1 for an added row
    std::vector<std::int32_t> b; // b's row, -1 for a removed row
    // For each row of b: its entry in TableDiff::changed, or -1 when it is not modified.
    std::vector<std::int32_t> changedOfB;
    // Positions (into a and b) of the added, removed and modified rows.
    std::vector<std::uint32_t> changedRows;

    std::size_t size() const { return a.size(); }
};

DiffRowIndex indexDiffRows(const diff::TableDiff &diff);

// The row table of a table diff: one column per column of the merged schema after a marker
// column ("+++" added, "---" removed, "→" modified, as daff's highlighter). A modified cell shows
// "old → new"; added rows are green, removed rows red, changed cells amber, columns only in one
// table grey. Filterable to the changed rows. Virtual over the two tables: millions of rows
// scroll like a hundred.
class DiffRowsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role
    {
        RowKindRole = Qt::UserRole + 1, // "added", "removed", "modified", "unchanged"
        CellChangedRole,                // bool: this cell's value changed
    };

    explicit DiffRowsModel(QObject *parent = nullptr);

    void setComparison(std::shared_ptr<const diff::TableComparison> comparison,
                       std::shared_ptr<const DiffRowIndex> index);
    void clear();
    void setChangedOnly(bool changedOnly);
    bool changedOnly() const { return m_changedOnly; }
    // The position in the aligned rows of table row `row`.
    std::size_t alignedRow(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    bool cellChanged(std::int32_t rowB, int column) const;
    QString valueText(bool fromA, std::int32_t row, int column) const;

    std::shared_ptr<const diff::TableComparison> m_c;
    std::shared_ptr<const DiffRowIndex> m_index;
    bool m_changedOnly = true;
};

} // namespace cairn::ui
