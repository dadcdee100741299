// diffTableFiles: the table diff of two files, either over both tables read whole (diffTables)
// or reading a few columns of each file at a time, so that memory holds the alignment and one
// group of columns instead of both tables. The steps are diffTables' own, on the same values:
//  - keys: the key columns alone are read and aligned;
//  - no keys: each group's columns add to per-row hashes (with the salts diffTables uses), rows
//    are paired by hash, then a second read checks those pairs cell by cell and copies the
//    leftover rows' values into small tables, on which the agreement step runs;
//  - the columns matched by no name are read together, for renames and their statistics;
//  - keys: each group is read again to compare the paired rows' cells (without keys, only rows
//    paired by agreement can differ, and their values are in the small tables).

#include "data/csvreader.h"
#include "tablediff_p.h"

#include <QFile>
#include <QFileInfo>

#include <optional>

using namespace Qt::StringLiterals;

namespace cairn::diff {

using namespace detail;

namespace {

constexpr qint64 kByColumnsAbove = qint64(512) << 20;

bool isJsonLines(const QString &path, const ReadOptions &read)
{
    if (read.format != TableFormat::Auto)
        return read.format == TableFormat::JsonLines;
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == u"jsonl"_s || suffix == u"ndjson"_s;
}

// The delimiter readTable would use (0: sniffed).
char delimiterOf(const QString &path, const ReadOptions &read)
{
    if (read.delimiter)
        return read.delimiter;
    if (read.format == TableFormat::Tsv)
        return '\t';
    if (read.format == TableFormat::Auto) {
        const QString suffix = QFileInfo(path).suffix().toLower();
        if (suffix == u"tsv"_s || suffix == u"tab"_s)
            return '\t';
    }
    return 0;
}

// Data rows estimated from the first MiB (line ends per byte).
qint64 estimateRows(const QString &path, qint64 size)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return 1;
    const QByteArray head = f.read(1 << 20);
    const qint64 lines = std::max<qint64>(1, head.count('\n'));
    return std::max<qint64>(1, qint64(double(size) * double(lines) / double(head.size())));
}

// The values of `rows` of c, in that order (a string column keeps the strings they use).
Column compactColumn(const Column &c, const std::vector<std::int32_t> &rows)
{
    Column out;
    out.name = c.name;
    out.type = c.type;
    out.boolHasMissing = c.boolHasMissing;
    auto copy = [&](const auto &from, auto &to) {
        to.reserve(rows.size());
        for (std::int32_t r : rows)
            to.push_back(from[std::size_t(r)]);
    };
    switch (c.type) {
    case ColumnType::Int64:
        copy(c.ints, out.ints);
        break;
    case ColumnType::Float64:
        copy(c.floats, out.floats);
        break;
    case ColumnType::Bool:
        copy(c.bools, out.bools);
        break;
    case ColumnType::String: {
        std::vector<std::int32_t> code(c.dictionary.size(), -1);
        out.codes.reserve(rows.size());
        for (std::int32_t r : rows) {
            const std::int32_t k = c.codes[std::size_t(r)];
            if (k >= 0 && code[std::size_t(k)] < 0) {
                code[std::size_t(k)] = std::int32_t(out.dictionary.size());
                out.dictionary.push_back(c.dictionary[std::size_t(k)]);
            }
            out.codes.push_back(k < 0 ? -1 : code[std::size_t(k)]);
        }
        break;
    }
    }
    return out;
}

struct ColumnInfo
{
    ColumnType type = ColumnType::String;
    ColumnStats stats;
};

class ByColumns
{
public:
    ByColumns(const QString &pathA, const QString &pathB, const TableDiffOptions &options,
              const ReadOptions &read, const Progress &progress)
        : m_pathA(pathA)
        , m_pathB(pathB)
        , m_options(options)
        , m_read(read)
        , m_progress(progress)
    {
        m_read.onlyColumns.clear();
        m_sizeA = QFileInfo(pathA).size();
        m_sizeB = QFileInfo(pathB).size();
    }

    Result<TableDiff> run();

private:
    Result<Table> read(bool sideA, const QStringList &columns);
    Result<void> setRows(const Table &a, const Table &b);
    Result<void> keyed(const QList<int> &keyA, const QList<int> &keyB);
    Result<void> keyless();
    Result<void> unmatched();
    Result<void> compareGroups();
    bool tick(double fraction) const
    {
        return !m_progress ||
               m_progress(qint64(std::min(m_done + fraction, m_total)), qint64(std::ceil(m_total)));
    }
    // A Ticker whose whole span advances the job by `bytes` of reading.
    Progress span(double bytes) const
    {
        if (!m_progress)
            return {};
        return [this, bytes](qint64 done, qint64 total) {
            return tick(total > 0 ? bytes * double(done) / double(total) : 0);
        };
    }

    QString m_pathA, m_pathB;
    TableDiffOptions m_options;
    ReadOptions m_read;
    Progress m_progress;
    qint64 m_sizeA = 0, m_sizeB = 0;
    double m_done = 0, m_total = 1;

    TableDiff m_diff;
    bool m_haveRows = false;
    std::vector<int> m_aOfColumnB;
    std::vector<std::vector<int>> m_groups; // b columns matched by name, per read
    std::vector<std::optional<ColumnInfo>> m_infoA, m_infoB;
    std::vector<std::int32_t> m_leftA, m_leftB;
    std::vector<Column> m_smallA, m_smallB;     // keyless: the leftover rows of the matched columns
    std::vector<int> m_smallColumnB;            // their b column
    std::vector<std::pair<int, int>> m_renamed; // (a column, b column)
    Table m_unmatchedA, m_unmatchedB;
    std::vector<int> m_columnOfA, m_columnOfB;
    std::vector<std::uint64_t> m_masks;
    std::size_t m_words = 1;
};

Result<Table> ByColumns::read(bool sideA, const QStringList &columns)
{
    ReadOptions ro = m_read;
    ro.onlyColumns = columns;
    const double bytes = double(sideA ? m_sizeA : m_sizeB);
    auto t = readTable(sideA ? m_pathA : m_pathB, ro, span(bytes));
    if (t)
        m_done += bytes;
    return t;
}

Result<void> ByColumns::setRows(const Table &a, const Table &b)
{
    if (m_haveRows)
        return ok();
    if (a.rows > kMaxRows || b.rows > kMaxRows)
        return fail(Error(u"tables of more than %1 rows cannot be diffed"_s.arg(kMaxRows),
                          a.rows > kMaxRows ? a.source : b.source)
                        .withHint(u"Diff the file in parts"_s));
    m_diff.bOfA.assign(std::size_t(a.rows), -1);
    m_diff.aOfB.assign(std::size_t(b.rows), -1);
    m_haveRows = true;
    return ok();
}

Result<TableDiff> ByColumns::run()
{
    if (!tick(0))
        return fail(cancelled());
    const char delimA = delimiterOf(m_pathA, m_read);
    const char delimB = delimiterOf(m_pathB, m_read);
    auto sourceA = csv::ByteSource::openFile(m_pathA);
    if (!sourceA)
        return fail(sourceA.error());
    auto namesA = csv::readDelimitedHeader(**sourceA, delimA);
    if (!namesA)
        return fail(namesA.error());
    auto sourceB = csv::ByteSource::openFile(m_pathB);
    if (!sourceB)
        return fail(sourceB.error());
    auto namesB = csv::readDelimitedHeader(**sourceB, delimB);
    if (!namesB)
        return fail(namesB.error());
    m_diff.sourceA = m_pathA;
    m_diff.sourceB = m_pathB;
    m_diff.tolerance = m_options.tolerance;
    m_diff.schema.columnsA = *namesA;
    m_diff.schema.columnsB = *namesB;
    m_infoA.resize(std::size_t(namesA->size()));
    m_infoB.resize(std::size_t(namesB->size()));

    QList<int> keyA, keyB;
    for (const QString &key : m_options.keys) {
        const auto ia = int(namesA->indexOf(key));
        const auto ib = int(namesB->indexOf(key));
        if (ia < 0)
            return fail(missingKeyColumn(*namesA, m_pathA, key));
        if (ib < 0)
            return fail(missingKeyColumn(*namesB, m_pathB, key));
        if (!keyA.contains(ia)) {
            keyA << ia;
            keyB << ib;
            m_diff.keys << key;
        }
    }

    // Columns matched by name, in b's order, a group per read.
    m_aOfColumnB.assign(std::size_t(namesB->size()), -1);
    std::vector<int> matched;
    for (int j = 0; j < int(namesB->size()); ++j) {
        m_aOfColumnB[std::size_t(j)] = int(namesA->indexOf(namesB->at(j)));
        if (m_aOfColumnB[std::size_t(j)] >= 0)
            matched.push_back(j);
    }
    int perRead = m_options.columnsPerRead;
    if (perRead <= 0) {
        const double rows = double(estimateRows(m_pathA, m_sizeA) + estimateRows(m_pathB, m_sizeB));
        perRead = int(std::clamp(double(m_sizeA + m_sizeB) / 4 / (8 * rows), 1.0, 1e6));
    }
    for (std::size_t k = 0; k < matched.size(); k += std::size_t(perRead))
        m_groups.emplace_back(
            matched.begin() + std::ptrdiff_t(k),
            matched.begin() + std::ptrdiff_t(std::min(matched.size(), k + std::size_t(perRead))));
    // The planned reads, for progress: keys once, the groups once (keys) or twice (no keys), the
    // unmatched columns once; and a quarter of the files for the work between reads.
    const double both = double(m_sizeA + m_sizeB);
    m_total =
        both * (keyA.isEmpty() ? 2.0 * double(m_groups.size()) : 1.0 + double(m_groups.size()));
    if (std::size_t(namesA->size()) > matched.size() ||
        std::size_t(namesB->size()) > matched.size())
        m_total += both; // the unmatched columns
    m_total += both / 4;

    if (auto r = keyA.isEmpty() ? keyless() : keyed(keyA, keyB); !r)
        return fail(r.error());
    if (auto r = unmatched(); !r)
        return fail(r.error());

    buildColumns(m_diff, m_aOfColumnB, keyA, keyB, m_columnOfA, m_columnOfB);
    m_words = std::max<std::size_t>(1, (std::size_t(m_diff.columns.size()) + 63) / 64);
    m_masks.assign(m_diff.aOfB.size() * m_words, 0);
    auto bitOf = [&](int columnB) {
        const int c = m_columnOfB[std::size_t(columnB)];
        return std::pair{std::size_t(c / 64), std::uint64_t(1) << (c % 64)};
    };

    // Renamed columns: every paired row.
    for (const auto &[ia, jb] : m_renamed) {
        const Pair p = makePair(*m_unmatchedA.column(m_diff.schema.columnsA[ia]),
                                *m_unmatchedB.column(m_diff.schema.columnsB[jb]), jb);
        const auto [word, bit] = bitOf(jb);
        markChanged(p, m_diff.aOfB.data(), 0, qsizetype(m_diff.aOfB.size()), m_options.tolerance,
                    m_masks.data() + word, m_words, bit);
    }
    for (int i = 0; i < int(m_infoA.size()); ++i) {
        if (const Column *c = m_unmatchedA.column(m_diff.schema.columnsA[i]))
            m_infoA[std::size_t(i)] = ColumnInfo{c->type, statsOf(*c)};
    }
    for (int j = 0; j < int(m_infoB.size()); ++j) {
        if (const Column *c = m_unmatchedB.column(m_diff.schema.columnsB[j]))
            m_infoB[std::size_t(j)] = ColumnInfo{c->type, statsOf(*c)};
    }
    m_unmatchedA = Table();
    m_unmatchedB = Table();

    if (!keyA.isEmpty()) {
        if (auto r = compareGroups(); !r)
            return fail(r.error());
    } else {
        // Rows paired by agreement, from the small tables.
        std::vector<Pair> pairs;
        for (std::size_t c = 0; c < m_smallA.size(); ++c)
            pairs.push_back(makePair(m_smallA[c], m_smallB[c], m_smallColumnB[c]));
        for (std::size_t kb = 0; kb < m_leftB.size(); ++kb) {
            const std::int32_t i = m_diff.aOfB[std::size_t(m_leftB[kb])];
            if (i < 0)
                continue;
            const auto ka =
                qsizetype(std::lower_bound(m_leftA.begin(), m_leftA.end(), i) - m_leftA.begin());
            std::uint64_t *mask = m_masks.data() + std::size_t(m_leftB[kb]) * m_words;
            for (const Pair &p : pairs) {
                if (!p.equal(ka, qsizetype(kb), m_options.tolerance)) {
                    const auto [word, bit] = bitOf(p.index);
                    mask[word] |= bit;
                }
            }
        }
    }

    for (int i = 0; i < int(m_infoA.size()); ++i) {
        ColumnDiff &cd = m_diff.columns[m_columnOfA[std::size_t(i)]];
        cd.typeA = m_infoA[std::size_t(i)]->type;
        cd.before = m_infoA[std::size_t(i)]->stats;
    }
    for (int j = 0; j < int(m_infoB.size()); ++j) {
        ColumnDiff &cd = m_diff.columns[m_columnOfB[std::size_t(j)]];
        cd.typeB = m_infoB[std::size_t(j)]->type;
        cd.after = m_infoB[std::size_t(j)]->stats;
    }
    finishSchema(m_diff);
    std::vector<qint64> changedPerColumn(std::size_t(m_diff.columns.size()), 0);
    appendChanges(m_diff, 0, qsizetype(m_diff.aOfB.size()), m_masks.data(), m_words,
                  changedPerColumn);
    finishCounts(m_diff, changedPerColumn);
    m_masks = {};
    m_done = m_total;
    if (!tick(0))
        return fail(cancelled());
    return std::move(m_diff);
}

Result<void> ByColumns::keyed(const QList<int> &keyA, const QList<int> &keyB)
{
    QStringList namesA, namesB;
    for (qsizetype k = 0; k < keyA.size(); ++k) {
        namesA << m_diff.schema.columnsA[keyA[k]];
        namesB << m_diff.schema.columnsB[keyB[k]];
    }
    auto a = read(true, namesA);
    if (!a)
        return fail(a.error());
    auto b = read(false, namesB);
    if (!b)
        return fail(b.error());
    if (auto r = setRows(*a, *b); !r)
        return r;
    std::vector<Pair> pairs;
    QList<int> inA, inB; // the key columns' indices in the tables just read
    for (qsizetype k = 0; k < keyA.size(); ++k) {
        const Column *ca = a->column(namesA[k]);
        const Column *cb = b->column(namesB[k]);
        inA << int(ca - a->columns.data());
        inB << int(cb - b->columns.data());
        pairs.push_back(makePair(*ca, *cb, -1));
    }
    const Ticker t{span(double(m_sizeA + m_sizeB) / 8), a->rows + b->rows};
    auto r = alignByKeys(*a, *b, pairs, inA, inB, m_diff, t);
    m_done += double(m_sizeA + m_sizeB) / 8;
    return r;
}

Result<void> ByColumns::keyless()
{
    std::vector<std::uint64_t> hashA, hashB;
    std::uint64_t saltA = kRowHashSalt, saltB = kRowHashSalt;
    // Reads group g of both files: its pairs (index: b column) over the tables in `a`, `b`.
    auto readGroup = [&](const std::vector<int> &group, Table &a, Table &b,
                         std::vector<Pair> &pairs) -> Result<void> {
        QStringList namesA, namesB;
        for (int j : group) {
            namesA << m_diff.schema.columnsA[m_aOfColumnB[std::size_t(j)]];
            namesB << m_diff.schema.columnsB[j];
        }
        auto ta = read(true, namesA);
        if (!ta)
            return fail(ta.error());
        auto tb = read(false, namesB);
        if (!tb)
            return fail(tb.error());
        a = std::move(*ta);
        b = std::move(*tb);
        if (auto r = setRows(a, b); !r)
            return r;
        pairs.clear();
        for (qsizetype k = 0; k < namesA.size(); ++k)
            pairs.push_back(
                makePair(*a.column(namesA[k]), *b.column(namesB[k]), group[std::size_t(k)]));
        return ok();
    };
    if (m_groups.empty())
        return ok(); // no column in common: no row agrees with another
    for (const std::vector<int> &group : m_groups) {
        Table a, b;
        std::vector<Pair> pairs;
        if (auto r = readGroup(group, a, b, pairs); !r)
            return r;
        if (hashA.empty() && hashB.empty()) {
            hashA.assign(std::size_t(a.rows), kRowHashSeed);
            hashB.assign(std::size_t(b.rows), kRowHashSeed);
        }
        std::vector<const Pair *> ptrs;
        for (const Pair &p : pairs) {
            ptrs.push_back(&p);
            const int j = p.index;
            const int i = m_aOfColumnB[std::size_t(j)];
            m_infoA[std::size_t(i)] = ColumnInfo{p.a->type, statsOf(*p.a)};
            m_infoB[std::size_t(j)] = ColumnInfo{p.b->type, statsOf(*p.b)};
        }
        addRowHashes(ptrs, true, hashA, saltA);
        addRowHashes(ptrs, false, hashB, saltB);
        if (!tick(0))
            return fail(cancelled());
    }
    {
        const Ticker t{span(double(m_sizeA + m_sizeB) / 16),
                       qsizetype(hashA.size() + hashB.size())};
        if (auto r = pairByHash(hashA, hashB, m_diff, t); !r)
            return r;
        m_done += double(m_sizeA + m_sizeB) / 16;
    }
    hashA = {};
    hashB = {};

    // Check the pairs cell by cell and keep the leftover rows' values; a pair undone (a 64-bit
    // hash collision) adds rows to the leftovers: then once more.
    std::vector<std::uint8_t> differs(m_diff.aOfB.size(), 0);
    for (int round = 0;; ++round) {
        leftoverRows(m_diff, m_leftA, m_leftB);
        m_smallA.clear();
        m_smallB.clear();
        m_smallColumnB.clear();
        for (const std::vector<int> &group : m_groups) {
            Table a, b;
            std::vector<Pair> pairs;
            if (auto r = readGroup(group, a, b, pairs); !r)
                return r;
            if (round == 0)
                markDiffering(pairs, m_diff.aOfB, m_options.tolerance, differs);
            for (const Pair &p : pairs) {
                m_smallA.push_back(compactColumn(*p.a, m_leftA));
                m_smallB.push_back(compactColumn(*p.b, m_leftB));
                m_smallColumnB.push_back(p.index);
            }
        }
        if (round > 0 || !undoPairs(differs, m_diff))
            break;
        m_total += double(m_sizeA + m_sizeB) * double(m_groups.size());
    }
    std::vector<Pair> pairs;
    for (std::size_t c = 0; c < m_smallA.size(); ++c)
        pairs.push_back(makePair(m_smallA[c], m_smallB[c], m_smallColumnB[c]));
    const Ticker t{span(double(m_sizeA + m_sizeB) / 16), qsizetype(m_leftB.size())};
    auto r = pairSimilarRows(pairs, m_leftA, m_leftB, true, m_options, m_diff, t, 0);
    m_done += double(m_sizeA + m_sizeB) / 16;
    return r;
}

// The columns matched by no name: their statistics, and renames among them.
Result<void> ByColumns::unmatched()
{
    QStringList namesA, namesB;
    for (int i = 0; i < int(m_diff.schema.columnsA.size()); ++i) {
        if (std::find(m_aOfColumnB.begin(), m_aOfColumnB.end(), i) == m_aOfColumnB.end())
            namesA << m_diff.schema.columnsA[i];
    }
    for (int j = 0; j < int(m_diff.schema.columnsB.size()); ++j) {
        if (m_aOfColumnB[std::size_t(j)] < 0)
            namesB << m_diff.schema.columnsB[j];
    }
    if (namesA.isEmpty() && namesB.isEmpty())
        return ok();
    // A read of no column at all would read every column: read one, and drop it.
    auto a = read(true, namesA.isEmpty() ? QStringList{m_diff.schema.columnsA.front()} : namesA);
    if (!a)
        return fail(a.error());
    auto b = read(false, namesB.isEmpty() ? QStringList{m_diff.schema.columnsB.front()} : namesB);
    if (!b)
        return fail(b.error());
    if (auto r = setRows(*a, *b); !r)
        return r;
    if (namesA.isEmpty())
        a->columns.clear();
    if (namesB.isEmpty())
        b->columns.clear();
    m_unmatchedA = std::move(*a);
    m_unmatchedB = std::move(*b);
    std::vector<const Column *> removed, added;
    for (const Column &c : m_unmatchedA.columns)
        removed.push_back(&c);
    for (const Column &c : m_unmatchedB.columns)
        added.push_back(&c);
    for (const auto &[x, y] : detectRenames(removed, added, m_diff, m_options.tolerance)) {
        const auto i = int(m_diff.schema.columnsA.indexOf(removed[std::size_t(x)]->name));
        const auto j = int(m_diff.schema.columnsB.indexOf(added[std::size_t(y)]->name));
        m_aOfColumnB[std::size_t(j)] = i;
        m_renamed.emplace_back(i, j);
    }
    return ok();
}

// Keys: each group's cells on every paired row.
Result<void> ByColumns::compareGroups()
{
    for (const std::vector<int> &group : m_groups) {
        QStringList namesA, namesB;
        for (int j : group) {
            namesA << m_diff.schema.columnsA[m_aOfColumnB[std::size_t(j)]];
            namesB << m_diff.schema.columnsB[j];
        }
        auto a = read(true, namesA);
        if (!a)
            return fail(a.error());
        auto b = read(false, namesB);
        if (!b)
            return fail(b.error());
        for (qsizetype k = 0; k < namesA.size(); ++k) {
            const Column &ca = *a->column(namesA[k]);
            const Column &cb = *b->column(namesB[k]);
            const int j = group[std::size_t(k)];
            m_infoA[std::size_t(m_aOfColumnB[std::size_t(j)])] = ColumnInfo{ca.type, statsOf(ca)};
            m_infoB[std::size_t(j)] = ColumnInfo{cb.type, statsOf(cb)};
            const Pair p = makePair(ca, cb, j);
            const int c = m_columnOfB[std::size_t(j)];
            markChanged(p, m_diff.aOfB.data(), 0, qsizetype(m_diff.aOfB.size()),
                        m_options.tolerance, m_masks.data() + c / 64, m_words,
                        std::uint64_t(1) << (c % 64));
        }
        if (!tick(0))
            return fail(cancelled());
    }
    return ok();
}

} // namespace

bool diffReadsByColumns(const QString &pathA, const QString &pathB, const TableDiffOptions &options,
                        const ReadOptions &read)
{
    using Engine = TableDiffOptions::Engine;
    const qint64 size = QFileInfo(pathA).size() + QFileInfo(pathB).size();
    return !(options.engine == Engine::Whole || isJsonLines(pathA, read) ||
             isJsonLines(pathB, read) ||
             (options.engine == Engine::Auto && size <= kByColumnsAbove));
}

Result<TableDiff> diffTableFiles(const QString &pathA, const QString &pathB,
                                 const TableDiffOptions &options, const ReadOptions &read,
                                 const Progress &progress)
{
    ReadOptions ro = read;
    ro.onlyColumns.clear();
    const bool whole = !diffReadsByColumns(pathA, pathB, options, ro);
    if (!whole)
        return ByColumns(pathA, pathB, options, ro, progress).run();
    // Reading both files: two thirds of the progress, the diff the rest.
    constexpr qint64 total = 3000;
    auto stage = [&](qint64 from, qint64 width) -> Progress {
        if (!progress)
            return {};
        return [&progress, from, width](qint64 done, qint64 of) {
            return progress(from + (of > 0 ? width * done / of : 0), total);
        };
    };
    auto a = readTable(pathA, ro, stage(0, 1000));
    if (!a)
        return fail(a.error());
    auto b = readTable(pathB, ro, stage(1000, 1000));
    if (!b)
        return fail(b.error());
    return diffTables(*a, *b, options, stage(2000, 1000));
}

} // namespace cairn::diff
