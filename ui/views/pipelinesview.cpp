#include "pipelinesview.h"

#include "pipelinestrip.h"
#include "store/projectdb.h"
#include "theme.h"

#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSplitter>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace cairn::ui {

namespace {
bool isActive(const QString &status)
{
    return status == u"queued"_s || status == u"running"_s;
}

Verdict verdictOfRun(const QString &status)
{
    if (status == u"finished"_s)
        return Verdict::Pass;
    if (status == u"failed"_s || status == u"lost"_s)
        return Verdict::Fail;
    if (status == u"running"_s)
        return Verdict::Running;
    if (status == u"queued"_s)
        return Verdict::Pending;
    return Verdict::Skipped;
}
} // namespace

PipelinesView::PipelinesView(QWidget *parent)
    : QWidget(parent)
    , m_pipelines(new QTreeWidget)
    , m_start(new QPushButton(tr("&Start…")))
    , m_strip(new PipelineStrip)
    , m_detail(new QLabel)
    , m_cancel(new QPushButton(tr("Cancel Pipeline")))
    , m_runs(new QTreeWidget)
    , m_empty(new QLabel)
    , m_poll(new QTimer(this))
{
    setObjectName(u"pipelinesView"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);

    auto *top = new QHBoxLayout;
    auto *title = new QLabel(tr("Declared pipelines"));
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    top->addWidget(title, 1);
    m_start->setObjectName(u"startPipeline"_s);
    m_start->setIcon(QIcon(u":/cairn/icons/run.svg"_s));
    m_start->setToolTip(tr("Start the selected pipeline: its steps run one after another, each "
                           "as a run with its own log"));
    top->addWidget(m_start);
    layout->addLayout(top);

    m_pipelines->setObjectName(u"pipelinesTree"_s);
    m_pipelines->setColumnCount(3);
    m_pipelines->setHeaderLabels({tr("Pipeline"), tr("Steps"), tr("Description")});
    m_pipelines->setRootIsDecorated(false);
    m_pipelines->setUniformRowHeights(true);
    m_pipelines->setColumnWidth(0, 140);
    m_pipelines->setColumnWidth(1, 520);
    m_pipelines->setMaximumHeight(100);
    layout->addWidget(m_pipelines);
    m_empty->setWordWrap(true);
    m_empty->setTextFormat(Qt::RichText);
    layout->addWidget(m_empty);

    auto *runTitle = new QLabel(tr("Run"));
    runTitle->setFont(bold);
    auto *runBar = new QHBoxLayout;
    runBar->addWidget(runTitle, 1);
    m_cancel->setObjectName(u"cancelPipeline"_s);
    m_cancel->setVisible(false);
    runBar->addWidget(m_cancel);
    layout->addLayout(runBar);
    layout->addWidget(m_strip);
    m_detail->setObjectName(u"pipelineDetail"_s);
    m_detail->setWordWrap(true);
    m_detail->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_detail);

    auto *recentTitle = new QLabel(tr("Recent pipeline runs"));
    recentTitle->setFont(bold);
    layout->addWidget(recentTitle);
    m_runs->setObjectName(u"pipelineRuns"_s);
    m_runs->setColumnCount(6);
    m_runs->setHeaderLabels(
        {tr("#"), tr("Pipeline"), tr("Status"), tr("Started"), tr("Values"), tr("Why it stopped")});
    m_runs->setRootIsDecorated(false);
    m_runs->setUniformRowHeights(true);
    m_runs->setAlternatingRowColors(true);
    m_runs->setColumnWidth(0, 50);
    m_runs->setColumnWidth(1, 110);
    m_runs->setColumnWidth(2, 90);
    m_runs->setColumnWidth(3, 130);
    m_runs->setColumnWidth(4, 260);
    layout->addWidget(m_runs, 1);

    connect(m_start, &QPushButton::clicked, this, [this] {
        if (const QTreeWidgetItem *it = m_pipelines->currentItem())
            emit startRequested(it->text(0));
    });
    connect(m_pipelines, &QTreeWidget::itemDoubleClicked, this,
            [this](QTreeWidgetItem *it) { emit startRequested(it->text(0)); });
    connect(m_runs, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem *it) {
        if (!it)
            return;
        m_shown = it->data(0, Qt::UserRole).toLongLong();
        showShown();
    });
    connect(m_strip, &PipelineStrip::stepClicked, this,
            [this](int, qint64 runId) { emit openRunRequested(runId); });
    connect(m_cancel, &QPushButton::clicked, this, &PipelinesView::cancelShown);
    m_poll->setInterval(700);
    connect(m_poll, &QTimer::timeout, this, &PipelinesView::refresh);
}

void PipelinesView::setSnapshot(const ProjectSnapshot &snapshot)
{
    if (snapshot.root != m_root) {
        m_shown = 0;
        m_announced.clear();
        m_lastStatus.clear();
        m_records.clear();
        m_runs->clear();
        m_strip->setSteps({});
        m_detail->clear();
    }
    m_root = snapshot.root;
    const QString keep =
        m_pipelines->currentItem() ? m_pipelines->currentItem()->text(0) : QString();
    m_pipelines->clear();
    if (snapshot.project) {
        for (const PipelineSpec &p : snapshot.project->pipelines) {
            auto *item = new QTreeWidgetItem(m_pipelines);
            item->setText(0, p.name);
            item->setIcon(0, QIcon(u":/cairn/icons/entrypoint.svg"_s));
            QStringList steps;
            for (const PipelineStep &s : p.steps)
                steps.append(s.displayName());
            item->setText(1, steps.join(u"  →  "_s));
            item->setToolTip(1, steps.join(u"\n"_s));
            item->setText(2, p.description);
            item->setToolTip(2, p.description);
            if (p.name == keep || !m_pipelines->currentItem())
                m_pipelines->setCurrentItem(item);
        }
    }
    const bool none = m_pipelines->topLevelItemCount() == 0;
    m_pipelines->setVisible(!none);
    m_start->setEnabled(!none);
    m_empty->setVisible(none);
    m_empty->setText(
        tr("The project declares no pipelines. A pipeline chains steps — <code>run: "
           "train</code>, <code>validate: DATASET</code>, <code>gate: MODEL</code>, "
           "<code>register: MODEL</code>, <code>promote: MODEL</code> with <code>to: "
           "staging</code> — under <code>pipelines:</code> in cairn.yaml (docs/pipelines.md)."));
    refresh();
}

void PipelinesView::selectPipeline(const QString &name)
{
    for (int i = 0; i < m_pipelines->topLevelItemCount(); ++i) {
        if (m_pipelines->topLevelItem(i)->text(0) == name)
            m_pipelines->setCurrentItem(m_pipelines->topLevelItem(i));
    }
}

void PipelinesView::follow(qint64 id)
{
    m_shown = id;
    m_followed = id;
    m_poll->start();
    refresh();
}

void PipelinesView::refresh()
{
    if (m_root.isEmpty())
        return;
    // One read at a time: a tick while the last read is still going would drop it (a newer
    // job makes the older one stale), and reads slower than the tick would never show.
    if (m_reading && sender() == m_poll)
        return;
    m_reading = true;
    const QString root = m_root;
    m_load.run(
        [root](const std::atomic_bool &) -> Result<QList<pipeline::PipelineRunRecord>> {
            if (!QFileInfo::exists(projectDatabasePath(root)))
                return QList<pipeline::PipelineRunRecord>{};
            // Read-write: a pipeline whose supervisor is gone is marked lost on read.
            auto db = openProjectDatabase(root);
            if (!db)
                return std::unexpected(db.error());
            return pipeline::listPipelineRuns(**db, 50);
        },
        [this](Result<QList<pipeline::PipelineRunRecord>> runs) {
            m_reading = false;
            if (!runs) {
                // Shown, and tried again at the next tick while one runs (a busy database).
                m_detail->setText(tr("Cannot read the pipeline runs: %1")
                                      .arg(runs.error().toString().toHtmlEscaped()));
                return;
            }
            showRuns(*runs);
            emit refreshed();
        });
}

void PipelinesView::showRuns(const QList<pipeline::PipelineRunRecord> &runs)
{
    m_records = runs;
    bool anyActive = false;
    for (const pipeline::PipelineRunRecord &r : runs) {
        anyActive = anyActive || isActive(r.status);
        // Announced while the pipeline runs, and once more after it ended: a last step can
        // start and end between two reads.
        const bool followed =
            isActive(r.status) || isActive(m_lastStatus.value(r.id)) || r.id == m_followed;
        for (const pipeline::StepRecord &s : r.steps) {
            if (s.runId && !m_announced.contains(*s.runId) && followed) {
                m_announced.insert(*s.runId);
                emit stepRunStarted(*s.runId);
            }
        }
        const QString before = m_lastStatus.value(r.id);
        if (!before.isEmpty() && isActive(before) && !isActive(r.status))
            emit pipelineEnded(r.id, r.status);
        m_lastStatus.insert(r.id, r.status);
    }
    if (anyActive)
        m_poll->start();
    else
        m_poll->stop();

    const QSignalBlocker block(m_runs);
    const QLocale locale;
    m_runs->clear();
    QTreeWidgetItem *current = nullptr;
    for (const pipeline::PipelineRunRecord &r : runs) {
        auto *item = new QTreeWidgetItem(m_runs);
        item->setData(0, Qt::UserRole, r.id);
        item->setText(0, QString::number(r.id));
        item->setText(1, r.pipeline);
        item->setIcon(2, verdictIcon(verdictOfRun(r.status)));
        item->setText(2, r.status);
        const QDateTime when = r.started ? *r.started : r.created;
        item->setText(3, locale.toString(when.toLocalTime(), QLocale::ShortFormat));
        QStringList values;
        for (const auto &[k, v] : r.params)
            values.append(u"%1=%2"_s.arg(k, v));
        item->setText(4, values.join(u" "_s));
        item->setText(5, r.error);
        item->setToolTip(5, r.error);
        if (r.id == m_shown)
            current = item;
    }
    if (!current && m_runs->topLevelItemCount() > 0 && m_shown == 0) {
        current = m_runs->topLevelItem(0);
        m_shown = current->data(0, Qt::UserRole).toLongLong();
    }
    if (current)
        m_runs->setCurrentItem(current);
    showShown();
}

std::optional<pipeline::PipelineRunRecord> PipelinesView::shownRecord() const
{
    for (const pipeline::PipelineRunRecord &r : m_records) {
        if (r.id == m_shown)
            return r;
    }
    return std::nullopt;
}

void PipelinesView::showShown()
{
    const auto r = shownRecord();
    if (!r) {
        m_strip->setSteps({});
        m_detail->clear();
        m_cancel->setVisible(false);
        return;
    }
    m_strip->setSteps(r->steps);
    m_cancel->setVisible(isActive(r->status));
    int done = 0;
    for (const pipeline::StepRecord &s : r->steps)
        done += s.status == pipeline::StepStatus::Finished;
    QString text = tr("<b>%1 #%2</b>: %3, %4 of %5 steps done")
                       .arg(r->pipeline.toHtmlEscaped())
                       .arg(r->id)
                       .arg(r->status)
                       .arg(done)
                       .arg(r->steps.size());
    if (!r->error.isEmpty())
        text += u"<br><span style='color:%1'>%2</span>"_s.arg(verdictColor(Verdict::Fail).name(),
                                                              r->error.toHtmlEscaped());
    else if (r->status == u"finished"_s)
        text += u"<br><span style='color:%1'>%2</span>"_s.arg(verdictColor(Verdict::Pass).name(),
                                                              tr("Every step finished."));
    text += tr("<br><i>Click a step to open its run; its log is in the Output pane.</i>");
    m_detail->setText(text);
}

void PipelinesView::cancelShown()
{
    if (!m_shown || m_root.isEmpty())
        return;
    // Off the GUI thread: it waits for the database when a step is writing.
    const QString root = m_root;
    const qint64 id = m_shown;
    m_cancel->setEnabled(false);
    m_cancelJob.run(
        [root, id](const std::atomic_bool &) -> Result<void> {
            auto db = openProjectDatabase(root);
            if (!db)
                return std::unexpected(db.error());
            return pipeline::cancelPipeline(**db, id);
        },
        [this](Result<void> r) {
            m_cancel->setEnabled(true);
            if (!r)
                m_detail->setText(r.error().toString().toHtmlEscaped());
            refresh();
        });
}

} // namespace cairn::ui
