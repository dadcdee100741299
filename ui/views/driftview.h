#pragma once

#include "drift/drift.h"
#include "drift/history.h"
#include "jobtracker.h"
#include "project/command.h"
#include "project/snapshot.h"

#include <QTimer>
#include <QWidget>

#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTabWidget;
class QTableView;

namespace cairn {
struct Table;
}

namespace cairn::ui {

class DataFileBox;
class DriftOptionsBar;
class DriftColumnChart;
class DriftHistoryChart;
class DriftSortProxy;
class DriftTableModel;
struct DriftProgress;

// Data drift in a project. The user picks a reference and a current file (the project's
// datasets and drift batches, a file dialog, or files dropped on the view) and the options
// (test, threshold, binning); Compare reads both files and runs the tests in the background,
// with progress and Cancel. The Comparison tab shows the dataset verdict, a sortable table of
// the columns and, for the selected column, its distributions. The Over time tab compares every
// batch of the project's `drift:` settings with the reference (kept in the project database)
// and charts the scores per feature; clicking a batch compares it. Retrain launches the
// project's retrain entry point on the current batch (through MainWindow, which asks for the
// parameters and the trust in the project like every launch). Export writes an HTML report.
class DriftView : public QWidget
{
    Q_OBJECT
public:
    explicit DriftView(QWidget *parent = nullptr);
    ~DriftView() override;

    void setSnapshot(const ProjectSnapshot &snapshot);

    // The files, as a dataset name or a path (relative to the project root or absolute).
    void setReference(const QString &text);
    void setCurrent(const QString &text);
    QString referenceText() const;
    QString currentText() const;
    // Compares the chosen files with the chosen options in the background.
    void compare();
    // Compares every batch of the project's drift settings with the reference; unless `force`,
    // only when the files or the options changed since the drift over time shown.
    void refreshHistory(bool force = true);
    // Stops the running jobs; their results are dropped.
    void cancel();
    // A comparison or the drift over time is being computed.
    bool isBusy() const;
    // "comparison" or "over-time".
    void showTab(const QString &name);
    // Selects the row of a column (and shows its charts).
    void selectColumn(const QString &name);
    // Writes the HTML report of the current comparison to `path`: the charts are drawn here,
    // the file is written in the background; emits htmlExported or exportFailed.
    void exportHtml(const QString &path);
    // What Retrain runs now (the button's tooltip), or why it cannot.
    QString retrainDescription() const;
    // Emits retrainRequested for the current batch (what the Retrain button does).
    void requestRetrain();

    const std::optional<drift::DriftReport> &report() const { return m_report; }
    const std::optional<drift::DriftHistory> &history() const { return m_history; }
    QString errorText() const;
    QString summaryText() const;

    // For tests.
    QComboBox *referenceBox() const;
    QComboBox *currentBox() const;
    DriftOptionsBar *optionsBar() const { return m_options; }
    QPushButton *compareButton() const { return m_compareButton; }
    QPushButton *retrainButton() const { return m_retrainButton; }
    QPushButton *cancelButton() const { return m_cancelButton; }
    QProgressBar *progressBar() const { return m_progress; }
    QTabWidget *tabs() const { return m_tabs; }
    QTableView *table() const { return m_table; }
    DriftTableModel *model() const { return m_model; }
    DriftSortProxy *proxy() const { return m_proxy; }
    DriftColumnChart *columnChart() const { return m_columnChart; }
    DriftHistoryChart *historyChart() const { return m_historyChart; }

signals:
    // The user asked to retrain on the current batch: MainWindow launches `entryPoint` with
    // `values` through its usual launch dialog and trust check.
    void retrainRequested(const QString &entryPoint, const cairn::ParamValues &values);
    // drift.retrain names a pipeline: start it with these values.
    void retrainPipelineRequested(const QString &pipeline, const cairn::ParamValues &values);
    void comparisonFinished(bool ok);
    void historyFinished(bool ok);
    void busyChanged(bool busy);
    void htmlExported(const QString &path);
    void exportFailed(const QString &message);

protected:
    void showEvent(QShowEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void buildToolbar();
    void buildComparisonTab();
    void buildHistoryTab();
    void resetForProject();
    void fillFileChoices();
    drift::DriftOptions projectOptions() const;
    drift::DriftOptions chosenOptions() const;
    void applySettingsToOptions();
    void startPendingWork();
    void setBusyState();
    void updateProgress();
    void showError(const QString &text, bool isError = true);
    void showComparison(const drift::DriftReport &report);
    void showHistory();
    void updateSelectedColumn();
    void updateRetrain();
    QString displayPath(const QString &file) const;
    void setBothFiles(QStringList files);
    void exportHtmlInteractively();

    std::optional<Project> m_project;
    QString m_root;
    std::optional<drift::ProjectDrift> m_projectDrift;
    std::optional<Error> m_settingsError;
    QString m_settingsSignature; // of the drift settings last applied

    DataFileBox *m_referenceBox;
    DataFileBox *m_currentBox;
    DriftOptionsBar *m_options;
    QPushButton *m_compareButton;
    QPushButton *m_retrainButton;
    QPushButton *m_exportButton;
    QProgressBar *m_progress;
    QLabel *m_progressLabel;
    QPushButton *m_cancelButton;
    QWidget *m_progressRow;
    QLabel *m_error;
    QTabWidget *m_tabs;
    QLabel *m_summary;
    QLineEdit *m_filter;
    QCheckBox *m_driftedOnly;
    QTableView *m_table;
    class QSplitter *m_split = nullptr;
    bool m_splitSized = false;
    DriftTableModel *m_model;
    DriftSortProxy *m_proxy;
    DriftColumnChart *m_columnChart;
    QLabel *m_historyStatus;
    QPushButton *m_historyRefresh;
    DriftHistoryChart *m_historyChart;

    std::optional<drift::DriftReport> m_report;
    drift::DriftOptions m_reportOptions;
    QString m_reportReference; // absolute files of the shown comparison
    QString m_reportCurrent;
    std::optional<drift::DriftHistory> m_history;
    QString m_historyKey; // what the shown history was computed for
    std::shared_ptr<const Table> m_referenceTable;
    QString m_referenceKey;

    bool m_comparing = false;
    bool m_historyRunning = false;
    bool m_exporting = false;
    bool m_wasBusy = false;
    bool m_autoPending = false; // compute when the view is shown
    std::shared_ptr<DriftProgress> m_compareProgress;
    std::shared_ptr<DriftProgress> m_historyProgress;
    QTimer m_progressTimer;
    JobTracker m_compareJob{this};
    JobTracker m_historyJob{this};
    JobTracker m_exportJob{this};
};

} // namespace cairn::ui
