#pragma once

#include "runs/run.h"

#include <QAbstractTableModel>

namespace cairn::ui {

// The project's runs for the runs table. Rows are replaced as a whole with setRuns(), which the
// view feeds from a background query.
class RunsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column
    {
        IdColumn,
        StatusColumn,
        NameColumn,
        EntryPointColumn,
        StartedColumn,
        DurationColumn,
        ExitColumn,
        CommandColumn,
        ColumnCount
    };
    enum Role
    {
        RunIdRole = Qt::UserRole + 1,
        StatusRole,
        SortRole
    };

    using QAbstractTableModel::QAbstractTableModel;

    void setRuns(QList<RunRecord> runs);
    const QList<RunRecord> &runs() const { return m_runs; }
    const RunRecord *run(qint64 id) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    QList<RunRecord> m_runs;
};

QString formatDuration(qint64 ms);
QColor statusColor(RunStatus status);

} // namespace cairn::ui
