#pragma once

#include "jobtracker.h"
#include "project/snapshot.h"
#include "versioning/versions.h"

#include <QWidget>

#include <optional>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace cairn::ui {

class VersionTimeline;

// The versions of the project's declared datasets and models. On the left each file with its
// number of versions; on the right the selected file's timeline (the run that made each
// version, the runs that used it) and the versions as a table. Compare buttons open two
// versions in the diff view. Versions come from the runs' lineage records, loaded (and the
// declared files hashed) in the background.
class VersionsView : public QWidget
{
    Q_OBJECT
public:
    explicit VersionsView(QWidget *parent = nullptr);

    void setSnapshot(const ProjectSnapshot &snapshot);
    void reload();
    // Selects the file of a dataset or model name, or a path.
    void selectFile(const QString &nameOrPath);

    QTreeWidget *files() const { return m_files; }
    QTreeWidget *versionTable() const { return m_table; }
    // What the selected version holds: rows × columns and schema, or tensors and parameters.
    QLabel *details() const { return m_details; }
    VersionTimeline *timeline() const { return m_timeline; }
    const QList<DataVersion> &versions() const { return m_versions; }

signals:
    void detailsShown();
    // Two versions to compare, as the diff view's sides (A older, B newer).
    void compareRequested(const QString &a, const QString &b);
    void loaded();

private:
    void showFile();
    void selectVersion(int index);
    void updateButtons();
    void describeSelected();
    void registerCurrent();
    QList<DataVersion> fileVersions() const;

    std::optional<Project> m_project;
    QString m_root;
    QList<DataVersion> m_versions;
    QString m_selectedPath;
    QString m_pending; // a file to select once loaded

    QTreeWidget *m_files;
    QLabel *m_title;
    QLabel *m_status;
    VersionTimeline *m_timeline;
    QTreeWidget *m_table;
    QLabel *m_details;
    QPushButton *m_comparePrevious;
    QPushButton *m_compareNow;
    QPushButton *m_compareSelected;
    QPushButton *m_register;
    JobTracker m_job{this};
    JobTracker m_describeJob{this};
    JobTracker m_registerJob{this};
};

} // namespace cairn::ui
