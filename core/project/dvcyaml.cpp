// Reader for DVC pipeline files (dvc.yaml): every stage becomes an entry point, with
// foreach/matrix stages expanded and ${...} templating resolved from `vars` and params.yaml the
// way DVC's dvc/parsing does it for the common cases.

#include "projectfile.h"
#include "yamlsupport.h"

#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

bool isScalar(const YAML::Node &n)
{
    return n.IsDefined() && n.IsScalar();
}

// Looks up a dotted path ("train.lr", "item.0") below `node`. yaml-cpp's Node assignment
// writes through to the document, so the walk rebinds with reset() and reads through const
// references only.
YAML::Node walkPath(const YAML::Node &node, const QStringList &parts, qsizetype from)
{
    YAML::Node cur;
    cur.reset(node);
    for (qsizetype i = from; i < parts.size(); ++i) {
        const YAML::Node &c = cur;
        if (c.IsMap()) {
            const YAML::Node next = c[parts[i].toStdString()];
            if (!next.IsDefined())
                return YAML::Node(YAML::NodeType::Undefined);
            cur.reset(next);
        } else if (c.IsSequence()) {
            bool ok = false;
            const int idx = parts[i].toInt(&ok);
            if (!ok || idx < 0 || std::size_t(idx) >= c.size())
                return YAML::Node(YAML::NodeType::Undefined);
            cur.reset(c[std::size_t(idx)]);
        } else {
            return YAML::Node(YAML::NodeType::Undefined);
        }
    }
    return cur;
}

YAML::Node lookup(const QList<std::pair<QString, YAML::Node>> &scopes, const QString &path)
{
    const QStringList parts = path.split(u'.');
    for (const auto &[name, node] : scopes) {
        if (!name.isEmpty() && parts.first() != name)
            continue;
        const YAML::Node found = walkPath(node, parts, name.isEmpty() ? 0 : 1);
        if (found.IsDefined())
            return found;
    }
    return YAML::Node(YAML::NodeType::Undefined);
}

bool looksLikeCode(const QString &path)
{
    static const QStringList ext = {u"py"_s,    u"sh"_s,  u"r"_s,    u"ipynb"_s, u"jl"_s,
                                    u"js"_s,    u"ts"_s,  u"cpp"_s,  u"c"_s,     u"java"_s,
                                    u"scala"_s, u"sql"_s, u"yaml"_s, u"yml"_s,   u"toml"_s,
                                    u"cfg"_s,   u"ini"_s};
    return ext.contains(QFileInfo(path).suffix().toLower());
}

bool looksLikeModel(const QString &path)
{
    static const QStringList ext = {
        u"pkl"_s,         u"pickle"_s, u"joblib"_s, u"pt"_s,    u"pth"_s,  u"onnx"_s,
        u"safetensors"_s, u"h5"_s,     u"hdf5"_s,   u"keras"_s, u"ckpt"_s, u"bin"_s,
        u"model"_s,       u"pb"_s,     u"tflite"_s, u"cbm"_s,   u"ubj"_s,  u"gguf"_s};
    return ext.contains(QFileInfo(path).suffix().toLower()) ||
           QFileInfo(path).fileName().contains(u"model"_s, Qt::CaseInsensitive);
}

class DvcReader
{
public:
    DvcReader(const QString &path, const QString &root)
        : y(path)
    {
        project.rootDir = root;
        project.projectFile = path;
        project.format = ProjectFormat::Dvc;
        project.name = QFileInfo(root).fileName();
    }

    std::expected<Project, Errors> read(const QByteArray &bytes, const QByteArray &paramsYaml)
    {
        const auto doc = y.parse(bytes);
        if (!doc)
            return std::unexpected(y.takeErrors());
        const YAML::Node &root = *doc;
        if (root.IsNull())
            return project;
        if (!y.expectMap(root, u"dvc.yaml"_s))
            return std::unexpected(y.takeErrors());
        y.checkKeys(root,
                    {u"stages"_s, u"vars"_s, u"params"_s, u"metrics"_s, u"plots"_s, u"artifacts"_s,
                     u"datasets"_s},
                    u"dvc.yaml"_s, false);

        if (!paramsYaml.isEmpty()) {
            try {
                const YAML::Node params = YAML::Load(paramsYaml.toStdString());
                if (params.IsMap())
                    globals.append({QString(), params});
            } catch (const YAML::Exception &e) {
                y.warning(root, u"params.yaml could not be read (%1); ${...} values from it "
                                "stay unresolved"_s.arg(toQString(e.msg)));
            }
        }
        if (const YAML::Node vars = valueOf(root, "vars"); vars.IsSequence()) {
            for (const YAML::Node &v : vars) {
                if (v.IsMap())
                    globals.prepend({QString(), v});
                // File references in vars (other params files) are not loaded.
            }
        }

        const YAML::Node stages = valueOf(root, "stages");
        if (stages.IsDefined() && !stages.IsNull() && y.expectMap(stages, u"\"stages\""_s)) {
            y.checkDuplicateKeys(stages, u"\"stages\""_s);
            for (auto it = stages.begin(); it != stages.end(); ++it)
                readStage(toQString(it->first.Scalar()), it->first, it->second);
        }
        if (!y.errors().isEmpty())
            return std::unexpected(y.takeErrors());
        project.warnings = y.takeWarnings();
        return project;
    }

private:
    void readStage(const QString &name, const YAML::Node &keyNode, const YAML::Node &body)
    {
        const QString ctx = u"stage \"%1\""_s.arg(name);
        if (!y.expectMap(body, ctx))
            return;
        if (const YAML::Node fe = valueOf(body, "foreach"); fe.IsDefined()) {
            const YAML::Node doNode = valueOf(body, "do");
            if (!doNode.IsDefined() || !doNode.IsMap()) {
                y.error(keyNode, u"%1 has `foreach` but no `do` mapping"_s.arg(ctx));
                return;
            }
            const YAML::Node items = fe.IsScalar() ? resolveWhole(fe, {}) : fe;
            if (items.IsSequence()) {
                for (std::size_t i = 0; i < items.size(); ++i) {
                    const YAML::Node item = items[i];
                    const QString suffix =
                        isScalar(item) ? toQString(item.Scalar()) : QString::number(i);
                    addStage(name + u'@' + suffix, keyNode, doNode,
                             {{u"item"_s, item}, {u"key"_s, YAML::Node(std::to_string(i))}});
                }
            } else if (items.IsMap()) {
                for (auto it = items.begin(); it != items.end(); ++it)
                    addStage(name + u'@' + toQString(it->first.Scalar()), keyNode, doNode,
                             {{u"item"_s, it->second}, {u"key"_s, it->first}});
            } else {
                y.warning(
                    fe,
                    u"the foreach of %1 could not be expanded; the stage is skipped"_s.arg(ctx));
            }
            return;
        }
        if (const YAML::Node mx = valueOf(body, "matrix"); mx.IsDefined()) {
            if (!y.expectMap(mx, u"the matrix of "_s + ctx))
                return;
            // Cartesian product, named as DVC names them: scalar values by their text, others
            // by the variable name and index, joined with '-'.
            QList<std::tuple<QString, YAML::Node>> axes;
            for (auto it = mx.begin(); it != mx.end(); ++it) {
                YAML::Node values =
                    it->second.IsScalar() ? resolveWhole(it->second, {}) : it->second;
                if (!values.IsSequence()) {
                    y.warning(it->second, u"a matrix axis of %1 is not a list; the stage is "
                                          "skipped"_s.arg(ctx));
                    return;
                }
                axes.append({toQString(it->first.Scalar()), values});
            }
            QList<std::size_t> idx(axes.size(), 0);
            while (true) {
                YAML::Node item(YAML::NodeType::Map);
                QStringList parts;
                bool empty = false;
                for (qsizetype a = 0; a < axes.size(); ++a) {
                    const auto &[axisName, values] = axes[a];
                    if (values.size() == 0) {
                        empty = true;
                        break;
                    }
                    const YAML::Node v = values[idx[a]];
                    item[axisName.toStdString()] = v;
                    parts.append(isScalar(v) ? toQString(v.Scalar())
                                             : axisName + QString::number(idx[a]));
                }
                if (empty)
                    return;
                addStage(name + u'@' + parts.join(u'-'), keyNode, body, {{u"item"_s, item}});
                qsizetype a = axes.size() - 1;
                while (a >= 0 && ++idx[a] == std::get<1>(axes[a]).size()) {
                    idx[a] = 0;
                    --a;
                }
                if (a < 0)
                    break;
            }
            return;
        }
        addStage(name, keyNode, body, {});
    }

    void addStage(const QString &name, const YAML::Node &keyNode, const YAML::Node &body,
                  const QList<std::pair<QString, YAML::Node>> &locals)
    {
        const QString ctx = u"stage \"%1\""_s.arg(name);
        y.checkKeys(body,
                    {u"cmd"_s, u"wdir"_s, u"deps"_s, u"params"_s, u"outs"_s, u"metrics"_s,
                     u"plots"_s, u"frozen"_s, u"always_changed"_s, u"desc"_s, u"meta"_s, u"vars"_s,
                     u"name"_s, u"matrix"_s},
                    ctx, false);
        EntryPoint ep;
        ep.name = name;
        ep.location = y.where(keyNode);
        const YAML::Node cmd = valueOf(body, "cmd");
        QStringList commands;
        if (cmd.IsScalar()) {
            commands.append(interpolate(cmd, locals));
        } else if (cmd.IsSequence()) {
            for (const YAML::Node &c : cmd) {
                if (c.IsScalar())
                    commands.append(interpolate(c, locals));
            }
        }
        if (commands.isEmpty()) {
            y.error(keyNode, u"%1 has no `cmd`"_s.arg(ctx), u"Add the command the stage runs"_s);
            return;
        }
        // DVC runs list commands one after another and stops at the first failure.
        ep.command = commands.join(u" && "_s);
        // A Cairn entry point's command is a template; escape literal braces.
        ep.command.replace(u'{', u"{{"_s).replace(u'}', u"}}"_s);
        if (const YAML::Node d = valueOf(body, "desc"); d.IsScalar())
            ep.description = interpolate(d, locals);
        if (const YAML::Node w = valueOf(body, "wdir"); w.IsScalar()) {
            const QString wdir = QDir::cleanPath(interpolate(w, locals));
            if (QDir::isAbsolutePath(wdir) || wdir == u".."_s || wdir.startsWith(u"../"_s)) {
                y.error(w, u"the wdir of %1 must stay inside the project folder, but \"%2\" does "
                           "not"_s.arg(ctx, wdir));
                return;
            }
            ep.workingDirectory = wdir == u"."_s ? QString() : wdir;
        }
        project.entryPoints.append(ep);

        const QString prefix = ep.workingDirectory.isEmpty() || ep.workingDirectory == u"."_s
                                   ? QString()
                                   : ep.workingDirectory + u'/';
        auto collect = [&](const char *key, bool isInput) {
            const YAML::Node list = valueOf(body, key);
            if (!list.IsSequence())
                return;
            for (const YAML::Node &entry : list) {
                QString path;
                if (entry.IsScalar())
                    path = interpolate(entry, locals);
                else if (entry.IsMap() && entry.size() == 1)
                    path = interpolate(entry.begin()->first, locals);
                if (path.isEmpty() || path.contains(u"${"_s))
                    continue;
                path = QDir::cleanPath(prefix + path);
                if (path.startsWith(u"../"_s))
                    continue; // outside the project
                if (isInput && looksLikeCode(path))
                    continue;
                addArtifact(path, y.where(entry));
            }
        };
        collect("deps", true);
        collect("outs", false);
    }

    void addArtifact(const QString &path, SourceLocation where)
    {
        if (looksLikeModel(path)) {
            if (!project.model(path))
                project.models.append(ModelSpec{path, {path}, {}, where});
        } else if (!project.dataset(path)) {
            project.datasets.append(DatasetSpec{path, {path}, {}, {}, where});
        }
    }

    // A scalar that is exactly "${name}" resolves to the node it names (for foreach/matrix).
    YAML::Node resolveWhole(const YAML::Node &node,
                            const QList<std::pair<QString, YAML::Node>> &locals)
    {
        static const QRegularExpression whole(u"^\\$\\{\\s*([^}]+?)\\s*\\}$"_s);
        const auto m = whole.match(toQString(node.Scalar()));
        if (!m.hasMatch())
            return node;
        auto scopes = locals;
        scopes += globals;
        const YAML::Node found = lookup(scopes, m.captured(1));
        if (!found.IsDefined()) {
            y.warning(node, u"${%1} is not defined in vars or params.yaml"_s.arg(m.captured(1)));
            return node;
        }
        return found;
    }

    QString interpolate(const YAML::Node &node, const QList<std::pair<QString, YAML::Node>> &locals)
    {
        static const QRegularExpression ref(u"\\$\\{\\s*([^}]+?)\\s*\\}"_s);
        const QString text = toQString(node.Scalar());
        auto scopes = locals;
        scopes += globals;
        QString out;
        qsizetype pos = 0;
        auto it = ref.globalMatch(text);
        while (it.hasNext()) {
            const auto m = it.next();
            out += text.mid(pos, m.capturedStart() - pos);
            const YAML::Node v = lookup(scopes, m.captured(1));
            if (v.IsDefined() && v.IsScalar()) {
                out += toQString(v.Scalar());
            } else {
                out += m.captured(0);
                y.warning(node, u"${%1} could not be resolved from vars, params.yaml or the "
                                "foreach item; it is left as written"_s.arg(m.captured(1)));
            }
            pos = m.capturedEnd();
        }
        out += text.mid(pos);
        return out;
    }

    YamlFile y;
    Project project;
    QList<std::pair<QString, YAML::Node>> globals;
};

} // namespace

std::expected<Project, Errors> parseDvcYaml(const QString &filePath, const QByteArray &bytes,
                                            const QString &rootDir, const QByteArray &paramsYaml)
{
    return DvcReader(filePath, rootDir).read(bytes, paramsYaml);
}

} // namespace cairn
