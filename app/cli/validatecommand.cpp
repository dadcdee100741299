// cairn-cli validate: check a dataset version against the rules its `checks:` declare.

#include "cliutil.h"
#include "commands.h"
#include "validation/datavalidation.h"

#include <QJsonDocument>

using namespace Qt::StringLiterals;

namespace cairn::cli {

int cmdValidate(const QStringList &args)
{
    QCommandLineParser parser;
    parser.addPositionalArgument(
        u"DATASET"_s, u"A dataset of the project or one of its files, optionally with @REV "
                      "(data/train.csv@HEAD~1)."_s);
    parser.addOption(projectOption);
    const QCommandLineOption json(u"json"_s, u"Print the report as JSON."_s);
    parser.addOption(json);
    int code = 0;
    if (!parse(parser, u"validate"_s, args, &code))
        return code;
    // Exit codes: 0 every rule passed, 1 a rule failed, 2 nothing could be validated.
    constexpr int kCannotValidate = 2;
    const QStringList pos = parser.positionalArguments();
    if (pos.size() != 1) {
        printErr(u"cairn-cli validate: give one dataset, such as `cairn-cli validate "
                 "reference` or `cairn-cli validate data/train.csv@HEAD~1`"_s);
        return kCannotValidate;
    }
    const auto project = load(parser, &code);
    if (!project)
        return kCannotValidate;
    ProgressLine line(u"reading "_s + pos.first());
    const auto report = validation::validateDataset(*project, pos.first(), line.callback());
    line.finish();
    if (!report) {
        reportError(report.error());
        return kCannotValidate;
    }
    if (parser.isSet(json))
        printOut(QString::fromUtf8(QJsonDocument(validation::validationReportToJson(*report))
                                       .toJson(QJsonDocument::Indented)));
    else
        printOut(validation::validationReportToText(*report));
    return report->passed() ? 0 : 1;
}

} // namespace cairn::cli
