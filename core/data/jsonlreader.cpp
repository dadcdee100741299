// JSON Lines: one JSON object per line; keys become columns in first-seen order.
//
//  - numbers: Int64 when every value of the column is an integer literal within int64 (no '.',
//    no exponent), else Float64 (correctly rounded, as Python's json module reads them; integers
//    beyond int64 become floats);
//  - strings: String; true/false: Bool; null or an absent key: missing (an integer column with a
//    missing value becomes Float64, as pandas does; a bool column keeps Bool with boolHasMissing;
//    a column with nothing but nulls is Float64 of NaN);
//  - objects and arrays: String holding their JSON text exactly as written;
//  - a column mixing kinds (numbers and strings, say) is String, each value as written (a string's
//    decoded text, a number's literal, true/false). Its text is collected by reading the source a
//    second time, so the first pass never keeps text for number columns.
//  - a repeated key in one object: the last value wins (as Python's json does).
// Blank lines are skipped. Errors (invalid JSON, a line that is not an object, bytes that are not
// UTF-8) name the line and the 1-based byte column.
//
// The parser is written by hand rather than with nlohmann::json: it streams the file in blocks
// without building a document per line, keeps the exact text of nested values and number
// literals, reports the byte column of an error directly, and rejects what Python rejects
// (control characters in strings, NaN literals, trailing commas).

#include "csvreader.h"

#include <fast_float/fast_float.h>

#include <cmath>
#include <cstring>
#include <deque>
#include <limits>
#include <string>
#include <unordered_map>

using namespace Qt::StringLiterals;

namespace cairn::csv {

namespace {

enum class JKind : std::uint8_t
{
    Null,
    Int,
    Float,
    Bool,
    String,
    Mixed
};

struct Value
{
    JKind kind = JKind::Null;
    std::int64_t i = 0;
    double f = 0;
    bool b = false;
    std::string_view text; // String: decoded text or raw JSON; numbers: the literal
};

struct JsonError
{
    std::size_t offset = 0; // in the line
    QString message;
};

class LineParser
{
public:
    LineParser(const char *p, std::size_t n)
        : m_begin(p)
        , m_p(p)
        , m_end(p + n)
    {}

    // Parses `{"key": value, ...}`; calls member(key, value) for each member.
    template<typename Member>
    bool object(const Member &member)
    {
        skipSpace();
        if (!eat('{'))
            return fail(u"expected a JSON object ({...}) on each line"_s);
        skipSpace();
        if (eat('}'))
            return trailing();
        while (true) {
            skipSpace();
            if (m_p == m_end || *m_p != '"')
                return fail(u"expected a key in double quotes"_s);
            std::string key;
            if (!string(key))
                return false;
            skipSpace();
            if (!eat(':'))
                return fail(u"expected ':' after the key"_s);
            skipSpace();
            Value v;
            if (!value(v))
                return false;
            member(key, v);
            skipSpace();
            if (eat(','))
                continue;
            if (eat('}'))
                return trailing();
            return fail(u"expected ',' or '}'"_s);
        }
    }
    const JsonError &error() const { return m_error; }

private:
    bool trailing()
    {
        skipSpace();
        return m_p == m_end || fail(u"unexpected text after the object"_s);
    }
    bool fail(QString message)
    {
        m_error = {std::size_t(m_p - m_begin), std::move(message)};
        return false;
    }
    void skipSpace()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\r' || *m_p == '\n'))
            ++m_p;
    }
    bool eat(char c)
    {
        if (m_p < m_end && *m_p == c) {
            ++m_p;
            return true;
        }
        return false;
    }
    bool literal(std::string_view word)
    {
        if (std::size_t(m_end - m_p) >= word.size() &&
            std::memcmp(m_p, word.data(), word.size()) == 0) {
            m_p += word.size();
            return true;
        }
        return fail(u"invalid literal"_s);
    }

    static void appendUtf8(std::string &out, std::uint32_t cp)
    {
        if (cp < 0x80) {
            out += char(cp);
        } else if (cp < 0x800) {
            out += char(0xC0 | (cp >> 6));
            out += char(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out += char(0xE0 | (cp >> 12));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        } else {
            out += char(0xF0 | (cp >> 18));
            out += char(0x80 | ((cp >> 12) & 0x3F));
            out += char(0x80 | ((cp >> 6) & 0x3F));
            out += char(0x80 | (cp & 0x3F));
        }
    }
    bool hex4(std::uint32_t &out)
    {
        if (m_end - m_p < 4)
            return fail(u"invalid \\u escape"_s);
        out = 0;
        for (int k = 0; k < 4; ++k) {
            const char c = *m_p++;
            out <<= 4;
            if (c >= '0' && c <= '9')
                out |= std::uint32_t(c - '0');
            else if (c >= 'a' && c <= 'f')
                out |= std::uint32_t(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                out |= std::uint32_t(c - 'A' + 10);
            else
                return fail(u"invalid \\u escape"_s);
        }
        return true;
    }
    // At an opening quote: decodes the string into `out`.
    bool string(std::string &out)
    {
        ++m_p;
        while (true) {
            const char *start = m_p;
            while (m_p < m_end && *m_p != '"' && *m_p != '\\' &&
                   static_cast<unsigned char>(*m_p) >= 0x20)
                ++m_p;
            out.append(start, std::size_t(m_p - start));
            if (m_p == m_end)
                return fail(u"string is not closed"_s);
            if (*m_p == '"') {
                ++m_p;
                return true;
            }
            if (*m_p != '\\')
                return fail(u"control character in a string (write it as an escape)"_s);
            ++m_p;
            if (m_p == m_end)
                return fail(u"string is not closed"_s);
            const char e = *m_p++;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                out += e;
                break;
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                std::uint32_t cp;
                if (!hex4(cp))
                    return false;
                if (cp >= 0xD800 && cp < 0xDC00 && m_end - m_p >= 6 && m_p[0] == '\\' &&
                    m_p[1] == 'u') {
                    const char *save = m_p;
                    m_p += 2;
                    std::uint32_t low;
                    if (!hex4(low))
                        return false;
                    if (low >= 0xDC00 && low < 0xE000)
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                    else
                        m_p = save;
                }
                if (cp >= 0xD800 && cp < 0xE000)
                    cp = 0xFFFD; // a lone surrogate cannot be UTF-8
                appendUtf8(out, cp);
                break;
            }
            default:
                --m_p;
                return fail(u"invalid escape in a string"_s);
            }
        }
    }
    bool number(Value &v)
    {
        const char *start = m_p;
        bool integer = true;
        eat('-');
        if (m_p < m_end && *m_p == '0') {
            ++m_p;
        } else if (m_p < m_end && *m_p >= '1' && *m_p <= '9') {
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
        } else {
            return fail(u"invalid number"_s);
        }
        if (eat('.')) {
            integer = false;
            if (m_p == m_end || *m_p < '0' || *m_p > '9')
                return fail(u"invalid number"_s);
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            integer = false;
            ++m_p;
            if (!eat('+'))
                eat('-');
            if (m_p == m_end || *m_p < '0' || *m_p > '9')
                return fail(u"invalid number"_s);
            while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
                ++m_p;
        }
        v.text = std::string_view(start, std::size_t(m_p - start));
        if (integer && parseInt64(v.text, v.i) == IntParse::Ok) {
            v.kind = JKind::Int;
            return true;
        }
        v.kind = JKind::Float;
        const auto r = fast_float::from_chars(start, m_p, v.f);
        if (r.ec == std::errc::result_out_of_range) // Python: 1e999 is inf, 1e-999 is 0.0
            v.f = std::fabs(v.f) > 1 ? std::copysign(HUGE_VAL, v.f) : std::copysign(0.0, v.f);
        return true;
    }
    // Skips a nested object or array, checking it.
    bool nested(int depth)
    {
        if (depth > 500)
            return fail(u"nested too deeply"_s);
        const char close = *m_p == '{' ? '}' : ']';
        const bool isObject = close == '}';
        ++m_p;
        skipSpace();
        if (eat(close))
            return true;
        std::string scratch;
        while (true) {
            skipSpace();
            if (isObject) {
                if (m_p == m_end || *m_p != '"')
                    return fail(u"expected a key in double quotes"_s);
                scratch.clear();
                if (!string(scratch))
                    return false;
                skipSpace();
                if (!eat(':'))
                    return fail(u"expected ':' after the key"_s);
                skipSpace();
            }
            Value ignored;
            if (!value(ignored, depth + 1))
                return false;
            skipSpace();
            if (eat(','))
                continue;
            if (eat(close))
                return true;
            return fail(isObject ? u"expected ',' or '}'"_s : u"expected ',' or ']'"_s);
        }
    }
    bool value(Value &v, int depth = 0)
    {
        if (m_p == m_end)
            return fail(u"expected a value"_s);
        const char c = *m_p;
        const char *start = m_p;
        switch (c) {
        case '"':
            m_string.clear();
            if (!string(m_string))
                return false;
            v.kind = JKind::String;
            v.text = m_string;
            return true;
        case '{':
        case '[':
            if (!nested(depth))
                return false;
            v.kind = JKind::String;
            v.text = std::string_view(start, std::size_t(m_p - start));
            return true;
        case 't':
            v.kind = JKind::Bool;
            v.b = true;
            v.text = "true";
            return literal("true");
        case 'f':
            v.kind = JKind::Bool;
            v.b = false;
            v.text = "false";
            return literal("false");
        case 'n':
            v.kind = JKind::Null;
            return literal("null");
        default:
            return number(v);
        }
    }

    const char *m_begin;
    const char *m_p;
    const char *m_end;
    std::string m_string;
    JsonError m_error;
};

struct JColumn
{
    QString name;
    bool selected = true;
    JKind kind = JKind::Null;
    qint64 rows = 0;
    std::vector<std::int64_t> ints;
    std::vector<qint64> intMissing;
    std::vector<double> floats;
    std::vector<std::int8_t> bools;
    std::vector<std::int32_t> codes;
    StringDict dict;
};

void pushValue(JColumn &c, const Value &v)
{
    JKind to = c.kind;
    if (v.kind != JKind::Null && v.kind != c.kind && c.kind != JKind::Mixed) {
        if (c.kind == JKind::Null)
            to = v.kind;
        else if ((c.kind == JKind::Int && v.kind == JKind::Float) ||
                 (c.kind == JKind::Float && v.kind == JKind::Int))
            to = JKind::Float;
        else
            to = JKind::Mixed;
    }
    if (to != c.kind) {
        const auto n = std::size_t(c.rows);
        if (c.kind == JKind::Null) {
            if (to == JKind::Int) {
                c.ints.assign(n, 0);
                for (qint64 r = 0; r < c.rows; ++r)
                    c.intMissing.push_back(r);
            }
            if (to == JKind::Float)
                c.floats.assign(n, std::nan(""));
            if (to == JKind::Bool)
                c.bools.assign(n, -1);
            if (to == JKind::String)
                c.codes.assign(n, -1);
        } else if (c.kind == JKind::Int && to == JKind::Float) {
            c.floats.reserve(c.ints.capacity());
            for (std::int64_t i : c.ints)
                c.floats.push_back(double(i));
            for (qint64 r : c.intMissing)
                c.floats[std::size_t(r)] = std::nan("");
            std::vector<std::int64_t>().swap(c.ints);
            std::vector<qint64>().swap(c.intMissing);
        } else { // Mixed: the text comes in the second pass
            std::vector<std::int64_t>().swap(c.ints);
            std::vector<qint64>().swap(c.intMissing);
            std::vector<double>().swap(c.floats);
            std::vector<std::int8_t>().swap(c.bools);
            std::vector<std::int32_t>().swap(c.codes);
            c.dict.clear();
        }
        c.kind = to;
    }
    switch (c.kind) {
    case JKind::Null:
    case JKind::Mixed:
        break;
    case JKind::Int:
        if (v.kind == JKind::Null)
            c.intMissing.push_back(c.rows);
        c.ints.push_back(v.kind == JKind::Null ? 0 : v.i);
        break;
    case JKind::Float:
        c.floats.push_back(v.kind == JKind::Null  ? std::nan("")
                           : v.kind == JKind::Int ? double(v.i)
                                                  : v.f);
        break;
    case JKind::Bool:
        c.bools.push_back(v.kind == JKind::Null ? std::int8_t(-1) : std::int8_t(v.b));
        break;
    case JKind::String:
        c.codes.push_back(v.kind == JKind::Null ? -1 : c.dict.intern(v.text));
        break;
    }
    ++c.rows;
}

std::size_t cutLines(const char *d, std::size_t n, char)
{
    const void *nl = memrchr(d, '\n', n);
    return nl ? std::size_t(static_cast<const char *>(nl) - d) + 1 : 0;
}

} // namespace

Result<Table> readJsonLines(ByteSource &src, const ReadOptions &options, const Progress &progress)
{
    const QString file = src.name();
    const qint64 total = src.size();
    const qint64 blockSize =
        std::clamp<qint64>(options.blockSize > 0 ? options.blockSize : 8 << 20, 1, qint64(1) << 30);
    std::vector<JColumn> columns;
    std::unordered_map<std::string, std::size_t> index;
    qint64 rows = 0;
    bool anyMixed = false;

    // One pass over the source. `mixedOnly`: the second pass, collecting text for mixed columns.
    auto pass = [&](bool mixedOnly) -> std::optional<Error> {
        BlockProducer producer(src, blockSize, 64 * blockSize, cutLines, 0, Bytes(), 0, 0);
        qint64 lineBase = 0;
        qint64 row = 0;
        std::vector<std::pair<std::size_t, Value>> members;
        std::vector<std::size_t> seenAt(columns.size(), std::size_t(-1)); // column -> in `members`
        std::deque<std::string> texts; // copies of decoded strings for this line (stable)
        while (true) {
            auto blk = producer.next();
            if (!blk)
                return blk.error();
            if (!*blk)
                break;
            const Block &b = **blk;
            const char *d = b.bytes.data;
            auto n = std::size_t(b.bytes.size);
            std::size_t start = 0;
            if (b.offset == 0 && n >= 3 && std::memcmp(d, "\xEF\xBB\xBF", 3) == 0)
                start = 3;
            const BlockScan scan = scanBlock(d + start, n - start);
            if (scan.firstInvalid < n - start) {
                const LineColumn at = lineColumnAt(d + start, scan.firstInvalid);
                return Error(u"not valid UTF-8"_s, file, int(lineBase + at.line + 1),
                             int(at.column), u"Save the file as UTF-8"_s);
            }
            if (b.truncated)
                return Error(u"a line longer than %1 MiB"_s.arg((64 * blockSize) >> 20), file,
                             int(lineBase + 1), 1);
            qint64 lineNo = lineBase;
            for (std::size_t pos = start; pos < n;) {
                const void *nl = std::memchr(d + pos, '\n', n - pos);
                const std::size_t end = nl ? std::size_t(static_cast<const char *>(nl) - d) : n;
                const std::size_t lineStart = pos;
                pos = end + 1;
                ++lineNo;
                std::size_t first = lineStart;
                while (first < end && (d[first] == ' ' || d[first] == '\t' || d[first] == '\r'))
                    ++first;
                if (first == end)
                    continue;
                LineParser parser(d + lineStart, end - lineStart);
                members.clear();
                texts.clear();
                const bool ok = parser.object([&](const std::string &key, const Value &v) {
                    auto it = index.find(key);
                    if (it == index.end()) {
                        if (mixedOnly)
                            return; // cannot happen: the first pass saw every key
                        it = index.emplace(key, columns.size()).first;
                        JColumn c;
                        c.name = QString::fromUtf8(key.data(), qsizetype(key.size()));
                        c.selected =
                            options.onlyColumns.isEmpty() || options.onlyColumns.contains(c.name);
                        c.rows = 0;
                        for (qint64 r = 0; r < rows; ++r)
                            pushValue(c, Value());
                        columns.push_back(std::move(c));
                        seenAt.push_back(std::size_t(-1));
                    }
                    Value copy = v;
                    if (v.kind == JKind::String) { // decoded strings live in the parser's buffer
                        texts.emplace_back(v.text);
                        copy.text = texts.back();
                    }
                    const std::size_t col = it->second;
                    if (seenAt[col] != std::size_t(-1) && seenAt[col] < members.size() &&
                        members[seenAt[col]].first == col) {
                        members[seenAt[col]].second = copy; // a repeated key: the last one wins
                    } else {
                        seenAt[col] = members.size();
                        members.emplace_back(col, copy);
                    }
                });
                if (!ok) {
                    const JsonError &e = parser.error();
                    return Error(u"invalid JSON: %1"_s.arg(e.message), file, int(lineNo),
                                 int(e.offset + 1));
                }
                for (std::size_t c = 0; c < columns.size(); ++c) {
                    JColumn &col = columns[c];
                    const bool has = seenAt[c] < members.size() && members[seenAt[c]].first == c;
                    const Value v = has ? members[seenAt[c]].second : Value();
                    seenAt[c] = std::size_t(-1);
                    if (!col.selected)
                        continue;
                    if (!mixedOnly) {
                        pushValue(col, v);
                    } else if (col.kind == JKind::Mixed) {
                        col.codes.push_back(v.kind == JKind::Null ? -1 : col.dict.intern(v.text));
                    }
                }
                ++row;
                if (!mixedOnly)
                    rows = row;
            }
            lineBase += scan.lineEnds;
            if (progress && !progress(mixedOnly ? total : producer.position(), total))
                return Error(u"cancelled"_s, file);
        }
        return std::nullopt;
    };

    if (auto e = pass(false))
        return fail(*e);
    if (columns.empty())
        return fail(Error(u"no records: the file has no JSON objects"_s, file, 1, 1));
    for (const JColumn &c : columns)
        anyMixed = anyMixed || (c.selected && c.kind == JKind::Mixed);
    if (anyMixed) {
        if (auto e = pass(true))
            return fail(*e);
    }
    QStringList missing;
    for (const QString &want : options.onlyColumns) {
        if (std::none_of(columns.begin(), columns.end(),
                         [&](const JColumn &c) { return c.name == want; }))
            missing.append(want);
    }
    if (!missing.isEmpty())
        return fail(Error(u"no column named %1"_s.arg(missing.join(u", "_s)), file));

    Table table;
    table.source = file;
    table.rows = rows;
    for (JColumn &c : columns) {
        if (!c.selected)
            continue;
        Column col;
        col.name = c.name;
        switch (c.kind) {
        case JKind::Null:
            col.type = ColumnType::Float64;
            col.floats.assign(std::size_t(c.rows), std::nan(""));
            break;
        case JKind::Int:
            if (c.intMissing.empty()) {
                col.type = ColumnType::Int64;
                col.ints = std::move(c.ints);
            } else {
                col.type = ColumnType::Float64;
                col.floats.reserve(c.ints.size());
                for (std::int64_t i : c.ints)
                    col.floats.push_back(double(i));
                for (qint64 r : c.intMissing)
                    col.floats[std::size_t(r)] = std::nan("");
            }
            break;
        case JKind::Float:
            col.type = ColumnType::Float64;
            col.floats = std::move(c.floats);
            break;
        case JKind::Bool:
            col.type = ColumnType::Bool;
            col.bools = std::move(c.bools);
            col.boolHasMissing =
                std::find(col.bools.begin(), col.bools.end(), -1) != col.bools.end();
            break;
        case JKind::String:
        case JKind::Mixed:
            col.type = ColumnType::String;
            col.codes = std::move(c.codes);
            for (std::int32_t k = 0; k < c.dict.size(); ++k) {
                const std::string_view s = c.dict.at(k);
                col.dictionary.push_back(QString::fromUtf8(s.data(), qsizetype(s.size())));
            }
            break;
        }
        table.columns.append(std::move(col));
    }
    return table;
}

} // namespace cairn::csv
