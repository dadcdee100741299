#include "filestore_p.h"
#include "project/yamlsupport.h"

#include <fast_float/fast_float.h>

#include <charconv>

using namespace Qt::StringLiterals;

namespace cairn::mlflow::detail {

namespace {

// --- meta.yaml -------------------------------------------------------------------------------

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r'))
        v.chop(1);
    return v;
}

// The common case without a YAML library: one `key: value` per line, values plain, quoted
// without escapes, null, [] or {}. False when the file needs a real YAML parser (folded lines,
// escapes, nested values, comments).
bool parseFlatYaml(const QByteArray &bytes, Meta &meta)
{
    const char *p = bytes.constData();
    const char *const end = p + bytes.size();
    while (p < end) {
        const char *eol = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        if (!eol)
            eol = end;
        QByteArrayView line(p, eol);
        p = eol + 1;
        while (!line.isEmpty() && (line.back() == '\r' || line.back() == ' '))
            line.chop(1);
        if (line.isEmpty())
            continue;
        const char first = line.front();
        if (first == ' ' || first == '\t' || first == '#' || first == '-' || first == '\'' ||
            first == '"' || first == '?' || first == '{' || first == '[')
            return false;
        qsizetype colon = line.indexOf(": ");
        if (colon < 0) {
            if (line.back() != ':')
                return false;
            colon = line.size() - 1;
        }
        const QByteArray key = line.first(colon).toByteArray();
        const QByteArrayView value = trimmed(line.sliced(colon + 1));
        if (value.isEmpty() || value == "null" || value == "~" || value == "Null" ||
            value == "NULL") {
            meta.insert(key, std::nullopt);
            continue;
        }
        const char v0 = value.front();
        if (v0 == '\'') {
            if (value.size() < 2 || value.back() != '\'')
                return false;
            const QByteArrayView inner = value.sliced(1, value.size() - 2);
            QByteArray text;
            text.reserve(inner.size());
            for (qsizetype i = 0; i < inner.size(); ++i) {
                if (inner[i] == '\'') {
                    if (i + 1 >= inner.size() || inner[i + 1] != '\'')
                        return false;
                    ++i;
                }
                text.append(inner[i]);
            }
            meta.insert(key, QString::fromUtf8(text));
        } else if (v0 == '"') {
            if (value.size() < 2 || value.back() != '"' || value.contains('\\'))
                return false;
            meta.insert(key, QString::fromUtf8(value.sliced(1, value.size() - 2)));
        } else if (v0 == '[' || v0 == '{') {
            if (value != "[]" && value != "{}")
                return false;
            meta.insert(key, QString());
        } else if (std::strchr("|>&*!%@`", v0) || value.contains(" #")) {
            return false;
        } else {
            meta.insert(key, QString::fromUtf8(value));
        }
    }
    return true;
}

// Any other YAML through yaml-cpp (mappings and lists as empty text). Problems become warnings.
bool parseYamlMeta(const QByteArray &bytes, const QString &file, Meta &meta, Errors &warnings)
{
    YamlFile yaml(file);
    const std::optional<YAML::Node> root = yaml.parse(bytes);
    if (!root) {
        for (Error &e : yaml.takeErrors())
            warnings.append(std::move(e));
        return false;
    }
    if (!root->IsMap()) {
        warnings.append(Error(u"meta.yaml is not a mapping of keys to values"_s, file, 1, 1,
                              u"MLflow writes `key: value` lines here; the folder is read "
                              u"without this file"_s));
        return false;
    }
    try {
        for (auto it = root->begin(); it != root->end(); ++it) {
            const QByteArray key = QByteArray::fromStdString(it->first.Scalar());
            if (it->second.IsNull())
                meta.insert(key, std::nullopt);
            else if (it->second.IsScalar())
                meta.insert(key, toQString(it->second.Scalar()));
            else
                meta.insert(key, QString());
        }
    } catch (const YAML::Exception &e) {
        warnings.append(Error(toQString(e.msg), file, e.mark.line + 1, e.mark.column + 1));
        return false;
    }
    return true;
}

} // namespace

// Reads `dir`/meta.yaml. Nothing (and no warning) when it is missing; a warning when it is
// empty or malformed.
std::optional<Meta> readMeta(const Folder &dir, Errors &warnings)
{
    QByteArray bytes;
    if (!dir.read("meta.yaml", bytes))
        return std::nullopt;
    const QByteArray path = join(dir.path(), "meta.yaml");
    Meta meta;
    if (trimmed(bytes).isEmpty()) {
        warnings.append(Error(u"meta.yaml is empty"_s, fromPath(path), 0, 0,
                              u"The folder is read with what its other files say"_s));
        return meta;
    }
    if (!parseFlatYaml(bytes, meta)) {
        meta.clear();
        parseYamlMeta(bytes, fromPath(path), meta, warnings);
    }
    return meta;
}

QString text(const Meta &meta, const char *key)
{
    const auto it = meta.constFind(QByteArray::fromRawData(key, qsizetype(std::strlen(key))));
    return it == meta.cend() || !it->has_value() ? QString() : **it;
}

std::optional<qint64> number(const Meta &meta, const char *key)
{
    bool ok = false;
    const qint64 n = text(meta, key).toLongLong(&ok);
    return ok ? std::optional<qint64>(n) : std::nullopt;
}

// --- params, tags and metrics ----------------------------------------------------------------

// One file per key, '/' in a key being a sub-folder; the content is the raw value.
namespace {

void readKeyFiles(const Folder &dir, const QString &prefix, MlflowKeyValues &out)
{
    QByteArray bytes;
    for (const DirEntry &e : dir.entries()) {
        const QString key = prefix + QString::fromUtf8(e.name);
        if (e.isDir)
            readKeyFiles(Folder(dir, e.name), key + u'/', out);
        else if (dir.read(e.name.constData(), bytes))
            out.insert(key, QString::fromUtf8(bytes));
    }
}

} // namespace

void readKeyFiles(const Folder &parent, const char *folder, MlflowKeyValues &out)
{
    readKeyFiles(Folder(parent, QByteArray(folder)), QString(), out);
}

namespace {

bool parseInt(QByteArrayView v, qint64 &out)
{
    if (v.startsWith('+'))
        v = v.sliced(1);
    const auto r = std::from_chars(v.data(), v.data() + v.size(), out);
    return r.ec == std::errc() && r.ptr == v.data() + v.size() && !v.isEmpty();
}

// Python's float(): also "nan", "NaN", "inf", "-inf", "Infinity", a leading '+'.
bool parseFloat(QByteArrayView v, double &out)
{
    if (v.startsWith('+'))
        v = v.sliced(1);
    const auto r = fast_float::from_chars(v.data(), v.data() + v.size(), out);
    return r.ec == std::errc() && r.ptr == v.data() + v.size() && !v.isEmpty();
}

// MLflow's "latest": the maximum by (step, timestamp, value); the first one wins a tie (NaN).
bool isLater(const MlflowMetricPoint &a, const MlflowMetricPoint &b)
{
    if (a.step != b.step)
        return a.step > b.step;
    if (a.timestamp != b.timestamp)
        return a.timestamp > b.timestamp;
    return a.value > b.value;
}

// A run's metric lines have 2, 3 or 5 fields (`ts value [step [dataset digest]]`); a logged
// model's have 4 or 6 (`ts value step run_id [dataset digest]`).
MlflowMetric readMetricFile(const Folder &dir, const QByteArray &name, const QString &key,
                            bool loggedModel, Errors &warnings)
{
    MlflowMetric metric;
    metric.key = key;
    QByteArray bytes;
    if (!dir.read(name.constData(), bytes))
        return metric;
    metric.points.reserve(bytes.count('\n') + 1);
    const char *p = bytes.constData();
    const char *const end = p + bytes.size();
    int lineNo = 0;
    int malformed = 0;
    int firstMalformed = 0;
    while (p < end) {
        const char *eol = static_cast<const char *>(std::memchr(p, '\n', size_t(end - p)));
        if (!eol)
            eol = end;
        const QByteArrayView line = trimmed(QByteArrayView(p, eol));
        p = eol + 1;
        ++lineNo;
        if (line.isEmpty())
            continue;
        QByteArrayView fields[7];
        int n = 0;
        for (qsizetype i = 0; i < line.size() && n < 7;) {
            while (i < line.size() && line[i] == ' ')
                ++i;
            qsizetype j = i;
            while (j < line.size() && line[j] != ' ')
                ++j;
            if (j > i)
                fields[n++] = line.sliced(i, j - i);
            i = j;
        }
        const bool shape = loggedModel ? (n == 4 || n == 6) : (n == 2 || n == 3 || n == 5);
        MlflowMetricPoint point;
        if (!shape || !parseInt(fields[0], point.timestamp) ||
            !parseFloat(fields[1], point.value) || (n >= 3 && !parseInt(fields[2], point.step))) {
            if (malformed++ == 0)
                firstMalformed = lineNo;
            continue;
        }
        if (loggedModel) {
            point.context =
                mlflowContextIndex(metric, {QString::fromUtf8(fields[3]),
                                            n == 6 ? QString::fromUtf8(fields[4]) : QString(),
                                            n == 6 ? QString::fromUtf8(fields[5]) : QString()});
        } else if (n == 5) {
            point.context = mlflowContextIndex(
                metric, {QString(), QString::fromUtf8(fields[3]), QString::fromUtf8(fields[4])});
        }
        if (metric.points.isEmpty() || isLater(point, metric.latest))
            metric.latest = point;
        metric.points.append(point);
    }
    if (malformed > 0) {
        const QString expected =
            loggedModel ? u"timestamp value step run_id"_s : u"timestamp value step"_s;
        warnings.append(Error(u"malformed metric line, skipped (%1 such lines in this file)"_s.arg(
                                  QString::number(malformed)),
                              fromPath(join(dir.path(), name)), firstMalformed, 0,
                              u"MLflow writes `%1` per line"_s.arg(expected)));
    }
    return metric;
}

} // namespace

void readMetricsDir(const Folder &dir, const QString &prefix, bool loggedModel,
                    QList<MlflowMetric> &out, Errors &warnings)
{
    for (const DirEntry &e : dir.entries()) {
        const QString key = prefix + QString::fromUtf8(e.name);
        if (e.isDir)
            readMetricsDir(Folder(dir, e.name), key + u'/', loggedModel, out, warnings);
        else
            out.append(readMetricFile(dir, e.name, key, loggedModel, warnings));
    }
}

} // namespace cairn::mlflow::detail

namespace cairn {

int mlflowContextIndex(MlflowMetric &metric, MlflowMetricContext context)
{
    const qsizetype i = metric.contexts.indexOf(context);
    if (i >= 0)
        return int(i);
    metric.contexts.append(std::move(context));
    return int(metric.contexts.size() - 1);
}

} // namespace cairn
