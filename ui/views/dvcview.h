#pragma once

#include "jobtracker.h"
#include "project/snapshot.h"
#include "vcs/dvcexp.h"

#include <QTimer>
#include <QWidget>

#include <memory>

class QCheckBox;
class QComboBox;
class QCustomPlot;
class QLabel;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;
class QTabWidget;
class QTreeWidget;

namespace cairn::ui {

class DvcExpModel;

// The Experiments section: what `dvc exp show` shows for a DVC project, read from its git history
// without DVC (core/vcs/dvcexp.h). A table with the workspace, the newest commits and the DVC
// experiments under the commits they started from, one column per metric and param; below it
// the workspace's stages against dvc.lock, a comparison of two rows (`dvc metrics diff` and
// `dvc params diff`: the older one is A, the newer B; one row is compared with the workspace),
// and a chart of a plots file with one line per selected row. Reading happens on the thread
// pool, with progress and Cancel, the first time the view shows and on Refresh.
class DvcView : public QWidget
{
    Q_OBJECT
public:
    explicit DvcView(QWidget *parent = nullptr);
    ~DvcView() override;

    void setSnapshot(const ProjectSnapshot &snapshot);
    // Reads the rows again (on the thread pool).
    void refresh();
    // Selects the rows whose revisions (full or short commit ids, "workspace") are given; while
    // the rows are being read, once they are shown.
    void selectRevisions(const QStringList &revs);

    DvcExpModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    QTreeWidget *stagesTree() const { return m_stages; }
    QTreeWidget *compareTree() const { return m_compare; }
    QLabel *compareTitle() const { return m_compareTitle; }
    QLabel *warningLabel() const { return m_warnings; }
    QComboBox *plotFileBox() const { return m_plotFile; }
    QComboBox *plotYBox() const { return m_plotY; }
    QCustomPlot *plot() const { return m_plot; }
    QSpinBox *commitsBox() const { return m_commits; }
    QCheckBox *allCommitsBox() const { return m_allCommits; }
    bool isBusy() const { return m_busy; }

signals:
    // The rows were read (ok) or could not be (the message is shown in the view).
    void loaded(bool ok);
    // The chart shows the selected revisions' lines.
    void plotted();
    // Every row's warnings (unreadable files, with rev:path, line and column), after each read.
    void warningsChanged(const cairn::Errors &warnings);

protected:
    void showEvent(QShowEvent *event) override;

private:
    struct Progress;
    void setBusy(bool busy);
    void showRows(Result<QList<dvc::DvcRow>> rows);
    void showStages();
    void selectionChanged();
    void showCompare();
    void updatePlotFiles();
    void readPlots();
    void drawPlot();
    void applyChartPalette();
    QList<int> selectedRows() const; // indices into the model's rows, in table order

    QString m_root;
    bool m_stale = true; // the rows shown are not the project's (or none were read)
    bool m_busy = false;
    QStringList m_pendingSelection; // asked for while reading
    DvcExpModel *m_model;
    QSortFilterProxyModel *m_proxy;
    QSpinBox *m_commits;
    QCheckBox *m_allCommits;
    QPushButton *m_refresh;
    QWidget *m_progressRow;
    QLabel *m_progressLabel;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
    QLabel *m_status;
    QLabel *m_warnings;
    QTableView *m_table;
    QTabWidget *m_panels;
    QTreeWidget *m_stages;
    QLabel *m_stagesNote;
    QLabel *m_compareTitle;
    QCheckBox *m_compareAll;
    QTreeWidget *m_compare;
    QComboBox *m_plotFile;
    QComboBox *m_plotX;
    QComboBox *m_plotY;
    QLabel *m_plotNote;
    QCustomPlot *m_plot;
    QTimer m_progressTimer;
    std::shared_ptr<Progress> m_jobProgress;
    // The plots read for the selected revisions: (row index, plot or why not).
    QList<std::pair<int, Result<dvc::DvcPlot>>> m_plots;
    JobTracker m_load{this};
    JobTracker m_plotJob{this};
};

} // namespace cairn::ui
