// Reader for cairn.yaml, Cairn's own project file. The format is documented in
// docs/project-file.md; keep the two in step.

#include "checksyaml.h"
#include "drift/drift.h"
#include "gateyaml.h"
#include "pipelineyaml.h"
#include "placeholders.h"
#include "projectfile.h"
#include "yamlsupport.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

const QRegularExpression &nameRe()
{
    static const QRegularExpression re(u"^[A-Za-z0-9_][A-Za-z0-9_.\\-]*$"_s);
    return re;
}

const QRegularExpression &paramNameRe()
{
    static const QRegularExpression re(u"^[A-Za-z_][A-Za-z0-9_\\-]*$"_s);
    return re;
}

class CairnYamlReader
{
public:
    CairnYamlReader(const QString &path, const QString &root)
        : y(path)
    {
        project.rootDir = root;
        project.projectFile = path;
        project.format = ProjectFormat::Cairn;
        project.name = QFileInfo(root).fileName();
    }

    std::expected<Project, Errors> read(const QByteArray &bytes)
    {
        const auto doc = y.parse(bytes);
        if (!doc)
            return std::unexpected(y.takeErrors());
        const YAML::Node &root = *doc;
        if (!root.IsDefined() || root.IsNull()) {
            y.error(SourceLocation{1, 1}, u"the project file is empty"_s,
                    u"Declare at least `name:` and `entry_points:`; `cairn-cli init` writes a "
                    "commented example"_s);
            return std::unexpected(y.takeErrors());
        }
        if (!y.expectMap(root, u"the project file"_s))
            return std::unexpected(y.takeErrors());

        y.checkKeys(root,
                    {u"version"_s, u"name"_s, u"description"_s, u"entry_points"_s, u"datasets"_s,
                     u"models"_s, u"pipelines"_s, u"drift"_s},
                    u"the project file"_s);
        readVersion(root["version"]);
        if (const auto n = root["name"]; n.IsDefined()) {
            if (auto s = y.expectScalar(n, u"\"name\""_s)) {
                if (s->trimmed().isEmpty())
                    y.error(n, u"\"name\" is empty"_s, u"Give the project a name"_s);
                else
                    project.name = s->trimmed();
            }
        }
        if (const auto d = root["description"]; d.IsDefined()) {
            if (auto s = y.expectScalar(d, u"\"description\""_s))
                project.description = s->trimmed();
        }
        if (const auto e = root["entry_points"]; e.IsDefined() && !e.IsNull())
            readEntryPoints(e);
        if (const auto d = root["datasets"]; d.IsDefined() && !d.IsNull())
            readDatasets(d);
        if (const auto m = root["models"]; m.IsDefined() && !m.IsNull())
            readModels(m);
        if (const auto p = valueOf(root, "pipelines"); p.IsDefined() && !p.IsNull())
            readPipelines(y, p, project);
        if (const auto d = root["drift"]; d.IsDefined() && !d.IsNull())
            readDrift(d);

        if (!y.errors().isEmpty())
            return std::unexpected(y.takeErrors());
        project.warnings = y.takeWarnings();
        return project;
    }

private:
    void readVersion(const YAML::Node &node)
    {
        if (!node.IsDefined())
            return;
        const auto s = y.expectScalar(node, u"\"version\""_s);
        if (!s)
            return;
        bool ok = false;
        const int v = s->toInt(&ok);
        if (!ok || v < 1) {
            y.error(node, u"\"version\" must be a whole number such as 1, not \"%1\""_s.arg(*s));
        } else if (v > CairnYamlVersion) {
            y.error(
                node,
                u"this file uses cairn.yaml version %1, but this Cairn reads versions up to %2"_s
                    .arg(v)
                    .arg(CairnYamlVersion),
                u"Update Cairn, or lower the version if the file uses no newer feature"_s);
        }
    }

    bool checkName(const YAML::Node &keyNode, const QString &name, const QString &what)
    {
        if (nameRe().match(name).hasMatch())
            return true;
        y.error(keyNode,
                u"%1 name \"%2\" may only use letters, digits, '_', '-' and '.'"_s.arg(what, name));
        return false;
    }

    void readEntryPoints(const YAML::Node &node)
    {
        if (!y.expectMap(node, u"\"entry_points\""_s))
            return;
        y.checkDuplicateKeys(node, u"\"entry_points\""_s);
        for (auto it = node.begin(); it != node.end(); ++it) {
            const QString name = toQString(it->first.Scalar());
            if (!checkName(it->first, name, u"entry point"_s))
                continue;
            EntryPoint ep;
            ep.name = name;
            ep.location = y.where(it->first);
            const YAML::Node body = it->second; // a copy: `->` yields a temporary proxy
            const QString ctx = u"entry point \"%1\""_s.arg(name);
            if (body.IsScalar()) {
                ep.command = toQString(body.Scalar()); // `train: python train.py`
            } else if (body.IsMap()) {
                y.checkKeys(body,
                            {u"command"_s, u"description"_s, u"parameters"_s, u"metrics"_s,
                             u"working_dir"_s},
                            ctx);
                if (const auto c = body["command"]; c.IsDefined() && !c.IsNull()) {
                    if (auto s = y.expectScalar(c, u"the command of "_s + ctx))
                        ep.command = *s;
                }
                if (const auto d = body["description"]; d.IsDefined() && !d.IsNull()) {
                    if (auto s = y.expectScalar(d, u"the description of "_s + ctx))
                        ep.description = s->trimmed();
                }
                if (const auto w = body["working_dir"]; w.IsDefined() && !w.IsNull()) {
                    if (auto s = y.expectScalar(w, u"the working_dir of "_s + ctx))
                        ep.workingDirectory = checkRelativePath(w, *s, u"working_dir"_s);
                }
                if (const auto p = body["parameters"]; p.IsDefined() && !p.IsNull())
                    readParameterDeclarations(y, p, u"entry point \"%1\""_s.arg(name),
                                              ep.parameters);
                if (const auto m = body["metrics"]; m.IsDefined() && !m.IsNull())
                    readMetricPatterns(m, ep);
            } else {
                y.error(body,
                        u"%1 must be a command or a mapping with a \"command\", but it is %2"_s.arg(
                            ctx, YamlFile::describe(body)));
                continue;
            }
            if (ep.command.trimmed().isEmpty()) {
                y.error(it->first, u"%1 has no command"_s.arg(ctx),
                        u"Add `command: python %1.py` (or whatever runs it)"_s.arg(name));
                continue;
            }
            checkCommandPlaceholders(body.IsMap() ? body["command"] : body, ep);
            project.entryPoints.append(ep);
        }
    }

    QString checkRelativePath(const YAML::Node &at, const QString &path, const QString &what)
    {
        const QString p = QDir::fromNativeSeparators(path.trimmed());
        if (QDir::isAbsolutePath(p) || QDir::cleanPath(p).startsWith(u"../"_s) || p == u".."_s) {
            y.error(
                at,
                u"%1 must stay inside the project folder, but \"%2\" does not"_s.arg(what, path),
                u"Give a path relative to the folder that holds cairn.yaml"_s);
            return {};
        }
        return p;
    }

    void readMetricPatterns(const YAML::Node &node, EntryPoint &ep)
    {
        const QString ctx = u"the metrics of entry point \"%1\""_s.arg(ep.name);
        if (!node.IsSequence()) {
            y.error(node,
                    u"%1 must be a list of regular expressions, but it is %2"_s.arg(
                        ctx, YamlFile::describe(node)),
                    u"Write items like `- {pattern: 'loss: (?<value>[0-9.eE+-]+)', name: loss}` "
                    "or `- '(?<name>\\w+)=(?<value>\\S+)'`"_s);
            return;
        }
        for (const YAML::Node &item : node) {
            MetricPattern mp;
            mp.location = y.where(item);
            const YAML::Node patternNode = item.IsMap() ? valueOf(item, "pattern") : item;
            if (item.IsMap()) {
                y.checkKeys(item, {u"pattern"_s, u"name"_s}, u"a metric pattern"_s);
                if (!patternNode.IsDefined()) {
                    y.error(item, u"a metric pattern needs a `pattern`"_s);
                    continue;
                }
                if (const auto n = item["name"]; n.IsDefined()) {
                    if (auto s = y.expectScalar(n, u"the metric name"_s))
                        mp.metric = s->trimmed();
                }
            }
            const auto s = y.expectScalar(patternNode, u"a metric pattern"_s);
            if (!s)
                continue;
            mp.regex = *s;
            const QRegularExpression re(mp.regex);
            if (!re.isValid()) {
                y.error(patternNode, u"the metric pattern is not a valid regular expression: %1 "
                                     "(at character %2)"_s.arg(re.errorString())
                                         .arg(re.patternErrorOffset() + 1));
                continue;
            }
            const QStringList groups = re.namedCaptureGroups();
            if (!groups.contains(u"value"_s)) {
                y.error(patternNode, u"the metric pattern has no `value` group"_s,
                        u"Capture the number with (?<value>...)"_s);
                continue;
            }
            if (!groups.contains(u"name"_s) && mp.metric.isEmpty()) {
                y.error(patternNode, u"the metric pattern has neither a `name` group nor a name"_s,
                        u"Capture the metric name with (?<name>...) or write "
                        "`- {pattern: ..., name: loss}`"_s);
                continue;
            }
            ep.metricPatterns.append(mp);
        }
    }

    void checkCommandPlaceholders(const YAML::Node &commandNode, const EntryPoint &ep)
    {
        const auto found = findPlaceholders(ep.command);
        if (!found) {
            y.error(commandNode, u"the command of entry point \"%1\" has %2"_s.arg(
                                     ep.name, found.error().message));
            return;
        }
        for (const Placeholder &ph : *found) {
            if (!ep.parameter(ph.name)) {
                QStringList names;
                for (const Parameter &p : ep.parameters)
                    names.append(p.name);
                const QString guess = closestMatch(ph.name, names);
                y.error(commandNode,
                        u"the command of entry point \"%1\" uses {%2}, but no parameter \"%2\" is "
                        "declared%3"_s.arg(ep.name, ph.name,
                                           guess.isEmpty() ? QString()
                                                           : u" (did you mean {%1}?)"_s.arg(guess)),
                        u"Declare it under `parameters:` or remove the placeholder"_s);
            }
        }
    }

    void readDatasets(const YAML::Node &node)
    {
        if (!y.expectMap(node, u"\"datasets\""_s))
            return;
        y.checkDuplicateKeys(node, u"\"datasets\""_s);
        for (auto it = node.begin(); it != node.end(); ++it) {
            DatasetSpec ds;
            ds.name = toQString(it->first.Scalar());
            ds.location = y.where(it->first);
            if (!checkName(it->first, ds.name, u"dataset"_s))
                continue;
            const QString ctx = u"dataset \"%1\""_s.arg(ds.name);
            const YAML::Node body = it->second; // a copy: `->` yields a temporary proxy
            const YAML::Node pathNode = body.IsMap() ? valueOf(body, "path") : body;
            if (body.IsMap()) {
                y.checkKeys(body, {u"path"_s, u"key"_s, u"description"_s, u"checks"_s}, ctx);
                if (const auto k = body["key"]; k.IsDefined() && !k.IsNull()) {
                    if (auto keys = y.expectScalarOrList(k, u"the key of "_s + ctx))
                        ds.key = *keys;
                }
                if (const auto c = valueOf(body, "checks"); c.IsDefined() && !c.IsNull()) {
                    ds.checks = readDatasetChecks(y, c, ds.name);
                    if (ds.checks)
                        ds.checks->key = ds.key;
                }
                if (const auto d = body["description"]; d.IsDefined() && !d.IsNull()) {
                    if (auto s = y.expectScalar(d, u"the description of "_s + ctx))
                        ds.description = s->trimmed();
                }
            }
            if (!pathNode.IsDefined() || pathNode.IsNull()) {
                y.error(it->first, u"%1 has no path"_s.arg(ctx),
                        u"Add `path: data/train.csv` (a file or a glob such as data/*.csv)"_s);
                continue;
            }
            const auto paths = y.expectScalarOrList(pathNode, u"the path of "_s + ctx);
            if (!paths)
                continue;
            for (const QString &p : *paths)
                ds.paths.append(checkRelativePath(pathNode, p, u"the path of "_s + ctx));
            project.datasets.append(ds);
        }
    }

    void readModels(const YAML::Node &node)
    {
        if (!y.expectMap(node, u"\"models\""_s))
            return;
        y.checkDuplicateKeys(node, u"\"models\""_s);
        for (auto it = node.begin(); it != node.end(); ++it) {
            ModelSpec m;
            m.name = toQString(it->first.Scalar());
            m.location = y.where(it->first);
            if (!checkName(it->first, m.name, u"model"_s))
                continue;
            const QString ctx = u"model \"%1\""_s.arg(m.name);
            const YAML::Node body = it->second; // a copy: `->` yields a temporary proxy
            const YAML::Node pathNode = body.IsMap() ? valueOf(body, "path") : body;
            if (body.IsMap()) {
                y.checkKeys(body, {u"path"_s, u"description"_s, u"gate"_s}, ctx);
                if (const auto d = body["description"]; d.IsDefined() && !d.IsNull()) {
                    if (auto s = y.expectScalar(d, u"the description of "_s + ctx))
                        m.description = s->trimmed();
                }
                if (const auto g = valueOf(body, "gate"); g.IsDefined() && !g.IsNull())
                    m.gate = readModelGate(y, g, m.name);
            }
            if (!pathNode.IsDefined() || pathNode.IsNull()) {
                y.error(it->first, u"%1 has no path"_s.arg(ctx),
                        u"Add `path: models/model.onnx` (a file or a glob)"_s);
                continue;
            }
            const auto paths = y.expectScalarOrList(pathNode, u"the path of "_s + ctx);
            if (!paths)
                continue;
            for (const QString &p : *paths)
                m.paths.append(checkRelativePath(pathNode, p, u"the path of "_s + ctx));
            project.models.append(m);
        }
    }

    void readDrift(const YAML::Node &node)
    {
        if (!y.expectMap(node, u"\"drift\""_s))
            return;
        y.checkKeys(node,
                    {u"reference"_s, u"current"_s, u"test"_s, u"threshold"_s, u"drift_share"_s,
                     u"binning"_s, u"column_types"_s, u"ignore"_s, u"retrain"_s},
                    u"\"drift\""_s);
        DriftSettings d;
        d.location = y.where(node);
        for (const auto &[key, target] :
             {std::pair{u"reference"_s, &d.reference}, std::pair{u"current"_s, &d.current}}) {
            const auto v = node[key.toStdString()];
            if (!v.IsDefined() || v.IsNull()) {
                y.error(
                    node, u"\"drift\" has no \"%1\""_s.arg(key),
                    key == u"reference"_s
                        ? u"Name the dataset (or file) the model was trained on"_s
                        : u"Name the dataset (or glob, such as data/incoming/*.csv) of new data"_s);
                continue;
            }
            if (auto s = y.expectScalar(v, u"drift \""_s + key + u'"')) {
                // A dataset name, or else a path or glob inside the project.
                *target = s->trimmed();
                if (!project.dataset(*target))
                    checkRelativePath(v, *target, u"drift \""_s + key + u'"');
            }
        }
        if (const auto v = valueOf(node, "test"); v.IsDefined() && !v.IsNull()) {
            if (auto s = y.expectScalar(v, u"drift \"test\""_s)) {
                const QStringList names = drift::testNames();
                if (names.contains(s->trimmed()))
                    d.test = s->trimmed();
                else
                    y.error(v, u"unknown drift test \"%1\""_s.arg(*s),
                            suggestion(*s, names, u"Tests: %1"_s.arg(names.join(u", "_s))));
            }
        }
        auto readNumber = [&](const char *key, double low, double high,
                              bool lowOpen) -> std::optional<double> {
            const auto v = valueOf(node, key);
            if (!v.IsDefined() || v.IsNull())
                return std::nullopt;
            const QString what = u"drift \"%1\""_s.arg(QLatin1StringView(key));
            auto s = y.expectScalar(v, what);
            if (!s)
                return std::nullopt;
            bool okNumber = false;
            const double x = s->trimmed().toDouble(&okNumber);
            if (!okNumber || !std::isfinite(x) || x > high || (lowOpen ? x <= low : x < low)) {
                y.error(v, u"%1 must be a number %2 %3 and at most %4, not \"%5\""_s.arg(
                               what, lowOpen ? u"above"_s : u"from"_s, QString::number(low),
                               QString::number(high), *s));
                return std::nullopt;
            }
            return x;
        };
        d.threshold = readNumber("threshold", 0, 1e300, false);
        if (auto share = readNumber("drift_share", 0, 1, true))
            d.driftShare = *share;
        if (const auto v = valueOf(node, "binning"); v.IsDefined() && !v.IsNull()) {
            if (auto s = y.expectScalar(v, u"drift \"binning\""_s)) {
                const QString b = s->trimmed();
                if (b == u"evidently"_s || b == u"reference"_s)
                    d.binning = b;
                else
                    y.error(
                        v,
                        u"drift \"binning\" must be \"evidently\" or \"reference\", not \"%1\""_s
                            .arg(b),
                        u"\"evidently\" bins as Evidently does; \"reference\" bins on the "
                        u"reference alone "
                        "and reuses its stored profile for every batch"_s);
            }
        }
        if (const auto v = valueOf(node, "column_types"); v.IsDefined() && !v.IsNull()) {
            if (y.expectMap(v, u"drift \"column_types\""_s)) {
                y.checkDuplicateKeys(v, u"drift \"column_types\""_s);
                for (auto it = v.begin(); it != v.end(); ++it) {
                    const YAML::Node keyNode = it->first;
                    const YAML::Node valueNode = it->second;
                    const QString column = toQString(keyNode.Scalar());
                    auto kind =
                        y.expectScalar(valueNode, u"the type of column \"%1\""_s.arg(column));
                    if (!kind)
                        continue;
                    if (!drift::kindFromName(kind->trimmed()))
                        y.error(valueNode,
                                u"column type \"%1\" is not one Cairn knows"_s.arg(*kind),
                                u"Use numerical, categorical or text"_s);
                    else
                        d.columnTypes.append({column, kind->trimmed()});
                }
            }
        }
        if (const auto v = valueOf(node, "ignore"); v.IsDefined() && !v.IsNull()) {
            if (auto list = y.expectScalarOrList(v, u"drift \"ignore\""_s))
                d.ignore = *list;
        }
        if (const auto v = valueOf(node, "retrain"); v.IsDefined() && !v.IsNull())
            readRetrain(v, d);
        project.drift = d;
    }

    void readRetrain(const YAML::Node &node, DriftSettings &d)
    {
        const QString ctx = u"drift \"retrain\""_s;
        if (!y.expectMap(node, ctx))
            return;
        y.checkKeys(node, {u"entry_point"_s, u"pipeline"_s, u"parameters"_s}, ctx);
        RetrainSettings r;
        r.location = y.where(node);
        const auto ep = valueOf(node, "entry_point");
        const auto pl = valueOf(node, "pipeline");
        const bool hasEntry = ep.IsDefined() && !ep.IsNull();
        const bool hasPipeline = pl.IsDefined() && !pl.IsNull();
        if (hasEntry == hasPipeline) {
            y.error(hasEntry ? keyOf(node, "pipeline") : node,
                    hasEntry ? ctx + u" has both \"entry_point\" and \"pipeline\""_s
                             : ctx + u" has no \"entry_point\""_s,
                    hasEntry ? u"Keep one: a pipeline can run the entry point as one of its steps"_s
                             : u"Name the entry point that trains the model, such as `entry_point: "
                               "train`, or a pipeline, such as `pipeline: retrain`"_s);
            return;
        }
        auto name = y.expectScalar(hasEntry ? ep : pl,
                                   ctx + (hasEntry ? u" \"entry_point\""_s : u" \"pipeline\""_s));
        if (!name)
            return;
        QStringList declared;
        QString owner;
        if (hasPipeline) {
            r.pipeline = name->trimmed();
            const PipelineSpec *pipeline = project.pipeline(r.pipeline);
            if (!pipeline) {
                QStringList names;
                for (const PipelineSpec &p : project.pipelines)
                    names.append(p.name);
                y.error(pl, u"the retrain pipeline \"%1\" is not declared"_s.arg(r.pipeline),
                        suggestion(r.pipeline, names, u"Declare it under `pipelines:`"_s));
                return;
            }
            for (const Parameter &p : pipeline->parameters)
                declared.append(p.name);
            owner = u"pipeline \"%1\""_s.arg(r.pipeline);
        } else {
            r.entryPoint = name->trimmed();
            const EntryPoint *entry = project.entryPoint(r.entryPoint);
            if (!entry) {
                QStringList names;
                for (const EntryPoint &e : project.entryPoints)
                    names.append(e.name);
                y.error(ep, u"the retrain entry point \"%1\" is not declared"_s.arg(r.entryPoint),
                        suggestion(r.entryPoint, names, u"Declare it under `entry_points:`"_s));
                return;
            }
            for (const Parameter &p : entry->parameters)
                declared.append(p.name);
            owner = u"entry point \"%1\""_s.arg(r.entryPoint);
        }
        if (const auto params = valueOf(node, "parameters");
            params.IsDefined() && !params.IsNull()) {
            if (y.expectMap(params, ctx + u" \"parameters\""_s)) {
                y.checkDuplicateKeys(params, ctx + u" \"parameters\""_s);
                for (auto it = params.begin(); it != params.end(); ++it) {
                    const YAML::Node keyNode = it->first;
                    const YAML::Node valueNode = it->second;
                    const QString pname = toQString(keyNode.Scalar());
                    if (!declared.contains(pname)) {
                        y.error(keyNode, u"%1 has no parameter \"%2\""_s.arg(owner, pname),
                                suggestion(pname, declared,
                                           u"Its parameters: %1"_s.arg(declared.join(u", "_s))));
                        continue;
                    }
                    auto value =
                        y.expectScalar(valueNode, u"retrain parameter \"%1\""_s.arg(pname));
                    if (!value)
                        continue;
                    QString rest = *value;
                    rest.replace(u"{current}"_s, QString()).replace(u"{reference}"_s, QString());
                    if (rest.contains(u'{') || rest.contains(u'}')) {
                        y.error(
                            valueNode,
                            u"retrain parameter \"%1\" has a placeholder Cairn does not know: \"%2\""_s
                                .arg(pname, *value),
                            u"Use {current} for the batch to train on and {reference} for the reference"_s);
                        continue;
                    }
                    r.parameters.append({pname, *value});
                }
            }
        }
        d.retrain = r;
    }

    static QString suggestion(const QString &word, const QStringList &candidates,
                              const QString &otherwise)
    {
        const QString close = closestMatch(word, candidates);
        return close.isEmpty() ? otherwise : u"Did you mean \"%1\"?"_s.arg(close);
    }

    YamlFile y;
    Project project;
};

} // namespace

void readParameterDeclarations(YamlFile &y, const YAML::Node &node, const QString &owner,
                               QList<Parameter> &out)
{
    const QString ctx = u"the parameters of %1"_s.arg(owner);
    if (!y.expectMap(node, ctx))
        return;
    y.checkDuplicateKeys(node, ctx);
    for (auto it = node.begin(); it != node.end(); ++it) {
        Parameter p;
        p.name = toQString(it->first.Scalar());
        p.location = y.where(it->first);
        if (!paramNameRe().match(p.name).hasMatch()) {
            y.error(it->first,
                    u"parameter name \"%1\" must start with a letter or '_' and use only "
                    "letters, digits, '_' and '-'"_s.arg(p.name));
            continue;
        }
        const QString pctx = u"parameter \"%1\" of %2"_s.arg(p.name, owner);
        const YAML::Node body = it->second; // a copy: `->` yields a temporary proxy
        if (!body.IsScalar() && !body.IsMap()) {
            y.error(body, u"%1 must be a type (such as `int`) or a mapping with `type` and "
                          "`default`, but it is %2"_s.arg(pctx, YamlFile::describe(body)));
            continue;
        }
        // `epochs: int` or `epochs: {type: int, default: 10, description: ...}`
        const YAML::Node typeNode = body.IsScalar() ? body : valueOf(body, "type");
        const YAML::Node defaultNode = valueOf(body, "default");
        if (body.IsMap()) {
            y.checkKeys(body, {u"type"_s, u"default"_s, u"description"_s}, pctx);
            if (const auto d = body["description"]; d.IsDefined() && !d.IsNull()) {
                if (auto s = y.expectScalar(d, u"the description of "_s + pctx))
                    p.description = s->trimmed();
            }
        }
        if (typeNode.IsDefined() && !typeNode.IsNull()) {
            const auto t = y.expectScalar(typeNode, u"the type of "_s + pctx);
            if (!t)
                continue;
            const auto type = paramTypeFromName(*t);
            if (!type || *type == ParamType::Uri) {
                // Reported once; the parameter stays declared so its placeholder does not
                // give a second, misleading error.
                y.error(typeNode, u"%1 has unknown type \"%2\""_s.arg(pctx, *t),
                        u"Use one of %1"_s.arg(cairnParamTypeNames()));
                out.append(p);
                continue;
            }
            p.type = *type;
        }
        if (defaultNode.IsDefined() && !defaultNode.IsNull()) {
            const auto d = y.expectScalar(defaultNode, u"the default of "_s + pctx);
            if (!d)
                continue;
            const auto checked = checkParameterValue(p, *d);
            if (!checked) {
                y.error(defaultNode, u"the default of "_s + checked.error().message,
                        checked.error().hint);
                out.append(p);
                continue;
            }
            p.defaultValue = *checked;
        }
        out.append(p);
    }
}

std::expected<Project, Errors> parseCairnYaml(const QString &filePath, const QByteArray &bytes,
                                              const QString &rootDir)
{
    return CairnYamlReader(filePath, rootDir).read(bytes);
}

} // namespace cairn
