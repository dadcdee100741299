#include "sidebarmodel.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QFont>
#include <QIcon>
#include <QStyle>

namespace cairn::ui {

QString sectionTitle(Section section)
{
    switch (section) {
    case Section::Overview:
        return SidebarModel::tr("Overview");
    case Section::Runs:
        return SidebarModel::tr("Runs");
    case Section::Datasets:
        return SidebarModel::tr("Datasets");
    case Section::Models:
        return SidebarModel::tr("Models");
    case Section::Versions:
        return SidebarModel::tr("Versions");
    case Section::Diff:
        return SidebarModel::tr("Diff");
    case Section::Drift:
        return SidebarModel::tr("Drift");
    case Section::EntryPoints:
        return SidebarModel::tr("Entry points");
    case Section::Pipelines:
        return SidebarModel::tr("Pipelines");
    case Section::Experiments:
        return SidebarModel::tr("Experiments");
    }
    return {};
}

struct SidebarModel::Node
{
    Kind kind = Kind::Project;
    QString projectPath;
    Section section = Section::Overview;
    QString label;
    QString itemName;
    QString tooltip;
    bool hasErrors = false;
    bool missing = false;
    Node *parent = nullptr;
    std::vector<std::unique_ptr<Node>> children;

    int row() const
    {
        if (!parent)
            return 0;
        for (std::size_t i = 0; i < parent->children.size(); ++i) {
            if (parent->children[i].get() == this)
                return int(i);
        }
        return 0;
    }
    Node *add(std::unique_ptr<Node> child)
    {
        child->parent = this;
        children.push_back(std::move(child));
        return children.back().get();
    }
};

SidebarModel::SidebarModel(QObject *parent)
    : QAbstractItemModel(parent)
    , m_root(std::make_unique<Node>())
{}

SidebarModel::~SidebarModel() = default;

SidebarModel::Node *SidebarModel::nodeFor(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : m_root.get();
}

QModelIndex SidebarModel::indexFor(Node *node) const
{
    if (!node || node == m_root.get())
        return {};
    return createIndex(node->row(), 0, node);
}

SidebarModel::Node *SidebarModel::findProject(const QString &path) const
{
    for (const auto &n : m_root->children) {
        if (n->projectPath == path)
            return n.get();
    }
    return nullptr;
}

void SidebarModel::setProjects(const QList<TrackedProject> &projects)
{
    beginResetModel();
    // Keep the loaded children of projects that stay.
    std::vector<std::unique_ptr<Node>> old = std::move(m_root->children);
    m_root->children.clear();
    for (const TrackedProject &p : projects) {
        std::unique_ptr<Node> node;
        for (auto &o : old) {
            if (o && o->projectPath == p.path) {
                node = std::move(o);
                break;
            }
        }
        if (!node) {
            node = std::make_unique<Node>();
            node->kind = Kind::Project;
            node->projectPath = p.path;
            node->label = p.name;
        }
        node->missing = !QFileInfo(p.path).isDir();
        node->tooltip = QDir::toNativeSeparators(p.path) +
                        (node->missing ? tr("\nThe folder no longer exists.") : QString());
        m_root->add(std::move(node));
    }
    endResetModel();
}

void SidebarModel::fillChildren(Node *projectNode, const ProjectSnapshot &snapshot)
{
    auto section = [&](Section s, const QString &label) {
        auto n = std::make_unique<Node>();
        n->kind = Kind::Section;
        n->projectPath = snapshot.root;
        n->section = s;
        n->label = label;
        return projectNode->add(std::move(n));
    };
    auto item = [&](Node *parentNode, const QString &name, const QString &tip) {
        auto n = std::make_unique<Node>();
        n->kind = Kind::Item;
        n->projectPath = snapshot.root;
        n->section = parentNode->section;
        n->label = name;
        n->itemName = name;
        n->tooltip = tip;
        parentNode->add(std::move(n));
    };
    auto counted = [](Section s, qsizetype n) {
        return QStringLiteral("%1 (%2)").arg(sectionTitle(s)).arg(n);
    };

    section(Section::Runs,
            snapshot.activeRunCount > 0
                ? tr("Runs (%1, %2 active)").arg(snapshot.runCount).arg(snapshot.activeRunCount)
                : counted(Section::Runs, snapshot.runCount));
    const Project *p = snapshot.project ? &*snapshot.project : nullptr;
    Node *ds = section(Section::Datasets, counted(Section::Datasets, p ? p->datasets.size() : 0));
    Node *models = section(Section::Models, counted(Section::Models, p ? p->models.size() : 0));
    section(Section::Versions, sectionTitle(Section::Versions));
    section(Section::Diff, sectionTitle(Section::Diff));
    section(Section::Drift, sectionTitle(Section::Drift));
    Node *eps =
        section(Section::EntryPoints, counted(Section::EntryPoints, p ? p->entryPoints.size() : 0));
    if (p && !p->pipelines.isEmpty())
        section(Section::Pipelines, counted(Section::Pipelines, p->pipelines.size()));
    // Two stat calls on the GUI thread; the experiments are read when the section opens.
    const QDir root(snapshot.root);
    if (!snapshot.root.isEmpty() &&
        (QFileInfo::exists(root.filePath(QStringLiteral("dvc.yaml"))) ||
         QFileInfo::exists(root.filePath(QStringLiteral("params.yaml")))))
        section(Section::Experiments, sectionTitle(Section::Experiments));
    if (!p)
        return;
    for (const DatasetSpec &d : p->datasets)
        item(ds, d.name, d.paths.join(QStringLiteral(", ")));
    for (const ModelSpec &m : p->models)
        item(models, m.name, m.paths.join(QStringLiteral(", ")));
    for (const EntryPoint &e : p->entryPoints)
        item(eps, e.name, e.command.simplified());
}

void SidebarModel::setSnapshot(const ProjectSnapshot &snapshot)
{
    Node *node = findProject(snapshot.root);
    if (!node) {
        const int row = int(m_root->children.size());
        beginInsertRows({}, row, row);
        auto n = std::make_unique<Node>();
        n->kind = Kind::Project;
        n->projectPath = snapshot.root;
        node = m_root->add(std::move(n));
        endInsertRows();
    }
    const QModelIndex idx = indexFor(node);
    if (!node->children.empty()) {
        beginRemoveRows(idx, 0, int(node->children.size()) - 1);
        node->children.clear();
        endRemoveRows();
    }
    node->label = snapshot.name;
    node->hasErrors = !snapshot.errors.isEmpty();
    node->missing = false;
    node->tooltip = QDir::toNativeSeparators(snapshot.root);
    if (node->hasErrors)
        node->tooltip += QLatin1Char('\n') + snapshot.errors.first().toString();
    emit dataChanged(idx, idx);

    Node staging;
    staging.projectPath = snapshot.root;
    fillChildren(&staging, snapshot);
    if (!staging.children.empty()) {
        beginInsertRows(idx, 0, int(staging.children.size()) - 1);
        for (auto &c : staging.children)
            node->add(std::move(c));
        endInsertRows();
    }
}

void SidebarModel::setCurrentProject(const QString &path)
{
    const QString old = std::exchange(m_current, path);
    for (const QString &p : {old, path}) {
        const QModelIndex idx = projectIndex(p);
        if (idx.isValid())
            emit dataChanged(idx, idx);
    }
}

void SidebarModel::removeProject(const QString &path)
{
    Node *node = findProject(path);
    if (!node)
        return;
    const int row = node->row();
    beginRemoveRows({}, row, row);
    m_root->children.erase(m_root->children.begin() + row);
    endRemoveRows();
}

QModelIndex SidebarModel::projectIndex(const QString &path) const
{
    return indexFor(findProject(path));
}

QModelIndex SidebarModel::sectionIndex(const QString &path, Section section) const
{
    Node *p = findProject(path);
    if (!p)
        return {};
    for (const auto &c : p->children) {
        if (c->section == section)
            return indexFor(c.get());
    }
    return {};
}

QModelIndex SidebarModel::index(int row, int column, const QModelIndex &parent) const
{
    if (column != 0 || row < 0)
        return {};
    Node *p = nodeFor(parent);
    if (row >= int(p->children.size()))
        return {};
    return createIndex(row, column, p->children[std::size_t(row)].get());
}

QModelIndex SidebarModel::parent(const QModelIndex &child) const
{
    if (!child.isValid())
        return {};
    return indexFor(nodeFor(child)->parent);
}

int SidebarModel::rowCount(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return 0;
    return int(nodeFor(parent)->children.size());
}

int SidebarModel::columnCount(const QModelIndex &) const
{
    return 1;
}

static QIcon sectionIcon(Section s)
{
    const char *name = nullptr;
    switch (s) {
    case Section::Overview:
        name = "overview";
        break;
    case Section::Runs:
        name = "runs";
        break;
    case Section::Datasets:
        name = "dataset";
        break;
    case Section::Models:
        name = "model";
        break;
    case Section::Versions:
        name = "versions";
        break;
    case Section::Diff:
        name = "diff";
        break;
    case Section::Drift:
        name = "drift";
        break;
    case Section::EntryPoints:
        name = "entrypoint";
        break;
    case Section::Pipelines:
        name = "pipeline";
        break;
    case Section::Experiments:
        name = "experiments";
        break;
    }
    return QIcon(QStringLiteral(":/cairn/icons/%1.svg").arg(QLatin1StringView(name)));
}

QVariant SidebarModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    const Node *n = nodeFor(index);
    switch (role) {
    case Qt::DisplayRole:
        if (n->kind == Kind::Project) {
            // Two tracked projects with the same name: tell them apart by their folder.
            for (const auto &other : m_root->children) {
                if (other.get() != n && other->label == n->label)
                    return QStringLiteral("%1 (%2)").arg(n->label,
                                                         QDir::toNativeSeparators(n->projectPath));
            }
        }
        return n->label;
    case Qt::ToolTipRole:
        return n->tooltip.isEmpty() ? QVariant() : QVariant(n->tooltip);
    case Qt::DecorationRole:
        if (n->kind == Kind::Project) {
            if (n->hasErrors)
                return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
            return QIcon(QStringLiteral(":/cairn/icons/project.svg"));
        }
        return sectionIcon(n->section);
    case Qt::FontRole:
        if (n->kind == Kind::Project && n->projectPath == m_current) {
            QFont f = QApplication::font();
            f.setBold(true);
            return f;
        }
        break;
    case Qt::ForegroundRole:
        if (n->missing)
            return QApplication::palette().color(QPalette::Disabled, QPalette::Text);
        break;
    case KindRole:
        return int(n->kind);
    case ProjectPathRole:
        return n->projectPath;
    case SectionRole:
        return int(n->section);
    case ItemNameRole:
        return n->itemName;
    case CurrentRole:
        return n->projectPath == m_current;
    }
    return {};
}

Qt::ItemFlags SidebarModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable;
}

} // namespace cairn::ui
