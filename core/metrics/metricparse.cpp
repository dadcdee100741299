#include "metricparse.h"

#include <fast_float/fast_float.h>

#include <array>
#include <cmath>
#include <cstring>
#include <limits>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

// A minimal reader for the flat JSON objects metric lines are: string keys, values that are
// numbers, strings, NaN/Infinity, true/false/null. Nested values are skipped.
class FlatJson
{
public:
    explicit FlatJson(QByteArrayView s)
        : p(s.data())
        , end(s.data() + s.size())
    {}

    struct Value
    {
        enum Kind
        {
            Number,
            String,
            Other
        } kind = Other;
        double number = 0;
        QByteArrayView text; // into the line, or into the scratch buffer when it had escapes
    };

    // Calls f(key, value) for each member; returns an error message or an empty string.
    template<typename F>
    QString forEach(F f)
    {
        skipWs();
        if (p == end || *p != '{')
            return u"a metric line must be a JSON object such as {\"name\": \"loss\", \"value\": 0.3}"_s;
        ++p;
        skipWs();
        if (p < end && *p == '}')
            return {};
        while (p < end) {
            skipWs();
            QByteArrayView key;
            if (!readString(key, m_keyScratch))
                return u"expected a quoted key"_s;
            skipWs();
            if (p == end || *p != ':')
                return u"expected ':' after \"%1\""_s.arg(QString::fromUtf8(key));
            ++p;
            skipWs();
            Value v;
            if (!readValue(v))
                return u"the value of \"%1\" is not valid JSON"_s.arg(QString::fromUtf8(key));
            f(key, v);
            skipWs();
            if (p < end && *p == ',') {
                ++p;
                continue;
            }
            if (p < end && *p == '}') {
                ++p;
                skipWs();
                return p == end ? QString() : u"text after the closing '}'"_s;
            }
            return u"expected ',' or '}'"_s;
        }
        return u"the object is not closed with '}'"_s;
    }

private:
    void skipWs()
    {
        while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
            ++p;
    }
    // A JSON string: a view into the line when it has no escapes (the usual case, no copy), else
    // decoded into `scratch`.
    bool readString(QByteArrayView &out, QByteArray &scratch)
    {
        if (p == end || *p != '"')
            return false;
        ++p;
        const char *start = p;
        while (p < end && *p != '"' && *p != '\\')
            ++p;
        if (p < end && *p == '"') {
            out = QByteArrayView(start, p - start);
            ++p;
            return true;
        }
        scratch = QByteArray(start, p - start);
        while (p < end && *p != '"') {
            if (*p == '\\' && p + 1 < end) {
                ++p;
                switch (*p) {
                case 'n':
                    scratch += '\n';
                    break;
                case 't':
                    scratch += '\t';
                    break;
                case 'u': {
                    if (end - p < 5)
                        return false;
                    bool ok = false;
                    const uint code = QByteArray(p + 1, 4).toUInt(&ok, 16);
                    if (!ok)
                        return false;
                    scratch += QString(QChar(char16_t(code))).toUtf8();
                    p += 4;
                    break;
                }
                default:
                    scratch += *p;
                }
                ++p;
                continue;
            }
            scratch += *p++;
        }
        if (p == end)
            return false;
        ++p;
        out = QByteArrayView(scratch);
        return true;
    }
    bool literal(const char *word)
    {
        const std::size_t n = std::strlen(word);
        if (std::size_t(end - p) >= n && std::memcmp(p, word, n) == 0) {
            p += n;
            return true;
        }
        return false;
    }
    bool skipNested(char open, char close)
    {
        int depth = 0;
        while (p < end) {
            if (*p == '"') {
                QByteArrayView ignored;
                QByteArray scratch;
                if (!readString(ignored, scratch))
                    return false;
                continue;
            }
            if (*p == open)
                ++depth;
            else if (*p == close && --depth == 0) {
                ++p;
                return true;
            }
            ++p;
        }
        return false;
    }
    bool readValue(Value &v)
    {
        if (p == end)
            return false;
        if (*p == '"') {
            v.kind = Value::String;
            return readString(v.text, m_valueScratch);
        }
        if (literal("NaN")) {
            v.kind = Value::Number;
            v.number = std::numeric_limits<double>::quiet_NaN();
            return true;
        }
        if (literal("Infinity")) {
            v.kind = Value::Number;
            v.number = std::numeric_limits<double>::infinity();
            return true;
        }
        if (literal("-Infinity")) {
            v.kind = Value::Number;
            v.number = -std::numeric_limits<double>::infinity();
            return true;
        }
        if (literal("true") || literal("false") || literal("null"))
            return true;
        if (*p == '{')
            return skipNested('{', '}');
        if (*p == '[')
            return skipNested('[', ']');
        double d = 0;
        const char *start = p;
        if (*p == '+')
            return false;
        const auto r = fast_float::from_chars(start, end, d);
        if (r.ec != std::errc() || r.ptr == start)
            return false;
        p = r.ptr;
        v.kind = Value::Number;
        v.number = d;
        return true;
    }

    const char *p;
    const char *end;
    QByteArray m_keyScratch;
    QByteArray m_valueScratch;
};

// Metric names repeat on every line: keep the last few decoded, so a line costs no allocation
// for its name (QString copies share their data).
QString internName(QByteArrayView utf8)
{
    struct Entry
    {
        QByteArray bytes;
        QString name;
    };
    thread_local std::array<Entry, 32> cache;
    thread_local std::size_t next = 0;
    for (const Entry &e : cache) {
        if (e.bytes.size() == utf8.size() &&
            std::memcmp(e.bytes.constData(), utf8.data(), std::size_t(utf8.size())) == 0 &&
            !e.bytes.isNull())
            return e.name;
    }
    Entry &slot = cache[next++ % cache.size()];
    slot.bytes = utf8.toByteArray();
    slot.name = QString::fromUtf8(utf8);
    return slot.name;
}

std::optional<double> numberFrom(const FlatJson::Value &v)
{
    if (v.kind == FlatJson::Value::Number)
        return v.number;
    if (v.kind == FlatJson::Value::String)
        return parseMetricNumber(v.text);
    return std::nullopt;
}

} // namespace

std::optional<double> parseMetricNumber(QByteArrayView text)
{
    QByteArrayView t = text.trimmed();
    if (t.isEmpty())
        return std::nullopt;
    bool negative = false;
    QByteArrayView body = t;
    if (body.front() == '+' || body.front() == '-') {
        negative = body.front() == '-';
        body = body.sliced(1);
    }
    const QByteArray lower = body.toByteArray().toLower();
    if (lower == "nan")
        return std::numeric_limits<double>::quiet_NaN();
    if (lower == "inf" || lower == "infinity")
        return negative ? -std::numeric_limits<double>::infinity()
                        : std::numeric_limits<double>::infinity();
    double d = 0;
    const auto r = fast_float::from_chars(body.data(), body.data() + body.size(), d);
    if (r.ec != std::errc() || r.ptr != body.data() + body.size())
        return std::nullopt;
    return negative ? -d : d;
}

bool parseMetricLine(QByteArrayView line, QList<MetricPoint> &out, QString *error)
{
    std::optional<QString> name;
    std::optional<double> value;
    bool valueGiven = false;
    std::optional<double> step;
    std::optional<double> timestamp;
    const qsizetype firstFlat = out.size();
    QString bad;
    auto failWith = [&](const QString &message) {
        out.resize(firstFlat);
        if (error)
            *error = message;
        return false;
    };
    FlatJson json(line);
    const QString err = json.forEach([&](QByteArrayView key, const FlatJson::Value &v) {
        if (key == "name" || key == "key") {
            if (v.kind == FlatJson::Value::String)
                name = internName(v.text);
            else
                bad = u"\"name\" must be a string"_s;
        } else if (key == "value") {
            valueGiven = true;
            value = numberFrom(v);
        } else if (key == "step") {
            step = numberFrom(v);
            if (!step)
                bad = u"\"step\" must be a whole number"_s;
        } else if (key == "timestamp" || key == "time" || key == "ts") {
            timestamp = numberFrom(v);
        } else if (const auto n = numberFrom(v)) {
            // {"loss": 0.3, ...}: step and timestamp are filled in below.
            out.append(MetricPoint{internName(key), *n, std::nullopt, std::nullopt});
        }
    });
    if (!err.isEmpty())
        return failWith(err);
    if (!bad.isEmpty())
        return failWith(bad);
    std::optional<qint64> stepValue;
    if (step) {
        if (!std::isfinite(*step) || *step != std::floor(*step) || std::abs(*step) > 9e15)
            return failWith(u"\"step\" must be a whole number"_s);
        stepValue = qint64(*step);
    }
    std::optional<qint64> ts;
    if (timestamp && std::isfinite(*timestamp))
        ts = qint64(*timestamp < 1e11 ? *timestamp * 1000.0 : *timestamp);
    if (name) {
        out.resize(firstFlat); // with a name, other numeric members are not metrics
        if (name->isEmpty())
            return failWith(u"\"name\" is empty"_s);
        if (!valueGiven)
            return failWith(u"\"%1\" has no \"value\""_s.arg(*name));
        if (!value)
            return failWith(u"the value of \"%1\" is not a number"_s.arg(*name));
        out.append(MetricPoint{*name, *value, stepValue, ts});
        return true;
    }
    if (out.size() == firstFlat)
        return failWith(u"no metric in the line: give \"name\" and \"value\", or numeric members "
                        "such as {\"loss\": 0.3}"_s);
    for (qsizetype i = firstFlat; i < out.size(); ++i) {
        out[i].step = stepValue;
        out[i].timestampMs = ts;
    }
    return true;
}

std::expected<QList<MetricPoint>, QString> parseMetricLine(QByteArrayView line)
{
    QList<MetricPoint> out;
    QString error;
    if (!parseMetricLine(line, out, &error))
        return std::unexpected(error);
    return out;
}

OutputMetricMatcher::OutputMetricMatcher(const QList<MetricPattern> &patterns)
{
    for (const MetricPattern &mp : patterns) {
        Compiled c;
        c.re = QRegularExpression(mp.regex);
        if (!c.re.isValid())
            continue;
        c.re.optimize();
        const QStringList groups = c.re.namedCaptureGroups();
        c.hasName = groups.contains(u"name"_s);
        c.hasStep = groups.contains(u"step"_s);
        c.fixedName = mp.metric;
        m_patterns.append(c);
    }
}

void OutputMetricMatcher::match(QStringView line, QList<MetricPoint> &out) const
{
    static constexpr QStringView prefix = u"cairn:metric ";
    const QStringView trimmed = line.trimmed();
    if (trimmed.startsWith(prefix)) {
        if (auto points = parseMetricLine(trimmed.sliced(prefix.size()).toUtf8()))
            out += *points;
        return;
    }
    for (const Compiled &c : m_patterns) {
        auto it = c.re.globalMatch(line);
        while (it.hasNext()) {
            const auto m = it.next();
            const auto value = parseMetricNumber(m.capturedView(u"value").toUtf8());
            if (!value)
                continue;
            MetricPoint p;
            p.name = c.hasName && m.hasCaptured(u"name") ? m.captured(u"name") : c.fixedName;
            if (p.name.isEmpty())
                continue;
            p.value = *value;
            if (c.hasStep && m.hasCaptured(u"step")) {
                bool ok = false;
                const qint64 s = m.capturedView(u"step").toLongLong(&ok);
                if (ok)
                    p.step = s;
            }
            out.append(p);
        }
    }
}

} // namespace cairn
