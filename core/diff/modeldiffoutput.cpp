// The JSON and text forms of a ModelDiff.

#include "modeldiff.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace Qt::StringLiterals;

namespace cairn::diff {

namespace {

QJsonValue jsonNumber(const std::optional<double> &v)
{
    if (!v)
        return QJsonValue();
    if (std::isnan(*v))
        return u"NaN"_s;
    if (std::isinf(*v))
        return *v > 0 ? u"Infinity"_s : u"-Infinity"_s;
    return *v;
}

QJsonValue jsonShape(const std::vector<qint64> &shape, const QString &dtype)
{
    if (dtype.isEmpty())
        return QJsonValue(); // the side that lacks the tensor
    QJsonArray out;
    for (qint64 d : shape)
        out.append(d);
    return out;
}

QString figure(const std::optional<double> &v, int precision = 4)
{
    if (!v)
        return u"-"_s;
    if (std::isnan(*v))
        return u"NaN"_s;
    if (std::isinf(*v))
        return *v > 0 ? u"inf"_s : u"-inf"_s;
    return QString::number(*v, 'g', precision);
}

// The order of the text table: figures first (largest rel_l2 first, NaN on top), then
// the other differences, then the unchanged tensors.
int rank(const TensorDiff &t)
{
    if (t.status == u"unchanged"_s)
        return 3;
    if (t.status == u"changed"_s || t.status == u"dtype_changed"_s)
        return t.l2Diff ? 0 : 1;
    return 2;
}

double sortKey(const TensorDiff &t)
{
    const std::optional<double> &v = t.relL2 ? t.relL2 : t.l2Diff;
    if (!v)
        return -1;
    return std::isnan(*v) ? std::numeric_limits<double>::infinity() : *v;
}

} // namespace

QJsonObject modelDiffJson(const ModelDiff &diff)
{
    QJsonArray tensors;
    for (const TensorDiff &t : diff.tensors) {
        QJsonObject o;
        o.insert(u"name"_s, t.name);
        o.insert(u"status"_s, t.status);
        o.insert(u"shape_a"_s, jsonShape(t.shapeA, t.dtypeA));
        o.insert(u"shape_b"_s, jsonShape(t.shapeB, t.dtypeB));
        o.insert(u"dtype_a"_s, t.dtypeA.isEmpty() ? QJsonValue() : QJsonValue(t.dtypeA));
        o.insert(u"dtype_b"_s, t.dtypeB.isEmpty() ? QJsonValue() : QJsonValue(t.dtypeB));
        o.insert(u"elements"_s, t.elements);
        o.insert(u"l2_diff"_s, jsonNumber(t.l2Diff));
        o.insert(u"rel_l2"_s, jsonNumber(t.relL2));
        o.insert(u"max_abs_diff"_s, jsonNumber(t.maxAbsDiff));
        o.insert(u"cosine"_s, jsonNumber(t.cosine));
        if (!t.note.isEmpty())
            o.insert(u"note"_s, t.note);
        tensors.append(o);
    }
    QJsonObject added, removed, changed;
    for (auto it = diff.metadataAdded.cbegin(); it != diff.metadataAdded.cend(); ++it)
        added.insert(it.key(), it.value());
    for (auto it = diff.metadataRemoved.cbegin(); it != diff.metadataRemoved.cend(); ++it)
        removed.insert(it.key(), it.value());
    for (auto it = diff.metadataChanged.cbegin(); it != diff.metadataChanged.cend(); ++it)
        changed.insert(it.key(), QJsonObject{{u"a"_s, it->first}, {u"b"_s, it->second}});
    const ModelDiffSummary &s = diff.summary;
    return QJsonObject{
        {u"a"_s, diff.a},
        {u"b"_s, diff.b},
        {u"tensors"_s, tensors},
        {u"metadata"_s,
         QJsonObject{{u"added"_s, added}, {u"removed"_s, removed}, {u"changed"_s, changed}}},
        {u"summary"_s, QJsonObject{{u"added"_s, s.added},
                                   {u"removed"_s, s.removed},
                                   {u"changed"_s, s.changed},
                                   {u"unchanged"_s, s.unchanged},
                                   {u"shape_changed"_s, s.shapeChanged},
                                   {u"dtype_changed"_s, s.dtypeChanged},
                                   {u"tensors_a"_s, s.tensorsA},
                                   {u"tensors_b"_s, s.tensorsB},
                                   {u"elements_compared"_s, s.elementsCompared}}},
    };
}

QString modelDiffText(const ModelDiff &diff, int maxRows)
{
    QList<const TensorDiff *> rows;
    for (const TensorDiff &t : diff.tensors)
        rows.append(&t);
    std::stable_sort(rows.begin(), rows.end(), [](const TensorDiff *x, const TensorDiff *y) {
        if (rank(*x) != rank(*y))
            return rank(*x) < rank(*y);
        return rank(*x) == 0 && sortKey(*x) > sortKey(*y);
    });
    const auto describe = [](const std::vector<qint64> &shape, const QString &dtype) {
        return dtype.isEmpty() ? u"-"_s : dtype + u' ' + shapeText(shape);
    };
    QStringList header = {u"status"_s, u"tensor"_s,  u"a"_s,       u"b"_s,
                          u"rel_l2"_s, u"l2_diff"_s, u"max_abs"_s, u"cosine"_s};
    QList<QStringList> table;
    for (qsizetype i = 0; i < rows.size() && i < maxRows; ++i) {
        const TensorDiff &t = *rows[i];
        table.append({t.status, t.name, describe(t.shapeA, t.dtypeA),
                      t.dtypeB == t.dtypeA && t.shapeB == t.shapeA && !t.dtypeB.isEmpty()
                          ? u"same"_s
                          : describe(t.shapeB, t.dtypeB),
                      figure(t.relL2), figure(t.l2Diff), figure(t.maxAbsDiff),
                      figure(t.cosine, 7)});
    }
    std::vector<qsizetype> width(size_t(header.size()));
    for (qsizetype c = 0; c < header.size(); ++c) {
        width[size_t(c)] = header[c].size();
        for (const QStringList &r : table)
            width[size_t(c)] = std::max(width[size_t(c)], std::min<qsizetype>(r[c].size(), 60));
    }
    QString out = u"Model diff: %1 -> %2\n"_s.arg(diff.a, diff.b);
    const auto line = [&](const QStringList &cells) {
        QString l;
        for (qsizetype c = 0; c < cells.size(); ++c) {
            const bool number = c >= 4;
            QString cell = cells[c].size() > 60 ? cells[c].left(57) + u"..."_s : cells[c];
            cell = number ? cell.rightJustified(width[size_t(c)])
                          : cell.leftJustified(width[size_t(c)]);
            l += (c ? u"  "_s : QString()) + cell;
        }
        out += l.trimmed() + u'\n';
    };
    line(header);
    for (const QStringList &r : table)
        line(r);
    if (rows.size() > maxRows)
        out += u"... and %1 more tensors\n"_s.arg(rows.size() - maxRows);
    for (auto it = diff.metadataAdded.cbegin(); it != diff.metadataAdded.cend(); ++it)
        out += u"metadata added: %1 = %2\n"_s.arg(it.key(), it.value());
    for (auto it = diff.metadataRemoved.cbegin(); it != diff.metadataRemoved.cend(); ++it)
        out += u"metadata removed: %1 = %2\n"_s.arg(it.key(), it.value());
    for (auto it = diff.metadataChanged.cbegin(); it != diff.metadataChanged.cend(); ++it)
        out += u"metadata changed: %1: %2 -> %3\n"_s.arg(it.key(), it->first, it->second);
    const ModelDiffSummary &s = diff.summary;
    out += u"%1 tensors in a, %2 in b: %3 changed, %4 dtype changed, %5 shape changed, %6 added, "
           "%7 removed, %8 unchanged; %9 elements compared\n"_s.arg(s.tensorsA)
               .arg(s.tensorsB)
               .arg(s.changed)
               .arg(s.dtypeChanged)
               .arg(s.shapeChanged)
               .arg(s.added)
               .arg(s.removed)
               .arg(s.unchanged)
               .arg(s.elementsCompared);
    return out;
}

} // namespace cairn::diff
