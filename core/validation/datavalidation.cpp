// Data validation rules over a table, and a dataset version checked against its `checks:`.

#include "datavalidation.h"

#include "diff/tableversion.h"
#include "drift/history.h"
#include "project/glob.h"
#include "vcs/revision.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QLocale>
#include <QRegularExpression>
#include <QSet>

#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn::validation {

namespace {

bool isMissing(const Column &c, qsizetype row)
{
    switch (c.type) {
    case ColumnType::Int64:
        return false;
    case ColumnType::Float64:
        return std::isnan(c.floats[size_t(row)]);
    case ColumnType::Bool:
        return c.bools[size_t(row)] < 0;
    case ColumnType::String:
        return c.codes[size_t(row)] < 0;
    }
    return false;
}

QString floatRepr(double x)
{
    if (std::isinf(x))
        return x > 0 ? u"inf"_s : u"-inf"_s;
    QString s = QString::number(x, 'g', QLocale::FloatingPointShortest);
    if (!s.contains(u'.') && !s.contains(u'e') && !s.contains(u'n'))
        s += u".0"_s; // Python's repr of a whole float
    return s;
}

// The value of a cell as text (Python's repr of numbers, True/False), nullopt when missing.
std::optional<QString> valueText(const Column &c, qsizetype row)
{
    if (isMissing(c, row))
        return std::nullopt;
    switch (c.type) {
    case ColumnType::Int64:
        return QString::number(c.ints[size_t(row)]);
    case ColumnType::Float64:
        return floatRepr(c.floats[size_t(row)]);
    case ColumnType::Bool:
        return c.bools[size_t(row)] ? u"True"_s : u"False"_s;
    case ColumnType::String:
        return c.dictionary[size_t(c.codes[size_t(row)])];
    }
    return std::nullopt;
}

// Collects the rows for which `offends(row)` holds: their count and the first few.
template<typename Pred>
void collect(RuleResult &r, const Column &c, qsizetype rows, Pred offends)
{
    for (qsizetype i = 0; i < rows; ++i) {
        if (!offends(i))
            continue;
        ++r.offendingRows;
        if (r.examples.size() < kMaxExamples)
            r.examples.append({i + 1, valueText(c, i)});
    }
    r.passed = r.offendingRows == 0;
}

QString rowsWord(qint64 n)
{
    return n == 1 ? u"1 row"_s : u"%1 rows"_s.arg(n);
}

QString num(double x)
{
    return QString::number(x, 'g', QLocale::FloatingPointShortest);
}

std::optional<double> asNumber(const QString &text)
{
    bool ok = false;
    const double x = text.trimmed().toDouble(&ok);
    return ok ? std::optional<double>(x) : std::nullopt;
}

// Does a non-missing cell fit `kind`? Numbers count as strings; whole floats count as ints
// (the reader makes an int column with a missing value float, as pandas does).
bool fitsKind(const Column &c, qsizetype row, const QString &kind)
{
    if (kind == u"string"_s)
        return true;
    switch (c.type) {
    case ColumnType::Int64:
        return kind == u"int"_s || kind == u"float"_s;
    case ColumnType::Float64: {
        const double x = c.floats[size_t(row)];
        return kind == u"float"_s || (kind == u"int"_s && std::isfinite(x) && x == std::trunc(x));
    }
    case ColumnType::Bool:
        return kind == u"bool"_s;
    case ColumnType::String: {
        const QString &s = c.dictionary[size_t(c.codes[size_t(row)])];
        if (kind == u"bool"_s) {
            const QString t = s.trimmed().toLower();
            return t == u"true"_s || t == u"false"_s;
        }
        if (kind == u"int"_s) {
            bool ok = false;
            s.trimmed().toLongLong(&ok);
            return ok;
        }
        return asNumber(s).has_value();
    }
    }
    return false;
}

void rowsRule(const Table &t, const DatasetChecks &checks, ValidationReport &report)
{
    if (!checks.minRows && !checks.maxRows)
        return;
    RuleResult r;
    r.rule = u"rows"_s;
    const bool low = checks.minRows && t.rows < *checks.minRows;
    const bool high = checks.maxRows && t.rows > *checks.maxRows;
    r.passed = !low && !high;
    if (low)
        r.message = u"%1, fewer than the minimum of %2"_s.arg(rowsWord(t.rows),
                                                              QString::number(*checks.minRows));
    else if (high)
        r.message = u"%1, more than the maximum of %2"_s.arg(rowsWord(t.rows),
                                                             QString::number(*checks.maxRows));
    else
        r.message = u"%1, within bounds"_s.arg(rowsWord(t.rows));
    report.rules.append(r);
}

void kindRule(const Table &t, const Column &c, const ColumnCheck &check, ValidationReport &report)
{
    RuleResult r;
    r.rule = u"kind"_s;
    r.column = check.column;
    collect(r, c, t.rows,
            [&](qsizetype i) { return !isMissing(c, i) && !fitsKind(c, i, check.kind); });
    r.message = r.passed
                    ? u"every value is %1 (read as %2)"_s.arg(check.kind, columnTypeName(c.type))
                    : u"%1 not %2 (the column is read as %3)"_s.arg(
                          rowsWord(r.offendingRows), check.kind, columnTypeName(c.type));
    report.rules.append(r);
}

void rangeRule(const Table &t, const Column &c, const ColumnCheck &check, ValidationReport &report)
{
    RuleResult r;
    r.rule = u"range"_s;
    r.column = check.column;
    const double low = check.min.value_or(-INFINITY);
    const double high = check.max.value_or(INFINITY);
    const QString bounds = check.min && check.max ? u"from %1 to %2"_s.arg(num(low), num(high))
                           : check.min            ? u"at least %1"_s.arg(num(low))
                                                  : u"at most %1"_s.arg(num(high));
    auto outside = [&](double x) { return !(x >= low && x <= high); };
    switch (c.type) {
    case ColumnType::Int64:
        collect(r, c, t.rows, [&](qsizetype i) { return outside(double(c.ints[size_t(i)])); });
        break;
    case ColumnType::Float64:
        collect(r, c, t.rows, [&](qsizetype i) {
            const double x = c.floats[size_t(i)];
            return !std::isnan(x) && outside(x);
        });
        break;
    case ColumnType::Bool:
    case ColumnType::String:
        // Not a number column: the values that are not numbers (or are out of range) offend,
        // and the rule fails even when every value happens to be numeric text.
        collect(r, c, t.rows, [&](qsizetype i) {
            if (isMissing(c, i))
                return false;
            if (c.type == ColumnType::Bool)
                return true;
            const auto x = asNumber(c.dictionary[size_t(c.codes[size_t(i)])]);
            return !x || outside(*x);
        });
        r.passed = false;
        r.message =
            u"a range needs numbers, but the column is read as %1: %2 not a number %3"_s.arg(
                columnTypeName(c.type), rowsWord(r.offendingRows), bounds);
        report.rules.append(r);
        return;
    }
    // "3 rows below 18 or above 100", "2 rows below 0", "1 row above 100".
    const QString broken = check.min && check.max
                               ? u"below %1 or above %2"_s.arg(num(low), num(high))
                           : check.min ? u"below %1"_s.arg(num(low))
                                       : u"above %1"_s.arg(num(high));
    r.message = r.passed ? u"every value is %1"_s.arg(bounds)
                         : u"%1 %2"_s.arg(rowsWord(r.offendingRows), broken);
    report.rules.append(r);
}

void missingRule(const Table &t, const Column &c, const ColumnCheck &check,
                 ValidationReport &report)
{
    RuleResult r;
    r.rule = u"missing"_s;
    r.column = check.column;
    collect(r, c, t.rows, [&](qsizetype i) { return isMissing(c, i); });
    const qint64 n = r.offendingRows;
    const double share = t.rows > 0 ? double(n) / double(t.rows) : 0.0;
    const QLocale l = QLocale::c();
    QStringList limits;
    bool ok = true;
    if (check.maxMissingCount) {
        ok = ok && n <= *check.maxMissingCount;
        limits.append(u"at most %1"_s.arg(*check.maxMissingCount));
    }
    if (check.maxMissingShare) {
        ok = ok && share <= *check.maxMissingShare;
        limits.append(u"at most %1%"_s.arg(l.toString(*check.maxMissingShare * 100, 'g', 6)));
    }
    r.passed = ok;
    if (ok)
        r.examples.clear(); // within the allowance: nothing to point at
    r.message = u"%1 missing (%2%), %3 allowed"_s.arg(rowsWord(n), l.toString(share * 100, 'f', 2),
                                                      limits.join(u" and "_s));
    report.rules.append(r);
}

void uniqueRule(const Table &t, const QList<const Column *> &cols, const QString &rule,
                const QString &name, ValidationReport &report)
{
    RuleResult r;
    r.rule = rule;
    r.column = name;
    // A row's value, the key columns joined; missing parts make a row offend for a key and
    // leave it out for a unique column (the missing rules count those).
    auto keyOf = [&](qsizetype i) -> std::optional<QString> {
        QString k;
        for (const Column *c : cols) {
            const auto v = valueText(*c, i);
            if (!v)
                return std::nullopt;
            k += *v + QChar(0x1f);
        }
        return k;
    };
    QHash<QString, qint64> counts;
    counts.reserve(t.rows);
    for (qsizetype i = 0; i < t.rows; ++i) {
        if (const auto k = keyOf(i))
            ++counts[*k];
    }
    qint64 missing = 0;
    for (qsizetype i = 0; i < t.rows; ++i) {
        const auto k = keyOf(i);
        const bool offends = k ? counts.value(*k) > 1 : rule == u"key"_s;
        if (!k && offends)
            ++missing;
        if (!offends)
            continue;
        ++r.offendingRows;
        if (r.examples.size() < kMaxExamples) {
            QStringList parts;
            for (const Column *c : cols)
                parts.append(valueText(*c, i).value_or(QString()));
            r.examples.append(
                {i + 1, k || cols.size() > 1 ? std::optional(parts.join(u", "_s)) : std::nullopt});
        }
    }
    r.passed = r.offendingRows == 0;
    if (r.passed)
        r.message = u"every value is unique"_s;
    else if (missing > 0)
        r.message = u"%1 share a value with another row; %2 lack a key value"_s.arg(
            rowsWord(r.offendingRows - missing), rowsWord(missing));
    else
        r.message = u"%1 share a value with another row"_s.arg(rowsWord(r.offendingRows));
    report.rules.append(r);
}

void allowedRule(const Table &t, const Column &c, const ColumnCheck &check,
                 ValidationReport &report)
{
    RuleResult r;
    r.rule = u"allowed"_s;
    r.column = check.column;
    const QSet<QString> allowed(check.allowed->begin(), check.allowed->end());
    collect(r, c, t.rows, [&](qsizetype i) {
        const auto v = valueText(c, i);
        return v && !allowed.contains(*v);
    });
    r.message = r.passed
                    ? u"every value is one of the %1 allowed"_s.arg(allowed.size())
                    : u"%1 with a value not in the allowed list"_s.arg(rowsWord(r.offendingRows));
    report.rules.append(r);
}

void driftRule(const Table &t, const DriftCheck &check,
               const std::optional<DriftReference> &reference, ValidationReport &report)
{
    RuleResult r;
    r.rule = u"drift"_s;
    if (!reference || !reference->table) {
        r.passed = false;
        r.message = u"no reference to compare with"_s;
        report.rules.append(r);
        return;
    }
    drift::DriftOptions options = reference->options;
    if (!check.test.isEmpty())
        options.test = check.test;
    if (check.threshold)
        options.threshold = check.threshold;
    options.driftShare = check.maxShare;
    options.profiles = false;
    const auto d = drift::computeDrift(*reference->table, t, options);
    if (!d) {
        r.passed = false;
        r.message =
            u"drift against %1 could not be computed: %2"_s.arg(reference->name, d.error().message);
        report.rules.append(r);
        return;
    }
    QStringList drifted;
    for (const drift::ColumnDrift &c : d->columns) {
        if (c.drifted())
            drifted.append(c.name);
    }
    const int tested = d->dataset.columns;
    const double share = tested > 0 ? double(drifted.size()) / tested : 0.0;
    r.passed = share <= check.maxShare;
    const QLocale l = QLocale::c();
    r.message = u"%1 of %2 columns drifted against %3 (%4%, at most %5% allowed)%6"_s.arg(
        QString::number(drifted.size()), QString::number(tested), reference->name,
        l.toString(share * 100, 'f', 1), l.toString(check.maxShare * 100, 'g', 6),
        drifted.isEmpty() ? QString() : u": "_s + drifted.join(u", "_s));
    report.rules.append(r);
}

// True when the dataset pattern `pattern` (as in cairn.yaml: `*`, `?`, `[abc]` within a
// segment, `**` for any folders, or a folder naming every file below it) names `relative`,
// whether or not the file exists now.
bool patternNames(const QString &pattern, const QString &relative)
{
    const QString p = QDir::cleanPath(pattern);
    if (!isGlobPattern(p))
        return relative == p || relative.startsWith(p + u'/');
    QString rx;
    for (qsizetype i = 0; i < p.size(); ++i) {
        const QChar c = p.at(i);
        if (c == u'*' && i + 1 < p.size() && p.at(i + 1) == u'*') {
            const bool slash = i + 2 < p.size() && p.at(i + 2) == u'/';
            rx += slash ? u"(?:.*/)?"_s : u".*"_s;
            i += slash ? 2 : 1;
        } else if (c == u'*') {
            rx += u"[^/]*"_s;
        } else if (c == u'?') {
            rx += u"[^/]"_s;
        } else if (c == u'[') {
            const qsizetype close = p.indexOf(u']', i + 1);
            if (close < 0) {
                rx += u"\\["_s;
            } else {
                QString set = p.mid(i + 1, close - i - 1);
                if (set.startsWith(u'!'))
                    set[0] = u'^';
                rx += u'[' + set.replace(u"\\"_s, u"\\\\"_s) + u']';
                i = close;
            }
        } else {
            rx += QRegularExpression::escape(QString(c));
        }
    }
    return QRegularExpression(QRegularExpression::anchoredPattern(rx)).match(relative).hasMatch();
}

} // namespace

bool ValidationReport::passed() const
{
    return std::all_of(rules.begin(), rules.end(), [](const RuleResult &r) { return r.passed; });
}

ValidationReport validateTable(const Table &table, const DatasetChecks &checks,
                               const std::optional<DriftReference> &reference)
{
    ValidationReport report;
    report.rows = table.rows;
    rowsRule(table, checks, report);
    for (const ColumnCheck &check : checks.columns) {
        const Column *c = table.column(check.column);
        if (!c) {
            RuleResult r;
            r.rule = u"column"_s;
            r.column = check.column;
            r.passed = false;
            r.message = u"the column is missing from the table"_s;
            report.rules.append(r);
            continue;
        }
        if (!check.kind.isEmpty())
            kindRule(table, *c, check, report);
        if (check.min || check.max)
            rangeRule(table, *c, check, report);
        if (check.maxMissingCount || check.maxMissingShare)
            missingRule(table, *c, check, report);
        if (check.unique)
            uniqueRule(table, {c}, u"unique"_s, check.column, report);
        if (check.allowed)
            allowedRule(table, *c, check, report);
    }
    if (!checks.key.isEmpty()) {
        QList<const Column *> cols;
        QStringList absent;
        for (const QString &k : checks.key) {
            if (const Column *c = table.column(k))
                cols.append(c);
            else
                absent.append(k);
        }
        if (!absent.isEmpty()) {
            RuleResult r;
            r.rule = u"key"_s;
            r.column = checks.key.join(u", "_s);
            r.passed = false;
            r.message =
                u"the key column(s) %1 are missing from the table"_s.arg(absent.join(u", "_s));
            report.rules.append(r);
        } else {
            uniqueRule(table, cols, u"key"_s, checks.key.join(u", "_s), report);
        }
    }
    if (checks.drift)
        driftRule(table, *checks.drift, reference, report);
    return report;
}

Result<ValidationReport> validateDataset(const Project &project, const QString &spec,
                                         const Progress &progress)
{
    // A dataset name (with or without @REV) or else a path.
    const DatasetSpec *ds = project.dataset(spec);
    QString rev;
    if (!ds) {
        const qsizetype at = spec.lastIndexOf(u'@');
        if (at > 0) {
            ds = project.dataset(QStringView(spec).left(at));
            if (ds)
                rev = spec.mid(at + 1);
        }
    }
    QString fileSpec = spec;
    if (ds) {
        const QStringList files = project.resolveFiles(ds->paths);
        if (files.size() != 1)
            return fail(
                Error(u"dataset \"%1\" matches %2 files now, not one"_s.arg(
                          ds->name, QString::number(files.size())),
                      project.projectFile, ds->location.line, ds->location.column)
                    .withHint(u"Validate one of its files by path, such as `cairn-cli validate "
                              "data/batch.csv`"_s));
        fileSpec = rev.isEmpty() ? files.first() : files.first() + u'@' + rev;
    }
    auto version = resolveFileVersion(fileSpec, project.rootDir);
    QStringList names;
    for (const DatasetSpec &d : project.datasets)
        names.append(d.name);
    const QString datasetsHint = names.isEmpty() ? u"Declare the dataset and its checks under "
                                                   "`datasets:` in cairn.yaml"_s
                                                 : u"Datasets: %1"_s.arg(names.join(u", "_s));
    if (!version) {
        const QString path =
            spec.left(spec.lastIndexOf(u'@') > 0 ? spec.lastIndexOf(u'@') : spec.size());
        if (!ds && !QFileInfo::exists(QDir(project.rootDir).filePath(path)))
            return fail(Error(u"\"%1\" is neither a dataset of the project nor a file"_s.arg(spec))
                            .withHint(datasetsHint));
        return fail(version.error());
    }
    if (!ds) {
        const QString file = QDir::cleanPath(version->path);
        for (const DatasetSpec &d : project.datasets) {
            if (project.resolveFiles(d.paths).contains(file)) {
                ds = &d;
                break;
            }
        }
        // A version of a file that is gone now (a batch moved away after a run read it): the
        // dataset whose patterns name its path.
        for (const DatasetSpec &d : project.datasets) {
            if (ds)
                break;
            for (const QString &pattern : d.paths) {
                if (patternNames(pattern, project.relativePath(file))) {
                    ds = &d;
                    break;
                }
            }
        }
        if (!ds)
            return fail(Error(u"\"%1\" is neither a dataset of the project nor one of its "
                              "files"_s.arg(spec))
                            .withHint(datasetsHint));
    }
    if (!ds->checks)
        return fail(Error(u"dataset \"%1\" declares no checks"_s.arg(ds->name), project.projectFile,
                          ds->location.line, ds->location.column)
                        .withHint(u"Add a `checks:` block to it (docs/project-file.md, \"Data "
                                  "validation\")"_s));
    const DatasetChecks &checks = *ds->checks;

    std::optional<Table> referenceTable;
    std::optional<DriftReference> reference;
    if (checks.drift) {
        const QString refName = !checks.drift->reference.isEmpty() ? checks.drift->reference
                                : project.drift                    ? project.drift->reference
                                                                   : QString();
        if (refName.isEmpty())
            return fail(Error(u"the drift check of dataset \"%1\" has no reference"_s.arg(ds->name),
                              project.projectFile, checks.drift->location.line,
                              checks.drift->location.column)
                            .withHint(u"Add `reference: DATASET` to the check, or a `drift:` "
                                      "section naming the project's reference"_s));
        QString refSpec = refName;
        if (project.dataset(refName)) {
            auto file = drift::resolveDataFile(&project, refName, project.rootDir);
            if (!file)
                return fail(file.error());
            refSpec = *file;
        }
        auto refVersion = resolveFileVersion(refSpec, project.rootDir);
        if (!refVersion)
            return fail(refVersion.error());
        auto table = diff::readTableVersion(*refVersion);
        if (!table)
            return fail(table.error());
        referenceTable = std::move(*table);
        reference = DriftReference{&*referenceTable, refName, {}};
        if (project.drift) {
            if (auto r = drift::applySettings(*project.drift, reference->options); !r)
                return fail(r.error());
        }
    }

    auto table = diff::readTableVersion(*version, progress);
    if (!table)
        return fail(table.error());
    ValidationReport report = validateTable(*table, checks, reference);
    report.dataset = ds->name;
    report.version = project.relativePath(version->path);
    if (!version->rev.isEmpty())
        report.version += u'@' + version->rev;
    return report;
}

} // namespace cairn::validation
