#pragma once

// Row-and-cell diff of two tables, in the spirit of daff (https://paulfitz.github.io/daff/) but
// with typed values, a hash join on key columns and a keyless alignment that never pairs
// unrelated rows. The engine (tablediff.cpp, tablediffalign.cpp, tablediffpair.cpp; reading files
// a few columns at a time: tablediffbycolumns.cpp) keeps row indices and changed-column lists
// only; the outputs (tablediffoutput.cpp, celltext.cpp) read values back from the two tables when
// they print.

#include "data/table.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace cairn::diff {

struct TableDiffOptions
{
    // Key columns, present in both tables. Empty: rows are aligned by content.
    QStringList keys;
    // Numbers whose absolute difference is at most this are equal.
    double tolerance = 0;
    // Without keys: true prefers pairing rows at nearby positions (rows are assumed to keep their
    // order); false pairs by agreement alone (ties go to the earlier row of a).
    bool ordered = true;

    // diffTableFiles only. Whole: read both tables, then diffTables (fastest; memory about 1.3x
    // the two files' text). ByColumns: read a few columns of both files at a time, keeping per
    // row only the alignment (and, without keys, a 64-bit hash): memory about 0.3x the text, but
    // each file is read several times. Auto: ByColumns when the two files exceed 512 MiB.
    enum class Engine
    {
        Auto,
        Whole,
        ByColumns
    };
    Engine engine = Engine::Auto;
    // ByColumns: columns of each file per read; 0 picks them to hold about a quarter of the
    // files' size in typed values.
    int columnsPerRead = 0;
};

// Summary of one column of one table. Numbers (int, float; bool as 0/1) get min, max and mean over
// the values present; text gets the number of distinct values present.
struct ColumnStats
{
    qint64 count = 0; // values present
    qint64 missing = 0;
    bool numeric = false;
    double min = std::numeric_limits<double>::quiet_NaN();
    double max = std::numeric_limits<double>::quiet_NaN();
    double mean = std::numeric_limits<double>::quiet_NaN();
    qint64 distinct = -1; // text columns only
};

// A column of the merged schema: b's columns in b's order, each column only in a placed after the
// a column before it (daff's column order).
struct ColumnDiff
{
    QString name;    // b's name; a's for a removed column
    QString oldName; // a's name (differs from `name` when renamed)
    int a = -1;      // index in a.columns, -1 when the column was added
    int b = -1;      // index in b.columns, -1 when it was removed
    ColumnType typeA = ColumnType::String;
    ColumnType typeB = ColumnType::String;
    bool renamed = false;
    bool retyped = false; // same column, another type: compared as text (int/float: as numbers)
    bool key = false;     // one of the key columns
    qint64 cellsChanged = 0;
    ColumnStats before; // a's column (count 0 when added)
    ColumnStats after;  // b's column (count 0 when removed)

    bool compared() const { return a >= 0 && b >= 0; }
    bool added() const { return a < 0; }
    bool removed() const { return b < 0; }
};

struct SchemaDiff
{
    struct Rename
    {
        QString from;
        QString to;
    };
    struct Retype
    {
        QString name;
        ColumnType from = ColumnType::String;
        ColumnType to = ColumnType::String;
    };
    QStringList columnsA; // column order in a
    QStringList columnsB; // column order in b
    QStringList added;
    QStringList removed;
    QList<Rename> renamed;
    QList<Retype> retyped;

    bool changed() const
    {
        return !added.isEmpty() || !removed.isEmpty() || !renamed.isEmpty() || !retyped.isEmpty();
    }
};

struct RowCounts
{
    qint64 added = 0;
    qint64 removed = 0;
    qint64 modified = 0;
    qint64 unchanged = 0;
};

// A modified row: the pair and where its changed columns start in TableDiff::changedColumns.
struct ChangedRow
{
    std::int32_t a = -1;
    std::int32_t b = -1;
    std::int64_t firstCell = 0;
};

struct TableDiff
{
    QString sourceA;
    QString sourceB;
    QStringList keys;
    double tolerance = 0;
    SchemaDiff schema;
    QList<ColumnDiff> columns; // merged order (see ColumnDiff)

    // Row alignment: the paired row of the other table, -1 for a removed (added) row.
    std::vector<std::int32_t> bOfA;
    std::vector<std::int32_t> aOfB;

    RowCounts rows;
    qint64 cellsChanged = 0; // in compared columns of paired rows
    // Modified rows in b's order, and their changed columns (indices into `columns`).
    std::vector<ChangedRow> changed;
    std::vector<std::uint32_t> changedColumns;

    std::span<const std::uint32_t> changedCells(std::size_t changedIndex) const
    {
        const auto first = std::size_t(changed[changedIndex].firstCell);
        const auto end = changedIndex + 1 < changed.size()
                             ? std::size_t(changed[changedIndex + 1].firstCell)
                             : changedColumns.size();
        return {changedColumns.data() + first, end - first};
    }
    bool identical() const
    {
        return !schema.changed() && rows.added == 0 && rows.removed == 0 && rows.modified == 0;
    }
};

// Compares b (the new table) with a (the old one). Keys: a hash join on the typed key values (an
// int key in one table matches an equal float key in the other; one int key over a dense range,
// such as ids, uses an array instead); a duplicate key or a key column missing from a table is an
// error naming it. Without keys: rows with identical content (over the columns both tables have;
// none in common pairs nothing) are paired first, k-th copy with k-th copy; then a removed row and
// an added row are paired as modified only when they agree on more than half of the columns where
// either has a value (and on at least one), best agreement first, nearby positions first among
// equals. Candidates come from per-column value indexes of the leftover rows, not all pairs.
// Cells: typed comparison; missing equals missing; int and float compare as numbers within
// `tolerance`; -0.0 equals 0.0; columns of other differing types compare as text.
// Renamed columns: a removed and an added column of the same type whose values are equal on at
// least 90 % of the paired rows (sampled: at most 100,000 pairs).
// `progress` (done, total) returning false cancels with the error "cancelled".
Result<TableDiff> diffTables(const Table &a, const Table &b, const TableDiffOptions &options = {},
                             const Progress &progress = {});

// The same diff of two table files (CSV, TSV; JSON Lines are always read whole) as diffTables of
// the tables readTable reads from them, field for field, with `options.engine` choosing how
// (above). `read` applies to both files (its onlyColumns is ignored). Progress runs over the
// whole job, reading included.
Result<TableDiff> diffTableFiles(const QString &pathA, const QString &pathB,
                                 const TableDiffOptions &options = {}, const ReadOptions &read = {},
                                 const Progress &progress = {});

// Whether diffTableFiles would read these files a few columns at a time (ByColumns) rather
// than whole.
bool diffReadsByColumns(const QString &pathA, const QString &pathB, const TableDiffOptions &options,
                        const ReadOptions &read = {});

// Visits the rows in output order: b's rows in order, each removed row of a placed after the a row
// before it (daff's order). a or b is -1 for an added or removed row. Return false to stop.
void forEachAlignedRow(const TableDiff &diff,
                       const std::function<bool(std::int32_t a, std::int32_t b)> &visit);

// ---- outputs (tablediffoutput.cpp, celltext.cpp) ---------------------------------------------
// --------------------------------------------------------

// The text of each field of a delimited file as it is written. A Column keeps parsed values only
// (0.70 becomes the double 0.7), yet daff's highlighter format repeats the input's text; so the
// outputs optionally take this view of the file. fromFile reads the file once through a 4 MiB
// window to index every 16th record start (8 bytes per 16 rows), then reads the records it is
// asked for again; fromBytes works on bytes in memory (a file at a git revision). A field is cut
// out by re-tokenizing its record with the CSV reader's own tokenizer (quotes, CRLF, blank
// lines). It must describe the table it was read into (same header width and row count), and
// each number or bool is used only when it parses to the stored value; otherwise, and without it,
// numbers print as Python's repr (0.7). Not thread-safe (it caches one record).
class CellText
{
public:
    CellText();
    ~CellText();
    CellText(CellText &&) noexcept;
    CellText &operator=(CellText &&) noexcept;

    // `delimiter` 0: tab for .tsv/.tab, else sniffed as readTable does.
    static Result<CellText> fromFile(const QString &path, const Table &table, char delimiter = 0);
    static Result<CellText> fromBytes(const QByteArray &bytes, const Table &table,
                                      char delimiter = 0);

    bool isNull() const;
    // The field after quote removal; empty for a row or column out of range. Valid until the
    // next call for another row.
    std::string_view field(qsizetype row, int column) const;
    // The line end of the file's first record ("\n", "\r\n" or "\r").
    QByteArray lineEnd() const;

    struct Data; // opaque

private:
    std::unique_ptr<Data> d;
};

// Optional raw text of the two files, for the outputs.
struct DiffTexts
{
    const CellText *a = nullptr;
    const CellText *b = nullptr;
};

// {"schema": {added_columns, removed_columns, renamed_columns: [{from, to}], retyped_columns:
// [{name, from, to}]}, "rows": {added, removed, modified, unchanged}, "cells_changed", "columns":
// [{name, status, type_a, type_b, cells_changed, before, after}], "changes": [{type, row_a, row_b,
// key, cells: {column: {old, new}}}] (the first maxRows in output order; rows are 1-based data
// rows, null when absent; added rows have "new" only, removed rows "old" only), "truncated"}.
// Numbers are JSON numbers, missing values null, non-finite numbers "NaN", "Infinity", "-Infinity".
QJsonObject tableDiffJson(const TableDiff &diff, const Table &a, const Table &b,
                          int maxRows = 1000);

// daff's highlighter CSV (https://paulfitz.github.io/daff-doc/spec.html), as `daff --all` writes
// it with context -1, else unchanged rows farther than `context` rows from a change collapse into
// one "..." row per run (columns are never elided). Line ends: a's file's when `texts.a` is given
// (daff keeps the input's), else "\n".
QByteArray tableDiffDaff(const TableDiff &diff, const Table &a, const Table &b, int context = -1,
                         const DiffTexts &texts = {});

// A self-contained HTML page: schema changes, counts, per-column changes and the changed rows
// (added green, removed red, modified cells yellow with old → new), at most maxRows of them.
QByteArray tableDiffHtml(const TableDiff &diff, const Table &a, const Table &b, int maxRows = 1000,
                         const DiffTexts &texts = {});

// A plain-text summary for terminals: counts, schema changes, changed cells per column and the
// first maxRows changed rows.
QString tableDiffText(const TableDiff &diff, const Table &a, const Table &b, int maxRows = 20,
                      const DiffTexts &texts = {});

// A value as text: ints in decimal, floats as Python's repr (0.7, 1.0, 1e+16, nan, inf), bools as
// True/False, strings as they are; missing values empty.
QString cellToString(const Column &column, qsizetype row);
// Python's repr of a double.
QByteArray formatDouble(double value);

} // namespace cairn::diff
