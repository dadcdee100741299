#include "driftview.h"

#include "charts/driftcharts.h"
#include "datafilebox.h"
#include "drift/htmlreport.h"
#include "driftjobs.h"
#include "driftoptionsbar.h"
#include "drifttablemodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn::ui {

namespace {

QString batches(qsizetype n)
{
    return n == 1 ? DriftView::tr("1 batch") : DriftView::tr("%1 batches").arg(n);
}

QString columns(qsizetype n)
{
    return n == 1 ? DriftView::tr("1 column") : DriftView::tr("%1 columns").arg(n);
}

QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', ms < 10000 ? 1 : 0) + u" s"_s;
}

} // namespace

DriftView::DriftView(QWidget *parent)
    : QWidget(parent)
    , m_referenceBox(new DataFileBox(tr("Reference File"), u"driftReference"_s))
    , m_currentBox(new DataFileBox(tr("Current File"), u"driftCurrent"_s))
    , m_options(new DriftOptionsBar)
    , m_compareButton(new QPushButton(tr("Compare")))
    , m_retrainButton(new QPushButton(tr("Retrain…")))
    , m_exportButton(new QPushButton(tr("Export HTML Report…")))
    , m_progress(new QProgressBar)
    , m_progressLabel(new QLabel)
    , m_cancelButton(new QPushButton(tr("Cancel")))
    , m_progressRow(new QWidget)
    , m_error(new QLabel)
    , m_tabs(new QTabWidget)
    , m_summary(new QLabel)
    , m_filter(new QLineEdit)
    , m_driftedOnly(new QCheckBox(tr("Drifted only")))
    , m_table(new QTableView)
    , m_model(new DriftTableModel(this))
    , m_proxy(new DriftSortProxy(this))
    , m_columnChart(new DriftColumnChart)
    , m_historyStatus(new QLabel)
    , m_historyRefresh(new QPushButton(tr("Refresh")))
    , m_historyChart(new DriftHistoryChart)
{
    setObjectName(u"driftView"_s);
    setAcceptDrops(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->setSpacing(4);
    buildToolbar();

    auto *progressLayout = new QHBoxLayout(m_progressRow);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    m_progress->setObjectName(u"driftProgress"_s);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(m_progress->fontMetrics().height());
    m_progressLabel->setObjectName(u"driftProgressLabel"_s);
    m_cancelButton->setObjectName(u"driftCancel"_s);
    progressLayout->addWidget(m_progressLabel);
    progressLayout->addWidget(m_progress, 1);
    progressLayout->addWidget(m_cancelButton);
    m_progressRow->hide();
    layout->addWidget(m_progressRow);

    m_error->setObjectName(u"driftError"_s);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->hide();
    layout->addWidget(m_error);

    m_tabs->setObjectName(u"driftTabs"_s);
    m_tabs->setDocumentMode(true);
    buildComparisonTab();
    buildHistoryTab();
    layout->addWidget(m_tabs, 1);

    m_progressTimer.setInterval(100);
    connect(&m_progressTimer, &QTimer::timeout, this, &DriftView::updateProgress);
    connect(m_cancelButton, &QPushButton::clicked, this, &DriftView::cancel);
    connect(m_compareButton, &QPushButton::clicked, this, [this] {
        compare();
        if (m_project && m_project->drift)
            refreshHistory(false);
    });
    connect(m_retrainButton, &QPushButton::clicked, this, &DriftView::requestRetrain);
    connect(m_exportButton, &QPushButton::clicked, this, &DriftView::exportHtmlInteractively);
    connect(m_columnChart, &DriftColumnChart::exportFailed, this,
            [this](const QString &m) { showError(m); });
    connect(m_historyChart, &DriftHistoryChart::exportFailed, this,
            [this](const QString &m) { showError(m); });
    connect(m_historyChart, &DriftHistoryChart::batchClicked, this, [this](int index) {
        if (!m_history || index < 0 || index >= m_history->batches.size())
            return;
        setCurrent(m_history->batches.at(index).path);
        m_tabs->setCurrentIndex(0);
        compare();
    });
    resetForProject();
}

DriftView::~DriftView() = default;

void DriftView::buildToolbar()
{
    auto *files = new QHBoxLayout;
    files->setSpacing(6);
    for (DataFileBox *box : {m_referenceBox, m_currentBox}) {
        auto *caption = new QLabel(box == m_referenceBox ? tr("&Reference") : tr("C&urrent"));
        caption->setBuddy(box->comboBox());
        if (box == m_currentBox)
            files->addSpacing(12);
        files->addWidget(caption);
        files->addWidget(box, 1);
        connect(box, &DataFileBox::textChanged, this, &DriftView::updateRetrain);
        connect(box, &DataFileBox::submitted, this, [this] {
            m_tabs->setCurrentIndex(0);
            compare();
        });
        connect(box, &DataFileBox::filesDropped, this, &DriftView::setBothFiles);
    }

    QHBoxLayout *options = m_options->row();
    m_compareButton->setObjectName(u"driftCompare"_s);
    m_compareButton->setDefault(true);
    m_compareButton->setToolTip(tr("Compare the current file with the reference"));
    m_retrainButton->setObjectName(u"driftRetrain"_s);
    m_retrainButton->setIcon(QIcon(u":/cairn/icons/run.svg"_s));
    m_exportButton->setObjectName(u"driftExport"_s);
    m_exportButton->setToolTip(tr("Write the comparison, its charts and the drift over time to "
                                  "one HTML file"));
    options->addWidget(m_compareButton);
    options->addStretch(1);
    options->addWidget(m_retrainButton);
    options->addWidget(m_exportButton);

    auto *layout = static_cast<QVBoxLayout *>(this->layout());
    layout->addLayout(files);
    layout->addWidget(m_options);
}

void DriftView::buildComparisonTab()
{
    auto *page = new QWidget;
    page->setObjectName(u"driftComparison"_s);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 4, 0, 0);
    auto *top = new QHBoxLayout;
    m_summary->setObjectName(u"driftSummary"_s);
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_summary, 1);
    m_filter->setObjectName(u"driftFilter"_s);
    m_filter->setPlaceholderText(tr("Filter columns…"));
    m_filter->setClearButtonEnabled(true);
    m_filter->setMaximumWidth(200);
    m_driftedOnly->setObjectName(u"driftedOnly"_s);
    m_driftedOnly->setToolTip(
        tr("Show only the columns that drifted (or whose missing share did)"));
    top->addWidget(m_filter);
    top->addWidget(m_driftedOnly);
    layout->addLayout(top);

    m_proxy->setSourceModel(m_model);
    m_table->setObjectName(u"driftTable"_s);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(DriftTableModel::DriftedColumn, Qt::DescendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setHighlightSections(false);
    m_table->horizontalHeader()->setStretchLastSection(false);
    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_driftedOnly, &QCheckBox::toggled, m_proxy, &DriftSortProxy::setDriftedOnly);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &DriftView::updateSelectedColumn);

    m_split = new QSplitter(Qt::Horizontal);
    m_split->setObjectName(u"driftSplit"_s);
    m_split->setChildrenCollapsible(false);
    m_split->addWidget(m_table);
    m_split->addWidget(m_columnChart);
    m_split->setStretchFactor(0, 5);
    m_split->setStretchFactor(1, 4);
    layout->addWidget(m_split, 1);
    m_tabs->addTab(page, tr("Comparison"));
}

void DriftView::buildHistoryTab()
{
    auto *page = new QWidget;
    page->setObjectName(u"driftOverTime"_s);
    auto *layout = new QVBoxLayout(page);
    layout->setContentsMargins(0, 4, 0, 0);
    auto *top = new QHBoxLayout;
    m_historyStatus->setObjectName(u"driftHistoryStatus"_s);
    m_historyStatus->setWordWrap(true);
    m_historyStatus->setTextFormat(Qt::PlainText);
    m_historyStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    top->addWidget(m_historyStatus, 1);
    auto *exportChart = new QPushButton(tr("Export Chart…"));
    exportChart->setObjectName(u"driftHistoryExport"_s);
    exportChart->setToolTip(tr("Save the chart as PNG, PDF or SVG"));
    connect(exportChart, &QPushButton::clicked, m_historyChart,
            &DriftHistoryChart::exportInteractively);
    top->addWidget(exportChart, 0, Qt::AlignTop);
    m_historyRefresh->setObjectName(u"driftHistoryRefresh"_s);
    m_historyRefresh->setToolTip(tr("Compare every batch with the reference again (batches whose "
                                    "files did not change come from the project database)"));
    top->addWidget(m_historyRefresh, 0, Qt::AlignTop);
    layout->addLayout(top);
    layout->addWidget(m_historyChart, 1);
    connect(m_historyRefresh, &QPushButton::clicked, this, [this] { refreshHistory(true); });
    m_tabs->addTab(page, tr("Over Time"));
}

// ---- project -------------------------------------------------------------------------------

void DriftView::setSnapshot(const ProjectSnapshot &snapshot)
{
    const bool newProject = snapshot.root != m_root;
    m_root = snapshot.root;
    m_project = snapshot.project;
    m_projectDrift.reset();
    m_settingsError.reset();
    QString signature;
    if (m_project && m_project->drift) {
        if (auto pd = drift::resolveProjectDrift(*m_project)) {
            m_projectDrift = std::move(*pd);
            signature = drift::settingsKey(m_projectDrift->options) + u'|' +
                        m_projectDrift->referenceFile + u'|' + m_projectDrift->batches.join(u'|') +
                        u'|' + QString::number(m_project->drift->retrain.has_value());
        } else {
            m_settingsError = pd.error();
            signature = pd.error().toString();
        }
    }
    const bool settingsChanged = signature != m_settingsSignature;
    m_settingsSignature = signature;
    fillFileChoices();
    if (newProject) {
        resetForProject();
        return;
    }
    // The same project again (its file changed, a run ended): keep the user's choices, and
    // follow changed drift settings.
    if (settingsChanged) {
        applySettingsToOptions();
        if (m_projectDrift && currentText().isEmpty() && !m_projectDrift->batches.isEmpty())
            setCurrent(m_project->relativePath(m_projectDrift->batches.constLast()));
        m_autoPending = m_project && m_project->drift;
        if (isVisible())
            startPendingWork();
    }
    updateRetrain();
}

void DriftView::resetForProject()
{
    cancel();
    m_report.reset();
    m_history.reset();
    m_historyKey.clear();
    m_referenceTable.reset();
    m_referenceKey.clear();
    m_model->clear();
    m_columnChart->clear();
    m_historyChart->clear();
    showError({});
    m_referenceBox->setText({});
    m_currentBox->setText({});
    applySettingsToOptions();
    if (!m_project) {
        m_summary->setText(m_root.isEmpty() ? tr("Open a project to compare its data.")
                                            : tr("The project file has errors; see Problems."));
        m_historyStatus->setText({});
        updateRetrain();
        return;
    }
    if (m_project->drift) {
        const DriftSettings &s = *m_project->drift;
        setReference(s.reference);
        if (m_projectDrift && !m_projectDrift->batches.isEmpty())
            setCurrent(m_project->relativePath(m_projectDrift->batches.constLast()));
        m_summary->setText(tr("Comparing the newest batch with the reference…"));
        m_autoPending = true;
    } else {
        // No settings: offer the first dataset of one file as the reference.
        for (const DatasetSpec &d : m_project->datasets) {
            if (m_project->resolveFiles(d.paths).size() == 1) {
                setReference(d.name);
                break;
            }
        }
        m_summary->setText(
            tr("<p>Choose a reference and a current file, then Compare. To follow drift over time, "
               "name the data the model was trained on and the batches of new data in "
               "<code>cairn.yaml</code>:</p><pre>drift:\n  reference: train\n  current: "
               "data/incoming/*.csv\n  retrain: {entry_point: train, parameters: {data: "
               "\"{current}\"}}</pre>"));
        m_autoPending = false;
    }
    if (m_settingsError)
        m_historyStatus->setText(
            tr("The drift settings cannot be used: %1").arg(m_settingsError->toString()));
    else if (!m_project->drift)
        m_historyStatus->setText(tr("Drift over time needs a drift: section in cairn.yaml that "
                                    "names the reference and the batches."));
    else
        m_historyStatus->setText(tr("Computing the drift of every batch…"));
    updateRetrain();
    if (isVisible())
        startPendingWork();
}

void DriftView::fillFileChoices()
{
    QStringList items;
    QHash<QString, QString> tips;
    auto add = [&](const QString &text, const QString &tip) {
        if (text.isEmpty() || tips.contains(text)) // a hash: thousands of batches stay quick
            return;
        items.append(text);
        tips.insert(text, tip);
    };
    if (m_project) {
        for (const DatasetSpec &d : m_project->datasets) {
            const QStringList files = m_project->resolveFiles(d.paths);
            if (files.size() == 1) {
                add(d.name,
                    tr("Dataset %1: %2").arg(d.name, m_project->relativePath(files.first())));
            } else {
                for (const QString &f : files)
                    add(m_project->relativePath(f), tr("A file of dataset %1").arg(d.name));
            }
        }
        if (m_project->drift)
            add(m_project->drift->reference, tr("The drift reference"));
        if (m_projectDrift) {
            for (const QString &f : m_projectDrift->batches)
                add(m_project->relativePath(f), tr("A drift batch"));
        }
    }
    for (DataFileBox *box : {m_referenceBox, m_currentBox}) {
        box->setRoot(m_root);
        box->setChoices(items, tips);
    }
}

drift::DriftOptions DriftView::projectOptions() const
{
    drift::DriftOptions o;
    if (m_projectDrift)
        o = m_projectDrift->options;
    else if (m_project && m_project->drift)
        (void)drift::applySettings(*m_project->drift, o);
    return o;
}

void DriftView::applySettingsToOptions()
{
    m_options->setOptions(projectOptions());
}

drift::DriftOptions DriftView::chosenOptions() const
{
    return m_options->options(projectOptions());
}

QString DriftView::displayPath(const QString &file) const
{
    return displayDataPath(m_root, file);
}

void DriftView::setReference(const QString &text)
{
    m_referenceBox->setText(text);
}

void DriftView::setCurrent(const QString &text)
{
    m_currentBox->setText(text);
}

QString DriftView::referenceText() const
{
    return m_referenceBox->text();
}

QString DriftView::currentText() const
{
    return m_currentBox->text();
}

QComboBox *DriftView::referenceBox() const
{
    return m_referenceBox->comboBox();
}

QComboBox *DriftView::currentBox() const
{
    return m_currentBox->comboBox();
}

// ---- jobs ----------------------------------------------------------------------------------

void DriftView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    startPendingWork();
}

void DriftView::startPendingWork()
{
    if (!m_autoPending || !m_project)
        return;
    m_autoPending = false;
    if (!referenceText().isEmpty() && !currentText().isEmpty())
        compare();
    refreshHistory(false);
}

void DriftView::compare()
{
    if (!m_project) {
        showError(tr("Open a project first."));
        return;
    }
    if (referenceText().isEmpty() || currentText().isEmpty()) {
        showError(tr("Choose a reference and a current file to compare."));
        return;
    }
    showError({});
    ComparisonRequest request{*m_project,      referenceText(),  currentText(),
                              chosenOptions(), m_referenceTable, m_referenceKey};
    auto progress = std::make_shared<DriftProgress>();
    m_compareProgress = progress;
    m_comparing = true;
    m_progressLabel->setText(tr("Starting…"));
    setBusyState();
    const drift::DriftOptions options = request.options;
    m_compareJob.run(
        [request = std::move(request), progress](const std::atomic_bool &cancelled) {
            return runComparison(request, cancelled, *progress);
        },
        [this, options](ComparisonResult r) {
            m_comparing = false;
            if (r.referenceTable) {
                m_referenceTable = r.referenceTable;
                m_referenceKey = r.referenceKey;
            }
            if (r.error) {
                m_report.reset();
                m_model->clear();
                m_columnChart->clear();
                m_summary->setText(tr("No comparison to show."));
                showError(tr("Could not compare: %1").arg(r.error->toString()));
                updateRetrain();
                setBusyState();
                emit comparisonFinished(false);
                return;
            }
            m_reportOptions = options;
            m_reportReference = r.referenceFile;
            m_reportCurrent = r.currentFile;
            showComparison(r.report);
            m_summary->setText(m_summary->text() + u" <span style=\"color:gray\">· %1</span>"_s.arg(
                                                       seconds(r.elapsedMs)));
            setBusyState();
            emit comparisonFinished(true);
        });
}

void DriftView::refreshHistory(bool force)
{
    if (!m_project || !m_project->drift)
        return;
    if (!m_projectDrift) {
        m_historyStatus->setText(
            tr("The drift settings cannot be used: %1")
                .arg(m_settingsError ? m_settingsError->toString() : QString()));
        m_historyChart->clear();
        emit historyFinished(false);
        return;
    }
    drift::ProjectDrift pd = *m_projectDrift;
    pd.options = chosenOptions();
    // The files' sizes and times are part of the key: a batch rewritten under the same name is
    // compared again (a stat per file; the store makes an unchanged batch cheap anyway).
    QString key = drift::settingsKey(pd.options);
    for (const QString &file : QStringList{pd.referenceFile} + pd.batches) {
        const QFileInfo info(file);
        key += u'|' + file + u':' + QString::number(info.size()) + u':' +
               QString::number(info.lastModified().toMSecsSinceEpoch());
    }
    if (!force && m_history && key == m_historyKey && !m_historyRunning)
        return;
    auto progress = std::make_shared<DriftProgress>();
    m_historyProgress = progress;
    m_historyRunning = true;
    setBusyState();
    m_historyJob.run(
        [project = *m_project, pd, progress](const std::atomic_bool &cancelled) {
            return runHistory(project, pd, cancelled, *progress);
        },
        [this, key](HistoryResult r) {
            m_historyRunning = false;
            if (r.error) {
                m_history.reset();
                m_historyChart->clear();
                m_historyStatus->setText(
                    tr("Could not compute the drift over time: %1").arg(r.error->toString()));
                setBusyState();
                emit historyFinished(false);
                return;
            }
            m_history = std::move(r.history);
            m_historyKey = key;
            showHistory();
            setBusyState();
            emit historyFinished(true);
        });
}

void DriftView::cancel()
{
    const bool wasRunning = m_comparing || m_historyRunning;
    m_compareJob.cancel();
    m_historyJob.cancel();
    m_comparing = false;
    m_historyRunning = false;
    setBusyState();
    if (wasRunning)
        showError(tr("Cancelled."), false);
}

bool DriftView::isBusy() const
{
    return m_comparing || m_historyRunning || m_exporting;
}

void DriftView::setBusyState()
{
    const bool busy = isBusy();
    m_progressRow->setVisible(m_comparing || m_historyRunning);
    if (busy) {
        if (!m_progressTimer.isActive())
            m_progressTimer.start();
        updateProgress();
    } else {
        m_progressTimer.stop();
    }
    m_exportButton->setEnabled(m_report.has_value() && !m_exporting);
    if (busy != m_wasBusy) {
        m_wasBusy = busy;
        emit busyChanged(busy);
    }
}

void DriftView::updateProgress()
{
    const std::shared_ptr<DriftProgress> p = m_comparing ? m_compareProgress : m_historyProgress;
    if (!p)
        return;
    m_progress->setValue(p->permille.load());
    QString text;
    switch (DriftStage(p->stage.load())) {
    case DriftStage::Starting:
        text = tr("Starting…");
        break;
    case DriftStage::ReadingReference:
        text = tr("Reading %1…").arg(referenceText());
        break;
    case DriftStage::ReadingCurrent:
        text = tr("Reading %1…").arg(currentText());
        break;
    case DriftStage::Comparing:
        text = tr("Testing the columns…");
        break;
    case DriftStage::Batches:
        text = tr("Comparing every batch with the reference…");
        break;
    }
    if (m_comparing && m_historyRunning)
        text += tr(" (and the drift over time)");
    m_progressLabel->setText(text);
}

void DriftView::showError(const QString &text, bool isError)
{
    m_error->setVisible(!text.isEmpty());
    m_error->setText(text);
    m_error->setStyleSheet(isError ? u"color: #c0392b; padding: 2px 4px"_s
                                   : u"color: palette(mid); padding: 2px 4px"_s);
}

QString DriftView::errorText() const
{
    return m_error->isVisible() ? m_error->text() : QString();
}

QString DriftView::summaryText() const
{
    return m_summary->text();
}

// ---- results -------------------------------------------------------------------------------

void DriftView::showComparison(const drift::DriftReport &report)
{
    const QModelIndex current = m_table->currentIndex();
    const QString selected =
        current.isValid() ? current.data(DriftTableModel::ColumnNameRole).toString() : QString();
    m_report = report;
    m_model->setReport(report);
    const drift::DatasetDrift &d = report.dataset;
    QString summary = tr("<b>%1 of %2 columns drifted (%3)</b>; dataset drift at %4: %5")
                          .arg(d.driftedColumns)
                          .arg(d.columns)
                          .arg(formatShare(d.shareDrifted), formatShare(d.driftShare),
                               d.drifted ? u"<b style=\"color:#c0392b\">%1</b>"_s.arg(tr("yes"))
                                         : u"<b style=\"color:#1d6b3a\">%1</b>"_s.arg(tr("no")));
    if (d.missingDriftedColumns > 0)
        summary += u" · <span style=\"color:#b36b00\">⚠ %1</span>"_s.arg(
            tr("%1 with missing-value drift").arg(columns(d.missingDriftedColumns)));
    int untested = 0;
    for (const drift::ColumnDrift &c : report.columns)
        untested += c.result ? 0 : 1;
    if (untested > 0)
        summary += u" · "_s + tr("%1 not tested").arg(columns(untested));
    if (!report.onlyInReference.isEmpty() || !report.onlyInCurrent.isEmpty())
        summary += u" · <span style=\"color:#b36b00\">%1</span>"_s.arg(
            tr("not compared (in one table only): %1")
                .arg(
                    (report.onlyInReference + report.onlyInCurrent).join(u", "_s).toHtmlEscaped()));
    summary += u"<br><span style=\"color:gray\">%1</span>"_s.arg(
        tr("%1 against %2").arg(report.current.toHtmlEscaped(), report.reference.toHtmlEscaped()));
    m_summary->setText(summary);

    m_table->resizeColumnsToContents();
    int wanted = 2 * m_table->frameWidth() + m_table->verticalScrollBar()->sizeHint().width();
    for (int c = 0; c < m_model->columnCount(); ++c) {
        m_table->setColumnWidth(c, std::min(m_table->columnWidth(c), 220));
        wanted += m_table->columnWidth(c);
    }
    // The first time, give the table the width it needs, leaving the charts at least 400 px.
    const int total = m_split->width();
    if (!m_splitSized && total > 800) {
        m_splitSized = true;
        const int table = std::min(wanted, total - 400);
        m_split->setSizes({table, total - table - m_split->handleWidth()});
    }
    if (!selected.isEmpty() && m_model->rowOf(selected) >= 0)
        selectColumn(selected);
    else if (m_proxy->rowCount() > 0)
        m_table->setCurrentIndex(m_proxy->index(0, 0));
    updateSelectedColumn();

    if (m_history) {
        int index = -1;
        for (int i = 0; i < m_history->batches.size(); ++i) {
            if (m_history->batches.at(i).file == m_reportCurrent)
                index = i;
        }
        m_historyChart->setSelectedBatch(index);
    }
    updateRetrain();
}

void DriftView::selectColumn(const QString &name)
{
    const int row = m_model->rowOf(name);
    if (row < 0)
        return;
    const QModelIndex idx = m_proxy->mapFromSource(m_model->index(row, 0));
    if (!idx.isValid())
        return;
    m_table->setCurrentIndex(idx);
    m_table->scrollTo(idx);
}

void DriftView::updateSelectedColumn()
{
    const QModelIndex idx = m_table->currentIndex();
    const drift::ColumnDrift *c =
        idx.isValid() ? m_model->columnAt(m_proxy->mapToSource(idx).row()) : nullptr;
    if (!c) {
        m_columnChart->clear();
        return;
    }
    m_columnChart->setColumn(*c, QFileInfo(m_reportReference).fileName(),
                             QFileInfo(m_reportCurrent).fileName());
}

void DriftView::showHistory()
{
    if (!m_history)
        return;
    const drift::DriftHistory &h = *m_history;
    m_historyChart->setHistory(h);
    int drifted = 0;
    QStringList problems;
    for (const drift::BatchDrift &b : h.batches) {
        if (b.report && b.report->dataset.drifted)
            ++drifted;
        if (b.error)
            problems.append(tr("%1: %2").arg(b.path, b.error->toString()));
    }
    QString status =
        tr("%1 against %2")
            .arg(batches(h.batches.size()),
                 m_project ? m_project->relativePath(h.referenceFile) : h.referenceFile) +
        u" · "_s + tr("dataset drift in %1 of them").arg(drifted) + u" · "_s +
        tr("%1 computed now, %2 from the project database")
            .arg(h.computed)
            .arg(h.batches.size() - h.computed) +
        u" · "_s + tr("test: %1").arg(h.options.test.isEmpty() ? tr("default") : h.options.test) +
        u". "_s + tr("Click a batch to compare it.");
    if (!problems.isEmpty())
        status += u'\n' + tr("Not compared: %1").arg(problems.join(u"; "_s));
    m_historyStatus->setText(status);
    int index = -1;
    for (int i = 0; i < h.batches.size(); ++i) {
        if (m_report && h.batches.at(i).file == m_reportCurrent)
            index = i;
    }
    m_historyChart->setSelectedBatch(index);
}

// ---- retrain -------------------------------------------------------------------------------

QString DriftView::retrainDescription() const
{
    if (!m_project)
        return tr("Open a project to retrain its model");
    return describeRetrain(*m_project, currentText(), referenceText());
}

void DriftView::updateRetrain()
{
    m_retrainButton->setEnabled(m_project &&
                                retrainLaunch(*m_project, currentText(), referenceText()));
    m_retrainButton->setToolTip(retrainDescription());
    m_exportButton->setEnabled(m_report.has_value() && !m_exporting);
}

void DriftView::requestRetrain()
{
    if (!m_project)
        return;
    auto launch = retrainLaunch(*m_project, currentText(), referenceText());
    if (!launch) {
        showError(tr("Cannot retrain: %1").arg(launch.error().toString()));
        return;
    }
    if (!launch->pipeline.isEmpty())
        emit retrainPipelineRequested(launch->pipeline, launch->values);
    else
        emit retrainRequested(launch->entryPoint, launch->values);
}

// ---- export --------------------------------------------------------------------------------

void DriftView::exportHtmlInteractively()
{
    if (!m_report)
        return;
    const QString name = u"drift-%1.html"_s.arg(QFileInfo(m_reportCurrent).completeBaseName());
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export HTML Report"), QDir(m_root).filePath(name),
                                     tr("HTML files (*.html *.htm)"));
    if (!path.isEmpty())
        exportHtml(path);
}

void DriftView::exportHtml(const QString &path)
{
    if (!m_report) {
        emit exportFailed(tr("Compare two files first: there is no report to export."));
        return;
    }
    // The same report as `cairn-cli drift --html`: charts as inline SVG, written off the GUI
    // thread from copies of what is shown.
    const QString title = m_project ? tr("Drift of %1").arg(m_project->name) : tr("Drift report");
    m_exporting = true;
    setBusyState();
    m_exportJob.run(
        [path, report = *m_report, history = m_history, options = m_reportOptions,
         title](const std::atomic_bool &) {
            drift::HtmlReportInput input;
            input.report = &report;
            input.history = history && !history->batches.isEmpty() ? &*history : nullptr;
            input.options = options;
            input.title = title;
            return drift::writeDriftReportHtml(path, input);
        },
        [this, path](Result<void> r) {
            m_exporting = false;
            setBusyState();
            if (!r) {
                showError(r.error().toString());
                emit exportFailed(r.error().toString());
                return;
            }
            showError(tr("Wrote %1").arg(QDir::toNativeSeparators(path)), false);
            emit htmlExported(path);
        });
}

void DriftView::showTab(const QString &name)
{
    m_tabs->setCurrentIndex(name == u"over-time"_s || name == u"history"_s ? 1 : 0);
}

// ---- drag and drop -------------------------------------------------------------------------

void DriftView::dragEnterEvent(QDragEnterEvent *event)
{
    if (!droppedDataFiles(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void DriftView::dropEvent(QDropEvent *event)
{
    const QStringList files = droppedDataFiles(event->mimeData());
    if (files.isEmpty())
        return;
    event->acceptProposedAction();
    if (files.size() >= 2) {
        setBothFiles(files);
        return;
    }
    setCurrent(displayPath(files.first())); // one file: a new batch to look at
    m_tabs->setCurrentIndex(0);
    compare();
}

void DriftView::setBothFiles(QStringList files)
{
    if (files.size() < 2)
        return;
    // The first is the reference, unless the second already is.
    const auto reference = m_project ? drift::resolveDataFile(&*m_project, referenceText(), m_root)
                                     : Result<QString>(fail(QString()));
    if (reference &&
        QFileInfo(files.at(1)).canonicalFilePath() == QFileInfo(*reference).canonicalFilePath())
        files.swapItemsAt(0, 1);
    setReference(displayPath(files.at(0)));
    setCurrent(displayPath(files.at(1)));
    m_tabs->setCurrentIndex(0);
    compare();
}

} // namespace cairn::ui
