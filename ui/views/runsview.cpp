#include "runsview.h"

#include "runs/runstore.h"
#include "runsmodel.h"
#include "store/projectdb.h"

#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace cairn::ui {

RunsView::RunsView(QWidget *parent)
    : QWidget(parent)
    , m_model(new RunsModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_table(new QTableView)
    , m_empty(new QLabel(tr("No runs yet. Start one from Entry points.")))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(RunsModel::SortRole);
    m_table->setObjectName(QStringLiteral("runsTable"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RunsModel::IdColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setAlternatingRowColors(true);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
    m_empty->setMargin(12);
    layout->addWidget(m_table, 1);
    layout->addWidget(m_empty);
    connect(m_table, &QTableView::activated, this, [this](const QModelIndex &idx) {
        emit runActivated(idx.data(RunsModel::RunIdRole).toLongLong());
    });
}

void RunsView::setProjectRoot(const QString &root)
{
    m_root = root;
    refresh();
}

void RunsView::refresh()
{
    const QString root = m_root;
    using Loaded = std::pair<QList<RunRecord>, QString>;
    m_loader.run(
        [root](const std::atomic_bool &) -> Loaded {
            if (root.isEmpty() || !QFileInfo::exists(projectDatabasePath(root)))
                return {};
            auto db = openProjectDatabase(root, Database::Mode::ReadOnly);
            if (!db)
                return {{}, db.error().toString()};
            auto runs = RunStore(**db).list(5000);
            if (!runs)
                return {{}, runs.error().toString()};
            return {*runs, {}};
        },
        [this](Loaded loaded) {
            m_model->setRuns(std::move(loaded.first));
            m_table->resizeColumnsToContents();
            m_empty->setText(loaded.second.isEmpty()
                                 ? tr("No runs yet. Start one from Entry points.")
                                 : tr("Cannot read the runs: %1").arg(loaded.second));
            m_empty->setVisible(m_model->rowCount() == 0);
            emit refreshed();
        });
}

} // namespace cairn::ui
