#include "tableversion.h"

#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace cairn::diff {

TableFormat tableFormatOf(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"tsv"_s || suffix == u"tab"_s)
        return TableFormat::Tsv;
    if (suffix == u"jsonl"_s || suffix == u"ndjson"_s)
        return TableFormat::JsonLines;
    return TableFormat::Csv;
}

Result<Table> readTableVersion(const FileVersion &version, const Progress &progress)
{
    ReadOptions options;
    options.format = tableFormatOf(version.path);
    auto table = version.inMemory()
                     ? readTableBytes(version.bytes, version.describe(), options, progress)
                     : readTable(version.localPath, options, progress);
    if (!table && version.source != FileVersion::Source::WorkingFile)
        table.error().file = version.describe(); // not the cache object's hashed name
    if (table)
        table->source = version.describe();
    return table;
}

std::optional<CellText> cellTextOf(const FileVersion &version, const Table &table)
{
    const TableFormat format = tableFormatOf(version.path);
    if (format == TableFormat::JsonLines)
        return std::nullopt;
    const char delimiter = format == TableFormat::Tsv ? '\t' : 0;
    auto text = version.inMemory() ? CellText::fromBytes(version.bytes, table, delimiter)
                                   : CellText::fromFile(version.localPath, table, delimiter);
    if (!text)
        return std::nullopt;
    return std::move(*text);
}

Result<TableComparison> compareTableVersions(const FileVersion &a, const FileVersion &b,
                                             const TableDiffOptions &options, bool texts,
                                             const StagedProgress &progress)
{
    auto stage = [&progress](TableComparisonStage s) -> Progress {
        if (!progress)
            return {};
        return [&progress, s](qint64 done, qint64 total) { return progress(s, done, total); };
    };
    TableComparison c;
    c.versionA = a;
    c.versionB = b;
    ReadOptions read;
    read.format = tableFormatOf(a.path);
    if (!a.inMemory() && !b.inMemory() && tableFormatOf(b.path) == read.format &&
        diffReadsByColumns(a.localPath, b.localPath, options, read)) {
        auto d = diffTableFiles(a.localPath, b.localPath, options, read,
                                stage(TableComparisonStage::Comparing));
        if (!d)
            return fail(d.error());
        c.diff = std::move(*d);
        c.diff.sourceA = a.describe();
        c.diff.sourceB = b.describe();
        c.tablesRead = false;
        return c;
    }
    auto ta = readTableVersion(a, stage(TableComparisonStage::ReadingA));
    if (!ta)
        return fail(ta.error());
    c.a = std::move(*ta);
    auto tb = readTableVersion(b, stage(TableComparisonStage::ReadingB));
    if (!tb)
        return fail(tb.error());
    c.b = std::move(*tb);
    auto d = diffTables(c.a, c.b, options, stage(TableComparisonStage::Comparing));
    if (!d)
        return fail(d.error());
    c.diff = std::move(*d);
    if (!texts) {
        // A git blob's bytes are not needed any more: do not keep a second copy of the file.
        c.versionA.bytes = {};
        c.versionB.bytes = {};
    } else {
        if (progress && !progress(TableComparisonStage::ReadingText, 0, 2))
            return fail(Error(u"cancelled"_s));
        c.textA = cellTextOf(a, c.a);
        if (progress && !progress(TableComparisonStage::ReadingText, 1, 2))
            return fail(Error(u"cancelled"_s));
        c.textB = cellTextOf(b, c.b);
    }
    return c;
}

} // namespace cairn::diff
