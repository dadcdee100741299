// `dvc metrics diff` / `dvc params diff` over two rows, and the text and JSON renderings of
// dvcexp.h.

#include "dvcexp.h"

#include <QSet>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn::dvc {

namespace {

bool sameJson(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isDouble() && b.isDouble())
        return a.toDouble() == b.toDouble() ||
               (std::isnan(a.toDouble()) && std::isnan(b.toDouble()));
    return a == b;
}

QJsonValue jsonOf(const QJsonValue &v)
{
    if (v.isDouble() && !std::isfinite(v.toDouble())) {
        const double d = v.toDouble();
        return std::isnan(d) ? u"NaN"_s : (d > 0 ? u"Infinity"_s : u"-Infinity"_s);
    }
    return v;
}

QString number(double v)
{
    if (std::isnan(v))
        return u"nan"_s;
    if (std::isinf(v))
        return v > 0 ? u"inf"_s : u"-inf"_s;
    return QString::number(v, 'g', 6);
}

QString rowLabel(const DvcRow &r)
{
    return r.workspace ? u"workspace"_s : r.shortRev;
}

DvcDiff diffFiles(const QList<ValuesFile> &a, const QList<ValuesFile> &b, bool all, bool deps)
{
    DvcDiff d;
    QStringList files;
    for (const auto *side : {&a, &b}) {
        for (const ValuesFile &f : *side) {
            if (!files.contains(f.path))
                files << f.path;
        }
    }
    files.sort();
    auto fileIn = [](const QList<ValuesFile> &list, const QString &path) -> const ValuesFile * {
        for (const ValuesFile &f : list) {
            if (f.path == path)
                return &f;
        }
        return nullptr;
    };
    for (const QString &path : std::as_const(files)) {
        const ValuesFile *fa = fileIn(a, path);
        const ValuesFile *fb = fileIn(b, path);
        QStringList keys;
        QSet<QString> seen;
        for (const ValuesFile *f : {fa, fb}) {
            if (!f)
                continue;
            for (const FlatValue &v : f->values) {
                if (!seen.contains(v.key)) {
                    seen.insert(v.key);
                    keys << v.key;
                }
            }
        }
        keys.sort();
        for (const QString &key : std::as_const(keys)) {
            if (deps && !((fa && fa->isUsed(key)) || (fb && fb->isUsed(key))))
                continue;
            ValueDiff e;
            e.file = path;
            e.key = key;
            if (const FlatValue *v = fa ? fa->find(key) : nullptr)
                e.before = *v;
            if (const FlatValue *v = fb ? fb->find(key) : nullptr)
                e.after = *v;
            e.changed = !e.before || !e.after || !sameJson(e.before->value, e.after->value);
            if (e.before && e.after && e.before->number() && e.after->number())
                e.change = *e.after->number() - *e.before->number();
            if (e.changed || all)
                d.entries.append(e);
        }
    }
    return d;
}

QString table(const QList<QStringList> &rows)
{
    QList<qsizetype> widths;
    for (const QStringList &r : rows) {
        for (qsizetype c = 0; c < r.size(); ++c) {
            if (widths.size() <= c)
                widths.append(0);
            widths[c] = std::max(widths[c], r[c].size());
        }
    }
    QString out;
    for (const QStringList &r : rows) {
        QString line;
        for (qsizetype c = 0; c < r.size(); ++c)
            line += c + 1 < r.size() ? r[c].leftJustified(widths[c] + 2) : r[c];
        out += line.trimmed().isEmpty() ? QString() : line + u'\n';
    }
    return out;
}

// A column of the experiments table: a (file, key) of params or metrics, or a dep's path.
struct Column
{
    QString file;
    QString key;
};

QList<Column> columnsOf(const QList<DvcRow> &rows, bool metrics)
{
    QList<Column> cols;
    for (const DvcRow &r : rows) {
        for (const ValuesFile &f : metrics ? r.metrics : r.params) {
            for (const FlatValue &v : f.values) {
                const bool known = std::any_of(cols.cbegin(), cols.cend(), [&](const Column &c) {
                    return c.file == f.path && c.key == v.key;
                });
                if (!known)
                    cols.append(Column{f.path, v.key});
            }
        }
    }
    return cols;
}

QString header(const QList<Column> &cols, const Column &c)
{
    const auto same =
        std::count_if(cols.cbegin(), cols.cend(), [&](const Column &o) { return o.key == c.key; });
    return same > 1 ? u"%1:%2"_s.arg(c.file, c.key) : c.key;
}

QString cell(const QList<ValuesFile> &files, const Column &c)
{
    for (const ValuesFile &f : files) {
        if (f.path == c.file) {
            if (const FlatValue *v = f.find(c.key))
                return v->text;
        }
    }
    return u"-"_s;
}

QJsonObject filesJson(const QList<ValuesFile> &files)
{
    QJsonObject out;
    for (const ValuesFile &f : files) {
        QJsonObject values;
        for (const FlatValue &v : f.values)
            values.insert(v.key, jsonOf(v.value));
        out.insert(f.path, values);
    }
    return out;
}

QJsonArray entriesJson(const QList<LockEntry> &entries)
{
    QJsonArray out;
    for (const LockEntry &e : entries)
        out.append(QJsonObject{{u"path"_s, e.path}, {u"md5"_s, e.md5}});
    return out;
}

} // namespace

DvcDiff diffDvcMetrics(const DvcRow &a, const DvcRow &b, bool all)
{
    DvcDiff d = diffFiles(a.metrics, b.metrics, all, false);
    d.a = rowLabel(a);
    d.b = rowLabel(b);
    d.metrics = true;
    return d;
}

DvcDiff diffDvcParams(const DvcRow &a, const DvcRow &b, bool all, bool deps)
{
    DvcDiff d = diffFiles(a.params, b.params, all, deps);
    d.a = rowLabel(a);
    d.b = rowLabel(b);
    d.metrics = false;
    for (ValueDiff &e : d.entries)
        e.change.reset(); // `dvc params diff` has no Change column
    return d;
}

QString dvcDiffText(const DvcDiff &diff)
{
    if (diff.entries.isEmpty())
        return u"No %1 changed between %2 and %3.\n"_s.arg(
            diff.metrics ? u"metrics"_s : u"params"_s, diff.a, diff.b);
    QList<QStringList> rows;
    QStringList head{u"Path"_s, diff.metrics ? u"Metric"_s : u"Param"_s, diff.a, diff.b};
    if (diff.metrics)
        head << u"Change"_s;
    rows << head;
    for (const ValueDiff &e : diff.entries) {
        QStringList r{e.file, e.key, e.before ? e.before->text : u"-"_s,
                      e.after ? e.after->text : u"-"_s};
        if (diff.metrics)
            r << (e.change ? number(*e.change) : u"-"_s);
        rows << r;
    }
    return table(rows);
}

QJsonObject dvcDiffJson(const DvcDiff &diff)
{
    QJsonObject out;
    for (const ValueDiff &e : diff.entries) {
        QJsonObject file = out.value(e.file).toObject();
        QJsonObject entry{
            {u"old"_s, e.before ? jsonOf(e.before->value) : QJsonValue()},
            {u"new"_s, e.after ? jsonOf(e.after->value) : QJsonValue()},
        };
        if (diff.metrics)
            entry.insert(u"diff"_s, e.change ? jsonOf(*e.change) : QJsonValue());
        file.insert(e.key, entry);
        out.insert(e.file, file);
    }
    return out;
}

QString dvcExperimentsText(const QList<DvcRow> &rows)
{
    const QList<Column> metrics = columnsOf(rows, true);
    const QList<Column> params = columnsOf(rows, false);
    QStringList deps;
    for (const DvcRow &r : rows) {
        for (const DvcStage &s : r.stages) {
            for (const LockEntry &d : s.deps) {
                if (!deps.contains(d.path))
                    deps << d.path;
            }
        }
    }
    QList<QStringList> lines;
    QStringList head{u"Experiment"_s, u"rev"_s, u"Created"_s};
    for (const Column &c : metrics)
        head << header(metrics, c);
    for (const Column &c : params)
        head << header(params, c);
    head << deps;
    lines << head;
    for (const DvcRow &r : rows) {
        QString name = r.refs.isEmpty() ? u"-"_s : r.refs.join(u","_s);
        if (r.workspace)
            name = u"workspace"_s;
        else if (!r.experiment.isEmpty())
            name = u"  "_s + r.experiment; // under its baseline, as DVC nests it
        QStringList line{name, r.workspace ? u"-"_s : r.shortRev,
                         r.created.isValid() ? r.created.toString(u"yyyy-MM-dd HH:mm"_s) : u"-"_s};
        for (const Column &c : metrics)
            line << cell(r.metrics, c);
        for (const Column &c : params)
            line << cell(r.params, c);
        for (const QString &path : std::as_const(deps)) {
            QString md5 = u"-"_s;
            for (const DvcStage &s : r.stages) {
                for (const LockEntry &d : s.deps) {
                    if (d.path == path && !d.md5.isEmpty())
                        md5 = d.md5.left(8);
                }
            }
            line << md5;
        }
        lines << line;
    }
    QString out = table(lines);
    for (const DvcRow &r : rows) {
        if (!r.workspace)
            continue;
        out +=
            r.differsFromHead
                ? u"\nThe workspace differs from HEAD in: %1\n"_s.arg(r.changedFiles.join(u", "_s))
                : u"\nThe workspace matches HEAD.\n"_s;
        if (r.stages.isEmpty())
            continue;
        out += u"\nStages (workspace against dvc.lock):\n"_s;
        qsizetype w = 0;
        for (const DvcStage &s : r.stages)
            w = std::max(w, s.name.size());
        for (const DvcStage &s : r.stages) {
            QString line = u"  %1  %2"_s.arg(s.name.leftJustified(w), stageStateName(s.state));
            QStringList what;
            for (const StageChange &c : s.changes)
                what << u"%1 %2 %3"_s.arg(c.kind, c.item, c.status);
            if (!what.isEmpty())
                line += u": "_s + what.join(u"; "_s);
            out += line + u'\n';
        }
    }
    return out;
}

QJsonArray dvcExperimentsJson(const QList<DvcRow> &rows)
{
    QJsonArray out;
    for (const DvcRow &r : rows) {
        QJsonArray stages;
        for (const DvcStage &s : r.stages) {
            QJsonArray changes;
            for (const StageChange &c : s.changes)
                changes.append(
                    QJsonObject{{u"kind"_s, c.kind}, {u"item"_s, c.item}, {u"status"_s, c.status}});
            stages.append(QJsonObject{
                {u"name"_s, s.name},
                {u"cmd"_s, s.cmd},
                {u"state"_s, stageStateName(s.state)},
                {u"deps"_s, entriesJson(s.deps)},
                {u"outs"_s, entriesJson(s.outs)},
                {u"params"_s, filesJson(s.params)},
                {u"changes"_s, changes},
            });
        }
        QJsonArray warnings;
        for (const Error &w : r.warnings)
            warnings.append(w.toString());
        out.append(QJsonObject{
            {u"rev"_s, r.rev},
            {u"short_rev"_s, r.shortRev},
            {u"workspace"_s, r.workspace},
            {u"summary"_s, r.summary},
            {u"created"_s,
             r.created.isValid() ? QJsonValue(r.created.toString(Qt::ISODate)) : QJsonValue()},
            {u"refs"_s, QJsonArray::fromStringList(r.refs)},
            {u"experiment"_s, r.experiment.isEmpty() ? QJsonValue() : QJsonValue(r.experiment)},
            {u"baseline"_s, r.baseline.isEmpty() ? QJsonValue() : QJsonValue(r.baseline)},
            {u"differs_from_head"_s, r.differsFromHead},
            {u"changed_files"_s, QJsonArray::fromStringList(r.changedFiles)},
            {u"has_dvc_yaml"_s, r.hasDvcYaml},
            {u"params"_s, filesJson(r.params)},
            {u"metrics"_s, filesJson(r.metrics)},
            {u"plots"_s, QJsonArray::fromStringList(r.plots)},
            {u"stages"_s, stages},
            {u"warnings"_s, warnings},
        });
    }
    return out;
}

} // namespace cairn::dvc
