// Cairn's reference-binned mode (referenceprofile.h): bins from the reference alone, stored as a
// profile and reused for every batch.

#include "driftinternal.h"
#include "referenceprofile.h"

#include <QJsonArray>
#include <QLocale>

#include <algorithm>
#include <cmath>

using namespace Qt::StringLiterals;

namespace cairn::drift {

using namespace detail;

namespace {

constexpr int kQuantiles = 513;

const QString &newValuesLabel()
{
    static const QString label = u"(not in reference)"_s;
    return label;
}

ReferenceColumnProfile profileOf(const Column &col, const DriftOptions &o)
{
    ReferenceColumnProfile p;
    p.name = col.name;
    p.kind = o.kinds.contains(col.name) ? o.kinds.value(col.name) : inferKind(col);
    p.isBool = col.type == ColumnType::Bool;
    Cleaned c = clean(col);
    p.numeric = c.numeric;
    p.rows = c.rawRows;
    p.missing = c.missing;
    p.count = c.numeric ? qint64(c.values.size()) : qint64(c.codes.size());
    if (p.kind == ColumnKind::Text || p.kind == ColumnKind::Unknown) {
        p.skipped = p.kind == ColumnKind::Text
                        ? u"text column: most values are distinct; text drift is not tested"_s
                        : u"no value to test"_s;
        return p;
    }
    if (p.count == 0) {
        p.skipped = u"the column is empty in the reference after dropping missing values"_s;
        return p;
    }
    if (p.kind == ColumnKind::Numerical && !c.numeric) {
        p.skipped = u"the column is declared numerical but holds text"_s;
        return p;
    }
    if (c.numeric) {
        std::vector<double> sorted(c.values.begin(), c.values.end());
        std::sort(sorted.begin(), sorted.end());
        const std::size_t n = sorted.size();
        const std::size_t points = std::min<std::size_t>(n, kQuantiles);
        for (std::size_t i = 0; i < points; ++i)
            p.quantiles.push_back(sorted[points == 1 ? n - 1 : (i * (n - 1)) / (points - 1)]);
        std::vector<double> distinct = sorted;
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        if (p.kind == ColumnKind::Numerical && distinct.size() > 20) {
            p.edges = sturgesEdges(c.values);
            const std::vector<double> mid = histogramCounts(c.values, p.edges);
            p.counts.reserve(mid.size() + 2);
            p.counts.push_back(0); // underflow: no reference value lies outside its own range
            p.counts.insert(p.counts.end(), mid.begin(), mid.end());
            p.counts.push_back(0);
            return p;
        }
        p.byValue = true;
        p.values = distinct;
        p.counts.assign(distinct.size() + 1, 0);
        std::size_t bin = 0;
        for (double v : sorted) {
            while (p.values[bin] != v)
                ++bin;
            p.counts[bin] += 1;
        }
        return p;
    }
    p.byValue = true;
    std::vector<double> perCode(col.dictionary.size(), 0);
    for (std::int32_t code : c.codes)
        perCode[std::size_t(code)] += 1;
    QList<QPair<QString, double>> entries;
    for (std::size_t i = 0; i < perCode.size(); ++i) {
        if (perCode[i] > 0)
            entries.append({col.dictionary[i], perCode[i]});
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto &a, const auto &b) { return a.first < b.first; });
    for (const auto &[label, count] : entries) {
        p.labels.append(label);
        p.counts.push_back(count);
    }
    p.counts.push_back(0);
    return p;
}

// The current column's counts in the profile's bins.
Result<std::vector<double>> countInto(const ReferenceColumnProfile &p, const Cleaned &c,
                                      const Column &col)
{
    if (c.numeric != p.numeric)
        return fail(
            Error(u"the reference holds %1 where the current holds %2"_s.arg(
                      p.numeric ? u"numbers"_s : u"text"_s, c.numeric ? u"numbers"_s : u"text"_s))
                .withHint(u"Check the column's values in both files"_s));
    std::vector<double> counts(p.counts.size(), 0);
    if (!p.byValue) {
        const double low = p.edges.front();
        const double high = p.edges.back();
        for (double v : c.values) {
            if (v < low)
                counts.front() += 1;
            else if (v > high)
                counts.back() += 1;
        }
        const std::vector<double> mid = histogramCounts(c.values, p.edges);
        std::copy(mid.begin(), mid.end(), counts.begin() + 1);
        return counts;
    }
    if (c.numeric) {
        for (double v : c.values) {
            const auto it = std::lower_bound(p.values.begin(), p.values.end(), v);
            const std::size_t bin = it != p.values.end() && *it == v
                                        ? std::size_t(it - p.values.begin())
                                        : counts.size() - 1;
            counts[bin] += 1;
        }
        return counts;
    }
    QHash<QString, std::size_t> index;
    for (qsizetype i = 0; i < p.labels.size(); ++i)
        index.insert(p.labels[i], std::size_t(i));
    std::vector<std::size_t> binOfCode(col.dictionary.size(), counts.size() - 1);
    for (std::size_t i = 0; i < col.dictionary.size(); ++i)
        binOfCode[i] = index.value(col.dictionary[i], counts.size() - 1);
    for (std::int32_t code : c.codes)
        counts[binOfCode[std::size_t(code)]] += 1;
    return counts;
}

Result<TestResult> binnedTest(const QString &name, std::vector<double> ref, std::vector<double> cur,
                              double threshold)
{
    // Bins empty on both sides say nothing and would make 0/0 terms: drop them.
    std::vector<double> r;
    std::vector<double> c;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        if (ref[i] > 0 || cur[i] > 0) {
            r.push_back(ref[i]);
            c.push_back(cur[i]);
        }
    }
    CategoricalSample s;
    s.refCounts = r;
    s.curCounts = c;
    if (name == u"chisquare"_s)
        return chiSquare(s, threshold);
    if (name == u"hellinger"_s)
        return hellingerCategorical(s, threshold);
    const double nr = s.nRef();
    const double nc = s.nCur();
    Binned b;
    for (std::size_t i = 0; i < r.size(); ++i) {
        b.ref.push_back(r[i] / nr);
        b.cur.push_back(c[i] / nc);
    }
    b.mode = u"reference(%1 bins)"_s.arg(r.size());
    if (name == u"psi"_s)
        return psi(b, threshold);
    if (name == u"kl_div"_s)
        return klDivergence(b, threshold);
    if (name == u"jensenshannon"_s)
        return jensenShannon(b, threshold);
    return fail(Error(u"%1 needs every reference value; in reference-binned mode use %2"_s.arg(
        name, referenceBinnedTests().join(u", "_s))));
}

void fillChartProfile(const ReferenceColumnProfile &p, const std::vector<double> &cur,
                      const Cleaned &c, ColumnProfile &out)
{
    const double nr = std::max<double>(1, double(p.count));
    double nc = 0;
    for (double x : cur)
        nc += x;
    nc = std::max(1.0, nc);
    if (!p.byValue) {
        double curMin = p.edges.front();
        double curMax = p.edges.back();
        for (double v : c.values) {
            curMin = std::min(curMin, v);
            curMax = std::max(curMax, v);
        }
        const std::size_t k = p.edges.size() - 1;
        if (cur.front() > 0) {
            out.edges.push_back(curMin);
            out.refShares.push_back(p.counts.front() / nr);
            out.curShares.push_back(cur.front() / nc);
        }
        for (std::size_t i = 0; i <= k; ++i)
            out.edges.push_back(p.edges[i]);
        for (std::size_t i = 1; i <= k; ++i) {
            out.refShares.push_back(p.counts[i] / nr);
            out.curShares.push_back(cur[i] / nc);
        }
        if (cur.back() > 0) {
            out.edges.push_back(curMax);
            out.refShares.push_back(p.counts.back() / nr);
            out.curShares.push_back(cur.back() / nc);
        }
        const std::size_t points = p.quantiles.size();
        const std::size_t n = std::size_t(p.count);
        for (std::size_t i = 0; i < points; ++i) {
            const std::size_t rank = points == 1 ? n - 1 : (i * (n - 1)) / (points - 1);
            out.refEcdfX.push_back(p.quantiles[i]);
            out.refEcdfY.push_back(double(rank + 1) / double(n));
        }
        std::vector<double> sorted(c.values.begin(), c.values.end());
        std::sort(sorted.begin(), sorted.end());
        const std::size_t m = sorted.size();
        const std::size_t curPoints = std::min<std::size_t>(m, kQuantiles);
        for (std::size_t i = 0; i < curPoints; ++i) {
            const std::size_t rank = curPoints == 1 ? m - 1 : (i * (m - 1)) / (curPoints - 1);
            out.curEcdfX.push_back(sorted[rank]);
            out.curEcdfY.push_back(double(rank + 1) / double(m));
        }
        return;
    }
    const QStringList labels = p.binLabels();
    std::vector<std::size_t> order(labels.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return p.counts[a] + cur[a] > p.counts[b] + cur[b];
    });
    for (std::size_t i = 0; i < order.size() && out.categories.size() < 50; ++i) {
        const std::size_t bin = order[i];
        if (p.counts[bin] == 0 && cur[bin] == 0)
            continue;
        out.categories.append(labels[qsizetype(bin)]);
        out.refShares.push_back(p.counts[bin] / nr);
        out.curShares.push_back(cur[bin] / nc);
    }
}

ColumnDrift driftAgainst(const ReferenceColumnProfile &p, const Column &col, const DriftOptions &o)
{
    ColumnDrift d;
    d.name = p.name;
    d.kind = p.kind;
    const Cleaned c = clean(col);
    d.nRef = p.count;
    d.nCur = c.numeric ? qint64(c.values.size()) : qint64(c.codes.size());
    d.missingShareRef = p.rows ? double(p.missing) / double(p.rows) : 0;
    d.missingShareCur = c.rawRows ? double(c.missing) / double(c.rawRows) : 0;
    d.missingDrifted = std::abs(d.missingShareCur - d.missingShareRef) >= o.missingShareThreshold;

    std::optional<std::vector<double>> counts;
    QString countError;
    if (p.skipped.isEmpty() && d.nCur > 0) {
        auto r = countInto(p, c, col);
        if (r)
            counts = std::move(*r);
        else
            countError = r.error().message;
    }
    auto run = [&](const QString &name) {
        TestOutcome t;
        t.name = name;
        t.threshold = o.threshold.value_or(name == u"missing_share"_s ? o.missingShareThreshold
                                                                      : defaultThreshold(name));
        if (name == u"missing_share"_s) {
            const double delta = d.missingShareCur - d.missingShareRef;
            t.result =
                TestResult{std::abs(delta), delta, std::nullopt, std::abs(delta) >= t.threshold};
            return t;
        }
        if (!counts) {
            t.error = countError;
            return t;
        }
        auto r = binnedTest(name, p.counts, *counts, t.threshold);
        if (r)
            t.result = *r;
        else
            t.error = r.error().message;
        return t;
    };

    if (!p.skipped.isEmpty()) {
        if (p.kind == ColumnKind::Text || p.kind == ColumnKind::Unknown)
            d.skipped = p.skipped;
        else
            d.error = p.skipped;
    } else if (d.nCur == 0) {
        d.error = u"the column is empty in the current after dropping missing values"_s;
    } else {
        d.test = o.test.isEmpty() ? u"psi"_s : o.test;
        const TestOutcome main = run(d.test);
        d.threshold = main.threshold;
        d.result = main.result;
        d.error = main.error.isEmpty() ? countError : main.error;
        d.tests.append(main);
    }
    for (const QString &extra : o.extraTests) {
        if (extra == d.test || !referenceBinnedTests().contains(extra))
            continue;
        if (extra != u"missing_share"_s && !counts)
            continue;
        d.tests.append(run(extra));
    }
    if (counts)
        fillChartProfile(p, *counts, c, d.profile);
    return d;
}

QJsonArray numbers(const std::vector<double> &v)
{
    QJsonArray a;
    for (double x : v)
        a.append(jsonNumber(x));
    return a;
}

std::vector<double> numbersFrom(const QJsonValue &v)
{
    std::vector<double> out;
    for (const QJsonValue &x : v.toArray())
        out.push_back(numberFromJson(x));
    return out;
}

} // namespace

QStringList ReferenceColumnProfile::binLabels() const
{
    QStringList out;
    if (!byValue) {
        const QLocale c = QLocale::c();
        out.append(u"< %1"_s.arg(c.toString(edges.front(), 'g', 6)));
        for (std::size_t i = 0; i + 1 < edges.size(); ++i)
            out.append(
                u"[%1, %2%3"_s.arg(c.toString(edges[i], 'g', 6), c.toString(edges[i + 1], 'g', 6))
                    .arg(i + 2 == edges.size() ? u']' : u')'));
        out.append(u"> %1"_s.arg(c.toString(edges.back(), 'g', 6)));
        return out;
    }
    if (numeric) {
        for (double v : values)
            out.append(numberLabel(v, isBool));
    } else {
        out = labels;
    }
    out.append(newValuesLabel());
    return out;
}

const ReferenceColumnProfile *ReferenceProfile::column(QStringView name) const
{
    for (const ReferenceColumnProfile &c : columns) {
        if (c.name == name)
            return &c;
    }
    return nullptr;
}

QStringList referenceBinnedTests()
{
    return {u"psi"_s,       u"kl_div"_s,    u"jensenshannon"_s,
            u"hellinger"_s, u"chisquare"_s, u"missing_share"_s};
}

Result<ReferenceProfile> buildReferenceProfile(const Table &reference, const DriftOptions &options,
                                               const Progress &progress)
{
    ReferenceProfile profile;
    profile.source = reference.source;
    profile.rows = reference.rows;
    QList<const Column *> columns;
    for (const Column &c : reference.columns) {
        if (!options.ignore.contains(c.name))
            columns.append(&c);
    }
    profile.columns.resize(columns.size());
    if (auto done =
            forEachParallel(int(columns.size()), options.threads, progress,
                            [&](int i) { profile.columns[i] = profileOf(*columns[i], options); });
        !done)
        return fail(done.error());
    return profile;
}

Result<DriftReport> computeDriftAgainstProfile(const ReferenceProfile &profile,
                                               const Table &current, const DriftOptions &options,
                                               const Progress &progress)
{
    if (auto okNames = checkTestNames(options); !okNames)
        return fail(okNames.error());
    if (!options.test.isEmpty() && !referenceBinnedTests().contains(options.test))
        return fail(
            Error(u"%1 cannot run in reference-binned mode: it needs every reference value"_s.arg(
                      options.test))
                .withHint(u"Use one of %1, or Evidently's binning"_s.arg(
                    referenceBinnedTests().join(u", "_s))));
    QList<QPair<const ReferenceColumnProfile *, const Column *>> pairs;
    for (const Column &c : current.columns) {
        if (options.ignore.contains(c.name))
            continue;
        if (const ReferenceColumnProfile *p = profile.column(c.name))
            pairs.append({p, &c});
    }
    if (pairs.isEmpty())
        return fail(Error(u"the current table shares no column with the reference profile"_s,
                          current.source)
                        .withHint(u"Compare files with the same header"_s));
    DriftReport report;
    for (const ReferenceColumnProfile &p : profile.columns)
        if (!current.column(p.name) && !options.ignore.contains(p.name))
            report.onlyInReference.append(p.name);
    for (const Column &c : current.columns)
        if (!profile.column(c.name) && !options.ignore.contains(c.name))
            report.onlyInCurrent.append(c.name);
    report.reference = profile.source;
    report.current = current.source;
    report.columns.resize(pairs.size());
    if (auto done = forEachParallel(int(pairs.size()), options.threads, progress,
                                    [&](int i) {
                                        report.columns[i] = driftAgainst(*pairs[i].first,
                                                                         *pairs[i].second, options);
                                    });
        !done)
        return fail(done.error());
    summarise(report, options.driftShare);
    return report;
}

QJsonObject profileToJson(const ReferenceProfile &profile)
{
    QJsonArray columns;
    for (const ReferenceColumnProfile &c : profile.columns) {
        QJsonObject o;
        o.insert(u"name"_s, c.name);
        o.insert(u"type"_s, kindName(c.kind));
        o.insert(u"values"_s, c.numeric ? (c.isBool ? u"bool"_s : u"number"_s) : u"text"_s);
        o.insert(u"rows"_s, c.rows);
        o.insert(u"missing"_s, c.missing);
        o.insert(u"count"_s, c.count);
        if (!c.skipped.isEmpty()) {
            o.insert(u"skipped"_s, c.skipped);
        } else if (c.byValue) {
            if (c.numeric)
                o.insert(u"bin_values"_s, numbers(c.values));
            else
                o.insert(u"bin_values"_s, QJsonArray::fromStringList(c.labels));
        } else {
            o.insert(u"edges"_s, numbers(c.edges));
        }
        if (c.skipped.isEmpty())
            o.insert(u"counts"_s, numbers(c.counts));
        if (!c.quantiles.empty())
            o.insert(u"quantiles"_s, numbers(c.quantiles));
        columns.append(o);
    }
    QJsonObject root;
    root.insert(u"cairn_reference_profile"_s, ReferenceProfile::kFormatVersion);
    root.insert(u"source"_s, profile.source);
    if (!profile.contentHash.isEmpty())
        root.insert(u"content_hash"_s, profile.contentHash);
    root.insert(u"rows"_s, profile.rows);
    root.insert(u"columns"_s, columns);
    return root;
}

Result<ReferenceProfile> profileFromJson(const QJsonObject &json, const QString &source)
{
    const QJsonValue version = json.value(u"cairn_reference_profile"_s);
    if (!version.isDouble())
        return fail(
            Error(u"not a Cairn reference profile (no \"cairn_reference_profile\" key)"_s, source)
                .withHint(u"Write one with `cairn-cli drift REF --save-profile FILE`"_s));
    if (version.toInt() != ReferenceProfile::kFormatVersion)
        return fail(Error(u"reference profile format %1 is not one this Cairn reads (it reads %2)"_s
                              .arg(version.toInt())
                              .arg(ReferenceProfile::kFormatVersion),
                          source)
                        .withHint(u"Write the profile again with this version of Cairn"_s));
    ReferenceProfile p;
    p.source = json.value(u"source"_s).toString(source);
    p.contentHash = json.value(u"content_hash"_s).toString();
    p.rows = json.value(u"rows"_s).toInteger();
    int index = 0;
    for (const QJsonValue &cv : json.value(u"columns"_s).toArray()) {
        ++index;
        const QJsonObject o = cv.toObject();
        ReferenceColumnProfile c;
        c.name = o.value(u"name"_s).toString();
        const auto kind = kindFromName(o.value(u"type"_s).toString());
        const QString values = o.value(u"values"_s).toString();
        auto bad = [&](const QString &what) {
            return Error(u"column %1 (\"%2\") of the reference profile: %3"_s.arg(index).arg(c.name,
                                                                                             what),
                         source)
                .withHint(
                    u"Write the profile again with `cairn-cli drift REF --save-profile FILE`"_s);
        };
        if (c.name.isEmpty())
            return fail(bad(u"no name"_s));
        c.kind = kind.value_or(ColumnKind::Unknown);
        c.numeric = values != u"text"_s;
        c.isBool = values == u"bool"_s;
        c.rows = o.value(u"rows"_s).toInteger();
        c.missing = o.value(u"missing"_s).toInteger();
        c.count = o.value(u"count"_s).toInteger();
        c.skipped = o.value(u"skipped"_s).toString();
        c.quantiles = numbersFrom(o.value(u"quantiles"_s));
        if (c.skipped.isEmpty()) {
            c.counts = numbersFrom(o.value(u"counts"_s));
            if (o.contains(u"edges"_s)) {
                c.edges = numbersFrom(o.value(u"edges"_s));
                if (c.edges.size() < 2 || c.counts.size() != c.edges.size() + 1 ||
                    !std::is_sorted(c.edges.begin(), c.edges.end()))
                    return fail(bad(u"its edges and counts do not match"_s));
            } else if (o.contains(u"bin_values"_s)) {
                c.byValue = true;
                if (c.numeric)
                    c.values = numbersFrom(o.value(u"bin_values"_s));
                else
                    for (const QJsonValue &v : o.value(u"bin_values"_s).toArray())
                        c.labels.append(v.toString());
                const std::size_t bins = c.numeric ? c.values.size() : std::size_t(c.labels.size());
                if (c.counts.size() != bins + 1)
                    return fail(bad(u"its values and counts do not match"_s));
            } else {
                return fail(bad(u"it has neither edges nor bin values"_s));
            }
        }
        p.columns.append(c);
    }
    if (p.columns.isEmpty())
        return fail(Error(u"the reference profile has no column"_s, source));
    return p;
}

} // namespace cairn::drift
