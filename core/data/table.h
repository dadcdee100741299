#pragma once

#include "common/error.h"
#include "data/rowcount.h"

#include <QList>
#include <QString>

#include <cstdint>
#include <vector>

namespace cairn {

// The type of a column, decided the way pandas.read_csv decides it with default options:
//  - Int64: every value is an integer and none is missing;
//  - Float64: every value is a number (or one of pandas' missing tokens, read as NaN), or the
//    column has integers and a missing value;
//  - Bool: every value is True/False (any letter case pandas accepts); a missing value among
//    booleans makes pandas keep objects: then `boolHasMissing` is set;
//  - String: anything else (pandas' object dtype of str); missing values stay missing.
// Numbers are parsed as pandas 1.5 parses them (leading/trailing spaces and '+' allowed; "inf",
// "-Infinity" in any letter case; floats through pandas' own decimal-to-double routine, which is
// not always correctly rounded: the doubles here are pandas' doubles, bit for bit).
// Integers beyond int64 follow pandas too: a column pandas reads as uint64 is Float64 here
// (exact up to 2^53); columns pandas leaves as objects are String.
enum class ColumnType
{
    Int64,
    Float64,
    Bool,
    String
};
QString columnTypeName(ColumnType type); // "int", "float", "bool", "string" (as in --column-type)

struct Column
{
    QString name;
    ColumnType type = ColumnType::String;
    std::vector<std::int64_t> ints;  // Int64
    std::vector<double> floats;      // Float64 (missing: NaN)
    std::vector<std::int8_t> bools;  // Bool: 0, 1, or -1 for missing
    std::vector<std::int32_t> codes; // String: index into `dictionary`, -1 for missing
    std::vector<QString> dictionary; // String: distinct values in first-seen order
    bool boolHasMissing = false;

    qsizetype size() const;
    qsizetype missingCount() const;
};

struct Table
{
    QString source; // the file (or "path@rev") it was read from
    QList<Column> columns;
    qsizetype rows = 0;

    const Column *column(QStringView name) const;
};

enum class TableFormat
{
    Auto,
    Csv,
    Tsv,
    JsonLines
};

struct ReadOptions
{
    TableFormat format = TableFormat::Auto; // Auto: by extension (.tsv, .jsonl/.ndjson), else CSV
    char delimiter = 0;                     // 0: sniff among , ; \t | (.tsv: tab)
    int threads = 0;                        // 0: as many as the machine has
    QStringList onlyColumns;                // empty: all; else these (mangled) names, file order
    qint64 blockSize = 0;                   // bytes per parallel block, 0: 8 MiB (tests use tiny
                                            // blocks); one record may span at most 64 blocks
    bool padShortRows = false; // true: a row with fewer fields than the header gets missing
                               // values, as pandas does; false: it is an error
};

// Reads a table file. CSV per RFC 4180 (quoted fields, doubled quotes, newlines inside quotes),
// an optional UTF-8 byte-order mark, CRLF or LF, a header row, pandas' default missing tokens
// (empty, NA, N/A, NaN, nan, null, NULL, #N/A, <NA>, -NaN, ...; not "None", which pandas 2.0
// added). Large files are parsed in parallel blocks; memory holds the typed columns, not the text.
// A row with more fields than the header, bytes that are not UTF-8 or an unterminated quote are
// errors naming the file, the physical line and the column (1-based byte offset in the line); so is
// a row with fewer fields, unless `padShortRows` asks for pandas' padding with missing values. JSON
// Lines: one object per line, keys become columns in first-seen order (see jsonlreader.cpp).
// `progress` is called on the calling thread with bytes read so far; returning false cancels with
// the error "cancelled".
Result<Table> readTable(const QString &path, const ReadOptions &options = {},
                        const Progress &progress = {});
// The same over bytes already in memory (a file at a git revision); `source` names it in errors.
Result<Table> readTableBytes(const QByteArray &bytes, const QString &source,
                             const ReadOptions &options = {}, const Progress &progress = {});

} // namespace cairn
