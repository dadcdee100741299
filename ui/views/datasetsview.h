#pragma once

#include "project/snapshot.h"

#include <QWidget>

class QTreeWidget;

namespace cairn::ui {

class FilesView;
class ValidationPanel;

// The Datasets section: the declared datasets with their files (FilesView) above, and the
// validation of the selected dataset or file below.
class DatasetsView : public QWidget
{
    Q_OBJECT
public:
    explicit DatasetsView(QWidget *parent = nullptr);

    void setSnapshot(const ProjectSnapshot &snapshot);
    void selectEntry(const QString &name);
    QTreeWidget *tree() const;
    FilesView *files() const { return m_files; }
    ValidationPanel *validation() const { return m_validation; }

private:
    void selectionChanged();

    FilesView *m_files;
    ValidationPanel *m_validation;
    std::shared_ptr<const Project> m_project;
    QString m_selected; // the selected dataset name or file (relative), kept over reloads
    bool m_reloading = false;
};

} // namespace cairn::ui
