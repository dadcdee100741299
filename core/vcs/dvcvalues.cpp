#include "dvcvalues.h"

#include "project/yamlsupport.h"

#include <QFileInfo>
#include <QJsonDocument>
#include <QLocale>
#include <QRegularExpression>

#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn::dvc::detail {

namespace {

QString joinKey(const QString &prefix, const QString &key)
{
    return prefix.isEmpty() ? key : prefix + u'.' + key;
}

QString shortest(double v)
{
    if (std::isnan(v))
        return u"nan"_s;
    if (std::isinf(v))
        return v > 0 ? u"inf"_s : u"-inf"_s;
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

// A plain scalar typed by the YAML 1.2 core schema (DVC reads YAML 1.2 with ruamel.yaml).
QJsonValue typedPlain(const QString &s)
{
    static const QRegularExpression nullRe(u"^(~|null|Null|NULL)?$"_s);
    static const QRegularExpression intRe(u"^[-+]?[0-9]+$"_s);
    static const QRegularExpression floatRe(
        u"^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$"_s);
    static const QRegularExpression infRe(u"^([-+]?)\\.(inf|Inf|INF)$"_s);
    static const QRegularExpression nanRe(u"^\\.(nan|NaN|NAN)$"_s);
    if (nullRe.match(s).hasMatch())
        return QJsonValue::Null;
    if (s == u"true"_s || s == u"True"_s || s == u"TRUE"_s)
        return true;
    if (s == u"false"_s || s == u"False"_s || s == u"FALSE"_s)
        return false;
    if (intRe.match(s).hasMatch() || floatRe.match(s).hasMatch())
        return s.toDouble();
    if (s.startsWith(u"0x"_s)) {
        bool ok = false;
        const qlonglong v = s.mid(2).toLongLong(&ok, 16);
        if (ok)
            return double(v);
    }
    if (s.startsWith(u"0o"_s)) {
        bool ok = false;
        const qlonglong v = s.mid(2).toLongLong(&ok, 8);
        if (ok)
            return double(v);
    }
    if (const auto m = infRe.match(s); m.hasMatch())
        return m.captured(1) == u"-"_s ? -qInf() : qInf();
    if (nanRe.match(s).hasMatch())
        return qQNaN();
    return s;
}

QString jsonText(const QJsonValue &v)
{
    switch (v.type()) {
    case QJsonValue::Null:
        return u"null"_s;
    case QJsonValue::Bool:
        return v.toBool() ? u"true"_s : u"false"_s;
    case QJsonValue::Double:
        return shortest(v.toDouble());
    case QJsonValue::String:
        return v.toString();
    case QJsonValue::Array: {
        QStringList parts;
        for (const QJsonValue &item : v.toArray())
            parts << jsonText(item);
        return u"[%1]"_s.arg(parts.join(u", "_s));
    }
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
    case QJsonValue::Undefined:
        break;
    }
    return {};
}

void flattenJson(const QJsonValue &v, const QString &prefix, QList<FlatValue> &out)
{
    if (v.isObject() && !v.toObject().isEmpty()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it)
            flattenJson(it.value(), joinKey(prefix, it.key()), out);
        return;
    }
    out.append(FlatValue{prefix, jsonText(v), v});
}

Error notAMapping(const QString &label)
{
    return Error(u"the file must hold a mapping of names to values"_s, label, 1, 1)
        .withHint(u"Write it as `name: value` lines (YAML) or a JSON object"_s);
}

Result<QList<FlatValue>> parseYaml(const QByteArray &bytes, const QString &label)
{
    YamlFile yaml(label);
    const auto root = yaml.parse(bytes);
    if (!root)
        return fail(yaml.takeErrors().value(0, Error(u"cannot read YAML"_s, label)));
    QList<FlatValue> out;
    if (root->IsNull())
        return out;
    if (!root->IsMap())
        return fail(notAMapping(label));
    flattenYaml(*root, {}, out);
    return out;
}

Result<QJsonDocument> parseJsonDocument(const QByteArray &bytes, const QString &label)
{
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &err);
    if (err.error != QJsonParseError::NoError) {
        const auto [line, column] = lineColumnAt(bytes, err.offset);
        return fail(Error(u"JSON syntax error: %1"_s.arg(err.errorString()), label, line, column)
                        .withHint(u"Check the commas, quotes and brackets near this position"_s));
    }
    return doc;
}

Result<QList<FlatValue>> parseJson(const QByteArray &bytes, const QString &label)
{
    const auto doc = parseJsonDocument(bytes, label);
    if (!doc)
        return fail(doc.error());
    if (!doc->isObject())
        return fail(notAMapping(label));
    QList<FlatValue> out;
    flattenJson(doc->object(), {}, out);
    return out;
}

// A TOML value: strings, numbers, booleans and one-line arrays of those.
std::optional<std::pair<QString, QJsonValue>> tomlValue(const QString &raw)
{
    const QString s = raw.trimmed();
    if (s.size() >= 2 && (s.front() == u'"' || s.front() == u'\'') && s.back() == s.front())
        return std::pair{s.mid(1, s.size() - 2), QJsonValue(s.mid(1, s.size() - 2))};
    if (s == u"true"_s || s == u"false"_s)
        return std::pair{s, QJsonValue(s == u"true"_s)};
    if (s.startsWith(u'[') && s.endsWith(u']')) {
        QJsonArray items;
        for (const QString &part : s.mid(1, s.size() - 2).split(u',', Qt::SkipEmptyParts)) {
            const auto item = tomlValue(part);
            if (!item)
                return std::nullopt;
            items.append(item->second);
        }
        return std::pair{s, QJsonValue(items)};
    }
    QString number = s;
    number.remove(u'_');
    bool ok = false;
    const double v = number.toDouble(&ok);
    if (ok)
        return std::pair{s, QJsonValue(v)};
    if (number == u"inf"_s || number == u"+inf"_s || number == u"-inf"_s)
        return std::pair{s, QJsonValue(number.startsWith(u'-') ? -qInf() : qInf())};
    return std::nullopt;
}

// A Python literal: numbers, strings, True/False/None and one-line lists or tuples of those.
std::optional<QJsonValue> pythonLiteral(const QString &raw)
{
    const QString s = raw.trimmed();
    if (s.size() >= 2 && (s.front() == u'"' || s.front() == u'\'') && s.back() == s.front())
        return QJsonValue(s.mid(1, s.size() - 2));
    if (s == u"True"_s || s == u"False"_s)
        return QJsonValue(s == u"True"_s);
    if (s == u"None"_s)
        return QJsonValue(QJsonValue::Null);
    if (s.size() >= 2 &&
        ((s.front() == u'[' && s.back() == u']') || (s.front() == u'(' && s.back() == u')'))) {
        QJsonArray items;
        for (const QString &part : s.mid(1, s.size() - 2).split(u',', Qt::SkipEmptyParts)) {
            const auto item = pythonLiteral(part);
            if (!item)
                return std::nullopt;
            items.append(*item);
        }
        return QJsonValue(items);
    }
    QString number = s;
    number.remove(u'_');
    bool ok = false;
    const double v = number.toDouble(&ok);
    return ok ? std::optional<QJsonValue>(v) : std::nullopt;
}

// What DVC reads of a Python params file: top-level `NAME = literal` and the `attr = literal`
// lines of a top-level class ("Class.attr"). Other lines (imports, functions, computed values)
// are skipped.
QList<FlatValue> parsePython(const QByteArray &bytes)
{
    static const QRegularExpression assign(
        u"^([A-Za-z_][A-Za-z0-9_]*)\\s*(?::[^=]+)?=\\s*([^=].*)$"_s);
    static const QRegularExpression classRe(u"^class\\s+([A-Za-z_][A-Za-z0-9_]*)\\b.*:\\s*$"_s);
    QList<FlatValue> out;
    QString cls;
    qsizetype bodyIndent = -1; // the indentation of the class's attributes
    bool inDocstring = false;
    for (const QByteArray &rawLine : bytes.split('\n')) {
        const QString line = QString::fromUtf8(rawLine);
        const QString code = line.trimmed();
        const int quotes = int(code.count(u"\"\"\""_s) + code.count(u"\'\'\'"_s));
        if (inDocstring || quotes > 0) {
            if (quotes % 2 == 1)
                inDocstring = !inDocstring;
            continue;
        }
        if (code.isEmpty() || code.startsWith(u'#'))
            continue;
        const qsizetype indent = line.indexOf(code.front());
        const bool indented = indent > 0;
        if (!indented) {
            const auto c = classRe.match(code);
            cls = c.hasMatch() ? c.captured(1) : QString();
            bodyIndent = -1;
            if (c.hasMatch())
                continue;
        } else {
            if (cls.isEmpty())
                continue; // inside a function or a block
            if (bodyIndent < 0)
                bodyIndent = indent;
            if (indent != bodyIndent)
                continue; // inside a method
        }
        const auto m = assign.match(code);
        if (!m.hasMatch())
            continue;
        QString value = m.captured(2).trimmed();
        if (const qsizetype hash = value.indexOf(u" #"_s);
            hash >= 0 && !value.startsWith(u'"') && !value.startsWith(u'\''))
            value = value.left(hash).trimmed();
        const auto literal = pythonLiteral(value);
        if (!literal)
            continue;
        const QString text = literal->isString() ? literal->toString() : value;
        out.append(FlatValue{joinKey(indented ? cls : QString(), m.captured(1)), text, *literal});
    }
    return out;
}

Result<QList<FlatValue>> parseToml(const QByteArray &bytes, const QString &label)
{
    QList<FlatValue> out;
    QString table;
    const QList<QByteArray> lines = bytes.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const int lineNo = int(i + 1);
        QString line = QString::fromUtf8(lines[i]).trimmed();
        if (line.startsWith(u'#') || line.isEmpty())
            continue;
        if (line.startsWith(u"[["_s))
            return fail(Error(u"TOML arrays of tables are not supported"_s, label, lineNo, 1)
                            .withHint(u"Use a YAML or JSON params file for such values"_s));
        if (line.startsWith(u'[')) {
            const qsizetype end = line.indexOf(u']');
            if (end < 0)
                return fail(Error(u"TOML table header without `]`"_s, label, lineNo, 1));
            table = line.mid(1, end - 1).trimmed();
            continue;
        }
        const qsizetype eq = line.indexOf(u'=');
        if (eq <= 0)
            return fail(Error(u"TOML line is not `key = value`"_s, label, lineNo, 1));
        QString key = line.left(eq).trimmed();
        if (key.size() >= 2 && key.front() == u'"' && key.back() == u'"')
            key = key.mid(1, key.size() - 2);
        QString raw = line.mid(eq + 1).trimmed();
        // A trailing comment outside quotes.
        if (raw.startsWith(u'"') || raw.startsWith(u'\'')) {
            const qsizetype close = raw.indexOf(raw.front(), 1);
            const QString rest = close > 0 ? raw.mid(close + 1).trimmed() : QString();
            if (close > 0 && (rest.isEmpty() || rest.startsWith(u'#')))
                raw = raw.left(close + 1);
        } else if (const qsizetype hash = raw.indexOf(u" #"_s); hash >= 0) {
            raw = raw.left(hash).trimmed();
        }
        const auto value = tomlValue(raw);
        if (!value)
            return fail(Error(u"this TOML value is not supported (only strings, numbers, "
                              "booleans and one-line arrays are)"_s,
                              label, lineNo, int(QString::fromUtf8(lines[i]).indexOf(raw) + 1))
                            .withHint(u"Use a YAML or JSON params file for such values"_s));
        out.append(FlatValue{joinKey(table, key), value->first, value->second});
    }
    return out;
}

QStringList splitDelimited(const QString &line, QChar delimiter)
{
    QStringList cells;
    QString cell;
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (quoted) {
            if (c == u'"' && i + 1 < line.size() && line[i + 1] == u'"') {
                cell += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                cell += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == delimiter) {
            cells << cell;
            cell.clear();
        } else {
            cell += c;
        }
    }
    cells << cell;
    return cells;
}

PlotCell cellOf(const QString &text)
{
    bool ok = false;
    const double v = text.trimmed().toDouble(&ok);
    return PlotCell{text, ok ? std::optional<double>(v) : std::nullopt};
}

PlotCell cellOf(const QJsonValue &v)
{
    if (v.isDouble())
        return PlotCell{jsonText(v), v.toDouble()};
    return PlotCell{v.isUndefined() ? QString() : jsonText(v), std::nullopt};
}

// A list of records, or the first list of records inside a mapping (DVC's
// `{"train": [{...}, ...]}` form).
std::optional<QJsonArray> recordsOf(const QJsonValue &v)
{
    if (v.isArray())
        return v.toArray();
    if (v.isObject()) {
        const QJsonObject o = v.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (it.value().isArray())
                return it.value().toArray();
        }
    }
    return std::nullopt;
}

} // namespace

std::pair<int, int> lineColumnAt(const QByteArray &bytes, qsizetype offset)
{
    int line = 1;
    int column = 1;
    for (qsizetype i = 0; i < offset && i < bytes.size(); ++i) {
        if (bytes[i] == '\n') {
            ++line;
            column = 1;
        } else if ((uchar(bytes[i]) & 0xC0) != 0x80) {
            ++column;
        }
    }
    return {line, column};
}

QJsonValue yamlToJson(const YAML::Node &node)
{
    if (!node.IsDefined() || node.IsNull())
        return QJsonValue::Null;
    if (node.IsScalar()) {
        const QString s = toQString(node.Scalar());
        return node.Tag() == "!" ? QJsonValue(s) : typedPlain(s); // "!": a quoted scalar
    }
    if (node.IsSequence()) {
        QJsonArray a;
        for (const YAML::Node &item : node)
            a.append(yamlToJson(item));
        return a;
    }
    QJsonObject o;
    for (auto it = node.begin(); it != node.end(); ++it)
        o.insert(toQString(it->first.Scalar()), yamlToJson(it->second));
    return o;
}

QString yamlText(const YAML::Node &node)
{
    if (node.IsDefined() && node.IsScalar())
        return toQString(node.Scalar());
    if (node.IsDefined() && node.IsSequence()) {
        QStringList parts;
        for (const YAML::Node &item : node)
            parts << yamlText(item);
        return u"[%1]"_s.arg(parts.join(u", "_s));
    }
    return jsonText(yamlToJson(node));
}

void flattenYaml(const YAML::Node &node, const QString &prefix, QList<FlatValue> &out)
{
    if (node.IsMap() && node.size() > 0) {
        for (auto it = node.begin(); it != node.end(); ++it)
            flattenYaml(it->second, joinKey(prefix, toQString(it->first.Scalar())), out);
        return;
    }
    out.append(FlatValue{prefix, yamlText(node), yamlToJson(node)});
}

Result<QList<FlatValue>> parseValuesFile(const QByteArray &bytes, const QString &path,
                                         const QString &label)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"json"_s)
        return parseJson(bytes, label);
    if (suffix == u"toml"_s)
        return parseToml(bytes, label);
    if (suffix == u"py"_s)
        return parsePython(bytes);
    return parseYaml(bytes, label);
}

Result<DvcPlot> parsePlotFile(const QByteArray &bytes, const QString &path, const QString &label)
{
    DvcPlot plot;
    plot.path = path;
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"csv"_s || suffix == u"tsv"_s) {
        const QChar delimiter = suffix == u"tsv"_s ? u'\t' : u',';
        QStringList lines = QString::fromUtf8(bytes).split(u'\n');
        for (QString &l : lines) {
            if (l.endsWith(u'\r'))
                l.chop(1);
        }
        while (!lines.isEmpty() && lines.last().isEmpty())
            lines.removeLast();
        if (lines.isEmpty())
            return plot;
        plot.columns = splitDelimited(lines.first(), delimiter);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QStringList cells = splitDelimited(lines[i], delimiter);
            QList<PlotCell> row;
            for (qsizetype c = 0; c < plot.columns.size(); ++c)
                row.append(cellOf(cells.value(c)));
            plot.rows.append(row);
        }
        return plot;
    }
    QJsonValue data;
    if (suffix == u"json"_s) {
        const auto doc = parseJsonDocument(bytes, label);
        if (!doc)
            return fail(doc.error());
        data = doc->isArray() ? QJsonValue(doc->array()) : QJsonValue(doc->object());
    } else {
        YamlFile yaml(label);
        const auto root = yaml.parse(bytes);
        if (!root)
            return fail(yaml.takeErrors().value(0, Error(u"cannot read YAML"_s, label)));
        data = yamlToJson(*root);
    }
    const auto records = recordsOf(data);
    if (!records)
        return fail(Error(u"a plots file holds a list of records"_s, label, 1, 1)
                        .withHint(u"Write a list of mappings, one per point"_s));
    for (const QJsonValue &r : *records) {
        const QJsonObject o = r.toObject();
        for (auto it = o.begin(); it != o.end(); ++it) {
            if (!plot.columns.contains(it.key()))
                plot.columns.append(it.key());
        }
    }
    for (const QJsonValue &r : *records) {
        const QJsonObject o = r.toObject();
        QList<PlotCell> row;
        for (const QString &c : std::as_const(plot.columns))
            row.append(cellOf(o.value(c)));
        plot.rows.append(row);
    }
    return plot;
}

} // namespace cairn::dvc::detail
