#include "dvcview.h"

#include "charts/driftchartsupport.h"
#include "charts/metricchart.h"
#include "charts/qcustomplot.h"
#include "dvcexpmodel.h"
#include "theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <atomic>

using namespace Qt::StringLiterals;

namespace cairn::ui {

namespace {
constexpr int kMaxPlotted = 10; // revisions drawn at once

Verdict verdictOfStage(dvc::StageState state)
{
    switch (state) {
    case dvc::StageState::UpToDate:
        return Verdict::Pass;
    case dvc::StageState::Changed:
        return Verdict::Fail;
    case dvc::StageState::NotInLock:
        return Verdict::Running;
    case dvc::StageState::NotChecked:
        break;
    }
    return Verdict::Skipped;
}

QString changeText(const std::optional<double> &change)
{
    if (!change)
        return u"-"_s;
    const QString n = QString::number(*change, 'g', 6);
    return *change > 0 ? QString(u"+"_s + n) : n;
}
} // namespace

struct DvcView::Progress
{
    std::atomic<qint64> done{0};
    std::atomic<qint64> total{0};
};

DvcView::DvcView(QWidget *parent)
    : QWidget(parent)
    , m_model(new DvcExpModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
    , m_commits(new QSpinBox)
    , m_allCommits(new QCheckBox(tr("All commits")))
    , m_refresh(new QPushButton(tr("Refresh")))
    , m_progressRow(new QWidget)
    , m_progressLabel(new QLabel)
    , m_progress(new QProgressBar)
    , m_cancel(new QPushButton(tr("Cancel")))
    , m_status(new QLabel)
    , m_warnings(new QLabel)
    , m_table(new QTableView)
    , m_panels(new QTabWidget)
    , m_stages(new QTreeWidget)
    , m_stagesNote(new QLabel)
    , m_compareTitle(new QLabel)
    , m_compareAll(new QCheckBox(tr("Show unchanged")))
    , m_compare(new QTreeWidget)
    , m_plotFile(new QComboBox)
    , m_plotX(new QComboBox)
    , m_plotY(new QComboBox)
    , m_plotNote(new QLabel)
    , m_plot(new QCustomPlot)
{
    setObjectName(u"dvcView"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 0);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Commits:")));
    m_commits->setObjectName(u"dvcCommits"_s);
    m_commits->setRange(1, 10000);
    m_commits->setValue(20);
    m_commits->setToolTip(tr("How many commits to read, newest first (dvc exp show -n)"));
    bar->addWidget(m_commits);
    m_allCommits->setObjectName(u"dvcAllCommits"_s);
    bar->addWidget(m_allCommits);
    m_refresh->setObjectName(u"dvcRefresh"_s);
    m_refresh->setToolTip(tr("Read the workspace and the commits again"));
    bar->addWidget(m_refresh);
    m_status->setObjectName(u"dvcStatus"_s);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    bar->addWidget(m_status, 1);
    auto *progressLayout = new QHBoxLayout(m_progressRow);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    m_progress->setObjectName(u"dvcProgress"_s);
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(200);
    m_progress->setMaximumHeight(m_progress->fontMetrics().height());
    m_cancel->setObjectName(u"dvcCancel"_s);
    progressLayout->addWidget(m_progressLabel);
    progressLayout->addWidget(m_progress);
    progressLayout->addWidget(m_cancel);
    m_progressRow->hide();
    bar->addWidget(m_progressRow);
    layout->addLayout(bar);

    m_warnings->setObjectName(u"dvcWarnings"_s);
    m_warnings->setWordWrap(true);
    m_warnings->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warnings->setStyleSheet(
        u"color: %1; padding-left: 4px"_s.arg(verdictColor(Verdict::Fail).name()));
    m_warnings->hide();
    layout->addWidget(m_warnings);

    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(DvcExpModel::SortRole);
    m_table->setObjectName(u"dvcTable"_s);
    m_table->setModel(m_proxy);
    m_table->horizontalHeader()->setSortIndicator(DvcExpModel::ExperimentColumn,
                                                  Qt::AscendingOrder);
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->setToolTip(tr("Select two rows to compare them; one row is compared with the "
                           "workspace. The chart draws every selected row."));

    // Compare: the metrics and params of two rows.
    auto *comparePane = new QWidget;
    auto *compareLayout = new QVBoxLayout(comparePane);
    compareLayout->setContentsMargins(4, 4, 4, 4);
    auto *compareBar = new QHBoxLayout;
    m_compareTitle->setObjectName(u"dvcCompareTitle"_s);
    m_compareTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    compareBar->addWidget(m_compareTitle, 1);
    m_compareAll->setObjectName(u"dvcCompareAll"_s);
    compareBar->addWidget(m_compareAll);
    compareLayout->addLayout(compareBar);
    m_compare->setObjectName(u"dvcCompare"_s);
    m_compare->setColumnCount(5);
    m_compare->setHeaderLabels({tr("File"), tr("Key"), tr("A (old)"), tr("B (new)"), tr("Change")});
    m_compare->setUniformRowHeights(true);
    m_compare->setAlternatingRowColors(true);
    m_compare->header()->setStretchLastSection(false);
    m_compare->header()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_compare->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    compareLayout->addWidget(m_compare, 1);

    // Stages: the workspace against dvc.lock, as `dvc status` says it.
    auto *stagesPane = new QWidget;
    auto *stagesLayout = new QVBoxLayout(stagesPane);
    stagesLayout->setContentsMargins(4, 4, 4, 4);
    m_stagesNote->setWordWrap(true);
    stagesLayout->addWidget(m_stagesNote);
    m_stages->setObjectName(u"dvcStages"_s);
    m_stages->setColumnCount(3);
    m_stages->setHeaderLabels({tr("Stage"), tr("State"), tr("Changes")});
    m_stages->setRootIsDecorated(false);
    m_stages->setUniformRowHeights(true);
    m_stages->setColumnWidth(0, 120);
    m_stages->setColumnWidth(1, 100);
    stagesLayout->addWidget(m_stages, 1);

    m_panels->setObjectName(u"dvcPanels"_s);
    m_panels->setDocumentMode(true);
    m_panels->addTab(comparePane, tr("Compare"));
    m_panels->addTab(stagesPane, tr("Workspace stages"));

    // Plots: one line per selected row.
    auto *plotPane = new QWidget;
    auto *plotLayout = new QVBoxLayout(plotPane);
    plotLayout->setContentsMargins(4, 4, 4, 0);
    auto *plotBar = new QHBoxLayout;
    plotBar->addWidget(new QLabel(tr("Plot:")));
    m_plotFile->setObjectName(u"dvcPlotFile"_s);
    m_plotFile->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    plotBar->addWidget(m_plotFile);
    plotBar->addWidget(new QLabel(tr("x:")));
    m_plotX->setObjectName(u"dvcPlotX"_s);
    m_plotX->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    plotBar->addWidget(m_plotX);
    plotBar->addWidget(new QLabel(tr("y:")));
    m_plotY->setObjectName(u"dvcPlotY"_s);
    m_plotY->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    plotBar->addWidget(m_plotY);
    plotBar->addStretch(1);
    plotLayout->addLayout(plotBar);
    m_plotNote->setObjectName(u"dvcPlotNote"_s);
    m_plotNote->setWordWrap(true);
    m_plotNote->hide();
    plotLayout->addWidget(m_plotNote);
    m_plot->setObjectName(u"dvcPlot"_s);
    m_plot->setMinimumSize(200, 150);
    m_plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    // The legend goes below the plot, centred, as in the metric charts.
    m_plot->axisRect()->insetLayout()->take(m_plot->legend);
    auto *legendRow = new QCPLayoutGrid;
    m_plot->plotLayout()->addElement(1, 0, legendRow);
    legendRow->addElement(0, 0, new QCPLayoutElement(m_plot));
    legendRow->addElement(0, 1, m_plot->legend);
    legendRow->addElement(0, 2, new QCPLayoutElement(m_plot));
    legendRow->setColumnStretchFactor(0, 1);
    legendRow->setColumnStretchFactor(1, 0.001);
    legendRow->setColumnStretchFactor(2, 1);
    legendRow->setMargins(QMargins(0, 0, 0, 6));
    m_plot->plotLayout()->setRowStretchFactor(1, 0.001);
    m_plot->legend->setFillOrder(QCPLegend::foColumnsFirst);
    m_plot->legend->setWrap(3);
    m_plot->legend->setBorderPen(Qt::NoPen);
    m_plot->legend->setMargins(QMargins(4, 0, 4, 0));
    m_plot->legend->setIconSize(18, 10);
    m_plot->legend->setVisible(true);
    applyChartPalette();
    plotLayout->addWidget(m_plot, 1);

    auto *bottom = new QSplitter(Qt::Horizontal);
    bottom->addWidget(m_panels);
    bottom->addWidget(plotPane);
    bottom->setStretchFactor(0, 1);
    bottom->setStretchFactor(1, 1);
    auto *split = new QSplitter(Qt::Vertical);
    split->addWidget(m_table);
    split->addWidget(bottom);
    split->setStretchFactor(0, 2);
    split->setStretchFactor(1, 3);
    layout->addWidget(split, 1);

    auto *debounce = new QTimer(this);
    debounce->setSingleShot(true);
    debounce->setInterval(400);
    connect(debounce, &QTimer::timeout, this, &DvcView::refresh);
    connect(m_commits, &QSpinBox::valueChanged, debounce, qOverload<>(&QTimer::start));
    connect(m_allCommits, &QCheckBox::toggled, this, [this](bool all) {
        m_commits->setEnabled(!all);
        refresh();
    });
    connect(m_refresh, &QPushButton::clicked, this, &DvcView::refresh);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        m_load.cancel();
        setBusy(false);
        m_status->setText(tr("Cancelled."));
    });
    m_progressTimer.setInterval(100);
    connect(&m_progressTimer, &QTimer::timeout, this, [this] {
        if (!m_jobProgress)
            return;
        const qint64 total = m_jobProgress->total.load();
        m_progress->setRange(0, int(std::max<qint64>(total, 1)));
        m_progress->setValue(int(m_jobProgress->done.load()));
        m_progressLabel->setText(
            tr("Reading revision %1 of %2…").arg(m_jobProgress->done.load()).arg(total));
    });
    connect(m_table->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &DvcView::selectionChanged);
    connect(m_compareAll, &QCheckBox::toggled, this, &DvcView::showCompare);
    connect(m_plotFile, &QComboBox::currentTextChanged, this, &DvcView::readPlots);
    connect(m_plotX, &QComboBox::currentTextChanged, this, &DvcView::drawPlot);
    connect(m_plotY, &QComboBox::currentTextChanged, this, &DvcView::drawPlot);
}

DvcView::~DvcView() = default;

void DvcView::setSnapshot(const ProjectSnapshot &snapshot)
{
    if (snapshot.root != m_root) {
        m_load.cancel();
        m_plotJob.cancel();
        setBusy(false);
        m_root = snapshot.root;
        m_pendingSelection.clear();
        m_model->setRows({});
        m_plots.clear();
        m_status->clear();
        m_warnings->hide();
        showStages();
        updatePlotFiles();
        selectionChanged();
    }
    // A reload (the project changed on disk) reads the rows again when they are on screen.
    m_stale = true;
    if (isVisible())
        refresh();
}

void DvcView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    if (m_stale && !m_busy)
        refresh();
}

void DvcView::refresh()
{
    if (m_root.isEmpty())
        return;
    m_stale = false;
    dvc::ExpOptions options;
    options.maxCommits = m_allCommits->isChecked() ? -1 : m_commits->value();
    auto progress = std::make_shared<Progress>();
    m_jobProgress = progress;
    setBusy(true);
    const QString root = m_root;
    m_load.run(
        [root, options, progress](const std::atomic_bool &cancelled) {
            return dvc::readDvcExperiments(root, options, [&](qint64 done, qint64 total) {
                progress->done = done;
                progress->total = total;
                return !cancelled.load();
            });
        },
        [this](Result<QList<dvc::DvcRow>> rows) {
            setBusy(false);
            showRows(std::move(rows));
        });
}

void DvcView::setBusy(bool busy)
{
    m_busy = busy;
    m_progressRow->setVisible(busy);
    m_refresh->setEnabled(!busy);
    if (busy) {
        m_progress->setRange(0, 0);
        m_progressLabel->setText(tr("Reading the commits…"));
        m_progressTimer.start();
    } else {
        m_progressTimer.stop();
    }
}

void DvcView::showRows(Result<QList<dvc::DvcRow>> rows)
{
    QStringList keep = std::exchange(m_pendingSelection, {});
    if (keep.isEmpty()) {
        for (int r : selectedRows())
            keep.append(m_model->rows().at(r).rev);
    }
    if (!rows) {
        m_model->setRows({});
        m_status->setText(u"<span style='color:%1'>%2</span>"_s.arg(
            verdictColor(Verdict::Fail).name(), rows.error().toString().toHtmlEscaped()));
        m_warnings->hide();
        emit warningsChanged({});
        showStages();
        updatePlotFiles();
        selectionChanged();
        emit loaded(false);
        return;
    }
    m_model->setRows(std::move(*rows));
    m_table->resizeColumnsToContents();
    for (int c = 0; c < m_model->columnCount(); ++c)
        m_table->setColumnWidth(c, std::min(m_table->columnWidth(c) + 8, 260));

    int commits = 0;
    int experiments = 0;
    Errors warnings;
    for (const dvc::DvcRow &r : m_model->rows()) {
        commits += !r.workspace && r.experiment.isEmpty();
        experiments += !r.experiment.isEmpty();
        warnings.append(r.warnings);
    }
    QString status = tr("%n commit(s)", nullptr, commits);
    if (experiments > 0)
        status += u", "_s + tr("%n experiment(s)", nullptr, experiments);
    m_status->setText(status);
    if (warnings.isEmpty()) {
        m_warnings->hide();
    } else {
        QStringList lines;
        for (qsizetype i = 0; i < std::min<qsizetype>(warnings.size(), 3); ++i)
            lines.append(warnings[i].toString().toHtmlEscaped());
        if (warnings.size() > 3)
            lines.append(tr("and %n more (see Problems)", nullptr, int(warnings.size() - 3)));
        m_warnings->setText(tr("Some files could not be read:") + u"<br>"_s +
                            lines.join(u"<br>"_s));
        m_warnings->show();
    }
    emit warningsChanged(warnings);
    showStages();
    updatePlotFiles();
    if (!keep.isEmpty())
        selectRevisions(keep); // calls selectionChanged when the selection changes
    selectionChanged();
    emit loaded(true);
}

QList<int> DvcView::selectedRows() const
{
    QModelIndexList selected = m_table->selectionModel()->selectedRows();
    std::sort(selected.begin(), selected.end(),
              [](const QModelIndex &a, const QModelIndex &b) { return a.row() < b.row(); });
    QList<int> rows;
    for (const QModelIndex &i : std::as_const(selected))
        rows.append(i.data(DvcExpModel::RowRole).toInt());
    return rows;
}

void DvcView::selectRevisions(const QStringList &revs)
{
    if (m_busy || m_stale) {
        m_pendingSelection = revs;
        return;
    }
    QItemSelection selection;
    for (int r = 0; r < m_proxy->rowCount(); ++r) {
        const QModelIndex idx = m_proxy->index(r, 0);
        const QString rev = idx.data(DvcExpModel::RevRole).toString();
        for (const QString &want : revs) {
            if (!want.isEmpty() && (rev == want || (want.size() >= 4 && rev.startsWith(want)))) {
                selection.select(idx, m_proxy->index(r, m_proxy->columnCount() - 1));
                break;
            }
        }
    }
    m_table->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect);
}

void DvcView::showStages()
{
    m_stages->clear();
    const dvc::DvcRow *ws = nullptr;
    for (const dvc::DvcRow &r : m_model->rows()) {
        if (r.workspace)
            ws = &r;
    }
    int stale = 0;
    if (ws) {
        for (const dvc::DvcStage &s : ws->stages) {
            auto *item = new QTreeWidgetItem(m_stages);
            item->setText(0, s.name);
            item->setToolTip(0, s.cmd);
            const Verdict verdict = verdictOfStage(s.state);
            item->setIcon(1, verdictIcon(verdict));
            item->setText(1, dvc::stageStateName(s.state));
            item->setForeground(1, verdictColor(verdict));
            QStringList changes;
            for (const dvc::StageChange &c : s.changes)
                changes.append(tr("%1 %2: %3").arg(c.kind, c.item, c.status));
            item->setText(2, changes.join(u"; "_s));
            item->setToolTip(2, changes.join(u"\n"_s));
            stale += s.state == dvc::StageState::Changed || s.state == dvc::StageState::NotInLock;
        }
    }
    if (!ws || ws->stages.isEmpty()) {
        m_stagesNote->setText(
            tr("No stages: the workspace has no dvc.yaml, or its stages declare nothing."));
    } else if (stale == 0) {
        m_stagesNote->setText(tr("Every stage is up to date with dvc.lock."));
    } else {
        m_stagesNote->setText(tr(
            "%n stage(s) differ from dvc.lock: dvc repro would run them again.", nullptr, stale));
    }
    m_panels->setTabText(1, stale > 0 ? tr("Workspace stages (%1 changed)").arg(stale)
                                      : tr("Workspace stages"));
}

void DvcView::selectionChanged()
{
    showCompare();
    readPlots();
}

void DvcView::showCompare()
{
    m_compare->clear();
    const QList<dvc::DvcRow> &rows = m_model->rows();
    if (rows.isEmpty()) {
        m_compareTitle->clear();
        return;
    }
    // Which of two rows is the newer: the workspace, then the later commit; for the same time,
    // the one higher in the table (`dvc exp show` lists newest first).
    auto newer = [&rows](int a, int b) {
        if (rows[a].workspace != rows[b].workspace)
            return rows[a].workspace;
        if (rows[a].created != rows[b].created)
            return rows[a].created > rows[b].created;
        return a < b;
    };
    int workspace = -1;
    int head = -1;
    for (int i = 0; i < rows.size(); ++i) {
        if (rows[i].workspace && workspace < 0)
            workspace = i;
        else if (!rows[i].workspace && rows[i].experiment.isEmpty() && head < 0)
            head = i;
    }
    const QList<int> selected = selectedRows();
    int a = -1;
    int b = -1;
    if (selected.size() >= 2) {
        a = b = selected.first();
        for (int r : selected) {
            if (newer(r, b))
                b = r;
            if (newer(a, r))
                a = r;
        }
    } else if (selected.size() == 1 && selected.first() != workspace) {
        a = selected.first();
        b = workspace;
    } else {
        a = head;
        b = workspace;
    }
    if (a < 0 || b < 0 || a == b) {
        m_compareTitle->setText(tr("Select two rows to compare them."));
        return;
    }
    const dvc::DvcRow &ra = rows[a];
    const dvc::DvcRow &rb = rows[b];
    m_compareTitle->setText(tr("A = <b>%1</b> &nbsp;→&nbsp; B = <b>%2</b>")
                                .arg(DvcExpModel::revisionLabel(ra).toHtmlEscaped(),
                                     DvcExpModel::revisionLabel(rb).toHtmlEscaped()));
    m_compareTitle->setToolTip(
        selected.size() > 2
            ? tr("With more than two rows selected, the oldest is compared with the newest.")
            : QString());
    const bool all = m_compareAll->isChecked();
    const QList<std::pair<QString, dvc::DvcDiff>> diffs = {
        {tr("Metrics"), dvc::diffDvcMetrics(ra, rb, all)},
        {tr("Params"), dvc::diffDvcParams(ra, rb, all)}};
    for (const auto &[title, diff] : diffs) {
        auto *group = new QTreeWidgetItem(m_compare);
        int changed = 0;
        for (const dvc::ValueDiff &e : diff.entries) {
            auto *item = new QTreeWidgetItem(group);
            item->setText(0, e.file);
            item->setText(1, e.key);
            item->setToolTip(1, e.file + u':' + e.key);
            item->setText(2, e.before ? e.before->text : u"-"_s);
            item->setText(3, e.after ? e.after->text : u"-"_s);
            if (diff.metrics)
                item->setText(4, changeText(e.change));
            for (int c = 2; c <= 4; ++c)
                item->setTextAlignment(c, Qt::AlignRight | Qt::AlignVCenter);
            if (e.changed) {
                ++changed;
                if (all) {
                    for (int c = 0; c < 5; ++c)
                        item->setBackground(c, diffColor(DiffColor::Changed));
                }
            }
        }
        group->setText(0, diff.entries.isEmpty() && !all
                              ? tr("%1: no change").arg(title)
                              : tr("%1: %2 changed").arg(title).arg(changed));
        QFont bold = group->font(0);
        bold.setBold(true);
        group->setFont(0, bold);
        group->setFirstColumnSpanned(true);
        group->setExpanded(true);
    }
}

void DvcView::updatePlotFiles()
{
    QStringList files;
    for (const dvc::DvcRow &r : m_model->rows()) {
        for (const QString &p : r.plots) {
            if (!files.contains(p))
                files.append(p);
        }
    }
    const QString current = m_plotFile->currentText();
    {
        const QSignalBlocker block(m_plotFile);
        m_plotFile->clear();
        m_plotFile->addItems(files);
        const int keep = m_plotFile->findText(current);
        m_plotFile->setCurrentIndex(keep >= 0 ? keep : 0);
    }
    m_plotFile->setEnabled(!files.isEmpty());
}

void DvcView::readPlots()
{
    const QString path = m_plotFile->currentText();
    QList<int> rows = selectedRows();
    if (rows.isEmpty() && !m_model->rows().isEmpty())
        rows.append(0);
    if (rows.size() > kMaxPlotted)
        rows = rows.mid(0, kMaxPlotted);
    if (path.isEmpty() || rows.isEmpty() || m_root.isEmpty()) {
        m_plotJob.cancel();
        m_plots.clear();
        drawPlot();
        return;
    }
    QList<std::pair<int, QString>> revs;
    for (int r : std::as_const(rows))
        revs.append({r, m_model->rows().at(r).rev});
    const QString root = m_root;
    using Plots = QList<std::pair<int, Result<dvc::DvcPlot>>>;
    m_plotJob.run(
        [root, path, revs](const std::atomic_bool &cancelled) {
            Plots plots;
            for (const auto &[row, rev] : revs) {
                if (cancelled)
                    break;
                plots.append({row, dvc::readDvcPlot(root, rev, path)});
            }
            return plots;
        },
        [this](Plots plots) {
            m_plots = std::move(plots);
            // The columns of every plot read, the current choices kept when they still exist.
            QStringList columns;
            for (const auto &[row, plot] : std::as_const(m_plots)) {
                if (!plot)
                    continue;
                for (const QString &c : plot->columns) {
                    if (!columns.contains(c))
                        columns.append(c);
                }
            }
            const QString x = m_plotX->currentText();
            const QString y = m_plotY->currentText();
            {
                const QSignalBlocker bx(m_plotX);
                const QSignalBlocker by(m_plotY);
                m_plotX->clear();
                m_plotX->addItem(tr("(record)"));
                m_plotX->addItems(columns);
                m_plotY->clear();
                m_plotY->addItems(columns);
                int xi = m_plotX->findText(x);
                if (xi < 0)
                    xi = columns.size() > 1 ? 1 : 0;
                m_plotX->setCurrentIndex(xi);
                // Without a choice, the last column, as DVC does when dvc.yaml names no `y`.
                int yi = m_plotY->findText(y);
                if (yi < 0)
                    yi = int(columns.size()) - 1;
                m_plotY->setCurrentIndex(yi);
            }
            drawPlot();
        });
}

void DvcView::drawPlot()
{
    m_plot->clearGraphs();
    const QString path = m_plotFile->currentText();
    const int xColumnChoice = m_plotX->currentIndex(); // 0: the record number
    const QString xName = m_plotX->currentText();
    const QString yName = m_plotY->currentText();
    QStringList notes;
    if (m_plotFile->count() == 0 && !m_model->rows().isEmpty())
        notes.append(tr("No plots: dvc.yaml names no plots file that exists."));
    for (const auto &[row, plot] : std::as_const(m_plots)) {
        if (row >= m_model->rows().size())
            continue;
        const QString label = DvcExpModel::revisionLabel(m_model->rows().at(row));
        if (!plot) {
            notes.append(tr("%1: %2").arg(label, plot.error().message));
            continue;
        }
        const qsizetype yi = plot->columns.indexOf(yName);
        const qsizetype xi = xColumnChoice > 0 ? plot->columns.indexOf(xName) : -1;
        if (yi < 0 || (xColumnChoice > 0 && xi < 0)) {
            notes.append(tr("%1: %2 has no column %3").arg(label, path, yi < 0 ? yName : xName));
            continue;
        }
        QVector<double> keys;
        QVector<double> values;
        for (qsizetype i = 0; i < plot->rows.size(); ++i) {
            const QList<dvc::PlotCell> &cells = plot->rows[i];
            const std::optional<double> y = cells.value(yi).number;
            const std::optional<double> x =
                xi >= 0 ? cells.value(xi).number : std::optional<double>(double(i + 1));
            if (x && y) {
                keys.append(*x);
                values.append(*y);
            }
        }
        QCPGraph *graph = m_plot->addGraph();
        graph->setName(label);
        const QColor color = MetricChart::colorForRun(m_plot->graphCount());
        graph->setPen(QPen(color, 1.5));
        graph->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, color, color, 4));
        graph->setData(keys, values);
    }
    m_plot->xAxis->setLabel(xColumnChoice > 0 ? xName : tr("Record"));
    m_plot->yAxis->setLabel(yName);
    m_plot->legend->setVisible(m_plot->graphCount() > 0);
    m_plot->rescaleAxes();
    // A single point (or a flat line) still gets a visible range.
    for (QCPAxis *axis : {m_plot->xAxis, m_plot->yAxis}) {
        const QCPRange r = axis->range();
        if (r.size() == 0)
            axis->setRange(r.lower - 0.5, r.upper + 0.5);
        else
            axis->scaleRange(1.05, r.center());
    }
    m_plotNote->setText(notes.join(u"\n"_s));
    m_plotNote->setVisible(!notes.isEmpty());
    m_plot->replot(QCustomPlot::rpQueuedReplot);
    emit plotted();
}

void DvcView::applyChartPalette()
{
    driftchart::stylePlot(m_plot, palette());
}

} // namespace cairn::ui
