#pragma once

#include "jobtracker.h"
#include "pipeline/pipeline.h"
#include "project/snapshot.h"

#include <QSet>
#include <QWidget>

class QLabel;
class QPushButton;
class QTimer;
class QTreeWidget;

namespace cairn::ui {

class PipelineStrip;

// The Pipelines section: the pipelines cairn.yaml declares (Start… asks for their values), the
// recent pipeline runs, and the selected one's steps as a strip with the reason a failed step
// stopped the chain. While a pipeline runs, the store is read again every 700 ms on the thread
// pool; each step's run is announced once (stepRunStarted) so the log panes follow it.
class PipelinesView : public QWidget
{
    Q_OBJECT
public:
    explicit PipelinesView(QWidget *parent = nullptr);

    void setSnapshot(const ProjectSnapshot &snapshot);
    // Shows pipeline run `id` and follows it until it ends.
    void follow(qint64 id);
    void refresh();
    void selectPipeline(const QString &name);

    PipelineStrip *strip() const { return m_strip; }
    QTreeWidget *runsTree() const { return m_runs; }
    QTreeWidget *pipelinesTree() const { return m_pipelines; }
    QLabel *detail() const { return m_detail; }
    // The pipeline run shown in the strip, 0 when none.
    qint64 shownRun() const { return m_shown; }
    std::optional<pipeline::PipelineRunRecord> shownRecord() const;

signals:
    void startRequested(const QString &pipeline);
    void stepRunStarted(qint64 runId);
    void openRunRequested(qint64 runId);
    void pipelineEnded(qint64 id, const QString &status);
    void refreshed();

private:
    void showRuns(const QList<pipeline::PipelineRunRecord> &runs);
    void showShown();
    void cancelShown();

    QTreeWidget *m_pipelines;
    QPushButton *m_start;
    PipelineStrip *m_strip;
    QLabel *m_detail;
    QPushButton *m_cancel;
    QTreeWidget *m_runs;
    QLabel *m_empty;
    QTimer *m_poll;
    QString m_root;
    QList<pipeline::PipelineRunRecord> m_records;
    qint64 m_shown = 0;
    qint64 m_followed = 0;    // the pipeline run started from this window: all its steps announced
    QSet<qint64> m_announced; // step runs already announced
    QHash<qint64, QString> m_lastStatus;
    bool m_reading = false;
    JobTracker m_load{this};
    JobTracker m_cancelJob{this};
};

} // namespace cairn::ui
