// dvc.yaml and dvc.lock as dvcexp.cpp needs them: the files a revision's pipeline names, and
// what dvc.lock recorded per stage. Lenient: what cannot be read is skipped, syntax errors are
// warnings.

#include "dvcvalues.h"
#include "project/yamlsupport.h"

#include <QDir>
#include <QFileInfo>

#include <cstring>

using namespace Qt::StringLiterals;

namespace cairn::dvc::detail {

QString joinWdir(const QString &wdir, const QString &path)
{
    if (wdir.isEmpty() || wdir == u"."_s)
        return path;
    return QDir::cleanPath(wdir + u'/' + path);
}

void appendUnique(QStringList &list, const QString &item)
{
    if (!item.isEmpty() && !item.contains(u"${"_s) && !list.contains(item))
        list.append(item);
}

// `- path` or `- path: {cache: false, …}` entries.
static QStringList pathsOf(const YAML::Node &list)
{
    QStringList out;
    if (!list.IsSequence())
        return out;
    for (const YAML::Node &item : list) {
        if (item.IsScalar())
            appendUnique(out, toQString(item.Scalar()));
        else if (item.IsMap() && item.size() > 0)
            appendUnique(out, toQString(item.begin()->first.Scalar()));
    }
    return out;
}

static bool looksLikeDataFile(const QString &path)
{
    static const QStringList ext = {u"csv"_s, u"tsv"_s, u"json"_s, u"yaml"_s, u"yml"_s};
    return ext.contains(QFileInfo(path).suffix().toLower());
}

// Top-level `plots:`: paths, or `{id: {x: …, y: …}}` where the id is a file or y maps files to
// columns.
static QStringList topLevelPlots(const YAML::Node &list)
{
    QStringList out;
    if (!list.IsSequence())
        return out;
    for (const YAML::Node &item : list) {
        if (item.IsScalar()) {
            appendUnique(out, toQString(item.Scalar()));
            continue;
        }
        if (!item.IsMap())
            continue;
        for (auto it = item.begin(); it != item.end(); ++it) {
            const QString id = toQString(it->first.Scalar());
            bool named = false;
            for (const char *axis : {"x", "y"}) {
                const YAML::Node files = valueOf(it->second, axis);
                if (!files.IsMap())
                    continue;
                for (auto f = files.begin(); f != files.end(); ++f) {
                    appendUnique(out, toQString(f->first.Scalar()));
                    named = true;
                }
            }
            if (!named && looksLikeDataFile(id))
                appendUnique(out, id);
        }
    }
    return out;
}

DvcYaml parseDvcYaml(const QByteArray &bytes, const QString &label, Errors &warnings)
{
    DvcYaml d;
    YamlFile yaml(label);
    const auto root = yaml.parse(bytes);
    if (!root) {
        warnings += yaml.takeErrors();
        return d;
    }
    if (!root->IsMap())
        return d;
    if (const YAML::Node p = valueOf(*root, "params"); p.IsSequence()) {
        for (const YAML::Node &item : p) {
            if (item.IsScalar())
                appendUnique(d.paramsFiles, toQString(item.Scalar()));
        }
    }
    d.metrics = pathsOf(valueOf(*root, "metrics"));
    d.plots = topLevelPlots(valueOf(*root, "plots"));
    const YAML::Node stages = valueOf(*root, "stages");
    if (!stages.IsMap())
        return d;
    for (auto it = stages.begin(); it != stages.end(); ++it) {
        const YAML::Node body = it->second; // a copy: it-> points into a temporary
        StageDef s;
        s.name = toQString(it->first.Scalar());
        s.templated = valueOf(body, "foreach").IsDefined() || valueOf(body, "matrix").IsDefined();
        const YAML::Node doNode = valueOf(body, "do");
        const YAML::Node &def = doNode.IsMap() ? doNode : body;
        if (const YAML::Node always = valueOf(def, "always_changed"); always.IsScalar())
            s.alwaysChanged = toQString(always.Scalar()) == u"true"_s;
        const QString wdir =
            valueOf(def, "wdir").IsScalar() ? toQString(valueOf(def, "wdir").Scalar()) : QString();
        s.wdir = wdir == u"."_s ? QString() : wdir;
        if (const YAML::Node cmd = valueOf(def, "cmd"); cmd.IsScalar())
            s.cmd = toQString(cmd.Scalar());
        else if (cmd.IsSequence())
            s.cmd = detail::yamlText(cmd);
        if (const YAML::Node params = valueOf(def, "params"); params.IsSequence()) {
            QStringList defaultKeys;
            for (const YAML::Node &item : params) {
                if (item.IsScalar()) {
                    defaultKeys << toQString(item.Scalar());
                } else if (item.IsMap()) {
                    for (auto f = item.begin(); f != item.end(); ++f) {
                        QStringList keys;
                        // A copy: f-> points into a temporary the loop would outlive.
                        if (const YAML::Node listed = f->second; listed.IsSequence()) {
                            for (const YAML::Node &k : listed)
                                keys << detail::yamlText(k);
                        }
                        s.params.append({joinWdir(wdir, toQString(f->first.Scalar())), keys});
                    }
                }
            }
            if (!defaultKeys.isEmpty())
                s.params.prepend({joinWdir(wdir, kParamsYaml), defaultKeys});
        }
        for (const QString &dep : pathsOf(valueOf(def, "deps")))
            s.deps << joinWdir(wdir, dep);
        for (const char *key : {"outs", "metrics", "plots"}) {
            for (const QString &out : pathsOf(valueOf(def, key))) {
                s.outs << joinWdir(wdir, out);
                if (!s.templated && std::strcmp(key, "metrics") == 0)
                    appendUnique(d.metrics, joinWdir(wdir, out));
                if (!s.templated && std::strcmp(key, "plots") == 0)
                    appendUnique(d.plots, joinWdir(wdir, out));
            }
        }
        d.stages.append(s);
    }
    return d;
}

static QList<LockEntry> lockEntries(const YAML::Node &list)
{
    QList<LockEntry> out;
    if (!list.IsSequence())
        return out;
    for (const YAML::Node &item : list) {
        const YAML::Node path = valueOf(item, "path");
        if (!path.IsScalar())
            continue;
        LockEntry e;
        e.path = toQString(path.Scalar());
        if (const YAML::Node md5 = valueOf(item, "md5"); md5.IsScalar())
            e.md5 = toQString(md5.Scalar()).toLower();
        const YAML::Node hash = valueOf(item, "hash");
        e.legacy = !hash.IsScalar() || toQString(hash.Scalar()) != u"md5"_s;
        out.append(e);
    }
    return out;
}

QList<DvcStage> parseLock(const QByteArray &bytes, const QString &label, Errors &warnings)
{
    QList<DvcStage> out;
    YamlFile yaml(label);
    const auto root = yaml.parse(bytes);
    if (!root) {
        warnings += yaml.takeErrors();
        return out;
    }
    if (!root->IsMap()) {
        warnings.append(Error(u"dvc.lock is not a mapping of stages"_s, label, 1, 1));
        return out;
    }
    const YAML::Node stages = valueOf(*root, "stages"); // DVC 1.x: stages at the top level
    const YAML::Node &map = stages.IsDefined() ? stages : *root;
    if (!map.IsMap())
        return out;
    for (auto it = map.begin(); it != map.end(); ++it) {
        if (!it->second.IsMap())
            continue; // `schema: '2.0'` of a 1.x file
        DvcStage s;
        s.name = toQString(it->first.Scalar());
        if (const YAML::Node cmd = valueOf(it->second, "cmd"); cmd.IsScalar())
            s.cmd = toQString(cmd.Scalar());
        else if (cmd.IsSequence())
            s.cmd = detail::yamlText(cmd);
        s.deps = lockEntries(valueOf(it->second, "deps"));
        s.outs = lockEntries(valueOf(it->second, "outs"));
        if (const YAML::Node params = valueOf(it->second, "params"); params.IsMap()) {
            for (auto f = params.begin(); f != params.end(); ++f) {
                ValuesFile vf;
                vf.path = toQString(f->first.Scalar());
                if (f->second.IsMap()) {
                    for (auto k = f->second.begin(); k != f->second.end(); ++k) {
                        const QString key = toQString(k->first.Scalar());
                        vf.usedKeys << key;
                        detail::flattenYaml(k->second, key, vf.values);
                    }
                }
                s.params.append(vf);
            }
        }
        out.append(s);
    }
    return out;
}

} // namespace cairn::dvc::detail
