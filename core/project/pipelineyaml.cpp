// The `pipelines:` block of cairn.yaml. Keep in step with docs/project-file.md ("Pipelines").

#include "pipelineyaml.h"

#include "pipeline/pipeline.h"
#include "placeholders.h"

#include <QDir>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

const QStringList &stepKinds()
{
    static const QStringList kinds = {u"run"_s, u"validate"_s, u"gate"_s, u"register"_s,
                                      u"promote"_s};
    return kinds;
}

PipelineStep::Kind kindFromName(const QString &name)
{
    static const PipelineStep::Kind kinds[] = {
        PipelineStep::Kind::Run, PipelineStep::Kind::Validate, PipelineStep::Kind::Gate,
        PipelineStep::Kind::Register, PipelineStep::Kind::Promote};
    return kinds[std::max<qsizetype>(0, stepKinds().indexOf(name))];
}

QString suggestion(const QString &word, const QStringList &candidates, const QString &otherwise)
{
    const QString close = closestMatch(word, candidates);
    return close.isEmpty() ? otherwise : u"Did you mean \"%1\"?"_s.arg(close);
}

class PipelineReader
{
public:
    PipelineReader(YamlFile &yaml, Project &p)
        : y(yaml)
        , project(p)
    {}

    void read(const YAML::Node &node)
    {
        if (!y.expectMap(node, u"\"pipelines\""_s))
            return;
        y.checkDuplicateKeys(node, u"\"pipelines\""_s);
        static const QRegularExpression nameRe(u"^[A-Za-z0-9_][A-Za-z0-9_.\\-]*$"_s);
        for (auto it = node.begin(); it != node.end(); ++it) {
            PipelineSpec spec;
            spec.name = toQString(it->first.Scalar());
            spec.location = y.where(it->first);
            if (!nameRe.match(spec.name).hasMatch()) {
                y.error(
                    it->first,
                    u"pipeline name \"%1\" may only use letters, digits, '_', '-' and '.'"_s.arg(
                        spec.name));
                continue;
            }
            const QString ctx = u"pipeline \"%1\""_s.arg(spec.name);
            const YAML::Node body = it->second; // a copy: `->` yields a temporary proxy
            if (!y.expectMap(body, ctx))
                continue;
            y.checkKeys(body, {u"description"_s, u"parameters"_s, u"steps"_s}, ctx);
            if (const auto d = valueOf(body, "description"); d.IsDefined() && !d.IsNull()) {
                if (auto s = y.expectScalar(d, u"the description of "_s + ctx))
                    spec.description = s->trimmed();
            }
            if (const auto p = valueOf(body, "parameters"); p.IsDefined() && !p.IsNull())
                readParameterDeclarations(y, p, ctx, spec.parameters);
            const auto steps = valueOf(body, "steps");
            if (!steps.IsDefined() || steps.IsNull() || (steps.IsSequence() && steps.size() == 0)) {
                y.error(steps.IsDefined() ? steps : YAML::Node(it->first),
                        u"%1 has no steps"_s.arg(ctx),
                        u"List them under `steps:`, such as `- run: train` and "
                        "`- gate: model`"_s);
                continue;
            }
            if (!steps.IsSequence()) {
                y.error(steps, u"the steps of %1 must be a list, but they are %2"_s.arg(
                                   ctx, YamlFile::describe(steps)));
                continue;
            }
            for (const YAML::Node &item : steps) {
                if (auto step = readStep(item, spec))
                    spec.steps.append(*step);
            }
            project.pipelines.append(spec);
        }
    }

private:
    std::optional<PipelineStep> readStep(const YAML::Node &item, const PipelineSpec &spec)
    {
        const QString ctx = u"a step of pipeline \"%1\""_s.arg(spec.name);
        if (!item.IsMap()) {
            y.error(item,
                    u"%1 must be a mapping such as `run: train`, but it is %2"_s.arg(
                        ctx, YamlFile::describe(item)),
                    u"Write `- run: ENTRY`, `- validate: DATASET`, `- gate: MODEL`, "
                    "`- register: MODEL` or `- promote: MODEL` with `to: ALIAS`"_s);
            return std::nullopt;
        }
        y.checkKeys(item, stepKinds() + QStringList{u"parameters"_s, u"to"_s}, ctx);
        QStringList kinds;
        for (const QString &k : stepKinds()) {
            if (valueOf(item, k.toUtf8().constData()).IsDefined())
                kinds.append(k);
        }
        if (kinds.isEmpty()) {
            y.error(item, u"%1 says neither run, validate, gate, register nor promote"_s.arg(ctx),
                    u"Start it with one of them, such as `- run: train`"_s);
            return std::nullopt;
        }
        if (kinds.size() > 1) {
            y.error(keyOf(item, kinds[1].toUtf8().constData()),
                    u"%1 has two kinds, \"%2\" and \"%3\""_s.arg(ctx, kinds[0], kinds[1]),
                    u"Make each its own step: one `- ` item per run, validate, gate, register "
                    "or promote"_s);
            return std::nullopt;
        }
        PipelineStep step;
        step.kind = kindFromName(kinds.first());
        step.location = y.where(item);
        const QByteArray kindKey = kinds.first().toUtf8();
        const YAML::Node targetNode = valueOf(item, kindKey.constData());
        const auto target = y.expectScalar(targetNode, u"\"%1\" of %2"_s.arg(kinds.first(), ctx));
        if (!target)
            return std::nullopt;
        step.target = target->trimmed();
        if (step.target.isEmpty()) {
            y.error(targetNode, u"\"%1\" of %2 is empty"_s.arg(kinds.first(), ctx));
            return std::nullopt;
        }
        const YAML::Node params = valueOf(item, "parameters");
        if (params.IsDefined() && step.kind != PipelineStep::Kind::Run) {
            y.error(keyOf(item, "parameters"),
                    u"only a `run:` step takes parameters, not a `%1:` step"_s.arg(kinds.first()));
            return std::nullopt;
        }
        const YAML::Node to = valueOf(item, "to");
        if (to.IsDefined() && step.kind != PipelineStep::Kind::Promote) {
            y.error(keyOf(item, "to"),
                    u"only a `promote:` step takes `to:`, not a `%1:` step"_s.arg(kinds.first()));
            return std::nullopt;
        }
        const qsizetype errorsBefore = y.errors().size();
        switch (step.kind) {
        case PipelineStep::Kind::Run:
            readRun(targetNode, params, spec, step);
            break;
        case PipelineStep::Kind::Validate:
            readValidate(targetNode, spec, step);
            break;
        case PipelineStep::Kind::Promote:
            if (!to.IsDefined() || to.IsNull()) {
                y.error(item, u"%1 promotes %2 but says not to which alias"_s.arg(ctx, step.target),
                        u"Add `to: staging` (or production, or an alias of your own)"_s);
                break;
            }
            if (const auto alias = y.expectScalar(to, u"\"to\" of "_s + ctx)) {
                step.alias = alias->trimmed();
                if (const QString problem = aliasProblem(step.alias); !problem.isEmpty())
                    y.error(to, problem,
                            u"Use staging, production, or a lower-case name such as champion"_s);
            }
            [[fallthrough]];
        case PipelineStep::Kind::Gate:
        case PipelineStep::Kind::Register:
            if (!project.model(step.target)) {
                QStringList names;
                for (const ModelSpec &m : project.models)
                    names.append(m.name);
                y.error(targetNode,
                        u"%1 names the model \"%2\", which is not declared"_s.arg(ctx, step.target),
                        suggestion(step.target, names, u"Declare it under `models:`"_s));
            }
            break;
        }
        if (y.errors().size() != errorsBefore)
            return std::nullopt;
        return step;
    }

    void readRun(const YAML::Node &targetNode, const YAML::Node &params, const PipelineSpec &spec,
                 PipelineStep &step)
    {
        const EntryPoint *ep = project.entryPoint(step.target);
        if (!ep) {
            QStringList names;
            for (const EntryPoint &e : project.entryPoints)
                names.append(e.name);
            y.error(targetNode,
                    u"pipeline \"%1\" runs the entry point \"%2\", which is not declared"_s.arg(
                        spec.name, step.target),
                    suggestion(step.target, names, u"Declare it under `entry_points:`"_s));
            return;
        }
        QStringList declared;
        for (const Parameter &p : ep->parameters)
            declared.append(p.name);
        QStringList given;
        if (params.IsDefined() && !params.IsNull()) {
            const QString ctx = u"the parameters of step \"run: %1\""_s.arg(ep->name);
            if (!y.expectMap(params, ctx))
                return;
            y.checkDuplicateKeys(params, ctx);
            for (auto it = params.begin(); it != params.end(); ++it) {
                const YAML::Node keyNode = it->first;
                const YAML::Node valueNode = it->second;
                const QString name = toQString(keyNode.Scalar());
                const Parameter *param = ep->parameter(name);
                if (!param) {
                    y.error(keyNode,
                            u"entry point \"%1\" has no parameter \"%2\""_s.arg(ep->name, name),
                            suggestion(name, declared,
                                       declared.isEmpty()
                                           ? u"It takes no parameters"_s
                                           : u"Its parameters: %1"_s.arg(declared.join(u", "_s))));
                    continue;
                }
                const auto value = y.expectScalar(
                    valueNode, u"parameter \"%1\" of step \"run: %2\""_s.arg(name, ep->name));
                if (!value)
                    continue;
                const auto found =
                    checkPlaceholders(valueNode, *value, spec, u"parameter \"%1\""_s.arg(name));
                // A value without placeholders is checked now; the others when the pipeline
                // starts, once their values are known.
                if (found && !*found) {
                    if (const auto checked = checkParameterValue(*param, *value); !checked)
                        y.error(valueNode, checked.error().message, checked.error().hint);
                }
                given.append(name);
                step.parameters.append({name, *value});
            }
        }
        for (const Parameter &p : ep->parameters) {
            if (p.isRequired() && !given.contains(p.name))
                y.error(targetNode,
                        u"entry point \"%1\" needs a value for \"%2\", which has no default"_s.arg(
                            ep->name, p.name),
                        u"Give it under the step's `parameters:`"_s);
        }
    }

    void readValidate(const YAML::Node &targetNode, const PipelineSpec &spec, PipelineStep &step)
    {
        const auto found = checkPlaceholders(targetNode, step.target, spec, u"validate"_s);
        if (!found || *found)
            return; // a path with placeholders is checked when the step runs
        // The same rules as for a target that comes from a parameter (preparePipeline), less
        // the files, which need not exist until the pipeline runs.
        if (const auto problem = pipeline::validateTargetProblem(
                project, step.target, u"pipeline \"%1\""_s.arg(spec.name), false))
            y.error(targetNode, problem->message, problem->hint);
    }

    // Reports placeholders that are not parameters of the pipeline; true when `value` has some
    // (all known), false when it has none, nullopt after an error.
    std::optional<bool> checkPlaceholders(const YAML::Node &at, const QString &value,
                                          const PipelineSpec &spec, const QString &what)
    {
        const auto found = findPlaceholders(value);
        if (!found) {
            y.error(at,
                    u"%1 in pipeline \"%2\" has %3"_s.arg(what, spec.name, found.error().message),
                    u"Write {{ and }} for literal braces"_s);
            return std::nullopt;
        }
        QStringList names;
        for (const Parameter &p : spec.parameters)
            names.append(p.name);
        bool ok = true;
        for (const Placeholder &ph : *found) {
            if (names.contains(ph.name))
                continue;
            const QString guess = closestMatch(ph.name, names);
            y.error(at,
                    u"%1 uses {%2}, but pipeline \"%3\" has no parameter \"%2\"%4"_s.arg(
                        what, ph.name, spec.name,
                        guess.isEmpty() ? QString() : u" (did you mean {%1}?)"_s.arg(guess)),
                    u"Declare it under the pipeline's `parameters:`"_s);
            ok = false;
        }
        if (!ok)
            return std::nullopt;
        return !found->isEmpty();
    }

    // registry::checkAliasName's rule, which the registry applies again at promotion.
    static QString aliasProblem(const QString &alias)
    {
        static const QRegularExpression re(u"^[a-z][a-z0-9_\\-]*$"_s);
        if (alias == u"latest"_s)
            return u"\"latest\" is not an alias a version can hold; it always means the newest "
                   "version"_s;
        if (!re.match(alias).hasMatch())
            return u"alias \"%1\" must start with a lower-case letter and use only lower-case "
                   "letters, digits, '-' and '_'"_s.arg(alias);
        return {};
    }

    YamlFile &y;
    Project &project;
};

} // namespace

void readPipelines(YamlFile &y, const YAML::Node &node, Project &project)
{
    PipelineReader(y, project).read(node);
}

} // namespace cairn
