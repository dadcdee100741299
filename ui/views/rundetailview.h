#pragma once

#include "jobtracker.h"
#include "runs/runjson.h"

#include <QWidget>

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTableWidget;
class QTimer;

namespace cairn::ui {

class AnsiLogView;
class MetricChart;

// Everything about one run: summary (status, command, times, parameters, latest metrics,
// problems noticed while it ran), its metrics as charts, its output, its code version with the
// uncommitted changes it ran with, and the datasets and models it read and wrote.
class RunDetailView : public QWidget
{
    Q_OBJECT
public:
    RunDetailView(const QString &projectRoot, qint64 runId, QWidget *parent = nullptr);

    qint64 runId() const { return m_runId; }
    // Re-reads the run from the store (status, metrics); the output follows on its own.
    void refresh();
    void showTab(const QString &name); // "summary", "metrics", "output", "code", "lineage"
    const std::optional<RunDetails> &details() const { return m_details; }
    MetricChart *chart() const { return m_chart; }
    AnsiLogView *logView() const { return m_log; }

signals:
    void rerunRequested(qint64 id);
    void reproduceRequested(qint64 id);
    void cancelRequested(qint64 id);
    void loaded();

private:
    void apply(RunDetails details, QString warnings, QByteArray patch);
    void loadChart();
    void loadOutput();

    QString m_root;
    qint64 m_runId;
    std::optional<RunDetails> m_details;
    QLabel *m_header;
    QPushButton *m_rerun;
    QPushButton *m_reproduce;
    QPushButton *m_cancel;
    QTabWidget *m_tabs;
    QTableWidget *m_params;
    QTableWidget *m_metrics;
    QLabel *m_warnings;
    QListWidget *m_metricList;
    MetricChart *m_chart;
    AnsiLogView *m_log;
    bool m_outputLoaded = false;
    qint64 m_outputOffset = -1; // bytes of output.log shown; -1 until the first read lands
    QTimer *m_follow;
    QLabel *m_code;
    QPlainTextEdit *m_patch;
    QTableWidget *m_lineage;
    JobTracker m_loader{this};
    JobTracker m_chartLoader{this};
    JobTracker m_outputLoader{this};
};

} // namespace cairn::ui
