// A validation report as JSON (`cairn-cli validate --json`) and as text for terminals.

#include "datavalidation.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace cairn::validation {

QJsonObject validationReportToJson(const ValidationReport &report)
{
    QJsonArray rules;
    for (const RuleResult &r : report.rules) {
        QJsonArray examples;
        for (const Example &e : r.examples) {
            examples.append(QJsonObject{
                {u"row"_s, e.row},
                {u"value"_s, e.value ? QJsonValue(*e.value) : QJsonValue(QJsonValue::Null)},
            });
        }
        rules.append(QJsonObject{
            {u"rule"_s, r.rule},
            {u"column"_s, r.column.isEmpty() ? QJsonValue(QJsonValue::Null) : QJsonValue(r.column)},
            {u"passed"_s, r.passed},
            {u"offending_rows"_s, r.offendingRows},
            {u"examples"_s, examples},
            {u"message"_s, r.message},
        });
    }
    return QJsonObject{
        {u"dataset"_s, report.dataset},
        {u"version"_s, report.version},
        {u"passed"_s, report.passed()},
        {u"rows"_s, report.rows},
        {u"rules"_s, rules},
    };
}

QString validationReportToText(const ValidationReport &report)
{
    int failed = 0;
    QString text = u"Validation of %1 (%2, %3 rows)\n\n"_s.arg(report.dataset, report.version,
                                                               QString::number(report.rows));
    for (const RuleResult &r : report.rules) {
        failed += r.passed ? 0 : 1;
        const QString what = r.column.isEmpty() ? r.rule : u"%1 %2"_s.arg(r.rule, r.column);
        text += u"%1  %2  %3\n"_s.arg(r.passed ? u"PASS"_s : u"FAIL"_s, what, r.message);
        for (const Example &e : r.examples)
            text += u"        row %1: %2\n"_s.arg(QString::number(e.row),
                                                  e.value ? *e.value : u"(missing)"_s);
    }
    text += failed == 0 ? u"\nAll %1 rules passed.\n"_s.arg(report.rules.size())
                        : u"\n%1 of %2 rules failed.\n"_s.arg(QString::number(failed),
                                                              QString::number(report.rules.size()));
    return text;
}

} // namespace cairn::validation
