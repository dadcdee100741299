#include "parameter.h"

#include <QRegularExpression>

#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn {

QString paramTypeName(ParamType type)
{
    switch (type) {
    case ParamType::String:
        return u"string"_s;
    case ParamType::Int:
        return u"int"_s;
    case ParamType::Float:
        return u"float"_s;
    case ParamType::Bool:
        return u"bool"_s;
    case ParamType::Path:
        return u"path"_s;
    case ParamType::Uri:
        return u"uri"_s;
    }
    return u"string"_s;
}

std::optional<ParamType> paramTypeFromName(QStringView name)
{
    static constexpr std::pair<QStringView, ParamType> names[] = {
        {u"string", ParamType::String}, {u"str", ParamType::String},
        {u"int", ParamType::Int},       {u"integer", ParamType::Int},
        {u"float", ParamType::Float},   {u"double", ParamType::Float},
        {u"bool", ParamType::Bool},     {u"boolean", ParamType::Bool},
        {u"path", ParamType::Path},     {u"uri", ParamType::Uri},
    };
    for (const auto &[n, t] : names) {
        if (name.compare(n, Qt::CaseInsensitive) == 0)
            return t;
    }
    return std::nullopt;
}

QString cairnParamTypeNames()
{
    return u"int, float, string, bool or path"_s;
}

static std::optional<bool> parseBool(const QString &text)
{
    static const QStringList yes = {u"true"_s, u"yes"_s, u"on"_s, u"1"_s};
    static const QStringList no = {u"false"_s, u"no"_s, u"off"_s, u"0"_s};
    const QString t = text.trimmed().toLower();
    if (yes.contains(t))
        return true;
    if (no.contains(t))
        return false;
    return std::nullopt;
}

Result<QString> checkParameterValue(const Parameter &param, const QString &value)
{
    const QString v = value.trimmed();
    auto bad = [&](const QString &expected, const QString &example) {
        return fail(Error(u"parameter \"%1\" is %2 but \"%3\" is not %4"_s.arg(
                              param.name, paramTypeName(param.type), value, expected))
                        .withHint(u"Give %1, for example %2"_s.arg(expected, example)));
    };
    switch (param.type) {
    case ParamType::Int: {
        static const QRegularExpression re(u"^[+-]?[0-9]+$"_s);
        if (!re.match(v).hasMatch())
            return bad(u"an integer"_s, u"10 or -3"_s);
        return v;
    }
    case ParamType::Float: {
        // Python's float() accepts these spellings, and scripts parse the value with it.
        static const QRegularExpression re(
            u"^[+-]?(([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?|inf|infinity|nan)$"_s,
            QRegularExpression::CaseInsensitiveOption);
        if (!re.match(v).hasMatch())
            return bad(u"a number"_s, u"0.01, 1e-3 or 5"_s);
        return v;
    }
    case ParamType::Bool: {
        if (!parseBool(v))
            return bad(u"a boolean"_s, u"true or false"_s);
        return v;
    }
    case ParamType::Path:
        if (v.isEmpty())
            return bad(u"a file or folder path"_s, u"data/train.csv"_s);
        return value;
    case ParamType::Uri: {
        static const QRegularExpression re(u"^[A-Za-z][A-Za-z0-9+.-]*:"_s);
        if (!re.match(v).hasMatch())
            return bad(u"a URI with a scheme"_s, u"s3://bucket/key or file:///data"_s);
        return value;
    }
    case ParamType::String:
        return value;
    }
    return value;
}

QString shellQuote(const QString &value)
{
    if (value.isEmpty())
        return u"''"_s;
    // shlex: _find_unsafe = re.compile(r'[^\w@%+=:,./-]', re.ASCII).search
    bool safe = true;
    for (QChar c : value) {
        const char16_t u = c.unicode();
        const bool word =
            (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_';
        if (!word && !QStringView(u"@%+=:,./-").contains(c)) {
            safe = false;
            break;
        }
    }
    if (safe)
        return value;
    QString escaped = value;
    escaped.replace(u'\'', u"'\"'\"'"_s);
    return u'\'' + escaped + u'\'';
}

} // namespace cairn
