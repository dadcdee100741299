#include "table.h"

#include "csvreader.h"

#include <QFileInfo>
#include <QHash>

#include <cmath>
#include <cstring>
#include <limits>

using namespace Qt::StringLiterals;

namespace cairn {

QString columnTypeName(ColumnType type)
{
    switch (type) {
    case ColumnType::Int64:
        return u"int"_s;
    case ColumnType::Float64:
        return u"float"_s;
    case ColumnType::Bool:
        return u"bool"_s;
    case ColumnType::String:
        return u"string"_s;
    }
    return u"string"_s;
}

qsizetype Column::size() const
{
    switch (type) {
    case ColumnType::Int64:
        return qsizetype(ints.size());
    case ColumnType::Float64:
        return qsizetype(floats.size());
    case ColumnType::Bool:
        return qsizetype(bools.size());
    case ColumnType::String:
        return qsizetype(codes.size());
    }
    return 0;
}

qsizetype Column::missingCount() const
{
    switch (type) {
    case ColumnType::Int64:
        return 0;
    case ColumnType::Float64:
        return std::count_if(floats.begin(), floats.end(), [](double d) { return std::isnan(d); });
    case ColumnType::Bool:
        return std::count(bools.begin(), bools.end(), std::int8_t(-1));
    case ColumnType::String:
        return std::count(codes.begin(), codes.end(), -1);
    }
    return 0;
}

const Column *Table::column(QStringView name) const
{
    for (const Column &c : columns) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

Result<Table> readTable(const QString &path, const ReadOptions &options, const Progress &progress)
{
    auto source = csv::ByteSource::openFile(path);
    if (!source)
        return fail(source.error());
    TableFormat format = options.format;
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (format == TableFormat::Auto) {
        if (suffix == u"tsv"_s || suffix == u"tab"_s)
            format = TableFormat::Tsv;
        else if (suffix == u"jsonl"_s || suffix == u"ndjson"_s)
            format = TableFormat::JsonLines;
        else
            format = TableFormat::Csv;
    }
    if (format == TableFormat::JsonLines)
        return csv::readJsonLines(**source, options, progress);
    const char delimiter = options.delimiter            ? options.delimiter
                           : format == TableFormat::Tsv ? '\t'
                                                        : 0;
    return csv::readDelimited(**source, delimiter, options, progress);
}

Result<Table> readTableBytes(const QByteArray &bytes, const QString &source,
                             const ReadOptions &options, const Progress &progress)
{
    auto src = csv::ByteSource::fromBytes(bytes, source);
    TableFormat format = options.format;
    if (format == TableFormat::Auto) {
        const QString lower = source.toLower();
        if (lower.endsWith(u".tsv"_s) || lower.endsWith(u".tab"_s))
            format = TableFormat::Tsv;
        else if (lower.endsWith(u".jsonl"_s) || lower.endsWith(u".ndjson"_s))
            format = TableFormat::JsonLines;
        else
            format = TableFormat::Csv;
    }
    if (format == TableFormat::JsonLines)
        return csv::readJsonLines(*src, options, progress);
    const char delimiter = options.delimiter            ? options.delimiter
                           : format == TableFormat::Tsv ? '\t'
                                                        : 0;
    return csv::readDelimited(*src, delimiter, options, progress);
}

namespace csv {

namespace {

inline bool isSpaceAscii(char c)
{
    return c == ' ' || unsigned(c) - unsigned('\t') < 5u;
}

inline bool isDigit(char c)
{
    return unsigned(c) - unsigned('0') < 10u;
}

// Case-insensitive ASCII comparison with a lower-case literal.
bool equalsNoCase(std::string_view s, std::string_view lower)
{
    if (s.size() != lower.size())
        return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
        if (c != lower[i])
            return false;
    }
    return true;
}

// Correctly rounded powers of ten, as in pandas' precise_xstrtod.
constexpr double kPow10[309] = {
    1.0,   1e1,   1e2,   1e3,   1e4,   1e5,   1e6,   1e7,   1e8,   1e9,   1e10,  1e11,  1e12,
    1e13,  1e14,  1e15,  1e16,  1e17,  1e18,  1e19,  1e20,  1e21,  1e22,  1e23,  1e24,  1e25,
    1e26,  1e27,  1e28,  1e29,  1e30,  1e31,  1e32,  1e33,  1e34,  1e35,  1e36,  1e37,  1e38,
    1e39,  1e40,  1e41,  1e42,  1e43,  1e44,  1e45,  1e46,  1e47,  1e48,  1e49,  1e50,  1e51,
    1e52,  1e53,  1e54,  1e55,  1e56,  1e57,  1e58,  1e59,  1e60,  1e61,  1e62,  1e63,  1e64,
    1e65,  1e66,  1e67,  1e68,  1e69,  1e70,  1e71,  1e72,  1e73,  1e74,  1e75,  1e76,  1e77,
    1e78,  1e79,  1e80,  1e81,  1e82,  1e83,  1e84,  1e85,  1e86,  1e87,  1e88,  1e89,  1e90,
    1e91,  1e92,  1e93,  1e94,  1e95,  1e96,  1e97,  1e98,  1e99,  1e100, 1e101, 1e102, 1e103,
    1e104, 1e105, 1e106, 1e107, 1e108, 1e109, 1e110, 1e111, 1e112, 1e113, 1e114, 1e115, 1e116,
    1e117, 1e118, 1e119, 1e120, 1e121, 1e122, 1e123, 1e124, 1e125, 1e126, 1e127, 1e128, 1e129,
    1e130, 1e131, 1e132, 1e133, 1e134, 1e135, 1e136, 1e137, 1e138, 1e139, 1e140, 1e141, 1e142,
    1e143, 1e144, 1e145, 1e146, 1e147, 1e148, 1e149, 1e150, 1e151, 1e152, 1e153, 1e154, 1e155,
    1e156, 1e157, 1e158, 1e159, 1e160, 1e161, 1e162, 1e163, 1e164, 1e165, 1e166, 1e167, 1e168,
    1e169, 1e170, 1e171, 1e172, 1e173, 1e174, 1e175, 1e176, 1e177, 1e178, 1e179, 1e180, 1e181,
    1e182, 1e183, 1e184, 1e185, 1e186, 1e187, 1e188, 1e189, 1e190, 1e191, 1e192, 1e193, 1e194,
    1e195, 1e196, 1e197, 1e198, 1e199, 1e200, 1e201, 1e202, 1e203, 1e204, 1e205, 1e206, 1e207,
    1e208, 1e209, 1e210, 1e211, 1e212, 1e213, 1e214, 1e215, 1e216, 1e217, 1e218, 1e219, 1e220,
    1e221, 1e222, 1e223, 1e224, 1e225, 1e226, 1e227, 1e228, 1e229, 1e230, 1e231, 1e232, 1e233,
    1e234, 1e235, 1e236, 1e237, 1e238, 1e239, 1e240, 1e241, 1e242, 1e243, 1e244, 1e245, 1e246,
    1e247, 1e248, 1e249, 1e250, 1e251, 1e252, 1e253, 1e254, 1e255, 1e256, 1e257, 1e258, 1e259,
    1e260, 1e261, 1e262, 1e263, 1e264, 1e265, 1e266, 1e267, 1e268, 1e269, 1e270, 1e271, 1e272,
    1e273, 1e274, 1e275, 1e276, 1e277, 1e278, 1e279, 1e280, 1e281, 1e282, 1e283, 1e284, 1e285,
    1e286, 1e287, 1e288, 1e289, 1e290, 1e291, 1e292, 1e293, 1e294, 1e295, 1e296, 1e297, 1e298,
    1e299, 1e300, 1e301, 1e302, 1e303, 1e304, 1e305, 1e306, 1e307, 1e308};

} // namespace

IntParse parseInt64(std::string_view s, std::int64_t &out)
{
    const char *p = s.data();
    const char *end = p + s.size();
    while (p < end && isSpaceAscii(*p))
        ++p;
    bool negative = false;
    if (p < end && (*p == '-' || *p == '+')) {
        negative = *p == '-';
        ++p;
    }
    if (p == end || !isDigit(*p))
        return IntParse::Invalid;
    // Accumulate the magnitude as unsigned; int64 allows 2^63 - 1, or 2^63 when negative.
    const std::uint64_t limit = negative ? std::uint64_t(1) << 63 : (std::uint64_t(1) << 63) - 1;
    std::uint64_t number = 0;
    const char *digits = p;
    while (p < end && isDigit(*p))
        ++p;
    if (p - digits <= 18) { // below 10^18: cannot overflow
        for (const char *q = digits; q < p; ++q)
            number = number * 10 + unsigned(*q - '0');
    } else {
        for (const char *q = digits; q < p; ++q) {
            const unsigned d = unsigned(*q - '0');
            if (number > (limit - d) / 10)
                return IntParse::Overflow;
            number = number * 10 + d;
        }
    }
    while (p < end && isSpaceAscii(*p))
        ++p;
    if (p != end)
        return IntParse::Invalid;
    out = negative ? std::int64_t(0 - number) : std::int64_t(number);
    return IntParse::Ok;
}

namespace {

// str_to_uint64 with pandas' uint_state: a leading '-' only marks `seenSigned`.
struct UIntState
{
    bool seenSigned = false;
    bool seenUnsigned = false; // a value above int64's maximum
    bool seenNull = false;
};

IntParse parseUInt64(std::string_view s, std::uint64_t &out, UIntState &state)
{
    const char *p = s.data();
    const char *end = p + s.size();
    while (p < end && isSpaceAscii(*p))
        ++p;
    if (p < end && *p == '-') {
        state.seenSigned = true;
        out = 0;
        return IntParse::Ok;
    }
    if (p < end && *p == '+')
        ++p;
    if (p == end || !isDigit(*p))
        return IntParse::Invalid;
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t number = 0;
    while (p < end && isDigit(*p)) {
        const unsigned d = unsigned(*p - '0');
        if (number > (kMax - d) / 10)
            return IntParse::Overflow;
        number = number * 10 + d;
        ++p;
    }
    while (p < end && isSpaceAscii(*p))
        ++p;
    if (p != end)
        return IntParse::Invalid;
    if (number > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
        state.seenUnsigned = true;
    out = number;
    return IntParse::Ok;
}

bool parseInfinity(std::string_view s, double &out)
{
    if (equalsNoCase(s, "inf") || equalsNoCase(s, "+inf") || equalsNoCase(s, "infinity") ||
        equalsNoCase(s, "+infinity")) {
        out = std::numeric_limits<double>::infinity();
        return true;
    }
    if (equalsNoCase(s, "-inf") || equalsNoCase(s, "-infinity")) {
        out = -std::numeric_limits<double>::infinity();
        return true;
    }
    return false;
}

// pandas accumulates digits as `number = number * 10. + digit` in doubles. That is exact while
// the value stays below 2^53, so the first digits go through an integer; past 2^53 every step
// rounds, and those steps are replayed in doubles. (Written as two statements and built without
// FMA contraction on x86-64, as pandas is.)
double accumulateDigits(const char *p, const char *end, int count)
{
    double number = 0.;
    for (; p < end && count > 0; ++p) {
        if (!isDigit(*p))
            continue; // the decimal point
        const double scaled = number * 10.;
        number = scaled + double(*p - '0');
        --count;
    }
    return number;
}

} // namespace

bool parseDoubleGeneral(std::string_view s, double &out)
{
    constexpr int kMaxDigits = 17;
    const char *p = s.data();
    const char *end = p + s.size();
    while (p < end && isSpaceAscii(*p))
        ++p;
    bool negative = false;
    if (p < end && (*p == '-' || *p == '+')) {
        negative = *p == '-';
        ++p;
    }
    const char *digitsStart = p;
    std::uint64_t mantissa = 0;
    int numDigits = 0;
    std::uint32_t exponent = 0; // int arithmetic with wrap-around, as the C code behaves
    while (p < end && isDigit(*p)) {
        if (numDigits < kMaxDigits) {
            mantissa = mantissa * 10 + unsigned(*p - '0');
            ++numDigits;
        } else {
            ++exponent;
        }
        ++p;
    }
    if (p < end && *p == '.') {
        ++p;
        int numDecimals = 0;
        while (numDigits < kMaxDigits && p < end && isDigit(*p)) {
            mantissa = mantissa * 10 + unsigned(*p - '0');
            ++p;
            ++numDigits;
            ++numDecimals;
        }
        if (numDigits >= kMaxDigits) {
            while (p < end && isDigit(*p))
                ++p;
        }
        exponent -= std::uint32_t(numDecimals);
    }
    if (numDigits == 0)
        return parseInfinity(s, out);
    double number = mantissa < (std::uint64_t(1) << 53)
                        ? double(mantissa)
                        : accumulateDigits(digitsStart, p, numDigits);
    if (negative)
        number = -number;
    if (p < end && (*p == 'e' || *p == 'E')) {
        ++p;
        bool expNegative = false;
        if (p < end && (*p == '-' || *p == '+')) {
            expNegative = *p == '-';
            ++p;
        }
        int expDigits = 0;
        std::uint32_t n = 0;
        while (expDigits < kMaxDigits && p < end && isDigit(*p)) {
            n = n * 10 + unsigned(*p - '0');
            ++expDigits;
            ++p;
        }
        if (expDigits == 0)
            return parseInfinity(s, out); // pandas un-consumes the 'e': the token is not a number
        exponent = expNegative ? exponent - n : exponent + n;
    }
    const int e = std::int32_t(exponent);
    if (e > 308) {
        return parseInfinity(s, out);
    } else if (e > 0) {
        number *= kPow10[e];
    } else if (e < -308) {
        if (e < -616) {
            number = 0.;
        } else {
            number /= kPow10[-308 - e];
            number /= kPow10[308];
        }
    } else if (e < 0) {
        number /= kPow10[-e];
    }
    if (std::isinf(number))
        return parseInfinity(s, out);
    while (p < end && isSpaceAscii(*p))
        ++p;
    if (p != end)
        return parseInfinity(s, out);
    out = number;
    return true;
}

int parseBool(std::string_view s)
{
    if (equalsNoCase(s, "true"))
        return 1;
    if (equalsNoCase(s, "false"))
        return 0;
    return -1;
}

// ---- StringDict ------------------------------------------------------------------------------

namespace {

std::uint32_t hashBytes(std::string_view s)
{
    std::uint64_t h = 0x9E3779B97F4A7C15ull ^ s.size();
    const char *p = s.data();
    std::size_t n = s.size();
    while (n >= 8) {
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        h = (h ^ w) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 31;
        p += 8;
        n -= 8;
    }
    std::uint64_t w = 0;
    for (std::size_t k = 0; k < n; ++k)
        w |= std::uint64_t(static_cast<unsigned char>(p[k])) << (8 * k);
    h = (h ^ w) * 0x94D049BB133111EBull;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    return std::uint32_t(h >> 32);
}

} // namespace

std::string_view StringDict::at(std::int32_t code) const
{
    const std::size_t begin = code == 0 ? 0 : m_ends[std::size_t(code) - 1];
    return {m_bytes.data() + begin, m_ends[std::size_t(code)] - begin};
}

std::int32_t StringDict::find(std::string_view s) const
{
    if (m_slots.empty())
        return -1;
    const std::uint32_t h = hashBytes(s);
    const std::size_t mask = m_slots.size() - 1;
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        const std::int32_t code = m_slots[i];
        if (code < 0)
            return -1;
        if (m_hash[std::size_t(code)] == h && at(code) == s)
            return code;
    }
}

std::int32_t StringDict::intern(std::string_view s)
{
    if ((m_ends.size() + 1) * 2 > m_slots.size())
        rehash(m_slots.empty() ? 64 : m_slots.size() * 2);
    const std::uint32_t h = hashBytes(s);
    const std::size_t mask = m_slots.size() - 1;
    std::size_t i = h & mask;
    for (;; i = (i + 1) & mask) {
        const std::int32_t code = m_slots[i];
        if (code < 0)
            break;
        if (m_hash[std::size_t(code)] == h && at(code) == s)
            return code;
    }
    const auto code = std::int32_t(m_ends.size());
    m_bytes.insert(m_bytes.end(), s.begin(), s.end());
    m_ends.push_back(m_bytes.size());
    m_hash.push_back(h);
    m_slots[i] = code;
    return code;
}

void StringDict::rehash(std::size_t slotCount)
{
    m_slots.assign(slotCount, -1);
    const std::size_t mask = slotCount - 1;
    for (std::size_t code = 0; code < m_hash.size(); ++code) {
        std::size_t i = m_hash[code] & mask;
        while (m_slots[i] >= 0)
            i = (i + 1) & mask;
        m_slots[i] = std::int32_t(code);
    }
}

void StringDict::clear()
{
    m_bytes.clear();
    m_ends.clear();
    m_hash.clear();
    m_slots.clear();
}

// ---- the reference column inference -----------------------------------------------------------

namespace {

template<typename TokenAt>
void inferTokens(Column &col, std::size_t n, const TokenAt &tokenAt)
{
    col.ints.clear();
    col.floats.clear();
    col.bools.clear();
    col.codes.clear();
    col.dictionary.clear();
    col.boolHasMissing = false;
    if (n == 0) { // pandas: an empty column is object
        col.type = ColumnType::String;
        return;
    }
    enum class Next
    {
        Done,
        UInt,
        Float,
        ObjectFiltered,
        ObjectAll
    };
    Next next = Next::Done;
    // int64
    {
        std::vector<std::int64_t> values(n);
        std::vector<std::size_t> missing;
        for (std::size_t i = 0; i < n && next == Next::Done; ++i) {
            const std::string_view t = tokenAt(i);
            if (isNaToken(t)) {
                missing.push_back(i);
                continue;
            }
            const IntParse r = parseInt64(t, values[i]);
            if (r == IntParse::Overflow)
                next = Next::UInt;
            else if (r == IntParse::Invalid)
                next = Next::Float;
        }
        if (next == Next::Done) {
            if (missing.empty()) {
                col.type = ColumnType::Int64;
                col.ints = std::move(values);
                return;
            }
            // _maybe_upcast: astype(float) and NaN where the value equals the int64 NA sentinel
            col.type = ColumnType::Float64;
            col.floats.resize(n);
            for (std::size_t i = 0; i < n; ++i) {
                col.floats[i] = values[i] == std::numeric_limits<std::int64_t>::min()
                                    ? std::nan("")
                                    : double(values[i]);
            }
            for (std::size_t i : missing)
                col.floats[i] = std::nan("");
            return;
        }
    }
    if (next == Next::UInt) {
        UIntState state;
        std::vector<std::uint64_t> values(n);
        next = Next::Done;
        for (std::size_t i = 0; i < n && next == Next::Done; ++i) {
            const std::string_view t = tokenAt(i);
            if (isNaToken(t)) {
                state.seenNull = true;
                continue;
            }
            const IntParse r = parseUInt64(t, values[i], state);
            if (r == IntParse::Overflow)
                next = Next::ObjectFiltered;
            else if (r == IntParse::Invalid)
                next = Next::Float;
        }
        if (next == Next::Done) {
            if (state.seenUnsigned && (state.seenSigned || state.seenNull)) {
                next = Next::ObjectAll;
            } else if (state.seenSigned) {
                next = Next::ObjectFiltered;
            } else { // uint64: kept as doubles here
                col.type = ColumnType::Float64;
                col.floats.resize(n);
                for (std::size_t i = 0; i < n; ++i)
                    col.floats[i] = double(values[i]);
                return;
            }
        }
    }
    if (next == Next::Float) {
        col.floats.resize(n);
        bool ok = true;
        for (std::size_t i = 0; i < n && ok; ++i) {
            const std::string_view t = tokenAt(i);
            if (isNaToken(t))
                col.floats[i] = std::nan("");
            else
                ok = parseDouble(t, col.floats[i]);
        }
        if (ok) {
            col.type = ColumnType::Float64;
            return;
        }
        col.floats.clear();
        col.bools.resize(n);
        bool isBool = true;
        for (std::size_t i = 0; i < n && isBool; ++i) {
            const std::string_view t = tokenAt(i);
            const bool missing = isNaToken(t);
            const int b = missing ? -1 : parseBool(t);
            isBool = missing || b >= 0;
            col.bools[i] = std::int8_t(b);
            col.boolHasMissing = col.boolHasMissing || missing;
        }
        if (isBool) {
            col.type = ColumnType::Bool;
            return;
        }
        col.bools.clear();
        col.boolHasMissing = false;
        next = Next::ObjectFiltered;
    }
    col.type = ColumnType::String;
    StringDict dict;
    col.codes.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::string_view t = tokenAt(i);
        col.codes[i] = next == Next::ObjectFiltered && isNaToken(t) ? -1 : dict.intern(t);
    }
    col.dictionary.reserve(std::size_t(dict.size()));
    for (std::int32_t c = 0; c < dict.size(); ++c) {
        const std::string_view t = dict.at(c);
        col.dictionary.push_back(QString::fromUtf8(t.data(), qsizetype(t.size())));
    }
}

} // namespace

Column inferColumn(QString name, const std::vector<std::string_view> &tokens)
{
    Column col;
    col.name = std::move(name);
    inferTokens(col, tokens.size(), [&](std::size_t i) { return tokens[i]; });
    return col;
}

void inferColumnFromCodes(Column &col, const StringDict &dict,
                          const std::vector<std::int32_t> &codes)
{
    inferTokens(col, codes.size(), [&](std::size_t i) { return dict.at(codes[i]); });
}

QStringList mangleColumnNames(QStringList names)
{
    QList<qsizetype> order;
    QList<qsizetype> unnamed;
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (names[i].isEmpty()) {
            names[i] = u"Unnamed: "_s + QString::number(i);
            unnamed.append(i);
        } else {
            order.append(i);
        }
    }
    order.append(unnamed);
    QHash<QString, int> counts;
    for (qsizetype i : order) {
        QString col = names[i];
        const QString old = col;
        int cur = counts.value(col, 0);
        if (cur > 0) {
            while (cur > 0) {
                counts[old] = cur + 1;
                col = old + u'.' + QString::number(cur);
                if (names.contains(col))
                    ++cur;
                else
                    cur = counts.value(col, 0);
            }
        }
        names[i] = col;
        counts[col] = cur + 1;
    }
    return names;
}

} // namespace csv

} // namespace cairn
