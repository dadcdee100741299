#include "rundetailview.h"

#include "charts/metricchart.h"
#include "logview.h"
#include "runs/launcher.h"
#include "runs/logbuffer.h"
#include "runsmodel.h"
#include "store/projectdb.h"

#include <QDir>
#include <QFile>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QLocale>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSplitter>
#include <QSyntaxHighlighter>
#include <QTabWidget>
#include <QTableWidget>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

namespace cairn::ui {

namespace {

// Colours a unified diff: added lines green, removed red, hunk headers blue.
class DiffHighlighter : public QSyntaxHighlighter
{
public:
    using QSyntaxHighlighter::QSyntaxHighlighter;

protected:
    void highlightBlock(const QString &text) override
    {
        QTextCharFormat f;
        if (text.startsWith(QLatin1String("+++")) || text.startsWith(QLatin1String("---")) ||
            text.startsWith(QLatin1String("diff "))) {
            f.setFontWeight(QFont::Bold);
        } else if (text.startsWith(QLatin1Char('+'))) {
            f.setForeground(QColor(0x2e, 0x8b, 0x57));
        } else if (text.startsWith(QLatin1Char('-'))) {
            f.setForeground(QColor(0xc0, 0x39, 0x2b));
        } else if (text.startsWith(QLatin1String("@@"))) {
            f.setForeground(QColor(0x29, 0x80, 0xb9));
        } else {
            return;
        }
        setFormat(0, int(text.size()), f);
    }
};

QTableWidget *makeTable(const QStringList &headers)
{
    auto *t = new QTableWidget(0, int(headers.size()));
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->verticalHeader()->setDefaultSectionSize(t->fontMetrics().height() + 6);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->horizontalHeader()->setStretchLastSection(true);
    t->setWordWrap(false);
    return t;
}

QString number(double v)
{
    if (std::isnan(v))
        return QStringLiteral("NaN");
    return QLocale().toString(v, 'g', 8);
}

} // namespace

RunDetailView::RunDetailView(const QString &projectRoot, qint64 runId, QWidget *parent)
    : QWidget(parent)
    , m_root(projectRoot)
    , m_runId(runId)
    , m_header(new QLabel)
    , m_rerun(new QPushButton(tr("Re-run…")))
    , m_reproduce(new QPushButton(tr("Reproduce…")))
    , m_cancel(new QPushButton(QIcon(QStringLiteral(":/cairn/icons/stop.svg")), tr("Cancel")))
    , m_tabs(new QTabWidget)
    , m_params(makeTable({tr("Parameter"), tr("Value")}))
    , m_metrics(
          makeTable({tr("Metric"), tr("Latest"), tr("Step"), tr("Min"), tr("Max"), tr("Values")}))
    , m_warnings(new QLabel)
    , m_metricList(new QListWidget)
    , m_chart(new MetricChart)
    , m_log(new AnsiLogView)
    , m_follow(new QTimer(this))
    , m_code(new QLabel)
    , m_patch(new QPlainTextEdit)
    , m_lineage(makeTable(
          {tr("When"), tr("Kind"), tr("Name"), tr("File"), tr("Size"), tr("Hash"), tr("Change")}))
{
    setObjectName(QStringLiteral("runDetail"));
    auto *layout = new QVBoxLayout(this);
    auto *head = new QHBoxLayout;
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    head->addWidget(m_header, 1);
    m_rerun->setObjectName(QStringLiteral("rerunButton"));
    m_reproduce->setObjectName(QStringLiteral("reproduceButton"));
    m_cancel->setObjectName(QStringLiteral("cancelButton"));
    m_reproduce->setToolTip(tr("Run it again at the recorded commit, with the recorded uncommitted "
                               "changes, in a separate git work tree"));
    for (QPushButton *b : {m_rerun, m_reproduce, m_cancel})
        head->addWidget(b, 0, Qt::AlignTop);
    layout->addLayout(head);
    connect(m_rerun, &QPushButton::clicked, this, [this] { emit rerunRequested(m_runId); });
    connect(m_reproduce, &QPushButton::clicked, this, [this] { emit reproduceRequested(m_runId); });
    connect(m_cancel, &QPushButton::clicked, this, [this] { emit cancelRequested(m_runId); });

    // Summary
    auto *summary = new QWidget;
    auto *sl = new QVBoxLayout(summary);
    m_warnings->setWordWrap(true);
    m_warnings->setObjectName(QStringLiteral("runWarnings"));
    m_warnings->setStyleSheet(QStringLiteral("color: #d38400"));
    m_warnings->hide();
    sl->addWidget(m_warnings);
    auto *tables = new QSplitter;
    tables->addWidget(m_params);
    tables->addWidget(m_metrics);
    tables->setStretchFactor(1, 2);
    sl->addWidget(tables, 1);
    m_params->setObjectName(QStringLiteral("runParams"));
    m_metrics->setObjectName(QStringLiteral("runMetrics"));
    m_tabs->addTab(summary, tr("Summary"));

    // Metrics
    auto *metricsTab = new QSplitter;
    m_metricList->setObjectName(QStringLiteral("runMetricList"));
    m_metricList->setMaximumWidth(220);
    metricsTab->addWidget(m_metricList);
    metricsTab->addWidget(m_chart);
    metricsTab->setStretchFactor(1, 1);
    metricsTab->setSizes({170, 800});
    m_tabs->addTab(metricsTab, tr("Metrics"));
    connect(m_metricList, &QListWidget::currentTextChanged, this, &RunDetailView::loadChart);

    // Output
    m_tabs->addTab(m_log, tr("Output"));

    // Code
    auto *code = new QWidget;
    auto *cl = new QVBoxLayout(code);
    m_code->setTextFormat(Qt::RichText);
    m_code->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_code->setWordWrap(true);
    cl->addWidget(m_code);
    m_patch->setObjectName(QStringLiteral("patchView"));
    m_patch->setReadOnly(true);
    m_patch->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_patch->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    new DiffHighlighter(m_patch->document());
    cl->addWidget(m_patch, 1);
    m_tabs->addTab(code, tr("Code"));

    // Lineage
    m_lineage->setObjectName(QStringLiteral("runLineage"));
    m_tabs->addTab(m_lineage, tr("Lineage"));
    layout->addWidget(m_tabs, 1);

    // While the run goes, the Output tab follows output.log (the supervisor writes it).
    m_follow->setInterval(250);
    connect(m_follow, &QTimer::timeout, this, [this] {
        if (m_outputOffset < 0)
            return;
        QFile f(QDir(runDirectory(m_root, m_runId)).filePath(QStringLiteral("output.log")));
        if (!f.open(QIODevice::ReadOnly) || f.size() <= m_outputOffset || !f.seek(m_outputOffset))
            return;
        const QByteArray chunk = f.read(std::min<qint64>(f.size() - m_outputOffset, 4LL << 20));
        m_outputOffset += chunk.size();
        m_log->appendBytes(chunk);
    });
    connect(m_tabs, &QTabWidget::currentChanged, this, [this] {
        if (m_tabs->currentWidget() == m_log && !m_outputLoaded)
            loadOutput();
    });
    refresh();
}

void RunDetailView::showTab(const QString &name)
{
    static const QStringList names = {QStringLiteral("summary"), QStringLiteral("metrics"),
                                      QStringLiteral("output"), QStringLiteral("code"),
                                      QStringLiteral("lineage")};
    const int i = int(names.indexOf(name));
    if (i >= 0)
        m_tabs->setCurrentIndex(i);
}

void RunDetailView::refresh()
{
    const QString root = m_root;
    const qint64 id = m_runId;
    struct Loaded
    {
        std::optional<RunDetails> details;
        QString error;
        QString warnings;
        QByteArray patch;
    };
    m_loader.run(
        [root, id](const std::atomic_bool &) {
            Loaded out;
            auto db = openProjectDatabase(root, Database::Mode::ReadOnly);
            if (!db) {
                out.error = db.error().toString();
                return out;
            }
            auto d = loadRunDetails(**db, id);
            if (!d) {
                out.error = d.error().toString();
                return out;
            }
            out.details = *d;
            const QDir dir(runDirectory(root, id));
            QFile w(dir.filePath(QStringLiteral("warnings.log")));
            if (w.open(QIODevice::ReadOnly))
                out.warnings = QString::fromUtf8(w.read(64 * 1024));
            QFile p(dir.filePath(QStringLiteral("git.patch")));
            if (p.open(QIODevice::ReadOnly))
                out.patch = p.read(8 * 1024 * 1024);
            return out;
        },
        [this](Loaded l) {
            if (!l.details) {
                m_header->setText(
                    tr("<b>Run %1</b>: %2").arg(m_runId).arg(l.error.toHtmlEscaped()));
                return;
            }
            apply(std::move(*l.details), l.warnings, l.patch);
        });
}

void RunDetailView::apply(RunDetails d, QString warnings, QByteArray patch)
{
    const RunRecord &r = d.run;
    const auto esc = [](const QString &s) { return s.toHtmlEscaped(); };
    QString status = QStringLiteral("<span style='color:%1'><b>%2</b></span>")
                         .arg(statusColor(r.status).name(), runStatusName(r.status));
    if (r.exitCode && *r.exitCode != 0)
        status += tr(" (exit code %1)").arg(*r.exitCode);
    if (r.exitSignal)
        status += tr(" (signal %1)").arg(*r.exitSignal);
    QString html = tr("<h3>Run %1%2 · %3</h3>")
                       .arg(r.id)
                       .arg(r.name.isEmpty() ? QString() : QStringLiteral(" “%1”").arg(esc(r.name)),
                            esc(r.entryPoint));
    html += status;
    if (r.started.isValid())
        html += tr(" · started %1 · %2")
                    .arg(QLocale().toString(r.started, QLocale::ShortFormat),
                         formatDuration(r.durationMs()));
    if (!r.error.isEmpty())
        html += QStringLiteral("<br>") + esc(r.error);
    html += QStringLiteral("<br><code>%1</code>").arg(esc(r.command));
    if (r.reproduces)
        html += tr("<br>Reproduces run %1").arg(*r.reproduces);
    m_header->setText(html);
    m_cancel->setVisible(!isTerminal(r.status));
    if (isTerminal(r.status))
        m_follow->stop();
    else if (m_outputLoaded)
        m_follow->start();

    m_params->setRowCount(int(r.params.size()));
    for (int i = 0; i < r.params.size(); ++i) {
        m_params->setItem(i, 0, new QTableWidgetItem(r.params[i].first));
        m_params->setItem(i, 1, new QTableWidgetItem(r.params[i].second));
    }
    m_params->resizeColumnToContents(0);

    const QString selectedMetric =
        m_metricList->currentItem() ? m_metricList->currentItem()->text() : QString();
    m_metrics->setRowCount(int(d.metrics.size()));
    QStringList names;
    for (int i = 0; i < d.metrics.size(); ++i) {
        const LatestMetric &m = d.metrics[i];
        names << m.name;
        const QStringList cells = {m.name,        number(m.value), QString::number(m.step),
                                   number(m.min), number(m.max),   QString::number(m.count)};
        for (int c = 0; c < cells.size(); ++c) {
            auto *item = new QTableWidgetItem(cells[c]);
            if (c > 0)
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_metrics->setItem(i, c, item);
        }
    }
    m_metrics->resizeColumnsToContents();
    {
        QSignalBlocker block(m_metricList);
        m_metricList->clear();
        m_metricList->addItems(names);
        const int keep = int(names.indexOf(selectedMetric));
        m_metricList->setCurrentRow(keep >= 0 ? keep : (names.isEmpty() ? -1 : 0));
    }
    if (!warnings.isEmpty()) {
        const QStringList lines = warnings.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        m_warnings->setText(tr("Noticed while running (%n):\n", nullptr, int(lines.size())) +
                            lines.mid(0, 8).join(QLatin1Char('\n')));
        m_warnings->show();
    } else {
        m_warnings->hide();
    }

    if (r.gitCommit.isEmpty()) {
        m_code->setText(
            tr("No code version: the project was not in a git repository when the run started."));
    } else {
        m_code->setText(tr("<b>Commit</b> <code>%1</code> on <b>%2</b>%3<br><b>Remote</b> %4")
                            .arg(esc(r.gitCommit),
                                 esc(r.gitBranch.isEmpty() ? tr("(detached)") : r.gitBranch),
                                 r.gitDirty.value_or(false)
                                     ? tr(", with the uncommitted changes below (git.patch)")
                                     : tr(", no uncommitted changes"),
                                 r.gitRemote.isEmpty() ? tr("none") : esc(r.gitRemote)));
    }
    m_patch->setPlainText(QString::fromUtf8(patch));
    m_patch->setVisible(!patch.isEmpty());

    // Lineage: before and after, with what changed.
    QHash<QString, QString> before;
    for (const ArtifactRecord &a : d.artifacts) {
        if (a.phase == QLatin1String("before"))
            before.insert(a.path, a.hash);
    }
    QSet<QString> after;
    m_lineage->setRowCount(0);
    for (const ArtifactRecord &a : d.artifacts) {
        QString change;
        if (a.phase == QLatin1String("after")) {
            after.insert(a.path);
            if (!before.contains(a.path))
                change = tr("written by the run");
            else if (before.value(a.path) != a.hash)
                change = tr("changed by the run");
            else
                continue; // unchanged: the "before" row says it all
        } else {
            change = a.used ? tr("read (a parameter names it)") : QString();
        }
        const int row = m_lineage->rowCount();
        m_lineage->insertRow(row);
        const QStringList cells = {
            a.phase,           a.kind, a.name, a.path, QLocale().formattedDataSize(a.size),
            a.hash.mid(7, 16), change};
        for (int c = 0; c < cells.size(); ++c)
            m_lineage->setItem(row, c, new QTableWidgetItem(cells[c]));
        m_lineage->item(row, 5)->setToolTip(a.hash);
    }
    m_lineage->resizeColumnsToContents();

    const bool firstLoad = !m_details.has_value();
    m_details = std::move(d);
    if (firstLoad || m_metricList->currentItem())
        loadChart();
    emit loaded();
}

void RunDetailView::loadChart()
{
    const QListWidgetItem *item = m_metricList->currentItem();
    if (!item) {
        m_chart->clear();
        return;
    }
    const QString metric = item->text();
    const QString root = m_root;
    const qint64 id = m_runId;
    m_chart->setTitle(metric);
    m_chartLoader.run(
        [root, id, metric](const std::atomic_bool &) {
            QList<ChartSeries> out;
            auto db = openProjectDatabase(root, Database::Mode::ReadOnly);
            if (!db)
                return out;
            if (auto s = MetricStore(**db).series(id, metric))
                out.append(
                    ChartSeries{id, tr("run %1").arg(id), s->steps, s->timestamps, s->values});
            return out;
        },
        [this](QList<ChartSeries> series) { m_chart->setSeries(std::move(series)); });
}

void RunDetailView::loadOutput()
{
    m_outputLoaded = true;
    const QString path = QDir(runDirectory(m_root, m_runId)).filePath(QStringLiteral("output.log"));
    // The last 32 MiB, read and parsed on a worker; older lines are counted and noted.
    m_outputLoader.run([path](const std::atomic_bool &) { return readLogTail(path, 32LL << 20); },
                       [this](Result<LogFileTail> tail) {
                           if (tail) {
                               m_log->setBuffer(std::move(tail->buffer));
                               m_outputOffset = tail->end;
                           } else {
                               m_outputOffset = 0; // no output yet: follow from the start
                           }
                           if (m_details && !isTerminal(m_details->run.status))
                               m_follow->start();
                       });
}

} // namespace cairn::ui
