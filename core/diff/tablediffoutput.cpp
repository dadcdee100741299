// Outputs of a table diff: JSON, daff's highlighter CSV, HTML and a terminal summary, plus the
// raw cell text of a delimited file (CellText) they use to print numbers as the file has them.

#include "data/csvreader.h"
#include "tablediff.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

// ---- CellText -------------------------------------------------------------------------------

namespace {

// The tokenizer rules of csvreader.cpp (pandas' defaults): blank and whitespace-only lines are
// skipped, \n, \r\n and a lone \r end records, a quote opens a quoted field only at its start.
qint64 skipBlank(const char *d, qint64 n, qint64 i, char delim)
{
    while (i < n) {
        const char c = d[i];
        if (c == '\n') {
            ++i;
            continue;
        }
        if (c == '\r') {
            ++i;
            if (i < n && (d[i] == '\n' || d[i] == delim))
                ++i;
            continue;
        }
        if ((c == ' ' || c == '\t') && c != delim) {
            qint64 j = i + 1;
            while (j < n && (d[j] == ' ' || d[j] == '\t') && d[j] != delim)
                ++j;
            if (j == n)
                return n;
            if (d[j] == '\n' || d[j] == '\r') {
                i = j + 1;
                if (d[j] == '\r' && i < n && (d[i] == '\n' || d[i] == delim))
                    ++i;
                continue;
            }
        }
        return i;
    }
    return n;
}

// The first of the three bytes at or after i (n if none).
inline qint64 findAny(const char *d, qint64 n, qint64 i, char x, char y, char z)
{
#ifdef __SSE2__
    const __m128i vx = _mm_set1_epi8(x);
    const __m128i vy = _mm_set1_epi8(y);
    const __m128i vz = _mm_set1_epi8(z);
    for (; i + 16 <= n; i += 16) {
        const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(d + i));
        const auto mask = unsigned(_mm_movemask_epi8(_mm_or_si128(
            _mm_cmpeq_epi8(v, vx), _mm_or_si128(_mm_cmpeq_epi8(v, vy), _mm_cmpeq_epi8(v, vz)))));
        if (mask)
            return i + qint64(std::countr_zero(mask));
    }
#endif
    while (i < n && d[i] != x && d[i] != y && d[i] != z)
        ++i;
    return i;
}

inline qint64 findSpecial(const char *d, qint64 n, qint64 i, char delim)
{
    return findAny(d, n, i, delim, '\n', '\r');
}

// The offset after the record that starts at i: scanRecord without collecting fields. Only
// quotes and line ends stop the scan; a quote opens a quoted field when it starts a field.
qint64 skipRecord(const char *d, qint64 n, qint64 i, char delim)
{
    const qint64 start = i;
    while (i < n) {
        const qint64 j = findAny(d, n, i, '"', '\n', '\r');
        if (j >= n)
            return n;
        if (d[j] != '"')
            return d[j] == '\r' && j + 1 < n && d[j + 1] == '\n' ? j + 2 : j + 1;
        i = j + 1;
        if (j != start && d[j - 1] != delim)
            continue; // a quote inside a field is text
        for (qint64 seg = i;;) {
            const void *q = std::memchr(d + seg, '"', std::size_t(n - seg));
            if (!q)
                return n;
            const qint64 k = qint64(static_cast<const char *>(q) - d);
            if (k + 1 < n && d[k + 1] == '"') {
                seg = k + 2;
                continue;
            }
            i = k + 1;
            break;
        }
    }
    return n;
}

struct FieldRef
{
    bool copied = false; // in the arena (the field had doubled quotes or text after its quote)
    std::size_t offset = 0;
    std::size_t length = 0;
};

// One record from i (a record start); returns the offset after it. With `fields`, collects them.
qint64 scanRecord(const char *d, qint64 n, qint64 i, char delim, std::vector<FieldRef> *fields,
                  std::string *arena)
{
    auto special = [delim](char c) { return c == delim || c == '\n' || c == '\r'; };
    while (true) {
        const qint64 start = i;
        FieldRef f;
        if (i < n && d[i] == '"') {
            qint64 seg = i + 1;
            qint64 close = n;
            const std::size_t arenaStart = arena ? arena->size() : 0;
            while (true) {
                const void *q = std::memchr(d + seg, '"', std::size_t(n - seg));
                const qint64 k = q ? qint64(static_cast<const char *>(q) - d) : n;
                if (k + 1 < n && d[k + 1] == '"') {
                    if (arena)
                        arena->append(d + seg, std::size_t(k + 1 - seg));
                    f.copied = true;
                    seg = k + 2;
                    continue;
                }
                if (arena && f.copied)
                    arena->append(d + seg, std::size_t(k - seg));
                close = k;
                i = std::min(k + 1, n);
                break;
            }
            if (i < n && !special(d[i])) { // text after the closing quote joins the field
                if (arena && !f.copied)
                    arena->append(d + start + 1, std::size_t(close - start - 1));
                f.copied = true;
                qint64 j = i;
                while (j < n && !special(d[j]))
                    ++j;
                if (arena)
                    arena->append(d + i, std::size_t(j - i));
                i = j;
            }
            f.offset = f.copied ? arenaStart : std::size_t(start + 1);
            f.length =
                f.copied && arena ? arena->size() - arenaStart : std::size_t(close - start - 1);
        } else {
            const qint64 j = findSpecial(d, n, i, delim);
            f.offset = std::size_t(i);
            f.length = std::size_t(j - i);
            i = j;
        }
        if (fields)
            fields->push_back(f);
        if (i >= n)
            return n;
        const char e = d[i++];
        if (e == delim)
            continue;
        if (e == '\r' && i < n && d[i] == '\n')
            ++i;
        return i;
    }
}

constexpr qsizetype kIndexStride = 16;
constexpr qint64 kWindow = 4 << 20;

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
    std::vector<FieldRef> refs;
    std::string arena;
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
    // With `refs`, its fields (offsets relative to *base).
    qint64 record(qint64 pos, std::vector<FieldRef> *fieldRefs, const char **base = nullptr)
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
            const qint64 start = skipBlank(d, n, 0, delim);
            qint64 end = n;
            if (start < n) {
                if (fieldRefs) {
                    fieldRefs->clear();
                    arena.clear();
                }
                end = fieldRefs ? scanRecord(d, n, start, delim, fieldRefs, &arena)
                                : skipRecord(d, n, start, delim);
            }
            if (end == n && !eof) { // the record may go on past the window
                want = std::max(want, 2 * n);
                load(pos, want);
                continue;
            }
            if (start == n)
                return -1;
            if (base)
                *base = d;
            return pos + end;
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
    std::vector<FieldRef> header;
    const char *base = nullptr;
    const qint64 afterHeader = t.record(bom, &header, &base);
    if (afterHeader < 0 || qsizetype(header.size()) != table.columns.size())
        return mismatch(u"%1 columns in the header, %2 in the table"_s.arg(header.size())
                            .arg(table.columns.size()));
    const char *end = t.window.constData() + (afterHeader - t.windowStart);
    if (afterHeader >= 2 && end[-2] == '\r' && end[-1] == '\n')
        t.eol = "\r\n";
    else if (afterHeader >= 1 && end[-1] == '\r')
        t.eol = "\r";
    qint64 pos = afterHeader;
    qsizetype rows = 0;
    while (true) {
        const qint64 next = t.record(pos, nullptr);
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
                pos = t.record(pos, nullptr);
        } else {
            pos = t.index[std::size_t(row / kIndexStride)];
            for (qsizetype r = row / kIndexStride * kIndexStride; r < row && pos >= 0; ++r)
                pos = t.record(pos, nullptr);
        }
        const char *base = nullptr;
        t.nextStart = pos < 0 ? -1 : t.record(pos, &t.refs, &base);
        if (t.nextStart < 0)
            return {};
        t.fields.clear();
        for (const FieldRef &f : t.refs)
            t.fields.emplace_back((f.copied ? t.arena.data() : base) + f.offset, f.length);
        t.cachedRow = row;
    }
    return std::size_t(column) < t.fields.size() ? t.fields[std::size_t(column)]
                                                 : std::string_view();
}

// ---- printing ---------------------------------------------------------------------------------

namespace {

// Prints the cells of one table: strings as they are; numbers, bools and missing values as the
// file has them when a CellText is given and its text gives the stored value, else numbers as
// Python's repr and missing values empty.
class Printer
{
public:
    Printer(const Table &t, const CellText *text)
        : m_t(t)
        , m_text(text && !text->isNull() ? text : nullptr)
    {}

    // UTF-8, valid until the next call.
    std::string_view view(int column, qsizetype row)
    {
        const Column &c = m_t.columns[column];
        const auto u = std::size_t(row);
        if (c.type == ColumnType::String && c.codes[u] >= 0)
            return utf8(c.dictionary[std::size_t(c.codes[u])]);
        const bool missing = missingAt(c, row);
        if (m_text) {
            const std::string_view raw = m_text->field(row, column);
            bool same = false;
            if (missing) {
                same = csv::isNaToken(raw);
            } else if (c.type == ColumnType::Int64) {
                std::int64_t v = 0;
                same = csv::parseInt64(raw, v) == csv::IntParse::Ok && v == c.ints[u];
            } else if (c.type == ColumnType::Float64) {
                double v = 0;
                same = csv::parseDouble(raw, v) && v == c.floats[u] &&
                       std::signbit(v) == std::signbit(c.floats[u]);
            } else if (c.type == ColumnType::Bool) {
                same = csv::parseBool(raw) == c.bools[u];
            }
            if (same)
                return raw;
        }
        if (missing)
            return {};
        if (c.type == ColumnType::Float64)
            m_scratch = formatDouble(c.floats[u]).toStdString();
        else if (c.type == ColumnType::Int64)
            m_scratch = std::to_string(c.ints[u]);
        else
            m_scratch = c.bools[u] ? "True" : "False";
        return m_scratch;
    }
    QByteArray bytes(int column, qsizetype row)
    {
        const std::string_view v = view(column, row);
        return QByteArray(v.data(), qsizetype(v.size()));
    }
    QString text(int column, qsizetype row)
    {
        const std::string_view v = view(column, row);
        return QString::fromUtf8(v.data(), qsizetype(v.size()));
    }

private:
    std::string_view utf8(const QString &s)
    {
        m_scratch.clear();
        const auto *p = reinterpret_cast<const char16_t *>(s.utf16());
        const char16_t *end = p + s.size();
        for (; p < end; ++p) {
            char32_t c = *p;
            if (c < 0x80) {
                m_scratch += char(c);
                continue;
            }
            if (c >= 0xD800 && c < 0xDC00 && p + 1 < end && p[1] >= 0xDC00 && p[1] < 0xE000)
                c = 0x10000 + ((c - 0xD800) << 10) + (char32_t(*++p) - 0xDC00);
            if (c < 0x800) {
                m_scratch += char(0xC0 | (c >> 6));
            } else {
                if (c < 0x10000) {
                    m_scratch += char(0xE0 | (c >> 12));
                } else {
                    m_scratch += char(0xF0 | (c >> 18));
                    m_scratch += char(0x80 | ((c >> 12) & 0x3F));
                }
                m_scratch += char(0x80 | ((c >> 6) & 0x3F));
            }
            m_scratch += char(0x80 | (c & 0x3F));
        }
        return m_scratch;
    }

    const Table &m_t;
    const CellText *m_text;
    std::string m_scratch;
};

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

bool hasCell(Cells cells, qsizetype column)
{
    return std::binary_search(cells.begin(), cells.end(), std::uint32_t(column));
}

QJsonValue jsonNumber(double v)
{
    if (std::isnan(v))
        return u"NaN"_s;
    if (std::isinf(v))
        return v > 0 ? u"Infinity"_s : u"-Infinity"_s;
    return v;
}

QJsonValue jsonCell(const Column &c, qsizetype row)
{
    if (missingAt(c, row))
        return QJsonValue::Null;
    const auto u = std::size_t(row);
    switch (c.type) {
    case ColumnType::Int64:
        return QJsonValue(qint64(c.ints[u]));
    case ColumnType::Float64:
        return jsonNumber(c.floats[u]);
    case ColumnType::Bool:
        return bool(c.bools[u]);
    case ColumnType::String:
        return c.dictionary[std::size_t(c.codes[u])];
    }
    return QJsonValue::Null;
}

QJsonValue statsJson(const ColumnDiff &col, bool before)
{
    if (before ? col.added() : col.removed())
        return QJsonValue::Null;
    const ColumnStats &s = before ? col.before : col.after;
    QJsonObject o{{u"count"_s, s.count}, {u"missing"_s, s.missing}};
    if (s.numeric) {
        o.insert(u"min"_s, jsonNumber(s.min));
        o.insert(u"max"_s, jsonNumber(s.max));
        o.insert(u"mean"_s, jsonNumber(s.mean));
    } else {
        o.insert(u"distinct"_s, s.distinct);
    }
    return o;
}

QString statusOf(const ColumnDiff &col)
{
    return col.added()     ? u"added"_s
           : col.removed() ? u"removed"_s
           : col.renamed   ? u"renamed"_s
           : col.retyped   ? u"retyped"_s
                           : u"same"_s;
}

QString statsText(const ColumnStats &s)
{
    QString t = u"%1 values, %2 missing"_s.arg(s.count).arg(s.missing);
    if (s.numeric && s.count > 0)
        t += u", min %1, mean %2, max %3"_s.arg(QString::fromLatin1(formatDouble(s.min)),
                                                QString::number(s.mean, 'g', 6),
                                                QString::fromLatin1(formatDouble(s.max)));
    else if (!s.numeric)
        t += u", %1 distinct"_s.arg(s.distinct);
    return t;
}

// "id=2, split=train" for a keyed diff's row, else "".
QString keyText(const TableDiff &diff, Printer &pa, Printer &pb, std::int32_t i, std::int32_t j)
{
    QStringList parts;
    for (const ColumnDiff &col : diff.columns) {
        if (!col.key)
            continue;
        parts << col.name + u'=' + (j >= 0 && col.b >= 0 ? pb.text(col.b, j) : pa.text(col.a, i));
    }
    return parts.join(u", "_s);
}

} // namespace

QJsonObject tableDiffJson(const TableDiff &diff, const Table &a, const Table &b, int maxRows)
{
    const SchemaDiff &s = diff.schema;
    QJsonArray renamed, retyped, columns, changes;
    for (const SchemaDiff::Rename &r : s.renamed)
        renamed.append(QJsonObject{{u"from"_s, r.from}, {u"to"_s, r.to}});
    for (const SchemaDiff::Retype &r : s.retyped)
        retyped.append(QJsonObject{{u"name"_s, r.name},
                                   {u"from"_s, columnTypeName(r.from)},
                                   {u"to"_s, columnTypeName(r.to)}});
    for (const ColumnDiff &col : diff.columns) {
        QJsonObject o{{u"name"_s, col.name},
                      {u"status"_s, statusOf(col)},
                      {u"key"_s, col.key},
                      {u"cells_changed"_s, col.cellsChanged},
                      {u"before"_s, statsJson(col, true)},
                      {u"after"_s, statsJson(col, false)}};
        if (col.renamed)
            o.insert(u"old_name"_s, col.oldName);
        o.insert(u"type_a"_s, col.added() ? QJsonValue() : QJsonValue(columnTypeName(col.typeA)));
        o.insert(u"type_b"_s, col.removed() ? QJsonValue() : QJsonValue(columnTypeName(col.typeB)));
        columns.append(o);
    }
    const qint64 total = diff.rows.added + diff.rows.removed + diff.rows.modified;
    forEachChange(diff, [&](std::int32_t i, std::int32_t j, Cells changed) {
        if (changes.size() >= maxRows)
            return false;
        QJsonObject change{{u"type"_s, i < 0   ? u"added"_s
                                       : j < 0 ? u"removed"_s
                                               : u"modified"_s},
                           {u"row_a"_s, i >= 0 ? QJsonValue(qint64(i) + 1) : QJsonValue()},
                           {u"row_b"_s, j >= 0 ? QJsonValue(qint64(j) + 1) : QJsonValue()}};
        QJsonObject key, cells;
        for (qsizetype c = 0; c < diff.columns.size(); ++c) {
            const ColumnDiff &col = diff.columns[c];
            const bool hasA = i >= 0 && col.a >= 0;
            const bool hasB = j >= 0 && col.b >= 0;
            if (col.key)
                key.insert(col.name,
                           hasB ? jsonCell(b.columns[col.b], j) : jsonCell(a.columns[col.a], i));
            QJsonObject cell;
            if (i >= 0 && j >= 0) {
                if (!hasCell(changed, c))
                    continue;
                cell.insert(u"old"_s, jsonCell(a.columns[col.a], i));
                cell.insert(u"new"_s, jsonCell(b.columns[col.b], j));
            } else if (hasA) {
                cell.insert(u"old"_s, jsonCell(a.columns[col.a], i));
            } else if (hasB) {
                cell.insert(u"new"_s, jsonCell(b.columns[col.b], j));
            } else {
                continue;
            }
            cells.insert(col.name, cell);
        }
        if (!diff.keys.isEmpty())
            change.insert(u"key"_s, key);
        change.insert(u"cells"_s, cells);
        changes.append(change);
        return true;
    });
    return QJsonObject{
        {u"a"_s, diff.sourceA},
        {u"b"_s, diff.sourceB},
        {u"keys"_s, QJsonArray::fromStringList(diff.keys)},
        {u"tolerance"_s, diff.tolerance},
        {u"schema"_s, QJsonObject{{u"columns_a"_s, QJsonArray::fromStringList(s.columnsA)},
                                  {u"columns_b"_s, QJsonArray::fromStringList(s.columnsB)},
                                  {u"added_columns"_s, QJsonArray::fromStringList(s.added)},
                                  {u"removed_columns"_s, QJsonArray::fromStringList(s.removed)},
                                  {u"renamed_columns"_s, renamed},
                                  {u"retyped_columns"_s, retyped}}},
        {u"rows"_s, QJsonObject{{u"added"_s, diff.rows.added},
                                {u"removed"_s, diff.rows.removed},
                                {u"modified"_s, diff.rows.modified},
                                {u"unchanged"_s, diff.rows.unchanged}}},
        {u"cells_changed"_s, diff.cellsChanged},
        {u"columns"_s, columns},
        {u"changes"_s, changes},
        {u"truncated"_s, total > qint64(changes.size())}};
}

namespace {

// A cell as daff's Csv.renderCell writes it.
void appendCsvCell(QByteArray &out, std::string_view cell)
{
    bool quote = !cell.empty() && (cell.front() == ' ' || cell.back() == ' ');
    for (std::size_t k = 0; k < cell.size() && !quote; ++k) {
        const char ch = cell[k];
        quote = ch == '"' || ch == '\r' || ch == '\n' || ch == '\t' || ch == ',';
    }
    if (!quote) {
        out.append(cell.data(), qsizetype(cell.size()));
        return;
    }
    out += '"';
    for (char ch : cell) {
        if (ch == '"')
            out += '"';
        out += ch;
    }
    out += '"';
}

// daff's quoteForDiff: a text that reads as NULL (after leading underscores) gets one more '_'.
// daff reads an unquoted NULL in a file as null and writes it back as NULL.
void appendForDiff(QByteArray &out, std::string_view s, bool missing)
{
    const std::size_t k = s.find_first_not_of('_');
    if (!(missing && s == "NULL") && k != std::string_view::npos && s.substr(k) == "NULL")
        out += '_';
    out.append(s.data(), qsizetype(s.size()));
}

enum Act : std::uint8_t
{
    Same,
    Plus, // only new columns have values
    Modified,
    Added,
    Removed
};

} // namespace

QByteArray tableDiffDaff(const TableDiff &diff, const Table &a, const Table &b, int context,
                         const DiffTexts &texts)
{
    Printer pa(a, texts.a);
    Printer pb(b, texts.b);
    const QByteArray eol = texts.a && !texts.a->isNull()   ? texts.a->lineEnd()
                           : texts.b && !texts.b->isNull() ? texts.b->lineEnd()
                                                           : QByteArray("\n");
    QByteArray sep = "->"; // daff lengthens it while any cell or name contains it
    auto lengthen = [&](const QString &text) {
        if (!text.contains(u'>'))
            return;
        while (text.contains(QLatin1StringView(sep)))
            sep.prepend('-');
    };
    for (const Table *t : {&a, &b}) {
        for (const Column &c : t->columns) {
            lengthen(c.name);
            for (const QString &s : c.dictionary)
                lengthen(s);
        }
    }
    const QList<ColumnDiff> &cols = diff.columns;
    QByteArray out;
    if (!diff.schema.added.isEmpty() || !diff.schema.removed.isEmpty() ||
        !diff.schema.renamed.isEmpty()) {
        out += '!';
        for (const ColumnDiff &col : cols) {
            out += ',';
            const QByteArray cell = col.added()     ? QByteArray("+++")
                                    : col.removed() ? QByteArray("---")
                                    : col.renamed   ? '(' + col.oldName.toUtf8() + ')'
                                                    : QByteArray();
            appendCsvCell(out, cell.toStdString());
        }
        out += eol;
    }
    out += "@@";
    for (const ColumnDiff &col : cols) {
        out += ',';
        appendCsvCell(out, col.name.toStdString());
    }
    out += eol;

    // First pass: each row's action; second: print, collapsing rows far from any change.
    std::vector<std::uint8_t> acts;
    acts.reserve(diff.aOfB.size() + std::size_t(diff.rows.removed));
    std::size_t ci = 0;
    forEachAlignedRow(diff, [&](std::int32_t i, std::int32_t j) {
        Act act = Same;
        if (i < 0) {
            act = Added;
        } else if (j < 0) {
            act = Removed;
        } else if (ci < diff.changed.size() && diff.changed[ci].b == j) {
            act = Modified;
            ++ci;
        } else {
            for (const ColumnDiff &col : cols) {
                if (col.added() && !pb.view(col.b, j).empty()) {
                    act = Plus;
                    break;
                }
            }
        }
        acts.push_back(act);
        return true;
    });
    std::vector<std::int64_t> changes;
    for (std::size_t k = 0; k < acts.size() && context >= 0; ++k) {
        if (acts[k] != Same)
            changes.push_back(std::int64_t(k));
    }
    std::int64_t k = 0;
    std::size_t next = 0;
    bool dotted = false;
    QByteArray update;
    ci = 0;
    forEachAlignedRow(diff, [&](std::int32_t i, std::int32_t j) {
        const auto act = Act(acts[std::size_t(k)]);
        Cells changed;
        if (act == Modified)
            changed = diff.changedCells(ci++);
        bool show = context < 0 || act != Same;
        if (!show) {
            while (next < changes.size() && changes[next] < k)
                ++next;
            show = (next < changes.size() && changes[next] - k <= context) ||
                   (next > 0 && k - changes[next - 1] <= context);
        }
        ++k;
        if (!show) {
            if (!dotted) {
                out += "...";
                for (qsizetype c = 0; c < cols.size(); ++c)
                    out += ",...";
                out += eol;
            }
            dotted = true;
            return true;
        }
        dotted = false;
        out += act == Plus       ? QByteArray("+")
               : act == Modified ? sep
               : act == Added    ? QByteArray("+++")
               : act == Removed  ? QByteArray("---")
                                 : QByteArray();
        for (qsizetype c = 0; c < cols.size(); ++c) {
            const ColumnDiff &col = cols[c];
            out += ',';
            const bool hasA = i >= 0 && col.a >= 0;
            const bool hasB = j >= 0 && col.b >= 0;
            if (!hasA && !hasB) {
                out += "NULL";
            } else if (act == Modified && hasCell(changed, c)) {
                update.clear();
                appendForDiff(update, pa.view(col.a, i), missingAt(a.columns[col.a], i));
                update += sep;
                appendForDiff(update, pb.view(col.b, j), missingAt(b.columns[col.b], j));
                appendCsvCell(out,
                              std::string_view(update.constData(), std::size_t(update.size())));
            } else {
                appendCsvCell(out, hasA ? pa.view(col.a, i) : pb.view(col.b, j));
            }
        }
        out += eol;
        return true;
    });
    return out;
}

QByteArray tableDiffHtml(const TableDiff &diff, const Table &a, const Table &b, int maxRows,
                         const DiffTexts &texts)
{
    Printer pa(a, texts.a);
    Printer pb(b, texts.b);
    auto esc = [](const QString &s) { return s.toHtmlEscaped(); };
    const RowCounts &n = diff.rows;
    QString h = u"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                u"<title>Table diff</title><style>\n"
                u"body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}\n"
                u"table{border-collapse:collapse;font-size:13px;margin-bottom:1em}\n"
                u"th,td{border:1px solid #ccc;padding:2px 6px;text-align:left;"
                u"white-space:nowrap}\nth{background:#f0f0f0}\n"
                u"tr.add td{background:#d9f7d9}tr.del td{background:#fbd5d5}"
                u"td.mod{background:#fff1a8}\nth.add{background:#b8ecb8}th.del{background:#f5b5b5}"
                u"\n.old{color:#a00;text-decoration:line-through}.arrow{color:#777}"
                u".null{color:#999}.note{color:#666}\n</style></head><body>\n"_s;
    h += u"<h1>Table diff</h1>\n<p>%1 &rarr; %2"_s.arg(esc(diff.sourceA), esc(diff.sourceB));
    if (!diff.keys.isEmpty())
        h += u" &middot; key: "_s + esc(diff.keys.join(u", "_s));
    if (diff.tolerance > 0)
        h += u" &middot; tolerance: "_s + QString::number(diff.tolerance);
    h += u"</p>\n<p><b>%1</b> modified, <b>%2</b> added, <b>%3</b> removed, <b>%4</b> unchanged "
         u"rows; <b>%5</b> cells changed</p>\n"_s.arg(n.modified)
             .arg(n.added)
             .arg(n.removed)
             .arg(n.unchanged)
             .arg(diff.cellsChanged);
    const SchemaDiff &s = diff.schema;
    h += u"<h2>Schema</h2>\n"_s;
    if (!s.changed())
        h += u"<p>Same columns.</p>\n"_s;
    else {
        h += u"<ul>\n"_s;
        if (!s.added.isEmpty())
            h += u"<li>added: "_s + esc(s.added.join(u", "_s)) + u"</li>\n"_s;
        if (!s.removed.isEmpty())
            h += u"<li>removed: "_s + esc(s.removed.join(u", "_s)) + u"</li>\n"_s;
        for (const SchemaDiff::Rename &r : s.renamed)
            h += u"<li>renamed: %1 &rarr; %2</li>\n"_s.arg(esc(r.from), esc(r.to));
        for (const SchemaDiff::Retype &r : s.retyped)
            h += u"<li>retyped: %1 (%2 &rarr; %3)</li>\n"_s.arg(esc(r.name), columnTypeName(r.from),
                                                                columnTypeName(r.to));
        h += u"</ul>\n"_s;
    }
    h += u"<h2>Columns</h2>\n<table><tr><th>column</th><th>status</th><th>cells changed</th>"
         u"<th>before</th><th>after</th></tr>\n"_s;
    for (const ColumnDiff &col : diff.columns) {
        h += u"<tr><td>%1</td><td>%2</td><td>%3</td><td>%4</td><td>%5</td></tr>\n"_s.arg(
            esc(col.renamed ? col.oldName + u" → "_s + col.name : col.name), statusOf(col),
            QString::number(col.cellsChanged), col.added() ? QString() : statsText(col.before),
            col.removed() ? QString() : statsText(col.after));
    }
    h += u"</table>\n<h2>Changed rows</h2>\n"_s;
    const qint64 total = n.added + n.removed + n.modified;
    if (total == 0) {
        h += u"<p>No row changed.</p>\n"_s;
    } else {
        h += u"<table><tr><th></th>"_s;
        for (const ColumnDiff &col : diff.columns)
            h += (col.added()     ? u"<th class=\"add\">"_s
                  : col.removed() ? u"<th class=\"del\">"_s
                                  : u"<th>"_s) +
                 esc(col.name) + u"</th>"_s;
        h += u"</tr>\n"_s;
        int shown = 0;
        forEachChange(diff, [&](std::int32_t i, std::int32_t j, Cells changed) {
            if (shown >= maxRows)
                return false;
            ++shown;
            h += i < 0   ? u"<tr class=\"add\"><td>+</td>"_s
                 : j < 0 ? u"<tr class=\"del\"><td>&minus;</td>"_s
                         : u"<tr><td>&rarr;</td>"_s;
            for (qsizetype c = 0; c < diff.columns.size(); ++c) {
                const ColumnDiff &col = diff.columns[c];
                const bool hasA = i >= 0 && col.a >= 0;
                const bool hasB = j >= 0 && col.b >= 0;
                if (i >= 0 && j >= 0 && hasCell(changed, c))
                    h += u"<td class=\"mod\"><span class=\"old\">%1</span> <span "
                         u"class=\"arrow\">&rarr;</span> %2</td>"_s.arg(esc(pa.text(col.a, i)),
                                                                        esc(pb.text(col.b, j)));
                else if (hasB || hasA)
                    h += u"<td>"_s + esc(hasB ? pb.text(col.b, j) : pa.text(col.a, i)) + u"</td>"_s;
                else
                    h += u"<td class=\"null\"></td>"_s;
            }
            h += u"</tr>\n"_s;
            return true;
        });
        h += u"</table>\n"_s;
        if (total > shown)
            h += u"<p class=\"note\">Showing the first %1 of %2 changed rows.</p>\n"_s.arg(shown)
                     .arg(total);
    }
    h += u"</body></html>\n"_s;
    return h.toUtf8();
}

QString tableDiffText(const TableDiff &diff, const Table &a, const Table &b, int maxRows,
                      const DiffTexts &texts)
{
    Printer pa(a, texts.a);
    Printer pb(b, texts.b);
    const RowCounts &n = diff.rows;
    QString t = diff.sourceA + u" → "_s + diff.sourceB;
    if (!diff.keys.isEmpty())
        t += u" (key: "_s + diff.keys.join(u", "_s) + u')';
    t += u"\nrows: %1 modified, %2 added, %3 removed, %4 unchanged; %5 cells changed\n"_s
             .arg(n.modified)
             .arg(n.added)
             .arg(n.removed)
             .arg(n.unchanged)
             .arg(diff.cellsChanged);
    const SchemaDiff &s = diff.schema;
    if (!s.added.isEmpty())
        t += u"columns added: "_s + s.added.join(u", "_s) + u'\n';
    if (!s.removed.isEmpty())
        t += u"columns removed: "_s + s.removed.join(u", "_s) + u'\n';
    for (const SchemaDiff::Rename &r : s.renamed)
        t += u"column renamed: %1 → %2\n"_s.arg(r.from, r.to);
    for (const SchemaDiff::Retype &r : s.retyped)
        t += u"column retyped: %1 (%2 → %3)\n"_s.arg(r.name, columnTypeName(r.from),
                                                     columnTypeName(r.to));
    QStringList perColumn;
    for (const ColumnDiff &col : diff.columns) {
        if (col.cellsChanged > 0)
            perColumn << u"%1 %2"_s.arg(col.name, QString::number(col.cellsChanged));
    }
    if (!perColumn.isEmpty())
        t += u"cells changed by column: "_s + perColumn.join(u", "_s) + u'\n';
    const qint64 total = n.added + n.removed + n.modified;
    if (total == 0)
        return t;
    t += total > maxRows ? u"changed rows (first %1 of %2):\n"_s.arg(maxRows).arg(total)
                         : u"changed rows:\n"_s;
    int shown = 0;
    forEachChange(diff, [&](std::int32_t i, std::int32_t j, Cells changed) {
        if (shown++ >= maxRows)
            return false;
        const QString key = keyText(diff, pa, pb, i, j);
        const QString where = i < 0   ? u"+ b row %1"_s.arg(j + 1)
                              : j < 0 ? u"- a row %1"_s.arg(i + 1)
                                      : u"~ a row %1, b row %2"_s.arg(i + 1).arg(j + 1);
        t += u"  "_s + where + (key.isEmpty() ? QString() : u" ["_s + key + u']');
        if (i >= 0 && j >= 0) {
            QStringList cells;
            for (std::uint32_t c : changed) {
                const ColumnDiff &col = diff.columns[qsizetype(c)];
                cells << u"%1: %2 → %3"_s.arg(col.name, pa.text(col.a, i), pb.text(col.b, j));
            }
            t += u": "_s + cells.join(u"; "_s);
        }
        t += u'\n';
        return true;
    });
    return t;
}

} // namespace cairn::diff
