#include "structdiff.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <xxhash.h>
#include <yaml-cpp/yaml.h>

#include <memory>
#include <optional>

using namespace Qt::StringLiterals;

namespace cairn::diff {

namespace {

constexpr int maxDepth = 256;
constexpr qint64 maxNodes = 250'000; // a sidecar is far smaller; an alias bomb is not

// 1-based line and column of a byte offset.
std::pair<int, int> lineColumn(const QByteArray &bytes, qsizetype offset)
{
    int line = 1, column = 1;
    for (qsizetype i = 0; i < std::min(offset, bytes.size()); ++i) {
        if (bytes[i] == '\n') {
            ++line;
            column = 1;
        } else if ((quint8(bytes[i]) & 0xC0) != 0x80) {
            ++column; // count characters, not UTF-8 continuation bytes
        }
    }
    return {line, column};
}

Result<QJsonValue> parseJson(const QByteArray &bytes, const QString &name)
{
    QJsonParseError e;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &e);
    if (e.error != QJsonParseError::NoError) {
        const auto [line, column] = lineColumn(bytes, e.offset);
        return fail(Error(u"JSON syntax error: %1"_s.arg(e.errorString()), name, line, column)
                        .withHint(u"Fix the file, or compare it as an opaque file"_s));
    }
    if (doc.isArray())
        return QJsonValue(doc.array());
    return QJsonValue(doc.object());
}

struct YamlConverter
{
    QString name;
    qint64 nodes = 0;

    Result<QJsonValue> convert(const YAML::Node &node, int depth)
    {
        if (++nodes > maxNodes || depth > maxDepth) {
            const YAML::Mark m = node.Mark();
            return fail(Error(
                nodes > maxNodes
                    ? u"the YAML document expands to more than %1 values (aliases?)"_s.arg(maxNodes)
                    : u"the YAML document nests deeper than %1 levels"_s.arg(maxDepth),
                name, m.line + 1, m.column + 1));
        }
        switch (node.Type()) {
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
            return QJsonValue();
        case YAML::NodeType::Scalar: {
            // MLflow writes a signature's inputs and outputs as a quoted JSON string: compare
            // the structure inside ("signature.inputs[2]"), not one long string.
            const std::string &text = node.Scalar();
            if (node.Tag() == "!" && !text.empty() && (text[0] == '[' || text[0] == '{')) {
                QJsonParseError e;
                const QJsonDocument doc =
                    QJsonDocument::fromJson(QByteArray::fromStdString(text), &e);
                if (e.error == QJsonParseError::NoError)
                    return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
            }
            return QJsonValue(QString::fromStdString(text));
        }
        case YAML::NodeType::Sequence: {
            QJsonArray out;
            for (const YAML::Node &item : node) {
                auto v = convert(item, depth + 1);
                if (!v)
                    return v;
                out.append(*v);
            }
            return QJsonValue(out);
        }
        case YAML::NodeType::Map: {
            QJsonObject out;
            for (const auto &item : node) {
                const YAML::Node &key = item.first;
                QString k = key.IsScalar() ? QString::fromStdString(key.Scalar())
                                           : QString::fromStdString(YAML::Dump(key));
                auto v = convert(item.second, depth + 1);
                if (!v)
                    return v;
                out.insert(k, *v);
            }
            return QJsonValue(out);
        }
        }
        return QJsonValue();
    }
};

Result<QJsonValue> parseYaml(const QByteArray &bytes, const QString &name)
{
    YAML::Node root;
    try {
        root = YAML::Load(bytes.toStdString());
    } catch (const YAML::Exception &e) {
        return fail(Error(u"YAML syntax error: %1"_s.arg(QString::fromStdString(e.msg)), name,
                          e.mark.line + 1, e.mark.column + 1)
                        .withHint(u"Check the indentation and quoting near this position"_s));
    }
    YamlConverter converter{name};
    try {
        return converter.convert(root, 0);
    } catch (const YAML::Exception &e) {
        return fail(Error(u"YAML error: %1"_s.arg(QString::fromStdString(e.msg)), name,
                          e.mark.line + 1, e.mark.column + 1));
    }
}

QString valueText(const QJsonValue &v)
{
    if (v.isArray())
        return QString::fromUtf8(QJsonDocument(v.toArray()).toJson(QJsonDocument::Compact));
    if (v.isObject())
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    // A scalar: wrap it to let QJsonDocument quote and escape it.
    const QByteArray one = QJsonDocument(QJsonArray{v}).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(one.mid(1, one.size() - 2));
}

QString keyPath(const QString &path, const QString &key)
{
    static const QRegularExpression plain(u"^[A-Za-z_][A-Za-z0-9_-]*$"_s);
    if (plain.match(key).hasMatch())
        return path.isEmpty() ? key : path + u'.' + key;
    return path + u'[' + valueText(QJsonValue(key)) + u']';
}

void compare(const QJsonValue &a, const QJsonValue &b, const QString &path,
             QList<StructChange> &out)
{
    if (a.isObject() && b.isObject()) {
        const QJsonObject x = a.toObject(), y = b.toObject();
        for (auto it = x.begin(); it != x.end(); ++it) {
            const QString p = keyPath(path, it.key());
            if (!y.contains(it.key()))
                out.append({p, u"removed"_s, valueText(it.value()), QString()});
            else
                compare(it.value(), y.value(it.key()), p, out);
        }
        for (auto it = y.begin(); it != y.end(); ++it) {
            if (!x.contains(it.key()))
                out.append({keyPath(path, it.key()), u"added"_s, QString(), valueText(it.value())});
        }
        return;
    }
    if (a.isArray() && b.isArray()) {
        const QJsonArray x = a.toArray(), y = b.toArray();
        for (qsizetype i = 0; i < std::max(x.size(), y.size()); ++i) {
            const QString p = u"%1[%2]"_s.arg(path, QString::number(i));
            if (i >= y.size())
                out.append({p, u"removed"_s, valueText(x[i]), QString()});
            else if (i >= x.size())
                out.append({p, u"added"_s, QString(), valueText(y[i])});
            else
                compare(x[i], y[i], p, out);
        }
        return;
    }
    if (a != b)
        out.append({path, u"changed"_s, valueText(a), valueText(b)});
}

} // namespace

Result<QList<StructChange>> diffStructured(const QByteArray &a, const QString &nameA,
                                           const QByteArray &b, const QString &nameB,
                                           StructFormat format)
{
    const auto parse = format == StructFormat::Json ? parseJson : parseYaml;
    auto x = parse(a, nameA);
    if (!x)
        return fail(x.error());
    auto y = parse(b, nameB);
    if (!y)
        return fail(y.error());
    QList<StructChange> out;
    compare(*x, *y, QString(), out);
    return out;
}

QJsonArray structChangesJson(const QList<StructChange> &changes)
{
    // The values as JSON values again (a scalar cannot be a document of its own in Qt 6.4).
    const auto value = [](const QString &compact) {
        QByteArray one = compact.toUtf8();
        one.prepend('[').append(']');
        return QJsonDocument::fromJson(one).array().at(0);
    };
    QJsonArray out;
    for (const StructChange &c : changes) {
        out.append(QJsonObject{
            {u"path"_s, c.path},
            {u"kind"_s, c.kind},
            {u"old"_s, c.kind == u"added"_s ? QJsonValue() : value(c.oldValue)},
            {u"new"_s, c.kind == u"removed"_s ? QJsonValue() : value(c.newValue)},
        });
    }
    return out;
}

QString structChangesText(const QList<StructChange> &changes, int maxRows)
{
    QString out;
    const auto shorten = [](const QString &s) -> QString {
        return s.size() > 100 ? s.left(97) + u"..."_s : s;
    };
    for (qsizetype i = 0; i < changes.size() && i < maxRows; ++i) {
        const StructChange &c = changes[i];
        const QString path = c.path.isEmpty() ? u"(document)"_s : c.path;
        if (c.kind == u"added"_s)
            out += u"+ %1: %2\n"_s.arg(path, shorten(c.newValue));
        else if (c.kind == u"removed"_s)
            out += u"- %1: %2\n"_s.arg(path, shorten(c.oldValue));
        else
            out += u"~ %1: %2 -> %3\n"_s.arg(path, shorten(c.oldValue), shorten(c.newValue));
    }
    if (changes.size() > maxRows)
        out += u"... and %1 more changes\n"_s.arg(QString::number(changes.size() - maxRows));
    return out;
}

namespace {

struct Digester
{
    std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> xxh{XXH3_createState(),
                                                                 &XXH3_freeState};
    std::optional<QCryptographicHash> sha;
    qint64 size = 0;

    explicit Digester(bool sha256)
    {
        XXH3_128bits_reset(xxh.get());
        if (sha256)
            sha.emplace(QCryptographicHash::Sha256);
    }
    void add(QByteArrayView bytes)
    {
        XXH3_128bits_update(xxh.get(), bytes.data(), size_t(bytes.size()));
        if (sha)
            sha->addData(bytes);
        size += bytes.size();
    }
    FileDigest result() const
    {
        XXH128_canonical_t canonical;
        XXH128_canonicalFromHash(&canonical, XXH3_128bits_digest(xxh.get()));
        const QByteArray x(reinterpret_cast<const char *>(canonical.digest),
                           sizeof canonical.digest);
        return {size, u"xxh128:"_s + QString::fromLatin1(x.toHex()),
                sha ? u"sha256:"_s + QString::fromLatin1(sha->result().toHex()) : QString()};
    }
};

} // namespace

FileDigest digestBytes(QByteArrayView bytes, bool sha256)
{
    Digester d(sha256);
    d.add(bytes);
    return d.result();
}

Result<FileDigest> digestFile(const QString &path, const Progress &progress, bool sha256)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return fail(Error(u"cannot read: %1"_s.arg(f.errorString()), path));
    Digester d(sha256);
    QByteArray block(4 << 20, Qt::Uninitialized);
    const qint64 total = f.size();
    for (;;) {
        const qint64 n = f.read(block.data(), block.size());
        if (n < 0)
            return fail(Error(u"read error: %1"_s.arg(f.errorString()), path));
        if (n == 0)
            break;
        d.add(QByteArrayView(block.constData(), n));
        if (progress && !progress(d.size, total))
            return fail(Error(u"cancelled"_s));
    }
    return d.result();
}

} // namespace cairn::diff
