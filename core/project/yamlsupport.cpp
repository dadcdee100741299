#include "yamlsupport.h"

#include <QStringDecoder>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace cairn {

QString toQString(const std::string &s)
{
    return QString::fromUtf8(s.data(), qsizetype(s.size()));
}

YAML::Node valueOf(const YAML::Node &map, const char *key)
{
    if (!map.IsMap())
        return YAML::Node(YAML::NodeType::Undefined);
    // A missing key gives a "zombie" node on which IsScalar() and friends throw; hand back a
    // plain undefined node instead, which answers every question safely.
    const YAML::Node value = map[key];
    return value.IsDefined() ? value : YAML::Node(YAML::NodeType::Undefined);
}

YAML::Node keyOf(const YAML::Node &map, const char *key)
{
    if (map.IsMap()) {
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (it->first.IsScalar() && it->first.Scalar() == key)
                return it->first;
        }
    }
    return YAML::Node(YAML::NodeType::Undefined);
}

static int editDistance(const QString &a, const QString &b)
{
    QList<int> prev(b.size() + 1), cur(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        prev[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        cur[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int cost = a[i - 1].toLower() == b[j - 1].toLower() ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

QString closestMatch(const QString &word, const QStringList &candidates)
{
    QString best;
    int bestDistance = std::max<int>(2, int(word.size()) / 3) + 1;
    for (const QString &c : candidates) {
        const int d = editDistance(word, c);
        if (d < bestDistance) {
            bestDistance = d;
            best = c;
        }
    }
    return best;
}

std::optional<YAML::Node> YamlFile::parse(const QByteArray &bytes)
{
    // Refuse bytes that are not UTF-8, pointing at the first bad byte.
    QStringDecoder decoder(QStringDecoder::Utf8);
    int line = 1;
    int column = 1;
    for (qsizetype i = 0; i < bytes.size(); ++i) {
        const QString piece = decoder.decode(QByteArrayView(bytes).sliced(i, 1));
        if (decoder.hasError()) {
            error(SourceLocation{line, column},
                  u"the file is not valid UTF-8 (byte 0x%1 at offset %2)"_s.arg(
                      QString::number(uchar(bytes[i]), 16), QString::number(i)),
                  u"Save the file as UTF-8"_s);
            return std::nullopt;
        }
        if (bytes[i] == '\n') {
            ++line;
            column = 1;
        } else if (!piece.isEmpty()) {
            column += int(piece.size());
        }
    }
    try {
        return YAML::Load(bytes.toStdString());
    } catch (const YAML::ParserException &e) {
        error(SourceLocation{e.mark.line + 1, e.mark.column + 1},
              u"YAML syntax error: %1"_s.arg(toQString(e.msg)),
              u"Check the indentation and quoting near this position"_s);
    } catch (const YAML::Exception &e) {
        error(SourceLocation{e.mark.line + 1, e.mark.column + 1},
              u"YAML error: %1"_s.arg(toQString(e.msg)));
    }
    return std::nullopt;
}

SourceLocation YamlFile::where(const YAML::Node &node) const
{
    if (!node.IsDefined())
        return {};
    const YAML::Mark m = node.Mark();
    if (m.is_null() || m.line < 0)
        return {};
    return SourceLocation{m.line + 1, m.column + 1};
}

void YamlFile::error(const YAML::Node &at, QString message, QString hint)
{
    error(where(at), std::move(message), std::move(hint));
}

void YamlFile::error(SourceLocation at, QString message, QString hint)
{
    m_errors.append(Error(std::move(message), m_path, at.line, at.column, std::move(hint)));
}

void YamlFile::warning(const YAML::Node &at, QString message, QString hint)
{
    const SourceLocation loc = where(at);
    Error w(std::move(message), m_path, loc.line, loc.column, std::move(hint));
    if (!m_warnings.contains(w)) // expanded DVC stages would repeat the same warning
        m_warnings.append(std::move(w));
}

QString YamlFile::describe(const YAML::Node &node)
{
    if (!node.IsDefined() || node.IsNull())
        return u"empty"_s;
    if (node.IsSequence())
        return u"a list"_s;
    if (node.IsMap())
        return u"a mapping"_s;
    return u"the text \"%1\""_s.arg(toQString(node.Scalar()));
}

bool YamlFile::expectMap(const YAML::Node &node, const QString &what)
{
    if (node.IsMap())
        return true;
    error(node, u"%1 must be a mapping of keys to values, but it is %2"_s.arg(what, describe(node)),
          u"Write it as indented `key: value` lines"_s);
    return false;
}

std::optional<QString> YamlFile::expectScalar(const YAML::Node &node, const QString &what)
{
    if (node.IsScalar())
        return toQString(node.Scalar());
    error(node, u"%1 must be a single value, but it is %2"_s.arg(what, describe(node)));
    return std::nullopt;
}

std::optional<QStringList> YamlFile::expectScalarOrList(const YAML::Node &node, const QString &what)
{
    if (node.IsScalar())
        return QStringList{toQString(node.Scalar())};
    if (node.IsSequence()) {
        QStringList out;
        bool okAll = true;
        for (const YAML::Node &item : node) {
            if (auto s = expectScalar(item, u"each item of "_s + what))
                out.append(*s);
            else
                okAll = false;
        }
        if (!okAll)
            return std::nullopt;
        return out;
    }
    error(node,
          u"%1 must be a value or a list of values, but it is %2"_s.arg(what, describe(node)));
    return std::nullopt;
}

void YamlFile::checkDuplicateKeys(const YAML::Node &map, const QString &context)
{
    QStringList seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
        if (!it->first.IsScalar())
            continue;
        const QString key = toQString(it->first.Scalar());
        if (seen.contains(key))
            error(it->first, u"key \"%1\" appears twice in %2"_s.arg(key, context),
                  u"Remove one of them; YAML keeps only one"_s);
        seen.append(key);
    }
}

void YamlFile::checkKeys(const YAML::Node &map, const QStringList &allowed, const QString &context,
                         bool unknownIsError)
{
    checkDuplicateKeys(map, context);
    for (auto it = map.begin(); it != map.end(); ++it) {
        if (!it->first.IsScalar()) {
            error(it->first, u"%1 has a key that is not text"_s.arg(context));
            continue;
        }
        const QString key = toQString(it->first.Scalar());
        if (allowed.contains(key))
            continue;
        const QString guess = closestMatch(key, allowed);
        QString msg = u"unknown key \"%1\" in %2"_s.arg(key, context);
        if (!guess.isEmpty())
            msg += u" (did you mean \"%1\"?)"_s.arg(guess);
        const QString hint = u"Known keys: %1"_s.arg(allowed.join(u", "_s));
        if (unknownIsError)
            error(it->first, msg, hint);
        else
            warning(it->first, msg + u"; it is ignored"_s, hint);
    }
}

} // namespace cairn
