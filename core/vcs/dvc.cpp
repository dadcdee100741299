#include "dvc.h"

#include "project/yamlsupport.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

using namespace Qt::StringLiterals;

namespace cairn::dvc {

namespace {

Error firstError(YamlFile &yaml, const QString &file)
{
    Errors errors = yaml.takeErrors();
    return errors.isEmpty() ? Error(u"cannot read this DVC file"_s, file) : errors.first();
}

bool isHexMd5(const QString &s)
{
    static const QRegularExpression re(u"^[0-9a-f]{32}(\\.dir)?$"_s);
    return re.match(s).hasMatch();
}

// One entry of an `outs:` list.
std::optional<Out> parseOut(YamlFile &yaml, const YAML::Node &node, const QString &context)
{
    if (!yaml.expectMap(node, context))
        return std::nullopt;
    Out out;
    const YAML::Node path = valueOf(node, "path");
    if (!path) {
        yaml.error(node, u"%1 has no path"_s.arg(context),
                   u"Every output names its file or folder with `path:`"_s);
        return std::nullopt;
    }
    const auto pathText = yaml.expectScalar(path, u"the path of %1"_s.arg(context));
    if (!pathText)
        return std::nullopt;
    out.path = *pathText;
    const YAML::Node md5 = valueOf(node, "md5");
    if (!md5) {
        const bool remote = valueOf(node, "etag") || valueOf(node, "checksum");
        yaml.error(node, u"output \"%1\" has no md5"_s.arg(out.path),
                   remote ? u"It is tracked by a cloud version id, not in a local cache"_s
                          : u"Run `dvc commit` so that DVC records the output's hash"_s);
        return std::nullopt;
    }
    const auto md5Text = yaml.expectScalar(md5, u"the md5 of \"%1\""_s.arg(out.path));
    if (!md5Text)
        return std::nullopt;
    out.md5 = md5Text->toLower();
    if (!isHexMd5(out.md5)) {
        yaml.error(md5, u"\"%1\" is not an md5 hash (32 hexadecimal digits)"_s.arg(*md5Text));
        return std::nullopt;
    }
    const YAML::Node hash = valueOf(node, "hash");
    out.legacy = !hash || toQString(hash.Scalar()) != u"md5"_s;
    bool ok = false;
    if (const YAML::Node size = valueOf(node, "size"); size && size.IsScalar()) {
        const qint64 v = toQString(size.Scalar()).toLongLong(&ok);
        out.size = ok ? v : -1;
    }
    if (const YAML::Node n = valueOf(node, "nfiles"); n && n.IsScalar()) {
        const qint64 v = toQString(n.Scalar()).toLongLong(&ok);
        out.nfiles = ok ? v : -1;
    }
    return out;
}

bool parseOutList(YamlFile &yaml, const YAML::Node &list, const QString &stage, QList<Out> &outs)
{
    if (!list)
        return true;
    if (!list.IsSequence()) {
        yaml.error(list, u"`outs` must be a list, not %1"_s.arg(YamlFile::describe(list)));
        return false;
    }
    bool good = true;
    for (const YAML::Node &item : list) {
        auto out =
            parseOut(yaml, item,
                     stage.isEmpty() ? u"an output"_s : u"an output of stage \"%1\""_s.arg(stage));
        if (!out) {
            good = false;
            continue;
        }
        out->stage = stage;
        outs.append(*out);
    }
    return good;
}

QByteArray dos2unixChunked(QFile &f, bool text, QCryptographicHash &hash)
{
    while (!f.atEnd()) {
        QByteArray chunk = f.read(1 << 20);
        if (chunk.isEmpty())
            break;
        if (text)
            chunk.replace("\r\n", "\n"); // per chunk, as DVC 2.x did
        hash.addData(chunk);
    }
    return hash.result().toHex();
}

// DVC 2.x's istextfile: the first 512 bytes hold no NUL and at most 30 % unusual bytes.
bool looksLikeText(const QByteArray &head)
{
    if (head.isEmpty())
        return true;
    if (head.contains('\0'))
        return false;
    qsizetype unusual = 0;
    for (const char c : head) {
        const auto u = static_cast<unsigned char>(c);
        const bool usual =
            (u >= 32 && u < 127) || u == '\n' || u == '\r' || u == '\t' || u == '\f' || u == '\b';
        unusual += usual ? 0 : 1;
    }
    return double(unusual) / double(head.size()) <= 0.30;
}

// `dir = …` in the [cache] section of a DVC config file.
std::optional<QString> configuredCacheDir(const QString &configPath)
{
    QFile f(configPath);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    bool inCache = false;
    std::optional<QString> dir;
    for (const QByteArray &raw : f.readAll().split('\n')) {
        const QString line = QString::fromUtf8(raw).trimmed();
        if (line.startsWith(u'[')) {
            inCache = line == u"[cache]"_s || line == u"['cache']"_s;
            continue;
        }
        if (!inCache)
            continue;
        const qsizetype eq = line.indexOf(u'=');
        if (eq > 0 && line.left(eq).trimmed() == u"dir"_s) {
            QString value = line.mid(eq + 1).trimmed();
            if (value.size() >= 2 && (value.front() == u'\'' || value.front() == u'"') &&
                value.back() == value.front())
                value = value.mid(1, value.size() - 2); // configobj's quoting
            dir = value;
        }
    }
    return dir;
}

} // namespace

Result<QList<Out>> parseDvcFile(const QByteArray &text, const QString &file)
{
    YamlFile yaml(file);
    const auto root = yaml.parse(text);
    if (!root)
        return fail(firstError(yaml, file));
    if (!root->IsMap())
        return fail(Error(u"a .dvc file is a mapping with an `outs:` list"_s, file, 1, 1));
    QList<Out> outs;
    if (!parseOutList(yaml, valueOf(*root, "outs"), {}, outs))
        return fail(firstError(yaml, file));
    return outs;
}

Result<QList<Out>> parseDvcLock(const QByteArray &text, const QString &file)
{
    YamlFile yaml(file);
    const auto root = yaml.parse(text);
    if (!root)
        return fail(firstError(yaml, file));
    if (!root->IsMap())
        return fail(Error(u"dvc.lock is a mapping of stages"_s, file, 1, 1));
    // Schema 2.0 keeps the stages under `stages:`; DVC 1.x put them at the top level.
    const YAML::Node stages = valueOf(*root, "stages");
    const YAML::Node &map = stages ? stages : *root;
    if (!map.IsMap())
        return fail(Error(u"`stages` must be a mapping"_s, file, yaml.where(map).line,
                          yaml.where(map).column));
    QList<Out> outs;
    bool good = true;
    for (const auto &kv : map) {
        const QString name = toQString(kv.first.Scalar());
        if (!stages && name == u"schema"_s)
            continue;
        if (!kv.second.IsMap())
            continue;
        good = parseOutList(yaml, valueOf(kv.second, "outs"), name, outs) && good;
    }
    if (!good)
        return fail(firstError(yaml, file));
    return outs;
}

Result<QList<DirEntry>> parseDirManifest(const QByteArray &json, const QString &file)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (err.error != QJsonParseError::NoError || !doc.isArray())
        return fail(Error(u"this DVC directory manifest is not a JSON list: %1"_s.arg(
                              err.error != QJsonParseError::NoError ? err.errorString()
                                                                    : u"another value"_s),
                          file)
                        .withHint(u"The cache object may be damaged: `dvc fetch` it again"_s));
    QList<DirEntry> entries;
    for (const QJsonValue &v : doc.array()) {
        const QJsonObject o = v.toObject();
        DirEntry e{o.value(u"relpath"_s).toString(), o.value(u"md5"_s).toString().toLower()};
        if (e.relpath.isEmpty() || !isHexMd5(e.md5))
            return fail(
                Error(u"an entry of this DVC directory manifest lacks relpath or md5"_s, file));
        entries.append(e);
    }
    return entries;
}

QString cacheDir(const QString &repoRoot)
{
    const QDir dvcDir(QDir(repoRoot).filePath(u".dvc"_s));
    for (const QString &name : {u"config.local"_s, u"config"_s}) {
        if (const auto dir = configuredCacheDir(dvcDir.filePath(name)))
            return QDir::cleanPath(dvcDir.absoluteFilePath(*dir));
    }
    return dvcDir.filePath(u"cache"_s);
}

std::optional<QString> cacheObjectPath(const QString &cache, const QString &md5, bool legacy)
{
    if (md5.size() < 3)
        return std::nullopt;
    const QString rest = md5.mid(2);
    const QString current = QDir(cache).filePath(u"files/md5/%1/%2"_s.arg(md5.left(2), rest));
    const QString old = QDir(cache).filePath(u"%1/%2"_s.arg(md5.left(2), rest));
    for (const QString &p : legacy ? QStringList{old, current} : QStringList{current, old}) {
        if (QFileInfo(p).isFile())
            return p;
    }
    return std::nullopt;
}

Result<QString> fileMd5(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error(u"cannot read: %1"_s.arg(f.errorString()), path));
    QCryptographicHash hash(QCryptographicHash::Md5);
    return QString::fromLatin1(dos2unixChunked(f, false, hash));
}

QString bytesMd5(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex());
}

Result<QString> fileMd5Dos2Unix(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error(u"cannot read: %1"_s.arg(f.errorString()), path));
    const bool text = looksLikeText(f.peek(512));
    QCryptographicHash hash(QCryptographicHash::Md5);
    return QString::fromLatin1(dos2unixChunked(f, text, hash));
}

} // namespace cairn::dvc
