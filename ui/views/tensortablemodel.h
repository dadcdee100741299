#pragma once

#include "diff/modeldiff.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>
#include <QStyledItemDelegate>

namespace cairn::ui {

// The tensors of a model diff, one row each: name, status, shapes, dtypes, element count and
// the figures (relative L2 with a bar, L2 of the difference, largest absolute difference,
// cosine). SortRole gives numbers, so sorting by a figure is numeric; a missing figure sorts
// below every number.
class TensorTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        Name,
        Status,
        ShapeA,
        ShapeB,
        DType,
        Elements,
        RelL2,
        L2Diff,
        MaxAbsDiff,
        Cosine,
        ColumnCount
    };
    enum Role
    {
        SortRole = Qt::UserRole + 1,
        // RelL2: the bar's length in [0, 1] (the tensor's relative change over the largest in
        // the table), or an invalid QVariant when there is no figure.
        BarRole,
        StatusRole,
    };

    explicit TensorTableModel(QObject *parent = nullptr);
    void setTensors(QList<diff::TensorDiff> tensors);
    const QList<diff::TensorDiff> &tensors() const { return m_tensors; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<diff::TensorDiff> m_tensors;
    double m_maxRel = 0;
};

// Sorts by SortRole and hides unchanged tensors when asked; a name filter matches substrings.
class TensorFilterProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;
    void setChangedOnly(bool changedOnly);

protected:
    bool filterAcceptsRow(int row, const QModelIndex &parent) const override;
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;

private:
    bool m_changedOnly = false;
};

// Draws BarRole as a horizontal bar behind the cell's text.
class ChangeBarDelegate : public QStyledItemDelegate
{
    Q_OBJECT
public:
    using QStyledItemDelegate::QStyledItemDelegate;
    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
};

// A figure as the table shows it: 4 significant digits, scientific when tiny or huge.
QString formatFigure(double value);

} // namespace cairn::ui
