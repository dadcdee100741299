#include "drift.h"

#include "driftinternal.h"
#include "referenceprofile.h"

#include <QJsonArray>
#include <QLocale>
#include <QMutex>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentMap>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

using namespace Qt::StringLiterals;

namespace cairn::drift {

namespace detail {

// Evidently's registry: default thresholds and the kinds a test is registered for.
constexpr TestInfo kTests[] = {
    {u"ks", 0.05, true, Applies::Numeric},
    {u"wasserstein", 0.1, false, Applies::Numeric},
    {u"psi", 0.1, false, Applies::Both},
    {u"kl_div", 0.1, false, Applies::Both},
    {u"jensenshannon", 0.1, false, Applies::Both},
    {u"chisquare", 0.05, true, Applies::Categorical},
    {u"z", 0.05, true, Applies::Categorical},
    {u"anderson", 0.1, true, Applies::Numeric},
    {u"cramer_von_mises", 0.1, true, Applies::Numeric},
    {u"ed", 0.1, false, Applies::Numeric},
    {u"es", 0.05, true, Applies::Numeric},
    {u"fisher_exact", 0.1, true, Applies::Categorical},
    {u"g_test", 0.1, true, Applies::Categorical},
    {u"hellinger", 0.1, false, Applies::Both},
    {u"mannw", 0.05, true, Applies::Numeric},
    {u"t_test", 0.05, true, Applies::Numeric},
    {u"TVD", 0.1, true, Applies::Categorical},
    {u"empirical_mmd", 0.1, true, Applies::Numeric},
    {u"missing_share", 0.05, false, Applies::Any},
};

const TestInfo *findTest(QStringView name)
{
    for (const TestInfo &t : kTests) {
        if (t.name == name)
            return &t;
    }
    return nullptr;
}

Cleaned clean(const Column &c)
{
    Cleaned out;
    out.rawRows = c.size();
    switch (c.type) {
    case ColumnType::Int64:
        out.numeric = true;
        out.owned.assign(c.ints.begin(), c.ints.end());
        out.values = out.owned;
        break;
    case ColumnType::Float64: {
        out.numeric = true;
        const auto dropped = [](double v) { return !std::isfinite(v); }; // NaN and ±inf
        const auto first = std::find_if(c.floats.begin(), c.floats.end(), dropped);
        if (first == c.floats.end()) {
            out.values = c.floats; // nothing to drop: no copy
            break;
        }
        out.owned.reserve(c.floats.size());
        out.owned.assign(c.floats.begin(), first);
        for (auto it = first; it != c.floats.end(); ++it) {
            if (std::isnan(*it))
                ++out.missing;
            else if (std::isfinite(*it))
                out.owned.push_back(*it);
        }
        out.values = out.owned;
        break;
    }
    case ColumnType::Bool:
        out.numeric = true;
        out.owned.reserve(c.bools.size());
        for (std::int8_t b : c.bools) {
            if (b < 0)
                ++out.missing;
            else
                out.owned.push_back(double(b));
        }
        out.values = out.owned;
        break;
    case ColumnType::String:
        out.codes.reserve(c.codes.size());
        for (std::int32_t code : c.codes) {
            if (code < 0)
                ++out.missing;
            else
                out.codes.push_back(code);
        }
        break;
    }
    return out;
}

qsizetype distinctUpTo(std::span<const double> a, std::span<const double> b, qsizetype limit)
{
    std::vector<double> seen; // few: a linear search beats hashing
    for (const auto values : {a, b}) {
        for (const double v : values) {
            if (std::find(seen.begin(), seen.end(), v) != seen.end())
                continue;
            seen.push_back(v);
            if (qsizetype(seen.size()) > limit)
                return limit + 1;
        }
    }
    return qsizetype(seen.size());
}

bool applies(const TestInfo &t, ColumnKind kind)
{
    switch (t.applies) {
    case Applies::Any:
        return true;
    case Applies::Both:
        return kind == ColumnKind::Numerical || kind == ColumnKind::Categorical;
    case Applies::Numeric:
        return kind == ColumnKind::Numerical;
    case Applies::Categorical:
        return kind == ColumnKind::Categorical;
    }
    return false;
}

Result<void> checkTestNames(const DriftOptions &options)
{
    QStringList names = options.extraTests;
    if (!options.test.isEmpty())
        names.prepend(options.test);
    for (const QString &t : names) {
        if (!findTest(t)) {
            return fail(Error(u"unknown test \"%1\""_s.arg(t))
                            .withHint(u"Tests: %1"_s.arg(testNames().join(u", "_s))));
        }
    }
    return ok();
}

QString numberLabel(double v, bool isBool)
{
    if (isBool)
        return v != 0 ? u"True"_s : u"False"_s;
    return QLocale::c().toString(v, 'g', 15);
}

QList<QPair<const Column *, const Column *>>
sharedColumns(const Table &reference, const Table &current, const QStringList &ignore)
{
    QList<QPair<const Column *, const Column *>> pairs;
    for (const Column &c : current.columns) {
        if (ignore.contains(c.name))
            continue;
        if (const Column *r = reference.column(c.name))
            pairs.append(qMakePair(r, &c));
    }
    return pairs;
}

Result<void> forEachParallel(int n, int threads, const Progress &progress,
                             const std::function<void(int)> &job)
{
    std::atomic<int> done{0};
    std::atomic_bool cancelled{false};
    QMutex lock; // progress calls and the first failure
    QString failure;
    QThreadPool pool;
    pool.setMaxThreadCount(threads > 0 ? threads : QThread::idealThreadCount());
    QList<int> indices(n);
    std::iota(indices.begin(), indices.end(), 0);
    QtConcurrent::blockingMap(&pool, indices, [&](int i) {
        if (cancelled)
            return;
        try {
            job(i);
        } catch (const std::exception &e) { // e.g. std::bad_alloc: fail the report, not the app
            QMutexLocker locker(&lock);
            if (failure.isEmpty())
                failure = QString::fromLocal8Bit(e.what());
            cancelled = true;
            return;
        }
        const int finished = ++done;
        if (progress) {
            QMutexLocker locker(&lock);
            if (!progress(finished, n))
                cancelled = true;
        }
    });
    if (!failure.isEmpty())
        return fail(Error(u"computing drift failed: %1"_s.arg(failure))
                        .withHint(u"If this is out of memory, compare fewer columns at a time "
                                  "(--ignore) or use fewer threads (--threads)"_s));
    if (cancelled)
        return fail(Error(u"cancelled"_s));
    return ok();
}

void summarise(DriftReport &report, double driftShare)
{
    DatasetDrift &ds = report.dataset;
    ds = DatasetDrift{};
    ds.driftShare = driftShare;
    for (const ColumnDrift &c : report.columns) {
        if (c.result) {
            ++ds.columns;
            ds.driftedColumns += c.result->drifted ? 1 : 0;
        }
        ds.missingDriftedColumns += c.missingDrifted ? 1 : 0;
    }
    ds.shareDrifted = ds.columns ? double(ds.driftedColumns) / double(ds.columns) : 0;
    ds.drifted = ds.shareDrifted >= ds.driftShare;
}

QJsonValue jsonNumber(double v)
{
    if (std::isnan(v))
        return u"NaN"_s;
    if (std::isinf(v))
        return v > 0 ? u"Infinity"_s : u"-Infinity"_s;
    return v;
}

double numberFromJson(const QJsonValue &v)
{
    if (v.isDouble())
        return v.toDouble();
    const QString s = v.toString();
    if (s == u"Infinity"_s)
        return std::numeric_limits<double>::infinity();
    if (s == u"-Infinity"_s)
        return -std::numeric_limits<double>::infinity();
    return std::numeric_limits<double>::quiet_NaN();
}

} // namespace detail

using namespace detail;

namespace {

// Categories of both samples, sorted as Python sorts them, with counts and per-row codes.
Result<CategoricalSample> categorical(const Column &refCol, const Cleaned &ref,
                                      const Column &curCol, const Cleaned &cur, QStringList *labels)
{
    CategoricalSample s;
    if (ref.numeric != cur.numeric)
        return fail(Error(u"the reference holds %1 where the current holds %2; they cannot be "
                          "compared as categories"_s.arg(ref.numeric ? u"numbers"_s : u"text"_s,
                                                         cur.numeric ? u"numbers"_s : u"text"_s))
                        .withHint(u"Check the column's values in both files"_s));
    if (ref.numeric) {
        // Codes in first-seen order through a hash map (a categorical column has few values:
        // no copy or sort of the rows), then renumbered in ascending order of value.
        std::unordered_map<double, std::int32_t> index;
        std::vector<double> keys;
        auto encode = [&](std::span<const double> values, std::vector<std::int32_t> &codes) {
            codes.reserve(values.size());
            for (const double v : values) {
                if (keys.size() <= 16) { // few keys: a linear search beats hashing
                    const auto k = std::find(keys.begin(), keys.end(), v); // -0.0 == 0.0, as hashed
                    if (k != keys.end()) {
                        codes.push_back(std::int32_t(k - keys.begin()));
                        continue;
                    }
                }
                const auto [it, inserted] = index.try_emplace(v, std::int32_t(keys.size()));
                if (inserted)
                    keys.push_back(v);
                codes.push_back(it->second);
            }
        };
        encode(ref.values, s.refCodes);
        encode(cur.values, s.curCodes);
        std::vector<std::int32_t> order(keys.size());
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](std::int32_t a, std::int32_t b) {
            return keys[std::size_t(a)] < keys[std::size_t(b)];
        });
        std::vector<std::int32_t> rank(keys.size());
        std::vector<double> sortedKeys(keys.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            rank[std::size_t(order[i])] = std::int32_t(i);
            sortedKeys[i] = keys[std::size_t(order[i])];
        }
        keys = std::move(sortedKeys);
        s.refCounts.assign(keys.size(), 0);
        s.curCounts.assign(keys.size(), 0);
        for (std::int32_t &k : s.refCodes) {
            k = rank[std::size_t(k)];
            s.refCounts[std::size_t(k)] += 1;
        }
        for (std::int32_t &k : s.curCodes) {
            k = rank[std::size_t(k)];
            s.curCounts[std::size_t(k)] += 1;
        }
        if (labels) {
            const bool isBool = refCol.type == ColumnType::Bool && curCol.type == ColumnType::Bool;
            for (double k : keys)
                labels->append(numberLabel(k, isBool));
        }
        return s;
    }
    // Text: merge the two dictionaries by value.
    QHash<QString, std::int32_t> pos;
    QStringList names;
    auto collect = [&](const Column &c, const std::vector<std::int32_t> &codes,
                       std::vector<std::int32_t> &map) {
        map.assign(c.dictionary.size(), -1);
        std::vector<char> used(c.dictionary.size(), 0);
        for (std::int32_t code : codes)
            used[std::size_t(code)] = 1;
        for (std::size_t i = 0; i < c.dictionary.size(); ++i) {
            if (!used[i])
                continue;
            auto it = pos.find(c.dictionary[i]);
            if (it == pos.end()) {
                it = pos.insert(c.dictionary[i], std::int32_t(names.size()));
                names.append(c.dictionary[i]);
            }
            map[i] = *it;
        }
    };
    std::vector<std::int32_t> refMap, curMap;
    collect(refCol, ref.codes, refMap);
    collect(curCol, cur.codes, curMap);
    // Python sorts str by code point; QString compares UTF-16 units, which agrees outside the
    // supplementary planes.
    std::vector<std::int32_t> order(std::size_t(names.size()));
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](std::int32_t a, std::int32_t b) { return names[a] < names[b]; });
    std::vector<std::int32_t> rank(order.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        rank[std::size_t(order[i])] = std::int32_t(i);
    s.refCounts.assign(order.size(), 0);
    s.curCounts.assign(order.size(), 0);
    for (std::int32_t code : ref.codes) {
        const std::int32_t k = rank[std::size_t(refMap[std::size_t(code)])];
        s.refCodes.push_back(k);
        s.refCounts[std::size_t(k)] += 1;
    }
    for (std::int32_t code : cur.codes) {
        const std::int32_t k = rank[std::size_t(curMap[std::size_t(code)])];
        s.curCodes.push_back(k);
        s.curCounts[std::size_t(k)] += 1;
    }
    if (labels) {
        for (std::int32_t i : order)
            labels->append(names[i]);
    }
    return s;
}

// registry.py::_get_default_stattest
QString defaultTest(ColumnKind kind, qsizetype nRef, qsizetype nValues)
{
    if (nRef <= 1000) {
        if (kind == ColumnKind::Numerical) {
            if (nValues <= 5)
                return nValues > 2 ? u"chisquare"_s : u"z"_s;
            return u"ks"_s;
        }
        return nValues > 2 ? u"chisquare"_s : u"z"_s;
    }
    if (kind == ColumnKind::Numerical)
        return nValues <= 5 ? u"jensenshannon"_s : u"wasserstein"_s;
    return u"jensenshannon"_s;
}

struct ColumnInputs
{
    const Column *ref;
    const Column *cur;
    Cleaned r;
    Cleaned c;
    ColumnKind kind;
    std::optional<CategoricalSample> cats;
    QStringList labels;
    QString catError;
    bool mayReorder =
        false;           // no test asked for needs row order: r.values and c.values may be sorted
    bool sorted = false; // they are sorted (in place, once, for the tests that need it)
    void sortIfAllowed()
    {
        if (mayReorder && !sorted) {
            sortInPlace(r.own());
            sortInPlace(c.own());
            sorted = true;
        }
    }
};

// numpy.histogram_bin_edges(values, "sturges") from what it depends on: the count, the minimum
// and the maximum (width = range / (log2(n) + 1); ceil(range / width) equal bins; a zero range
// widens to ±0.5).
std::vector<double> sturgesEdgesOf(double low, double high, std::size_t n)
{
    if (!std::isfinite(high - low)) // the range overflows: one bin (numpy raises)
        return {low, high};
    std::size_t bins = 1;
    if (high > low) {
        const double width = (high - low) / (std::log2(double(n)) + 1.0);
        bins = std::size_t(std::ceil((high - low) / width));
    } else {
        low -= 0.5;
        high += 0.5;
    }
    std::vector<double> edges(bins + 1);
    const double step = (high - low) / double(bins);
    for (std::size_t i = 0; i <= bins; ++i)
        edges[i] = low + double(i) * step;
    edges.back() = high;
    return edges;
}

// Whether max - min of both samples together overflows to infinity (numpy cannot bin them).
bool rangeOverflows(std::span<const double> a, std::span<const double> b)
{
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    for (const auto *v : {&a, &b}) {
        const auto [mn, mx] = std::minmax_element(v->begin(), v->end());
        if (mn != v->end()) {
            lo = std::min(lo, *mn);
            hi = std::max(hi, *mx);
        }
    }
    return hi > lo && !std::isfinite(hi - lo);
}

Result<TestResult> runTest(const QString &name, ColumnInputs &in, double threshold)
{
    if (name == u"missing_share"_s) {
        const double a = in.r.rawRows ? double(in.r.missing) / double(in.r.rawRows) : 0;
        const double b = in.c.rawRows ? double(in.c.missing) / double(in.c.rawRows) : 0;
        const double d = std::abs(b - a);
        return TestResult{d, b - a, std::nullopt, d >= threshold};
    }
    const bool numericKind = in.kind == ColumnKind::Numerical;
    auto needNumbers = [&]() -> Result<void> {
        if (!in.r.numeric || !in.c.numeric)
            return fail(Error(u"%1 needs numbers, but the %2 holds text"_s.arg(
                name, in.r.numeric ? u"current"_s : u"reference"_s)));
        return ok();
    };
    auto needCategories = [&]() -> Result<const CategoricalSample *> {
        if (!in.cats) {
            QStringList labels;
            auto cs = categorical(*in.ref, in.r, *in.cur, in.c, &labels);
            if (!cs) {
                in.catError = cs.error().message;
                return fail(cs.error());
            }
            in.cats = std::move(*cs);
            in.labels = labels;
        }
        return &*in.cats;
    };
    // Read in.r.values and in.c.values where they are used: sorting may move them to a copy.
    // Numeric tests, from the row values or, where the test has that form, from values already
    // sorted (see driftOf): no second sort.
    using FromValues =
        Result<TestResult> (*)(std::span<const double>, std::span<const double>, double);
    using FromSorted = Result<TestResult> (*)(const SortedSample &, const SortedSample &, double);
    struct NumericTest
    {
        FromValues values = nullptr;
        FromSorted sorted = nullptr;
    };
    static const QHash<QString, NumericTest> numeric = {
        {u"ks"_s, {&ks, &ks}},
        {u"wasserstein"_s, {&wasserstein, &wasserstein}},
        {u"anderson"_s, {&anderson, &anderson}},
        {u"cramer_von_mises"_s, {&cramerVonMises, &cramerVonMises}},
        {u"ed"_s, {&energyDistance, &energyDistance}},
        {u"es"_s, {&eppsSingleton, &eppsSingleton}},
        {u"mannw"_s, {&mannWhitney, &mannWhitney}},
        {u"t_test"_s, {&tTest, &tTest}},
        {u"empirical_mmd"_s, {&empiricalMmd, nullptr}},
    };
    if (const NumericTest t = numeric.value(name); t.values) {
        if (auto okNumbers = needNumbers(); !okNumbers)
            return fail(okNumbers.error());
        // wasserstein and t_test do not sort: the others sort the columns once, in place.
        if (t.sorted && name != u"wasserstein"_s && name != u"t_test"_s)
            in.sortIfAllowed();
        if (t.sorted && in.sorted)
            return t.sorted(sortedSampleOf(in.r.values), sortedSampleOf(in.c.values), threshold);
        return t.values(in.r.values, in.c.values, threshold);
    }
    static const QHash<QString, Result<TestResult> (*)(const CategoricalSample &, double)> cats = {
        {u"chisquare"_s, &chiSquare}, {u"z"_s, &zTest},
        {u"g_test"_s, &gTest},        {u"fisher_exact"_s, &fisherExact},
        {u"TVD"_s, &totalVariation},
    };
    if (auto fn = cats.value(name)) {
        auto s = needCategories();
        if (!s)
            return fail(s.error());
        return fn(**s, threshold);
    }
    // Binned distances: numeric columns with more than 20 distinct reference values get Sturges
    // bins over both samples; everything else one bin per value.
    if (numericKind && in.r.numeric && in.c.numeric && rangeOverflows(in.r.values, in.c.values))
        return fail(Error(u"%1 cannot bin these values: from the smallest to the largest they span "
                          "more than the largest number (numpy fails here too)"_s.arg(name))
                        .withHint(u"Look for sentinel values such as -1e308 or 1e308, or choose a "
                                  "test that does not bin, such as ks or wasserstein"_s));
    if (name == u"hellinger"_s) {
        if (numericKind) {
            if (auto okNumbers = needNumbers(); !okNumbers)
                return fail(okNumbers.error());
            return hellingerNumeric(in.r.values, in.c.values, threshold);
        }
        auto s = needCategories();
        if (!s)
            return fail(s.error());
        return hellingerCategorical(**s, threshold);
    }
    if (name == u"psi"_s || name == u"kl_div"_s || name == u"jensenshannon"_s) {
        Binned b;
        if (numericKind && in.r.numeric && in.c.numeric && distinctUpTo(in.r.values, {}, 20) > 20) {
            b = binNumeric(in.r.values, in.c.values);
        } else {
            auto s = needCategories();
            if (!s)
                return fail(s.error());
            b = binCategorical(**s);
        }
        if (name == u"psi"_s)
            return psi(b, threshold);
        if (name == u"kl_div"_s)
            return klDivergence(b, threshold);
        return jensenShannon(b, threshold);
    }
    return fail(Error(u"unknown test \"%1\""_s.arg(name))
                    .withHint(u"Tests: %1"_s.arg(testNames().join(u", "_s))));
}

void fillProfile(ColumnInputs &in, ColumnProfile &p)
{
    if (in.kind == ColumnKind::Numerical && in.r.numeric && in.c.numeric && !in.r.values.empty() &&
        !in.c.values.empty()) {
        in.sortIfAllowed();
        std::vector<double> sortedRef;
        std::vector<double> sortedCur;
        if (!in.sorted) {
            sortedRef.assign(in.r.values.begin(), in.r.values.end());
            sortedCur.assign(in.c.values.begin(), in.c.values.end());
            sortInPlace(sortedRef);
            sortInPlace(sortedCur);
        }
        const std::span<const double> r = in.sorted ? in.r.values : sortedRef;
        const std::span<const double> c = in.sorted ? in.c.values : sortedCur;
        // Sturges edges depend only on the combined count, minimum and maximum.
        p.edges = sturgesEdgesOf(std::min(r.front(), c.front()), std::max(r.back(), c.back()),
                                 r.size() + c.size());
        auto shares = [&](std::span<const double> v) {
            std::vector<double> counts = histogramCounts(v, p.edges);
            for (double &x : counts)
                x /= double(v.size());
            return counts;
        };
        p.refShares = shares(r);
        p.curShares = shares(c);
        auto ecdf = [](std::span<const double> v, std::vector<double> &xs,
                       std::vector<double> &ys) {
            const std::size_t n = v.size();
            const std::size_t points = std::min<std::size_t>(n, 512);
            for (std::size_t i = 0; i < points; ++i) {
                const std::size_t k = points == 1 ? n - 1 : (i * (n - 1)) / (points - 1);
                xs.push_back(v[k]);
                ys.push_back(double(k + 1) / double(n));
            }
        };
        ecdf(r, p.refEcdfX, p.refEcdfY);
        ecdf(c, p.curEcdfX, p.curEcdfY);
        return;
    }
    if (in.kind != ColumnKind::Categorical && in.kind != ColumnKind::Numerical)
        return;
    if (!in.cats) {
        QStringList labels;
        auto cs = categorical(*in.ref, in.r, *in.cur, in.c, &labels);
        if (!cs)
            return;
        in.cats = std::move(*cs);
        in.labels = labels;
    }
    const CategoricalSample &s = *in.cats;
    std::vector<std::size_t> order(s.refCounts.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return s.refCounts[a] + s.curCounts[a] > s.refCounts[b] + s.curCounts[b];
    });
    const double nr = std::max(1.0, s.nRef());
    const double nc = std::max(1.0, s.nCur());
    for (std::size_t i = 0; i < order.size() && i < 50; ++i) {
        p.categories.append(in.labels.value(qsizetype(order[i])));
        p.refShares.push_back(s.refCounts[order[i]] / nr);
        p.curShares.push_back(s.curCounts[order[i]] / nc);
    }
}

ColumnDrift driftOf(const Column &refCol, const Column &curCol, const DriftOptions &o)
{
    ColumnDrift d;
    d.name = curCol.name;
    ColumnInputs in{&refCol, &curCol, clean(refCol), clean(curCol), ColumnKind::Unknown, {},
                    {},      {}};
    d.kind = o.kinds.contains(d.name) ? o.kinds.value(d.name) : inferKind(curCol);
    in.kind = d.kind;
    d.nRef = in.r.numeric ? qint64(in.r.values.size()) : qint64(in.r.codes.size());
    d.nCur = in.c.numeric ? qint64(in.c.values.size()) : qint64(in.c.codes.size());
    d.missingShareRef = in.r.rawRows ? double(in.r.missing) / double(in.r.rawRows) : 0;
    d.missingShareCur = in.c.rawRows ? double(in.c.missing) / double(in.c.rawRows) : 0;
    d.missingDrifted = std::abs(d.missingShareCur - d.missingShareRef) >= o.missingShareThreshold;
    // Numerical tests do not depend on the order of the rows, except the permutation test of
    // empirical_mmd: the tests that need sorted values sort once, in place, and the later steps
    // reuse them. Evidently's default on large columns (wasserstein) needs no sort.
    in.mayReorder = d.kind == ColumnKind::Numerical && in.r.numeric && in.c.numeric &&
                    o.test != u"empirical_mmd"_s && !o.extraTests.contains(u"empirical_mmd"_s);

    auto runNamed = [&](const QString &name) {
        TestOutcome t;
        t.name = name;
        t.threshold = o.threshold.value_or(defaultThreshold(name));
        if (name == u"missing_share"_s && !o.threshold)
            t.threshold = o.missingShareThreshold;
        auto r = runTest(name, in, t.threshold);
        if (r)
            t.result = *r;
        else
            t.error = r.error().message;
        return t;
    };

    if (d.kind == ColumnKind::Text || d.kind == ColumnKind::Unknown) {
        d.skipped =
            d.kind == ColumnKind::Text
                ? u"text column: most values are distinct; text drift is not tested"_s
                : (curCol.type == ColumnType::Bool
                       ? u"booleans with missing values (pandas reads them as objects); not tested"_s
                       : u"no value to test"_s);
    } else if (d.nRef == 0 || d.nCur == 0) {
        // Evidently's whole report fails here (evidently#1480); Cairn reports the column.
        d.error = u"the column is empty in the %1 after dropping missing values"_s.arg(
            d.nRef == 0 ? u"reference"_s : u"current"_s);
    } else {
        if (!o.test.isEmpty()) {
            d.test = o.test;
        } else {
            qsizetype nValues = 0;
            if (in.r.numeric && in.c.numeric && d.kind != ColumnKind::Categorical) {
                nValues = distinctUpTo(in.r.values, in.c.values, 5); // all defaultTest looks at
            } else { // the categories are needed anyway: count them
                auto s = categorical(refCol, in.r, curCol, in.c, &in.labels);
                if (s) {
                    nValues = qsizetype(s->refCounts.size());
                    in.cats = std::move(*s);
                }
            }
            d.test = defaultTest(d.kind, d.nRef, nValues);
        }
        const TestInfo *info = findTest(d.test);
        TestOutcome main;
        if (!o.test.isEmpty() && info && !applies(*info, d.kind)) {
            // Evidently refuses a test named for a kind it is not registered for
            // (StatTestInvalidFeatureTypeError); its own default choice may still use chisquare
            // or z on a numerical column with few values.
            main.name = d.test;
            main.threshold = o.threshold.value_or(defaultThreshold(d.test));
            main.error = u"%1 is not a test for %2 columns"_s.arg(d.test, kindName(d.kind));
        } else {
            main = runNamed(d.test);
        }
        d.threshold = main.threshold;
        d.result = main.result;
        d.error = main.error;
        d.tests.append(main);
    }
    for (const QString &extra : o.extraTests) {
        if (extra == d.test)
            continue;
        const TestInfo *info = findTest(extra);
        if (!info || !applies(*info, d.kind) ||
            (extra != u"missing_share"_s && (d.nRef == 0 || d.nCur == 0)))
            continue;
        d.tests.append(runNamed(extra));
    }
    if (o.profiles)
        fillProfile(in, d.profile);
    return d;
}

} // namespace

QString binningName(Binning binning)
{
    return binning == Binning::Reference ? u"reference"_s : u"evidently"_s;
}

QString kindName(ColumnKind kind)
{
    switch (kind) {
    case ColumnKind::Numerical:
        return u"numerical"_s;
    case ColumnKind::Categorical:
        return u"categorical"_s;
    case ColumnKind::Text:
        return u"text"_s;
    case ColumnKind::Unknown:
        break;
    }
    return u"unknown"_s;
}

std::optional<ColumnKind> kindFromName(QStringView name)
{
    for (ColumnKind k : {ColumnKind::Numerical, ColumnKind::Categorical, ColumnKind::Text}) {
        if (name.compare(kindName(k), Qt::CaseInsensitive) == 0)
            return k;
    }
    if (name.compare(u"num", Qt::CaseInsensitive) == 0)
        return ColumnKind::Numerical;
    if (name.compare(u"cat", Qt::CaseInsensitive) == 0)
        return ColumnKind::Categorical;
    return std::nullopt;
}

QStringList testNames()
{
    QStringList out;
    for (const TestInfo &t : kTests)
        out.append(t.name.toString());
    return out;
}

double defaultThreshold(QStringView test)
{
    const TestInfo *t = findTest(test);
    return t ? t->threshold : std::nan("");
}

bool isPValueTest(QStringView test)
{
    const TestInfo *t = findTest(test);
    return t && t->pValue;
}

ColumnKind inferKind(const Column &c)
{
    switch (c.type) {
    case ColumnType::Float64:
        return ColumnKind::Numerical;
    case ColumnType::Int64: {
        // Categorical with at most 10 distinct values: stop counting at the 11th.
        std::array<std::int64_t, 10> seen{};
        std::size_t n = 0;
        for (const std::int64_t x : c.ints) {
            if (std::find(seen.begin(), seen.begin() + n, x) != seen.begin() + n)
                continue;
            if (n == seen.size())
                return ColumnKind::Numerical;
            seen[n++] = x;
        }
        return ColumnKind::Categorical;
    }
    case ColumnType::Bool:
        return c.boolHasMissing ? ColumnKind::Unknown : ColumnKind::Categorical;
    case ColumnType::String: {
        std::vector<char> used(c.dictionary.size(), 0);
        qsizetype count = 0;
        qsizetype distinct = 0;
        for (std::int32_t code : c.codes) {
            if (code < 0)
                continue;
            ++count;
            if (!used[std::size_t(code)]) {
                used[std::size_t(code)] = 1;
                ++distinct;
            }
        }
        if (count == 0)
            return ColumnKind::Unknown;
        return double(distinct) > double(count) * 0.5 ? ColumnKind::Text : ColumnKind::Categorical;
    }
    }
    return ColumnKind::Unknown;
}

Result<DriftReport> computeDrift(const Table &reference, const Table &current,
                                 const DriftOptions &options, const Progress &progress)
{
    if (auto okNames = checkTestNames(options); !okNames)
        return fail(okNames.error());
    if (options.binning == Binning::Reference) {
        auto profile = buildReferenceProfile(reference, options, progress);
        if (!profile)
            return fail(profile.error());
        return computeDriftAgainstProfile(*profile, current, options, progress);
    }
    DriftReport report;
    report.reference = reference.source;
    report.current = current.source;
    const auto pairs = sharedColumns(reference, current, options.ignore);
    if (pairs.isEmpty())
        return fail(Error(u"the two tables share no column"_s, current.source)
                        .withHint(u"Compare files with the same header"_s));
    for (const Column &c : reference.columns)
        if (!current.column(c.name) && !options.ignore.contains(c.name))
            report.onlyInReference.append(c.name);
    for (const Column &c : current.columns)
        if (!reference.column(c.name) && !options.ignore.contains(c.name))
            report.onlyInCurrent.append(c.name);
    QList<ColumnDrift> results(pairs.size());
    if (auto done = forEachParallel(
            int(pairs.size()), options.threads, progress,
            [&](int i) { results[i] = driftOf(*pairs[i].first, *pairs[i].second, options); });
        !done)
        return fail(done.error());
    report.columns = results;
    summarise(report, options.driftShare);
    return report;
}

QJsonObject driftReportToJson(const DriftReport &report, bool notes)
{
    QJsonArray columns;
    for (const ColumnDrift &c : report.columns) {
        QJsonObject o;
        o.insert(u"name"_s, c.name);
        o.insert(u"type"_s, kindName(c.kind));
        o.insert(u"test"_s, c.test.isEmpty() ? QJsonValue() : QJsonValue(c.test));
        o.insert(u"score"_s, c.result ? jsonNumber(c.result->score) : QJsonValue());
        o.insert(u"p_value"_s,
                 c.result && c.result->pValue ? jsonNumber(*c.result->pValue) : QJsonValue());
        o.insert(u"threshold"_s, c.test.isEmpty() ? QJsonValue() : jsonNumber(c.threshold));
        o.insert(u"drifted"_s, c.drifted());
        o.insert(u"n_ref"_s, c.nRef);
        o.insert(u"n_cur"_s, c.nCur);
        o.insert(u"missing_share_ref"_s, jsonNumber(c.missingShareRef));
        o.insert(u"missing_share_cur"_s, jsonNumber(c.missingShareCur));
        QJsonObject tests;
        for (const TestOutcome &t : c.tests) {
            QJsonObject to;
            to.insert(u"score"_s, t.result ? jsonNumber(t.result->score) : QJsonValue());
            to.insert(u"statistic"_s, t.result && t.result->statistic
                                          ? jsonNumber(*t.result->statistic)
                                          : QJsonValue());
            to.insert(u"p_value"_s,
                      t.result && t.result->pValue ? jsonNumber(*t.result->pValue) : QJsonValue());
            to.insert(u"drifted"_s, t.result ? QJsonValue(t.result->drifted) : QJsonValue());
            tests.insert(t.name, to);
        }
        o.insert(u"tests"_s, tests);
        if (notes) {
            if (!c.error.isEmpty())
                o.insert(u"error"_s, c.error);
            if (!c.skipped.isEmpty())
                o.insert(u"skipped"_s, c.skipped);
            if (c.missingDrifted)
                o.insert(u"missing_drifted"_s, true);
            QJsonObject errors;
            for (const TestOutcome &t : c.tests) {
                if (!t.error.isEmpty())
                    errors.insert(t.name, t.error);
            }
            if (!errors.isEmpty())
                o.insert(u"test_errors"_s, errors);
        }
        columns.append(o);
    }
    QJsonObject ds;
    ds.insert(u"columns"_s, report.dataset.columns);
    ds.insert(u"drifted_columns"_s, report.dataset.driftedColumns);
    ds.insert(u"share_drifted"_s, jsonNumber(report.dataset.shareDrifted));
    ds.insert(u"drift_share"_s, jsonNumber(report.dataset.driftShare));
    ds.insert(u"drifted"_s, report.dataset.drifted);
    QJsonObject root;
    root.insert(u"reference"_s, report.reference);
    root.insert(u"current"_s, report.current);
    root.insert(u"columns"_s, columns);
    root.insert(u"dataset"_s, ds);
    return root;
}

Result<DriftReport> driftReportFromJson(const QJsonObject &json)
{
    DriftReport report;
    report.reference = json.value(u"reference"_s).toString();
    report.current = json.value(u"current"_s).toString();
    if (!json.value(u"columns"_s).isArray() || !json.value(u"dataset"_s).isObject())
        return fail(Error(u"not a drift report: \"columns\" or \"dataset\" is missing"_s));
    auto optionalNumber = [](const QJsonValue &v) -> std::optional<double> {
        if (v.isNull() || v.isUndefined())
            return std::nullopt;
        return numberFromJson(v);
    };
    for (const QJsonValue &cv : json.value(u"columns"_s).toArray()) {
        const QJsonObject o = cv.toObject();
        ColumnDrift c;
        c.name = o.value(u"name"_s).toString();
        c.kind = kindFromName(o.value(u"type"_s).toString()).value_or(ColumnKind::Unknown);
        c.test = o.value(u"test"_s).toString();
        c.threshold = numberFromJson(o.value(u"threshold"_s));
        c.nRef = o.value(u"n_ref"_s).toInteger();
        c.nCur = o.value(u"n_cur"_s).toInteger();
        c.missingShareRef = numberFromJson(o.value(u"missing_share_ref"_s));
        c.missingShareCur = numberFromJson(o.value(u"missing_share_cur"_s));
        c.error = o.value(u"error"_s).toString();
        c.skipped = o.value(u"skipped"_s).toString();
        c.missingDrifted = o.value(u"missing_drifted"_s).toBool();
        const QJsonObject tests = o.value(u"tests"_s).toObject();
        const QJsonObject testErrors = o.value(u"test_errors"_s).toObject();
        QStringList names = tests.keys();
        // The deciding test first, as computeDrift lists them.
        if (names.removeOne(c.test))
            names.prepend(c.test);
        for (const QString &name : names) {
            const QJsonObject t = tests.value(name).toObject();
            TestOutcome out;
            out.name = name;
            out.threshold = name == c.test ? c.threshold : defaultThreshold(name);
            out.error = testErrors.value(name).toString();
            if (auto score = optionalNumber(t.value(u"score"_s))) {
                TestResult r;
                r.score = *score;
                r.statistic = optionalNumber(t.value(u"statistic"_s));
                r.pValue = optionalNumber(t.value(u"p_value"_s));
                r.drifted = t.value(u"drifted"_s).toBool();
                out.result = r;
            }
            if (name == c.test)
                c.result = out.result;
            c.tests.append(out);
        }
        report.columns.append(c);
    }
    summarise(report, numberFromJson(json.value(u"dataset"_s).toObject().value(u"drift_share"_s)));
    return report;
}

QString driftReportToText(const DriftReport &report)
{
    const QLocale c = QLocale::c();
    QString out = u"Drift of %1 against %2\n\n"_s.arg(report.current, report.reference);
    out += u"%1  %2  %3  %4  %5  %6  %7\n"_s.arg(u"COLUMN"_s, -22)
               .arg(u"KIND"_s, -11)
               .arg(u"TEST"_s, -16)
               .arg(u"SCORE"_s, -11)
               .arg(u"THRESHOLD"_s, -9)
               .arg(u"DRIFT"_s, -5)
               .arg(u"MISSING REF → CUR"_s);
    for (const ColumnDrift &col : report.columns) {
        QString score = col.result ? c.toString(col.result->score, 'g', 5) : QString();
        QString verdict = col.result ? (col.result->drifted ? u"yes"_s : u"no"_s) : u"-"_s;
        QString missing = u"%1% → %2%"_s.arg(c.toString(col.missingShareRef * 100, 'f', 1),
                                             c.toString(col.missingShareCur * 100, 'f', 1));
        if (col.missingDrifted)
            missing += u"  (missing-share drift)"_s;
        out += u"%1  %2  %3  %4  %5  %6  %7\n"_s.arg(col.name.left(22), -22)
                   .arg(kindName(col.kind), -11)
                   .arg(col.test.isEmpty() ? u"-"_s : col.test, -16)
                   .arg(score, -11)
                   .arg(col.test.isEmpty() ? QString() : c.toString(col.threshold, 'g', 3), -9)
                   .arg(verdict, -5)
                   .arg(missing);
        if (!col.error.isEmpty())
            out += u"    not tested: %1\n"_s.arg(col.error);
        else if (!col.skipped.isEmpty())
            out += u"    %1\n"_s.arg(col.skipped);
    }
    const DatasetDrift &d = report.dataset;
    out +=
        u"\n%1 of %2 tested columns drifted (%3%; the dataset drifts at %4%): %5\n"_s
            .arg(d.driftedColumns)
            .arg(d.columns)
            .arg(c.toString(d.shareDrifted * 100, 'f', 1), c.toString(d.driftShare * 100, 'f', 0),
                 d.drifted ? u"DATASET DRIFT"_s : u"no dataset drift"_s);
    if (d.missingDriftedColumns > 0)
        out +=
            u"%1 column(s) changed their share of missing values.\n"_s.arg(d.missingDriftedColumns);
    if (!report.onlyInReference.isEmpty())
        out += u"Only in the reference, not compared: %1\n"_s.arg(
            report.onlyInReference.join(u", "_s));
    if (!report.onlyInCurrent.isEmpty())
        out += u"Only in the current table, not compared: %1\n"_s.arg(
            report.onlyInCurrent.join(u", "_s));
    return out;
}

} // namespace cairn::drift
