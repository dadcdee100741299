#include "diffview.h"

#include "charts/versiontimeline.h"
#include "datafilebox.h"
#include "diffrowsmodel.h"
#include "project/glob.h"
#include "tensortablemodel.h"
#include "theme.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QStackedWidget>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn::ui {

namespace {

QString count(qint64 n)
{
    return QLocale().toString(n);
}

QString seconds(qint64 ms)
{
    return QLocale().toString(double(ms) / 1000.0, 'f', ms < 10000 ? 2 : 1) + u" s"_s;
}

QString statText(double value)
{
    return std::isnan(value) ? QString() : formatFigure(value);
}

// "a → b", or just a when both are the same.
QString beforeAfter(const QString &a, const QString &b)
{
    return a == b ? a : (a.isEmpty() ? u"–"_s : a) + u" → "_s + (b.isEmpty() ? u"–"_s : b);
}

QTreeWidget *makeTree(const QStringList &headers, const QString &objectName)
{
    auto *tree = new QTreeWidget;
    tree->setObjectName(objectName);
    tree->setHeaderLabels(headers);
    tree->setRootIsDecorated(false);
    tree->setAlternatingRowColors(true);
    tree->setUniformRowHeights(true);
    tree->header()->setStretchLastSection(true);
    return tree;
}

} // namespace

DiffView::DiffView(QWidget *parent)
    : QWidget(parent)
    , m_boxA(new DataFileBox(tr("The first version"), u"diffA"_s))
    , m_boxB(new DataFileBox(tr("The second version"), u"diffB"_s))
    , m_historyA(new QToolButton)
    , m_historyB(new QToolButton)
    , m_kind(new QComboBox)
    , m_keys(new QLineEdit)
    , m_tolerance(new QDoubleSpinBox)
    , m_compareButton(new QPushButton(tr("Compare")))
    , m_progressRow(new QWidget)
    , m_progressLabel(new QLabel)
    , m_progress(new QProgressBar)
    , m_cancelButton(new QPushButton(tr("Cancel")))
    , m_error(new QLabel)
    , m_summary(new QLabel)
    , m_stack(new QStackedWidget)
    , m_tableTabs(new QTabWidget)
    , m_changedOnly(new QCheckBox(tr("Only changed rows")))
    , m_rowTable(new QTableView)
    , m_rowsModel(new DiffRowsModel(this))
    , m_schema(makeTree(
          {tr("Column"), tr("Change"), tr("Type before"), tr("Type after"), tr("Cells changed")},
          u"diffSchema"_s))
    , m_stats(makeTree({tr("Column"), tr("Values"), tr("Missing"), tr("Min"), tr("Max"), tr("Mean"),
                        tr("Distinct")},
                       u"diffStatistics"_s))
    , m_changedTensorsOnly(new QCheckBox(tr("Only changed tensors")))
    , m_tensorFilter(new QLineEdit)
    , m_tensorTable(new QTableView)
    , m_tensorModel(new TensorTableModel(this))
    , m_tensorProxy(new TensorFilterProxy(this))
    , m_otherChanges(
          makeTree({tr("Section"), tr("What"), tr("Before"), tr("After")}, u"diffOtherChanges"_s))
    , m_runs(makeTree({tr("What"), tr("Run A"), tr("Run B"), tr("Change")}, u"diffRuns"_s))
    , m_modelTabs(new QTabWidget)
{
    setObjectName(u"diffView"_s);
    auto *layout = new QVBoxLayout(this);

    // The two sides, each with its History menu.
    auto *sides = new QGridLayout;
    int row = 0;
    for (auto [label, box, history] : {std::tuple{tr("A (before):"), m_boxA, m_historyA},
                                       std::tuple{tr("B (after):"), m_boxB, m_historyB}}) {
        box->comboBox()->lineEdit()->setPlaceholderText(
            tr("file, file@commit (HEAD~1, a tag, a branch) or a version"));
        box->comboBox()->setToolTip(
            tr("A file (CSV, TSV, JSON Lines; safetensors), PATH@REVISION for the file at a git "
               "commit, tag or branch (DVC-tracked data comes from the DVC cache), or a version "
               "from the History menu."));
        history->setText(tr("History"));
        history->setObjectName(box->objectName() + u"History"_s);
        history->setPopupMode(QToolButton::InstantPopup);
        auto *menu = new QMenu(history);
        const bool isA = box == m_boxA;
        connect(menu, &QMenu::aboutToShow, this, [this, menu, isA] { fillHistoryMenu(menu, isA); });
        history->setMenu(menu);
        sides->addWidget(new QLabel(label), row, 0);
        sides->addWidget(box, row, 1);
        sides->addWidget(history, row, 2);
        connect(box, &DataFileBox::textChanged, this, [this] { m_sideTimer.start(); });
        connect(box, &DataFileBox::submitted, this, &DiffView::compare);
        ++row;
    }
    auto *swap = new QToolButton;
    swap->setText(u"⇅"_s);
    swap->setToolTip(tr("Swap A and B"));
    swap->setObjectName(u"diffSwap"_s);
    connect(swap, &QToolButton::clicked, this, [this] { setSides(sideB(), sideA()); });
    sides->addWidget(swap, 0, 3, 2, 1);
    layout->addLayout(sides);

    auto *options = new QHBoxLayout;
    m_kind->setObjectName(u"diffKind"_s);
    m_kind->addItem(tr("Table"), int(DiffKind::Table));
    m_kind->addItem(tr("Model"), int(DiffKind::Model));
    connect(m_kind, &QComboBox::activated, this, [this] { m_kindTouched = true; });
    // Key and tolerance are for tables.
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        const bool table = chosenKind() == DiffKind::Table;
        m_keys->setEnabled(table);
        m_tolerance->setEnabled(table);
    });
    m_keys->setObjectName(u"diffKeys"_s);
    m_keys->setPlaceholderText(tr("none: rows paired by content"));
    m_keys->setToolTip(tr("Key columns, separated by commas: rows with the same key are the same "
                          "row. Without a key, identical rows are paired first, then rows that "
                          "agree on most columns."));
    m_tolerance->setObjectName(u"diffTolerance"_s);
    m_tolerance->setDecimals(6);
    m_tolerance->setRange(0, 1e12);
    m_tolerance->setToolTip(tr("Numbers closer than this are equal"));
    m_compareButton->setObjectName(u"diffCompare"_s);
    m_compareButton->setDefault(true);
    connect(m_compareButton, &QPushButton::clicked, this, &DiffView::compare);
    options->addWidget(new QLabel(tr("Compare as:")));
    options->addWidget(m_kind);
    options->addSpacing(12);
    options->addWidget(new QLabel(tr("Key:")));
    options->addWidget(m_keys, 1);
    options->addWidget(new QLabel(tr("Tolerance:")));
    options->addWidget(m_tolerance);
    options->addWidget(m_compareButton);
    layout->addLayout(options);

    auto *progressLayout = new QHBoxLayout(m_progressRow);
    progressLayout->setContentsMargins(0, 0, 0, 0);
    m_progress->setObjectName(u"diffProgress"_s);
    m_progress->setRange(0, 1000);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(m_progress->fontMetrics().height());
    m_cancelButton->setObjectName(u"diffCancel"_s);
    connect(m_cancelButton, &QPushButton::clicked, this, &DiffView::cancel);
    progressLayout->addWidget(m_progressLabel);
    progressLayout->addWidget(m_progress, 1);
    progressLayout->addWidget(m_cancelButton);
    m_progressRow->hide();
    layout->addWidget(m_progressRow);

    m_error->setObjectName(u"diffError"_s);
    m_error->setWordWrap(true);
    m_error->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_error->setStyleSheet(u"color: #c0392b"_s);
    m_error->hide();
    layout->addWidget(m_error);
    m_summary->setObjectName(u"diffSummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);

    // Tables: rows, schema, statistics.
    auto *rowsPage = new QWidget;
    auto *rowsLayout = new QVBoxLayout(rowsPage);
    rowsLayout->setContentsMargins(0, 4, 0, 0);
    m_changedOnly->setObjectName(u"diffChangedOnly"_s);
    m_changedOnly->setChecked(true);
    connect(m_changedOnly, &QCheckBox::toggled, m_rowsModel, &DiffRowsModel::setChangedOnly);
    rowsLayout->addWidget(m_changedOnly);
    m_rowTable->setObjectName(u"diffRows"_s);
    m_rowTable->setModel(m_rowsModel);
    m_rowTable->setWordWrap(false);
    m_rowTable->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_rowTable->verticalHeader()->setDefaultSectionSize(m_rowTable->fontMetrics().height() + 6);
    m_rowTable->horizontalHeader()->setDefaultSectionSize(120);
    m_rowTable->setSelectionBehavior(QAbstractItemView::SelectItems);
    rowsLayout->addWidget(m_rowTable, 1);
    m_tableTabs->setObjectName(u"diffTableTabs"_s);
    m_tableTabs->addTab(rowsPage, tr("Rows"));
    m_tableTabs->addTab(m_schema, tr("Schema"));
    m_tableTabs->addTab(m_stats, tr("Statistics"));

    // Models: tensors, then the other differences.
    auto *modelPage = new QSplitter(Qt::Vertical);
    auto *tensorsPage = new QWidget;
    auto *tensorsLayout = new QVBoxLayout(tensorsPage);
    tensorsLayout->setContentsMargins(0, 0, 0, 0);
    auto *tensorBar = new QHBoxLayout;
    m_changedTensorsOnly->setObjectName(u"diffChangedTensorsOnly"_s);
    m_tensorFilter->setObjectName(u"diffTensorFilter"_s);
    m_tensorFilter->setPlaceholderText(tr("Filter tensors by name"));
    m_tensorFilter->setClearButtonEnabled(true);
    tensorBar->addWidget(m_changedTensorsOnly);
    tensorBar->addWidget(m_tensorFilter, 1);
    tensorsLayout->addLayout(tensorBar);
    m_tensorProxy->setSourceModel(m_tensorModel);
    m_tensorProxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_tensorProxy->setFilterKeyColumn(TensorTableModel::Name);
    connect(m_changedTensorsOnly, &QCheckBox::toggled, m_tensorProxy,
            &TensorFilterProxy::setChangedOnly);
    connect(m_tensorFilter, &QLineEdit::textChanged, m_tensorProxy,
            &QSortFilterProxyModel::setFilterFixedString);
    m_tensorTable->setObjectName(u"diffTensors"_s);
    m_tensorTable->setModel(m_tensorProxy);
    m_tensorTable->setSortingEnabled(true);
    m_tensorTable->setItemDelegateForColumn(TensorTableModel::RelL2, new ChangeBarDelegate(this));
    m_tensorTable->verticalHeader()->hide();
    m_tensorTable->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_tensorTable->verticalHeader()->setDefaultSectionSize(m_tensorTable->fontMetrics().height() +
                                                           6);
    m_tensorTable->horizontalHeader()->setStretchLastSection(true);
    m_tensorTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_tensorTable->setAlternatingRowColors(true);
    tensorsLayout->addWidget(m_tensorTable, 1);
    modelPage->addWidget(tensorsPage);
    m_runs->setRootIsDecorated(true);
    m_modelTabs->setObjectName(u"diffModelTabs"_s);
    m_modelTabs->addTab(m_runs, tr("Runs that made them"));
    m_modelTabs->addTab(m_otherChanges, tr("Other differences"));
    modelPage->addWidget(m_modelTabs);
    modelPage->setStretchFactor(0, 3);
    modelPage->setStretchFactor(1, 2);

    auto *empty = new QLabel(
        tr("Pick two versions above: two files, a file and the same file at a git commit "
           "(data.csv@HEAD~1), or versions from a side's History menu. Then press Compare."));
    empty->setWordWrap(true);
    empty->setAlignment(Qt::AlignCenter);
    empty->setStyleSheet(u"color: gray"_s);
    m_stack->addWidget(empty);
    m_stack->addWidget(m_tableTabs);
    m_stack->addWidget(modelPage);
    layout->addWidget(m_stack, 1);
    m_stats->header()->setStretchLastSection(false);

    m_progressTimer.setInterval(100);
    connect(&m_progressTimer, &QTimer::timeout, this, &DiffView::updateProgress);
    m_sideTimer.setSingleShot(true);
    m_sideTimer.setInterval(300);
    connect(&m_sideTimer, &QTimer::timeout, this, &DiffView::sideChanged);
}

DiffView::~DiffView() = default;

void DiffView::setSnapshot(const ProjectSnapshot &snapshot)
{
    const bool otherProject = snapshot.root != m_root;
    m_root = snapshot.root;
    m_project = snapshot.project;
    m_boxA->setRoot(m_root);
    m_boxB->setRoot(m_root);
    if (otherProject) {
        cancel();
        m_choicesJob.cancel();
        m_commitsJobA.cancel();
        m_commitsJobB.cancel();
        m_commits.clear();
        m_versions.clear();
        m_declared.clear();
        clearResults();
        showError({});
    }
    refreshChoices();
}

void DiffView::clearResults()
{
    m_rowsModel->clear();
    m_tensorModel->setTensors({});
    m_schema->clear();
    m_stats->clear();
    m_runs->clear();
    m_otherChanges->clear();
    m_summary->clear();
    m_stack->setCurrentIndex(0);
}

QString DiffView::sideA() const
{
    return m_boxA->text();
}

QString DiffView::sideB() const
{
    return m_boxB->text();
}

void DiffView::setSides(const QString &a, const QString &b)
{
    m_boxA->setText(a);
    m_boxB->setText(b);
    m_kindTouched = false;
    m_keys->clear(); // the new files' declared key, if any, comes back in sideChanged
    sideChanged();
}

void DiffView::setKeys(const QStringList &keys)
{
    m_keys->setText(keys.join(u", "_s));
}

// A new file on a side: suggest the kind and the dataset's declared key, and look up the
// commits that changed it for the History menu.
void DiffView::sideChanged()
{
    const QString spec = sideB().isEmpty() ? sideA() : sideB();
    if (spec.isEmpty())
        return;
    if (!m_kindTouched)
        m_kind->setCurrentIndex(m_kind->findData(int(guessDiffKind(m_declared, spec, m_root))));
    const QString path = QDir::cleanPath(specPath(spec, m_root));
    for (const DeclaredFile &f : m_declared)
        if (f.path == path && !f.keys.isEmpty())
            setKeys(f.keys);
    if (!sideA().isEmpty())
        fetchCommits(sideA(), true);
    if (!sideB().isEmpty())
        fetchCommits(sideB(), false);
}

// The declared files (for the boxes' lists, the kind and the key) and the recorded versions (for
// the History menus), in the background.
void DiffView::refreshChoices()
{
    if (!m_project)
        return;
    m_choicesLoaded = false;
    m_choicesJob.run(
        [project = *m_project](const std::atomic_bool &) { return loadSideChoices(project); },
        [this](SideChoices choices) {
            m_declared = std::move(choices.files);
            m_versions = std::move(choices.versions);
            QStringList items;
            QHash<QString, QString> tips;
            for (const DeclaredFile &f : m_declared) {
                items.append(f.path);
                tips.insert(f.path, f.kind == DiffKind::Model ? tr("Model %1").arg(f.name)
                                                              : tr("Dataset %1").arg(f.name));
            }
            m_boxA->setChoices(items, tips);
            m_boxB->setChoices(items, tips);
            // What was typed before the declared files were known.
            if (!sideA().isEmpty() || !sideB().isEmpty()) {
                const QString keys = m_keys->text();
                sideChanged();
                if (!keys.isEmpty())
                    m_keys->setText(keys); // the user's own choice stays
            }
            m_choicesLoaded = true;
            emit versionsLoaded();
            if (std::exchange(m_compareWhenReady, false))
                compare();
        });
}

void DiffView::fetchCommits(const QString &spec, bool sideA)
{
    const QString path = QDir::cleanPath(specPath(spec, m_root));
    if (m_root.isEmpty() || m_commits.contains(path))
        return;
    (sideA ? m_commitsJobA : m_commitsJobB)
        .run(
            [root = m_root, path](const std::atomic_bool &) { return loadCommits(root, path, 30); },
            [this, path](Result<QList<GitCommit>> commits) {
                if (commits) // an error is not cached: the menu asks again next time
                    m_commits.insert(path, *commits);
            });
}

void DiffView::fillHistoryMenu(QMenu *menu, bool isA)
{
    menu->clear();
    DataFileBox *box = isA ? m_boxA : m_boxB;
    const QString spec = box->text().isEmpty() ? (isA ? sideB() : sideA()) : box->text();
    if (spec.isEmpty()) {
        menu->addAction(tr("Name a file first"))->setEnabled(false);
        return;
    }
    const QString path = QDir::cleanPath(specPath(spec, m_root));
    auto pick = [this, box](const QString &s) {
        box->setText(s);
        sideChanged();
    };
    menu->addAction(tr("The file now"), this, [pick, path] { pick(path); });

    QList<DataVersion> mine;
    for (const DataVersion &v : m_versions)
        if (QDir::cleanPath(v.path) == path)
            mine.append(v);
    menu->addSection(tr("Versions recorded by runs"));
    if (mine.isEmpty())
        menu->addAction(tr("No run has recorded this file"))->setEnabled(false);
    for (auto it = mine.crbegin(); it != mine.crend(); ++it) {
        const DataVersion &v = *it;
        QString text =
            versionLabel(m_versions, v) + u"  "_s +
            QDateTime::fromMSecsSinceEpoch(v.firstSeenMs).toString(u"yyyy-MM-dd HH:mm"_s);
        if (v.producedBy)
            text +=
                u"  "_s +
                tr("made by run #%1 %2").arg(QString::number(v.producedBy->id), v.producedBy->name);
        if (v.current)
            text += u"  "_s + tr("(now)");
        const QString s = versionSpec(v);
        QAction *action = menu->addAction(text, this, [pick, s] { pick(s); });
        action->setToolTip(s);
    }
    menu->addSection(tr("Git commits that changed it"));
    const auto commits = m_commits.constFind(path);
    if (commits == m_commits.cend()) {
        menu->addAction(tr("Looking up the history…"))->setEnabled(false);
        fetchCommits(path, isA);
    } else if (commits->isEmpty()) {
        menu->addAction(tr("None (not in a git repository, or never committed)"))
            ->setEnabled(false);
    } else {
        for (const GitCommit &c : *commits) {
            const QString text = c.id.left(7) + u"  "_s + c.when.toString(u"yyyy-MM-dd"_s) +
                                 u"  "_s + c.summary.left(60);
            const QString s = path + u'@' + c.id.left(10);
            menu->addAction(text, this, [pick, s] { pick(s); });
        }
    }
}

DiffKind DiffView::chosenKind() const
{
    return DiffKind(m_kind->currentData().toInt());
}

void DiffView::compare()
{
    if (m_busy)
        cancel(); // the running comparison answers "cancelled" before this one starts
    if (m_project && !m_choicesLoaded) {
        // The declared key and kind are being looked up: compare once they are known.
        m_compareWhenReady = true;
        return;
    }
    if (sideA().isEmpty() || sideB().isEmpty()) {
        showError(tr("Name both versions to compare (A and B)."));
        return;
    }
    showError({});
    DiffRequest request;
    request.specA = sideA();
    request.specB = sideB();
    request.baseDir = m_root.isEmpty() ? QDir::currentPath() : m_root;
    request.kind = chosenKind();
    for (const QString &k : m_keys->text().split(u',', Qt::SkipEmptyParts))
        if (!k.trimmed().isEmpty())
            request.tableOptions.keys.append(k.trimmed());
    request.tableOptions.tolerance = m_tolerance->value();
    // The row table shows the cells, so both tables are read whole.
    request.tableOptions.engine = diff::TableDiffOptions::Engine::Whole;
    auto progress = std::make_shared<DiffProgress>();
    m_jobProgress = progress;
    clearResults();
    setBusy(true);
    m_diffJob.run(
        [request, progress](const std::atomic_bool &cancelled) {
            return runDiff(request, cancelled, *progress);
        },
        [this](DiffResult r) {
            setBusy(false);
            showResult(r);
            emit comparisonFinished(!r.error);
        });
}

void DiffView::cancel()
{
    if (!m_busy)
        return;
    m_diffJob.cancel();
    setBusy(false);
    showError(tr("Cancelled."));
    emit comparisonFinished(false);
}

void DiffView::setBusy(bool busy)
{
    m_busy = busy;
    m_progressRow->setVisible(busy);
    m_compareButton->setEnabled(!busy);
    if (busy) {
        m_progress->setValue(0);
        m_progressLabel->setText(tr("Starting…"));
        m_progressTimer.start();
    } else {
        m_progressTimer.stop();
    }
}

void DiffView::updateProgress()
{
    if (!m_jobProgress)
        return;
    static const char *const stages[] = {QT_TR_NOOP("Finding the versions…"),
                                         QT_TR_NOOP("Reading A…"), QT_TR_NOOP("Reading B…"),
                                         QT_TR_NOOP("Comparing…")};
    m_progressLabel->setText(tr(stages[m_jobProgress->stage.load()]));
    m_progress->setValue(m_jobProgress->permille.load());
}

void DiffView::showError(const QString &message)
{
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

void DiffView::showTab(const QString &name)
{
    const QStringList tabs = {u"rows"_s, u"schema"_s, u"statistics"_s};
    if (tabs.contains(name))
        m_tableTabs->setCurrentIndex(int(tabs.indexOf(name)));
}

void DiffView::showResult(const DiffResult &r)
{
    if (r.error) {
        clearResults();
        showError(tr("Could not compare: %1").arg(r.error->toString()));
        return;
    }
    if (r.table)
        showTable(r);
    else if (r.model)
        showModel(r);
    m_summary->setText(m_summary->text() +
                       u" <span style=\"color:gray\">· %1</span>"_s.arg(seconds(r.elapsedMs)));
}

void DiffView::showTable(const DiffResult &r)
{
    const diff::TableDiff &d = r.table->diff;
    QStringList parts;
    if (d.identical()) {
        parts << tr("<b>No difference</b> (%1 rows)").arg(count(d.rows.unchanged));
    } else {
        auto span = [](DiffColor c, const QString &text) {
            return u"<span style=\"background:%1\">&nbsp;%2&nbsp;</span>"_s.arg(diffColor(c).name(),
                                                                                text);
        };
        parts << span(DiffColor::Removed, tr("%1 removed").arg(count(d.rows.removed)))
              << span(DiffColor::Changed, tr("%1 modified").arg(count(d.rows.modified)))
              << span(DiffColor::Added, tr("%1 added").arg(count(d.rows.added)))
              << tr("%1 unchanged rows").arg(count(d.rows.unchanged))
              << tr("%1 cells changed").arg(count(d.cellsChanged));
        const diff::SchemaDiff &s = d.schema;
        QStringList schema;
        if (!s.added.isEmpty())
            schema << tr("%n column(s) added", nullptr, int(s.added.size()));
        if (!s.removed.isEmpty())
            schema << tr("%n column(s) removed", nullptr, int(s.removed.size()));
        if (!s.renamed.isEmpty())
            schema << tr("%n renamed", nullptr, int(s.renamed.size()));
        if (!s.retyped.isEmpty())
            schema << tr("%n retyped", nullptr, int(s.retyped.size()));
        if (!schema.isEmpty())
            parts << tr("schema: %1").arg(schema.join(u", "_s));
    }
    const QString keys =
        d.keys.isEmpty() ? tr("rows paired by content") : tr("key %1").arg(d.keys.join(u", "_s));
    m_summary->setText(u"<b>%1</b> → <b>%2</b> (%3)<br>%4"_s.arg(
        r.describeA.toHtmlEscaped(), r.describeB.toHtmlEscaped(), keys.toHtmlEscaped(),
        parts.join(u" · "_s)));

    m_rowsModel->setComparison(r.table, r.rows);
    m_rowTable->setColumnWidth(0, 44);

    m_schema->clear();
    for (const diff::ColumnDiff &c : d.columns) {
        QString change = c.added()     ? tr("added")
                         : c.removed() ? tr("removed")
                         : c.renamed   ? tr("renamed from %1").arg(c.oldName)
                         : c.retyped   ? tr("retyped")
                                       : QString();
        if (c.key)
            change = change.isEmpty() ? tr("key") : tr("key, %1").arg(change);
        auto *item =
            new QTreeWidgetItem({c.name, change, c.added() ? QString() : columnTypeName(c.typeA),
                                 c.removed() ? QString() : columnTypeName(c.typeB),
                                 c.compared() ? count(c.cellsChanged) : QString()});
        item->setTextAlignment(4, Qt::AlignRight | Qt::AlignVCenter);
        if (c.added() || c.removed() || c.renamed || c.retyped)
            for (int i = 0; i < 4; ++i)
                item->setBackground(i, c.added()     ? diffColor(DiffColor::Added)
                                       : c.removed() ? diffColor(DiffColor::Removed)
                                                     : diffColor(DiffColor::Changed));
        m_schema->addTopLevelItem(item);
    }
    for (int i = 0; i < m_schema->columnCount(); ++i)
        m_schema->resizeColumnToContents(i);

    m_stats->clear();
    for (const diff::ColumnDiff &c : d.columns) {
        const diff::ColumnStats &x = c.before;
        const diff::ColumnStats &y = c.after;
        auto num = [](qint64 n, bool present) { return present ? count(n) : QString(); };
        QStringList cells = {c.name,
                             beforeAfter(num(x.count, !c.added()), num(y.count, !c.removed())),
                             beforeAfter(num(x.missing, !c.added()), num(y.missing, !c.removed())),
                             beforeAfter(statText(x.min), statText(y.min)),
                             beforeAfter(statText(x.max), statText(y.max)),
                             beforeAfter(statText(x.mean), statText(y.mean)),
                             beforeAfter(x.distinct >= 0 ? count(x.distinct) : QString(),
                                         y.distinct >= 0 ? count(y.distinct) : QString())};
        auto *item = new QTreeWidgetItem(cells);
        for (int i = 1; i < cells.size(); ++i) {
            item->setTextAlignment(i, Qt::AlignRight | Qt::AlignVCenter);
            if (cells[i].contains(u"→"_s))
                item->setBackground(i, diffColor(DiffColor::Changed));
        }
        m_stats->addTopLevelItem(item);
    }
    for (int i = 0; i < m_stats->columnCount(); ++i)
        m_stats->resizeColumnToContents(i);
    m_stack->setCurrentWidget(m_tableTabs);
}

void DiffView::showModel(const DiffResult &r)
{
    const ModelDiffOutcome &m = *r.model;
    const diff::ModelDiffSummary &s = m.summary;
    QStringList parts;
    if (m.same) {
        parts << tr("<b>No difference</b> (%n tensor(s))", nullptr, s.tensorsA);
    } else {
        parts << tr("%1 changed").arg(s.changed) << tr("%1 unchanged").arg(s.unchanged)
              << tr("%1 added").arg(s.added) << tr("%1 removed").arg(s.removed);
        if (s.shapeChanged)
            parts << tr("%1 reshaped").arg(s.shapeChanged);
        if (s.dtypeChanged)
            parts << tr("%1 retyped").arg(s.dtypeChanged);
        if (!m.changes.isEmpty())
            parts << tr("%n other difference(s)", nullptr, int(m.changes.size()));
    }
    m_summary->setText(u"<b>%1</b> → <b>%2</b> (%3)<br>%4"_s.arg(
        r.describeA.toHtmlEscaped(), r.describeB.toHtmlEscaped(), m.format.toHtmlEscaped(),
        tr("Tensors: %1").arg(parts.join(u" · "_s))));
    m_tensorModel->setTensors(m.tensors);
    m_tensorTable->sortByColumn(TensorTableModel::RelL2, Qt::DescendingOrder);
    m_tensorTable->resizeColumnsToContents();
    m_tensorTable->setColumnWidth(
        TensorTableModel::RelL2,
        std::max(160, m_tensorTable->columnWidth(TensorTableModel::RelL2)));
    m_otherChanges->clear();
    for (const ModelDiffOutcome::Change &c : m.changes)
        m_otherChanges->addTopLevelItem(
            new QTreeWidgetItem({c.section, c.what, c.before, c.after}));
    if (m.changes.isEmpty())
        m_otherChanges->addTopLevelItem(new QTreeWidgetItem({tr("No other difference")}));
    for (int i = 0; i < m_otherChanges->columnCount(); ++i)
        m_otherChanges->resizeColumnToContents(i);
    m_modelTabs->setTabText(1, m.changes.isEmpty()
                                   ? tr("Other differences")
                                   : tr("Other differences (%1)").arg(m.changes.size()));
    showRuns(m.runs);
    m_stack->setCurrentIndex(2);
}

void DiffView::showRuns(const ProducingRuns &runs)
{
    m_runs->clear();
    auto runText = [](const std::optional<VersionRun> &r) {
        return r ? runLabel(*r) : tr("not made by a run");
    };
    auto *top = new QTreeWidgetItem(m_runs, {tr("Made by"), runText(runs.a), runText(runs.b),
                                             runs.diff ? QString() : runs.note});
    QFont bold = top->font(0);
    bold.setBold(true);
    top->setFont(0, bold);
    if (runs.diff) {
        const RunDiff &d = *runs.diff;
        auto row = [this](QTreeWidgetItem *parent, const QString &what, const QString &a,
                          const QString &b, const QString &change) {
            auto *item = parent ? new QTreeWidgetItem(parent, {what, a, b, change})
                                : new QTreeWidgetItem(m_runs, {what, a, b, change});
            if (a != b)
                for (int i = 1; i < 4; ++i)
                    item->setBackground(i, diffColor(DiffColor::Changed));
            return item;
        };
        row(nullptr, tr("Entry point"), d.a.entryPoint, d.b.entryPoint, {});
        row(nullptr, tr("Git commit"), d.a.gitCommit.left(10), d.b.gitCommit.left(10), {});
        auto *params =
            new QTreeWidgetItem(m_runs, {tr("Parameters (%1 changed)").arg(d.changedParams())});
        params->setFont(0, bold);
        for (const ParamChange &p : d.params)
            row(params, p.key, p.before.value_or(QString()), p.after.value_or(QString()),
                p.kind == ChangeKind::Same ? QString() : changeKindName(p.kind));
        auto *metrics = new QTreeWidgetItem(
            m_runs, {tr("Metrics, last values (%1 changed)").arg(d.changedMetrics())});
        metrics->setFont(0, bold);
        auto num = [](const std::optional<double> &v) {
            return v ? QString::number(*v, 'g', 6) : QString();
        };
        for (const MetricChange &m : d.metrics) {
            const auto delta = m.delta();
            row(metrics, m.name, num(m.before), num(m.after),
                delta ? (*delta >= 0 ? u"+"_s : QString()) + QString::number(*delta, 'g', 4)
                      : changeKindName(m.kind));
        }
        m_runs->expandAll();
    }
    for (int i = 0; i < m_runs->columnCount(); ++i)
        m_runs->resizeColumnToContents(i);
}

} // namespace cairn::ui
