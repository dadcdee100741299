#pragma once

#include "project/snapshot.h"
#include "store/projectlist.h"

#include <QAbstractItemModel>

#include <memory>
#include <vector>

namespace cairn::ui {

// What a sidebar entry (and a tab) shows about a project.
enum class Section
{
    Overview,
    Runs,
    Datasets,
    Models,
    Versions,
    Diff,
    Drift,
    EntryPoints,
    Pipelines,
    Experiments // DVC experiments: shown when the folder has a dvc.yaml or params.yaml
};
QString sectionTitle(Section section);

// The sidebar: the tracked projects and, under each loaded project, its sections with their
// datasets, models and entry points.
class SidebarModel : public QAbstractItemModel
{
    Q_OBJECT
public:
    enum class Kind
    {
        Project,
        Section,
        Item
    };
    enum Role
    {
        KindRole = Qt::UserRole + 1,
        ProjectPathRole,
        SectionRole,
        ItemNameRole,
        CurrentRole, // true for the open project
    };

    explicit SidebarModel(QObject *parent = nullptr);
    ~SidebarModel() override;

    void setProjects(const QList<TrackedProject> &projects);
    // Fills in the sections of the snapshot's project (adding the project if missing).
    void setSnapshot(const ProjectSnapshot &snapshot);
    void setCurrentProject(const QString &path);
    void removeProject(const QString &path);

    QModelIndex projectIndex(const QString &path) const;
    QModelIndex sectionIndex(const QString &path, Section section) const;

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

private:
    struct Node;
    Node *nodeFor(const QModelIndex &index) const;
    QModelIndex indexFor(Node *node) const;
    Node *findProject(const QString &path) const;
    void fillChildren(Node *projectNode, const ProjectSnapshot &snapshot);

    std::unique_ptr<Node> m_root;
    QString m_current;
};

} // namespace cairn::ui
