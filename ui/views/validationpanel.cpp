#include "validationpanel.h"

#include "theme.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace Qt::StringLiterals;

namespace cairn::ui {

namespace {
enum Column
{
    RuleColumn,
    ColumnColumn,
    RowsColumn,
    MessageColumn,
    ColumnCount
};
} // namespace

ValidationPanel::ValidationPanel(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel)
    , m_revision(new QLineEdit)
    , m_validate(new QPushButton(tr("&Validate")))
    , m_cancel(new QPushButton(tr("Cancel")))
    , m_progress(new QProgressBar)
    , m_summary(new QLabel)
    , m_results(new QTreeWidget)
    , m_tick(new QTimer(this))
{
    setObjectName(u"validationPanel"_s);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    auto *bar = new QHBoxLayout;
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);
    bar->addWidget(m_title, 1);
    auto *at = new QLabel(tr("at &revision"));
    at->setBuddy(m_revision);
    bar->addWidget(at);
    m_revision->setObjectName(u"validationRevision"_s);
    m_revision->setPlaceholderText(tr("now (or HEAD~1, a tag, run:12)"));
    m_revision->setClearButtonEnabled(true);
    m_revision->setMaximumWidth(260);
    bar->addWidget(m_revision);
    m_validate->setObjectName(u"validateButton"_s);
    m_validate->setToolTip(tr("Check the file against the rules its dataset declares under "
                              "checks: in cairn.yaml (the same as cairn-cli validate)"));
    bar->addWidget(m_validate);
    m_progress->setMaximumWidth(160);
    m_progress->setVisible(false);
    bar->addWidget(m_progress);
    m_cancel->setVisible(false);
    bar->addWidget(m_cancel);
    layout->addLayout(bar);

    m_summary->setObjectName(u"validationSummary"_s);
    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(m_summary);

    m_results->setObjectName(u"validationResults"_s);
    m_results->setColumnCount(ColumnCount);
    m_results->setHeaderLabels({tr("Rule"), tr("Column"), tr("Offending rows"), tr("Result")});
    m_results->setRootIsDecorated(true);
    m_results->setUniformRowHeights(true);
    m_results->setAlternatingRowColors(true);
    m_results->header()->setStretchLastSection(true);
    m_results->setColumnWidth(RuleColumn, 150);
    m_results->setColumnWidth(ColumnColumn, 150);
    m_results->setColumnWidth(RowsColumn, 110);
    layout->addWidget(m_results, 1);

    connect(m_validate, &QPushButton::clicked, this, &ValidationPanel::validate);
    connect(m_revision, &QLineEdit::returnPressed, this, &ValidationPanel::validate);
    connect(m_cancel, &QPushButton::clicked, this, &ValidationPanel::cancel);
    m_tick->setInterval(100);
    connect(m_tick, &QTimer::timeout, this, [this] {
        const qint64 total = *m_total;
        if (total > 0) {
            m_progress->setRange(0, 1000);
            m_progress->setValue(int(1000.0 * double(*m_done) / double(total)));
        }
    });
    setTarget({});
}

void ValidationPanel::setProject(std::shared_ptr<const Project> project)
{
    const bool reload = m_project && project && m_project->rootDir == project->rootDir;
    m_project = std::move(project);
    // The same project read again (a run ended, cairn.yaml was saved): keep the target, its
    // results and a validation under way.
    if (reload)
        return;
    cancel();
    setTarget({});
}

void ValidationPanel::setTarget(const QString &target)
{
    if (target == m_target && !target.isEmpty())
        return;
    cancel();
    m_target = target;
    m_results->clear();
    m_validate->setEnabled(!target.isEmpty() && m_project);
    if (target.isEmpty()) {
        m_title->setText(tr("Validation"));
        m_summary->setText(tr("Select a dataset or one of its files to check it against the "
                              "rules declared under <code>checks:</code> in cairn.yaml."));
        return;
    }
    m_title->setText(tr("Validation of %1").arg(target));
    const DatasetSpec *spec = nullptr;
    if (m_project) {
        spec = m_project->dataset(target);
        if (!spec) {
            for (const DatasetSpec &d : m_project->datasets) {
                for (const QString &f : m_project->resolveFiles(d.paths)) {
                    if (m_project->relativePath(f) == target)
                        spec = &d;
                }
            }
        }
    }
    if (spec && !spec->checks)
        m_summary->setText(
            tr("The dataset \"%1\" declares no checks. Add a <code>checks:</code> block to it in "
               "cairn.yaml (rows, columns with kind, min, max, missing, allowed, unique; drift) "
               "to validate it here and in CI.")
                .arg(spec->name));
    else
        m_summary->setText(tr("Press Validate to check it."));
}

void ValidationPanel::validate()
{
    if (!m_project || m_target.isEmpty())
        return;
    const QString rev = m_revision->text().trimmed();
    QString spec = m_target;
    if (!rev.isEmpty())
        spec += (rev.startsWith(u'@') ? QString() : u"@"_s) + rev;
    *m_done = 0;
    *m_total = 0;
    setBusy(true);
    m_results->clear();
    m_summary->setText(tr("Reading %1…").arg(spec));
    auto project = m_project;
    auto done = m_done;
    auto total = m_total;
    m_job.run(
        [project, spec, done, total](const std::atomic_bool &cancelled) {
            return validation::validateDataset(*project, spec, [&](qint64 d, qint64 t) {
                *done = d;
                *total = t;
                return !cancelled.load();
            });
        },
        [this, spec](Result<validation::ValidationReport> report) {
            setBusy(false);
            if (!report) {
                showMessage(tr("Cannot validate %1: %2").arg(spec, report.error().toString()),
                            true);
                emit finished(false);
                return;
            }
            showReport(*report);
            emit finished(report->passed());
        });
}

void ValidationPanel::cancel()
{
    if (!m_busy)
        return;
    m_job.cancel();
    setBusy(false);
    m_summary->setText(tr("Validation cancelled."));
    emit finished(false);
}

void ValidationPanel::setBusy(bool busy)
{
    m_busy = busy;
    m_progress->setVisible(busy);
    m_progress->setRange(0, 0);
    m_cancel->setVisible(busy);
    m_validate->setEnabled(!busy && !m_target.isEmpty());
    if (busy)
        m_tick->start();
    else
        m_tick->stop();
}

void ValidationPanel::showMessage(const QString &text, bool error)
{
    m_summary->setText(error ? u"<span style='color:%1'>%2</span>"_s.arg(
                                   verdictColor(Verdict::Fail).name(), text.toHtmlEscaped())
                             : text.toHtmlEscaped());
}

void ValidationPanel::showReport(const validation::ValidationReport &report)
{
    const QLocale locale;
    int failed = 0;
    for (const validation::RuleResult &r : report.rules) {
        auto *item = new QTreeWidgetItem(m_results);
        item->setText(RuleColumn, r.rule);
        item->setIcon(RuleColumn, verdictIcon(r.passed ? Verdict::Pass : Verdict::Fail));
        item->setText(ColumnColumn, r.column);
        item->setText(RowsColumn, r.passed && r.offendingRows == 0
                                      ? QString()
                                      : locale.toString(r.offendingRows));
        item->setTextAlignment(RowsColumn, Qt::AlignRight | Qt::AlignVCenter);
        item->setText(MessageColumn, r.message);
        item->setToolTip(MessageColumn, r.message);
        if (!r.passed) {
            ++failed;
            item->setForeground(MessageColumn, verdictColor(Verdict::Fail));
            for (const validation::Example &e : r.examples) {
                auto *ex = new QTreeWidgetItem(item);
                ex->setText(RuleColumn, tr("row %1").arg(locale.toString(e.row)));
                ex->setText(MessageColumn, e.value ? *e.value : tr("(missing)"));
            }
            if (r.offendingRows > r.examples.size() && !r.examples.isEmpty()) {
                auto *more = new QTreeWidgetItem(item);
                more->setText(RuleColumn, tr("…"));
                more->setText(MessageColumn,
                              tr("and %1 more rows")
                                  .arg(locale.toString(r.offendingRows - r.examples.size())));
            }
            item->setExpanded(true);
        }
    }
    const QString head =
        failed == 0 ? tr("All %n rule(s) passed", nullptr, int(report.rules.size()))
                    : tr("%1 of %n rule(s) failed", nullptr, int(report.rules.size())).arg(failed);
    m_summary->setText(u"<b style='color:%1'>%2</b> on %3 (%4 rows)"_s.arg(
        verdictColor(failed == 0 ? Verdict::Pass : Verdict::Fail).name(), head.toHtmlEscaped(),
        report.version.toHtmlEscaped(), locale.toString(report.rows)));
}

} // namespace cairn::ui
