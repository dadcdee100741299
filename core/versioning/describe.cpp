#include "describe.h"

#include "data/table.h"
#include "diff/safetensors.h"

#include <QDateTime>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

// By the name of the file the version is of: an object or a blob has none of its own.
std::optional<TableFormat> tableFormat(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == u"csv"_s || suffix == u"txt"_s)
        return TableFormat::Csv;
    if (suffix == u"tsv"_s || suffix == u"tab"_s)
        return TableFormat::Tsv;
    if (suffix == u"jsonl"_s || suffix == u"ndjson"_s)
        return TableFormat::JsonLines;
    return std::nullopt;
}

QString formatName(TableFormat f)
{
    switch (f) {
    case TableFormat::Tsv:
        return u"tsv"_s;
    case TableFormat::JsonLines:
        return u"jsonl"_s;
    case TableFormat::Csv:
    case TableFormat::Auto:
        break;
    }
    return u"csv"_s;
}

// A column's profile: missing values, and min, max and mean of numbers, the count of true
// values, or the number of distinct strings.
QJsonObject columnProfile(const Column &c)
{
    QJsonObject o{{u"name"_s, c.name},
                  {u"type"_s, columnTypeName(c.type)},
                  {u"missing"_s, qint64(c.missingCount())}};
    auto numbers = [&](const auto &values) {
        double lo = std::numeric_limits<double>::infinity();
        double hi = -lo;
        double sum = 0;
        qint64 n = 0;
        for (const auto x : values) {
            const double d = double(x);
            if (std::isnan(d))
                continue;
            lo = std::min(lo, d);
            hi = std::max(hi, d);
            sum += d;
            ++n;
        }
        if (n == 0)
            return;
        o.insert(u"min"_s, lo);
        o.insert(u"max"_s, hi);
        o.insert(u"mean"_s, sum / double(n));
    };
    switch (c.type) {
    case ColumnType::Int64:
        numbers(c.ints);
        break;
    case ColumnType::Float64:
        numbers(c.floats);
        break;
    case ColumnType::Bool:
        o.insert(u"true"_s, qint64(std::count(c.bools.begin(), c.bools.end(), std::int8_t(1))));
        break;
    case ColumnType::String: {
        std::vector<bool> seen(c.dictionary.size());
        qint64 distinct = 0;
        for (const std::int32_t code : c.codes) {
            if (code >= 0 && !seen[std::size_t(code)]) {
                seen[std::size_t(code)] = true;
                ++distinct;
            }
        }
        o.insert(u"distinct"_s, distinct);
        break;
    }
    }
    return o;
}

qint64 sizeOf(const FileVersion &v)
{
    return v.inMemory() ? v.bytes.size() : QFileInfo(v.localPath).size();
}

} // namespace

Result<QJsonObject> describeContent(const FileVersion &version, const QString &kind)
{
    QJsonObject o{{u"size"_s, sizeOf(version)}};
    const auto format = tableFormat(version.path);
    if (format && kind == u"dataset"_s) {
        ReadOptions options;
        options.format = *format;
        auto table = version.inMemory() ? readTableBytes(version.bytes, version.describe(), options)
                                        : readTable(version.localPath, options);
        if (!table)
            return fail(table.error());
        QJsonArray schema;
        for (const Column &c : std::as_const(table->columns))
            schema.append(columnProfile(c));
        o.insert(u"format"_s, formatName(*format));
        o.insert(u"rows"_s, qint64(table->rows));
        o.insert(u"columns"_s, qint64(table->columns.size()));
        o.insert(u"schema"_s, schema);
        return o;
    }
    const bool safetensors = version.inMemory()
                                 ? version.path.endsWith(u".safetensors"_s)
                                 : diff::SafetensorsFile::looksLikeSafetensors(version.localPath);
    if (safetensors) {
        auto file = version.inMemory()
                        ? diff::SafetensorsFile::fromBytes(version.bytes, version.describe())
                        : diff::SafetensorsFile::open(version.localPath);
        if (!file)
            return fail(file.error());
        qint64 parameters = 0;
        QMap<QString, qint64> dtypes;
        for (const diff::TensorInfo &t : file->tensors()) {
            parameters += t.elements();
            ++dtypes[t.dtype];
        }
        QJsonObject dt;
        for (auto it = dtypes.cbegin(); it != dtypes.cend(); ++it)
            dt.insert(it.key(), it.value());
        o.insert(u"format"_s, u"safetensors"_s);
        o.insert(u"tensors"_s, qint64(file->tensors().size()));
        o.insert(u"parameters"_s, parameters);
        o.insert(u"dtypes"_s, dt);
        return o;
    }
    o.insert(u"format"_s, u"other"_s);
    return o;
}

Result<QJsonObject> describeVersion(const Project &project, Database &db, const DataVersion &v)
{
    auto cached = db.prepare(u"SELECT description FROM content_descriptions WHERE hash = ?1"_s);
    if (!cached)
        return fail(cached.error());
    cached->bind(1, v.hash);
    auto row = cached->step();
    if (!row)
        return fail(row.error());
    if (*row) {
        const QJsonDocument doc = QJsonDocument::fromJson(cached->text(0).toUtf8());
        if (doc.isObject())
            return doc.object();
    }
    cached->reset();
    auto version = resolveFileVersion(v.path + u"@"_s + v.hash, project.rootDir);
    if (!version)
        return fail(version.error());
    auto description = describeContent(*version, v.kind);
    if (!description)
        return fail(description.error());
    auto store = db.prepare(u"INSERT OR REPLACE INTO content_descriptions (hash, computed_ms, "
                            "description) VALUES (?1, ?2, ?3)"_s);
    if (!store)
        return fail(store.error());
    if (auto r = store->bind(1, v.hash)
                     .bind(2, QDateTime::currentMSecsSinceEpoch())
                     .bind(3, QString::fromUtf8(
                                  QJsonDocument(*description).toJson(QJsonDocument::Compact)))
                     .exec();
        !r)
        return fail(r.error());
    return description;
}

QString descriptionText(const QJsonObject &d)
{
    const QLocale c = QLocale::c();
    const QString format = d.value(u"format"_s).toString();
    if (d.contains(u"rows"_s)) {
        QStringList cols;
        for (const QJsonValue &col : d.value(u"schema"_s).toArray()) {
            const QJsonObject o = col.toObject();
            cols << u"%1 %2"_s.arg(o.value(u"name"_s).toString(), o.value(u"type"_s).toString());
        }
        constexpr int kShown = 8;
        QString schema = cols.mid(0, kShown).join(u", "_s);
        if (cols.size() > kShown)
            schema += u", …"_s;
        const qint64 rows = d.value(u"rows"_s).toInteger();
        const qint64 columns = d.value(u"columns"_s).toInteger();
        return u"%1 %2 × %3 %4 (%5)"_s.arg(c.toString(rows), rows == 1 ? u"row"_s : u"rows"_s,
                                           c.toString(columns),
                                           columns == 1 ? u"column"_s : u"columns"_s, schema);
    }
    if (format == u"safetensors"_s) {
        const QStringList dtypes = d.value(u"dtypes"_s).toObject().keys();
        return u"safetensors: %1 tensors, %2 parameters (%3)"_s.arg(
            c.toString(d.value(u"tensors"_s).toInteger()),
            c.toString(d.value(u"parameters"_s).toInteger()), dtypes.join(u", "_s));
    }
    return u"%1 bytes"_s.arg(c.toString(d.value(u"size"_s).toInteger()));
}

} // namespace cairn
