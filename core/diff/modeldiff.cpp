#include "modeldiff.h"

#include <QHash>
#include <QMutex>
#include <QThread>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

using namespace Qt::StringLiterals;

namespace cairn::diff {

namespace {

// ---- Values: every supported element type read as double ---------------------------------

// IEEE half to float, exactly (normals, subnormals, infinities and NaN payloads).
inline float halfToFloat(std::uint16_t h)
{
    constexpr std::uint32_t expMask = 0x7C00u << 13;
    std::uint32_t o = (std::uint32_t(h) & 0x7FFFu) << 13;
    const std::uint32_t exp = o & expMask;
    o += (127 - 15) << 23;
    if (exp == expMask) {
        o += (128 - 16) << 23; // Inf / NaN
    } else if (exp == 0) {     // zero / subnormal: renormalise through a float subtraction
        o += 1 << 23;
        o = std::bit_cast<std::uint32_t>(std::bit_cast<float>(o) -
                                         std::bit_cast<float>(std::uint32_t(113) << 23));
    }
    o |= (std::uint32_t(h) & 0x8000u) << 16;
    return std::bit_cast<float>(o);
}

// The two 8-bit float types by table: E5M2 is the top byte of a half; E4M3 is the "FN" type
// (bias 7, no infinities, S.1111.111 is NaN).
const std::array<double, 256> &f8Table(bool e4m3)
{
    static const auto tables = [] {
        std::array<std::array<double, 256>, 2> t{};
        for (int b = 0; b < 256; ++b) {
            t[0][b] = halfToFloat(std::uint16_t(b << 8));
            const int e = (b >> 3) & 15, m = b & 7;
            double v = e == 0 ? std::ldexp(m / 8.0, -6) : std::ldexp(1 + m / 8.0, e - 7);
            if (e == 15 && m == 7)
                v = std::numeric_limits<double>::quiet_NaN();
            t[1][b] = (b & 0x80) ? -v : v;
        }
        return t;
    }();
    return tables[e4m3 ? 1 : 0];
}

// Little-endian, as the format stores it; the data is not aligned.
template<typename T>
inline T load(const std::byte *p)
{
    T v;
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(&v, p, sizeof(T));
    } else {
        std::byte r[sizeof(T)];
        std::reverse_copy(p, p + sizeof(T), r);
        std::memcpy(&v, r, sizeof(T));
    }
    return v;
}

// Reads n values from p into out, as doubles.
using Converter = void (*)(const std::byte *p, qsizetype n, double *out);

template<typename T>
void plain(const std::byte *p, qsizetype n, double *out)
{
    for (qsizetype i = 0; i < n; ++i)
        out[i] = double(load<T>(p + i * qsizetype(sizeof(T))));
}

void boolean(const std::byte *p, qsizetype n, double *out)
{
    for (qsizetype i = 0; i < n; ++i)
        out[i] = p[i] != std::byte(0) ? 1.0 : 0.0;
}

void half(const std::byte *p, qsizetype n, double *out)
{
    for (qsizetype i = 0; i < n; ++i)
        out[i] = halfToFloat(load<std::uint16_t>(p + 2 * i));
}

void bfloat(const std::byte *p, qsizetype n, double *out)
{
    for (qsizetype i = 0; i < n; ++i)
        out[i] = std::bit_cast<float>(std::uint32_t(load<std::uint16_t>(p + 2 * i)) << 16);
}

template<bool E4M3>
void float8(const std::byte *p, qsizetype n, double *out)
{
    const std::array<double, 256> &table = f8Table(E4M3);
    for (qsizetype i = 0; i < n; ++i)
        out[i] = table[std::to_integer<std::size_t>(p[i])];
}

struct Kind
{
    QStringView dtype;
    int bytes;
    Converter convert;
};

// The element types read as numbers; the others (F4, F6_*, F8_E8M0, C64) are compared by bytes.
constexpr Kind g_kinds[] = {
    {u"BOOL", 1, boolean},
    {u"U8", 1, plain<std::uint8_t>},
    {u"I8", 1, plain<std::int8_t>},
    {u"U16", 2, plain<std::uint16_t>},
    {u"I16", 2, plain<std::int16_t>},
    {u"U32", 4, plain<std::uint32_t>},
    {u"I32", 4, plain<std::int32_t>},
    {u"U64", 8, plain<std::uint64_t>},
    {u"I64", 8, plain<std::int64_t>},
    {u"F16", 2, half},
    {u"BF16", 2, bfloat},
    {u"F32", 4, plain<float>},
    {u"F64", 8, plain<double>},
    {u"F8_E5M2", 1, float8<false>},
    {u"F8_E4M3", 1, float8<true>},
};

const Kind *kindOf(QStringView dtype)
{
    for (const Kind &k : g_kinds) {
        if (k.dtype == dtype)
            return &k;
    }
    return nullptr;
}

// ---- Sums ---------------------------------------------------------------------------------

// Neumaier's compensated sum over the block sums.
struct Compensated
{
    double s = 0;
    double c = 0;
    void add(double x)
    {
        const double t = s + x;
        c += std::abs(s) >= std::abs(x) ? (s - t) + x : (x - t) + s;
        s = t;
    }
    void add(const Compensated &o)
    {
        add(o.s);
        add(o.c);
    }
    double value() const { return std::isfinite(s) ? s + c : s; }
};

struct Accumulator
{
    Compensated dd, aa, bb, ab; // sum (a-b)^2, a^2, b^2, a*b
    double maxAbs = 0;          // max |a-b|, ignoring NaN (NaN is known from dd)

    void merge(const Accumulator &o)
    {
        dd.add(o.dd);
        aa.add(o.aa);
        bb.add(o.bb);
        ab.add(o.ab);
        maxAbs = std::max(maxAbs, o.maxAbs);
    }
};

constexpr qsizetype blockSize = 1024;

// One block in plain double, four independent lanes (so the compiler can keep them in
// registers and the rounding error stays that of ~256 additions).
void accumulateBlock(const double *x, const double *y, qsizetype m, Accumulator &acc)
{
    double dd[4] = {}, aa[4] = {}, bb[4] = {}, ab[4] = {}, mx[4] = {};
    qsizetype i = 0;
    for (; i + 4 <= m; i += 4) {
        for (int k = 0; k < 4; ++k) {
            const double a = x[i + k], b = y[i + k], d = a - b, ad = std::abs(d);
            dd[k] += d * d;
            aa[k] += a * a;
            bb[k] += b * b;
            ab[k] += a * b;
            mx[k] = ad > mx[k] ? ad : mx[k];
        }
    }
    for (; i < m; ++i) {
        const double a = x[i], b = y[i], d = a - b, ad = std::abs(d);
        dd[0] += d * d;
        aa[0] += a * a;
        bb[0] += b * b;
        ab[0] += a * b;
        mx[0] = ad > mx[0] ? ad : mx[0];
    }
    acc.dd.add((dd[0] + dd[1]) + (dd[2] + dd[3]));
    acc.aa.add((aa[0] + aa[1]) + (aa[2] + aa[3]));
    acc.bb.add((bb[0] + bb[1]) + (bb[2] + bb[3]));
    acc.ab.add((ab[0] + ab[1]) + (ab[2] + ab[3]));
    acc.maxAbs = std::max({acc.maxAbs, mx[0], mx[1], mx[2], mx[3]});
}

// ---- The work: pairs of tensors cut into chunks -------------------------------------------

constexpr qint64 chunkElements = qint64(1) << 20; // a few MB: enough to spread over the cores

struct Pair
{
    qsizetype diff = 0; // index into ModelDiff::tensors
    std::span<const std::byte> a, b;
    const Kind *ka = nullptr, *kb = nullptr; // null: not read as numbers
    bool raw = false; // same non-numeric dtype: bytes only, chunks count bytes
    bool checkIdentity = false;
    bool compute = false;  // figures wanted
    bool zeroScan = false; // identical, first value 0: is any value not 0?
    qint64 units = 0;      // elements (bytes when raw)
    std::vector<qsizetype> chunks;
    Accumulator acc;
};

struct Chunk
{
    qsizetype pair = 0;
    qint64 first = 0;
    qint64 count = 0;
    bool counted = false; // its bytes were reported as progress
    Accumulator acc;
};

qint64 chunkBytes(const Pair &p, const Chunk &c)
{
    return p.raw ? 2 * c.count : c.count * (p.ka->bytes + p.kb->bytes);
}

// Runs job(i) for i in [0, n) on the cores; job returns the bytes it reports as progress.
Result<void> runParallel(qsizetype n, qint64 &done, qint64 total, const Progress &progress,
                         const std::function<qint64(qsizetype)> &job)
{
    if (n == 0)
        return ok();
    std::atomic<qsizetype> next{0};
    std::atomic_bool cancelled{false};
    QMutex lock;
    const auto work = [&] {
        for (;;) {
            const qsizetype i = next++;
            if (i >= n || cancelled)
                return;
            const qint64 bytes = job(i);
            QMutexLocker locker(&lock);
            done += bytes;
            if (progress && !cancelled && !progress(done, total))
                cancelled = true;
        }
    };
    const qsizetype threads = std::min<qsizetype>(std::max(1, QThread::idealThreadCount()), n);
    std::vector<std::thread> pool;
    for (qsizetype t = 1; t < threads; ++t)
        pool.emplace_back(work);
    work();
    for (std::thread &t : pool)
        t.join();
    if (cancelled)
        return fail(Error(u"cancelled"_s));
    return ok();
}

void computeChunk(const Pair &p, Chunk &c)
{
    double x[blockSize], y[blockSize];
    for (qint64 at = c.first; at < c.first + c.count; at += blockSize) {
        const qsizetype m = qsizetype(std::min<qint64>(blockSize, c.first + c.count - at));
        p.ka->convert(p.a.data() + at * p.ka->bytes, m, x);
        p.kb->convert(p.b.data() + at * p.kb->bytes, m, y);
        accumulateBlock(x, y, m, c.acc);
    }
}

bool chunkIdentical(const Pair &p, const Chunk &c)
{
    const qint64 width = p.raw ? 1 : p.ka->bytes;
    return std::memcmp(p.a.data() + c.first * width, p.b.data() + c.first * width,
                       size_t(c.count * width)) == 0;
}

// Whether a value of the chunk (of the first tensor) is not 0 (NaN counts as not 0), reading
// no further than the first such value.
bool chunkNonZero(const Pair &p, const Chunk &c)
{
    double x[blockSize];
    for (qint64 at = c.first; at < c.first + c.count; at += blockSize) {
        const qsizetype m = qsizetype(std::min<qint64>(blockSize, c.first + c.count - at));
        p.ka->convert(p.a.data() + at * p.ka->bytes, m, x);
        if (std::any_of(x, x + m, [](double v) { return v != 0; }))
            return true;
    }
    return false;
}

void setFigures(TensorDiff &t, const Accumulator &acc)
{
    const double dd = acc.dd.value(), aa = acc.aa.value(), bb = acc.bb.value();
    const double l2 = std::sqrt(dd), na = std::sqrt(aa), nb = std::sqrt(bb);
    t.l2Diff = l2;
    t.maxAbsDiff = std::isnan(dd) ? std::numeric_limits<double>::quiet_NaN() : acc.maxAbs;
    if (aa == 0)
        t.relL2 = dd == 0 ? std::optional<double>(0.0) : std::nullopt;
    else
        t.relL2 = l2 / na;
    if (aa != 0 && bb != 0)
        t.cosine = acc.ab.value() / (na * nb);
}

} // namespace

QString shapeText(const std::vector<qint64> &shape)
{
    QStringList parts;
    for (qint64 d : shape)
        parts << QString::number(d);
    return u'[' + parts.join(u", "_s) + u']';
}

qint64 TensorData::elements() const
{
    for (qint64 d : shape) {
        if (d == 0)
            return 0;
    }
    qint64 n = 1;
    for (qint64 d : shape) {
        if (__builtin_mul_overflow(n, d, &n))
            return std::numeric_limits<qint64>::max(); // rejected below: no such byte count
    }
    return n;
}

namespace {

// The bytes a numeric tensor must hold; a mismatch would read out of bounds.
Result<void> checkSize(const TensorData &t, const Kind *k)
{
    qint64 want = 0;
    if (k && (__builtin_mul_overflow(t.elements(), qint64(k->bytes), &want) ||
              want != qint64(t.bytes.size())))
        return fail(Error(
            u"tensor \"%1\" holds %2 bytes, not the %3 its shape and dtype %4 "
            "need"_s.arg(t.name, QString::number(t.bytes.size()), QString::number(want), t.dtype)));
    return ok();
}

} // namespace

Result<ModelDiff> diffTensors(const std::vector<TensorData> &a, const std::vector<TensorData> &b,
                              const Progress &progress)
{
    ModelDiff out;
    ModelDiffSummary &sum = out.summary;
    sum.tensorsA = int(a.size());
    sum.tensorsB = int(b.size());
    QHash<QString, qsizetype> indexA, indexB;
    for (qsizetype i = 0; i < qsizetype(a.size()); ++i)
        indexA.insert(a[size_t(i)].name, i);
    for (qsizetype i = 0; i < qsizetype(b.size()); ++i)
        indexB.insert(b[size_t(i)].name, i);
    if (indexA.size() != qsizetype(a.size()) || indexB.size() != qsizetype(b.size()))
        return fail(Error(u"two tensors share a name"_s));

    // Pair the tensors and decide what each pair needs.
    std::vector<Pair> pairs;
    for (const TensorData &ta : a) {
        sum.bytesA += qint64(ta.bytes.size());
        TensorDiff t;
        t.name = ta.name;
        t.shapeA = ta.shape;
        t.dtypeA = ta.dtype;
        const auto found = indexB.constFind(ta.name);
        if (found == indexB.cend()) {
            t.status = u"removed"_s;
            t.elements = ta.elements();
            out.tensors.append(t);
            continue;
        }
        const TensorData *tb = &b[size_t(*found)];
        t.shapeB = tb->shape;
        t.dtypeB = tb->dtype;
        t.elements = ta.elements();
        if (ta.shape != tb->shape) {
            t.status = u"shape_changed"_s;
            t.note = u"shape %1 -> %2: values not compared"_s.arg(shapeText(ta.shape),
                                                                  shapeText(tb->shape));
            out.tensors.append(t);
            continue;
        }
        Pair p;
        p.diff = out.tensors.size();
        p.a = ta.bytes;
        p.b = tb->bytes;
        p.ka = kindOf(ta.dtype);
        p.kb = kindOf(tb->dtype);
        if (auto checked = checkSize(ta, p.ka); !checked)
            return fail(checked.error());
        if (auto checked = checkSize(*tb, p.kb); !checked)
            return fail(checked.error());
        const bool numeric = p.ka && p.kb;
        if (ta.dtype != tb->dtype) {
            t.status = u"dtype_changed"_s;
            p.compute = numeric;
            if (!numeric)
                t.note = u"values of %1 / %2 are not compared"_s.arg(ta.dtype, tb->dtype);
        } else if (!numeric && p.a.size() != p.b.size()) {
            t.status = u"changed"_s; // e.g. strings of other lengths: no figures
            t.note = u"values of %1 are compared by bytes only"_s.arg(ta.dtype);
        } else {
            t.status = u"unchanged"_s; // until a chunk differs
            p.checkIdentity = true;
            p.raw = !numeric;
            if (!numeric)
                t.note = u"values of %1 are compared by bytes only"_s.arg(ta.dtype);
        }
        p.units = p.raw ? qint64(p.a.size()) : t.elements;
        out.tensors.append(t);
        if (p.checkIdentity || p.compute)
            pairs.push_back(std::move(p));
    }
    for (const TensorData &tb : b) {
        sum.bytesB += qint64(tb.bytes.size());
        if (indexA.contains(tb.name))
            continue;
        TensorDiff t;
        t.name = tb.name;
        t.status = u"added"_s;
        t.shapeB = tb.shape;
        t.dtypeB = tb.dtype;
        t.elements = tb.elements();
        out.tensors.append(t);
    }

    std::vector<Chunk> chunks;
    qint64 total = 0;
    for (qsizetype i = 0; i < qsizetype(pairs.size()); ++i) {
        Pair &p = pairs[size_t(i)];
        const qint64 step = p.raw ? chunkElements * 4 : chunkElements;
        for (qint64 at = 0; at < p.units; at += step) {
            p.chunks.push_back(qsizetype(chunks.size()));
            chunks.push_back(Chunk{i, at, std::min(step, p.units - at), false, {}});
        }
        total += qint64(p.a.size() + p.b.size());
    }
    qint64 done = 0;
    if (progress && !progress(0, total))
        return fail(Error(u"cancelled"_s));

    // 1. Identical bytes? A pair stops being checked at its first differing chunk.
    std::unique_ptr<std::atomic_bool[]> differs(new std::atomic_bool[pairs.size()]);
    for (size_t i = 0; i < pairs.size(); ++i)
        differs[i] = false;
    std::vector<qsizetype> jobs;
    for (const Pair &p : pairs) {
        if (p.checkIdentity)
            jobs.insert(jobs.end(), p.chunks.begin(), p.chunks.end());
    }
    auto identity = runParallel(qsizetype(jobs.size()), done, total, progress, [&](qsizetype j) {
        Chunk &c = chunks[size_t(jobs[size_t(j)])];
        const Pair &p = pairs[size_t(c.pair)];
        if (differs[size_t(c.pair)] || !chunkIdentical(p, c))
            return (differs[size_t(c.pair)] = true, qint64(0));
        c.counted = true;
        return chunkBytes(p, c);
    });
    if (!identity)
        return fail(identity.error());

    // 2. Figures for the pairs that differ and the retyped ones. An identical pair only needs
    //    to know whether its norm is 0 (no cosine then): usually its first value says so.
    jobs.clear();
    std::unique_ptr<std::atomic_bool[]> nonZero(new std::atomic_bool[pairs.size()]);
    for (size_t i = 0; i < pairs.size(); ++i) {
        Pair &p = pairs[i];
        nonZero[i] = false;
        if (p.checkIdentity && !p.raw && !differs[i]) {
            Chunk first = p.chunks.empty() ? Chunk{} : chunks[size_t(p.chunks[0])];
            first.count = std::min<qint64>(first.count, 1);
            nonZero[i] = chunkNonZero(p, first);
            p.zeroScan = !nonZero[i];
        }
        p.compute = p.compute || (p.checkIdentity && !p.raw && differs[i]);
        if (p.compute || p.zeroScan)
            jobs.insert(jobs.end(), p.chunks.begin(), p.chunks.end());
    }
    auto figures = runParallel(qsizetype(jobs.size()), done, total, progress, [&](qsizetype j) {
        Chunk &c = chunks[size_t(jobs[size_t(j)])];
        const Pair &p = pairs[size_t(c.pair)];
        if (p.compute)
            computeChunk(p, c);
        else if (!nonZero[size_t(c.pair)] && chunkNonZero(p, c))
            nonZero[size_t(c.pair)] = true;
        return c.counted ? qint64(0) : chunkBytes(p, c);
    });
    if (!figures)
        return fail(figures.error());

    for (size_t i = 0; i < pairs.size(); ++i) {
        Pair &p = pairs[i];
        TensorDiff &t = out.tensors[p.diff];
        for (qsizetype c : p.chunks)
            p.acc.merge(chunks[size_t(c)].acc); // in order: the same sums on any core count
        const bool identical = p.checkIdentity && !differs[i];
        if (!identical && p.checkIdentity)
            t.status = u"changed"_s;
        if (identical && !p.raw) {
            t.l2Diff = 0.0;
            t.relL2 = 0.0;
            t.maxAbsDiff = 0.0;
            if (nonZero[i])
                t.cosine = 1.0;
        } else if (identical) {
            t.l2Diff = 0.0; // identical bytes: no difference, whatever the values mean
            t.relL2 = 0.0;
            t.maxAbsDiff = 0.0;
        } else if (p.compute) {
            setFigures(t, p.acc);
        }
        if (t.l2Diff && !p.raw)
            sum.elementsCompared += t.elements;
    }
    for (const TensorDiff &t : out.tensors) {
        if (t.status == u"added"_s)
            ++sum.added;
        else if (t.status == u"removed"_s)
            ++sum.removed;
        else if (t.status == u"changed"_s)
            ++sum.changed;
        else if (t.status == u"unchanged"_s)
            ++sum.unchanged;
        else if (t.status == u"shape_changed"_s)
            ++sum.shapeChanged;
        else if (t.status == u"dtype_changed"_s)
            ++sum.dtypeChanged;
    }
    if (progress)
        progress(total, total);
    return out;
}

Result<ModelDiff> diffSafetensors(const SafetensorsFile &a, const SafetensorsFile &b,
                                  const Progress &progress)
{
    const auto tensors = [](const SafetensorsFile &f) {
        std::vector<TensorData> out;
        out.reserve(f.tensors().size());
        for (const TensorInfo &t : f.tensors())
            out.push_back(TensorData{t.name, t.dtype, t.shape, f.bytes(t)});
        return out;
    };
    Result<ModelDiff> d = diffTensors(tensors(a), tensors(b), progress);
    if (!d)
        return d;
    ModelDiff &out = *d;
    out.a = a.name();
    out.b = b.name();
    for (auto it = a.metadata().cbegin(); it != a.metadata().cend(); ++it) {
        const auto other = b.metadata().constFind(it.key());
        if (other == b.metadata().cend())
            out.metadataRemoved.insert(it.key(), it.value());
        else if (*other != it.value())
            out.metadataChanged.insert(it.key(), {it.value(), *other});
    }
    for (auto it = b.metadata().cbegin(); it != b.metadata().cend(); ++it) {
        if (!a.metadata().contains(it.key()))
            out.metadataAdded.insert(it.key(), it.value());
    }
    return d;
}

} // namespace cairn::diff
