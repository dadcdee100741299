#pragma once

// Internals of the table diff, shared by its two engines (diffTables over two tables in memory,
// diffTableFiles reading a few columns at a time) and split over tablediffpair.cpp (how two
// columns compare), tablediffalign.cpp (row alignment) and tablediff.cpp (the result).

#include "tablediff.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <span>

namespace cairn::diff::detail {

inline constexpr std::uint64_t kMissingHash = 0x5bd1e9955bd1e995ULL;
inline constexpr qsizetype kMaxRows = std::numeric_limits<std::int32_t>::max() - 1;

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

inline bool isNumeric(ColumnType t)
{
    return t == ColumnType::Int64 || t == ColumnType::Float64;
}

inline bool missingAt(const Column &c, qsizetype r)
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

inline bool numbersEqual(const Column &ca, qsizetype i, const Column &cb, qsizetype j, double tol)
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

std::uint64_t hashString(const QString &s);
Pair makePair(const Column &ca, const Column &cb, int index);

struct Ticker
{
    const Progress &progress;
    qint64 total = 0;
    bool at(qint64 done) const { return !progress || progress(std::min(done, total), total); }
};

Error cancelled();
Error duplicateKey(const Table &t, const QList<int> &keyColumns, qsizetype first, qsizetype second);
Error missingKeyColumn(const QStringList &names, const QString &source, const QString &key);

ColumnStats statsOf(const Column &c);

// Mixes the values of `pairs` (a's side or b's) into per-row hashes, column by column; `salt`
// goes on from one call to the next, so that hashing columns in groups gives the same hashes.
void addRowHashes(const std::vector<const Pair *> &pairs, bool sideA, std::vector<std::uint64_t> &h,
                  std::uint64_t &salt);
inline constexpr std::uint64_t kRowHashSeed = 0x243f6a8885a308d3ULL;
inline constexpr std::uint64_t kRowHashSalt = 0x9e3779b97f4a7c15ULL;

// Sets `bit` in masks[r * words] for each row j0 + r (r < n) of b whose value in p differs from
// its paired row's (aOf[r], -1 when unpaired).
void markChanged(const Pair &p, const std::int32_t *aOf, qsizetype j0, qsizetype n, double tol,
                 std::uint64_t *masks, std::size_t words, std::uint64_t bit);

// ---- alignment (tablediffalign.cpp) ----

// Pairs rows with equal key values; keyA/keyB index the key columns in a and b (for errors).
Result<void> alignByKeys(const Table &a, const Table &b, const std::vector<Pair> &keys,
                         const QList<int> &keyA, const QList<int> &keyB, TableDiff &diff,
                         const Ticker &tick);
// Pairs each row of b with the first unpaired row of a that has its hash (k-th copy with k-th).
Result<void> pairByHash(const std::vector<std::uint64_t> &hashA,
                        const std::vector<std::uint64_t> &hashB, TableDiff &diff,
                        const Ticker &tick);
// Flags (differs[j] = 1) the paired rows j of b whose cells differ in `pairs`.
void markDiffering(const std::vector<Pair> &pairs, const std::vector<std::int32_t> &aOfB,
                   double tol, std::vector<std::uint8_t> &differs);
// Undoes the flagged pairs; true if there was one.
bool undoPairs(const std::vector<std::uint8_t> &differs, TableDiff &diff);
// The unpaired rows of a and b, ascending.
void leftoverRows(const TableDiff &diff, std::vector<std::int32_t> &leftA,
                  std::vector<std::int32_t> &leftB);
// Pairs leftover rows that agree on more than half of the columns where either has a value
// (see alignByContent). With `compact`, the pairs' columns hold the leftover rows only (row k of
// a's side is leftA[k]); else they hold every row.
Result<void> pairSimilarRows(const std::vector<Pair> &pairs, const std::vector<std::int32_t> &leftA,
                             const std::vector<std::int32_t> &leftB, bool compact,
                             const TableDiffOptions &options, TableDiff &diff, const Ticker &tick,
                             qint64 tickBase);

// ---- columns and result (tablediff.cpp) ----

// Renamed columns among a's removed and b's added ones: pairs of indices into the two lists.
std::vector<std::pair<int, int>> detectRenames(const std::vector<const Column *> &removed,
                                               const std::vector<const Column *> &added,
                                               const TableDiff &diff, double tol);
// diff.columns in merged order from the names and the column matching (types and stats left to
// setColumnA/B); returns the merged index of each column of a and of b.
void buildColumns(TableDiff &diff, const std::vector<int> &aOfColumnB, const QList<int> &keyA,
                  const QList<int> &keyB, std::vector<int> &columnOfA, std::vector<int> &columnOfB);
void setColumnA(ColumnDiff &cd, const Column &c);
void setColumnB(ColumnDiff &cd, const Column &c);
// Types of added and removed columns, retyped flags, and the schema's lists.
void finishSchema(TableDiff &diff);
// Counts and changed rows for b's rows [j0, j0 + n) from their masks (bit c: merged column c).
void appendChanges(TableDiff &diff, qsizetype j0, qsizetype n, const std::uint64_t *masks,
                   std::size_t words, std::vector<qint64> &changedPerColumn);
// The totals after the last appendChanges.
void finishCounts(TableDiff &diff, const std::vector<qint64> &changedPerColumn);

// ---- outputs (tablediffoutput.cpp, tablediffjson.cpp) ----

using Cells = std::span<const std::uint32_t>;

// Visits the added, removed and modified rows in output order; f(a, b, changed columns).
template<typename F>
void forEachChange(const TableDiff &diff, F &&f)
{
    std::size_t ci = 0;
    forEachAlignedRow(diff, [&](std::int32_t i, std::int32_t j) {
        if (i >= 0 && j >= 0) {
            if (ci < diff.changed.size() && diff.changed[ci].b == j)
                return f(i, j, diff.changedCells(ci++));
            return true;
        }
        return f(i, j, Cells());
    });
}

inline bool hasCell(Cells cells, qsizetype column)
{
    return std::binary_search(cells.begin(), cells.end(), std::uint32_t(column));
}

// "added", "removed", "renamed", "retyped" or "same" (tablediffjson.cpp).
QString statusOf(const ColumnDiff &col);

} // namespace cairn::diff::detail
