#include "tablediff_p.h"

using namespace Qt::StringLiterals;

namespace cairn::diff {

namespace detail {

void buildColumns(TableDiff &diff, const std::vector<int> &aOfColumnB, const QList<int> &keyA,
                  const QList<int> &keyB, std::vector<int> &columnOfA, std::vector<int> &columnOfB)
{
    // The merged column order: b's columns, each column only in a after the a column before it.
    const auto columnsA = int(diff.schema.columnsA.size());
    const auto columnsB = int(diff.schema.columnsB.size());
    columnOfA.assign(std::size_t(columnsA), -1);
    columnOfB.assign(std::size_t(columnsB), -1);
    std::vector<bool> matchedA(std::size_t(columnsA), false);
    for (int ia : aOfColumnB) {
        if (ia >= 0)
            matchedA[std::size_t(ia)] = true;
    }
    int cursor = 0;
    auto flushRemoved = [&](int upTo) {
        for (; cursor < upTo; ++cursor) {
            if (matchedA[std::size_t(cursor)])
                continue;
            ColumnDiff cd;
            cd.name = cd.oldName = diff.schema.columnsA[cursor];
            cd.a = cursor;
            cd.key = keyA.contains(cursor);
            columnOfA[std::size_t(cursor)] = int(diff.columns.size());
            diff.columns << cd;
        }
    };
    for (int j = 0; j < columnsB; ++j) {
        const int i = aOfColumnB[std::size_t(j)];
        ColumnDiff cd;
        cd.name = diff.schema.columnsB[j];
        cd.b = j;
        cd.key = keyB.contains(j);
        if (i >= 0) {
            flushRemoved(i);
            cursor = std::max(cursor, i + 1);
            cd.a = i;
            cd.oldName = diff.schema.columnsA[i];
            cd.renamed = cd.oldName != cd.name;
            columnOfA[std::size_t(i)] = int(diff.columns.size());
        }
        columnOfB[std::size_t(j)] = int(diff.columns.size());
        diff.columns << cd;
    }
    flushRemoved(columnsA);
}

void setColumnA(ColumnDiff &cd, const Column &c)
{
    cd.typeA = c.type;
    cd.before = statsOf(c);
}

void setColumnB(ColumnDiff &cd, const Column &c)
{
    cd.typeB = c.type;
    cd.after = statsOf(c);
}

void finishSchema(TableDiff &diff)
{
    for (ColumnDiff &cd : diff.columns) {
        if (cd.removed()) {
            cd.typeB = cd.typeA;
            diff.schema.removed << cd.name;
        } else if (cd.added()) {
            cd.typeA = cd.typeB;
            diff.schema.added << cd.name;
        } else {
            cd.retyped = cd.typeA != cd.typeB;
            if (cd.renamed)
                diff.schema.renamed << SchemaDiff::Rename{cd.oldName, cd.name};
            if (cd.retyped)
                diff.schema.retyped << SchemaDiff::Retype{cd.name, cd.typeA, cd.typeB};
        }
    }
}

void appendChanges(TableDiff &diff, qsizetype j0, qsizetype n, const std::uint64_t *masks,
                   std::size_t words, std::vector<qint64> &changedPerColumn)
{
    for (qsizetype r = 0; r < n; ++r) {
        const std::int32_t i = diff.aOfB[std::size_t(j0 + r)];
        if (i < 0) {
            ++diff.rows.added;
            continue;
        }
        const auto first = std::int64_t(diff.changedColumns.size());
        for (std::size_t w = 0; w < words; ++w) {
            for (std::uint64_t m = masks[std::size_t(r) * words + w]; m; m &= m - 1) {
                const auto c = std::uint32_t(w * 64 + std::size_t(std::countr_zero(m)));
                diff.changedColumns.push_back(c);
                ++changedPerColumn[c];
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

void finishCounts(TableDiff &diff, const std::vector<qint64> &changedPerColumn)
{
    diff.rows.removed = std::count(diff.bOfA.begin(), diff.bOfA.end(), -1);
    diff.cellsChanged = qint64(diff.changedColumns.size());
    for (qsizetype c = 0; c < diff.columns.size(); ++c)
        diff.columns[c].cellsChanged = changedPerColumn[std::size_t(c)];
}

} // namespace detail

using namespace detail;

namespace {

int columnIndex(const Table &t, QStringView name)
{
    for (int c = 0; c < int(t.columns.size()); ++c) {
        if (t.columns[c].name == name)
            return c;
    }
    return -1;
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
    {
        std::vector<const Pair *> ptrs;
        for (const Pair &p : pairs)
            ptrs.push_back(&p);
        std::vector<std::uint64_t> hashA(std::size_t(a.rows), kRowHashSeed);
        std::vector<std::uint64_t> hashB(std::size_t(b.rows), kRowHashSeed);
        std::uint64_t salt = kRowHashSalt;
        addRowHashes(ptrs, true, hashA, salt);
        salt = kRowHashSalt;
        addRowHashes(ptrs, false, hashB, salt);
        if (!tick.at(a.rows))
            return fail(cancelled());
        if (auto r = pairByHash(hashA, hashB, diff, tick); !r)
            return r;
    }
    // Check the pairs cell by cell: a pair whose rows differ (a 64-bit hash collision) is undone,
    // and its rows go on to the next step.
    {
        std::vector<std::uint8_t> differs(std::size_t(b.rows), 0);
        markDiffering(pairs, diff.aOfB, options.tolerance, differs);
        undoPairs(differs, diff);
    }
    std::vector<std::int32_t> leftA, leftB;
    leftoverRows(diff, leftA, leftB);
    return pairSimilarRows(pairs, leftA, leftB, false, options, diff, tick, a.rows + b.rows);
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
            return fail(missingKeyColumn(diff.schema.columnsA, a.source, key));
        if (ib < 0)
            return fail(missingKeyColumn(diff.schema.columnsB, b.source, key));
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

    // Renamed columns among those matched by no name.
    {
        std::vector<int> removed, added;
        std::vector<const Column *> removedColumns, addedColumns;
        for (int i = 0; i < int(a.columns.size()); ++i) {
            if (std::find(aOfColumnB.begin(), aOfColumnB.end(), i) == aOfColumnB.end()) {
                removed.push_back(i);
                removedColumns.push_back(&a.columns[i]);
            }
        }
        for (int j = 0; j < int(b.columns.size()); ++j) {
            if (aOfColumnB[std::size_t(j)] < 0) {
                added.push_back(j);
                addedColumns.push_back(&b.columns[j]);
            }
        }
        for (const auto &[x, y] :
             detectRenames(removedColumns, addedColumns, diff, options.tolerance)) {
            const int i = removed[std::size_t(x)];
            const int j = added[std::size_t(y)];
            aOfColumnB[std::size_t(j)] = i;
            pairs.push_back(makePair(a.columns[i], b.columns[j], j));
        }
    }

    std::vector<int> columnOfA, columnOfB;
    buildColumns(diff, aOfColumnB, keyA, keyB, columnOfA, columnOfB);
    for (int i = 0; i < int(a.columns.size()); ++i)
        setColumnA(diff.columns[columnOfA[std::size_t(i)]], a.columns[i]);
    for (int j = 0; j < int(b.columns.size()); ++j)
        setColumnB(diff.columns[columnOfB[std::size_t(j)]], b.columns[j]);
    finishSchema(diff);
    for (Pair &p : pairs)
        p.index = columnOfB[std::size_t(p.index)];

    // Cells of the paired rows, in b's order, a block of rows at a time, column by column; bit c
    // of a row's mask: merged column c changed.
    constexpr qsizetype kBlock = 4096;
    const std::size_t words = (std::size_t(diff.columns.size()) + 63) / 64;
    std::vector<std::uint64_t> masks(std::size_t(kBlock) * std::max<std::size_t>(words, 1));
    std::vector<qint64> changedPerColumn(std::size_t(diff.columns.size()), 0);
    for (qsizetype j0 = 0; j0 < b.rows; j0 += kBlock) {
        if ((j0 & 0xFFFF) == 0 && !tick.at(a.rows + 2 * b.rows + j0))
            return fail(cancelled());
        const qsizetype n = std::min(kBlock, b.rows - j0);
        std::fill_n(masks.begin(), std::size_t(n) * words, 0);
        for (const Pair &p : pairs)
            markChanged(p, diff.aOfB.data() + j0, j0, n, options.tolerance,
                        masks.data() + p.index / 64, words, std::uint64_t(1) << (p.index % 64));
        appendChanges(diff, j0, n, masks.data(), words, changedPerColumn);
    }
    finishCounts(diff, changedPerColumn);
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
