#include "tablediff.h"

#include <QHash>

#include <xxhash.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <optional>

using namespace Qt::StringLiterals;

namespace cairn::diff {

namespace {

constexpr std::uint64_t kMissingHash = 0x5bd1e9955bd1e995ULL;
constexpr qsizetype kMaxRows = std::numeric_limits<std::int32_t>::max() - 1;

inline std::uint64_t mix64(std::uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

inline std::uint64_t hashDouble(double d)
{
    if (std::isnan(d))
        return kMissingHash;
    if (d == std::trunc(d) && d >= -9.223372036854775808e18 && d < 9.223372036854775808e18)
        return mix64(std::uint64_t(std::int64_t(d)));
    std::uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    return mix64(bits ^ 0x7ff1234567ULL);
}

bool isNumeric(ColumnType t)
{
    return t == ColumnType::Int64 || t == ColumnType::Float64;
}

bool missingAt(const Column &c, qsizetype r)
{
    switch (c.type) {
    case ColumnType::Int64:
        return false;
    case ColumnType::Float64:
        return std::isnan(c.floats[std::size_t(r)]);
    case ColumnType::Bool:
        return c.bools[std::size_t(r)] < 0;
    case ColumnType::String:
        return c.codes[std::size_t(r)] < 0;
    }
    return true;
}

bool numbersEqual(const Column &ca, qsizetype i, const Column &cb, qsizetype j, double tol)
{
    const auto ui = std::size_t(i);
    const auto uj = std::size_t(j);
    if (ca.type == ColumnType::Int64 && cb.type == ColumnType::Int64) {
        const std::int64_t x = ca.ints[ui];
        const std::int64_t y = cb.ints[uj];
        return x == y || (tol > 0 && std::fabs(double(x) - double(y)) <= tol);
    }
    if (ca.type == ColumnType::Float64 && cb.type == ColumnType::Float64) {
        const double x = ca.floats[ui];
        const double y = cb.floats[uj];
        if (std::isnan(x) || std::isnan(y))
            return std::isnan(x) && std::isnan(y);
        return x == y || (tol > 0 && std::fabs(x - y) <= tol);
    }
    const bool intFirst = ca.type == ColumnType::Int64;
    const std::int64_t v = intFirst ? ca.ints[ui] : cb.ints[uj];
    const double d = intFirst ? cb.floats[uj] : ca.floats[ui];
    if (std::isnan(d))
        return false;
    if (d == std::trunc(d) && d >= -9.223372036854775808e18 && d < 9.223372036854775808e18 &&
        std::int64_t(d) == v)
        return true;
    return tol > 0 && std::fabs(double(v) - d) <= tol;
}

enum class Mode
{
    Numeric, // int and float, as numbers
    Bool,
    Codes // strings, or values of differing types as text: codes in one numbering for both
};

// How a column of a compares with a column of b.
struct Pair
{
    int index = -1; // into TableDiff::columns
    const Column *a = nullptr;
    const Column *b = nullptr;
    Mode mode = Mode::Codes;
    std::vector<std::int32_t> codeMap;      // strings: a's code -> shared code
    std::vector<std::int32_t> textA, textB; // other types: per-row shared code of the text
    const std::int32_t *rowCodesB = nullptr;

    std::int32_t codeA(qsizetype i) const
    {
        if (!textA.empty())
            return textA[std::size_t(i)];
        const std::int32_t c = a->codes[std::size_t(i)];
        return c < 0 ? -1 : codeMap[std::size_t(c)];
    }
    std::int32_t codeB(qsizetype j) const { return rowCodesB[j]; }
    bool equal(qsizetype i, qsizetype j, double tol) const
    {
        switch (mode) {
        case Mode::Numeric:
            return numbersEqual(*a, i, *b, j, tol);
        case Mode::Bool:
            return a->bools[std::size_t(i)] == b->bools[std::size_t(j)];
        case Mode::Codes:
            return codeA(i) == codeB(j);
        }
        return false;
    }
    // Two rows of the same table (a when sideA) hold the same value (exactly).
    bool sameSide(bool sideA, qsizetype x, qsizetype y) const
    {
        const Column &c = sideA ? *a : *b;
        switch (mode) {
        case Mode::Numeric:
            return numbersEqual(c, x, c, y, 0);
        case Mode::Bool:
            return c.bools[std::size_t(x)] == c.bools[std::size_t(y)];
        case Mode::Codes:
            return sideA ? codeA(x) == codeA(y) : codeB(x) == codeB(y);
        }
        return false;
    }
    bool missingA(qsizetype i) const
    {
        return mode == Mode::Codes ? codeA(i) < 0 : missingAt(*a, i);
    }
    bool missingB(qsizetype j) const
    {
        return mode == Mode::Codes ? codeB(j) < 0 : missingAt(*b, j);
    }
    static std::uint64_t hashValue(const Column &c, qsizetype r)
    {
        if (c.type == ColumnType::Int64)
            return mix64(std::uint64_t(c.ints[std::size_t(r)]));
        if (c.type == ColumnType::Float64)
            return hashDouble(c.floats[std::size_t(r)]);
        const int v = c.bools[std::size_t(r)];
        return v < 0 ? kMissingHash : mix64(std::uint64_t(v) + 0x1000);
    }
    static std::uint64_t hashCode(std::int32_t code)
    {
        return code < 0 ? kMissingHash : mix64(std::uint64_t(code) + 0x2000000000ULL);
    }
    std::uint64_t hashA(qsizetype i) const
    {
        return mode == Mode::Codes ? hashCode(codeA(i)) : hashValue(*a, i);
    }
    std::uint64_t hashB(qsizetype j) const
    {
        return mode == Mode::Codes ? hashCode(codeB(j)) : hashValue(*b, j);
    }
};

// Open addressing over row numbers keyed by 64-bit hashes (kept by the caller, one per row).
class RowIndex
{
public:
    RowIndex() = default;
    explicit RowIndex(qsizetype rows)
    {
        const auto want = std::max<std::size_t>(16, std::size_t(rows) + std::size_t(rows) / 2 + 1);
        m_slots.assign(std::bit_ceil(want), Slot());
        m_mask = m_slots.size() - 1;
    }
    // The first stored value in h's probe sequence for which eq(value) holds; else -1, and
    // `slot` is free for h. A slot keeps 32 bits of its hash: most misses never call eq (which
    // usually reads a row elsewhere in memory).
    template<typename Eq>
    std::int32_t find(std::uint64_t h, Eq eq, std::size_t &slot) const
    {
        const auto tag = std::uint32_t(h >> 32);
        for (slot = std::size_t(h) & m_mask;; slot = (slot + 1) & m_mask) {
            const Slot &s = m_slots[slot];
            if (s.row == -1)
                return -1;
            if (s.row >= 0 && s.tag == tag && eq(s.row))
                return s.row;
        }
    }
    void prefetch(std::uint64_t h) const { __builtin_prefetch(&m_slots[std::size_t(h) & m_mask]); }
    void put(std::size_t slot, std::int32_t row, std::uint64_t h)
    {
        m_slots[slot] = {std::uint32_t(h >> 32), row};
    }
    // Replaces the value of a found slot; a negative value leaves a tombstone.
    void set(std::size_t slot, std::int32_t row) { m_slots[slot].row = row < 0 ? -2 : row; }

private:
    struct Slot
    {
        std::uint32_t tag = 0;
        std::int32_t row = -1;
    };
    std::vector<Slot> m_slots;
    std::size_t m_mask = 0;
};

std::uint64_t hashString(const QString &s)
{
    return XXH3_64bits(s.constData(), std::size_t(s.size()) * sizeof(QChar));
}

Pair makePair(const Column &ca, const Column &cb, int index)
{
    Pair p;
    p.index = index;
    p.a = &ca;
    p.b = &cb;
    if (isNumeric(ca.type) && isNumeric(cb.type)) {
        p.mode = Mode::Numeric;
    } else if (ca.type == ColumnType::Bool && cb.type == ColumnType::Bool) {
        p.mode = Mode::Bool;
    } else if (ca.type == ColumnType::String && cb.type == ColumnType::String) {
        p.mode = Mode::Codes;
        // Equal strings of the two dictionaries (distinct values each) get b's code.
        std::vector<std::uint64_t> hashB(cb.dictionary.size());
        for (std::size_t k = 0; k < hashB.size(); ++k)
            hashB[k] = hashString(cb.dictionary[k]);
        RowIndex inB(qsizetype(hashB.size()));
        for (std::size_t k = 0; k < hashB.size(); ++k) {
            std::size_t slot = 0;
            inB.find(
                hashB[k], [](std::int32_t) { return false; }, slot);
            inB.put(slot, std::int32_t(k), hashB[k]);
        }
        auto next = std::int32_t(cb.dictionary.size());
        p.codeMap.reserve(ca.dictionary.size());
        for (const QString &s : ca.dictionary) {
            std::size_t slot = 0;
            const std::uint64_t h = hashString(s);
            const std::int32_t k = inB.find(
                h,
                [&](std::int32_t code) {
                    return hashB[std::size_t(code)] == h && cb.dictionary[std::size_t(code)] == s;
                },
                slot);
            p.codeMap.push_back(k >= 0 ? k : next++);
        }
        p.rowCodesB = cb.codes.data();
    } else { // compared as text
        QHash<QString, std::int32_t> ids;
        auto codes = [&](const Column &c, std::vector<std::int32_t> &out) {
            out.resize(std::size_t(c.size()));
            for (qsizetype r = 0; r < c.size(); ++r) {
                if (missingAt(c, r)) {
                    out[std::size_t(r)] = -1;
                    continue;
                }
                const QString text = cellToString(c, r);
                auto it = ids.constFind(text);
                if (it == ids.constEnd())
                    it = ids.insert(text, std::int32_t(ids.size()));
                out[std::size_t(r)] = *it;
            }
        };
        codes(ca, p.textA);
        codes(cb, p.textB);
        p.rowCodesB = p.textB.data();
    }
    return p;
}

struct Ticker
{
    const Progress &progress;
    qint64 total = 0;
    bool at(qint64 done) const { return !progress || progress(std::min(done, total), total); }
};

Error cancelled()
{
    return Error(u"cancelled"_s);
}

QString describeKey(const Table &t, const QList<int> &keyColumns, qsizetype row)
{
    QStringList parts;
    for (int c : keyColumns) {
        const Column &col = t.columns[c];
        QString v = missingAt(col, row) ? u"(missing)"_s : cellToString(col, row);
        if (col.type == ColumnType::String && !missingAt(col, row))
            v = u'"' + v + u'"';
        parts << col.name + u" = "_s + v;
    }
    return parts.size() == 1 ? parts.front() : u'(' + parts.join(u", "_s) + u')';
}

Error duplicateKey(const Table &t, const QList<int> &keyColumns, qsizetype first, qsizetype second)
{
    // One arg() call: a key value holding "%3" must not be substituted again. The lines assume
    // one line per record (a quoted newline or a skipped blank line shifts them).
    return Error(
               u"key %1 appears more than once in %2: data rows %3 and %4 (lines %5 and %6)"_s.arg(
                   describeKey(t, keyColumns, second), t.source, QString::number(first + 1),
                   QString::number(second + 1), QString::number(first + 2),
                   QString::number(second + 2)),
               t.source, int(std::min<qsizetype>(second + 2, INT_MAX)))
        .withHint(u"Choose key columns whose values are unique in each table (add a column to "
                  u"the key), or diff without a key to align rows by content"_s);
}

ColumnStats statsOf(const Column &c)
{
    ColumnStats s;
    if (c.type == ColumnType::String) {
        std::vector<std::uint8_t> seen(c.dictionary.size(), 0);
        for (std::int32_t code : c.codes) {
            if (code >= 0)
                seen[std::size_t(code)] = 1;
            else
                ++s.missing;
        }
        s.count = c.size() - s.missing;
        s.distinct = std::count(seen.begin(), seen.end(), std::uint8_t(1));
        return s;
    }
    s.numeric = true;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    double sum = 0;
    auto add = [&](double v) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        sum += v;
        ++s.count;
    };
    if (c.type == ColumnType::Int64) {
        for (std::int64_t v : c.ints)
            add(double(v));
    } else if (c.type == ColumnType::Float64) {
        for (double v : c.floats) {
            if (!std::isnan(v))
                add(v);
        }
    } else {
        for (std::int8_t v : c.bools) {
            if (v >= 0)
                add(double(v));
        }
    }
    s.missing = c.size() - s.count;
    if (s.count > 0) {
        s.min = lo;
        s.max = hi;
        s.mean = sum / double(s.count);
    }
    return s;
}

// Row hashes over the given pairs, column by column.
std::vector<std::uint64_t> rowHashes(const std::vector<const Pair *> &pairs, qsizetype rows,
                                     bool sideA)
{
    std::vector<std::uint64_t> h(std::size_t(rows), 0x243f6a8885a308d3ULL);
    std::uint64_t salt = 0x9e3779b97f4a7c15ULL;
    for (const Pair *p : pairs) {
        auto each = [&](auto valueHash) {
            for (std::size_t r = 0; r < std::size_t(rows); ++r)
                h[r] = mix64(h[r] ^ (valueHash(r) + salt));
        };
        const Column &c = sideA ? *p->a : *p->b;
        if (p->mode == Mode::Codes && sideA && p->textA.empty()) { // the type loops, unswitched
            const std::int32_t *codes = c.codes.data();
            const std::int32_t *map = p->codeMap.data();
            each([&](std::size_t r) { return Pair::hashCode(codes[r] < 0 ? -1 : map[codes[r]]); });
        } else if (p->mode == Mode::Codes && !sideA) {
            each([&](std::size_t r) { return Pair::hashCode(p->rowCodesB[r]); });
        } else if (p->mode == Mode::Numeric && c.type == ColumnType::Int64) {
            const std::int64_t *v = c.ints.data();
            each([&](std::size_t r) { return mix64(std::uint64_t(v[r])); });
        } else if (p->mode == Mode::Numeric) {
            const double *v = c.floats.data();
            each([&](std::size_t r) { return hashDouble(v[r]); });
        } else {
            each([&](std::size_t r) {
                return sideA ? p->hashA(qsizetype(r)) : p->hashB(qsizetype(r));
            });
        }
        salt += 0x9e3779b97f4a7c15ULL;
    }
    return h;
}

// One integer key whose values fill a range at most a few times the row count (ids): an array
// indexed by value replaces the hash table, and tables in key order read it in order.
std::optional<Result<void>> alignByDenseKey(const Table &a, const Table &b, const Pair &key,
                                            const QList<int> &keyA, const QList<int> &keyB,
                                            TableDiff &diff, const Ticker &tick)
{
    if (key.a->type != ColumnType::Int64 || key.b->type != ColumnType::Int64)
        return std::nullopt;
    const std::vector<std::int64_t> &x = key.a->ints;
    const std::vector<std::int64_t> &y = key.b->ints;
    if (x.empty() || y.empty())
        return std::nullopt;
    const auto [loA, hiA] = std::minmax_element(x.begin(), x.end());
    const auto [loB, hiB] = std::minmax_element(y.begin(), y.end());
    const std::int64_t lo = std::min(*loA, *loB);
    const std::int64_t hi = std::max(*hiA, *hiB);
    const double range = double(hi) - double(lo) + 1;
    if (range > 4.0 * double(a.rows + b.rows) + 1024)
        return std::nullopt;
    // at[v - lo]: the a row with key v, or -2 - j for a b row j whose key a lacks, or -1.
    std::vector<std::int32_t> at(std::size_t(std::uint64_t(hi) - std::uint64_t(lo) + 1), -1);
    for (qsizetype i = 0; i < a.rows; ++i) {
        if ((i & 0xFFFF) == 0 && !tick.at(i))
            return fail(cancelled());
        std::int32_t &slot = at[std::size_t(std::uint64_t(x[std::size_t(i)]) - std::uint64_t(lo))];
        if (slot >= 0)
            return fail(duplicateKey(a, keyA, slot, i));
        slot = std::int32_t(i);
    }
    for (qsizetype j = 0; j < b.rows; ++j) {
        if ((j & 0xFFFF) == 0 && !tick.at(a.rows + j))
            return fail(cancelled());
        std::int32_t &slot = at[std::size_t(std::uint64_t(y[std::size_t(j)]) - std::uint64_t(lo))];
        if (slot <= -2)
            return fail(duplicateKey(b, keyB, -2 - slot, j));
        if (slot >= 0 && diff.bOfA[std::size_t(slot)] >= 0)
            return fail(duplicateKey(b, keyB, diff.bOfA[std::size_t(slot)], j));
        if (slot >= 0) {
            diff.bOfA[std::size_t(slot)] = std::int32_t(j);
            diff.aOfB[std::size_t(j)] = slot;
        } else {
            slot = -2 - std::int32_t(j);
        }
    }
    return ok();
}

// Pairs rows with equal key values (exactly; int and float keys compare as numbers). Only the
// index over one table's rows is kept (no per-row hashes); slots are prefetched a few rows ahead.
Result<void> alignByKeys(const Table &a, const Table &b, const std::vector<Pair> &keys,
                         const QList<int> &keyA, const QList<int> &keyB, TableDiff &diff,
                         const Ticker &tick)
{
    if (keys.size() == 1) {
        if (auto dense = alignByDenseKey(a, b, keys.front(), keyA, keyB, diff, tick))
            return *dense;
    }
    auto hashOf = [&](bool sideA, qsizetype r) {
        std::uint64_t h = 0x243f6a8885a308d3ULL;
        std::uint64_t salt = 0x9e3779b97f4a7c15ULL;
        for (const Pair &p : keys) {
            h = mix64(h ^ ((sideA ? p.hashA(r) : p.hashB(r)) + salt));
            salt += 0x9e3779b97f4a7c15ULL;
        }
        return h;
    };
    constexpr qsizetype kAhead = 16;
    // Calls f(r, hash of r) for every row, prefetching the slot of row r + kAhead.
    auto eachRow = [&](const RowIndex &index, bool sideA, qsizetype rows, auto f) {
        std::uint64_t ring[kAhead];
        for (qsizetype r = 0; r < std::min(rows, kAhead); ++r)
            index.prefetch(ring[r] = hashOf(sideA, r));
        for (qsizetype r = 0; r < rows; ++r) {
            const std::uint64_t h = ring[r % kAhead];
            if (r + kAhead < rows)
                index.prefetch(ring[r % kAhead] = hashOf(sideA, r + kAhead));
            if (!f(r, h))
                return false;
        }
        return true;
    };
    std::optional<Error> error;
    auto unique = [&](bool sideA) -> std::optional<RowIndex> {
        const Table &t = sideA ? a : b;
        RowIndex index(t.rows);
        const bool done = eachRow(index, sideA, t.rows, [&](qsizetype r, std::uint64_t h) {
            if ((r & 0xFFFF) == 0 && !tick.at((sideA ? 0 : a.rows) + r)) {
                error = cancelled();
                return false;
            }
            std::size_t slot = 0;
            const std::int32_t other = index.find(
                h,
                [&](std::int32_t o) {
                    return std::all_of(keys.begin(), keys.end(),
                                       [&](const Pair &p) { return p.sameSide(sideA, o, r); });
                },
                slot);
            if (other >= 0) {
                error = duplicateKey(t, sideA ? keyA : keyB, other, r);
                return false;
            }
            index.put(slot, std::int32_t(r), h);
            return true;
        });
        return done ? std::optional<RowIndex>(std::move(index)) : std::nullopt;
    };
    if (!unique(true))
        return fail(*error);
    const std::optional<RowIndex> index = unique(false);
    if (!index)
        return fail(*error);
    eachRow(*index, true, a.rows, [&](qsizetype i, std::uint64_t h) {
        std::size_t slot = 0;
        const std::int32_t j = index->find(
            h,
            [&](std::int32_t r) {
                return std::all_of(keys.begin(), keys.end(),
                                   [&](const Pair &p) { return p.equal(i, r, 0); });
            },
            slot);
        if (j >= 0) {
            diff.bOfA[std::size_t(i)] = j;
            diff.aOfB[std::size_t(j)] = std::int32_t(i);
        }
        return true;
    });
    return ok();
}

// Rows of a (leftovers) grouped by their value in one column.
struct Buckets
{
    std::vector<std::uint64_t> hashes; // per bucket
    std::vector<std::int32_t> start;   // per bucket, plus the end
    std::vector<std::int32_t> rows;    // ascending within a bucket
    RowIndex index;

    std::span<const std::int32_t> find(std::uint64_t h) const
    {
        std::size_t slot = 0;
        const std::int32_t g = index.find(
            h, [&](std::int32_t x) { return hashes[std::size_t(x)] == h; }, slot);
        if (g < 0)
            return {};
        return {rows.data() + start[std::size_t(g)],
                std::size_t(start[std::size_t(g) + 1] - start[std::size_t(g)])};
    }
};

Buckets bucketsOf(const Pair &p, const std::vector<std::int32_t> &leftA)
{
    Buckets bk;
    bk.index = RowIndex(qsizetype(leftA.size()));
    std::vector<std::int32_t> bucketOf(leftA.size(), -1);
    std::vector<std::int32_t> count;
    for (std::size_t k = 0; k < leftA.size(); ++k) {
        if (p.missingA(leftA[k]))
            continue;
        const std::uint64_t h = p.hashA(leftA[k]);
        std::size_t slot = 0;
        std::int32_t g = bk.index.find(
            h, [&](std::int32_t x) { return bk.hashes[std::size_t(x)] == h; }, slot);
        if (g < 0) {
            g = std::int32_t(bk.hashes.size());
            bk.hashes.push_back(h);
            count.push_back(0);
            bk.index.put(slot, g, h);
        }
        ++count[std::size_t(g)];
        bucketOf[k] = g;
    }
    bk.start.assign(count.size() + 1, 0);
    for (std::size_t g = 0; g < count.size(); ++g)
        bk.start[g + 1] = bk.start[g] + count[g];
    bk.rows.resize(std::size_t(bk.start.back()));
    std::vector<std::int32_t> fill(bk.start.begin(), bk.start.end() - 1);
    for (std::size_t k = 0; k < leftA.size(); ++k) {
        if (bucketOf[k] >= 0)
            bk.rows[std::size_t(fill[std::size_t(bucketOf[k])]++)] = leftA[k];
    }
    return bk;
}

struct Edge
{
    double agree = 0; // weighted: see alignByContent
    std::int64_t distance = 0;
    std::int32_t a = -1;
    std::int32_t b = -1;
};

bool betterEdge(const Edge &x, const Edge &y)
{
    if (x.agree != y.agree)
        return x.agree > y.agree;
    if (x.distance != y.distance)
        return x.distance < y.distance;
    return x.b != y.b ? x.b < y.b : x.a < y.a;
}

// Sets `bit` in masks[r * words] for each row j0 + r (r < n) of b whose value in p differs from
// its paired row's (aOf[r], -1 when unpaired). The type dispatch happens once per block.
void markChanged(const Pair &p, const std::int32_t *aOf, qsizetype j0, qsizetype n, double tol,
                 std::uint64_t *masks, std::size_t words, std::uint64_t bit)
{
    auto run = [&](auto differs) {
        for (qsizetype r = 0; r < n; ++r) {
            const std::int32_t i = aOf[r];
            if (i >= 0 && differs(std::size_t(i), std::size_t(j0 + r)))
                masks[std::size_t(r) * words] |= bit;
        }
    };
    const Column &ca = *p.a;
    const Column &cb = *p.b;
    if (p.mode == Mode::Numeric && ca.type == ColumnType::Int64 && cb.type == ColumnType::Int64) {
        const std::int64_t *x = ca.ints.data();
        const std::int64_t *y = cb.ints.data();
        run([&](std::size_t i, std::size_t j) {
            return x[i] != y[j] && !(tol > 0 && std::fabs(double(x[i]) - double(y[j])) <= tol);
        });
    } else if (p.mode == Mode::Numeric && ca.type == ColumnType::Float64 &&
               cb.type == ColumnType::Float64) {
        const double *x = ca.floats.data();
        const double *y = cb.floats.data();
        run([&](std::size_t i, std::size_t j) {
            const double u = x[i];
            const double v = y[j];
            if (u == v)
                return false;
            if (std::isnan(u) || std::isnan(v))
                return !(std::isnan(u) && std::isnan(v));
            return !(tol > 0 && std::fabs(u - v) <= tol);
        });
    } else if (p.mode == Mode::Codes && p.textA.empty()) {
        const std::int32_t *codes = ca.codes.data();
        const std::int32_t *map = p.codeMap.data();
        const std::int32_t *other = p.rowCodesB;
        run([&](std::size_t i, std::size_t j) {
            const std::int32_t c = codes[i];
            return (c < 0 ? -1 : map[c]) != other[j];
        });
    } else {
        run([&](std::size_t i, std::size_t j) {
            return !p.equal(qsizetype(i), qsizetype(j), tol);
        });
    }
}

// Without keys: identical rows first (k-th copy with k-th copy, in order), then leftovers that
// agree on more than half of the columns where either has a value, each column weighted by how
// much an agreement on it says: log2(1 + its distinct values among the leftover rows of a). Two
// unrelated rows often agree on a few low-cardinality columns (a region, a yes/no flag); rows
// that are one edit apart agree on the id-like columns too. (Found on the demo's history:
// dropped test accounts and new customers shared 6 of 11 columns by count, none of the
// informative ones.)
Result<void> alignByContent(const Table &a, const Table &b, const std::vector<Pair> &pairs,
                            const TableDiffOptions &options, TableDiff &diff, const Ticker &tick)
{
    if (pairs.empty()) // no column in common: no row agrees with another
        return ok();
    const double tol = options.tolerance;
    std::vector<std::int32_t> &bOfA = diff.bOfA;
    std::vector<std::int32_t> &aOfB = diff.aOfB;
    auto link = [&](qsizetype i, qsizetype j) {
        bOfA[std::size_t(i)] = std::int32_t(j);
        aOfB[std::size_t(j)] = std::int32_t(i);
    };
    {
        std::vector<const Pair *> ptrs;
        for (const Pair &p : pairs)
            ptrs.push_back(&p);
        const std::vector<std::uint64_t> hashA = rowHashes(ptrs, a.rows, true);
        const std::vector<std::uint64_t> hashB = rowHashes(ptrs, b.rows, false);
        if (!tick.at(a.rows))
            return fail(cancelled());
        // Rows of a with equal hashes in a chain, in order; the index holds each chain's head.
        std::vector<std::int32_t> next(std::size_t(a.rows), -1);
        RowIndex index(a.rows);
        for (qsizetype i = a.rows - 1; i >= 0; --i) {
            if (i >= 16)
                index.prefetch(hashA[std::size_t(i - 16)]);
            const std::uint64_t h = hashA[std::size_t(i)];
            std::size_t slot = 0;
            const std::int32_t head = index.find(
                h, [&](std::int32_t x) { return hashA[std::size_t(x)] == h; }, slot);
            if (head >= 0) {
                next[std::size_t(i)] = head;
                index.set(slot, std::int32_t(i));
            } else {
                index.put(slot, std::int32_t(i), h);
            }
        }
        for (qsizetype j = 0; j < b.rows; ++j) {
            if ((j & 0xFFFF) == 0 && !tick.at(a.rows + j))
                return fail(cancelled());
            if (j + 16 < b.rows)
                index.prefetch(hashB[std::size_t(j + 16)]);
            const std::uint64_t h = hashB[std::size_t(j)];
            std::size_t slot = 0;
            const std::int32_t head = index.find(
                h, [&](std::int32_t x) { return hashA[std::size_t(x)] == h; }, slot);
            if (head >= 0) { // the chain's rows have this row's 64-bit hash: take the first
                link(head, j);
                index.set(slot, next[std::size_t(head)]);
            }
        }
    }
    // Check the pairs cell by cell, a block at a time: a pair whose rows differ (a 64-bit hash
    // collision) is undone, and its rows go on to the next step.
    {
        constexpr qsizetype kBlock = 4096;
        std::vector<std::uint64_t> differs(static_cast<std::size_t>(kBlock));
        for (qsizetype j0 = 0; j0 < b.rows; j0 += kBlock) {
            const qsizetype n = std::min(kBlock, b.rows - j0);
            std::fill_n(differs.begin(), n, 0);
            for (const Pair &p : pairs)
                markChanged(p, aOfB.data() + j0, j0, n, tol, differs.data(), 1, 1);
            for (qsizetype r = 0; r < n; ++r) {
                if (differs[std::size_t(r)]) {
                    bOfA[std::size_t(aOfB[std::size_t(j0 + r)])] = -1;
                    aOfB[std::size_t(j0 + r)] = -1;
                }
            }
        }
    }

    std::vector<std::int32_t> leftA, leftB;
    for (qsizetype i = 0; i < a.rows; ++i) {
        if (bOfA[std::size_t(i)] < 0)
            leftA.push_back(std::int32_t(i));
    }
    for (qsizetype j = 0; j < b.rows; ++j) {
        if (aOfB[std::size_t(j)] < 0)
            leftB.push_back(std::int32_t(j));
    }
    if (leftA.empty() || leftB.empty())
        return ok();

    // Where each leftover b row would be in a: after the a row paired with the b row before it.
    std::vector<std::int64_t> expect(leftB.size());
    {
        std::int64_t lastB = -1;
        std::int64_t lastA = -1;
        std::size_t k = 0;
        for (qsizetype j = 0; j < b.rows && k < leftB.size(); ++j) {
            if (aOfB[std::size_t(j)] >= 0) {
                lastB = j;
                lastA = aOfB[std::size_t(j)];
            } else if (leftB[k] == j) {
                expect[k++] = lastB < 0 ? j : lastA + (j - lastB);
            }
        }
    }
    std::vector<Buckets> buckets;
    buckets.reserve(pairs.size());
    std::vector<double> weight;
    for (const Pair &p : pairs) {
        buckets.push_back(bucketsOf(p, leftA));
        weight.push_back(std::log2(1.0 + double(buckets.back().hashes.size())));
    }

    // Candidates come from the buckets of the b row's values, smallest first. A pair that agrees
    // on more than half of the b row's `present` values shares a value with it in any
    // ceil(present / 2) of them, so scanning that many buckets finds it; a bucket larger than the
    // per-row budget is scanned around the expected position only.
    const qint64 perRow =
        std::clamp<qint64>((qint64(1) << 25) / qint64(leftB.size()), 256, qint64(1) << 20);
    std::vector<std::int32_t> votes(std::size_t(a.rows), 0);
    std::vector<std::int32_t> touched;
    std::vector<std::span<const std::int32_t>> spans;
    std::vector<Edge> edges;
    constexpr std::size_t kEdgesPerRow = 4;
    Edge best[kEdgesPerRow];
    for (std::size_t k = 0; k < leftB.size(); ++k) {
        if ((k & 0x3FFF) == 0 && !tick.at(a.rows + b.rows + qint64(k)))
            return fail(cancelled());
        const std::int32_t j = leftB[k];
        spans.clear();
        for (std::size_t c = 0; c < pairs.size(); ++c) {
            if (!pairs[c].missingB(j))
                spans.push_back(buckets[c].find(pairs[c].hashB(j)));
        }
        const auto present = std::int32_t(spans.size());
        if (present == 0)
            continue;
        std::sort(spans.begin(), spans.end(),
                  [](const auto &x, const auto &y) { return x.size() < y.size(); });
        const std::int32_t must = present - present / 2;
        qint64 budget = perRow;
        std::int32_t scanned = 0;
        for (std::int32_t s = 0; s < present; ++s) {
            std::span<const std::int32_t> rows = spans[std::size_t(s)];
            if (s >= must && rows.size() > 16)
                break;
            const bool whole = qint64(rows.size()) <= budget;
            if (!whole) {
                const auto take = std::size_t(budget);
                const auto at = std::size_t(std::lower_bound(rows.begin(), rows.end(), expect[k]) -
                                            rows.begin());
                const std::size_t from = std::min(at - std::min(at, take / 2), rows.size() - take);
                rows = rows.subspan(from, take);
            }
            budget -= qint64(rows.size());
            for (std::int32_t r : rows) {
                if (votes[std::size_t(r)]++ == 0)
                    touched.push_back(r);
            }
            scanned += whole ? 1 : 0;
        }
        const std::int32_t need = present / 2 + 1;
        std::size_t kept = 0;
        for (std::int32_t i : touched) {
            const std::int32_t bound = votes[std::size_t(i)] + (present - scanned);
            votes[std::size_t(i)] = 0;
            if (bound < need)
                continue;
            std::int32_t agreeCount = 0;
            double agree = 0;
            double informative = 0;
            for (std::size_t c = 0; c < pairs.size(); ++c) {
                const Pair &p = pairs[c];
                const bool ma = p.missingA(i);
                const bool mb = p.missingB(j);
                if (ma && mb)
                    continue;
                informative += weight[c];
                if (!ma && !mb && p.equal(i, j, tol)) {
                    ++agreeCount;
                    agree += weight[c];
                }
            }
            if (agreeCount < 1 || 2 * agree <= informative)
                continue;
            const Edge e{agree, options.ordered ? std::abs(i - expect[k]) : 0, i, j};
            std::size_t at = kept < kEdgesPerRow ? kept++ : kEdgesPerRow;
            while (at > 0 && betterEdge(e, best[at - 1])) {
                if (at < kEdgesPerRow)
                    best[at] = best[at - 1];
                --at;
            }
            if (at < kEdgesPerRow)
                best[at] = e;
        }
        touched.clear();
        edges.insert(edges.end(), best, best + kept);
    }
    std::sort(edges.begin(), edges.end(), betterEdge);
    for (const Edge &e : edges) {
        if (bOfA[std::size_t(e.a)] < 0 && aOfB[std::size_t(e.b)] < 0)
            link(e.a, e.b);
    }
    return ok();
}

// A removed and an added column of the same type are one renamed column when their values are
// equal on at least 90 % of the paired rows (at most 100,000 of them, evenly spread).
void detectRenames(const Table &a, const Table &b, const TableDiff &diff, double tol,
                   std::vector<int> &aOfColumnB, std::vector<Pair> &renamed)
{
    std::vector<int> removed, added;
    std::vector<bool> matchedA(std::size_t(a.columns.size()), false);
    for (int ia : aOfColumnB) {
        if (ia >= 0)
            matchedA[std::size_t(ia)] = true;
    }
    for (int i = 0; i < int(a.columns.size()); ++i) {
        if (!matchedA[std::size_t(i)])
            removed.push_back(i);
    }
    for (int j = 0; j < int(b.columns.size()); ++j) {
        if (aOfColumnB[std::size_t(j)] < 0)
            added.push_back(j);
    }
    const qint64 paired = b.rows - std::count(diff.aOfB.begin(), diff.aOfB.end(), -1);
    if (removed.empty() || added.empty() || paired == 0)
        return;
    const qint64 step = std::max<qint64>(1, paired / 100000);
    std::vector<std::pair<std::int32_t, std::int32_t>> sample;
    qint64 seen = 0;
    for (qsizetype j = 0; j < b.rows; ++j) {
        const std::int32_t i = diff.aOfB[std::size_t(j)];
        if (i >= 0 && seen++ % step == 0)
            sample.emplace_back(i, std::int32_t(j));
    }
    struct Candidate
    {
        double share;
        int a;
        int b;
    };
    std::vector<Candidate> candidates;
    for (int ia : removed) {
        for (int jb : added) {
            const Column &ca = a.columns[ia];
            const Column &cb = b.columns[jb];
            if (ca.type != cb.type)
                continue;
            const Pair p = makePair(ca, cb, -1);
            // Two missing cells say nothing: count only pairs where a value is present, and ask
            // for values in at least half the pairs (two mostly-empty columns are not one).
            qint64 equal = 0;
            qint64 informative = 0;
            for (const auto &[i, j] : sample) {
                if (p.missingA(i) && p.missingB(j))
                    continue;
                ++informative;
                equal += p.equal(i, j, tol) ? 1 : 0;
            }
            const double share = informative ? double(equal) / double(informative) : 0;
            if (share >= 0.9 && 2 * informative >= qint64(sample.size()))
                candidates.push_back({share, ia, jb});
        }
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate &x, const Candidate &y) { return x.share > y.share; });
    for (const Candidate &c : candidates) {
        if (matchedA[std::size_t(c.a)] || aOfColumnB[std::size_t(c.b)] >= 0)
            continue;
        matchedA[std::size_t(c.a)] = true;
        aOfColumnB[std::size_t(c.b)] = c.a;
        renamed.push_back(makePair(a.columns[c.a], b.columns[c.b], -1));
    }
}

int columnIndex(const Table &t, QStringView name)
{
    for (int c = 0; c < int(t.columns.size()); ++c) {
        if (t.columns[c].name == name)
            return c;
    }
    return -1;
}

Error missingKeyColumn(const Table &t, const QString &key)
{
    QStringList names;
    for (const Column &c : t.columns)
        names << c.name;
    return Error(u"key column \"%1\" is not in %2, whose columns are: %3"_s.arg(
                     key, t.source, names.join(u", "_s)),
                 t.source, 1)
        .withHint(u"Choose key columns that both tables have (names are case-sensitive)"_s);
}

} // namespace

Result<TableDiff> diffTables(const Table &a, const Table &b, const TableDiffOptions &options,
                             const Progress &progress)
{
    if (a.rows > kMaxRows || b.rows > kMaxRows)
        return fail(Error(u"tables of more than %1 rows cannot be diffed"_s.arg(kMaxRows),
                          a.rows > kMaxRows ? a.source : b.source)
                        .withHint(u"Diff the file in parts"_s));
    const Ticker tick{progress, 2 * (a.rows + b.rows) + 1};
    if (!tick.at(0))
        return fail(cancelled());
    TableDiff diff;
    diff.sourceA = a.source;
    diff.sourceB = b.source;
    diff.tolerance = options.tolerance;
    for (const Column &c : a.columns)
        diff.schema.columnsA << c.name;
    for (const Column &c : b.columns)
        diff.schema.columnsB << c.name;

    QList<int> keyA, keyB;
    for (const QString &key : options.keys) {
        const int ia = columnIndex(a, key);
        const int ib = columnIndex(b, key);
        if (ia < 0)
            return fail(missingKeyColumn(a, key));
        if (ib < 0)
            return fail(missingKeyColumn(b, key));
        if (!keyA.contains(ia)) {
            keyA << ia;
            keyB << ib;
            diff.keys << key;
        }
    }

    // Columns matched by name, compared in b's order.
    std::vector<int> aOfColumnB(std::size_t(b.columns.size()), -1);
    std::vector<Pair> pairs;
    for (int j = 0; j < int(b.columns.size()); ++j) {
        const int i = columnIndex(a, b.columns[j].name);
        aOfColumnB[std::size_t(j)] = i;
        if (i >= 0)
            pairs.push_back(makePair(a.columns[i], b.columns[j], j));
    }

    diff.bOfA.assign(std::size_t(a.rows), -1);
    diff.aOfB.assign(std::size_t(b.rows), -1);
    if (!keyA.isEmpty()) {
        std::vector<Pair> keyPairs;
        for (qsizetype k = 0; k < keyA.size(); ++k)
            keyPairs.push_back(makePair(a.columns[keyA[k]], b.columns[keyB[k]], -1));
        if (auto r = alignByKeys(a, b, keyPairs, keyA, keyB, diff, tick); !r)
            return fail(r.error());
    } else if (auto r = alignByContent(a, b, pairs, options, diff, tick); !r) {
        return fail(r.error());
    }

    std::vector<Pair> renamed;
    detectRenames(a, b, diff, options.tolerance, aOfColumnB, renamed);
    for (Pair &p : renamed) {
        for (int j = 0; j < int(b.columns.size()); ++j) {
            if (&b.columns[j] == p.b)
                p.index = j;
        }
        pairs.push_back(std::move(p));
    }

    // The merged column order: b's columns, each column only in a after the a column before it.
    std::vector<bool> matchedA(std::size_t(a.columns.size()), false);
    for (int ia : aOfColumnB) {
        if (ia >= 0)
            matchedA[std::size_t(ia)] = true;
    }
    std::vector<int> columnOfB(std::size_t(b.columns.size()), -1);
    int cursor = 0;
    auto flushRemoved = [&](int upTo) {
        for (; cursor < upTo; ++cursor) {
            if (matchedA[std::size_t(cursor)])
                continue;
            const Column &c = a.columns[cursor];
            ColumnDiff cd;
            cd.name = cd.oldName = c.name;
            cd.a = cursor;
            cd.typeA = cd.typeB = c.type;
            cd.key = keyA.contains(cursor);
            cd.before = statsOf(c);
            diff.columns << cd;
            diff.schema.removed << c.name;
        }
    };
    for (int j = 0; j < int(b.columns.size()); ++j) {
        const Column &c = b.columns[j];
        const int i = aOfColumnB[std::size_t(j)];
        ColumnDiff cd;
        cd.name = c.name;
        cd.b = j;
        cd.typeB = c.type;
        cd.after = statsOf(c);
        cd.key = keyB.contains(j);
        if (i >= 0) {
            flushRemoved(i);
            cursor = std::max(cursor, i + 1);
            cd.a = i;
            cd.oldName = a.columns[i].name;
            cd.typeA = a.columns[i].type;
            cd.before = statsOf(a.columns[i]);
            cd.renamed = cd.oldName != cd.name;
            cd.retyped = cd.typeA != cd.typeB;
            if (cd.renamed)
                diff.schema.renamed << SchemaDiff::Rename{cd.oldName, cd.name};
            if (cd.retyped)
                diff.schema.retyped << SchemaDiff::Retype{cd.name, cd.typeA, cd.typeB};
        } else {
            cd.typeA = c.type;
            diff.schema.added << c.name;
        }
        columnOfB[std::size_t(j)] = int(diff.columns.size());
        diff.columns << cd;
    }
    flushRemoved(int(a.columns.size()));
    for (Pair &p : pairs)
        p.index = columnOfB[std::size_t(p.index)];
    std::sort(pairs.begin(), pairs.end(),
              [](const Pair &x, const Pair &y) { return x.index < y.index; });

    // Cells of the paired rows, in b's order, a block of rows at a time, column by column.
    constexpr qsizetype kBlock = 4096;
    const std::size_t words = (pairs.size() + 63) / 64;
    std::vector<std::uint64_t> masks(std::size_t(kBlock) * std::max<std::size_t>(words, 1));
    std::vector<qint64> changedPerColumn(std::size_t(diff.columns.size()), 0);
    for (qsizetype j0 = 0; j0 < b.rows; j0 += kBlock) {
        if ((j0 & 0xFFFF) == 0 && !tick.at(a.rows + 2 * b.rows + j0))
            return fail(cancelled());
        const qsizetype n = std::min(kBlock, b.rows - j0);
        std::fill_n(masks.begin(), std::size_t(n) * words, 0);
        for (std::size_t k = 0; k < pairs.size(); ++k)
            markChanged(pairs[k], diff.aOfB.data() + j0, j0, n, options.tolerance,
                        masks.data() + k / 64, words, std::uint64_t(1) << (k % 64));
        for (qsizetype r = 0; r < n; ++r) {
            const std::int32_t i = diff.aOfB[std::size_t(j0 + r)];
            if (i < 0) {
                ++diff.rows.added;
                continue;
            }
            const auto first = std::int64_t(diff.changedColumns.size());
            for (std::size_t w = 0; w < words; ++w) {
                for (std::uint64_t m = masks[std::size_t(r) * words + w]; m; m &= m - 1) {
                    const int c = pairs[w * 64 + std::size_t(std::countr_zero(m))].index;
                    diff.changedColumns.push_back(std::uint32_t(c));
                    ++changedPerColumn[std::size_t(c)];
                }
            }
            if (std::int64_t(diff.changedColumns.size()) > first) {
                diff.changed.push_back({i, std::int32_t(j0 + r), first});
                ++diff.rows.modified;
            } else {
                ++diff.rows.unchanged;
            }
        }
    }
    diff.rows.removed = std::count(diff.bOfA.begin(), diff.bOfA.end(), -1);
    diff.cellsChanged = qint64(diff.changedColumns.size());
    for (qsizetype c = 0; c < diff.columns.size(); ++c)
        diff.columns[c].cellsChanged = changedPerColumn[std::size_t(c)];
    if (!tick.at(tick.total))
        return fail(cancelled());
    return diff;
}

void forEachAlignedRow(const TableDiff &diff,
                       const std::function<bool(std::int32_t a, std::int32_t b)> &visit)
{
    const auto rowsA = std::int32_t(diff.bOfA.size());
    std::int32_t cursor = 0;
    auto flush = [&](std::int32_t upTo) {
        for (; cursor < upTo; ++cursor) {
            if (diff.bOfA[std::size_t(cursor)] < 0 && !visit(cursor, -1))
                return false;
        }
        return true;
    };
    for (std::size_t j = 0; j < diff.aOfB.size(); ++j) {
        const std::int32_t i = diff.aOfB[j];
        if (i >= 0) {
            if (!flush(i))
                return;
            cursor = std::max(cursor, i + 1);
        }
        if (!visit(i, std::int32_t(j)))
            return;
    }
    flush(rowsA);
}

} // namespace cairn::diff
