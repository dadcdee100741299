#pragma once

#include "common/error.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QWidget>

class QTableView;

namespace cairn::ui {

// The one place where problems the user must see are listed (the model is Tiled's issues dock):
// project files that do not parse, runs that could not start, files that cannot be read.
class ProblemsModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum class Severity
    {
        Error,
        Warning,
        Info
    };
    enum Column
    {
        SeverityColumn,
        MessageColumn,
        LocationColumn,
        TimeColumn,
        ColumnCount
    };
    enum Role
    {
        FileRole = Qt::UserRole + 1,
        LineRole,
        ColumnRole,
        SourceRole
    };

    struct Problem
    {
        Severity severity;
        Error error;
        QString source; // what reported it, e.g. the project path; used to replace old problems
        QDateTime time;
    };

    using QAbstractTableModel::QAbstractTableModel;

    void add(Severity severity, const Error &error, const QString &source = {});
    // Removes every problem reported by `source`.
    void clearSource(const QString &source);
    void clear();
    const QList<Problem> &problems() const { return m_problems; }
    int errorCount() const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

signals:
    void problemAdded(const cairn::ui::ProblemsModel::Problem &problem);

private:
    QList<Problem> m_problems;
};

class ProblemsView : public QWidget
{
    Q_OBJECT
public:
    explicit ProblemsView(ProblemsModel *model, QWidget *parent = nullptr);
    QTableView *table() const { return m_table; }

private:
    QTableView *m_table;
};

} // namespace cairn::ui
