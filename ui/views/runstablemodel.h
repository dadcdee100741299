#pragma once

#include "runs/run.h"
#include "runs/runfilter.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QSet>
#include <QVariantList>

namespace cairn::ui {

// The runs of a project for the runs table, over the store, for projects with 100,000 runs:
// a filter or sort change computes the ordered list of run ids in the background; the rows'
// contents are loaded a page at a time, in the background, when the view first asks for them.
// Columns: the run's fields, then its parameters and latest metrics (the most used ones).
class RunsTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum class ColumnKind
    {
        Id,
        Status,
        Name,
        EntryPoint,
        Started,
        Duration,
        Exit,
        Param,
        Metric
    };
    struct Column
    {
        ColumnKind kind;
        QString key; // parameter or metric name
    };
    enum Role
    {
        RunIdRole = Qt::UserRole + 1,
        StatusRole,
        LoadedRole
    };

    // A WHERE fragment over `runs` with its bound values (see core/runs/runfilter.h).
    struct Filter
    {
        QString where;
        QVariantList values;
    };

    explicit RunsTableModel(QObject *parent = nullptr);
    ~RunsTableModel() override;

    void setProjectRoot(const QString &root);
    const QString &projectRoot() const { return m_root; }
    void setFilter(const Filter &filter);
    // Reloads ids and contents, keeping the filter and sort (after a run started or ended).
    void refresh();

    const QList<Column> &runColumns() const { return m_columns; }
    qint64 runIdAt(int row) const;
    int rowOfRun(qint64 id) const;
    bool isLoading() const { return m_loading; }
    // The parameter keys and metric names the project's runs use (for the filter's names).
    const QStringList &paramKeys() const { return m_paramKeys; }
    const QStringList &metricNames() const { return m_metricNames; }
    // Every parameter key and metric name in the store, for compiling filters.
    const FilterContext &filterContext() const { return m_filterContext; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    void sort(int column, Qt::SortOrder order) override;

signals:
    // The id list is in place (after a project, filter or sort change).
    void loaded();
    // The filter could not be applied (it names something the store cannot compute).
    void loadFailed(const QString &message);

private:
    struct Row
    {
        RunRecord run;
        QHash<QString, QString> params;
        QHash<QString, double> metrics;
    };
    struct Page
    {
        QList<Row> rows;
    };
    static constexpr int PageSize = 200;

    void reload(bool keepRows);
    void requestPage(int page) const;
    const Row *rowAt(int row) const;

    QString m_root;
    bool m_mlflowStore = false; // the project is an MLflow store's mirror
    Filter m_filter;
    int m_sortColumn = 0;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
    QList<Column> m_columns;
    QStringList m_paramKeys;
    QStringList m_metricNames;
    FilterContext m_filterContext;
    QVector<qint64> m_ids;
    QHash<qint64, int> m_rowOfId;
    mutable QHash<int, Page> m_pages;
    mutable QSet<int> m_requested;
    quint64 m_generation = 0;
    bool m_loading = false;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace cairn::ui
