#include "gatereportview.h"

#include "theme.h"

#include <QHeaderView>
#include <QLocale>

using namespace Qt::StringLiterals;

namespace cairn::ui {

GateReportView::GateReportView(QWidget *parent)
    : QTreeWidget(parent)
{
    setObjectName(u"gateReport"_s);
    setColumnCount(2);
    setHeaderLabels({tr("Condition"), tr("Values")});
    setRootIsDecorated(true);
    setUniformRowHeights(true);
    setWordWrap(false);
    header()->setStretchLastSection(true);
    setColumnWidth(0, 230);
}

void GateReportView::showMessage(const QString &text)
{
    clear();
    auto *item = new QTreeWidgetItem(this);
    item->setText(0, text);
    item->setFirstColumnSpanned(true);
}

void GateReportView::setReport(const registry::GateReport &report)
{
    clear();
    if (!report.declared) {
        auto *item = new QTreeWidgetItem(this);
        item->setIcon(0, verdictIcon(Verdict::Skipped));
        item->setText(0, tr("No gate declared"));
        const QString text = !report.note.isEmpty()
                                 ? report.note
                                 : tr("Add `gate:` to the model in cairn.yaml: metric conditions "
                                      "and the data checks of the datasets the run used");
        item->setText(1, text);
        item->setToolTip(1, text);
        return;
    }
    if (!report.failure.isEmpty()) {
        auto *item = new QTreeWidgetItem(this);
        item->setIcon(0, verdictIcon(Verdict::Fail));
        item->setText(0, tr("Run"));
        item->setText(1, report.failure);
        item->setToolTip(1, report.failure);
        item->setForeground(1, verdictColor(Verdict::Fail));
    }
    if (!report.note.isEmpty()) {
        auto *item = new QTreeWidgetItem(this);
        item->setIcon(0, verdictIcon(Verdict::Skipped));
        item->setText(0, tr("Run"));
        item->setText(1, report.note);
        item->setToolTip(1, report.note);
    }
    for (const registry::ConditionResult &c : report.conditions) {
        auto *item = new QTreeWidgetItem(this);
        const Verdict v = c.skipped ? Verdict::Skipped : (c.passed ? Verdict::Pass : Verdict::Fail);
        item->setIcon(0, verdictIcon(v));
        item->setText(0, c.condition);
        item->setText(1, c.message);
        item->setToolTip(1, c.message);
        if (v == Verdict::Fail)
            item->setForeground(1, verdictColor(Verdict::Fail));
        else if (v == Verdict::Skipped)
            item->setForeground(1, verdictColor(Verdict::Skipped));
    }
    if (!report.data.isEmpty()) {
        auto *group = new QTreeWidgetItem(this);
        bool all = true;
        for (const registry::DataCheckResult &d : report.data)
            all = all && d.passed;
        group->setIcon(0, verdictIcon(all ? Verdict::Pass : Verdict::Fail));
        group->setText(0, tr("Data checks of the datasets the run used"));
        const QLocale locale;
        for (const registry::DataCheckResult &d : report.data) {
            auto *item = new QTreeWidgetItem(group);
            item->setIcon(0, verdictIcon(d.passed ? Verdict::Pass : Verdict::Fail));
            item->setText(0, u"%1 (%2)"_s.arg(d.dataset, d.version));
            item->setText(1, d.message);
            item->setToolTip(1, d.message);
            if (!d.report)
                continue;
            for (const validation::RuleResult &r : d.report->rules) {
                if (r.passed)
                    continue;
                auto *rule = new QTreeWidgetItem(item);
                rule->setIcon(0, verdictIcon(Verdict::Fail));
                rule->setText(0, r.column.isEmpty() ? r.rule : u"%1 %2"_s.arg(r.rule, r.column));
                rule->setText(1,
                              tr("%1 (%2 rows)").arg(r.message, locale.toString(r.offendingRows)));
            }
            item->setExpanded(!d.passed);
        }
        group->setExpanded(true);
    }
    auto *verdict = new QTreeWidgetItem(this);
    QFont bold = verdict->font(0);
    bold.setBold(true);
    verdict->setFont(0, bold);
    verdict->setIcon(0, verdictIcon(report.passed() ? Verdict::Pass : Verdict::Fail));
    verdict->setText(0, report.passed() ? tr("Gate passed") : tr("Gate failed"));
    verdict->setText(
        1, tr("run #%1, evaluated %2")
               .arg(report.runId)
               .arg(QLocale().toString(report.evaluated.toLocalTime(), QLocale::ShortFormat)));
    expandAll();
    resizeColumnToContents(0);
    setColumnWidth(0, std::min(columnWidth(0) + 12, 340));
}

} // namespace cairn::ui
