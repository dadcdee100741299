#include "csvreader.h"

#include "common/memory.h"

#include <QFile>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <thread>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

// How the CSV reader works
// ------------------------
// 1. The calling thread reads the source in blocks (8 MiB by default) and cuts each block after
//    its last record boundary (findCut: a line end outside quotes, with the quote rules of pandas'
//    tokenizer: a quote opens a quoted field only at the start of a field). The remainder is read
//    again at the start of the next block, so no text is kept beyond the blocks in flight.
// 2. Worker threads parse blocks in parallel (parseBlock). Every column of a block becomes a typed
//    chunk whose kind only moves up: Empty (only missing so far) -> Int -> Float, or Bool, String,
//    and Raw (an integer beyond int64 was seen: pandas then takes order-dependent paths, so the
//    text is kept and the reference algorithm decides at the end). A promotion that needs the
//    text (a number column meeting "abc", ints that pandas would round differently as floats)
//    marks the chunk dirty; the worker then re-reads its own block for those columns only.
// 3. The calling thread merges finished blocks in order into the output columns, converting what
//    it can without text (Empty -> anything, Int -> Float). Dictionaries of strings are merged
//    in order, so codes stay in first-seen order.
// 4. If a later block changed a column's kind in a way earlier blocks cannot follow (numbers that
//    turn out to be strings), those blocks are read again from the source and re-parsed for those
//    columns only (pass 2). Typical files never need it; the worst case reads the file twice.
// Memory: the typed columns, plus (threads + 2) blocks of text.

namespace cairn::csv {

using namespace Qt::StringLiterals;

// ---- sources ----------------------------------------------------------------------------------

namespace {

// Read buffers handed back when the last block using them is done, for the next read: a fresh
// multi-megabyte buffer per block costs a page fault per 4 KiB on first write. Shared with the
// buffers' deleters, so it outlives the source if a block does.
class BufferPool
{
public:
    std::shared_ptr<char[]> get(std::size_t length, const std::shared_ptr<BufferPool> &self)
    {
        std::unique_ptr<char[]> buffer;
        std::size_t capacity = 0;
        {
            std::lock_guard lock(m_mutex);
            for (auto it = m_free.begin(); it != m_free.end(); ++it) {
                if (it->second >= length) {
                    buffer = std::move(it->first);
                    capacity = it->second;
                    m_free.erase(it);
                    break;
                }
            }
        }
        if (!buffer) {
            constexpr std::size_t step = std::size_t(1) << 20; // sizes vary a little: round up
            capacity = (length + step - 1) / step * step;
            buffer.reset(new char[capacity]); // not zeroed
            preferHugePages(buffer.get(), capacity);
        }
        return std::shared_ptr<char[]>(buffer.release(), [self, capacity](char *b) {
            self->put(std::unique_ptr<char[]>(b), capacity);
        });
    }

private:
    void put(std::unique_ptr<char[]> buffer, std::size_t capacity)
    {
        std::lock_guard lock(m_mutex);
        if (m_free.size() < 16)
            m_free.emplace_back(std::move(buffer), capacity);
    }
    std::mutex m_mutex;
    std::vector<std::pair<std::unique_ptr<char[]>, std::size_t>> m_free;
};

class FileSource final : public ByteSource
{
public:
    explicit FileSource(const QString &path)
        : m_file(path)
    {
        m_name = path;
    }
    bool open()
    {
        if (!m_file.open(QIODevice::ReadOnly))
            return false;
        m_size = m_file.size();
        return true;
    }
    QString errorString() const { return m_file.errorString(); }

    Result<Bytes> read(qint64 offset, qint64 length) override
    {
        Bytes out;
        length = std::max<qint64>(0, std::min(length, m_size - offset));
        out.owner = m_pool->get(std::size_t(length), m_pool);
        if (!m_file.seek(offset))
            return fail(Error(u"cannot read: %1"_s.arg(m_file.errorString()), m_name));
        qint64 got = 0;
        while (got < length) {
            const qint64 n = m_file.read(out.owner.get() + got, length - got);
            if (n < 0)
                return fail(Error(u"cannot read: %1"_s.arg(m_file.errorString()), m_name));
            if (n == 0)
                break; // the file shrank
            got += n;
        }
        out.data = out.owner.get();
        out.size = got;
        return out;
    }

private:
    QFile m_file;
    std::shared_ptr<BufferPool> m_pool = std::make_shared<BufferPool>();
};

class MemorySource final : public ByteSource
{
public:
    MemorySource(const QByteArray &bytes, const QString &name)
        : m_bytes(bytes)
    {
        m_name = name;
        m_size = bytes.size();
    }
    Result<Bytes> read(qint64 offset, qint64 length) override
    {
        Bytes out;
        offset = std::clamp<qint64>(offset, 0, m_size);
        out.data = m_bytes.constData() + offset;
        out.size = std::max<qint64>(0, std::min(length, m_size - offset));
        return out;
    }

private:
    QByteArray m_bytes; // implicitly shared: no copy
};

} // namespace

Result<std::unique_ptr<ByteSource>> ByteSource::openFile(const QString &path)
{
    auto src = std::make_unique<FileSource>(path);
    if (!src->open())
        return fail(Error(u"cannot read: %1"_s.arg(src->errorString()), path));
    return std::unique_ptr<ByteSource>(std::move(src));
}

std::unique_ptr<ByteSource> ByteSource::fromBytes(const QByteArray &bytes, const QString &name)
{
    return std::make_unique<MemorySource>(bytes, name);
}

// ---- byte scans -------------------------------------------------------------------------------

namespace {

// Length of the valid UTF-8 sequence at p (Python's strict decoder), 0 if invalid.
std::size_t utf8Sequence(const unsigned char *p, std::size_t n)
{
    const unsigned c = p[0];
    auto cont = [&](std::size_t i, unsigned lo = 0x80, unsigned hi = 0xBF) {
        return i < n && p[i] >= lo && p[i] <= hi;
    };
    if (c >= 0xC2 && c <= 0xDF)
        return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        const unsigned lo = c == 0xE0 ? 0xA0 : 0x80;
        const unsigned hi = c == 0xED ? 0x9F : 0xBF;
        return cont(1, lo, hi) && cont(2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        const unsigned lo = c == 0xF0 ? 0x90 : 0x80;
        const unsigned hi = c == 0xF4 ? 0x8F : 0xBF;
        return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
    }
    return 0;
}

} // namespace

BlockScan scanBlock(const char *p, std::size_t n)
{
    BlockScan r;
    r.firstInvalid = n;
    const auto *u = reinterpret_cast<const unsigned char *>(p);
    std::size_t i = 0;
    while (i < n) {
#ifdef __SSE2__
        // 16 bytes at a time while they are ASCII: '\n' counted in byte lanes (at most 255 rounds
        // before the lanes are summed), '\r' and NUL looked at only when present.
        const __m128i nl = _mm_set1_epi8('\n');
        const __m128i cr = _mm_set1_epi8('\r');
        const __m128i zero = _mm_setzero_si128();
        while (i + 16 <= n) {
            __m128i lanes = zero;
            int rounds = 0;
            bool ascii = true;
            for (; rounds < 255 && i + 16 <= n; ++rounds) {
                const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(u + i));
                if (_mm_movemask_epi8(v) != 0) {
                    ascii = false;
                    break;
                }
                lanes = _mm_sub_epi8(lanes, _mm_cmpeq_epi8(v, nl));
                const __m128i special =
                    _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, zero));
                if (_mm_movemask_epi8(special) != 0) [[unlikely]] {
                    for (std::size_t k = i; k < i + 16; ++k) {
                        if (p[k] == '\r' && (k + 1 >= n || p[k + 1] != '\n'))
                            ++r.lineEnds;
                        else if (p[k] == 0)
                            r.hasNul = true;
                    }
                }
                i += 16;
            }
            const __m128i sums = _mm_sad_epu8(lanes, zero);
            r.lineEnds += _mm_cvtsi128_si32(sums) + _mm_extract_epi16(sums, 4);
            if (!ascii)
                break;
        }
#endif
        if (i >= n)
            break;
        const unsigned c = u[i];
        if (c < 0x80) {
            if (c == '\n')
                ++r.lineEnds;
            else if (c == '\r' && (i + 1 >= n || p[i + 1] != '\n'))
                ++r.lineEnds;
            else if (c == 0)
                r.hasNul = true;
            ++i;
            continue;
        }
        const std::size_t len = utf8Sequence(u + i, n - i);
        if (len == 0) {
            r.firstInvalid = i;
            return r; // the line count is not needed past an error
        }
        i += len;
    }
    return r;
}

LineColumn lineColumnAt(const char *p, std::size_t offset)
{
    LineColumn lc;
    std::size_t lineStart = 0;
    for (std::size_t i = 0; i < offset; ++i) {
        if (p[i] == '\n' || (p[i] == '\r' && (i + 1 >= offset || p[i + 1] != '\n'))) {
            ++lc.line;
            lineStart = i + 1;
        }
    }
    lc.column = qint64(offset - lineStart) + 1;
    return lc;
}

// ---- typed chunks -----------------------------------------------------------------------------

namespace {

enum class Kind : std::uint8_t
{
    Empty,
    Int,
    Float,
    Bool,
    String,
    Raw
};

Kind join(Kind a, Kind b)
{
    if (a == Kind::Empty)
        return b;
    if (b == Kind::Empty || a == b)
        return a;
    if (a == Kind::Raw || b == Kind::Raw)
        return Kind::Raw;
    if ((a == Kind::Int && b == Kind::Float) || (a == Kind::Float && b == Kind::Int))
        return Kind::Float;
    return Kind::String;
}

bool overflowsInt64(std::string_view t)
{
    std::int64_t v;
    return t.size() >= 19 && parseInt64(t, v) == IntParse::Overflow;
}

// What a non-missing token is, on its own.
Kind classOf(std::string_view t)
{
    std::int64_t v;
    switch (parseInt64(t, v)) {
    case IntParse::Ok:
        return Kind::Int;
    case IntParse::Overflow:
        return Kind::Raw;
    case IntParse::Invalid:
        break;
    }
    double d;
    if (parseDouble(t, d))
        return Kind::Float;
    return parseBool(t) >= 0 ? Kind::Bool : Kind::String;
}

struct Chunk
{
    Kind kind = Kind::Empty;
    bool dirty = false;      // the values stored do not match `kind`: re-read the block
    bool intInexact = false; // some int's double differs from what pandas' float parser gives
    std::uint32_t rows = 0;
    std::uint32_t expected = 0; // rows the block may hold (its line count), to reserve once
    std::vector<std::int64_t> ints;
    std::vector<std::uint32_t> intMissing; // Int: rows (in the block) that are missing
    std::vector<double> floats;
    std::vector<std::int8_t> bools;
    std::vector<std::int32_t> codes; // String, Raw: local dictionary codes
    StringDict dict;
    // The codes of recent short strings (at most 16 bytes), looked up by their bytes as two
    // words: a category column repeats a few values, and this skips hashing and comparing them.
    struct Recent
    {
        std::uint64_t w0 = 0;
        std::uint64_t w1 = 0;
        std::int32_t length = -1;
        std::int32_t code = -1;
    };
    std::vector<Recent> recent;

    // intern(t), for a token with 32 readable bytes from its start.
    std::int32_t internShort(std::string_view t)
    {
        if (t.size() > 16)
            return dict.intern(t);
        const std::size_t n = t.size();
        const std::uint64_t keep0 = n >= 8 ? ~std::uint64_t(0) : (std::uint64_t(1) << (8 * n)) - 1;
        const std::uint64_t keep1 =
            n <= 8 ? 0 : (n == 16 ? ~std::uint64_t(0) : (std::uint64_t(1) << (8 * (n - 8))) - 1);
        const std::uint64_t w0 = detail::load8(t.data()) & keep0;
        const std::uint64_t w1 = detail::load8(t.data() + 8) & keep1;
        if (recent.empty())
            recent.resize(64);
        Recent &r = recent[((w0 ^ (w1 * 31) ^ n) * 0x9E3779B97F4A7C15) >> 58];
        if (r.length == std::int32_t(n) && r.w0 == w0 && r.w1 == w1)
            return r.code;
        r = {w0, w1, std::int32_t(n), dict.intern(t)};
        return r.code;
    }
};

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void convertChunk(Chunk &c, Kind to)
{
    if (c.kind == to)
        return;
    if (c.kind == Kind::Empty) {
        switch (to) {
        case Kind::Int:
            c.ints.reserve(c.expected);
            c.ints.assign(c.rows, 0);
            for (std::uint32_t r = 0; r < c.rows; ++r)
                c.intMissing.push_back(r);
            break;
        case Kind::Float:
            c.floats.reserve(c.expected);
            c.floats.assign(c.rows, kNaN);
            break;
        case Kind::Bool:
            c.bools.reserve(c.expected);
            c.bools.assign(c.rows, -1);
            break;
        case Kind::String:
            c.codes.reserve(c.expected);
            c.codes.assign(c.rows, -1);
            break;
        case Kind::Raw:
            c.dirty = c.dirty || c.rows > 0; // the missing tokens' text is needed
            break;
        case Kind::Empty:
            break;
        }
    } else if (c.kind == Kind::Int && to == Kind::Float && !c.intInexact) {
        c.floats.reserve(c.expected);
        c.floats.resize(c.ints.size());
        for (std::size_t r = 0; r < c.ints.size(); ++r)
            c.floats[r] = double(c.ints[r]);
        for (std::uint32_t r : c.intMissing)
            c.floats[r] = kNaN;
        std::vector<std::int64_t>().swap(c.ints);
        std::vector<std::uint32_t>().swap(c.intMissing);
    } else {
        c.dirty = true;
        c.ints.clear();
        c.intMissing.clear();
        c.floats.clear();
        c.bools.clear();
        c.codes.clear();
        c.dict.clear();
        c.recent.clear(); // its codes were the dictionary's
    }
    c.kind = to;
}

constexpr std::int64_t kExactInt = std::int64_t(1) << 53;

void storeValue(Chunk &c, std::string_view t)
{
    switch (c.kind) {
    case Kind::Empty:
        if (isNaToken(t))
            return;
        break;
    case Kind::Int: {
        if (isNaToken(t)) {
            c.intMissing.push_back(c.rows);
            c.ints.push_back(0);
            return;
        }
        std::int64_t v;
        if (parseInt64(t, v) == IntParse::Ok) {
            c.ints.push_back(v);
            if (v <= -kExactInt || v >= kExactInt || t.size() > 17)
                c.intInexact = true;
            return;
        }
        break;
    }
    case Kind::Float: {
        double v;
        if (isNaToken(t)) {
            c.floats.push_back(kNaN);
            return;
        }
        if (parseDouble(t, v) && !overflowsInt64(t)) {
            c.floats.push_back(v);
            return;
        }
        break;
    }
    case Kind::Bool: {
        if (isNaToken(t)) {
            c.bools.push_back(-1);
            return;
        }
        const int b = parseBool(t);
        if (b >= 0) {
            c.bools.push_back(std::int8_t(b));
            return;
        }
        break;
    }
    case Kind::String:
        if (isNaToken(t)) {
            c.codes.push_back(-1);
            return;
        }
        if (!overflowsInt64(t)) {
            c.codes.push_back(c.dict.intern(t));
            return;
        }
        break;
    case Kind::Raw:
        c.codes.push_back(c.dict.intern(t));
        return;
    }
    convertChunk(c, join(c.kind, classOf(t)));
    storeValue(c, t); // the new kind accepts t
}

// The common cases inline; anything else (missing values, promotions) in storeValue.
// roomAfter: at least 32 bytes after t's start may be read (parseShortDecimal).
inline void pushValue(Chunk &c, std::string_view t, bool roomAfter = false)
{
    switch (c.kind) {
    case Kind::Float: {
        double v;
        // No missing token parses as a number, so a number needs no isNaToken.
        if ((roomAfter && detail::parseShortDecimal(t.data(), t.size(), v)) ||
            (t.size() < 19 && parseDouble(t, v))) {
            c.floats.push_back(v);
            ++c.rows;
            return;
        }
        break;
    }
    case Kind::Int: {
        std::int64_t v;
        if (t.size() <= 17 && parseInt64(t, v) == IntParse::Ok && v > -kExactInt && v < kExactInt) {
            c.ints.push_back(v);
            ++c.rows;
            return;
        }
        break;
    }
    case Kind::String:
        if (t.size() < 19 && !isNaToken(t)) {
            c.codes.push_back(roomAfter ? c.internShort(t) : c.dict.intern(t));
            ++c.rows;
            return;
        }
        break;
    default:
        break;
    }
    storeValue(c, t);
    ++c.rows;
}

// ---- parsing one block ------------------------------------------------------------------------

enum class Problem
{
    None,
    TooManyFields,
    TooFewFields,
    Unterminated,
    Utf8,
    TooLong
};

struct BlockResult
{
    std::uint32_t rows = 0;
    qint64 lineEnds = 0;
    std::vector<Chunk> chunks; // one per requested column
    Problem problem = Problem::None;
    std::size_t problemOffset = 0;
    std::size_t problemFields = 0; // TooManyFields, TooFewFields: how many the row has
    unsigned char badByte = 0;
    bool inQuote = false; // TooLong: the record is a quoted field that goes on
    LineColumn at;        // where the problem is, relative to the block
};

// Fills chunks for the columns that have a slot; checks the number of fields.
struct TypedSink
{
    const std::vector<int> &slotOf; // column -> chunk index, -1: skipped
    std::vector<Chunk> &chunks;
    std::size_t columns;
    bool padShortRows = false; // pandas' way; otherwise a short row is an error
    std::uint32_t rows = 0;
    bool tooMany = false;
    bool tooFew = false;
    std::size_t tooManyOffset = 0;
    std::size_t tooManyFields = 0;
    const char *data = nullptr;    // the block (for where a short row ends)
    const char *roomEnd = nullptr; // 32 bytes before the block's end (or its start)

    bool field(std::size_t index, std::string_view value, std::size_t start)
    {
        if (index < columns) [[likely]] {
            const int slot = slotOf[index];
            // A field inside the block, 32 bytes or more from its end (not a quoted field's
            // copy): the fast float parser may read past it.
            const bool roomAfter = value.data() >= data && value.data() < roomEnd;
            if (slot >= 0)
                pushValue(chunks[std::size_t(slot)], value, roomAfter);
        } else if (index == columns) {
            tooMany = true;
            tooManyOffset = start - 1; // the delimiter that starts the first extra field
        }
        return true;
    }
    bool endRecord(std::size_t fields, std::size_t after)
    {
        if (tooMany) {
            tooManyFields = fields;
            return false;
        }
        if (fields < columns && !padShortRows) {
            tooFew = true;
            tooManyFields = fields;
            while (after > 0 && (data[after - 1] == '\n' || data[after - 1] == '\r'))
                --after;
            tooManyOffset = after; // where the next field would start
            return false;
        }
        for (std::size_t f = fields; f < columns; ++f) { // pandas pads short rows with NaN
            const int slot = slotOf[f];
            if (slot >= 0)
                pushValue(chunks[std::size_t(slot)], {});
        }
        ++rows;
        return true;
    }
};

struct ParseSpec
{
    char delimiter = ',';
    std::size_t columns = 0;
    bool padShortRows = false;
    std::vector<int> slotOf;   // column -> slot
    std::vector<Kind> initial; // per slot: the kind to start from (pass 2: the final kind)
};

// Parses a whole block. `final`: the block ends the input (an open quote is then an error).
// `truncated`: the block is a record too long to cut (always an error).
BlockResult parseBlock(const char *d, std::size_t n, const ParseSpec &spec, bool final,
                       bool truncated)
{
    BlockResult res;
    const BlockScan scan = scanBlock(d, n);
    res.lineEnds = scan.lineEnds;
    res.chunks.resize(spec.initial.size());
    const auto expected = std::uint32_t(std::min<qint64>(scan.lineEnds + 1, UINT32_MAX));
    for (std::size_t s = 0; s < spec.initial.size(); ++s) {
        res.chunks[s].expected = expected;
        res.chunks[s].kind = Kind::Empty;
        convertChunk(res.chunks[s], spec.initial[s]); // reserves
    }
    std::string scratch;
    TypedSink sink{spec.slotOf, res.chunks, spec.columns, spec.padShortRows};
    sink.data = d;
    sink.roomEnd = n >= 32 ? d + n - 32 : d;
    const TokenizeResult tok = tokenize(d, n, spec.delimiter, scan.hasNul, scratch, sink);
    res.rows = sink.rows;

    std::size_t at = n;
    if (sink.tooMany || sink.tooFew) {
        res.problem = sink.tooMany ? Problem::TooManyFields : Problem::TooFewFields;
        res.problemFields = sink.tooManyFields;
        at = sink.tooManyOffset;
    } else if (truncated) { // whether or not a quote closes further on: too long to cut
        res.problem = Problem::TooLong;
        res.inQuote = tok.unterminated;
        at = tok.unterminated ? tok.quoteOffset : 0;
    } else if (tok.unterminated && final) {
        res.problem = Problem::Unterminated;
        at = tok.quoteOffset;
    }
    if (scan.firstInvalid < at) {
        res.problem = Problem::Utf8;
        res.badByte = static_cast<unsigned char>(d[scan.firstInvalid]);
        at = scan.firstInvalid;
    }
    if (res.problem != Problem::None) {
        res.problemOffset = at;
        res.at = lineColumnAt(d, at);
        res.chunks.clear();
        return res;
    }

    // Columns promoted in a way their stored values cannot follow: read them again as their
    // final kind (kinds only move up, so this second look never promotes further).
    ParseSpec again;
    again.delimiter = spec.delimiter;
    again.columns = spec.columns;
    again.padShortRows = spec.padShortRows;
    again.slotOf.assign(spec.columns, -1);
    std::vector<std::size_t> redo;
    for (std::size_t col = 0; col < spec.columns; ++col) {
        const int slot = spec.slotOf[col];
        if (slot >= 0 && res.chunks[std::size_t(slot)].dirty) {
            again.slotOf[col] = int(again.initial.size());
            again.initial.push_back(res.chunks[std::size_t(slot)].kind);
            redo.push_back(std::size_t(slot));
        }
    }
    if (!redo.empty()) {
        std::vector<Chunk> fresh(again.initial.size());
        for (std::size_t s = 0; s < fresh.size(); ++s) {
            fresh[s].expected = expected;
            convertChunk(fresh[s], again.initial[s]);
        }
        TypedSink sink2{again.slotOf, fresh, again.columns, spec.padShortRows};
        sink2.data = d;
        sink2.roomEnd = n >= 32 ? d + n - 32 : d;
        tokenize(d, n, spec.delimiter, scan.hasNul, scratch, sink2);
        for (std::size_t s = 0; s < redo.size(); ++s)
            res.chunks[redo[s]] = std::move(fresh[s]);
    }
    return res;
}

// ---- finding record boundaries ----------------------------------------------------------------

// The length of the longest prefix of d[0, n) that ends at a record boundary (0: none). d starts
// at a record start. Follows the tokenizer: a quote opens a quoted field only where a field
// starts (after a delimiter or a line end); a quote elsewhere is an ordinary character.
std::size_t findCut(const char *d, std::size_t n, char delim)
{
    std::size_t cut = 0;
    auto unquoted = [&](std::size_t a, std::size_t b) {
        if (a >= b)
            return;
        std::size_t from = a;
        if (const void *nl = memrchr(d + a, '\n', b - a)) {
            const std::size_t at = std::size_t(static_cast<const char *>(nl) - d);
            cut = std::max(cut, at + 1);
            from = at + 1;
        }
        // A lone \r (old Mac files). Not at the very end, and not before a delimiter: after a
        // blank \r line pandas swallows a delimiter, so the next block must see the \r.
        if (from < b) {
            if (const void *cr = memrchr(d + from, '\r', b - from)) {
                const std::size_t at = std::size_t(static_cast<const char *>(cr) - d);
                if (at + 1 < n && d[at + 1] != '\n' && d[at + 1] != delim)
                    cut = std::max(cut, at + 1);
            }
        }
    };
    std::size_t region = 0;
    std::size_t pos = 0;
    while (pos < n) {
        const void *q = std::memchr(d + pos, '"', n - pos);
        if (!q)
            break;
        const std::size_t k = std::size_t(static_cast<const char *>(q) - d);
        const bool fieldStart = k == 0 || d[k - 1] == delim || d[k - 1] == '\n' || d[k - 1] == '\r';
        if (!fieldStart) {
            pos = k + 1;
            continue;
        }
        unquoted(region, k);
        std::size_t j = k + 1;
        while (true) {
            const void *e = std::memchr(d + j, '"', n - j);
            if (!e)
                return cut; // the quoted field goes on past this buffer
            const std::size_t m = std::size_t(static_cast<const char *>(e) - d);
            if (m + 1 >= n)
                return cut; // cannot tell yet whether a second quote follows
            if (d[m + 1] == '"') {
                j = m + 2;
                continue;
            }
            pos = region = m + 1;
            break;
        }
    }
    unquoted(region, n);
    return cut;
}

// ---- header and delimiter ---------------------------------------------------------------------

struct HeaderSink
{
    std::vector<std::string> fields;
    std::vector<std::size_t> starts;
    bool done = false;
    std::size_t end = 0;
    bool field(std::size_t, std::string_view value, std::size_t start)
    {
        fields.emplace_back(value);
        starts.push_back(start);
        return true;
    }
    bool endRecord(std::size_t, std::size_t after)
    {
        done = true;
        end = after;
        return false;
    }
};

// Field counts of the first records that hold some text (a lone delimiter is no evidence).
struct CountSink
{
    std::vector<std::size_t> counts;
    bool text = false;
    bool field(std::size_t, std::string_view value, std::size_t)
    {
        text = text || !value.empty();
        return true;
    }
    bool endRecord(std::size_t fields, std::size_t)
    {
        if (text)
            counts.push_back(fields);
        text = false;
        return counts.size() < 30;
    }
};

} // namespace

char sniffDelimiter(std::string_view sample, bool complete)
{
    if (!complete) {
        const std::size_t nl = sample.rfind('\n');
        sample = nl == std::string_view::npos ? std::string_view() : sample.substr(0, nl + 1);
    }
    char best = ',';
    double bestScore = 0;
    std::size_t bestFields = 0;
    std::string scratch;
    for (char cand : {',', ';', '\t', '|'}) {
        CountSink sink;
        tokenize(sample.data(), sample.size(), cand, false, scratch, sink);
        if (sink.counts.empty() || sink.counts.front() < 2)
            continue;
        const auto same = std::count(sink.counts.begin(), sink.counts.end(), sink.counts.front());
        const double score = double(same) / double(sink.counts.size());
        if (score > bestScore || (score == bestScore && sink.counts.front() > bestFields)) {
            best = cand;
            bestScore = score;
            bestFields = sink.counts.front();
        }
    }
    return best;
}

namespace {

// ---- worker threads ---------------------------------------------------------------------------

class Workers
{
public:
    explicit Workers(int count)
    {
        for (int i = 0; i < count; ++i)
            m_threads.emplace_back([this] { run(); });
    }
    ~Workers()
    {
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_cv.notify_all();
        for (std::thread &t : m_threads)
            t.join();
    }
    void submit(std::function<void()> job)
    {
        if (m_threads.empty()) {
            job();
            return;
        }
        {
            std::lock_guard lock(m_mutex);
            m_jobs.push_back(std::move(job));
        }
        m_cv.notify_one();
    }

private:
    void run()
    {
        while (true) {
            std::function<void()> job;
            {
                std::unique_lock lock(m_mutex);
                m_cv.wait(lock, [this] { return m_stop || !m_jobs.empty(); });
                if (m_jobs.empty())
                    return;
                job = std::move(m_jobs.front());
                m_jobs.pop_front();
            }
            job();
        }
    }
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<std::function<void()>> m_jobs;
    std::vector<std::thread> m_threads;
    bool m_stop = false;
};

// Finished blocks, handed from the workers to the calling thread.
class Mailbox
{
public:
    void put(std::size_t index, BlockResult result)
    {
        {
            std::lock_guard lock(m_mutex);
            m_done.emplace(index, std::move(result));
        }
        m_cv.notify_all();
    }
    // Waits for block `index`.
    BlockResult take(std::size_t index)
    {
        std::unique_lock lock(m_mutex);
        m_cv.wait(lock, [&] { return m_done.count(index) > 0; });
        BlockResult r = std::move(m_done[index]);
        m_done.erase(index);
        return r;
    }
    bool has(std::size_t index)
    {
        std::lock_guard lock(m_mutex);
        return m_done.count(index) > 0;
    }

private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    std::map<std::size_t, BlockResult> m_done;
};

// ---- merging blocks into columns --------------------------------------------------------------

struct Merged
{
    Kind kind = Kind::Empty;
    qint64 rows = 0;
    std::vector<std::int64_t> ints;
    std::vector<qint64> intMissing;
    std::vector<double> floats;
    std::vector<std::int8_t> bools;
    std::vector<std::int32_t> codes;
    StringDict dict;
    std::vector<Kind> blockKinds; // each block's chunk kind, to find what pass 2 must re-read
    std::vector<bool> blockInexact;
};

// Reserves room for the whole column at once (the size estimated from the file's size), on
// huge pages where the system gives them.
template<typename T>
void reserveColumn(std::vector<T> &v, std::size_t n)
{
    if (n <= v.capacity())
        return;
    v.reserve(n);
    preferHugePages(v.data() + v.size(), (v.capacity() - v.size()) * sizeof(T));
}

void reserveFor(Merged &g, qint64 estimate)
{
    const auto n = std::size_t(std::max(estimate, g.rows));
    switch (g.kind) {
    case Kind::Int:
        reserveColumn(g.ints, n);
        break;
    case Kind::Float:
        reserveColumn(g.floats, n);
        break;
    case Kind::Bool:
        reserveColumn(g.bools, n);
        break;
    case Kind::String:
    case Kind::Raw:
        reserveColumn(g.codes, n);
        break;
    case Kind::Empty:
        break;
    }
}

// Appends `count` values that are missing (or placeholders that pass 2 overwrites).
void appendMissing(Merged &g, qint64 count)
{
    const auto n = std::size_t(count);
    switch (g.kind) {
    case Kind::Int:
        for (qint64 r = 0; r < count; ++r)
            g.intMissing.push_back(g.rows + r);
        g.ints.insert(g.ints.end(), n, 0);
        break;
    case Kind::Float:
        g.floats.insert(g.floats.end(), n, kNaN);
        break;
    case Kind::Bool:
        g.bools.insert(g.bools.end(), n, std::int8_t(-1));
        break;
    case Kind::String:
    case Kind::Raw:
        g.codes.insert(g.codes.end(), n, -1);
        break;
    case Kind::Empty:
        break;
    }
}

void convertMerged(Merged &g, Kind to, qint64 estimate)
{
    if (g.kind == Kind::Empty) {
        g.kind = to;
        reserveFor(g, estimate);
        const qint64 n = g.rows;
        g.rows = 0;
        appendMissing(g, n);
        g.rows = n;
        return;
    }
    if (g.kind == Kind::Int && to == Kind::Float) {
        // Blocks whose ints pandas would round differently are re-read in pass 2.
        std::vector<double> floats;
        floats.reserve(std::size_t(std::max(estimate, g.rows)));
        for (std::int64_t v : g.ints)
            floats.push_back(double(v));
        for (qint64 r : g.intMissing)
            floats[std::size_t(r)] = kNaN;
        g.floats = std::move(floats);
        std::vector<std::int64_t>().swap(g.ints);
        std::vector<qint64>().swap(g.intMissing);
        g.kind = to;
        return;
    }
    // Int/Float/Bool -> String, anything -> Raw: the values so far come back in pass 2.
    std::vector<std::int64_t>().swap(g.ints);
    std::vector<qint64>().swap(g.intMissing);
    std::vector<double>().swap(g.floats);
    std::vector<std::int8_t>().swap(g.bools);
    g.codes.clear();
    g.dict.clear();
    g.kind = to;
    reserveFor(g, estimate);
    g.codes.assign(std::size_t(g.rows), -1);
}

void appendCodes(Merged &g, const Chunk &c, std::size_t at)
{
    std::vector<std::int32_t> map(std::size_t(c.dict.size()));
    for (std::int32_t code = 0; code < c.dict.size(); ++code)
        map[std::size_t(code)] = g.dict.intern(c.dict.at(code));
    if (at == g.codes.size()) {
        for (std::int32_t code : c.codes)
            g.codes.push_back(code < 0 ? -1 : map[std::size_t(code)]);
    } else {
        for (std::size_t r = 0; r < c.codes.size(); ++r)
            g.codes[at + r] = c.codes[r] < 0 ? -1 : map[std::size_t(c.codes[r])];
    }
}

void mergeChunk(Merged &g, const Chunk &c, qint64 estimate)
{
    const Kind target = join(g.kind, c.kind);
    if (target != g.kind)
        convertMerged(g, target, estimate);
    g.blockKinds.push_back(c.kind);
    g.blockInexact.push_back(c.intInexact);
    const qint64 base = g.rows;
    if (c.kind == g.kind || (c.kind == Kind::Int && g.kind == Kind::Float)) {
        switch (g.kind) {
        case Kind::Int:
            g.ints.insert(g.ints.end(), c.ints.begin(), c.ints.end());
            for (std::uint32_t r : c.intMissing)
                g.intMissing.push_back(base + r);
            break;
        case Kind::Float:
            if (c.kind == Kind::Float) {
                g.floats.insert(g.floats.end(), c.floats.begin(), c.floats.end());
            } else {
                for (std::int64_t v : c.ints)
                    g.floats.push_back(double(v));
                for (std::uint32_t r : c.intMissing)
                    g.floats[std::size_t(base + r)] = kNaN;
            }
            break;
        case Kind::Bool:
            g.bools.insert(g.bools.end(), c.bools.begin(), c.bools.end());
            break;
        case Kind::String:
        case Kind::Raw:
            appendCodes(g, c, g.codes.size());
            break;
        case Kind::Empty:
            break;
        }
    } else {
        appendMissing(g, c.rows); // missing values, or placeholders for pass 2
    }
    g.rows += c.rows;
}

bool needsSecondPass(Kind chunk, bool inexact, Kind final, std::uint32_t rows)
{
    if (chunk == final || rows == 0)
        return false;
    if (chunk == Kind::Empty)
        return final == Kind::Raw;
    if (chunk == Kind::Int && final == Kind::Float)
        return inexact;
    return true;
}

Column finishColumn(Merged &g, QString name)
{
    Column col;
    col.name = std::move(name);
    switch (g.kind) {
    case Kind::Empty:
        // pandas: all-missing is float64 (NaN); no rows at all is object
        col.type = g.rows > 0 ? ColumnType::Float64 : ColumnType::String;
        col.floats.assign(std::size_t(g.rows), kNaN);
        break;
    case Kind::Int:
        if (g.intMissing.empty()) {
            col.type = ColumnType::Int64;
            col.ints = std::move(g.ints);
        } else { // _maybe_upcast: float64, NaN where missing and where the value is int64's minimum
            col.type = ColumnType::Float64;
            col.floats.resize(g.ints.size());
            for (std::size_t r = 0; r < g.ints.size(); ++r) {
                col.floats[r] = g.ints[r] == std::numeric_limits<std::int64_t>::min()
                                    ? kNaN
                                    : double(g.ints[r]);
            }
            for (qint64 r : g.intMissing)
                col.floats[std::size_t(r)] = kNaN;
            std::vector<std::int64_t>().swap(g.ints);
        }
        break;
    case Kind::Float:
        col.type = ColumnType::Float64;
        col.floats = std::move(g.floats);
        break;
    case Kind::Bool:
        col.type = ColumnType::Bool;
        col.bools = std::move(g.bools);
        col.boolHasMissing = std::find(col.bools.begin(), col.bools.end(), -1) != col.bools.end();
        break;
    case Kind::String: {
        // Renumber in first-seen order (pass 2 may have added values out of order).
        col.type = ColumnType::String;
        std::vector<std::int32_t> renumber(std::size_t(g.dict.size()), -1);
        std::int32_t next = 0;
        for (std::int32_t &code : g.codes) {
            if (code < 0)
                continue;
            std::int32_t &to = renumber[std::size_t(code)];
            if (to < 0) {
                to = next++;
                const std::string_view s = g.dict.at(code);
                col.dictionary.push_back(QString::fromUtf8(s.data(), qsizetype(s.size())));
            }
            code = to;
        }
        col.codes = std::move(g.codes);
        break;
    }
    case Kind::Raw:
        inferColumnFromCodes(col, g.dict, g.codes);
        break;
    }
    g = Merged();
    return col;
}

std::size_t cutRecords(const char *d, std::size_t n, char delim)
{
    return findCut(d, n, delim);
}

Error blockError(const BlockResult &r, const QString &file, qint64 lineBase, char delim,
                 std::size_t columns, qint64 maxRecord)
{
    const int line =
        int(std::min<qint64>(lineBase + r.at.line + 1, std::numeric_limits<int>::max()));
    const int column = int(std::min<qint64>(r.at.column, std::numeric_limits<int>::max()));
    const QString d = delim == '\t' ? u"tab"_s : u"'"_s + QLatin1Char(delim) + u"'"_s;
    switch (r.problem) {
    case Problem::TooManyFields:
        return Error(
            u"row has %1 fields but the header has %2"_s.arg(r.problemFields).arg(columns), file,
            line, column,
            u"Quote fields that contain the delimiter (%1), or check the delimiter"_s.arg(d));
    case Problem::TooFewFields:
        return Error(
            u"row has %1 field%2 but the header has %3"_s.arg(r.problemFields)
                .arg(r.problemFields == 1 ? u""_s : u"s"_s)
                .arg(columns),
            file, line, column,
            u"Add the missing fields (an empty field between two %1 is a missing value)"_s.arg(d));
    case Problem::Unterminated:
        return Error(u"quoted field is not closed"_s, file, line, column,
                     u"Close it with \" (a quote inside a quoted field is written \"\")"_s);
    case Problem::Utf8:
        return Error(u"not valid UTF-8 (byte 0x%1)"_s.arg(uint(r.badByte), 2, 16, QLatin1Char('0')),
                     file, line, column, u"Save the file as UTF-8"_s);
    case Problem::TooLong:
        if (r.inQuote) {
            return Error(
                u"a quoted field longer than %1 MiB starts here"_s.arg(maxRecord / 1048576.0), file,
                line, column, u"Check for a quote that is never closed"_s);
        }
        return Error(u"a record longer than %1 MiB starts here"_s.arg(maxRecord / 1048576.0), file,
                     line, column, u"Check the line ends"_s);
    case Problem::None:
        break;
    }
    return Error(u"cannot parse"_s, file, line, column);
}

} // namespace

BlockProducer::BlockProducer(ByteSource &source, qint64 blockSize, qint64 maxRecord,
                             CutFunction cut, char delimiter, Bytes buffer, qint64 bufferStart,
                             qint64 position)
    : m_source(source)
    , m_blockSize(blockSize)
    , m_maxRecord(maxRecord)
    , m_cut(cut)
    , m_delimiter(delimiter)
    , m_buf(std::move(buffer))
    , m_bufStart(bufferStart)
    , m_pos(position)
{}

Result<std::optional<Block>> BlockProducer::next()
{
    while (true) {
        const qint64 bufEnd = m_bufStart + m_buf.size;
        const bool atEnd = bufEnd >= m_source.size();
        const qint64 avail = bufEnd - m_pos;
        if (avail <= 0 && atEnd)
            return std::optional<Block>();
        Block b;
        b.bytes = m_buf;
        b.bytes.data = m_buf.data + (m_pos - m_bufStart);
        b.offset = m_pos;
        if (avail > 0) {
            if (atEnd) {
                b.bytes.size = avail;
                b.final = true;
                m_pos = bufEnd;
                return std::optional<Block>(std::move(b));
            }
            const auto cut = qint64(m_cut(b.bytes.data, std::size_t(avail), m_delimiter));
            if (cut > 0) {
                b.bytes.size = cut;
                m_pos += cut;
                return std::optional<Block>(std::move(b));
            }
            if (avail > m_maxRecord) {
                b.bytes.size = avail;
                b.truncated = true;
                m_pos = bufEnd;
                return std::optional<Block>(std::move(b));
            }
        }
        const qint64 want = avail + std::max(m_blockSize, avail);
        auto read = m_source.read(m_pos, want);
        if (!read)
            return fail(read.error());
        m_buf = std::move(*read);
        m_bufStart = m_pos;
        if (m_buf.size < want && m_bufStart + m_buf.size < m_source.size())
            return fail(Error(u"the file changed while it was read"_s, m_source.name()));
    }
}

namespace {

// The first record of a delimited file, the delimiter (sniffed when 0) and the bytes read so far.
struct HeaderRecord
{
    char delimiter = ',';
    QStringList names; // mangled
    Bytes buf;
    std::size_t dataStart = 0; // after the byte-order mark
    std::size_t end = 0;       // after the header, from dataStart
    qint64 lineEnds = 0;
};

Result<HeaderRecord> readHeaderRecord(ByteSource &src, char delimiter, qint64 blockSize,
                                      qint64 maxRecord)
{
    const QString file = src.name();
    const qint64 total = src.size();
    auto emptyError = [&] {
        return fail(Error(u"no columns to parse: the file is empty"_s, file, 1, 1,
                          u"A CSV file starts with a header row naming its columns"_s));
    };
    if (total == 0)
        return emptyError();

    if (!delimiter) { // sniffed from the first 64 KiB, whatever the block size
        auto sample = src.read(0, (64 << 10) + 3);
        if (!sample)
            return fail(sample.error());
        std::string_view text = sample->view();
        if (text.starts_with("\xEF\xBB\xBF"))
            text.remove_prefix(3);
        delimiter = sniffDelimiter(text, sample->size >= total);
    }

    // The header: the first record, read from a buffer that grows until it holds it.
    Bytes buf;
    std::size_t dataStart = 0;
    HeaderSink header;
    std::string scratch;
    for (qint64 want = std::min<qint64>(blockSize, total);; want *= 2) {
        auto read = src.read(0, want);
        if (!read)
            return fail(read.error());
        buf = std::move(*read);
        const bool eof = buf.size >= total;
        dataStart = buf.size >= 3 && std::memcmp(buf.data, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
        const char *d = buf.data + dataStart;
        const auto avail = std::size_t(buf.size) - dataStart;
        header = HeaderSink();
        const TokenizeResult tok = tokenize(d, avail, delimiter, true, scratch, header);
        if (header.done && (header.end < avail || eof))
            break;
        if (tok.unterminated && eof) {
            const LineColumn at = lineColumnAt(d, tok.quoteOffset);
            return fail(
                Error(u"quoted field is not closed"_s, file, int(at.line + 1), int(at.column),
                      u"Close it with \" (a quote inside a quoted field is written \"\")"_s));
        }
        if (!header.done && eof)
            return emptyError();
        if (buf.size > maxRecord)
            return fail(Error(u"the header is longer than %1 MiB"_s.arg(maxRecord >> 20), file, 1,
                              1, u"Check for a quote that is never closed"_s));
    }
    const char *d = buf.data + dataStart;
    const BlockScan headScan = scanBlock(d, header.end);
    if (headScan.firstInvalid < header.end) {
        const LineColumn at = lineColumnAt(d, headScan.firstInvalid);
        return fail(Error(u"not valid UTF-8 (byte 0x%1)"_s.arg(
                              uint(static_cast<unsigned char>(d[headScan.firstInvalid])), 2, 16,
                              QLatin1Char('0')),
                          file, int(at.line + 1), int(at.column), u"Save the file as UTF-8"_s));
    }
    QStringList names;
    for (const std::string &f : header.fields)
        names.append(QString::fromUtf8(f.data(), qsizetype(f.size())));
    return HeaderRecord{delimiter,  mangleColumnNames(names), std::move(buf), dataStart,
                        header.end, headScan.lineEnds};
}

} // namespace

Result<QStringList> readDelimitedHeader(ByteSource &source, char delimiter)
{
    auto header = readHeaderRecord(source, delimiter, 2 << 20, 64 * (2 << 20));
    if (!header)
        return fail(header.error());
    return std::move(header->names);
}

Result<Table> readDelimited(ByteSource &src, char delimiter, const ReadOptions &options,
                            const Progress &progress)
{
    const QString file = src.name();
    const qint64 total = src.size();
    const qint64 blockSize =
        std::clamp<qint64>(options.blockSize > 0 ? options.blockSize : 2 << 20, 1, qint64(1) << 30);
    const qint64 maxRecord = 64 * blockSize;
    auto head = readHeaderRecord(src, delimiter, blockSize, maxRecord);
    if (!head)
        return fail(head.error());
    delimiter = head->delimiter;
    const QStringList &names = head->names;
    Bytes buf = std::move(head->buf);
    const std::size_t dataStart = head->dataStart;
    const std::size_t headerEnd = head->end;

    ParseSpec spec;
    spec.delimiter = delimiter;
    spec.columns = std::size_t(names.size());
    spec.padShortRows = options.padShortRows;
    spec.slotOf.assign(spec.columns, -1);
    QStringList outNames;
    for (qsizetype c = 0; c < names.size(); ++c) {
        if (options.onlyColumns.isEmpty() || options.onlyColumns.contains(names[c])) {
            spec.slotOf[std::size_t(c)] = int(outNames.size());
            outNames.append(names[c]);
            spec.initial.push_back(Kind::Empty);
        }
    }
    QStringList missing;
    for (const QString &want : options.onlyColumns) {
        if (!names.contains(want))
            missing.append(want);
    }
    if (!missing.isEmpty()) {
        return fail(Error(u"no column named %1"_s.arg(missing.join(u", "_s)), file, 1, 0,
                          u"The columns are: %1"_s.arg(names.join(u", "_s))));
    }

    // The pipeline. Declaration order matters: the workers go first on the way out, while the
    // state their jobs use is still alive.
    std::atomic<bool> cancelled = false;
    Mailbox mailbox;
    struct Info
    {
        qint64 offset = 0;
        qint64 size = 0;
        qint64 rowStart = 0;
        std::uint32_t rows = 0;
    };
    std::vector<Info> blocks;
    std::vector<Merged> merged(spec.initial.size());
    const bool oneBlock = total <= blockSize;
    const int threads = oneBlock ? 0
                        : options.threads > 0
                            ? options.threads
                            : int(std::max(1u, std::thread::hardware_concurrency()));
    const std::size_t inFlight = std::size_t(threads) + 1;
    std::vector<ParseSpec> redo; // pass 2, per block: the columns to read again
    std::vector<std::vector<std::size_t>> redoSlots;
    Mailbox second;
    Workers workers(threads);

    BlockProducer producer(src, blockSize, maxRecord, cutRecords, delimiter, buf, 0,
                           qint64(dataStart + headerEnd));
    qint64 lineBase = head->lineEnds;
    qint64 rows = 0;
    qint64 estimate = 0;
    std::size_t next = 0;
    auto drain = [&](std::size_t keep) -> std::optional<Error> {
        while (next < blocks.size() && (blocks.size() - next > keep || mailbox.has(next))) {
            BlockResult r = mailbox.take(next);
            if (r.problem != Problem::None)
                return blockError(r, file, lineBase, delimiter, spec.columns, maxRecord);
            blocks[next].rowStart = rows;
            blocks[next].rows = r.rows;
            rows += r.rows;
            lineBase += r.lineEnds;
            if (estimate == 0 && blocks[next].size > 0) {
                const double perByte = double(r.rows) / double(blocks[next].size);
                estimate = qint64(perByte * double(total - blocks[next].offset) * 1.02) + rows + 64;
            }
            for (std::size_t s = 0; s < merged.size(); ++s)
                mergeChunk(merged[s], r.chunks[s], estimate);
            ++next;
        }
        return std::nullopt;
    };
    auto stop = [&](Error e) {
        cancelled = true;
        return fail(std::move(e));
    };

    while (true) {
        auto blk = producer.next();
        if (!blk)
            return stop(blk.error());
        if (!*blk)
            break;
        Block b = std::move(**blk);
        const std::size_t index = blocks.size();
        blocks.push_back({b.offset, b.bytes.size, 0, 0});
        workers.submit([&, b = std::move(b), index] {
            if (cancelled) {
                mailbox.put(index, {});
                return;
            }
            mailbox.put(index, parseBlock(b.bytes.data, std::size_t(b.bytes.size), spec, b.final,
                                          b.truncated));
        });
        if (progress && !progress(producer.position(), total))
            return stop(Error(u"cancelled"_s, file));
        if (auto e = drain(inFlight))
            return stop(*e);
    }
    if (auto e = drain(0))
        return stop(*e);

    // Pass 2: blocks whose text some column needs again (see the top of this file).
    redo.resize(blocks.size());
    redoSlots.resize(blocks.size());
    for (std::size_t s = 0; s < merged.size(); ++s) {
        const Merged &g = merged[s];
        for (std::size_t bi = 0; bi < blocks.size(); ++bi) {
            if (!needsSecondPass(g.blockKinds[bi], g.blockInexact[bi], g.kind, blocks[bi].rows))
                continue;
            ParseSpec &ps = redo[bi];
            if (ps.slotOf.empty()) {
                ps.delimiter = delimiter;
                ps.columns = spec.columns;
                ps.padShortRows = spec.padShortRows;
                ps.slotOf.assign(spec.columns, -1);
            }
            const auto col = std::size_t(std::find(spec.slotOf.begin(), spec.slotOf.end(), int(s)) -
                                         spec.slotOf.begin());
            ps.slotOf[col] = int(ps.initial.size());
            ps.initial.push_back(g.kind);
            redoSlots[bi].push_back(s);
        }
    }
    std::vector<std::size_t> again;
    for (std::size_t bi = 0; bi < blocks.size(); ++bi) {
        if (!redo[bi].initial.empty())
            again.push_back(bi);
    }
    std::size_t placed = 0;
    std::size_t submitted = 0;
    auto place = [&](std::size_t keep) -> std::optional<Error> {
        while (placed < submitted) {
            if (submitted - placed <= keep && !second.has(placed))
                break;
            const std::size_t bi = again[placed];
            BlockResult r = second.take(placed);
            if (r.problem != Problem::None || r.rows != blocks[bi].rows)
                return Error(u"the file changed while it was read"_s, file);
            for (std::size_t k = 0; k < redoSlots[bi].size(); ++k) {
                Merged &g = merged[redoSlots[bi][k]];
                const Chunk &c = r.chunks[k];
                const auto at = std::size_t(blocks[bi].rowStart);
                if (c.kind != g.kind)
                    return Error(u"internal error: column kinds disagree between passes"_s, file);
                if (g.kind == Kind::Float)
                    std::copy(c.floats.begin(), c.floats.end(), g.floats.begin() + qsizetype(at));
                else
                    appendCodes(g, c, at);
            }
            ++placed;
        }
        return std::nullopt;
    };
    for (std::size_t k = 0; k < again.size(); ++k) {
        const std::size_t bi = again[k];
        auto read = src.read(blocks[bi].offset, blocks[bi].size);
        if (!read)
            return stop(read.error());
        workers.submit([&, bytes = std::move(*read), k, bi] {
            if (cancelled) {
                second.put(k, {});
                return;
            }
            second.put(k, parseBlock(bytes.data, std::size_t(bytes.size), redo[bi], true, false));
        });
        submitted = k + 1;
        if (progress && !progress(total, total))
            return stop(Error(u"cancelled"_s, file));
        if (auto e = place(inFlight))
            return stop(*e);
    }
    if (auto e = place(0))
        return stop(*e);

    Table table;
    table.source = file;
    table.rows = rows;
    for (std::size_t s = 0; s < merged.size(); ++s)
        table.columns.append(finishColumn(merged[s], outNames[qsizetype(s)]));
    if (progress)
        progress(total, total);
    return table;
}

// ---- record boundaries for CellText -------------------------------------------------------

namespace {

// The first of the three bytes at or after i (n if none).
inline std::size_t findAny(const char *d, std::size_t n, std::size_t i, char x, char y, char z)
{
#ifdef __SSE2__
    const __m128i vx = _mm_set1_epi8(x);
    const __m128i vy = _mm_set1_epi8(y);
    const __m128i vz = _mm_set1_epi8(z);
    for (; i + 16 <= n; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(d + i));
        const auto mask = unsigned(_mm_movemask_epi8(_mm_or_si128(
            _mm_cmpeq_epi8(v, vx), _mm_or_si128(_mm_cmpeq_epi8(v, vy), _mm_cmpeq_epi8(v, vz)))));
        if (mask)
            return i + std::size_t(std::countr_zero(mask));
    }
#endif
    while (i < n && d[i] != x && d[i] != y && d[i] != z)
        ++i;
    return i;
}

} // namespace

std::size_t skipBlankLines(const char *d, std::size_t n, std::size_t i, char delim)
{
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
                return n;
            if (d[j] == '\n' || d[j] == '\r') {
                i = j + 1;
                if (d[j] == '\r' && i < n && (d[i] == '\n' || d[i] == delim))
                    ++i;
                continue;
            }
        }
        return i;
    }
    return n;
}

std::size_t skipRecord(const char *d, std::size_t n, std::size_t i, char delim)
{
    const std::size_t start = i;
    while (i < n) {
        const std::size_t j = findAny(d, n, i, '"', '\n', '\r');
        if (j >= n)
            return n;
        if (d[j] != '"')
            return d[j] == '\r' && j + 1 < n && d[j + 1] == '\n' ? j + 2 : j + 1;
        i = j + 1;
        if (j != start && d[j - 1] != delim)
            continue; // a quote inside a field is text
        for (std::size_t seg = i;;) {
            const void *q = std::memchr(d + seg, '"', n - seg);
            if (!q)
                return n;
            const std::size_t k = std::size_t(static_cast<const char *>(q) - d);
            if (k + 1 < n && d[k + 1] == '"') {
                seg = k + 2;
                continue;
            }
            i = k + 1;
            break;
        }
    }
    return n;
}

} // namespace cairn::csv
