// Row alignment: a hash join on key columns, and without keys, identical rows by hash, then the
// leftover rows by agreement (see diffTables in tablediff.h).

#include "tablediff_p.h"

#include <optional>
#include <span>

using namespace Qt::StringLiterals;

namespace cairn::diff::detail {

namespace {

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

} // namespace

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

Result<void> pairByHash(const std::vector<std::uint64_t> &hashA,
                        const std::vector<std::uint64_t> &hashB, TableDiff &diff,
                        const Ticker &tick)
{
    const auto rowsA = qsizetype(hashA.size());
    const auto rowsB = qsizetype(hashB.size());
    // Rows of a with equal hashes in a chain, in order; the index holds each chain's head.
    std::vector<std::int32_t> next(std::size_t(rowsA), -1);
    RowIndex index(rowsA);
    for (qsizetype i = rowsA - 1; i >= 0; --i) {
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
    for (qsizetype j = 0; j < rowsB; ++j) {
        if ((j & 0xFFFF) == 0 && !tick.at(rowsA + j))
            return fail(cancelled());
        if (j + 16 < rowsB)
            index.prefetch(hashB[std::size_t(j + 16)]);
        const std::uint64_t h = hashB[std::size_t(j)];
        std::size_t slot = 0;
        const std::int32_t head = index.find(
            h, [&](std::int32_t x) { return hashA[std::size_t(x)] == h; }, slot);
        if (head >= 0) { // the chain's rows have this row's 64-bit hash: take the first
            diff.bOfA[std::size_t(head)] = std::int32_t(j);
            diff.aOfB[std::size_t(j)] = head;
            index.set(slot, next[std::size_t(head)]);
        }
    }
    return ok();
}

void markDiffering(const std::vector<Pair> &pairs, const std::vector<std::int32_t> &aOfB,
                   double tol, std::vector<std::uint8_t> &differs)
{
    constexpr qsizetype kBlock = 4096;
    const auto rowsB = qsizetype(aOfB.size());
    std::vector<std::uint64_t> block(static_cast<std::size_t>(kBlock));
    for (qsizetype j0 = 0; j0 < rowsB; j0 += kBlock) {
        const qsizetype n = std::min(kBlock, rowsB - j0);
        std::fill_n(block.begin(), n, 0);
        for (const Pair &p : pairs)
            markChanged(p, aOfB.data() + j0, j0, n, tol, block.data(), 1, 1);
        for (qsizetype r = 0; r < n; ++r)
            differs[std::size_t(j0 + r)] |= std::uint8_t(block[std::size_t(r)]);
    }
}

bool undoPairs(const std::vector<std::uint8_t> &differs, TableDiff &diff)
{
    bool any = false;
    for (std::size_t j = 0; j < differs.size(); ++j) {
        if (differs[j] && diff.aOfB[j] >= 0) {
            diff.bOfA[std::size_t(diff.aOfB[j])] = -1;
            diff.aOfB[j] = -1;
            any = true;
        }
    }
    return any;
}

void leftoverRows(const TableDiff &diff, std::vector<std::int32_t> &leftA,
                  std::vector<std::int32_t> &leftB)
{
    leftA.clear();
    leftB.clear();
    for (std::size_t i = 0; i < diff.bOfA.size(); ++i) {
        if (diff.bOfA[i] < 0)
            leftA.push_back(std::int32_t(i));
    }
    for (std::size_t j = 0; j < diff.aOfB.size(); ++j) {
        if (diff.aOfB[j] < 0)
            leftB.push_back(std::int32_t(j));
    }
}

namespace {

// Leftover rows of a grouped by their value in one column; rows are positions in leftA.
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

// rowA(k): the row of p's a side that holds leftover k.
template<typename RowA>
Buckets bucketsOf(const Pair &p, std::size_t left, RowA rowA)
{
    Buckets bk;
    bk.index = RowIndex(qsizetype(left));
    std::vector<std::int32_t> bucketOf(left, -1);
    std::vector<std::int32_t> count;
    for (std::size_t k = 0; k < left; ++k) {
        if (p.missingA(rowA(k)))
            continue;
        const std::uint64_t h = p.hashA(rowA(k));
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
    for (std::size_t k = 0; k < left; ++k) {
        if (bucketOf[k] >= 0)
            bk.rows[std::size_t(fill[std::size_t(bucketOf[k])]++)] = std::int32_t(k);
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

} // namespace

// Without keys: identical rows first (k-th copy with k-th copy, in order), then leftovers that
// agree on more than half of the columns where either has a value, each column weighted by how
// much an agreement on it says: log2(1 + its distinct values among the leftover rows of a). Two
// unrelated rows often agree on a few low-cardinality columns (a region, a yes/no flag); rows
// that are one edit apart agree on the id-like columns too. (Found on the demo's history:
// dropped test accounts and new customers shared 6 of 11 columns by count, none of the
// informative ones.)
Result<void> pairSimilarRows(const std::vector<Pair> &pairs, const std::vector<std::int32_t> &leftA,
                             const std::vector<std::int32_t> &leftB, bool compact,
                             const TableDiffOptions &options, TableDiff &diff, const Ticker &tick,
                             qint64 tickBase)
{
    if (pairs.empty() || leftA.empty() || leftB.empty())
        return ok();
    const double tol = options.tolerance;
    std::vector<std::int32_t> &bOfA = diff.bOfA;
    std::vector<std::int32_t> &aOfB = diff.aOfB;
    auto rowA = [&](std::size_t k) { return qsizetype(compact ? k : std::size_t(leftA[k])); };
    auto rowB = [&](std::size_t k) { return qsizetype(compact ? k : std::size_t(leftB[k])); };

    // Where each leftover b row would be in a: after the a row paired with the b row before it.
    std::vector<std::int64_t> expect(leftB.size());
    {
        std::int64_t lastB = -1;
        std::int64_t lastA = -1;
        std::size_t k = 0;
        for (qsizetype j = 0; j < qsizetype(aOfB.size()) && k < leftB.size(); ++j) {
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
        buckets.push_back(bucketsOf(p, leftA.size(), rowA));
        weight.push_back(std::log2(1.0 + double(buckets.back().hashes.size())));
    }

    // Candidates come from the buckets of the b row's values, smallest first. A pair that agrees
    // on more than half of the b row's `present` values shares a value with it in any
    // ceil(present / 2) of them, so scanning that many buckets finds it; a bucket larger than the
    // per-row budget is scanned around the expected position only.
    const qint64 perRow =
        std::clamp<qint64>((qint64(1) << 25) / qint64(leftB.size()), 256, qint64(1) << 20);
    std::vector<std::int32_t> votes(leftA.size(), 0); // by position in leftA
    std::vector<std::int32_t> touched;
    std::vector<std::span<const std::int32_t>> spans;
    std::vector<Edge> edges;
    constexpr std::size_t kEdgesPerRow = 4;
    Edge best[kEdgesPerRow];
    for (std::size_t k = 0; k < leftB.size(); ++k) {
        if ((k & 0x3FFF) == 0 && !tick.at(tickBase + qint64(k)))
            return fail(cancelled());
        const qsizetype j = rowB(k);
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
                const auto at = std::size_t(std::lower_bound(rows.begin(), rows.end(), expect[k],
                                                             [&](std::int32_t r, std::int64_t e) {
                                                                 return leftA[std::size_t(r)] < e;
                                                             }) -
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
        for (std::int32_t ka : touched) {
            const std::int32_t bound = votes[std::size_t(ka)] + (present - scanned);
            votes[std::size_t(ka)] = 0;
            if (bound < need)
                continue;
            const qsizetype i = rowA(std::size_t(ka));
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
            const std::int32_t origA = leftA[std::size_t(ka)];
            const Edge e{agree, options.ordered ? std::abs(origA - expect[k]) : 0, origA, leftB[k]};
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
        if (bOfA[std::size_t(e.a)] < 0 && aOfB[std::size_t(e.b)] < 0) {
            bOfA[std::size_t(e.a)] = e.b;
            aOfB[std::size_t(e.b)] = e.a;
        }
    }
    return ok();
}

} // namespace cairn::diff::detail
