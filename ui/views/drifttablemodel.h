#pragma once

#include "drift/drift.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

namespace cairn::ui {

// The columns of one drift comparison, one row each: the column's name and kind, the test that
// decides, its score and p-value, the threshold, the verdict (red or green), the share of
// missing values on both sides (flagged when it moved), and the sample sizes. Text columns and
// columns that could not be tested are listed greyed, with the reason in a tooltip.
class DriftTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        NameColumn,
        KindColumn,
        TestColumn,
        ScoreColumn,
        PValueColumn,
        ThresholdColumn,
        DriftedColumn,
        MissingColumn,
        NRefColumn,
        NCurColumn,
        ColumnCount
    };
    enum Role
    {
        SortRole = Qt::UserRole + 1, // numbers as doubles, missing values as an invalid QVariant
        StatusRole,                  // a Status
        ColumnNameRole,              // the data column's name, on every cell of its row
        MissingDriftedRole           // true when the missing share moved past its threshold
    };
    enum class Status
    {
        Skipped,
        Failed,
        Stable,
        Drifted
    };

    explicit DriftTableModel(QObject *parent = nullptr);

    void setReport(const drift::DriftReport &report);
    void clear();
    const drift::DriftReport &report() const { return m_report; }
    const drift::ColumnDrift *columnAt(int row) const;
    int rowOf(const QString &columnName) const;
    static Status statusOf(const drift::ColumnDrift &column);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QVariant display(const drift::ColumnDrift &c, int column) const;
    QVariant sortValue(const drift::ColumnDrift &c, int column) const;
    QString toolTip(const drift::ColumnDrift &c, int column) const;

    drift::DriftReport m_report;
};

// Sorts the drift table on SortRole (numbers numerically, empty cells last in either order)
// and filters it by column name and, optionally, to the drifted columns.
class DriftSortProxy : public QSortFilterProxyModel
{
    Q_OBJECT
public:
    explicit DriftSortProxy(QObject *parent = nullptr);

    void setDriftedOnly(bool on);
    bool driftedOnly() const { return m_driftedOnly; }

protected:
    bool lessThan(const QModelIndex &left, const QModelIndex &right) const override;
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    bool m_driftedOnly = false;
};

// Numbers as the drift view shows them: four significant digits, scientific for tiny p-values.
QString formatDriftNumber(double value);
QString formatShare(double share); // "12.5%"

} // namespace cairn::ui
