// The text of cells for the table diff's outputs: a typed value as text (cellToString,
// formatDouble), and CellText, each field of a delimited file as it is written. Fields are cut
// with the CSV reader's own tokenizer (csv::tokenize), and records skipped with its record
// scanner (csv::skipRecord), so quotes, line ends and blank lines follow exactly the rules the
// table was read with.

#include "data/csvreader.h"
#include "tablediff.h"

#include <QFile>
#include <QFileInfo>

#include <charconv>
#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn::diff {

QByteArray formatDouble(double value)
{
    if (std::isnan(value))
        return "nan";
    if (std::isinf(value))
        return value > 0 ? "inf" : "-inf";
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    const std::string_view sci(buf, std::size_t(res.ptr - buf)); // shortest: "-1.25e+02"
    const bool negative = sci.front() == '-';
    const std::size_t e = sci.find('e');
    std::string digits;
    for (char c : sci.substr(negative ? 1 : 0, e - (negative ? 1 : 0))) {
        if (c != '.')
            digits += c;
    }
    int exp = 0;
    std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp);
    QByteArray out = negative ? "-" : "";
    const auto n = int(digits.size());
    if (exp >= -4 && exp < 16) { // Python's repr: fixed notation in this range
        if (exp < 0) {
            out += "0." + QByteArray(-exp - 1, '0') + QByteArray::fromStdString(digits);
        } else if (n <= exp + 1) {
            out += QByteArray::fromStdString(digits) + QByteArray(exp + 1 - n, '0') + ".0";
        } else {
            out += QByteArray::fromStdString(digits.substr(0, std::size_t(exp + 1))) + '.' +
                   QByteArray::fromStdString(digits.substr(std::size_t(exp + 1)));
        }
        return out;
    }
    out += digits.front();
    if (n > 1)
        out += '.' + QByteArray::fromStdString(digits.substr(1));
    out += exp < 0 ? "e-" : "e+";
    const QByteArray expDigits = QByteArray::number(std::abs(exp));
    out += (expDigits.size() < 2 ? "0" : "") + expDigits;
    return out;
}

namespace {

bool missingAt(const Column &c, qsizetype r)
{
    const auto u = std::size_t(r);
    switch (c.type) {
    case ColumnType::Int64:
        return false;
    case ColumnType::Float64:
        return std::isnan(c.floats[u]);
    case ColumnType::Bool:
        return c.bools[u] < 0;
    case ColumnType::String:
        return c.codes[u] < 0;
    }
    return true;
}

} // namespace

QString cellToString(const Column &c, qsizetype row)
{
    if (missingAt(c, row))
        return {};
    const auto u = std::size_t(row);
    switch (c.type) {
    case ColumnType::Int64:
        return QString::number(c.ints[u]);
    case ColumnType::Float64:
        return QString::fromLatin1(formatDouble(c.floats[u]));
    case ColumnType::Bool:
        return c.bools[u] ? u"True"_s : u"False"_s;
    case ColumnType::String:
        return c.dictionary[std::size_t(c.codes[u])];
    }
    return {};
}

// ---- CellText ---------------------------------------------------------------------------------

namespace {

constexpr qsizetype kIndexStride = 16;
constexpr qint64 kWindow = 4 << 20;

// Collects the fields of one record (copied: the tokenizer reuses its scratch buffer), then stops.
struct FieldsSink
{
    std::string *arena = nullptr;
    std::vector<std::size_t> *ends = nullptr;
    std::size_t after = 0;
    bool done = false;
    bool field(std::size_t, std::string_view value, std::size_t)
    {
        if (arena) {
            arena->append(value);
            ends->push_back(arena->size());
        }
        return true;
    }
    bool endRecord(std::size_t, std::size_t offsetAfter)
    {
        after = offsetAfter;
        done = true;
        return false;
    }
};

} // namespace

// The bytes: all of them (fromBytes), or a window of the file read on demand, so that memory
// holds a few MiB whatever the file's size.
struct CellText::Data
{
    QFile file;
    QByteArray window;
    qint64 windowStart = 0;
    qint64 size = 0;
    bool whole = false;
    char delim = ',';
    qsizetype rows = 0;
    QByteArray eol = "\n";
    std::vector<qint64> index; // where to read record k * kIndexStride from

    qsizetype cachedRow = -1;
    qint64 nextStart = 0; // where to read the record after cachedRow from
    std::string arena;
    std::string scratch;
    std::vector<std::size_t> ends;
    std::vector<std::string_view> fields;

    void load(qint64 from, qint64 length)
    {
        if (whole)
            return;
        file.seek(from);
        window = file.read(std::min(length, size - from));
        windowStart = from;
    }

    // The record at or after `pos` (blank lines skipped); the offset after it, -1 at the end.
    // With `withFields`, its fields go to arena/ends.
    qint64 record(qint64 pos, bool withFields)
    {
        qint64 want = kWindow;
        while (true) {
            if (pos >= size)
                return -1;
            if (pos < windowStart || pos >= windowStart + window.size())
                load(pos, want);
            const char *d = window.constData() + (pos - windowStart);
            const qint64 n = windowStart + window.size() - pos;
            // At the end of the file, or the read came up short (the file shrank or failed
            // since it was indexed): what the window holds is all there is, never ask again.
            const bool eof = windowStart + window.size() >= size ||
                             window.size() < std::min(want, size - windowStart);
            if (!withFields) { // the record's end only: the faster scan for quotes and line ends
                const std::size_t start = csv::skipBlankLines(d, std::size_t(n), 0, delim);
                const std::size_t end = start < std::size_t(n)
                                            ? csv::skipRecord(d, std::size_t(n), start, delim)
                                            : std::size_t(n);
                if (end == std::size_t(n) && !eof) { // the record may go on past the window
                    want = std::max(want, 2 * n);
                    load(pos, want);
                    continue;
                }
                return start == std::size_t(n) ? -1 : pos + qint64(end);
            }
            FieldsSink sink;
            arena.clear();
            ends.clear();
            sink.arena = &arena;
            sink.ends = &ends;
            const csv::TokenizeResult r =
                csv::tokenize(d, std::size_t(n), delim, false, scratch, sink);
            // A record that ends at the window's end, an open quote or trailing blanks: the
            // record may go on past the window.
            const bool partial = r.unterminated || !sink.done || sink.after == std::size_t(n);
            if (partial && !eof) {
                want = std::max(want, 2 * n);
                load(pos, want);
                continue;
            }
            if (!sink.done)
                return -1;
            return pos + qint64(sink.after);
        }
    }
};

CellText::CellText() = default;
CellText::~CellText() = default;
CellText::CellText(CellText &&) noexcept = default;
CellText &CellText::operator=(CellText &&) noexcept = default;

bool CellText::isNull() const
{
    return !d;
}

QByteArray CellText::lineEnd() const
{
    return d ? d->eol : QByteArray("\n");
}

namespace {

Result<void> indexText(CellText::Data &t, const Table &table, char delimiter, const QString &name)
{
    t.load(0, kWindow);
    const QByteArray &w = t.window;
    const qint64 bom = w.startsWith("\xEF\xBB\xBF") ? 3 : 0;
    if (!delimiter) {
        const QString suffix = QFileInfo(name).suffix().toLower();
        if (suffix == u"tsv"_s || suffix == u"tab"_s) {
            delimiter = '\t';
        } else {
            const qint64 sample = std::min<qint64>(w.size() - bom, (64 << 10) + 3);
            delimiter = csv::sniffDelimiter(
                std::string_view(w.constData() + bom, std::size_t(sample)), bom + sample >= t.size);
        }
    }
    t.delim = delimiter;
    auto mismatch = [&](const QString &what) {
        return fail(
            Error(u"the text of %1 does not match the table read from it: %2"_s.arg(name, what),
                  name)
                .withHint(u"Read the table again; the file may have changed"_s));
    };
    const qint64 afterHeader = t.record(bom, true);
    if (afterHeader < 0 || qsizetype(t.ends.size()) != table.columns.size())
        return mismatch(u"%1 columns in the header, %2 in the table"_s.arg(t.ends.size())
                            .arg(table.columns.size()));
    if (afterHeader < t.windowStart || afterHeader > t.windowStart + t.window.size())
        t.load(0, afterHeader);
    const char *end = t.window.constData() + (afterHeader - t.windowStart);
    if (afterHeader >= 2 && end[-2] == '\r' && end[-1] == '\n')
        t.eol = "\r\n";
    else if (afterHeader >= 1 && end[-1] == '\r')
        t.eol = "\r";
    qint64 pos = afterHeader;
    qsizetype rows = 0;
    while (true) {
        const qint64 next = t.record(pos, false);
        if (next < 0)
            break;
        if (rows % kIndexStride == 0)
            t.index.push_back(pos);
        pos = next;
        ++rows;
    }
    if (rows != table.rows)
        return mismatch(u"%1 data rows in the text, %2 in the table"_s.arg(rows).arg(table.rows));
    t.rows = rows;
    return ok();
}

} // namespace

Result<CellText> CellText::fromFile(const QString &path, const Table &table, char delimiter)
{
    CellText text;
    text.d = std::make_unique<Data>();
    Data &t = *text.d;
    t.file.setFileName(path);
    if (!t.file.open(QIODevice::ReadOnly))
        return fail(Error(u"cannot read %1: %2"_s.arg(path, t.file.errorString()), path));
    t.size = t.file.size();
    if (auto r = indexText(t, table, delimiter, path); !r)
        return fail(r.error());
    return text;
}

Result<CellText> CellText::fromBytes(const QByteArray &bytes, const Table &table, char delimiter)
{
    CellText text;
    text.d = std::make_unique<Data>();
    text.d->window = bytes;
    text.d->size = bytes.size();
    text.d->whole = true;
    if (auto r = indexText(*text.d, table, delimiter, table.source); !r)
        return fail(r.error());
    return text;
}

std::string_view CellText::field(qsizetype row, int column) const
{
    if (!d || row < 0 || row >= d->rows || column < 0)
        return {};
    Data &t = *d;
    if (row != t.cachedRow) {
        qint64 pos = 0;
        if (t.cachedRow >= 0 && t.nextStart >= 0 && row > t.cachedRow &&
            row - t.cachedRow - 1 <= row % kIndexStride) { // nearer than the index entry
            pos = t.nextStart;
            for (qsizetype r = t.cachedRow + 1; r < row && pos >= 0; ++r)
                pos = t.record(pos, false);
        } else {
            pos = t.index[std::size_t(row / kIndexStride)];
            for (qsizetype r = row / kIndexStride * kIndexStride; r < row && pos >= 0; ++r)
                pos = t.record(pos, false);
        }
        t.cachedRow = -1;
        t.nextStart = pos < 0 ? -1 : t.record(pos, true);
        if (t.nextStart < 0)
            return {};
        t.fields.clear();
        std::size_t from = 0;
        for (std::size_t e : t.ends) {
            t.fields.emplace_back(t.arena.data() + from, e - from);
            from = e;
        }
        t.cachedRow = row;
    }
    return std::size_t(column) < t.fields.size() ? t.fields[std::size_t(column)]
                                                 : std::string_view();
}

} // namespace cairn::diff
