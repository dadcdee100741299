// The `checks:` block of a dataset in cairn.yaml. Keep in step with docs/project-file.md.

#include "checksyaml.h"

#include "drift/drift.h"

#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn {

namespace {

class ChecksReader
{
public:
    ChecksReader(YamlFile &yaml, const QString &datasetName)
        : y(yaml)
        , ctx(u"the checks of dataset \"%1\""_s.arg(datasetName))
    {}

    std::optional<DatasetChecks> read(const YAML::Node &node)
    {
        const qsizetype before = y.errors().size();
        if (!y.expectMap(node, ctx))
            return std::nullopt;
        y.checkKeys(node, {u"rows"_s, u"columns"_s, u"drift"_s}, ctx);
        DatasetChecks c;
        c.location = y.where(node);
        if (const auto r = valueOf(node, "rows"); r.IsDefined() && !r.IsNull())
            readRows(r, c);
        if (const auto cols = valueOf(node, "columns"); cols.IsDefined() && !cols.IsNull())
            readColumns(cols, c);
        if (const auto d = valueOf(node, "drift"); d.IsDefined() && !d.IsNull())
            readDrift(d, c);
        if (y.errors().size() != before)
            return std::nullopt;
        return c;
    }

private:
    // A finite number, or an error at `v` naming `what`.
    std::optional<double> number(const YAML::Node &v, const QString &what)
    {
        const auto s = y.expectScalar(v, what);
        if (!s)
            return std::nullopt;
        bool ok = false;
        const double x = s->trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(x)) {
            y.error(v, u"%1 must be a number, not \"%2\""_s.arg(what, *s));
            return std::nullopt;
        }
        return x;
    }

    std::optional<qint64> count(const YAML::Node &v, const QString &what)
    {
        const auto s = y.expectScalar(v, what);
        if (!s)
            return std::nullopt;
        bool ok = false;
        const qint64 n = s->trimmed().toLongLong(&ok);
        if (!ok || n < 0) {
            y.error(v, u"%1 must be a whole number from 0, not \"%2\""_s.arg(what, *s));
            return std::nullopt;
        }
        return n;
    }

    std::optional<double> share(const YAML::Node &v, const QString &what)
    {
        const auto x = number(v, what);
        if (x && (*x < 0 || *x > 1)) {
            y.error(v, u"%1 is a share from 0 to 1, not %2"_s.arg(what, QString::number(*x)),
                    u"Write 0.01 for one percent"_s);
            return std::nullopt;
        }
        return x;
    }

    std::optional<bool> boolean(const YAML::Node &v, const QString &what)
    {
        const auto s = y.expectScalar(v, what);
        if (!s)
            return std::nullopt;
        const QString t = s->trimmed().toLower();
        if (t == u"true"_s)
            return true;
        if (t == u"false"_s)
            return false;
        y.error(v, u"%1 must be true or false, not \"%2\""_s.arg(what, *s));
        return std::nullopt;
    }

    void checkOrder(const YAML::Node &map, const QString &what, std::optional<double> low,
                    std::optional<double> high)
    {
        if (low && high && *low > *high)
            y.error(valueOf(map, "min"),
                    u"%1: min (%2) is above max (%3)"_s.arg(what, QString::number(*low),
                                                            QString::number(*high)),
                    u"Swap them, or fix the one that is wrong"_s);
    }

    void readRows(const YAML::Node &node, DatasetChecks &c)
    {
        const QString what = ctx + u" \"rows\""_s;
        if (!y.expectMap(node, what))
            return;
        y.checkKeys(node, {u"min"_s, u"max"_s}, what);
        if (const auto v = valueOf(node, "min"); v.IsDefined() && !v.IsNull())
            c.minRows = count(v, u"the minimum row count"_s);
        if (const auto v = valueOf(node, "max"); v.IsDefined() && !v.IsNull())
            c.maxRows = count(v, u"the maximum row count"_s);
        if (c.minRows && c.maxRows)
            checkOrder(node, what, double(*c.minRows), double(*c.maxRows));
    }

    void readColumns(const YAML::Node &node, DatasetChecks &c)
    {
        const QString what = ctx + u" \"columns\""_s;
        if (!y.expectMap(node, what))
            return;
        y.checkDuplicateKeys(node, what);
        for (auto it = node.begin(); it != node.end(); ++it) {
            const YAML::Node keyNode = it->first;
            const YAML::Node body = it->second; // a copy: `->` yields a temporary proxy
            ColumnCheck col;
            col.column = toQString(keyNode.Scalar());
            col.location = y.where(keyNode);
            const QString cctx = u"the checks of column \"%1\""_s.arg(col.column);
            if (body.IsDefined() && !body.IsNull()) { // `age:` alone: the column must exist
                if (!y.expectMap(body, cctx))
                    continue;
                readColumn(body, cctx, col);
            }
            c.columns.append(col);
        }
    }

    void readColumn(const YAML::Node &body, const QString &cctx, ColumnCheck &col)
    {
        y.checkKeys(body,
                    {u"kind"_s, u"min"_s, u"max"_s, u"missing"_s, u"max_missing"_s, u"unique"_s,
                     u"allowed"_s},
                    cctx);
        if (const auto v = valueOf(body, "kind"); v.IsDefined() && !v.IsNull()) {
            if (auto s = y.expectScalar(v, u"the kind of column \"%1\""_s.arg(col.column))) {
                const QString k = s->trimmed();
                const QStringList kinds{u"int"_s, u"float"_s, u"bool"_s, u"string"_s};
                if (kinds.contains(k)) {
                    col.kind = k;
                } else {
                    const QString close = closestMatch(k, kinds);
                    y.error(v, u"column kind \"%1\" is not one Cairn knows"_s.arg(k),
                            close.isEmpty() ? u"Use int, float, bool or string"_s
                                            : u"Did you mean \"%1\"?"_s.arg(close));
                }
            }
        }
        if (const auto v = valueOf(body, "min"); v.IsDefined() && !v.IsNull())
            col.min = number(v, u"the min of column \"%1\""_s.arg(col.column));
        if (const auto v = valueOf(body, "max"); v.IsDefined() && !v.IsNull())
            col.max = number(v, u"the max of column \"%1\""_s.arg(col.column));
        checkOrder(body, cctx, col.min, col.max);
        if (const auto v = valueOf(body, "missing"); v.IsDefined() && !v.IsNull())
            col.maxMissingCount =
                count(v, u"the missing count allowed in column \"%1\""_s.arg(col.column));
        if (const auto v = valueOf(body, "max_missing"); v.IsDefined() && !v.IsNull())
            col.maxMissingShare = share(v, u"the max_missing of column \"%1\""_s.arg(col.column));
        if (const auto v = valueOf(body, "unique"); v.IsDefined() && !v.IsNull())
            col.unique =
                boolean(v, u"the unique of column \"%1\""_s.arg(col.column)).value_or(false);
        if (const auto v = valueOf(body, "allowed"); v.IsDefined() && !v.IsNull()) {
            if (!v.IsSequence()) {
                y.error(
                    v,
                    u"the allowed values of column \"%1\" must be a list, but they are %2"_s.arg(
                        col.column, YamlFile::describe(v)),
                    u"Write `allowed: [a, b, c]`"_s);
            } else if (auto list = y.expectScalarOrList(
                           v, u"the allowed values of column \"%1\""_s.arg(col.column))) {
                col.allowed = *list;
            }
        }
    }

    void readDrift(const YAML::Node &node, DatasetChecks &c)
    {
        const QString what = ctx + u" \"drift\""_s;
        if (!y.expectMap(node, what))
            return;
        y.checkKeys(node, {u"max_share"_s, u"test"_s, u"threshold"_s, u"reference"_s}, what);
        DriftCheck d;
        d.location = y.where(node);
        if (const auto v = valueOf(node, "max_share"); v.IsDefined() && !v.IsNull()) {
            if (auto x = share(v, u"the drift check's max_share"_s))
                d.maxShare = *x;
        }
        if (const auto v = valueOf(node, "test"); v.IsDefined() && !v.IsNull()) {
            if (auto s = y.expectScalar(v, u"the drift check's test"_s)) {
                const QStringList names = drift::testNames();
                const QString close = closestMatch(s->trimmed(), names);
                if (names.contains(s->trimmed()))
                    d.test = s->trimmed();
                else
                    y.error(v, u"unknown drift test \"%1\""_s.arg(*s),
                            close.isEmpty() ? u"Tests: %1"_s.arg(names.join(u", "_s))
                                            : u"Did you mean \"%1\"?"_s.arg(close));
            }
        }
        if (const auto v = valueOf(node, "threshold"); v.IsDefined() && !v.IsNull()) {
            d.threshold = number(v, u"the drift check's threshold"_s);
            if (d.threshold && *d.threshold < 0) {
                y.error(v, u"the drift check's threshold must not be negative"_s);
                d.threshold.reset();
            }
        }
        if (const auto v = valueOf(node, "reference"); v.IsDefined() && !v.IsNull()) {
            if (auto s = y.expectScalar(v, u"the drift check's reference"_s))
                d.reference = s->trimmed();
        }
        c.drift = d;
    }

    YamlFile &y;
    QString ctx;
};

} // namespace

std::optional<DatasetChecks> readDatasetChecks(YamlFile &y, const YAML::Node &node,
                                               const QString &datasetName)
{
    return ChecksReader(y, datasetName).read(node);
}

} // namespace cairn
