#include "datasetsview.h"

#include "filesview.h"
#include "validationpanel.h"

#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace cairn::ui {

DatasetsView::DatasetsView(QWidget *parent)
    : QWidget(parent)
    , m_files(new FilesView(FilesView::Kind::Datasets))
    , m_validation(new ValidationPanel)
{
    setObjectName(u"datasetsView"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *split = new QSplitter(Qt::Vertical);
    split->setChildrenCollapsible(false);
    split->addWidget(m_files);
    split->addWidget(m_validation);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    layout->addWidget(split);
    connect(m_files->tree(), &QTreeWidget::currentItemChanged, this,
            &DatasetsView::selectionChanged);
}

void DatasetsView::setSnapshot(const ProjectSnapshot &snapshot)
{
    // A reload of the same project keeps the selected file and its validation.
    const QString keep = m_project && m_project->rootDir == snapshot.root ? m_selected : QString();
    m_reloading = true;
    m_files->setSnapshot(snapshot);
    m_project = snapshot.project ? std::make_shared<const Project>(*snapshot.project) : nullptr;
    m_validation->setProject(m_project);
    if (!keep.isEmpty())
        selectEntry(keep);
    m_reloading = false;
    selectionChanged();
}

void DatasetsView::selectEntry(const QString &name)
{
    m_files->selectEntry(name);
    // Also a file of a dataset, relative to the project root.
    if (m_project) {
        QTreeWidget *tree = m_files->tree();
        for (int i = 0; i < tree->topLevelItemCount(); ++i) {
            QTreeWidgetItem *top = tree->topLevelItem(i);
            for (int j = 0; j < top->childCount(); ++j) {
                QTreeWidgetItem *child = top->child(j);
                const QString file = child->data(0, Qt::UserRole + 1).toString();
                if (!file.isEmpty() && m_project->relativePath(file) == name) {
                    top->setExpanded(true);
                    tree->setCurrentItem(child);
                }
            }
        }
    }
    selectionChanged();
}

QTreeWidget *DatasetsView::tree() const
{
    return m_files->tree();
}

void DatasetsView::selectionChanged()
{
    if (m_reloading)
        return;
    const QTreeWidgetItem *item = m_files->tree()->currentItem();
    m_selected =
        !item ? QString()
        : !item->data(0, Qt::UserRole + 1).toString().isEmpty()
            ? (m_project ? m_project->relativePath(item->data(0, Qt::UserRole + 1).toString())
                         : QString())
            : item->data(0, Qt::UserRole).toString();
    if (!item || !m_project) {
        m_validation->setTarget({});
        return;
    }
    // A file row holds its absolute path; a dataset row its name. A dataset matching several
    // files is validated file by file: pick its only file, else ask for one.
    const QString file = item->data(0, Qt::UserRole + 1).toString();
    if (!file.isEmpty()) {
        m_validation->setTarget(m_project->relativePath(file));
        return;
    }
    const QString name = item->data(0, Qt::UserRole).toString();
    const DatasetSpec *spec = m_project->dataset(name);
    if (!spec) {
        m_validation->setTarget({});
        return;
    }
    const QStringList files = m_project->resolveFiles(spec->paths);
    m_validation->setTarget(files.size() == 1 ? m_project->relativePath(files.first()) : name);
}

} // namespace cairn::ui
