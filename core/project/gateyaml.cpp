// The `gate:` of a model in cairn.yaml. Keep in step with docs/project-file.md, "Model gates".

#include "gateyaml.h"

#include "registry/gatecondition.h"

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

// Where a condition's 1-based `column` inside the scalar `node` is in the file. Quoted scalars
// (yaml-cpp tags them "!") start one column after their mark.
SourceLocation inScalar(const YamlFile &y, const YAML::Node &node, int column)
{
    SourceLocation at = y.where(node);
    if (at.line == 0)
        return at;
    const int quote = node.Tag() == "!" ? 1 : 0;
    at.column += quote + std::max(column, 1) - 1;
    return at;
}

void readConditions(YamlFile &y, const YAML::Node &list, const QString &ctx, ModelGate &gate)
{
    if (!list.IsSequence()) {
        y.error(list,
                u"the metrics of %1 must be a list of conditions, but it is %2"_s.arg(
                    ctx, YamlFile::describe(list)),
                u"Write one condition per item: `- val_accuracy >= 0.75`"_s);
        return;
    }
    for (const YAML::Node &item : list) {
        const auto text = y.expectScalar(item, u"a condition of "_s + ctx);
        if (!text)
            continue;
        const auto parsed = registry::parseGateCondition(*text);
        if (!parsed) {
            y.error(inScalar(y, item, parsed.error().column), parsed.error().message,
                    parsed.error().hint);
            continue;
        }
        gate.conditions.append(GateCondition{text->trimmed(), y.where(item)});
    }
}

} // namespace

std::optional<ModelGate> readModelGate(YamlFile &y, const YAML::Node &node,
                                       const QString &modelName)
{
    const qsizetype before = y.errors().size();
    const QString ctx = u"the gate of model \"%1\""_s.arg(modelName);
    ModelGate gate;
    gate.location = y.where(node);
    if (node.IsSequence()) {
        readConditions(y, node, ctx, gate);
    } else if (node.IsMap()) {
        y.checkKeys(node, {u"metrics"_s, u"data_checks"_s}, ctx);
        if (const auto m = valueOf(node, "metrics"); m.IsDefined() && !m.IsNull())
            readConditions(y, m, ctx, gate);
        if (const auto d = valueOf(node, "data_checks"); d.IsDefined() && !d.IsNull()) {
            if (const auto s = y.expectScalar(d, u"\"data_checks\" of "_s + ctx)) {
                const QString v = s->trimmed().toLower();
                if (v == u"true" || v == u"yes" || v == u"on")
                    gate.dataChecks = true;
                else if (v == u"false" || v == u"no" || v == u"off")
                    gate.dataChecks = false;
                else
                    y.error(d, u"\"data_checks\" of %1 must be true or false, not \"%2\""_s.arg(
                                   ctx, *s));
            }
        }
    } else {
        y.error(node,
                u"%1 must be a list of conditions or a mapping, but it is %2"_s.arg(
                    ctx, YamlFile::describe(node)),
                u"Write `gate: [val_accuracy >= 0.75]`, or `gate:` with `metrics:` and "
                "`data_checks:`"_s);
    }
    if (y.errors().size() != before)
        return std::nullopt;
    return gate;
}

} // namespace cairn
