#include "overviewview.h"

#include "runsmodel.h"
#include "sidebarmodel.h"

#include <QDir>
#include <QGridLayout>
#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace cairn::ui {

OverviewView::OverviewView(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel)
    , m_details(new QLabel)
    , m_entryPoints(new QTreeWidget)
    , m_data(new QTreeWidget)
    , m_recent(new QTableView)
    , m_recentModel(new RunsModel(this))
{
    auto *layout = new QVBoxLayout(this);
    QFont big = m_title->font();
    big.setPointSizeF(big.pointSizeF() * 1.6);
    big.setBold(true);
    m_title->setFont(big);
    m_details->setWordWrap(true);
    m_details->setTextFormat(Qt::RichText);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_title);
    layout->addWidget(m_details);

    auto *grid = new QGridLayout;
    auto *epBox = new QGroupBox(tr("Entry points"));
    auto *epLayout = new QVBoxLayout(epBox);
    m_entryPoints->setObjectName(QStringLiteral("overviewEntryPoints"));
    m_entryPoints->setHeaderLabels({tr("Name"), tr("Parameters"), tr("Description")});
    m_entryPoints->setRootIsDecorated(false);
    m_entryPoints->header()->setStretchLastSection(true);
    epLayout->addWidget(m_entryPoints);
    auto *runButton = new QPushButton(QIcon(QStringLiteral(":/cairn/icons/run.svg")), tr("Run…"));
    runButton->setObjectName(QStringLiteral("overviewRunButton"));
    epLayout->addWidget(runButton, 0, Qt::AlignRight);
    connect(runButton, &QPushButton::clicked, this, [this] {
        if (auto *item = m_entryPoints->currentItem())
            emit runRequested(item->text(0));
    });
    connect(m_entryPoints, &QTreeWidget::itemDoubleClicked, this,
            [this](QTreeWidgetItem *item) { emit runRequested(item->text(0)); });

    auto *dataBox = new QGroupBox(tr("Data and models"));
    auto *dataLayout = new QVBoxLayout(dataBox);
    m_data->setObjectName(QStringLiteral("overviewData"));
    m_data->setHeaderLabels({tr("Name"), tr("Files"), tr("Paths")});
    m_data->setRootIsDecorated(false);
    m_data->header()->setStretchLastSection(true);
    dataLayout->addWidget(m_data);
    connect(m_data, &QTreeWidget::itemDoubleClicked, this, [this](QTreeWidgetItem *item) {
        emit sectionRequested(item->data(0, Qt::UserRole).toInt(), item->text(0));
    });

    auto *runsBox = new QGroupBox(tr("Recent runs"));
    auto *runsLayout = new QVBoxLayout(runsBox);
    auto *recent = new QSortFilterProxyModel(this);
    recent->setSourceModel(m_recentModel);
    recent->setSortRole(RunsModel::SortRole);
    recent->sort(RunsModel::IdColumn, Qt::DescendingOrder);
    m_recent->setObjectName(QStringLiteral("overviewRuns"));
    m_recent->setModel(recent);
    m_recent->verticalHeader()->hide();
    m_recent->verticalHeader()->setDefaultSectionSize(m_recent->fontMetrics().height() + 6);
    m_recent->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_recent->setWordWrap(false);
    m_recent->horizontalHeader()->setStretchLastSection(true);
    m_recent->setColumnHidden(RunsModel::NameColumn, true);
    connect(m_recentModel, &QAbstractItemModel::modelReset, this,
            [this] { m_recent->resizeColumnsToContents(); });
    connect(m_recent, &QTableView::activated, this, [this](const QModelIndex &idx) {
        emit runActivated(idx.data(RunsModel::RunIdRole).toLongLong());
    });
    runsLayout->addWidget(m_recent);

    grid->addWidget(epBox, 0, 0);
    grid->addWidget(dataBox, 0, 1);
    grid->addWidget(runsBox, 1, 0, 1, 2);
    grid->setColumnStretch(0, 1);
    grid->setColumnStretch(1, 1);
    grid->setRowStretch(0, 1);
    grid->setRowStretch(1, 1);
    layout->addLayout(grid, 1);
}

void OverviewView::setSnapshot(const ProjectSnapshot &s)
{
    m_title->setText(s.name);
    QStringList lines;
    const auto esc = [](const QString &t) { return t.toHtmlEscaped(); };
    if (s.project && !s.project->description.isEmpty())
        lines << esc(s.project->description);
    const bool store = s.project && s.project->format == ProjectFormat::MlflowStore;
    if (store) {
        // A store opened read-only: its runs are what there is; nothing here launches.
        lines << tr("<b>MLflow store</b> %1 — read-only; runs, charts and compare work as on "
                    "Cairn's own runs. <code>cairn-cli import mlflow</code> copies them into a "
                    "project.")
                     .arg(esc(QDir::toNativeSeparators(s.project->projectFile)));
        lines << tr("<b>Cairn's copy</b> %1").arg(esc(QDir::toNativeSeparators(s.root)));
    } else {
        lines << tr("<b>Folder</b> %1").arg(esc(QDir::toNativeSeparators(s.root)));
    }
    if (store) {
    } else if (s.project) {
        lines << (s.project->format == ProjectFormat::None
                      ? tr("<b>Project file</b> none — <code>cairn-cli init</code> writes a "
                           "cairn.yaml")
                      : tr("<b>Project file</b> %1")
                            .arg(esc(s.project->relativePath(s.project->projectFile))));
    } else {
        lines << tr(
            "<b>Project file</b> <span style='color:#c0392b'>has %n error(s); see Problems</span>",
            nullptr, int(s.errors.size()));
    }
    if (store) {
    } else if (s.git.isRepository) {
        QString git = tr("<b>Code</b> git %1, commit %2")
                          .arg(esc(s.git.branch.isEmpty() ? tr("(detached)") : s.git.branch),
                               esc(s.git.commit.left(8)));
        if (!s.git.summary.isEmpty())
            git += QStringLiteral(" “%1”").arg(esc(s.git.summary));
        if (s.git.dirty)
            git += tr(", <span style='color:#d38400'>uncommitted changes</span>");
        lines << git;
    } else {
        lines << tr("<b>Code</b> not a git repository: runs will not record a code version");
    }
    lines << tr("<b>Runs</b> %1").arg(QLocale().toString(s.runCount));
    m_details->setText(lines.join(QStringLiteral("<br>")));

    m_recentModel->setRuns(s.recentRuns);
    m_entryPoints->clear();
    m_data->clear();
    if (!s.project)
        return;
    const Project &p = *s.project;
    for (const EntryPoint &ep : p.entryPoints) {
        QStringList params;
        for (const Parameter &prm : ep.parameters)
            params << prm.name;
        auto *item = new QTreeWidgetItem(
            m_entryPoints, {ep.name, params.join(QStringLiteral(", ")), ep.description});
        item->setIcon(0, QIcon(QStringLiteral(":/cairn/icons/entrypoint.svg")));
        item->setToolTip(0, ep.command.simplified());
    }
    if (m_entryPoints->topLevelItemCount() > 0)
        m_entryPoints->setCurrentItem(m_entryPoints->topLevelItem(0));
    auto addData = [&](Section section, const QString &icon, const QString &name,
                       const QStringList &paths) {
        const int files = int(p.resolveFiles(paths).size());
        auto *item =
            new QTreeWidgetItem(m_data, {name, files == 0 ? tr("none yet") : QString::number(files),
                                         paths.join(QStringLiteral(", "))});
        item->setIcon(0, QIcon(icon));
        item->setData(0, Qt::UserRole, int(section));
    };
    for (const DatasetSpec &d : p.datasets)
        addData(Section::Datasets, QStringLiteral(":/cairn/icons/dataset.svg"), d.name, d.paths);
    for (const ModelSpec &m : p.models)
        addData(Section::Models, QStringLiteral(":/cairn/icons/model.svg"), m.name, m.paths);
    for (QTreeWidget *t : {m_entryPoints, m_data}) {
        t->resizeColumnToContents(0);
        t->resizeColumnToContents(1);
    }
}

} // namespace cairn::ui
