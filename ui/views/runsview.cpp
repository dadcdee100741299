#include "runsview.h"

#include "charts/metricchart.h"
#include "metrics/metricstore.h"
#include "runs/runfilter.h"
#include "runstablemodel.h"
#include "store/projectdb.h"

#include <QAction>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

namespace cairn::ui {

static constexpr int kMaxCompared = 20;

RunsView::RunsView(QWidget *parent)
    : QWidget(parent)
    , m_model(new RunsTableModel(this))
    , m_table(new QTableView)
    , m_search(new QLineEdit)
    , m_statusButton(new QToolButton)
    , m_expression(new QLineEdit)
    , m_filterError(new QLabel)
    , m_count(new QLabel)
    , m_metricBox(new QComboBox)
    , m_chart(new MetricChart)
    , m_chartHint(new QLabel)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(4, 0, 4, 0);
    m_search->setObjectName(QStringLiteral("runsSearch"));
    m_search->setPlaceholderText(tr("Search name, command, parameters…"));
    m_search->setClearButtonEnabled(true);
    bar->addWidget(m_search, 2);

    m_statusButton->setObjectName(QStringLiteral("statusFilter"));
    m_statusButton->setText(tr("Any status"));
    m_statusButton->setPopupMode(QToolButton::InstantPopup);
    auto *statusMenu = new QMenu(m_statusButton);
    for (RunStatus s : {RunStatus::Queued, RunStatus::Running, RunStatus::Finished,
                        RunStatus::Failed, RunStatus::Cancelled, RunStatus::Lost}) {
        QAction *a = statusMenu->addAction(runStatusName(s));
        a->setCheckable(true);
        a->setData(int(s));
        connect(a, &QAction::toggled, this, &RunsView::applyFilter);
    }
    m_statusButton->setMenu(statusMenu);
    bar->addWidget(m_statusButton);

    m_expression->setObjectName(QStringLiteral("runsExpression"));
    m_expression->setPlaceholderText(tr("Filter: accuracy > 0.9 and lr < 0.01"));
    m_expression->setClearButtonEnabled(true);
    bar->addWidget(m_expression, 3);
    m_count->setObjectName(QStringLiteral("runsCount"));
    bar->addWidget(m_count);
    layout->addLayout(bar);
    m_filterError->setObjectName(QStringLiteral("filterError"));
    m_filterError->setStyleSheet(QStringLiteral("color: #c0392b; padding-left: 6px"));
    m_filterError->setWordWrap(true);
    m_filterError->hide();
    layout->addWidget(m_filterError);

    m_table->setObjectName(QStringLiteral("runsTable"));
    m_table->setModel(m_model);
    m_table->setSortingEnabled(true);
    m_table->horizontalHeader()->setSortIndicator(0, Qt::DescendingOrder);
    m_table->horizontalHeader()->setSectionsMovable(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setContextMenuPolicy(Qt::CustomContextMenu);

    auto *chartPane = new QWidget;
    auto *chartLayout = new QVBoxLayout(chartPane);
    chartLayout->setContentsMargins(4, 0, 4, 0);
    auto *chartBar = new QHBoxLayout;
    chartBar->addWidget(new QLabel(tr("Compare the selected runs on")));
    m_metricBox->setObjectName(QStringLiteral("compareMetric"));
    m_metricBox->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    chartBar->addWidget(m_metricBox);
    m_chartHint->setObjectName(QStringLiteral("chartHint"));
    chartBar->addWidget(m_chartHint, 1);
    chartLayout->addLayout(chartBar);
    chartLayout->addWidget(m_chart, 1);

    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_table);
    split->addWidget(chartPane);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    layout->addWidget(split, 1);

    auto *debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(250);
    connect(debounce, &QTimer::timeout, this, &RunsView::applyFilter);
    connect(m_search, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    connect(m_expression, &QLineEdit::textChanged, debounce, qOverload<>(&QTimer::start));
    connect(m_expression, &QLineEdit::returnPressed, this, &RunsView::applyFilter);

    connect(m_table, &QTableView::activated, this, [this](const QModelIndex &idx) {
        emit runActivated(idx.data(RunsTableModel::RunIdRole).toLongLong());
    });
    connect(m_table, &QWidget::customContextMenuRequested, this, &RunsView::showContextMenu);
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &RunsView::updateChart);
    connect(m_metricBox, &QComboBox::currentTextChanged, this, &RunsView::updateChart);
    // Size the columns to the first rows once they have loaded.
    connect(m_model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from) {
        if (from.row() != 0 || m_columnsSized)
            return;
        m_columnsSized = true;
        m_table->resizeColumnsToContents();
        for (int c = 0; c < m_model->columnCount(); ++c)
            m_table->setColumnWidth(c, std::min(m_table->columnWidth(c), 220));
    });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] { m_columnsSized = false; });
    connect(m_model, &RunsTableModel::loaded, this, [this] {
        const QString current = m_metricBox->currentText();
        QSignalBlocker block(m_metricBox);
        m_metricBox->clear();
        m_metricBox->addItems(m_model->metricNames());
        const int keep = m_metricBox->findText(current);
        m_metricBox->setCurrentIndex(keep >= 0 ? keep : 0);
        updateCount();
        updateChart();
        emit refreshed();
    });
    connect(m_model, &RunsTableModel::loadFailed, this, [this](const QString &message) {
        m_filterError->setText(message);
        m_filterError->show();
    });
    updateCount();
}

void RunsView::setProjectRoot(const QString &root)
{
    m_root = root;
    m_model->setProjectRoot(root);
}

void RunsView::refresh()
{
    m_model->refresh();
}

QList<qint64> RunsView::selectedRuns() const
{
    QList<qint64> ids;
    const auto rows = m_table->selectionModel()->selectedRows();
    for (const QModelIndex &r : rows)
        ids.append(r.data(RunsTableModel::RunIdRole).toLongLong());
    std::sort(ids.begin(), ids.end());
    return ids;
}

void RunsView::selectRuns(const QList<qint64> &ids)
{
    QItemSelection selection;
    for (qint64 id : ids) {
        const int row = m_model->rowOfRun(id);
        if (row >= 0)
            selection.select(m_model->index(row, 0),
                             m_model->index(row, m_model->columnCount() - 1));
    }
    m_table->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
}

void RunsView::setChartMetric(const QString &name)
{
    m_metricBox->setCurrentIndex(m_metricBox->findText(name));
}

void RunsView::applyFilter()
{
    QList<SqlFilter> parts;
    if (!m_search->text().trimmed().isEmpty())
        parts.append(textFilter(m_search->text().trimmed()));
    QList<RunStatus> statuses;
    QStringList names;
    for (QAction *a : m_statusButton->menu()->actions()) {
        if (a->isChecked()) {
            statuses.append(RunStatus(a->data().toInt()));
            names << a->text();
        }
    }
    m_statusButton->setText(names.isEmpty() ? tr("Any status") : names.join(QStringLiteral(", ")));
    if (!statuses.isEmpty())
        parts.append(statusFilter(statuses));
    m_filterError->hide();
    const QString expr = m_expression->text().trimmed();
    if (!expr.isEmpty()) {
        auto compiled = compileRunFilter(expr, m_model->filterContext());
        if (!compiled) {
            m_filterError->setText(compiled.error().toString());
            m_filterError->show();
            m_expression->setStyleSheet(QStringLiteral("border: 1px solid #c0392b"));
            return;
        }
        parts.append(*compiled);
    }
    m_expression->setStyleSheet(QString());
    const SqlFilter all = combine(parts);
    m_model->setFilter(RunsTableModel::Filter{all.where, all.values});
}

void RunsView::updateCount()
{
    m_count->setText(tr("%n run(s)", nullptr, m_model->rowCount()));
}

void RunsView::updateChart()
{
    const QString metric = m_metricBox->currentText();
    QList<qint64> ids = selectedRuns();
    // Nothing selected: the first few rows of the table (the newest runs, by default).
    const bool none = ids.isEmpty();
    for (int r = 0; none && r < std::min(5, m_model->rowCount()); ++r)
        ids.append(m_model->runIdAt(r));
    if (ids.size() > kMaxCompared)
        ids = ids.mid(ids.size() - kMaxCompared);
    m_chart->setTitle(metric);
    if (metric.isEmpty() || ids.isEmpty() || m_root.isEmpty()) {
        m_chart->clear();
        m_chartHint->setText(metric.isEmpty() ? tr("No run has logged a metric yet.") : QString());
        emit chartUpdated();
        return;
    }
    m_chartHint->setText(selectedRuns().size() > kMaxCompared
                             ? tr("Showing the %1 newest of the selected runs").arg(kMaxCompared)
                             : QString());
    const QString root = m_root;
    m_chartJob.run(
        [root, ids, metric](const std::atomic_bool &cancelled) {
            QList<ChartSeries> out;
            auto db = openProjectDatabase(root, Database::Mode::ReadOnly);
            if (!db)
                return out;
            MetricStore store(**db);
            for (qint64 id : ids) {
                if (cancelled)
                    break;
                auto s = store.series(id, metric);
                if (!s || s->size() == 0)
                    continue;
                out.append(
                    ChartSeries{id, tr("run %1").arg(id), s->steps, s->timestamps, s->values});
            }
            return out;
        },
        [this](QList<ChartSeries> series) {
            m_chart->setSeries(std::move(series));
            emit chartUpdated();
        });
}

void RunsView::showContextMenu(const QPoint &pos)
{
    const QModelIndex idx = m_table->indexAt(pos);
    if (!idx.isValid())
        return;
    const qint64 id = idx.data(RunsTableModel::RunIdRole).toLongLong();
    const auto status = RunStatus(idx.data(RunsTableModel::StatusRole).toInt());
    QMenu menu;
    menu.addAction(tr("Open Run %1").arg(id), this, [this, id] { emit runActivated(id); });
    menu.addAction(tr("Show Output"), this, [this, id] { emit outputRequested(id); });
    menu.addSeparator();
    menu.addAction(tr("Re-run…"), this, [this, id] { emit rerunRequested(id); });
    menu.addAction(tr("Reproduce…"), this, [this, id] { emit reproduceRequested(id); });
    QAction *cancel = menu.addAction(tr("Cancel"), this, [this, id] { emit cancelRequested(id); });
    cancel->setEnabled(idx.data(RunsTableModel::LoadedRole).toBool() && !isTerminal(status));
    menu.exec(m_table->viewport()->mapToGlobal(pos));
}

} // namespace cairn::ui
