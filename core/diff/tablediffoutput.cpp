// Outputs of a table diff: daff's highlighter CSV, HTML and a terminal summary (JSON:
// tablediffjson.cpp). Numbers print as the file has them when the raw cell text (CellText,
// celltext.cpp) is given.

#include "data/csvreader.h"
#include "tablediff_p.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

using namespace Qt::StringLiterals;

namespace cairn::diff {

using namespace detail;

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
