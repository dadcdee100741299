#pragma once

// Two versions of a table, read and compared: what `cairn-cli diff data` and the GUI's diff
// view both do. A version is a file, a git blob or a DVC cache object (vcs/revision.h); the
// table's format comes from the file's own name, since a cache object or a blob has none.

#include "data/table.h"
#include "diff/tablediff.h"
#include "vcs/revision.h"

#include <optional>

namespace cairn::diff {

// CSV, TSV or JSON Lines, from the name of the file the version is of.
TableFormat tableFormatOf(const QString &path);

// Reads the version's bytes (from memory for a git blob); errors name the version ("data.csv at
// HEAD~1"), not the cache object's hashed file name.
Result<Table> readTableVersion(const FileVersion &version, const Progress &progress = {});

// The file's text, for showing cells as the file wrote them (0.70, not 0.7); nothing for JSON
// Lines or when it cannot be indexed (the outputs then print numbers as Python's repr).
std::optional<CellText> cellTextOf(const FileVersion &version, const Table &table);

// Both versions read and compared. `texts` asks for the files' text as well (daff, HTML, text
// outputs); the tables and texts stay alive for as long as the comparison does.
struct TableComparison
{
    FileVersion versionA;
    FileVersion versionB;
    Table a;
    Table b;
    TableDiff diff;
    std::optional<CellText> textA;
    std::optional<CellText> textB;
    // False when large files were compared a few columns at a time (diffTableFiles' ByColumns
    // engine): `a` and `b` then hold no rows, only the diff's counts, schema, per-column
    // statistics and changed rows' indices exist, and nothing that prints cells can be made.
    bool tablesRead = true;

    DiffTexts texts() const { return {textA ? &*textA : nullptr, textB ? &*textB : nullptr}; }
};

// The stages of compareTableVersions, for a progress display.
enum class TableComparisonStage
{
    ReadingA,
    ReadingB,
    Comparing,
    ReadingText,
};

// Reads `a` and `b` and compares them. Two files on disk that options.engine sends to the
// ByColumns engine (Auto: together over 512 MiB) are compared without reading them whole
// (tablesRead false; `texts` is ignored); anything else is read whole. `progress(stage, done,
// total)` returning false cancels (the error is "cancelled").
using StagedProgress = std::function<bool(TableComparisonStage stage, qint64 done, qint64 total)>;
Result<TableComparison> compareTableVersions(const FileVersion &a, const FileVersion &b,
                                             const TableDiffOptions &options, bool texts,
                                             const StagedProgress &progress = {});

} // namespace cairn::diff
