// The table diff as JSON (tableDiffJson).

#include "tablediff_p.h"

#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace cairn::diff {

using namespace detail;

namespace {

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

} // namespace

QString detail::statusOf(const ColumnDiff &col)
{
    return col.added()     ? u"added"_s
           : col.removed() ? u"removed"_s
           : col.renamed   ? u"renamed"_s
           : col.retyped   ? u"retyped"_s
                           : u"same"_s;
}

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

} // namespace cairn::diff
