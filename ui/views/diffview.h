#pragma once

#include "diffjobs.h"
#include "jobtracker.h"
#include "project/snapshot.h"

#include <QHash>
#include <QTimer>
#include <QWidget>

#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QMenu;
class QProgressBar;
class QPushButton;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QToolButton;
class QTreeWidget;

namespace cairn::ui {

class DataFileBox;
class DiffRowsModel;
class TensorFilterProxy;
class TensorTableModel;

// What changed between two versions of a dataset or a model. Each side is a file, PATH@REV (a
// git commit, tag or branch; DVC-tracked data from the DVC cache) or a version of a declared
// dataset or model, typed or picked from the side's History menu (its versions with their runs,
// and the git commits that changed it). Compare resolves, reads and compares both in the
// background, with progress and Cancel.
//   Tables: counts, the schema panel (added, removed, renamed, retyped columns), the row table
//   (added rows green, removed red, changed cells amber showing old → new, filterable to the
//   changed rows, virtual over millions of rows) and per-column statistics before and after.
//   Models: the tensors as a sortable table with a bar of relative change, and every other
//   difference (metadata) below.
class DiffView : public QWidget
{
    Q_OBJECT
public:
    explicit DiffView(QWidget *parent = nullptr);
    ~DiffView() override;

    void setSnapshot(const ProjectSnapshot &snapshot);

    QString sideA() const;
    QString sideB() const;
    // Sets both sides (and the kind and key their file suggests).
    void setSides(const QString &a, const QString &b);
    void setKeys(const QStringList &keys);
    void compare();
    void cancel();
    bool isBusy() const { return m_busy || m_compareWhenReady; }
    // "rows", "schema" or "statistics".
    void showTab(const QString &name);

    // For tests and screenshots.
    QTableView *rowTable() const { return m_rowTable; }
    QTableView *tensorTable() const { return m_tensorTable; }
    QTreeWidget *schemaTree() const { return m_schema; }
    QTreeWidget *statisticsTree() const { return m_stats; }
    QTreeWidget *runsTree() const { return m_runs; }
    QLabel *summaryLabel() const { return m_summary; }
    QCheckBox *changedRowsOnly() const { return m_changedOnly; }
    QPushButton *cancelButton() const { return m_cancelButton; }
    const QList<DataVersion> &versions() const { return m_versions; }
    // The History menu of side A or B, filled as it is when shown.
    void fillHistoryMenu(QMenu *menu, bool sideA);

signals:
    void comparisonFinished(bool ok);
    void versionsLoaded();

private:
    void sideChanged();
    void refreshChoices();
    void fetchCommits(const QString &spec, bool sideA);
    void clearResults();
    void updateProgress();
    void setBusy(bool busy);
    void showError(const QString &message);
    void showResult(const DiffResult &result);
    void showTable(const DiffResult &result);
    void showModel(const DiffResult &result);
    void showRuns(const ProducingRuns &runs);
    DiffKind chosenKind() const;

    std::optional<Project> m_project;
    QString m_root;
    QList<DataVersion> m_versions;
    QList<DeclaredFile> m_declared;
    QHash<QString, QList<GitCommit>> m_commits; // by the spec's path

    DataFileBox *m_boxA;
    DataFileBox *m_boxB;
    QToolButton *m_historyA;
    QToolButton *m_historyB;
    QComboBox *m_kind;
    QLineEdit *m_keys;
    QDoubleSpinBox *m_tolerance;
    QPushButton *m_compareButton;
    QWidget *m_progressRow;
    QLabel *m_progressLabel;
    QProgressBar *m_progress;
    QPushButton *m_cancelButton;
    QLabel *m_error;
    QLabel *m_summary;
    QStackedWidget *m_stack;
    QTabWidget *m_tableTabs;
    QCheckBox *m_changedOnly;
    QTableView *m_rowTable;
    DiffRowsModel *m_rowsModel;
    QTreeWidget *m_schema;
    QTreeWidget *m_stats;
    QCheckBox *m_changedTensorsOnly;
    QLineEdit *m_tensorFilter;
    QTableView *m_tensorTable;
    TensorTableModel *m_tensorModel;
    TensorFilterProxy *m_tensorProxy;
    QTreeWidget *m_otherChanges;
    QTreeWidget *m_runs;
    QTabWidget *m_modelTabs;

    std::shared_ptr<DiffProgress> m_jobProgress;
    QTimer m_progressTimer;
    QTimer m_sideTimer;
    bool m_busy = false;
    bool m_kindTouched = false;
    bool m_choicesLoaded = false;    // the declared files are known (kind and key guesses)
    bool m_compareWhenReady = false; // compare() was asked for before that
    JobTracker m_diffJob{this};
    JobTracker m_choicesJob{this};
    JobTracker m_commitsJobA{this};
    JobTracker m_commitsJobB{this};
};

} // namespace cairn::ui
