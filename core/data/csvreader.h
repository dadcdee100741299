#pragma once

// Internals of the table readers (readTable in table.h is the public API). Declared here so the
// CSV and JSON Lines readers share them and tests can check each rule on its own.

#include "data/table.h"

#include <QByteArray>
#include <QString>

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace cairn::csv {

// ---- pandas 1.5.3 value rules (table.cpp) -------------------------------------------------
// Each mirrors the C routine pandas' read_csv uses with default options; tokens are the field
// text after quote removal, cut at the first NUL byte (pandas handles fields as C strings).

// One of pandas 1.5.3's 18 default missing tokens ("", "NA", "NaN", "null", "#N/A", ...), exact
// case. Not "None": pandas added it in 2.0. (Inline: it runs for every field.)
inline bool isNaToken(std::string_view s)
{
    if (s.empty())
        return true;
    switch (s[0]) { // most values are out after one comparison
    case '#':
        return s == "#N/A" || s == "#NA" || s == "#N/A N/A";
    case '-':
        return s == "-NaN" || s == "-nan" || s == "-1.#IND" || s == "-1.#QNAN";
    case '1':
        return s.size() >= 6 && (s == "1.#IND" || s == "1.#QNAN");
    case '<':
        return s == "<NA>";
    case 'N':
        return s == "NA" || s == "NaN" || s == "N/A" || s == "NULL";
    case 'n':
        return s == "nan" || s == "n/a" || s == "null"; // not "None": pandas 2.0 added it
    default:
        return false;
    }
}

enum class IntParse
{
    Ok,
    Invalid,
    Overflow
};
// str_to_int64: spaces around, an optional sign, digits; Overflow outside int64.
IntParse parseInt64(std::string_view s, std::int64_t &out);

// _try_double with precise_xstrtod (pandas' default float_precision): at most 17 digits count
// (leading zeros included, the rest are dropped, not rounded), exponents beyond 308 fail, and
// "inf", "+inf", "-inf", "Infinity", "+Infinity", "-Infinity" in any case. Not correctly rounded,
// on purpose: these are the doubles pandas produces.
// parseDouble (below) tries the common plain decimal inline first, then this general routine.
bool parseDoubleGeneral(std::string_view s, double &out);

namespace detail {

// Eight ASCII digits in a little-endian word (fast_float's test and conversion).
inline bool eightDigits(std::uint64_t v)
{
    return (((v & 0xF0F0F0F0F0F0F0F0) | (((v + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) ==
            0x3333333333333333);
}

inline std::uint32_t eightDigitsValue(std::uint64_t v)
{
    v -= 0x3030303030303030;
    v = (v * 10) + (v >> 8);
    v = (((v & 0x000000FF000000FF) * 0x000F424000000064) +
         (((v >> 16) & 0x000000FF000000FF) * 0x0000271000000001)) >>
        32;
    return std::uint32_t(v);
}

inline bool fourDigits(std::uint32_t v)
{
    return ((v & 0xF0F0F0F0) | (((v + 0x06060606) & 0xF0F0F0F0) >> 4)) == 0x33333333;
}

inline std::uint32_t fourDigitsValue(std::uint32_t v)
{
    std::uint64_t w = v - 0x30303030;
    w = (w * 10) + (w >> 8); // bytes 0 and 2: the two-digit halves
    return std::uint32_t((((w & 0x00FF00FF) * (1 + (100 << 16))) >> 16) & 0xFFFF);
}

// 10^0 .. 10^17, exact in a double (the same values as the general path's table).
inline constexpr double kSmallPow10[18] = {1e0, 1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,
                                           1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17};

// The common token, [sign] digits [. digits] with at most 17 digits and a value below 2^53,
// computed as the general path does (the integer, negated, divided by 10^decimals) but with the
// fraction's digits read four or eight at a time. False: take the general path.
inline bool parsePlainDecimal(std::string_view s, double &out)
{
    static_assert(std::endian::native == std::endian::little);
    if (s.empty() || s.size() > 19)
        return false;
    const char *p = s.data();
    const char *end = p + s.size();
    const bool negative = *p == '-';
    if (negative || *p == '+')
        ++p;
    std::uint64_t mantissa = 0;
    const char *intStart = p;
    while (p < end && unsigned(*p - '0') < 10)
        mantissa = mantissa * 10 + unsigned(*p++ - '0');
    const auto intDigits = int(p - intStart);
    int decimals = 0;
    if (p < end && *p == '.') {
        ++p;
        const char *fracStart = p;
        std::uint64_t w8;
        while (end - p >= 8 && (std::memcpy(&w8, p, 8), eightDigits(w8))) {
            mantissa = mantissa * 100000000 + eightDigitsValue(w8);
            p += 8;
        }
        std::uint32_t w4;
        if (end - p >= 4 && (std::memcpy(&w4, p, 4), fourDigits(w4))) {
            mantissa = mantissa * 10000 + fourDigitsValue(w4);
            p += 4;
        }
        while (p < end && unsigned(*p - '0') < 10)
            mantissa = mantissa * 10 + unsigned(*p++ - '0');
        decimals = int(p - fracStart);
    }
    if (p != end || intDigits + decimals == 0 || intDigits + decimals > 17 ||
        mantissa >= (std::uint64_t(1) << 53))
        return false;
    double number = double(mantissa);
    if (negative)
        number = -number;
    if (decimals > 0)
        number /= kSmallPow10[decimals];
    out = number;
    return true;
}

inline std::uint64_t load8(const char *p)
{
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}

// Where the first byte equal to c is in a little-endian word (8 if none).
inline unsigned firstByte(std::uint64_t w, char c)
{
    const std::uint64_t x = w ^ (0x0101010101010101 * static_cast<unsigned char>(c));
    const std::uint64_t z = (x - 0x0101010101010101) & ~x & 0x8080808080808080;
    return z ? unsigned(std::countr_zero(z)) / 8 : 8;
}

// The len <= 8 digits at p as a number (p[0, 8) must be readable); false if one is not a digit.
inline bool digitsUpTo8(const char *p, unsigned len, std::uint32_t &value)
{
    if (len == 0) {
        value = 0;
        return true;
    }
    const unsigned shift = 8 * (8 - len); // the digits to the top bytes, '0's before them
    const std::uint64_t w =
        (load8(p) << shift) | (0x3030303030303030 & ((std::uint64_t(1) << shift) - 1));
    if (!eightDigits(w))
        return false;
    value = eightDigitsValue(w);
    return true;
}

// parsePlainDecimal for a token followed by at least 32 readable bytes (inside a block, away
// from its end), with at most 8 digits on each side of the point: the point is found and both
// sides converted a word at a time, so the branches do not depend on the digits. False: not
// that form, take parseDouble.
inline bool parseShortDecimal(const char *p, std::size_t n, double &out)
{
    if (n == 0 || n > 18)
        return false;
    const bool negative = p[0] == '-';
    const unsigned start = negative || p[0] == '+' ? 1 : 0;
    const char *q = p + start;
    const auto len = unsigned(n) - start;
    unsigned dot = firstByte(load8(q), '.');
    if (dot == 8)
        dot = 8 + firstByte(load8(q + 8), '.');
    const unsigned intLen = std::min(dot, len);
    const unsigned fracLen = dot < len ? len - dot - 1 : 0;
    std::uint32_t whole = 0;
    std::uint32_t fraction = 0;
    if (intLen > 8 || fracLen > 8 || intLen + fracLen == 0 || !digitsUpTo8(q, intLen, whole) ||
        !digitsUpTo8(q + intLen + 1, fracLen, fraction))
        return false;
    constexpr std::uint64_t pow10[9] = {1,      10,      100,      1000,     10000,
                                        100000, 1000000, 10000000, 100000000};
    const std::uint64_t mantissa = std::uint64_t(whole) * pow10[fracLen] + fraction;
    if (mantissa >= (std::uint64_t(1) << 53))
        return false;
    double number = double(mantissa);
    if (negative)
        number = -number;
    if (fracLen > 0)
        number /= kSmallPow10[fracLen];
    out = number;
    return true;
}

} // namespace detail

inline bool parseDouble(std::string_view s, double &out)
{
    return detail::parsePlainDecimal(s, out) || parseDoubleGeneral(s, out);
}

// _try_bool_flex: "True"/"TRUE"/"true"/"False"/... in any letter case. 1, 0, or -1 if not a bool.
int parseBool(std::string_view s);

// A string interner: distinct byte strings numbered in first-seen order.
class StringDict
{
public:
    std::int32_t intern(std::string_view s);
    std::int32_t find(std::string_view s) const; // -1 if absent
    std::int32_t size() const { return std::int32_t(m_ends.size()); }
    std::string_view at(std::int32_t code) const;
    std::size_t bytes() const { return m_bytes.size(); }
    void clear();

private:
    void rehash(std::size_t slotCount);
    std::vector<char> m_bytes;
    std::vector<std::size_t> m_ends;   // end offset of each string in m_bytes
    std::vector<std::uint32_t> m_hash; // hash of each string
    std::vector<std::int32_t> m_slots; // open addressing: code, or -1
};

// pandas' TextReader._convert_tokens over a whole column, sequentially: int64 (with missing:
// float64, and int64's minimum becomes NaN too), else uint64 when an int64 overflowed (mapped to
// Float64 here), float64, bool, or object, with pandas' fallbacks in its exact order (a uint64
// conflict keeps even the missing tokens as text). `tokenAt(i)` gives row i's token.
// Used for columns holding integers beyond int64, and by the tests as the reference.
Column inferColumn(QString name, const std::vector<std::string_view> &tokens);
void inferColumnFromCodes(Column &col, const StringDict &dict,
                          const std::vector<std::int32_t> &codes);

// Column names as pandas makes them: an empty name is "Unnamed: <index>", duplicates become
// "a.1", "a.2"... (named columns are numbered before unnamed ones, as pandas 1.5.3 does).
QStringList mangleColumnNames(QStringList names);

// ---- tokenizer ------------------------------------------------------------------------------
// (inline: the readers' inner loop; CellText in core/diff re-reads records with it)

struct TokenizeResult
{
    bool stopped = false;      // the sink asked to stop
    bool unterminated = false; // the data ended inside a quoted field
    std::size_t quoteOffset = 0;
};

// pandas' tokenizer (tokenizer.c, default options) over one block that starts at a record start.
// Sink: bool field(index, value, startOffset); bool endRecord(fieldCount, offsetAfterRecord).
// Blank and whitespace-only lines are skipped; \n, \r\n and a lone \r end records; a blank line
// ended by a lone \r swallows a delimiter right after it (as pandas does).
template<typename Sink>
inline TokenizeResult tokenize(const char *d, std::size_t n, char delim, bool cutAtNul,
                               std::string &scratch, Sink &sink)
{
    bool special[256] = {};
    special[static_cast<unsigned char>(delim)] = true;
    special[static_cast<unsigned char>('\n')] = true;
    special[static_cast<unsigned char>('\r')] = true;
    auto isSpecial = [&](char c) { return special[static_cast<unsigned char>(c)]; };
#ifdef __SSE2__
    const __m128i vDelim = _mm_set1_epi8(delim);
    const __m128i vLf = _mm_set1_epi8('\n');
    const __m128i vCr = _mm_set1_epi8('\r');
#endif

    std::size_t i = 0;
    while (i < n) {
        const char c = d[i];
        if (c == '\n') {
            ++i;
            continue;
        }
        if (c == '\r') {
            ++i;
            if (i < n && (d[i] == '\n' || d[i] == delim))
                ++i;
            continue;
        }
        if ((c == ' ' || c == '\t') && c != delim) {
            std::size_t j = i + 1;
            while (j < n && (d[j] == ' ' || d[j] == '\t') && d[j] != delim)
                ++j;
            if (j == n)
                return {};
            if (d[j] == '\n' || d[j] == '\r') {
                i = j + 1;
                if (d[j] == '\r' && i < n && (d[i] == '\n' || d[i] == delim))
                    ++i;
                continue;
            }
            // not blank: the record starts at the first space
        }
        std::size_t field = 0;
        while (true) {
            const std::size_t start = i;
            std::string_view value;
            if (i < n && d[i] == '"') {
                bool copied = false;
                std::size_t seg = i + 1;
                std::size_t close = 0;
                while (true) {
                    const void *q = std::memchr(d + seg, '"', n - seg);
                    if (!q)
                        return {.unterminated = true, .quoteOffset = start};
                    const std::size_t k = std::size_t(static_cast<const char *>(q) - d);
                    if (k + 1 < n && d[k + 1] == '"') {
                        if (!copied)
                            scratch.clear();
                        scratch.append(d + seg, k + 1 - seg);
                        copied = true;
                        seg = k + 2;
                        continue;
                    }
                    if (copied)
                        scratch.append(d + seg, k - seg);
                    close = k;
                    i = k + 1;
                    break;
                }
                if (i < n && !isSpecial(d[i])) { // text after the closing quote joins the field
                    if (!copied)
                        scratch.assign(d + start + 1, close - start - 1);
                    copied = true;
                    std::size_t j = i;
                    while (j < n && !isSpecial(d[j]))
                        ++j;
                    scratch.append(d + i, j - i);
                    i = j;
                }
                value = copied ? std::string_view(scratch)
                               : std::string_view(d + start + 1, close - start - 1);
            } else {
                std::size_t j = i;
#ifdef __SSE2__
                while (j + 16 <= n) { // the next delimiter or line end, 16 bytes at a time
                    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(d + j));
                    const __m128i hit =
                        _mm_or_si128(_mm_cmpeq_epi8(v, vDelim),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, vLf), _mm_cmpeq_epi8(v, vCr)));
                    const unsigned mask = unsigned(_mm_movemask_epi8(hit));
                    if (mask) {
                        j += std::size_t(__builtin_ctz(mask));
                        goto found;
                    }
                    j += 16;
                }
#endif
                while (j < n && !isSpecial(d[j]))
                    ++j;
#ifdef __SSE2__
            found:
#endif
                value = std::string_view(d + i, j - i);
                i = j;
            }
            if (cutAtNul) {
                if (const void *z = std::memchr(value.data(), 0, value.size()))
                    value =
                        value.substr(0, std::size_t(static_cast<const char *>(z) - value.data()));
            }
            if (!sink.field(field++, value, start))
                return {.stopped = true};
            if (i == n)
                break;
            const char e = d[i++];
            if (e == delim)
                continue;
            if (e == '\r' && i < n && d[i] == '\n')
                ++i;
            break;
        }
        if (!sink.endRecord(field, i))
            return {.stopped = true};
    }
    return {};
}

// Record boundaries as the tokenizer finds them, without cutting fields (about 2.5x faster when
// the fields are not needed; csvreader.cpp). skipBlankLines: the first record start at or after
// i (blank and whitespace-only lines skipped; n if none). skipRecord: the offset after the record
// that starts at i, scanning for quotes and line ends only (a quote opens a quoted field only at a
// field's start); n if the record, or an open quote, runs to the end. tst_tablediff (CellText uses
// them) checks them against tokenize on random texts.
std::size_t skipBlankLines(const char *d, std::size_t n, std::size_t i, char delim);
std::size_t skipRecord(const char *d, std::size_t n, std::size_t i, char delim);

// ---- bytes ----------------------------------------------------------------------------------

// The file or byte array a reader consumes, read front to back in blocks, plus re-reads of a
// byte range (for the second pass). In-memory sources hand out views without copying.
struct Bytes
{
    std::shared_ptr<char[]> owner; // null for views into the in-memory source
    const char *data = nullptr;
    qint64 size = 0;
    std::string_view view() const { return {data, std::size_t(size)}; }
};

class ByteSource
{
public:
    virtual ~ByteSource() = default;
    static Result<std::unique_ptr<ByteSource>> openFile(const QString &path);
    static std::unique_ptr<ByteSource> fromBytes(const QByteArray &bytes, const QString &name);

    QString name() const { return m_name; }
    qint64 size() const { return m_size; }
    // Reads [offset, offset + length) (shorter at the end of the source).
    virtual Result<Bytes> read(qint64 offset, qint64 length) = 0;

protected:
    QString m_name;
    qint64 m_size = 0;
};

// Hands out consecutive blocks of a source, each ending where `cut` says a record ends (the
// length of the longest complete prefix, 0 if none); the rest is read again with the next block.
// The last block holds whatever remains. A record longer than `maxRecord` bytes comes out alone,
// marked `truncated`.
struct Block
{
    Bytes bytes;
    qint64 offset = 0;
    bool final = false;
    bool truncated = false;
};
using CutFunction = std::size_t (*)(const char *data, std::size_t size, char delimiter);

class BlockProducer
{
public:
    BlockProducer(ByteSource &source, qint64 blockSize, qint64 maxRecord, CutFunction cut,
                  char delimiter, Bytes buffer, qint64 bufferStart, qint64 position);
    // The next block; nullopt at the end.
    Result<std::optional<Block>> next();
    qint64 position() const { return m_pos; }

private:
    ByteSource &m_source;
    qint64 m_blockSize;
    qint64 m_maxRecord;
    CutFunction m_cut;
    char m_delimiter;
    Bytes m_buf;
    qint64 m_bufStart;
    qint64 m_pos;
};

// Scans a block once: the offset of the first byte that does not start valid UTF-8 (Python's
// strict decoder: no overlongs, surrogates or code points beyond U+10FFFF; `size` if all valid),
// the number of line ends (\n, \r\n, lone \r) and whether a NUL byte occurs.
struct BlockScan
{
    std::size_t firstInvalid = 0;
    qint64 lineEnds = 0;
    bool hasNul = false;
};
BlockScan scanBlock(const char *p, std::size_t size);

// 0-based line index and 1-based byte column of `offset` in `p` (line ends as in scanBlock).
struct LineColumn
{
    qint64 line = 0;
    qint64 column = 1;
};
LineColumn lineColumnAt(const char *p, std::size_t offset);

// The delimiter among , ; \t | that splits the sample's first records into one consistent
// number of fields (the most fields wins; ties in that order); ',' if none is consistent.
// `complete`: the sample is the whole input (else its last, partial line is ignored).
char sniffDelimiter(std::string_view sample, bool complete);

// JSON Lines (jsonlreader.cpp).
Result<Table> readJsonLines(ByteSource &source, const ReadOptions &options,
                            const Progress &progress);
// CSV/TSV (csvreader.cpp).
Result<Table> readDelimited(ByteSource &source, char delimiter, const ReadOptions &options,
                            const Progress &progress);
// The column names of a CSV/TSV source as readDelimited names them (mangled), from its first
// record only; `delimiter` 0 sniffs it as readDelimited does.
Result<QStringList> readDelimitedHeader(ByteSource &source, char delimiter);

} // namespace cairn::csv
