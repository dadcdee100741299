#include "versionsview.h"

#include "charts/versiontimeline.h"
#include "diffjobs.h"
#include "store/objectstore.h"
#include "store/projectdb.h"
#include "versioning/describe.h"

#include <QDateTime>
#include <QDir>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QScrollArea>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace cairn::ui {

namespace {
constexpr int kPathRole = Qt::UserRole + 1;
}

VersionsView::VersionsView(QWidget *parent)
    : QWidget(parent)
    , m_files(new QTreeWidget)
    , m_title(new QLabel)
    , m_status(new QLabel)
    , m_timeline(new VersionTimeline)
    , m_table(new QTreeWidget)
    , m_details(new QLabel)
    , m_comparePrevious(new QPushButton(tr("Compare with the previous version")))
    , m_compareNow(new QPushButton(tr("Compare with the file now")))
    , m_compareSelected(new QPushButton(tr("Compare the two selected")))
    , m_register(new QPushButton(tr("Record the file as it is now")))
{
    setObjectName(u"versionsView"_s);
    auto *layout = new QHBoxLayout(this);
    auto *splitter = new QSplitter;
    layout->addWidget(splitter);

    m_files->setObjectName(u"versionFiles"_s);
    m_files->setHeaderLabels({tr("File"), tr("Versions")});
    m_files->header()->setStretchLastSection(false);
    m_files->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_files->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    m_files->setTextElideMode(Qt::ElideMiddle);
    splitter->addWidget(m_files);

    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    QFont titleFont = m_title->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    titleFont.setBold(true);
    m_title->setFont(titleFont);
    m_title->setObjectName(u"versionTitle"_s);
    m_status->setObjectName(u"versionStatus"_s);
    m_status->setWordWrap(true);
    m_status->setStyleSheet(u"color: gray"_s);
    rightLayout->addWidget(m_title);
    rightLayout->addWidget(m_status);
    auto *scroll = new QScrollArea;
    scroll->setWidget(m_timeline);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    scroll->setFixedHeight(m_timeline->sizeHint().height() + 20);
    rightLayout->addWidget(scroll);

    m_table->setObjectName(u"versionTable"_s);
    m_table->setHeaderLabels({tr("Version"), tr("First seen"), tr("Size"), tr("Hash"),
                              tr("Made by"), tr("Used by"), tr("Now")});
    m_table->setRootIsDecorated(false);
    m_table->setAlternatingRowColors(true);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    rightLayout->addWidget(m_table, 1);
    m_details->setObjectName(u"versionDetails"_s);
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    rightLayout->addWidget(m_details);
    auto *buttons = new QHBoxLayout;
    m_comparePrevious->setObjectName(u"versionComparePrevious"_s);
    m_compareNow->setObjectName(u"versionCompareNow"_s);
    m_compareSelected->setObjectName(u"versionCompareSelected"_s);
    buttons->addWidget(m_comparePrevious);
    buttons->addWidget(m_compareNow);
    buttons->addWidget(m_compareSelected);
    buttons->addStretch(1);
    m_register->setObjectName(u"versionRegister"_s);
    m_register->setToolTip(tr("Records the file's current content as a version (and keeps a copy "
                              "in the project's object store, within the limits in Settings), "
                              "so it can be compared later even if it changes without a run."));
    connect(m_register, &QPushButton::clicked, this, &VersionsView::registerCurrent);
    buttons->addWidget(m_register);
    rightLayout->addLayout(buttons);
    splitter->addWidget(right);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({340, 900});

    connect(m_files, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *item) {
        if (item && !item->data(0, kPathRole).toString().isEmpty()) {
            m_selectedPath = item->data(0, kPathRole).toString();
            showFile();
        }
    });
    connect(m_timeline, &VersionTimeline::versionClicked, this, &VersionsView::selectVersion);
    connect(m_table, &QTreeWidget::itemSelectionChanged, this, [this] {
        const QList<QTreeWidgetItem *> items = m_table->selectedItems();
        if (items.size() == 1)
            m_timeline->setSelected(m_table->indexOfTopLevelItem(items.first()));
        updateButtons();
        describeSelected();
    });
    auto specOf = [this](int index) { return versionSpec(fileVersions().at(index)); };
    connect(m_comparePrevious, &QPushButton::clicked, this, [this, specOf] {
        const int i = m_timeline->selected();
        if (i > 0)
            emit compareRequested(specOf(i - 1), specOf(i));
    });
    connect(m_compareNow, &QPushButton::clicked, this, [this, specOf] {
        const int i = m_timeline->selected();
        if (i >= 0)
            emit compareRequested(specOf(i), m_selectedPath);
    });
    connect(m_compareSelected, &QPushButton::clicked, this, [this, specOf] {
        QList<int> rows;
        for (QTreeWidgetItem *item : m_table->selectedItems())
            rows.append(m_table->indexOfTopLevelItem(item));
        std::sort(rows.begin(), rows.end());
        if (rows.size() == 2)
            emit compareRequested(specOf(rows[0]), specOf(rows[1]));
    });
    updateButtons();
}

void VersionsView::setSnapshot(const ProjectSnapshot &snapshot)
{
    if (snapshot.root != m_root) {
        m_selectedPath.clear();
        m_versions.clear();
    }
    m_root = snapshot.root;
    m_project = snapshot.project;
    reload();
}

void VersionsView::reload()
{
    if (!m_project) {
        m_files->clear();
        m_status->setText(tr("The project file has errors: see Problems."));
        return;
    }
    m_status->setText(tr("Reading the versions…"));
    m_job.run(
        [project = *m_project](const std::atomic_bool &) { return loadVersions(project); },
        [this](Result<QList<DataVersion>> versions) {
            if (!versions) {
                m_status->setText(
                    tr("Could not read the versions: %1").arg(versions.error().toString()));
                return;
            }
            m_versions = std::move(*versions);
            m_files->clear();
            QHash<QString, QTreeWidgetItem *> groups;
            QHash<QString, int> counts;
            QStringList order;
            for (const DataVersion &v : m_versions) {
                if (!counts.contains(v.path))
                    order.append(v.path);
                ++counts[v.path];
            }
            for (const QString &path : order) {
                const DataVersion *first = nullptr;
                for (const DataVersion &v : m_versions)
                    if (v.path == path) {
                        first = &v;
                        break;
                    }
                const QString group = first->kind == u"model"_s ? tr("Models") : tr("Datasets");
                QTreeWidgetItem *&parent = groups[group];
                if (!parent) {
                    parent = new QTreeWidgetItem(m_files, {group});
                    parent->setFlags(Qt::ItemIsEnabled);
                    parent->setExpanded(true);
                }
                auto *item = new QTreeWidgetItem(parent, {path, QString::number(counts[path])});
                item->setData(0, kPathRole, path);
                item->setToolTip(0, tr("%1 %2").arg(first->kind, first->name));
                item->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
            }
            m_files->expandAll();
            if (m_selectedPath.isEmpty() || !counts.contains(m_selectedPath))
                m_selectedPath = order.value(0);
            selectFile(m_pending.isEmpty() ? m_selectedPath : m_pending);
            m_pending.clear();
            showFile();
            emit loaded();
        });
}

void VersionsView::selectFile(const QString &nameOrPath)
{
    if (m_versions.isEmpty()) {
        m_pending = nameOrPath; // selected once the versions are loaded
        return;
    }
    QString path = nameOrPath;
    for (const DataVersion &v : m_versions)
        if (v.name == nameOrPath) {
            path = v.path;
            break;
        }
    for (QTreeWidgetItemIterator it(m_files); *it; ++it)
        if ((*it)->data(0, kPathRole).toString() == path) {
            m_files->setCurrentItem(*it);
            m_selectedPath = path;
        }
}

QList<DataVersion> VersionsView::fileVersions() const
{
    QList<DataVersion> mine;
    for (const DataVersion &v : m_versions)
        if (v.path == m_selectedPath)
            mine.append(v);
    return mine;
}

void VersionsView::showFile()
{
    const QList<DataVersion> mine = fileVersions();
    m_table->clear();
    if (mine.isEmpty()) {
        m_title->setText(m_versions.isEmpty() ? tr("No versions yet") : m_selectedPath);
        m_status->setText(tr("Versions are recorded when a run reads or writes a dataset or "
                             "model declared in the project file."));
        m_timeline->setVersions({});
        updateButtons();
        return;
    }
    const DataVersion &last = mine.last();
    m_title->setText(u"%1 — %2 %3"_s.arg(m_selectedPath, last.kind, last.name));
    m_status->setText(tr("%n version(s), oldest first. Click one to select it; select two in the "
                         "table to compare them.",
                         nullptr, int(mine.size())));
    m_timeline->setVersions(mine);
    for (int i = 0; i < mine.size(); ++i) {
        const DataVersion &v = mine[i];
        auto *item = new QTreeWidgetItem(
            {u"v"_s + QString::number(i + 1),
             QDateTime::fromMSecsSinceEpoch(v.firstSeenMs).toString(u"yyyy-MM-dd HH:mm:ss"_s),
             QLocale().formattedDataSize(v.size), v.hash.mid(v.hash.indexOf(u':') + 1).left(16),
             v.producedBy     ? runLabel(*v.producedBy)
             : v.registeredMs ? tr("recorded by hand")
                              : tr("outside Cairn"),
             runsLabel(v.usedBy, 6), v.current ? tr("yes") : QString()});
        item->setToolTip(3, v.stored ? tr("%1\nA copy is kept in the object store.").arg(v.hash)
                                     : v.hash);
        item->setToolTip(5, runsLabel(v.usedBy, 1000));
        item->setTextAlignment(2, Qt::AlignRight | Qt::AlignVCenter);
        m_table->addTopLevelItem(item);
    }
    for (int i = 0; i < m_table->columnCount(); ++i)
        m_table->resizeColumnToContents(i);
    selectVersion(int(mine.size()) - 1);
}

void VersionsView::selectVersion(int index)
{
    m_timeline->setSelected(index);
    if (QTreeWidgetItem *item = m_table->topLevelItem(index)) {
        QSignalBlocker block(m_table);
        m_table->clearSelection();
        item->setSelected(true);
        m_table->setCurrentItem(item);
    }
    updateButtons();
    describeSelected();
}

// The selected version's description, from the database or computed from its bytes (once per
// content) in the background.
void VersionsView::describeSelected()
{
    const QList<DataVersion> mine = fileVersions();
    const int i = m_timeline->selected();
    if (!m_project || i < 0 || i >= mine.size()) {
        m_details->clear();
        return;
    }
    const DataVersion v = mine[i];
    const QString label = u"v"_s + QString::number(i + 1);
    m_details->setText(tr("%1: reading…").arg(label));
    m_describeJob.run(
        [project = *m_project, v](const std::atomic_bool &) -> Result<QJsonObject> {
            auto db = openProjectDatabase(project.rootDir);
            if (!db)
                return fail(db.error());
            return describeVersion(project, **db, v);
        },
        [this, label](Result<QJsonObject> d) {
            m_details->setText(
                d ? u"<b>%1</b>: %2"_s.arg(label, descriptionText(*d).toHtmlEscaped())
                  : tr("%1: %2").arg(label, d.error().toString()).toHtmlEscaped());
            emit detailsShown();
        });
}

void VersionsView::registerCurrent()
{
    if (!m_project || m_selectedPath.isEmpty())
        return;
    m_register->setEnabled(false);
    m_status->setText(tr("Recording %1…").arg(m_selectedPath));
    m_registerJob.run(
        [project = *m_project, path = m_selectedPath, limits = ObjectStoreLimits::fromSettings()](
            const std::atomic_bool &) -> Result<QStringList> {
            auto db = openProjectDatabase(project.rootDir);
            if (!db)
                return fail(db.error());
            QStringList warnings;
            auto registered = registerVersions(project, **db, {path}, limits, &warnings);
            if (!registered)
                return fail(registered.error());
            return warnings;
        },
        [this](Result<QStringList> warnings) {
            m_register->setEnabled(true);
            if (!warnings) {
                m_status->setText(tr("Could not record it: %1").arg(warnings.error().toString()));
                return;
            }
            reload();
            if (!warnings->isEmpty())
                m_details->setText(warnings->join(u"\n"_s).toHtmlEscaped());
        });
}

void VersionsView::updateButtons()
{
    const QList<DataVersion> mine = fileVersions();
    const int i = m_timeline->selected();
    m_comparePrevious->setEnabled(i > 0 && i < mine.size());
    m_compareNow->setEnabled(i >= 0 && i < mine.size() && !mine[i].current &&
                             QFileInfo(QDir(m_root).absoluteFilePath(m_selectedPath)).isFile());
    m_compareSelected->setEnabled(m_table->selectedItems().size() == 2);
}

} // namespace cairn::ui
