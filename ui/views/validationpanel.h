#pragma once

#include "jobtracker.h"
#include "project/project.h"
#include "validation/datavalidation.h"

#include <QWidget>

#include <atomic>
#include <memory>
#include <optional>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTimer;
class QTreeWidget;

namespace cairn::ui {

// Data validation of one dataset file: the rules its dataset declares under `checks:`, checked
// on the thread pool (the same `validateDataset` as `cairn-cli validate`), one row per rule,
// green or red, with the offending row count and the first examples under a failed rule.
class ValidationPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ValidationPanel(QWidget *parent = nullptr);

    void setProject(std::shared_ptr<const Project> project);
    // The file (relative to the project root) or dataset name to validate; empty: nothing.
    void setTarget(const QString &target);
    // Validates the target at the revision in the field (empty: the file as it is now).
    void validate();
    void cancel();

    QTreeWidget *results() const { return m_results; }
    QLabel *summary() const { return m_summary; }
    bool busy() const { return m_busy; }

signals:
    void finished(bool passed);

private:
    void showReport(const validation::ValidationReport &report);
    void showMessage(const QString &text, bool error);
    void setBusy(bool busy);

    std::shared_ptr<const Project> m_project;
    QString m_target;
    QLabel *m_title;
    QLineEdit *m_revision;
    QPushButton *m_validate;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    QLabel *m_summary;
    QTreeWidget *m_results;
    QTimer *m_tick;
    std::shared_ptr<std::atomic<qint64>> m_done = std::make_shared<std::atomic<qint64>>(0);
    std::shared_ptr<std::atomic<qint64>> m_total = std::make_shared<std::atomic<qint64>>(0);
    bool m_busy = false;
    JobTracker m_job{this};
};

} // namespace cairn::ui
