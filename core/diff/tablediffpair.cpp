// How two columns compare (Pair), per-column statistics, row hashes and the diff's errors.

#include "tablediff_p.h"

#include <QHash>

#include <xxhash.h>

using namespace Qt::StringLiterals;

namespace cairn::diff::detail {

std::uint64_t hashString(const QString &s)
{
    return XXH3_64bits(s.constData(), std::size_t(s.size()) * sizeof(QChar));
}

Pair makePair(const Column &ca, const Column &cb, int index)
{
    Pair p;
    p.index = index;
    p.a = &ca;
    p.b = &cb;
    if (isNumeric(ca.type) && isNumeric(cb.type)) {
        p.mode = Mode::Numeric;
    } else if (ca.type == ColumnType::Bool && cb.type == ColumnType::Bool) {
        p.mode = Mode::Bool;
    } else if (ca.type == ColumnType::String && cb.type == ColumnType::String) {
        p.mode = Mode::Codes;
        // Equal strings of the two dictionaries (distinct values each) get b's code.
        std::vector<std::uint64_t> hashB(cb.dictionary.size());
        for (std::size_t k = 0; k < hashB.size(); ++k)
            hashB[k] = hashString(cb.dictionary[k]);
        RowIndex inB(qsizetype(hashB.size()));
        for (std::size_t k = 0; k < hashB.size(); ++k) {
            std::size_t slot = 0;
            inB.find(
                hashB[k], [](std::int32_t) { return false; }, slot);
            inB.put(slot, std::int32_t(k), hashB[k]);
        }
        auto next = std::int32_t(cb.dictionary.size());
        p.codeMap.reserve(ca.dictionary.size());
        for (const QString &s : ca.dictionary) {
            std::size_t slot = 0;
            const std::uint64_t h = hashString(s);
            const std::int32_t k = inB.find(
                h,
                [&](std::int32_t code) {
                    return hashB[std::size_t(code)] == h && cb.dictionary[std::size_t(code)] == s;
                },
                slot);
            p.codeMap.push_back(k >= 0 ? k : next++);
        }
        p.rowCodesB = cb.codes.data();
    } else { // compared as text
        QHash<QString, std::int32_t> ids;
        auto codes = [&](const Column &c, std::vector<std::int32_t> &out) {
            out.resize(std::size_t(c.size()));
            for (qsizetype r = 0; r < c.size(); ++r) {
                if (missingAt(c, r)) {
                    out[std::size_t(r)] = -1;
                    continue;
                }
                const QString text = cellToString(c, r);
                auto it = ids.constFind(text);
                if (it == ids.constEnd())
                    it = ids.insert(text, std::int32_t(ids.size()));
                out[std::size_t(r)] = *it;
            }
        };
        codes(ca, p.textA);
        codes(cb, p.textB);
        p.rowCodesB = p.textB.data();
    }
    return p;
}

Error cancelled()
{
    return Error(u"cancelled"_s);
}

namespace {

QString describeKey(const Table &t, const QList<int> &keyColumns, qsizetype row)
{
    QStringList parts;
    for (int c : keyColumns) {
        const Column &col = t.columns[c];
        QString v = missingAt(col, row) ? u"(missing)"_s : cellToString(col, row);
        if (col.type == ColumnType::String && !missingAt(col, row))
            v = u'"' + v + u'"';
        parts << col.name + u" = "_s + v;
    }
    return parts.size() == 1 ? parts.front() : u'(' + parts.join(u", "_s) + u')';
}

} // namespace

Error duplicateKey(const Table &t, const QList<int> &keyColumns, qsizetype first, qsizetype second)
{
    // One arg() call: a key value holding "%3" must not be substituted again. The lines assume
    // one line per record (a quoted newline or a skipped blank line shifts them).
    return Error(
               u"key %1 appears more than once in %2: data rows %3 and %4 (lines %5 and %6)"_s.arg(
                   describeKey(t, keyColumns, second), t.source, QString::number(first + 1),
                   QString::number(second + 1), QString::number(first + 2),
                   QString::number(second + 2)),
               t.source, int(std::min<qsizetype>(second + 2, INT_MAX)))
        .withHint(u"Choose key columns whose values are unique in each table (add a column to "
                  u"the key), or diff without a key to align rows by content"_s);
}

Error missingKeyColumn(const QStringList &names, const QString &source, const QString &key)
{
    return Error(u"key column \"%1\" is not in %2, whose columns are: %3"_s.arg(
                     key, source, names.join(u", "_s)),
                 source, 1)
        .withHint(u"Choose key columns that both tables have (names are case-sensitive)"_s);
}

ColumnStats statsOf(const Column &c)
{
    ColumnStats s;
    if (c.type == ColumnType::String) {
        std::vector<std::uint8_t> seen(c.dictionary.size(), 0);
        for (std::int32_t code : c.codes) {
            if (code >= 0)
                seen[std::size_t(code)] = 1;
            else
                ++s.missing;
        }
        s.count = c.size() - s.missing;
        s.distinct = std::count(seen.begin(), seen.end(), std::uint8_t(1));
        return s;
    }
    s.numeric = true;
    double lo = std::numeric_limits<double>::infinity();
    double hi = -lo;
    double sum = 0;
    auto add = [&](double v) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        sum += v;
        ++s.count;
    };
    if (c.type == ColumnType::Int64) {
        for (std::int64_t v : c.ints)
            add(double(v));
    } else if (c.type == ColumnType::Float64) {
        for (double v : c.floats) {
            if (!std::isnan(v))
                add(v);
        }
    } else {
        for (std::int8_t v : c.bools) {
            if (v >= 0)
                add(double(v));
        }
    }
    s.missing = c.size() - s.count;
    if (s.count > 0) {
        s.min = lo;
        s.max = hi;
        s.mean = sum / double(s.count);
    }
    return s;
}

void addRowHashes(const std::vector<const Pair *> &pairs, bool sideA, std::vector<std::uint64_t> &h,
                  std::uint64_t &salt)
{
    const std::size_t rows = h.size();
    for (const Pair *p : pairs) {
        auto each = [&](auto valueHash) {
            for (std::size_t r = 0; r < rows; ++r)
                h[r] = mix64(h[r] ^ (valueHash(r) + salt));
        };
        const Column &c = sideA ? *p->a : *p->b;
        if (p->mode == Mode::Codes && sideA && p->textA.empty()) { // the type loops, unswitched
            const std::int32_t *codes = c.codes.data();
            const std::int32_t *map = p->codeMap.data();
            each([&](std::size_t r) { return Pair::hashCode(codes[r] < 0 ? -1 : map[codes[r]]); });
        } else if (p->mode == Mode::Codes && !sideA) {
            each([&](std::size_t r) { return Pair::hashCode(p->rowCodesB[r]); });
        } else if (p->mode == Mode::Numeric && c.type == ColumnType::Int64) {
            const std::int64_t *v = c.ints.data();
            each([&](std::size_t r) { return mix64(std::uint64_t(v[r])); });
        } else if (p->mode == Mode::Numeric) {
            const double *v = c.floats.data();
            each([&](std::size_t r) { return hashDouble(v[r]); });
        } else {
            each([&](std::size_t r) {
                return sideA ? p->hashA(qsizetype(r)) : p->hashB(qsizetype(r));
            });
        }
        salt += kRowHashSalt;
    }
}

// Sets `bit` in masks[r * words] for each row j0 + r (r < n) of b whose value in p differs from
// its paired row's (aOf[r], -1 when unpaired). The type dispatch happens once per block.
void markChanged(const Pair &p, const std::int32_t *aOf, qsizetype j0, qsizetype n, double tol,
                 std::uint64_t *masks, std::size_t words, std::uint64_t bit)
{
    auto run = [&](auto differs) {
        for (qsizetype r = 0; r < n; ++r) {
            const std::int32_t i = aOf[r];
            if (i >= 0 && differs(std::size_t(i), std::size_t(j0 + r)))
                masks[std::size_t(r) * words] |= bit;
        }
    };
    const Column &ca = *p.a;
    const Column &cb = *p.b;
    if (p.mode == Mode::Numeric && ca.type == ColumnType::Int64 && cb.type == ColumnType::Int64) {
        const std::int64_t *x = ca.ints.data();
        const std::int64_t *y = cb.ints.data();
        run([&](std::size_t i, std::size_t j) {
            return x[i] != y[j] && !(tol > 0 && std::fabs(double(x[i]) - double(y[j])) <= tol);
        });
    } else if (p.mode == Mode::Numeric && ca.type == ColumnType::Float64 &&
               cb.type == ColumnType::Float64) {
        const double *x = ca.floats.data();
        const double *y = cb.floats.data();
        run([&](std::size_t i, std::size_t j) {
            const double u = x[i];
            const double v = y[j];
            if (u == v)
                return false;
            if (std::isnan(u) || std::isnan(v))
                return !(std::isnan(u) && std::isnan(v));
            return !(tol > 0 && std::fabs(u - v) <= tol);
        });
    } else if (p.mode == Mode::Codes && p.textA.empty()) {
        const std::int32_t *codes = ca.codes.data();
        const std::int32_t *map = p.codeMap.data();
        const std::int32_t *other = p.rowCodesB;
        run([&](std::size_t i, std::size_t j) {
            const std::int32_t c = codes[i];
            return (c < 0 ? -1 : map[c]) != other[j];
        });
    } else {
        run([&](std::size_t i, std::size_t j) {
            return !p.equal(qsizetype(i), qsizetype(j), tol);
        });
    }
}

// A removed and an added column of the same type are one renamed column when their values are
// equal on at least 90 % of the paired rows (at most 100,000 of them, evenly spread).
std::vector<std::pair<int, int>> detectRenames(const std::vector<const Column *> &removed,
                                               const std::vector<const Column *> &added,
                                               const TableDiff &diff, double tol)
{
    std::vector<std::pair<int, int>> found;
    const auto rowsB = qsizetype(diff.aOfB.size());
    const qint64 paired = rowsB - std::count(diff.aOfB.begin(), diff.aOfB.end(), -1);
    if (removed.empty() || added.empty() || paired == 0)
        return found;
    const qint64 step = std::max<qint64>(1, paired / 100000);
    std::vector<std::pair<std::int32_t, std::int32_t>> sample;
    qint64 seen = 0;
    for (qsizetype j = 0; j < rowsB; ++j) {
        const std::int32_t i = diff.aOfB[std::size_t(j)];
        if (i >= 0 && seen++ % step == 0)
            sample.emplace_back(i, std::int32_t(j));
    }
    struct Candidate
    {
        double share;
        int a;
        int b;
    };
    std::vector<Candidate> candidates;
    for (int ia = 0; ia < int(removed.size()); ++ia) {
        for (int jb = 0; jb < int(added.size()); ++jb) {
            const Column &ca = *removed[std::size_t(ia)];
            const Column &cb = *added[std::size_t(jb)];
            if (ca.type != cb.type)
                continue;
            const Pair p = makePair(ca, cb, -1);
            // Two missing cells say nothing: count only pairs where a value is present, and ask
            // for values in at least half the pairs (two mostly-empty columns are not one).
            qint64 equal = 0;
            qint64 informative = 0;
            for (const auto &[i, j] : sample) {
                if (p.missingA(i) && p.missingB(j))
                    continue;
                ++informative;
                equal += p.equal(i, j, tol) ? 1 : 0;
            }
            const double share = informative ? double(equal) / double(informative) : 0;
            if (share >= 0.9 && 2 * informative >= qint64(sample.size()))
                candidates.push_back({share, ia, jb});
        }
    }
    std::stable_sort(candidates.begin(), candidates.end(),
                     [](const Candidate &x, const Candidate &y) { return x.share > y.share; });
    std::vector<bool> usedA(removed.size(), false), usedB(added.size(), false);
    for (const Candidate &c : candidates) {
        if (usedA[std::size_t(c.a)] || usedB[std::size_t(c.b)])
            continue;
        usedA[std::size_t(c.a)] = usedB[std::size_t(c.b)] = true;
        found.emplace_back(c.a, c.b);
    }
    return found;
}

} // namespace cairn::diff::detail
