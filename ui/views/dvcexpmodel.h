#pragma once

#include "vcs/dvcexp.h"

#include <QAbstractTableModel>

namespace cairn::ui {

// The rows of `dvc exp show` as a table: the workspace, the commits and, indented under the
// commit they started from, the DVC experiments. The columns are the experiment (short commit id,
// branches and tags, experiment name), when it was created, the commit message's first line,
// then one column per metric and one per param found in any row ("key" when every value comes
// from one file, "file:key" otherwise). A value a row lacks shows as "-".
class DvcExpModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Role
    {
        SortRole = Qt::UserRole + 1, // numbers as doubles, dates as QDateTime, else text
        RowRole,                     // the index into rows()
        RevRole,                     // the full commit id, or "workspace"
    };
    enum FixedColumn
    {
        ExperimentColumn,
        CreatedColumn,
        SummaryColumn,
        FixedColumnCount
    };
    struct ValueColumn
    {
        bool metric = true;
        QString file;
        QString key;
        QString label;
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setRows(QList<dvc::DvcRow> rows);
    const QList<dvc::DvcRow> &rows() const { return m_rows; }
    const QList<ValueColumn> &valueColumns() const { return m_columns; }
    // The column of a metric or param ("key" or "file:key" as the header shows it), -1 if none.
    int columnOf(bool metric, const QString &label) const;
    // What the Experiment column shows for `row`, without the indentation.
    static QString revisionLabel(const dvc::DvcRow &row);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    const dvc::FlatValue *valueAt(int row, int column) const;

    QList<dvc::DvcRow> m_rows;
    QList<ValueColumn> m_columns;
};

} // namespace cairn::ui
