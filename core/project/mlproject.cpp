// Reader for MLflow's MLproject files, following mlflow/projects/_project_spec.py: lenient
// where MLflow is lenient (unknown keys and types are warnings), strict where it fails.

#include "placeholders.h"
#include "projectfile.h"
#include "pyyaml.h"
#include "yamlsupport.h"

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace cairn {

std::expected<Project, Errors> parseMLproject(const QString &filePath, const QByteArray &bytes,
                                              const QString &rootDir)
{
    YamlFile y(filePath);
    Project project;
    project.rootDir = rootDir;
    project.projectFile = filePath;
    project.format = ProjectFormat::MLproject;
    project.name = QFileInfo(rootDir).fileName();

    const auto doc = y.parse(bytes);
    if (!doc)
        return std::unexpected(y.takeErrors());
    const YAML::Node &root = *doc;
    if (root.IsNull())
        return project; // MLflow accepts an empty MLproject: no entry points
    if (!y.expectMap(root, u"the MLproject file"_s))
        return std::unexpected(y.takeErrors());

    y.checkKeys(root,
                {u"name"_s, u"entry_points"_s, u"conda_env"_s, u"python_env"_s, u"docker_env"_s,
                 u"databricks_spark_job"_s},
                u"the MLproject file"_s, /*unknownIsError=*/false);
    int envKeys = 0;
    for (const char *k : {"conda_env", "python_env", "docker_env"})
        envKeys += root[k].IsDefined() ? 1 : 0;
    if (envKeys > 1)
        y.error(root,
                u"the MLproject file declares more than one of conda_env, python_env and "
                "docker_env"_s,
                u"Keep only one environment, as MLflow requires"_s);
    if (root["docker_env"].IsDefined())
        y.warning(keyOf(root, "docker_env"),
                  u"docker_env is not used: Cairn runs the commands on this machine"_s);

    if (const auto n = root["name"]; n.IsDefined() && !n.IsNull()) {
        if (auto s = y.expectScalar(n, u"\"name\""_s))
            project.name = *s;
    }

    const YAML::Node eps = root["entry_points"];
    if (eps.IsDefined() && !eps.IsNull() && y.expectMap(eps, u"\"entry_points\""_s)) {
        y.checkDuplicateKeys(eps, u"\"entry_points\""_s);
        for (auto it = eps.begin(); it != eps.end(); ++it) {
            EntryPoint ep;
            ep.name = toQString(it->first.Scalar());
            ep.location = y.where(it->first);
            const QString ctx = u"entry point \"%1\""_s.arg(ep.name);
            const YAML::Node body = it->second; // a copy: `->` yields a temporary proxy
            if (!y.expectMap(body, ctx))
                continue;
            y.checkKeys(body, {u"command"_s, u"parameters"_s}, ctx, false);
            const YAML::Node cmd = body["command"];
            if (!cmd.IsDefined() || cmd.IsNull()) {
                y.error(it->first, u"%1 has no command"_s.arg(ctx),
                        u"Add `command: \"python %1.py\"`"_s.arg(ep.name));
                continue;
            }
            if (auto s = y.expectScalar(cmd, u"the command of "_s + ctx))
                ep.command = *s;
            else
                continue;

            const YAML::Node params = body["parameters"];
            if (params.IsDefined() && !params.IsNull() &&
                y.expectMap(params, u"the parameters of "_s + ctx)) {
                y.checkDuplicateKeys(params, u"the parameters of "_s + ctx);
                for (auto pit = params.begin(); pit != params.end(); ++pit) {
                    Parameter p;
                    p.name = toQString(pit->first.Scalar());
                    p.location = y.where(pit->first);
                    const QString pctx = u"parameter \"%1\" of %2"_s.arg(p.name, ctx);
                    const YAML::Node pb = pit->second; // a copy: `->` yields a temporary proxy
                    QString typeName = u"string"_s;    // MLflow's default type
                    const YAML::Node typeNode = pb.IsMap() ? valueOf(pb, "type") : pb;
                    if (pb.IsMap()) {
                        y.checkKeys(pb, {u"type"_s, u"default"_s}, pctx, false);
                        const YAML::Node def = pb["default"];
                        if (def.IsDefined() && !def.IsNull()) {
                            if (auto d = y.expectScalar(def, u"the default of "_s + pctx)) {
                                // MLflow substitutes str() of what PyYAML read: `.0` is "0.0",
                                // `true` is "True". Quoted scalars are strings as written.
                                p.defaultValue = def.Tag() == "?" ? pyyamlPlainScalarAsPythonStr(*d)
                                                                  : std::optional<QString>(*d);
                            }
                        }
                    } else if (!pb.IsScalar() && !pb.IsNull()) {
                        y.error(pb, u"%1 must be a type or a mapping with `type` and `default`, "
                                    "but it is %2"_s.arg(pctx, YamlFile::describe(pb)));
                        continue;
                    }
                    if (typeNode.IsDefined() && typeNode.IsScalar())
                        typeName = toQString(typeNode.Scalar());
                    if (const auto t = paramTypeFromName(typeName)) {
                        p.type = *t;
                    } else {
                        y.warning(typeNode.IsDefined() ? typeNode : pit->first,
                                  u"%1 has type \"%2\", which MLflow does not check; it is "
                                  "treated as a string"_s.arg(pctx, typeName));
                    }
                    if (p.defaultValue && p.type != ParamType::Path) {
                        if (const auto c = checkParameterValue(p, *p.defaultValue); !c)
                            y.warning(pb["default"], u"the default of "_s + c.error().message);
                    }
                    ep.parameters.append(p);
                }
            }
            const auto placeholders = findPlaceholders(ep.command);
            if (!placeholders) {
                y.error(cmd, u"the command of %1 has %2"_s.arg(ctx, placeholders.error().message));
                continue;
            }
            for (const Placeholder &ph : *placeholders) {
                if (!ep.parameter(ph.name))
                    y.warning(cmd, u"the command of %1 uses {%2}, which is not a declared "
                                   "parameter; running it fails, as it does in MLflow"_s.arg(
                                       ctx, ph.name));
            }
            project.entryPoints.append(ep);
        }
    }
    if (!y.errors().isEmpty())
        return std::unexpected(y.takeErrors());
    project.warnings = y.takeWarnings();
    return project;
}

} // namespace cairn
