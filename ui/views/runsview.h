#pragma once

#include "jobtracker.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QTableView;
class QToolButton;

namespace cairn::ui {

class MetricChart;
class RunsTableModel;

// The project's runs: a table over the store (lazily loaded, sortable on every column,
// filtered by free text, status and an expression such as `accuracy > 0.9 and lr < 0.01`),
// and below it a chart that overlays the selected runs' values of one metric.
class RunsView : public QWidget
{
    Q_OBJECT
public:
    explicit RunsView(QWidget *parent = nullptr);

    void setProjectRoot(const QString &root);
    void refresh();
    RunsTableModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    MetricChart *chart() const { return m_chart; }
    QLineEdit *expressionEdit() const { return m_expression; }
    QList<qint64> selectedRuns() const;
    void selectRuns(const QList<qint64> &ids);
    // The metric the compare chart shows.
    void setChartMetric(const QString &name);

signals:
    void runActivated(qint64 id);
    void rerunRequested(qint64 id);
    void reproduceRequested(qint64 id);
    void cancelRequested(qint64 id);
    void outputRequested(qint64 id);
    // After the table's id list was (re)loaded.
    void refreshed();
    // After the compare chart received the selected runs' series.
    void chartUpdated();

private:
    void applyFilter();
    void updateChart();
    void updateCount();
    void showContextMenu(const QPoint &pos);

    QString m_root;
    RunsTableModel *m_model;
    QTableView *m_table;
    QLineEdit *m_search;
    QToolButton *m_statusButton;
    QLineEdit *m_expression;
    QLabel *m_filterError;
    QLabel *m_count;
    QComboBox *m_metricBox;
    MetricChart *m_chart;
    QLabel *m_chartHint;
    JobTracker m_chartJob{this};
    bool m_columnsSized = false;
};

} // namespace cairn::ui
